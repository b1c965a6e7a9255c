/* test_grad_accum.c -- a step's batch cut into micro-batches (trainer.h,
 * grad_accum) gives the objective of the whole batch, on the tiny fixture
 * (B = 3, T = 8, two layers, ASA on):
 *   - dropout 0 and 0.1: grad_accum 2 (shards of 1 and 2 examples) and 3
 *     give the losses, kept-unit counts, masked fractions and every gradient
 *     of grad_accum 1, and the same parameters after three AdamW steps, to
 *     the tolerance of float32 summation order derived below (a micro-batch
 *     draws the dropout masks its examples have in the whole batch,
 *     model_rng);
 *   - dropout 0.1: a fixed grad_accum is bit-reproducible, and the masks go
 *     by example (two copies of one example differ; a shard of example 2
 *     alone gives example 2's logits of the whole batch);
 *   - the same for masked-LM pre-training (dropout 0.1): the MLM loss is a
 *     mean over the step's chosen positions, each shard's weighted by its
 *     part of them;
 *   - plain fine-tuning of a one-output model splits like the rest; ASA on a
 *     one-output model refuses to split (its KL is a softmax over the batch).
 *
 * Tolerance. Splitting the batch changes no per-row value: every product and
 * elementwise op of a row reads only that row, so the only difference is the
 * grouping of the sums over rows (parameter gradients: the N = B*T token
 * rows, or the B sequences; loss scalars: the B rows). Two float32 orders of
 * a sum of n terms t differ by at most 2 gamma_n sum|t| (gamma_n = n u /
 * (1 - n u), u = 2^-24). With sum|t| <= n max|t| and max|t| <= the
 * tensor's largest |gradient| G times the B*T spread of one row's terms
 * (taken as n), the bound per element is 2 gamma_n n G; for n = 24 that is
 * 7e-5 G, far above the measured differences (printed), and we assert
 * |dg| <= 2 gamma_n n G per tensor, plus 4 u |g|. Parameters after s AdamW
 * steps: the update lr m/(sqrt v + eps) moves by at most lr |dg| / (|g| +
 * eps) per step on top of the rounding of theta, asserted per element.
 * One exception: the key bias, whose exact gradient is 0 (a shift shared by
 * every key leaves the softmax unchanged), so its computed gradient is
 * nothing but the cancellation of terms as large as the layer's other
 * attention gradients: its G is the largest |g| of its layer, and AdamW
 * turns that noise into steps of up to lr each way (2 lr per step allowed). */
#include <math.h>
#include <string.h>

#include "model_fixture.h"
#include "test_util.h"

static asacl_ctx *ctx;

#define U (1.0 / 16777216.0)
#define STEPS 3
#define LR 1e-3f

typedef struct run {
    model m;
    trainer t;
} run;

static asacl_status make(fixture *f, run *r, int asa, size_t accum)
{
    /* the fixture's parameters are a sequence classifier's; an MLM model is
     * initialised from seed 7, the same for every run */
    int mlm = f->cfg.task == ASACL_TASK_MLM;
    REQUIRE_OK(model_create(ctx, &f->cfg, asa, mlm ? NULL : f->pf, 7, &r->m));
    train_opts to;
    train_opts_default(&to);
    to.pub.asa = asa;
    to.pub.tau = 0.5f;
    to.pub.lr = LR;
    to.pub.warmup_ratio = 0;
    to.pub.total_steps = 10;
    to.pub.max_batch = FX_B;
    to.pub.max_seq_len = FX_T;
    to.pub.seed = 42;
    to.pub.grad_accum = accum;
    asacl_status st = trainer_create(&r->m, &to, &r->t);
    if (st != ASACL_OK) model_destroy(&r->m);
    return st;
}

static void drop(run *r)
{
    trainer_destroy(&r->t);
    model_destroy(&r->m);
}

static float *grads(run *r)
{
    float *g = malloc(r->m.layout.total * sizeof *g);
    REQUIRE_OK(rt_download(ctx, r->m.grads, 0, r->m.layout.total, g));
    return g;
}

static float *params(run *r)
{
    float *p = malloc(r->m.layout.total * sizeof *p);
    REQUIRE_OK(rt_download(ctx, r->m.params, 0, r->m.layout.total, p));
    return p;
}

static int noise_only(const char *name) { return strstr(name, "attention.self.key.bias") != NULL; }

/* The largest |g| of the layer tensor i belongs to (noise-only tensors) or
 * of tensor i. */
static double scale_of(const param_layout *pl, const float *g, size_t i)
{
    const param_entry *e = &pl->entries[i];
    const char *dot = strstr(e->name, ".attention.");
    double G = 0;
    for (size_t t = 0; t < pl->count; t++) {
        const param_entry *o = &pl->entries[t];
        if (t != i && (!noise_only(e->name) || !dot ||
                       strncmp(o->name, e->name, (size_t)(dot - e->name) + 11)))
            continue;
        for (size_t j = 0; j < o->rows * o->cols; j++) G = fmax(G, fabs(g[o->off + j]));
    }
    return G;
}

