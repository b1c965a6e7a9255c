/* test_asa.c -- Adversarial Self-Attention (asa-spec sections 4, 5 and 9).
 *
 * Part 1, an independent framework: the dumps of tests/gen_asa_ref.py (a
 * float64 PyTorch implementation of the spec, dropout 0) -- logits of both
 * passes, adversary inputs, scores and masks, each loss term, every
 * gradient after one step, the losses of 3 AdamW steps and the final
 * parameters -- for classification, regression (the one-label quirk), plain
 * fine-tuning, the additive variant and RoBERTa (additive, its default, and
 * replace), through both attention paths.
 * Per-tensor tolerances; the largest error of each comparison is printed.
 *
 * Part 2, the checks of spec section 9 on the tiny fixture with dropout 0.1
 * against the double-precision host reference:
 *   M == [A > 0] bit for bit; padding keys always masked; masked scores are
 *   exactly -10000, one bias shared by the heads; all-masked rows uniform;
 *   finite differences of the total loss for every backbone parameter (masks
 *   held fixed); adversary gradients against -dM s(A)(1 - s(A)) with dM from
 *   finite differences of the loss in the bias plus tau^2/B; no gradient into
 *   the hidden states through the adversary's input; eval logits identical
 *   with the adversaries removed; with dropout 0 the passes differ only
 *   through M; the two passes' dropout samples are independent. */
#include <math.h>

#include "io/safetensors.h"
#include "model_fixture.h"
#include "dump_util.h"
#include "test_util.h"

static asacl_ctx *ctx;

/* ======================================================================== */
/* Part 1: the PyTorch dumps                                                 */

static void cmp_dump(const st_file *f, const char *name, cl_mem buf, size_t off, size_t n,
                     double atol, double rtol)
{
    dump_compare(ctx, f, name, buf, off, n, atol, rtol, 0);
}

/* The same cut batch under ASACL_PADDING_LONGEST: a different objective
 * under ASA -- fewer units to count, so rloss (kept units / B) differs from
 * the max_length dump's -- while the clean pass, and so evaluation, gives
 * the same logits and task loss at either padding. */
static void check_longest(const st_file *f, const asacl_model_config *c, int asa,
                          const float *init, const asacl_batch *cut, const asacl_step_stats *full,
                          int plain)
{
    model m;
    REQUIRE_OK(model_create(ctx, c, asa, init, 0, &m));
    m.plain_attention = plain;
    train_opts to;
    train_opts_default(&to);
    to.pub.asa = asa;
    to.pub.max_batch = cut->B;
    to.pub.max_seq_len = (size_t)dump_meta_int(f, "T");
    to.pub.padding = ASACL_PADDING_LONGEST;
    to.pub.lr = 1e-3f;
    to.pub.total_steps = 10;
    trainer t;
    REQUIRE_OK(trainer_create(&m, &to, &t));
    asacl_step_stats r;
    REQUIRE_OK(trainer_loss_and_grad(&t, cut, &r));
    CHECK(fabs(r.task - full->task) <= 1e-5 * (1 + fabs(full->task)),
          "longest padding: clean-pass task loss %.9g, max_length %.9g (must agree)", r.task,
          full->task);
    CHECK(r.rloss < full->rloss - 0.5, "longest padding counts fewer kept units: rloss %.3f vs "
          "max_length %.3f", r.rloss, full->rloss);
    printf("  longest padding: task %.7f (max_length %.7f), rloss %.3f (max_length %.3f)\n", r.task,
           full->task, r.rloss, full->rloss);
    /* Evaluation logits: the cut batch and the same batch padded to T. */
    size_t B = cut->B, T = to.pub.max_seq_len, C = (size_t)c->num_labels;
    int *ids = calloc(B * T, sizeof *ids), *segs = calloc(B * T, sizeof *segs);
    for (size_t b = 0; b < B; b++)
        for (size_t k = 0; k < cut->T; k++) {
            ids[b * T + k] = cut->ids[b * cut->T + k];
            segs[b * T + k] = cut->segments[b * cut->T + k];
        }
    asacl_batch padded = {B, T, ids, segs, cut->lengths, cut->labels, cut->targets, NULL, 0};
    float *z1 = malloc(B * C * sizeof *z1), *z2 = malloc(B * C * sizeof *z2);
    REQUIRE_OK(trainer_eval(&t, cut, z1));
    REQUIRE_OK(trainer_eval(&t, &padded, z2));
    double zd[64], zf[64];
    for (size_t i = 0; i < B * C && i < 64; i++) zd[i] = z1[i], zf[i] = z2[i];
    test_compare_d("eval logits, longest vs max_length padding", zd, zf, B * C < 64 ? B * C : 64,
                   1e-6, 1e-5);
    free(ids);
    free(segs);
    free(z1);
    free(z2);
    trainer_destroy(&t);
    model_destroy(&m);
}

