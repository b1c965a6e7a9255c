/* test_explain.c -- asacl_model_attention against the double-precision
 * reference (tests/ref): every layer's and head's attention probabilities,
 * recomputed on the host from the reference's layer inputs, the adversary's
 * mask M of the adversarial pass and its masked fraction, for sequences
 * padded as in training and not; and asacl_model_load_adversaries. */
#define _GNU_SOURCE
#include <unistd.h>

#include "model/api.h"
#include "model_fixture.h"
#include "test_util.h"

enum { D = 32, H = 4, L = 2 };

/* softmax(Q K^T / sqrt(d) + P) of sequence b, layer l, from its input x. */
static void ref_probs(const fixture *f, const double *x, size_t l, int b, double *P)
{
    const layer_params *lp = &f->pl.layers[l];
    const double *W = f->p + lp->qkv_w, *bias = f->p + lp->qkv_b;
    size_t T = FX_T, d = D / H;
    double q[FX_T][3 * D];
    for (size_t t = 0; t < T; t++)
        for (size_t o = 0; o < 3 * D; o++) {
            double s = bias[o];
            for (size_t k = 0; k < D; k++) s += x[((size_t)b * T + t) * D + k] * W[o * D + k];
            q[t][o] = s;
        }
    for (size_t h = 0; h < H; h++)
        for (size_t i = 0; i < T; i++) {
            double row[FX_T], mx = -1e300, sum = 0;
            for (size_t j = 0; j < T; j++) {
                double s = 0;
                for (size_t k = 0; k < d; k++) s += q[i][h * d + k] * q[j][D + h * d + k];
                row[j] = s / sqrt((double)d) + ((int)j < f->lens[b] ? 0.0 : -10000.0);
                if (row[j] > mx) mx = row[j];
            }
            for (size_t j = 0; j < T; j++) sum += row[j] = exp(row[j] - mx);
            for (size_t j = 0; j < T; j++) P[(h * T + i) * T + j] = row[j] / sum;
        }
}

static void check_sequence(asacl_model *am, const fixture *f, int b, size_t padded,
                           double *const *x, double *const *A, double *const *M, const double *z)
{
    size_t len = (size_t)f->lens[b], T = FX_T;
    asacl_attention a;
    int with_mask = padded != 0; /* unpadded: the clean pass only (see explain.c) */
    CHECK_OK(asacl_model_attention(am, f->ids + b * FX_T, f->segs + b * FX_T, len, padded,
                                   with_mask, &a));
    if (!a.probs) return;
    CHECK(a.T == len && a.L == L && a.H == H && (a.mask != NULL) == with_mask, "shape");
    char what[128];
    for (size_t l = 0; l < L; l++) {
        double P[H * FX_T * FX_T], want[H * FX_T * FX_T], mean[FX_T * FX_T] = {0};
        ref_probs(f, x[l], l, b, P);
        for (size_t h = 0; h < H; h++)
            for (size_t i = 0; i < len; i++)
                for (size_t j = 0; j < len; j++) {
                    want[(h * len + i) * len + j] = P[(h * T + i) * T + j];
                    mean[i * len + j] += P[(h * T + i) * T + j] / H;
                }
        snprintf(what, sizeof what, "seq %d (len %zu, padded %zu) layer %zu probabilities", b,
                 len, padded, l);
        /* float through two layers vs double, as test_model's logits */
        test_compare(what, a.probs + l * H * len * len, want, H * len * len, 2e-5, 1e-4);
        float map[FX_T * FX_T];
        CHECK_OK(asacl_attention_map(&a, (int)l, -1, map));
        snprintf(what, sizeof what, "seq %d layer %zu mean over heads", b, l);
        test_compare(what, map, mean, len * len, 2e-5, 1e-4);
        CHECK_OK(asacl_attention_map(&a, (int)l, 2, map));
        snprintf(what, sizeof what, "seq %d layer %zu head 2", b, l);
        test_compare(what, map, want + 2 * len * len, len * len, 2e-5, 1e-4);
        if (!with_mask) continue;
        /* M == the reference's [A > 0] wherever A is not within float error of 0 */
        size_t diff = 0, near0 = 0;
        double kept = 0;
        for (size_t i = 0; i < len; i++)
            for (size_t j = 0; j < len; j++) {
                size_t e = ((size_t)b * T + i) * T + j;
                float got = a.mask[(l * len + i) * len + j];
                kept += M[l][e];
                if (fabs(A[l][e]) < 1e-3) near0++;
                else diff += got != (float)M[l][e];
            }
        CHECK(diff == 0, "seq %d layer %zu: %zu mask entries differ from the reference", b, l, diff);
        double want_frac = 1.0 - kept / (double)(len * len);
        CHECK(near0 > 0 || fabs(a.masked_fraction[l] - want_frac) < 1e-12,
              "seq %d layer %zu masked fraction %g, reference %g", b, l, a.masked_fraction[l],
              want_frac);
        printf("seq %d layer %zu: masked fraction %.4f (reference %.4f), %zu near-zero scores\n",
               b, l, a.masked_fraction[l], want_frac, near0);
    }
    double zl[2] = {a.logits[0], a.logits[1]};
    snprintf(what, sizeof what, "seq %d clean logits", b);
    size_t bad = 0;
    for (int k = 0; k < 2; k++) bad += fabs(zl[k] - z[b * 2 + k]) > 1e-4 + 1e-4 * fabs(z[b * 2 + k]);
    CHECK(bad == 0 && a.num_labels == 2, "%s: %g %g, reference %g %g", what, zl[0], zl[1],
          z[b * 2], z[b * 2 + 1]);
    asacl_attention_free(&a);
}