/* Every tensor of g against ref within 2 gamma_n n G + 4 u |g|. */
static void compare_grads(const param_layout *pl, const float *ref, const float *g, size_t accum)
{
    double n = FX_N, gamma = n * U / (1 - n * U), worst = 0;
    for (size_t i = 0; i < pl->count; i++) {
        const param_entry *e = &pl->entries[i];
        size_t k = e->rows * e->cols;
        double G = scale_of(pl, ref, i), err = 0;
        for (size_t j = 0; j < k; j++) {
            double d = fabs((double)g[e->off + j] - ref[e->off + j]);
            double tol = 2 * gamma * n * G + 4 * U * fabs(ref[e->off + j]);
            err = fmax(err, G > 0 ? d / G : d);
            CHECK(d <= tol, "grad_accum %zu: %s[%zu] %.9g vs %.9g (tolerance %.3g)", accum, e->name,
                  j, (double)g[e->off + j], (double)ref[e->off + j], tol);
            if (d > tol) break;
        }
        worst = fmax(worst, err);
    }
    printf("  grad_accum %zu: largest gradient difference %.3g of the tensor's largest |g| "
           "(bound %.3g)\n", accum, worst, 2 * gamma * n);
}

static void check_equivalence(float dropout, int mlm)
{
    printf("dropout %g%s: micro-batches = one batch\n", (double)dropout, mlm ? ", masked LM" : "");
    fixture f;
    fixture_init(&f, 3, dropout, 1, 2024);
    asacl_batch hb = fixture_batch(&f);
    /* Masked LM: one chosen position per sequence (the most round(0.15 T)
     * allows at T = 8), its label the original token; shards of 1 and 2
     * sequences then weigh their means by 1/3 and 2/3. */
    int32_t mlm_labels[FX_N];
    if (mlm) {
        f.cfg.task = ASACL_TASK_MLM;
        for (int i = 0; i < FX_N; i++) mlm_labels[i] = ASACL_TOKEN_IGNORE;
        for (int b = 0; b < FX_B; b++) {
            CHECK(f.lens[b] >= 3, "sequence %d has a real token at position 1", b);
            mlm_labels[b * FX_T + 1] = f.ids[b * FX_T + 1];
            f.ids[b * FX_T + 1] = 4; /* a stand-in for [MASK] */
        }
        hb.labels = NULL;
        hb.token_labels = mlm_labels;
    }
    run one;
    REQUIRE_OK(make(&f, &one, 1, 1));
    asacl_step_stats s1;
    REQUIRE_OK(trainer_loss_and_grad(&one.t, &hb, &s1));
    float *g1 = grads(&one);
    CHECK(s1.rloss > 0 && s1.task > 0, "a real objective (task %g, rloss %g)", s1.task, s1.rloss);
    for (int s = 0; s < STEPS; s++) REQUIRE_OK(trainer_step(&one.t, &hb, NULL));
    float *p1 = params(&one);
    for (size_t accum = 2; accum <= 3; accum++) {
        run r;
        REQUIRE_OK(make(&f, &r, 1, accum));
        asacl_step_stats s;
        REQUIRE_OK(trainer_loss_and_grad(&r.t, &hb, &s));
        double lt = 4 * FX_B * U;
        printf("  grad_accum %zu: task %.9g vs %.9g, vloss %.9g vs %.9g, rloss %.9g vs %.9g\n",
               accum, s.task, s1.task, s.vloss, s1.vloss, s.rloss, s1.rloss);
        CHECK(fabs(s.task - s1.task) <= lt * s1.task, "task loss");
        CHECK(fabs(s.vloss - s1.vloss) <= lt * s1.vloss + 1e-12, "vloss");
        CHECK(fabs(s.rloss - s1.rloss) <= lt * s1.rloss, "rloss (kept units / B)");
        CHECK(s.correct == s1.correct, "right answers");
        for (int l = 0; l < 2; l++)
            CHECK(s.masked_fraction[l] == s1.masked_fraction[l], "masked fraction of layer %d", l);
        float *g = grads(&r);
        compare_grads(&r.m.layout, g1, g, accum);
        for (int st = 0; st < STEPS; st++) REQUIRE_OK(trainer_step(&r.t, &hb, NULL));
        float *p = params(&r);
        double worst = 0;
        const param_layout *pl = &r.m.layout;
        for (size_t i = 0; i < pl->count; i++) {
            const param_entry *e = &pl->entries[i];
            double G = scale_of(pl, g1, i), dg = 2 * FX_N * U * FX_N * G;
            for (size_t j = e->off; j < e->off + e->rows * e->cols; j++) {
                double d = fabs((double)p[j] - p1[j]), step;
                step = noise_only(e->name) ? 2 * LR : LR * fmin(2.0, 2 * dg / (fabs(g1[j]) + 1e-8));
                double tol = STEPS * (step + 4 * U * fabs(p1[j]));
                if (!noise_only(e->name)) worst = fmax(worst, d);
                CHECK(d <= tol, "grad_accum %zu: %s[%zu] %.9g vs %.9g (tolerance %.3g)", accum,
                      e->name, j - e->off, (double)p[j], (double)p1[j], tol);
                if (d > tol) break;
            }
        }
        printf("  grad_accum %zu: after %d steps the parameters (key biases aside) differ by at "
               "most %.3g (lr %g)\n",
               accum, STEPS, worst, (double)LR);
        free(g);
        free(p);
        drop(&r);
    }
    free(g1);
    free(p1);
    drop(&one);
    fixture_free(&f);
}