/* cut: hand the trainer the batch cut to its longest sequence, as a loader
 * padding to the longest would; under ASACL_PADDING_MAX_LENGTH (the
 * default) the trainer pads it back to max_seq_len = the dump's T. */
static void run_dump(const char *file, int asa, int additive, int plain, int cut)
{
    /* Additive masks (asa-spec 7) add -10000 to the scores: in float32 a
     * score near -10000 keeps only ~1e-3 of absolute precision (the spacing
     * of floats there), so rows whose every key is masked carry ~1e-3
     * relative error downstream, as any float32 implementation does; the
     * float64 reference does not. Looser tolerances for that variant. */
    double tol = additive ? 10.0 : 1.0;
    char path[512];
    snprintf(path, sizeof path, "%s/asa_ref/%s.safetensors", ASACL_TEST_DATA, file);
    printf("PyTorch reference %s, %s attention\n", file, plain ? "plain" : "fused");
    st_file f;
    REQUIRE_OK(st_open(path, &f));
    asacl_model_config c;
    dump_config(&f, &c);
    c.num_labels = dump_meta_int(&f, "C");
    size_t B = (size_t)dump_meta_int(&f, "B"), T = (size_t)dump_meta_int(&f, "T"),
           L = (size_t)c.num_hidden_layers, C = (size_t)c.num_labels, D = (size_t)c.hidden_size;

    param_layout pl;
    REQUIRE_OK(param_layout_build(&c, asa, &pl));
    float *init = calloc(pl.total, sizeof *init);
    for (size_t i = 0; i < pl.count; i++) {
        const st_tensor *t = st_find(&f, pl.entries[i].name);
        CHECK(t && st_numel(t) == pl.entries[i].n, "dump has %s", pl.entries[i].name);
        if (t && st_numel(t) == pl.entries[i].n) REQUIRE_OK(st_to_f32(&f, t, init + pl.entries[i].off));
    }
    double *ids = dump_tensor(&f, "input.ids", NULL), *segs = dump_tensor(&f, "input.segments", NULL),
           *am = dump_tensor(&f, "input.attention_mask", NULL), *lab = dump_tensor(&f, "input.labels", NULL);
    int *iid = malloc(B * T * sizeof *iid), *iseg = malloc(B * T * sizeof *iseg),
        *lens = calloc(B, sizeof *lens), *labels = malloc(B * sizeof *labels);
    float *targets = malloc(B * sizeof *targets);
    for (size_t i = 0; i < B * T; i++) {
        iid[i] = (int)ids[i];
        iseg[i] = (int)segs[i];
        lens[i / T] += am[i] != 0;
    }
    for (size_t b = 0; b < B; b++) {
        labels[b] = C > 1 ? (int)lab[b] : 0;
        targets[b] = (float)lab[b];
    }
    size_t Tb = T; /* the columns handed over */
    if (cut) {
        Tb = 2;
        for (size_t b = 0; b < B; b++) Tb = (size_t)lens[b] > Tb ? (size_t)lens[b] : Tb;
        CHECK(Tb < T, "%s: the longest sequence (%zu) is shorter than T (%zu)", file, Tb, T);
        for (size_t b = 0; b < B; b++) /* in place: row b of width Tb */
            for (size_t k = 0; k < Tb; k++) {
                iid[b * Tb + k] = iid[b * T + k];
                iseg[b * Tb + k] = iseg[b * T + k];
            }
        printf("  batch cut to %zu of %zu columns; max_length padding restores T\n", Tb, T);
    }

    model m;
    REQUIRE_OK(model_create(ctx, &c, asa, init, 0, &m));
    m.additive_masks = additive;
    m.plain_attention = plain; /* both paths, whatever the device profile picks */
    train_opts to;
    train_opts_default(&to);
    to.pub.asa = asa;
    to.pub.max_batch = B;
    to.pub.max_seq_len = T;
    to.pub.lr = 1e-3f;
    to.pub.total_steps = 10;
    CHECK(to.pub.padding == ASACL_PADDING_MAX_LENGTH, "max_length padding is the default");
    trainer t;
    REQUIRE_OK(trainer_create(&m, &to, &t));
    asacl_batch hb = {B, Tb, iid, iseg, lens, labels, targets, NULL, 0};
    asacl_step_stats r;
    REQUIRE_OK(trainer_loss_and_grad(&t, &hb, &r));

    cmp_dump(&f, "out.logits_clean", t.clean.logits.buf, t.clean.logits.off, B * C, 1e-5, 1e-4);
    if (asa) {
        cmp_dump(&f, "out.logits_adv", t.adv.logits.buf, t.adv.logits.off, B * C, tol * 1e-5,
                 tol * 1e-4);
        for (size_t l = 0; l < L; l++) {
            char n[64];
            tensor x = l ? t.adv.layers[l - 1].out : t.adv.h0;
            snprintf(n, sizeof n, "out.hidden_adv.%zu", l);
            cmp_dump(&f, n, x.buf, x.off, B * T * D, tol * 1e-5, tol * 1e-4);
            snprintf(n, sizeof n, "out.adv_scores.%zu", l);
            cmp_dump(&f, n, t.adv.layers[l].adv_scores.buf, t.adv.layers[l].adv_scores.off,
                     B * T * T, tol * 1e-4, tol * 1e-4);
            snprintf(n, sizeof n, "out.mask.%zu", l);
            cmp_dump(&f, n, t.adv.layers[l].adv_mask.buf, t.adv.layers[l].adv_mask.off, B * T * T,
                     0, 0); /* bit for bit */
        }
        double *frac = dump_tensor(&f, "out.masked_fraction", NULL);
        test_compare_d("out.masked_fraction", r.masked_fraction, frac, L, 1e-6, 1e-6);
        free(frac);
    }
    dump_compare_scalar(&f, "loss.task", r.task, 1e-5, 1e-5);
    dump_compare_scalar(&f, "loss.vloss", r.vloss, tol * 1e-5, tol * 1e-4);
    dump_compare_scalar(&f, "loss.rloss", r.rloss, 0, 1e-6);
    dump_compare_scalar(&f, "loss.total", r.total, tol * 1e-5, 1e-5);
    dump_compare_scalar(&f, "loss.report", r.loss, tol * 1e-5, 1e-5);

    /* Every gradient, then three AdamW steps. */
    for (size_t i = 0; i < pl.count; i++) {
        char n[160];
        snprintf(n, sizeof n, "grad.%s", pl.entries[i].name);
        dump_compare(ctx, &f, n, m.grads, pl.entries[i].off, pl.entries[i].n, tol * 2e-5, tol * 2e-3,
                        1e-4);
    }
    if (cut) check_longest(&f, &c, asa, init, &hb, &r, plain);
    double *steps = dump_tensor(&f, "steps.loss", NULL);
    double lr = 1e-3;
    double got_steps[4];
    for (int s = 0; s < 3; s++) {
        REQUIRE_OK(trainer_step(&t, &hb, &r));
        got_steps[s] = r.loss;
    }
    REQUIRE_OK(trainer_loss_and_grad(&t, &hb, &r));
    got_steps[3] = r.loss;
    test_compare_d("steps.loss (3 AdamW steps)", got_steps, steps, 4, tol * 1e-5, tol * 1e-4);
    for (size_t i = 0; i < pl.count; i++) {
        char n[160];
        snprintf(n, sizeof n, "final.%s", pl.entries[i].name);
        /* The attention key biases have a gradient that is exactly 0 in exact
         * arithmetic (softmax ignores a shift per row) and float noise in
         * practice; AdamW turns noise of any size into steps of up to lr, so
         * those parameters may differ by up to lr per update. */
        int zero_grad = strstr(n, "attention.self.key.bias") != NULL;
        cmp_dump(&f, n, m.params, pl.entries[i].off, pl.entries[i].n,
                 zero_grad ? 3 * lr : tol * 2e-6, 1e-4);
    }
    free(steps);
    trainer_destroy(&t);
    model_destroy(&m);
    param_layout_free(&pl);
    free(init);
    free(ids);
    free(segs);
    free(am);
    free(lab);
    free(iid);
    free(iseg);
    free(lens);
    free(labels);
    free(targets);
    st_close(&f);
}