static void test_load_adversaries(asacl_ctx *ctx, asacl_model *am, const fixture *f)
{
    char dir[] = "/tmp/asacl-test-explain-XXXXXX";
    if (!mkdtemp(dir)) {
        CHECK(0, "mkdtemp");
        return;
    }
    char ckpt[128];
    snprintf(ckpt, sizeof ckpt, "%s/checkpoint", dir);
    asacl_model *other;
    REQUIRE_OK(asacl_model_create(ctx, &f->cfg, 1, 999, &other));
    asacl_train_options o;
    asacl_train_options_init(&o);
    o.total_steps = 10;
    o.max_batch = FX_B;
    o.max_seq_len = FX_T;
    o.additive_masks = 1;
    asacl_trainer *t;
    REQUIRE_OK(asacl_trainer_create(other, &o, &t));
    REQUIRE_OK(asacl_trainer_save(t, ckpt, NULL, NULL, NULL));

    float *before, *after, *theirs;
    REQUIRE_OK(model_download(am, &before));
    CHECK(am->m.additive_masks == 0, "replace semantics before");
    CHECK_OK(asacl_model_load_adversaries(am, ckpt));
    REQUIRE_OK(model_download(am, &after));
    REQUIRE_OK(model_download(other, &theirs));
    size_t adv = 0, enc = 0, n_adv = 0;
    for (size_t i = 0; i < f->pl.count; i++) {
        const param_entry *e = &f->pl.entries[i];
        int is_adv = strstr(e->name, ".adversary.") != NULL;
        n_adv += is_adv;
        for (size_t k = 0; k < e->n; k++) {
            if (is_adv) adv += after[e->off + k] != theirs[e->off + k];
            else enc += after[e->off + k] != before[e->off + k];
        }
    }
    CHECK(n_adv == 4 * L && adv == 0, "%zu adversary values differ from the checkpoint's", adv);
    CHECK(enc == 0, "%zu encoder values changed", enc);
    CHECK(am->m.additive_masks == 1, "the checkpoint's mask semantics");
    am->m.additive_masks = 0;
    free(before);
    free(after);
    free(theirs);

    /* A model without adversaries cannot take them; a folder without a trainer state is no checkpoint. */
    asacl_model *plain;
    asacl_load_options lo;
    asacl_load_options_init(&lo);
    REQUIRE_OK(asacl_model_load(ctx, ckpt, &lo, &plain, NULL));
    CHECK(asacl_model_load_adversaries(plain, ckpt) == ASACL_ERR_INVALID_ARG, "no adversaries");
    CHECK(asacl_model_load_adversaries(am, dir) != ASACL_OK, "%s is no checkpoint", dir);
    asacl_attention a;
    CHECK(asacl_model_attention(plain, f->ids, f->segs, 3, 0, 1, &a) == ASACL_ERR_INVALID_ARG,
          "a mask without adversaries");
    CHECK(asacl_model_attention(plain, f->ids, f->segs, 3, 2, 0, &a) == ASACL_ERR_INVALID_ARG,
          "padded below the length");
    asacl_model_destroy(plain);
    asacl_trainer_destroy(t);
    asacl_model_destroy(other);
    char cmd[200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", dir);
}

int main(void)
{
    asacl_ctx *ctx = test_ctx();
    fixture f;
    fixture_init(&f, 2, 0.1f, 1, 4242);
    CHECK(f.cfg.hidden_size == D && f.cfg.num_attention_heads == H && f.cfg.num_hidden_layers == L,
          "fixture shape");
    asacl_model *am = calloc(1, sizeof *am);
    REQUIRE_OK(model_create(ctx, &f.cfg, 1, f.pf, 0, &am->m));
    am->m.plain_attention = 0; /* explain switches to the plain path and back */

    ref_model rm = {&f.cfg, &f.pl, f.p, 0};
    ref_batch rb = fixture_ref_batch(&f);
    size_t per = (size_t)FX_N * D, sq = (size_t)FX_B * FX_T * FX_T;
    double *x[L], *xa[L], *A[L], *M[L], z[FX_B * 2], za[FX_B * 2];
    for (int l = 0; l < L; l++) {
        x[l] = calloc(per, sizeof(double));
        xa[l] = calloc(per, sizeof(double));
        A[l] = calloc(sq, sizeof(double));
        M[l] = calloc(sq, sizeof(double));
    }
    ref_pass clean = {0, 0, 0, 42, 0, NULL}, adv = {0, 1, 1, 42, 0, NULL};
    ref_pass_out oc = {z, x, NULL, NULL}, oa = {za, xa, A, M};
    ref_bert_forward(&rm, &rb, &clean, &oc);
    ref_bert_forward(&rm, &rb, &adv, &oa);

    for (int b = 0; b < FX_B; b++) check_sequence(am, &f, b, FX_T, x, A, M, z);
    /* Unpadded, the clean pass's maps are those of the padded batch. */
    check_sequence(am, &f, 1, 0, x, A, M, z);
    CHECK(am->m.plain_attention == 0, "attention path restored");

    test_load_adversaries(ctx, am, &f);
    for (int l = 0; l < L; l++) {
        free(x[l]);
        free(xa[l]);
        free(A[l]);
        free(M[l]);
    }
    asacl_model_destroy(am);
    fixture_free(&f);
    asacl_ctx_destroy(ctx);
    return test_finish("test_explain");
}
