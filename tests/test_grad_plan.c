/* test_grad_plan.c -- the buckets of the overlapped all-reduce
 * (train/grad_sync.h), no device: for BERT and RoBERTa layouts (the tiny
 * and bench sizes) of every head, with and without adversaries, at several
 * bucket sizes,
 *   - the buckets' ranges are disjoint and cover the gradient buffer
 *     exactly (every float is summed once, alignment gaps included);
 *   - the layer buckets come top layer first, each closing at a lower layer
 *     than the one before, the last bucket (after = -1) holding the rest;
 *   - every tensor of layer l (and of its adversary) lies in the first
 *     bucket that closes at or below l, so its sum starts no earlier than
 *     its backward and no later than needed; every other tensor (embeddings,
 *     head) lies in the last bucket;
 *   - a layer bucket holds at least the minimum unless it closes at layer 0,
 *     and with a minimum of 1 float every layer is a bucket of its own. */
#include "model/params.h"
#include "test_util.h"
#include "train/grad_sync.h"

/* The layer an entry's name belongs to ("...layer.3." / "...adversary.3."), or -1. */
static long layer_of(const char *name)
{
    const char *keys[] = {"encoder.layer.", "encoder.adversary."};
    for (int k = 0; k < 2; k++) {
        const char *p = strstr(name, keys[k]);
        if (p) return strtol(p + strlen(keys[k]), NULL, 10);
    }
    return -1;
}

static void check(const char *what, const asacl_model_config *c, int adversaries, size_t min)
{
    param_layout pl;
    grad_plan p;
    REQUIRE_OK(param_layout_build(c, adversaries, &pl));
    REQUIRE_OK(grad_plan_build(&pl, c, min, &p));
    size_t L = (size_t)c->num_hidden_layers;
    signed char *owner = malloc(pl.total); /* the bucket of each float (at most 65) */
    for (size_t i = 0; i < pl.total; i++) owner[i] = -1;
    int overlaps = 0, out_of_range = 0;
    for (size_t k = 0; k < p.nb; k++) {
        const grad_bucket *b = &p.b[k];
        size_t floats = 0;
        CHECK(b->nr > 0, "%s min %zu: bucket %zu has no ranges", what, min, k);
        for (size_t i = b->r0; i < b->r0 + b->nr; i++) {
            const grad_range *r = &p.r[i];
            CHECK(r->n > 0, "%s: an empty range", what);
            floats += r->n;
            if (r->off + r->n > pl.total) {
                out_of_range++;
                continue;
            }
            for (size_t j = r->off; j < r->off + r->n; j++) {
                overlaps += owner[j] >= 0;
                owner[j] = (signed char)k;
            }
        }
        CHECK(floats == b->floats, "%s: bucket %zu says %zu floats, holds %zu", what, k, b->floats,
              floats);
        if (k + 1 < p.nb) {
            CHECK(b->after >= 0 && (k == 0 || b->after < p.b[k - 1].after),
                  "%s min %zu: bucket %zu closes at layer %ld after %ld", what, min, k, b->after,
                  k ? p.b[k - 1].after : -2L);
            CHECK(b->after == 0 || b->floats >= min, "%s min %zu: bucket %zu of %zu floats closed early",
                  what, min, k, b->floats);
        } else {
            CHECK(b->after == -1, "%s: the last bucket closes at %ld", what, b->after);
        }
    }
    CHECK(p.nb >= 2 && p.b[p.nb - 2].after == 0, "%s: no layer bucket closes at layer 0", what);
    if (min == 1) CHECK(p.nb == L + 1, "%s: %zu buckets for %zu layers at min 1", what, p.nb, L);
    CHECK(!overlaps && !out_of_range, "%s min %zu: %d floats in two buckets, %d ranges out of the "
          "buffer", what, min, overlaps, out_of_range);
    size_t missing = 0;
    for (size_t i = 0; i < pl.total; i++) missing += owner[i] < 0;
    CHECK(!missing, "%s min %zu: %zu of %zu floats in no bucket", what, min, missing, pl.total);
    for (size_t e = 0; e < pl.count && !missing && !overlaps && !out_of_range; e++) {
        const param_entry *t = &pl.entries[e];
        long l = layer_of(t->name), want = (long)p.nb - 1;
        for (size_t k = 0; l >= 0 && k + 1 < p.nb; k++)
            if (p.b[k].after <= l) {
                want = (long)k;
                break;
            }
        int in = 1;
        for (size_t j = t->off; j < t->off + t->n; j++) in &= owner[j] == want;
        CHECK(in, "%s min %zu: %s (layer %ld) is not all in bucket %ld", what, min, t->name, l, want);
    }
    free(owner);
    grad_plan_free(&p);
    param_layout_free(&pl);
}

int main(void)
{
    const char *names[] = {"tiny", "bench"};
    const int tasks[] = {ASACL_TASK_SEQUENCE, ASACL_TASK_TOKEN, ASACL_TASK_CHOICE, ASACL_TASK_MLM};
    const size_t mins[] = {1, GRAD_BUCKET_MIN, (size_t)1 << 22, (size_t)1 << 40};
    for (size_t n = 0; n < sizeof names / sizeof names[0]; n++)
        for (size_t t = 0; t < sizeof tasks / sizeof tasks[0]; t++)
            for (int adv = 0; adv < 4; adv++) /* bit 0: adversaries; bit 1: RoBERTa */
                for (size_t i = 0; i < sizeof mins / sizeof mins[0]; i++) {
                    asacl_model_config c;
                    REQUIRE_OK(asacl_config_named(names[n], &c, NULL, NULL));
                    if (adv & 2 && tasks[t] == ASACL_TASK_MLM) continue; /* BERT's head only */
                    if (adv & 2) c.model_type = ASACL_MODEL_ROBERTA;
                    c.task = tasks[t];
                    c.num_labels = tasks[t] == ASACL_TASK_CHOICE ? 1 : 3;
                    char what[96];
                    snprintf(what, sizeof what, "%s%s task %d%s", names[n], adv & 2 ? " (RoBERTa)" : "",
                             tasks[t], adv & 1 ? " + adversaries" : "");
                    check(what, &c, adv & 1, mins[i]);
                }
    /* the built-in task's model: a bucket per layer at the default size */
    asacl_model_config c;
    REQUIRE_OK(asacl_config_named("tiny", &c, NULL, NULL));
    param_layout pl;
    grad_plan p;
    REQUIRE_OK(param_layout_build(&c, 1, &pl));
    REQUIRE_OK(grad_plan_build(&pl, &c, GRAD_BUCKET_MIN, &p));
    CHECK(p.nb == (size_t)c.num_hidden_layers + 1, "tiny: %zu buckets", p.nb);
    grad_plan_free(&p);
    param_layout_free(&pl);
    return test_finish("test_grad_plan");
}