/* ======================================================================== */
/* Part 2: spec section 9 on the fixture                                     */

#define TAU 0.5
#define SEED 42

typedef struct asa_run {
    model m;
    trainer t;
} asa_run;

static void asa_make(fixture *f, asa_run *r, int adversaries, float tau)
{
    REQUIRE_OK(model_create(ctx, &f->cfg, adversaries, f->pf, 0, &r->m));
    train_opts to;
    train_opts_default(&to);
    to.pub.asa = adversaries;
    to.pub.tau = tau;
    to.pub.max_batch = FX_B;
    to.pub.max_seq_len = FX_T;
    to.pub.seed = SEED;
    REQUIRE_OK(trainer_create(&r->m, &to, &r->t));
}

static void asa_free(asa_run *r)
{
    trainer_destroy(&r->t);
    model_destroy(&r->m);
}

/* The reference's two passes at the fixture's parameters. */
typedef struct ref_step {
    double z[FX_B * 4], zq[FX_B * 4];
    double *x[4], *A[4], *M[4];
} ref_step;

static void ref_step_run(fixture *f, ref_step *s, const double *const *G)
{
    ref_model m = {&f->cfg, &f->pl, f->p, 0};
    ref_batch b = fixture_ref_batch(f);
    ref_pass clean = {1, 0, 0, SEED, 0, NULL}, adv = {1, 1, 1, SEED, 0, G};
    ref_pass_out oc = {s->z, NULL, NULL, NULL}, oa = {s->zq, s->x, s->A, s->M};
    ref_bert_forward(&m, &b, &clean, &oc);
    ref_bert_forward(&m, &b, &adv, &oa);
}

