/* test_model.c -- the BERT backbone and plain fine-tuning (no ASA) on the
 * device against the double-precision host reference (tests/ref/ref_bert.c):
 *   - logits of a training pass (dropout 0.1 on) and of an eval pass;
 *   - the gradient of the loss for every parameter tensor against central
 *     finite differences of the reference (tiny config: 2 layers, hidden 32,
 *     4 heads, T = 8, B = 3 with padding), classification and regression;
 *   - the fused attention path equal to the plain one, forward and backward;
 *   - AdamW steps with the warm-up/decay schedule against the formula;
 *   - determinism: two runs with one seed give bit-identical losses for 20
 *     steps. */
#include <math.h>

#include "model_fixture.h"
#include "test_util.h"

static asacl_ctx *ctx;

typedef struct plain_loss {
    int train;
} plain_loss;

/* The fine-tuning loss of the reference at the fixture's parameters. */
static double ref_task_loss(fixture *f, void *user)
{
    plain_loss *pl = user;
    ref_model m = {&f->cfg, &f->pl, f->p, 0};
    ref_batch b = fixture_ref_batch(f);
    double z[FX_B * 8];
    ref_pass o = {pl->train, 0, 0, 42, 0, NULL};
    ref_pass_out out = {z, NULL, NULL, NULL};
    ref_bert_forward(&m, &b, &o, &out);
    return ref_bert_losses(&m, &b, z, NULL, NULL, 0).task;
}

static void make(fixture *f, int plain_attention, model *m, trainer *t, train_opts *to)
{
    REQUIRE_OK(model_create(ctx, &f->cfg, 0, f->pf, 0, m));
    m->plain_attention = plain_attention;
    train_opts_default(to);
    to->pub.asa = 0;
    to->pub.max_batch = FX_B;
    to->pub.max_seq_len = FX_T;
    to->pub.seed = 42;
    REQUIRE_OK(trainer_create(m, to, t));
}

static void check_case(int C)
{
    printf("%s, dropout 0.1\n", C > 1 ? "classification, 3 labels" : "regression, 1 output");
    fixture f;
    fixture_init(&f, C, 0.1f, 0, 1234 + (uint64_t)C);
    model m, mp;
    trainer t, tp;
    train_opts to;
    make(&f, 0, &m, &t, &to);
    make(&f, 1, &mp, &tp, &to);
    asacl_batch hb = fixture_batch(&f);
    asacl_step_stats r, rp;
    CHECK_OK(trainer_loss_and_grad(&t, &hb, &r));
    CHECK_OK(trainer_loss_and_grad(&tp, &hb, &rp));

    /* Logits and loss of the training pass. */
    ref_model rm = {&f.cfg, &f.pl, f.p, 0};
    ref_batch rb = fixture_ref_batch(&f);
    double z[FX_B * 8], got[FX_B * 8];
    ref_pass o = {1, 0, 0, 42, 0, NULL};
    ref_pass_out out = {z, NULL, NULL, NULL};
    ref_bert_forward(&rm, &rb, &o, &out);
    test_download(ctx, t.clean.logits.buf, t.clean.logits.off, FX_B * (size_t)C, got);
    test_compare_d("training-pass logits vs reference", got, z, FX_B * (size_t)C, 1e-4, 1e-4);
    double want_task = ref_bert_losses(&rm, &rb, z, NULL, NULL, 0).task;
    test_compare_d("task loss", &r.task, &want_task, 1, 1e-5, 1e-5);
    CHECK(r.vloss == 0 && r.rloss == 0, "no ASA terms without ASA");

    /* Gradients: device (fused) vs finite differences; plain vs fused. */
    float *g = malloc(f.pl.total * sizeof *g), *gp = malloc(f.pl.total * sizeof *gp);
    REQUIRE_OK(rt_download(ctx, m.grads, 0, f.pl.total, g));
    REQUIRE_OK(rt_download(ctx, mp.grads, 0, f.pl.total, gp));
    plain_loss pl = {1};
    fixture_check_grads(&f, g, ref_task_loss, &pl, NULL, 10, 2e-4, 2e-3);
    double *gd = malloc(f.pl.total * sizeof *gd), *gpd = malloc(f.pl.total * sizeof *gpd);
    ref_to_double(g, gd, f.pl.total);
    ref_to_double(gp, gpd, f.pl.total);
    test_compare_d("all gradients: fused attention vs plain", gd, gpd, f.pl.total, 1e-5, 1e-3);
    /* The padding id's embedding row gets no gradient. */
    double pad_row = 0;
    for (int k = 0; k < f.cfg.hidden_size; k++) pad_row += fabs(g[f.pl.word + (size_t)k]);
    CHECK(pad_row == 0, "padding row gradient %g", pad_row);

    /* Eval pass: dropout off, both paths. */
    float zf[FX_B * 8];
    ref_pass oe = {0, 0, 0, 42, 0, NULL};
    ref_bert_forward(&rm, &rb, &oe, &out);
    CHECK_OK(trainer_eval(&t, &hb, zf));
    ref_to_double(zf, got, FX_B * (size_t)C);
    test_compare_d("eval logits vs reference", got, z, FX_B * (size_t)C, 1e-4, 1e-4);
    free(g);
    free(gp);
    free(gd);
    free(gpd);
    trainer_destroy(&t);
    trainer_destroy(&tp);
    model_destroy(&m);
    model_destroy(&mp);
    fixture_free(&f);
}

