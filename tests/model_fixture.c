/* model_fixture.c -- see model_fixture.h. */
#include "model_fixture.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_util.h"

void fixture_init(fixture *f, int C, float dropout, int adversaries, uint64_t seed)
{
    memset(f, 0, sizeof *f);
    asacl_model_config *c = &f->cfg;
    asacl_model_config_default(c);
    c->vocab_size = 30;
    c->hidden_size = 32;
    c->num_hidden_layers = 2;
    c->num_attention_heads = 4;
    c->intermediate_size = 37;
    c->max_position_embeddings = 16;
    c->num_labels = C;
    c->hidden_dropout_prob = dropout;
    c->attention_probs_dropout_prob = dropout;
    REQUIRE_OK(param_layout_build(c, adversaries, &f->pl));
    f->p = calloc(f->pl.total, sizeof *f->p);
    f->pf = calloc(f->pl.total, sizeof *f->pf);
    ref_rng r = {seed};
    for (size_t i = 0; i < f->pl.count; i++) {
        const param_entry *e = &f->pl.entries[i];
        double *v = f->p + e->off;
        double scale = e->init == INIT_NORMAL ? 0.3 * 1.7 : 0.1 * 1.7; /* uniform, std ~0.3 / 0.1 */
        ref_fill(&r, v, e->n, scale);
        if (e->init == INIT_ONE)
            for (size_t k = 0; k < e->n; k++) v[k] += 1.0;
    }
    for (size_t i = 0; i < f->pl.total; i++) f->p[i] = f->pf[i] = (float)f->p[i];
    static const int lens[FX_B] = {8, 5, 3};
    for (int b = 0; b < FX_B; b++) {
        f->lens[b] = lens[b];
        f->labels[b] = (b * 2 + 1) % (C > 1 ? C : 1);
        f->targets[b] = f->targets_f[b] = (float)(0.5 * b - 0.7);
        for (int t = 0; t < FX_T; t++) {
            int real = t < lens[b];
            f->ids[b * FX_T + t] = real ? 1 + (int)((uint64_t)(b * 7 + t * 13 + 3) % 29) : 0;
            f->segs[b * FX_T + t] = real && t >= (lens[b] + 1) / 2;
        }
    }
}

void fixture_free(fixture *f)
{
    param_layout_free(&f->pl);
    free(f->p);
    free(f->pf);
}

asacl_batch fixture_batch(const fixture *f)
{
    asacl_batch b = {FX_B, FX_T, f->ids, f->segs, f->lens, f->labels, f->targets_f, NULL, 0};
    return b;
}

ref_batch fixture_ref_batch(const fixture *f)
{
    ref_batch b = {FX_B, FX_T, f->ids, f->segs, f->lens, f->labels, f->targets};
    return b;
}

void fixture_check_grads(fixture *f, const float *grad, fixture_loss_fn loss, void *user,
                         int (*want)(const char *name), size_t samples, double atol, double rtol)
{
    const double h = 1e-4;
    ref_rng r = {0x243f6a8885a308d3ull};
    size_t tensors = 0;
    for (size_t i = 0; i < f->pl.count; i++) {
        const param_entry *e = &f->pl.entries[i];
        if (want && !want(e->name)) continue;
        size_t k = e->n < samples ? e->n : samples;
        double *got = malloc(k * sizeof *got), *fd = malloc(k * sizeof *fd);
        for (size_t s = 0; s < k; s++) {
            size_t at = e->n <= samples ? s : (size_t)((ref_uniform(&r) + 1) / 2 * (double)e->n) % e->n;
            /* The padding id's word embedding row gets no gradient by design
             * (Hugging Face's padding_idx), though the loss can depend on it
             * (fully masked rows attend to padding): sample another row. */
            if (e->off == f->pl.word && at < (size_t)f->cfg.hidden_size * (f->cfg.pad_token_id + 1) &&
                at >= (size_t)f->cfg.hidden_size * f->cfg.pad_token_id)
                at += (size_t)f->cfg.hidden_size;
            double *x = f->p + e->off + at, x0 = *x;
            *x = x0 + h;
            double lp = loss(f, user);
            *x = x0 - h;
            double lm = loss(f, user);
            *x = x0;
            fd[s] = (lp - lm) / (2 * h);
            got[s] = grad[e->off + at];
        }
        char what[160];
        snprintf(what, sizeof what, "grad %s", e->name);
        test_compare_d(what, got, fd, k, atol, rtol);
        free(got);
        free(fd);
        tensors++;
    }
    printf("  (%zu parameter tensors checked against finite differences)\n", tensors);
}