static void ref_step_alloc(ref_step *s, size_t L)
{
    memset(s, 0, sizeof *s);
    for (size_t l = 0; l < L; l++) {
        s->x[l] = calloc(FX_N * 32, sizeof(double));
        s->A[l] = calloc(FX_B * FX_T * FX_T, sizeof(double));
        s->M[l] = calloc(FX_B * FX_T * FX_T, sizeof(double));
    }
}

static void ref_step_free(ref_step *s, size_t L)
{
    for (size_t l = 0; l < L; l++) {
        free(s->x[l]);
        free(s->A[l]);
        free(s->M[l]);
    }
}

static double ref_total(fixture *f, void *user)
{
    (void)user;
    ref_step s;
    ref_step_alloc(&s, 2);
    ref_step_run(f, &s, NULL);
    ref_model m = {&f->cfg, &f->pl, f->p, 0};
    ref_batch b = fixture_ref_batch(f);
    double total = ref_bert_losses(&m, &b, s.z, s.zq, s.M, TAU).total;
    ref_step_free(&s, 2);
    return total;
}

static int is_backbone(const char *name) { return strstr(name, "adversary") == NULL; }

/* vloss with the adversarial pass run on fixed biases G (for dL/dG). */
typedef struct g_loss {
    fixture *f;
    double **G;
} g_loss;

static double vloss_of_G(g_loss *g)
{
    ref_step s;
    ref_step_alloc(&s, 2);
    ref_step_run(g->f, &s, (const double *const *)g->G);
    ref_model m = {&g->f->cfg, &g->f->pl, g->f->p, 0};
    ref_batch b = fixture_ref_batch(g->f);
    double v = ref_bert_losses(&m, &b, s.z, s.zq, NULL, TAU).vloss;
    ref_step_free(&s, 2);
    return v;
}