/* Three AdamW steps with the schedule, against the formula applied on the
 * host to the device's own gradients. */
static void check_adamw_schedule(void)
{
    fixture f;
    fixture_init(&f, 3, 0.0f, 0, 99);
    model m;
    trainer t;
    train_opts to;
    make(&f, 0, &m, &t, &to);
    t.o.pub.lr = 1e-2f;
    t.o.pub.total_steps = 10;
    asacl_batch hb = fixture_batch(&f);
    size_t n = f.pl.total;
    double *p = malloc(n * sizeof *p), *mm = calloc(n, sizeof *mm), *vv = calloc(n, sizeof *vv),
           *got = malloc(n * sizeof *got);
    float *g = malloc(n * sizeof *g);
    for (size_t i = 0; i < n; i++) p[i] = f.pf[i];
    const double want_lr[3] = {0.0, 1e-2 * 9 / 9.4, 1e-2 * 8 / 9.4}; /* W = 0.6 */
    for (int s = 0; s < 3; s++) {
        asacl_step_stats r;
        CHECK_OK(trainer_loss_and_grad(&t, &hb, NULL)); /* the gradient the step will use */
        REQUIRE_OK(rt_download(ctx, m.grads, 0, n, g));
        CHECK_OK(trainer_step(&t, &hb, &r));
        CHECK(fabs(r.lr - want_lr[s]) < 1e-9, "lr at step %d: %g, want %g", s, r.lr, want_lr[s]);
        double lr = want_lr[s];
        double bc1 = 1 - pow(0.9, s + 1), bc2 = 1 - pow(0.999, s + 1);
        for (size_t i = 0; i < n; i++) {
            if (i < f.pl.decay_end) p[i] *= 1 - lr * 0.01;
            mm[i] = 0.9 * mm[i] + 0.1 * g[i];
            vv[i] = 0.999 * vv[i] + 0.001 * (double)g[i] * g[i];
            p[i] -= lr / bc1 * mm[i] / (sqrt(vv[i]) / sqrt(bc2) + 1e-8);
        }
    }
    test_download(ctx, m.params, 0, n, got);
    test_compare_d("parameters after 3 AdamW steps with warm-up and decay", got, p, n, 1e-6, 1e-5);
    free(p);
    free(mm);
    free(vv);
    free(got);
    free(g);
    trainer_destroy(&t);
    model_destroy(&m);
    fixture_free(&f);
}