static void check_dropout(void)
{
    printf("dropout 0.1: reproducible, masks by example\n");
    fixture f;
    fixture_init(&f, 3, 0.1f, 1, 2024);
    /* Three copies of one example: only their dropout masks tell them apart. */
    for (int b = 1; b < FX_B; b++) {
        memcpy(f.ids + b * FX_T, f.ids, FX_T * sizeof *f.ids);
        memcpy(f.segs + b * FX_T, f.segs, FX_T * sizeof *f.segs);
        f.lens[b] = f.lens[0];
        f.labels[b] = f.labels[0];
    }
    asacl_batch hb = fixture_batch(&f);
    run a, b;
    REQUIRE_OK(make(&f, &a, 1, 2));
    REQUIRE_OK(make(&f, &b, 1, 2));
    asacl_step_stats sa, sb;
    REQUIRE_OK(trainer_loss_and_grad(&a.t, &hb, &sa));
    REQUIRE_OK(trainer_loss_and_grad(&b.t, &hb, &sb));
    float *ga = grads(&a), *gb = grads(&b);
    CHECK(memcmp(ga, gb, a.m.layout.total * sizeof *ga) == 0 && sa.total == sb.total,
          "grad_accum 2 twice: bit-identical gradients and losses");
    free(ga);
    free(gb);
    drop(&a);
    drop(&b);
    /* The whole batch: the copies draw different masks, so their clean
     * logits differ; grad_accum 3 runs example 2 alone as its last shard and
     * draws example 2's masks of the whole batch, not example 0's. */
    run u, c;
    REQUIRE_OK(make(&f, &u, 1, 1));
    REQUIRE_OK(make(&f, &c, 1, 3));
    asacl_step_stats su, sc;
    REQUIRE_OK(trainer_loss_and_grad(&u.t, &hb, &su));
    REQUIRE_OK(trainer_loss_and_grad(&c.t, &hb, &sc));
    float zu[FX_B * 3], z2[3];
    REQUIRE_OK(rt_download(ctx, u.t.clean.logits.buf, u.t.clean.logits.off, FX_B * 3, zu));
    REQUIRE_OK(rt_download(ctx, c.t.clean.logits.buf, c.t.clean.logits.off, 3, z2));
    CHECK(memcmp(zu, zu + 6, 3 * sizeof *zu) != 0, "examples 0 and 2 draw different masks");
    double d = 0;
    for (int k = 0; k < 3; k++) d = fmax(d, fabs((double)z2[k] - zu[6 + k]));
    CHECK(d <= 1e-5, "shard 2 alone: example 2's logits of the whole batch (max diff %.3g)", d);
    printf("  whole batch: example 0 logits %.6f %.6f %.6f, example 2 %.6f %.6f %.6f; "
           "shard 2 alone %.6f %.6f %.6f\n",
           zu[0], zu[1], zu[2], zu[6], zu[7], zu[8], z2[0], z2[1], z2[2]);
    drop(&u);
    drop(&c);
    fixture_free(&f);
}

static void check_one_output(void)
{
    printf("one output\n");
    fixture f;
    fixture_init(&f, 1, 0.0f, 1, 99);
    asacl_batch hb = fixture_batch(&f);
    run r;
    asacl_status st = make(&f, &r, 1, 2);
    CHECK(st == ASACL_ERR_UNSUPPORTED, "ASA, one output, grad_accum 2: refused (%s)",
          asacl_last_error());
    if (st == ASACL_OK) drop(&r);
    run one, two;
    REQUIRE_OK(make(&f, &one, 0, 1));
    REQUIRE_OK(make(&f, &two, 0, 2));
    asacl_step_stats s1, s2;
    REQUIRE_OK(trainer_loss_and_grad(&one.t, &hb, &s1));
    REQUIRE_OK(trainer_loss_and_grad(&two.t, &hb, &s2));
    CHECK(fabs(s1.task - s2.task) <= 4 * FX_B * U * s1.task, "MSE %.9g vs %.9g", s1.task, s2.task);
    float *g1 = grads(&one), *g2 = grads(&two);
    compare_grads(&one.m.layout, g1, g2, 2);
    free(g1);
    free(g2);
    drop(&one);
    drop(&two);
    fixture_free(&f);
}

int main(void)
{
    ctx = test_ctx();
    check_equivalence(0.0f, 0);
    check_equivalence(0.1f, 0);
    check_equivalence(0.1f, 1);
    check_dropout();
    check_one_output();
    asacl_ctx_destroy(ctx);
    return test_finish("test_grad_accum");
}