static void check_spec9(void)
{
    printf("spec section 9 on the tiny fixture, dropout 0.1\n");
    fixture f;
    fixture_init(&f, 3, 0.1f, 1, 2024);
    const size_t L = 2, D = 32, TT = FX_B * FX_T * FX_T;
    asa_run run;
    asa_make(&f, &run, 1, TAU);
    asacl_batch hb = fixture_batch(&f);
    asacl_step_stats res;
    REQUIRE_OK(trainer_loss_and_grad(&run.t, &hb, &res));
    ref_step s;
    ref_step_alloc(&s, L);
    ref_step_run(&f, &s, NULL);

    /* Logits of both passes, the adversary's input, scores and masks. */
    double got[FX_B * FX_T * FX_T > FX_N * 32 ? FX_B * FX_T * FX_T : FX_N * 32];
    test_download(ctx, run.t.clean.logits.buf, run.t.clean.logits.off, FX_B * 3, got);
    test_compare_d("clean logits vs reference", got, s.z, FX_B * 3, 1e-4, 1e-4);
    test_download(ctx, run.t.adv.logits.buf, run.t.adv.logits.off, FX_B * 3, got);
    test_compare_d("adversarial logits vs reference", got, s.zq, FX_B * 3, 1e-4, 1e-4);
    for (size_t l = 0; l < L; l++) {
        layer_acts *y = &run.t.adv.layers[l];
        double A[FX_B * FX_T * FX_T], M[FX_B * FX_T * FX_T], G[FX_B * FX_T * FX_T];
        test_download(ctx, y->adv_scores.buf, y->adv_scores.off, TT, A);
        test_download(ctx, y->adv_mask.buf, y->adv_mask.off, TT, M);
        test_download(ctx, y->adv_bias.buf, y->adv_bias.off, TT, G);
        test_compare_d("adversary scores A vs reference", A, s.A[l], TT, 1e-4, 1e-4);
        int bitwise = 1, same_as_ref = 1, pad_masked = 1, bias_exact = 1;
        for (size_t e = 0; e < TT; e++) {
            size_t b = e / (FX_T * FX_T), j = e % FX_T;
            bitwise &= M[e] == (A[e] > 0 ? 1.0 : A[e] < 0 ? 0.0 : 0.5);
            if (fabs(s.A[l][e]) > 1e-3) same_as_ref &= M[e] == s.M[l][e];
            if ((int)j >= f.lens[b]) pad_masked &= M[e] == 0.0;
            bias_exact &= M[e] == 1.0 ? G[e] == 0.0 : (M[e] == 0.0 ? G[e] == -10000.0 : 1);
        }
        CHECK(bitwise, "layer %zu: M == [A > 0] bit for bit", l);
        CHECK(same_as_ref, "layer %zu: M equals the reference's mask", l);
        CHECK(pad_masked, "layer %zu: padding keys always masked", l);
        CHECK(bias_exact, "layer %zu: the bias is exactly -10000 on masked and 0 on kept pairs", l);
    }
    ref_model rm = {&f.cfg, &f.pl, f.p, 0};
    ref_batch rb = fixture_ref_batch(&f);
    ref_losses rl = ref_bert_losses(&rm, &rb, s.z, s.zq, s.M, TAU);
    test_compare_d("task loss", &res.task, &rl.task, 1, 1e-5, 1e-5);
    test_compare_d("vloss", &res.vloss, &rl.vloss, 1, 1e-6, 1e-4);
    test_compare_d("rloss (kept units / B)", &res.rloss, &rl.rloss, 1, 0, 1e-6);
    test_compare_d("total", &res.total, &rl.total, 1, 1e-5, 1e-5);
    printf("  losses: task %.5f vloss %.5f rloss %.3f total %.5f; masked %.3f %.3f\n", res.task,
           res.vloss, res.rloss, res.total, res.masked_fraction[0], res.masked_fraction[1]);

    /* Backbone gradients of the total against finite differences. */
    float *g = malloc(f.pl.total * sizeof *g);
    REQUIRE_OK(rt_download(ctx, run.m.grads, 0, f.pl.total, g));
    fixture_check_grads(&f, g, ref_total, NULL, is_backbone, 8, 2e-4, 2e-3);

    /* Adversary gradients: dG by finite differences of the reference, then
     * dM = 10000 dG + tau^2/B, dA = -dM s(A)(1 - s(A)), chained through
     * A = AQ AK^T / sqrt(D) + P and the adversary's dense layers. */
    double *Gs[2];
    for (size_t l = 0; l < L; l++) {
        Gs[l] = malloc(TT * sizeof(double));
        for (size_t e = 0; e < TT; e++) Gs[l][e] = (1.0 - s.M[l][e]) * -10000.0;
    }
    g_loss gl = {&f, Gs};
    double v0 = vloss_of_G(&gl);
    for (size_t l = 0; l < L; l++) {
        const layer_params *lp = &f.pl.layers[l];
        double *dA = malloc(TT * sizeof *dA), *aq = malloc(FX_N * 2 * D * sizeof *aq);
        for (size_t e = 0; e < TT; e++) {
            /* Kept pairs (G = 0) only have a derivative from above under the
             * replace semantics: a one-sided second-order difference. */
            double g0 = Gs[l][e], h = 1e-4, dG;
            if (g0 < 0) {
                Gs[l][e] = g0 + h;
                double vp = vloss_of_G(&gl);
                Gs[l][e] = g0 - h;
                double vm = vloss_of_G(&gl);
                dG = (vp - vm) / (2 * h);
            } else {
                Gs[l][e] = h;
                double v1 = vloss_of_G(&gl);
                Gs[l][e] = 2 * h;
                double v2 = vloss_of_G(&gl);
                dG = (-3 * v0 + 4 * v1 - v2) / (2 * h);
            }
            Gs[l][e] = g0;
            double sig = 1.0 / (1.0 + exp(-s.A[l][e]));
            dA[e] = -(10000.0 * dG + TAU * TAU / FX_B) * sig * (1 - sig);
        }
        /* AQ | AK of the reference, from the adversary's input. */
        for (size_t n = 0; n < FX_N; n++)
            for (size_t o = 0; o < 2 * D; o++) {
                double acc = f.p[lp->adv_b + o];
                for (size_t k = 0; k < D; k++) acc += s.x[l][n * D + k] * f.p[lp->adv_w + o * D + k];
                aq[n * 2 * D + o] = acc;
            }
        double *dW = calloc(2 * D * D, sizeof *dW), *db = calloc(2 * D, sizeof *db);
        for (size_t b = 0; b < FX_B; b++)
            for (size_t i = 0; i < FX_T; i++)
                for (size_t j = 0; j < FX_T; j++) {
                    double d = dA[(b * FX_T + i) * FX_T + j] / sqrt((double)D);
                    size_t ni = b * FX_T + i, nj = b * FX_T + j;
                    for (size_t o = 0; o < D; o++) {
                        double dq = d * aq[nj * 2 * D + D + o], dk = d * aq[ni * 2 * D + o];
                        db[o] += dq;
                        db[D + o] += dk;
                        for (size_t k = 0; k < D; k++) {
                            dW[o * D + k] += dq * s.x[l][ni * D + k];
                            dW[(D + o) * D + k] += dk * s.x[l][nj * D + k];
                        }
                    }
                }
        double gw[2 * 32 * 32], gb[64];
        ref_to_double(g + lp->adv_w, gw, 2 * D * D);
        ref_to_double(g + lp->adv_b, gb, 2 * D);
        char n1[96], n2[96];
        snprintf(n1, sizeof n1, "adversary %zu weights vs -dM s(A)(1-s(A)) formula", l);
        snprintf(n2, sizeof n2, "adversary %zu biases vs formula", l);
        test_compare_d(n1, gw, dW, 2 * D * D, 1e-4, 5e-3);
        test_compare_d(n2, gb, db, 2 * D, 1e-4, 5e-3);
        free(dA);
        free(aq);
        free(dW);
        free(db);
    }

    /* No gradient into the hidden states through the adversary's input:
     * a different tau changes only dM, so the backbone gradients must stay
     * bit for bit while the adversaries' change. */
    asa_run run2;
    asa_make(&f, &run2, 1, 5 * TAU);
    REQUIRE_OK(trainer_loss_and_grad(&run2.t, &hb, NULL));
    float *g2 = malloc(f.pl.total * sizeof *g2);
    REQUIRE_OK(rt_download(ctx, run2.m.grads, 0, f.pl.total, g2));
    int backbone_same = 1, adversary_differs = 0;
    for (size_t i = 0; i < f.pl.count; i++) {
        const param_entry *e = &f.pl.entries[i];
        int same = memcmp(g + e->off, g2 + e->off, e->n * sizeof *g) == 0;
        if (is_backbone(e->name)) backbone_same &= same;
        else adversary_differs |= !same;
    }
    CHECK(backbone_same, "backbone gradients independent of tau (nothing flows through X)");
    CHECK(adversary_differs, "adversary gradients depend on tau");
    asa_free(&run2);

    /* Eval logits identical with the adversaries removed. */
    asa_run bare;
    fixture f2;
    fixture_init(&f2, 3, 0.1f, 0, 2024);
    for (size_t i = 0; i < f2.pl.count; i++) { /* the same backbone, by name */
        const param_entry *e = param_find(&f.pl, f2.pl.entries[i].name);
        memcpy(f2.pf + f2.pl.entries[i].off, f.pf + e->off, e->n * sizeof(float));
    }
    asa_make(&f2, &bare, 0, TAU);
    float e1[FX_B * 3], e2[FX_B * 3];
    CHECK_OK(trainer_eval(&run.t, &hb, e1));
    CHECK_OK(trainer_eval(&bare.t, &hb, e2));
    CHECK(memcmp(e1, e2, sizeof e1) == 0, "eval logits identical without the adversaries");
    asa_free(&bare);
    fixture_free(&f2);

    for (size_t l = 0; l < L; l++) free(Gs[l]);
    free(g);
    free(g2);
    ref_step_free(&s, L);
    asa_free(&run);
    fixture_free(&f);
}