/* Two runs from one seed: bit-identical losses for 20 steps (dropout on). */
static void check_determinism(void)
{
    double losses[2][20];
    for (int run = 0; run < 2; run++) {
        fixture f;
        fixture_init(&f, 3, 0.1f, 0, 7);
        model m;
        trainer t;
        train_opts to;
        make(&f, 0, &m, &t, &to);
        t.o.pub.lr = 1e-3f;
        t.o.pub.total_steps = 20;
        asacl_batch hb = fixture_batch(&f);
        for (int s = 0; s < 20; s++) {
            asacl_step_stats r;
            CHECK_OK(trainer_step(&t, &hb, &r));
            losses[run][s] = r.loss;
        }
        trainer_destroy(&t);
        model_destroy(&m);
        fixture_free(&f);
    }
    CHECK(memcmp(losses[0], losses[1], sizeof losses[0]) == 0,
          "two runs with one seed differ (first: %.9g vs %.9g)", losses[0][0], losses[1][0]);
    printf("  determinism: 20 steps bit-identical (loss %.6f ... %.6f)\n", losses[0][0],
           losses[0][19]);
}

/* A small separable task: is token 7 in the sequence? A fresh model (BERT
 * initialisation) must learn it: lower loss, high held-out accuracy. */
enum { LB = 16, LT = 8 };

static void make_task_batch(ref_rng *r, int *ids, int *segs, int *lens, int *labels)
{
    for (int b = 0; b < LB; b++) {
        lens[b] = 3 + (int)((ref_uniform(r) + 1) / 2 * 5.99);
        labels[b] = ref_uniform(r) > 0;
        for (int t = 0; t < LT; t++) {
            int id = 8 + (int)((ref_uniform(r) + 1) / 2 * 21.99); /* 8..29 */
            ids[b * LT + t] = t < lens[b] ? id : 0;
            segs[b * LT + t] = 0;
        }
        if (labels[b]) ids[b * LT + 1 + (int)((ref_uniform(r) + 1) / 2 * (lens[b] - 1.01))] = 7;
    }
}

static void check_learns(void)
{
    asacl_model_config c;
    asacl_model_config_default(&c);
    c.vocab_size = 30;
    c.hidden_size = 32;
    c.num_hidden_layers = 2;
    c.num_attention_heads = 4;
    c.intermediate_size = 64;
    c.max_position_embeddings = 16;
    model m;
    trainer t;
    train_opts to;
    REQUIRE_OK(model_create(ctx, &c, 0, NULL, 5, &m));
    train_opts_default(&to);
    to.pub.asa = 0;
    to.pub.max_batch = LB;
    to.pub.max_seq_len = LT;
    to.pub.lr = 2e-3f;
    to.pub.total_steps = 150;
    REQUIRE_OK(trainer_create(&m, &to, &t));
    ref_rng r = {31337};
    int ids[LB * LT], segs[LB * LT], lens[LB], labels[LB];
    double first = 0, last = 0;
    for (int s = 0; s < 150; s++) {
        make_task_batch(&r, ids, segs, lens, labels);
        asacl_batch hb = {LB, LT, ids, segs, lens, labels, NULL, NULL, 0};
        asacl_step_stats res;
        CHECK_OK(trainer_step(&t, &hb, &res));
        if (s < 10) first += res.task / 10;
        if (s >= 140) last += res.task / 10;
    }
    int correct = 0;
    for (int k = 0; k < 8; k++) {
        make_task_batch(&r, ids, segs, lens, labels);
        asacl_batch hb = {LB, LT, ids, segs, lens, labels, NULL, NULL, 0};
        float z[LB * 2];
        CHECK_OK(trainer_eval(&t, &hb, z));
        for (int b = 0; b < LB; b++) correct += (z[2 * b + 1] > z[2 * b]) == labels[b];
    }
    double acc = correct / (8.0 * LB);
    printf("  separable task: mean loss of the first 10 steps %.4f, of the last 10 %.4f; "
           "held-out accuracy %.3f\n", first, last, acc);
    CHECK(last < 0.5 * first, "training lowers the loss: %g -> %g", first, last);
    CHECK(acc >= 0.9, "held-out accuracy %.3f, want >= 0.9", acc);
    trainer_destroy(&t);
    model_destroy(&m);
}

int main(void)
{
    ctx = test_ctx();
    check_case(3);
    check_case(1);
    check_adamw_schedule();
    check_determinism();
    check_learns();
    asacl_ctx_destroy(ctx);
    return test_finish("test_model");
}