/* With dropout 0 and adversaries that keep every real key (zero weights,
 * positive biases: A = |b|^2/sqrt(D) + P), the adversarial pass computes
 * exactly what the clean pass does; with dropout on, the two passes draw
 * independent dropout samples. */
static void check_passes(void)
{
    printf("the two passes\n");
    for (int with_dropout = 0; with_dropout < 2; with_dropout++) {
        fixture f;
        fixture_init(&f, 3, with_dropout ? 0.5f : 0.0f, 1, 77);
        for (size_t l = 0; l < 2; l++) {
            const layer_params *lp = &f.pl.layers[l];
            for (size_t k = 0; k < 2 * 32 * 32; k++) f.pf[lp->adv_w + k] = 0.0f;
            for (size_t k = 0; k < 2 * 32; k++) f.pf[lp->adv_b + k] = 0.5f;
        }
        asa_run r;
        asa_make(&f, &r, 1, TAU);
        asacl_batch hb = fixture_batch(&f);
        asacl_step_stats res;
        REQUIRE_OK(trainer_loss_and_grad(&r.t, &hb, &res));
        float zc[FX_B * 3], za[FX_B * 3];
        REQUIRE_OK(rt_download(ctx, r.t.clean.logits.buf, r.t.clean.logits.off, FX_B * 3, zc));
        REQUIRE_OK(rt_download(ctx, r.t.adv.logits.buf, r.t.adv.logits.off, FX_B * 3, za));
        if (!with_dropout) {
            CHECK(memcmp(zc, za, sizeof zc) == 0,
                  "dropout 0, M = 1 on real keys: adversarial logits equal the clean ones");
            CHECK(res.masked_fraction[0] == 0 && res.vloss == 0, "nothing masked, vloss 0");
        } else {
            /* Embedding dropout of both passes: zero patterns independent. */
            size_t n = FX_N * 32, both = 0, one = 0;
            float *hc = malloc(n * sizeof *hc), *ha = malloc(n * sizeof *ha);
            REQUIRE_OK(rt_download(ctx, r.t.clean.h0.buf, r.t.clean.h0.off, n, hc));
            REQUIRE_OK(rt_download(ctx, r.t.adv.h0.buf, r.t.adv.h0.off, n, ha));
            for (size_t i = 0; i < n; i++) {
                both += hc[i] == 0 && ha[i] == 0;
                one += (hc[i] == 0) != (ha[i] == 0);
            }
            double pb = (double)both / n, po = (double)one / n;
            printf("  dropout 0.5: both passes drop %.3f (independent: 0.25), one of them %.3f "
                   "(0.5)\n", pb, po);
            CHECK(fabs(pb - 0.25) < 0.05 && fabs(po - 0.5) < 0.05,
                  "independent dropout samples: both %.3f one %.3f", pb, po);
            CHECK(memcmp(zc, za, sizeof zc) != 0, "different samples give different logits");
            free(hc);
            free(ha);
        }
        asa_free(&r);
        fixture_free(&f);
    }
}

int main(void)
{
    ctx = test_ctx();
    for (int plain = 0; plain < 2; plain++) {
        run_dump("cls_asa", 1, 0, plain, 0);
        run_dump("reg_asa", 1, 0, plain, 0);
        run_dump("cls_plain", 0, 0, plain, 0);
        run_dump("cls_additive", 1, 1, plain, 0);
        run_dump("cls_asa_maxlen", 1, 0, plain, 1);
        /* RoBERTa (asa-spec 10): additive masks, its default; and replace. */
        run_dump("roberta_asa", 1, 1, plain, 1);
        run_dump("roberta_replace", 1, 0, plain, 0);
    }
    check_spec9();
    check_passes();
    asacl_ctx_destroy(ctx);
    return test_finish("test_asa");
}
