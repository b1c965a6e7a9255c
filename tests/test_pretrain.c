/* test_pretrain.c -- masked-LM pre-training (asa-spec 11) through the
 * trainer, on the float64 PyTorch dump mlm_asa of tests/gen_asa_ref.py
 * (BertForMaskedLM, decoder tied to the word embeddings), as test_heads
 * does for tok_asa/mc_asa and test_asa for cls_asa: the dump's masked input
 * and chosen positions go in as the batch's MLM labels; checked, through
 * both attention paths: the positions and labels the batch carries, the MLM
 * logits of both passes at the chosen positions, the adversaries' scores
 * and masks (bit for bit), the masked fractions, every loss term and the
 * accuracy, every gradient after one step (the word embeddings' is the
 * lookup's plus the decoder's), the losses of 3 AdamW steps and every final
 * parameter. Then the trainer's own masking: a batch without labels is
 * masked by mlm_mask_batch from (seed, step), and gives the step that the
 * same masking passed in explicitly gives. `test_pretrain DIR` also writes
 * the dump's parameters as a model folder (tests/check_hf_mlm.py). */
#include <math.h>

#include "data/mlm_mask.h"
#include "io/safetensors.h"
#include "model/api.h"
#include "model/model.h"
#include "dump_util.h"
#include "test_util.h"
#include "train/trainer.h"

static asacl_ctx *ctx;


/* The final parameters after 3 AdamW steps. AdamW's first update is
 * lr * sign(g) and the later ones lr * (a ratio of the gradients), so an
 * element whose gradient is within the gradient check's tolerance tol_g of
 * 0 may move by up to lr per step however exact the rest is: each element
 * gets 2e-6 + rtol |want| + 3 lr min(1, tol_g / |g|), g the dump's first
 * gradient, tol_g = 2e-5 + 1e-4 max|g| (the gradient check's). */
static void cmp_final(const st_file *f, const char *name, cl_mem buf, size_t off, size_t n, double lr)
{
    char fn[192], gn[192];
    snprintf(fn, sizeof fn, "final.%s", name);
    snprintf(gn, sizeof gn, "grad.%s", name);
    size_t k1 = 0, k2 = 0;
    double *want = dump_tensor(f, fn, &k1), *g = dump_tensor(f, gn, &k2);
    CHECK(want && g && k1 == n && k2 == n, "dump tensors %s and %s: %zu values", fn, gn, n);
    if (want && g && k1 == n && k2 == n) {
        double *got = malloc(n * sizeof *got), big = 0, worst = 0, worst_tol = 0;
        size_t bad = 0, at = 0;
        for (size_t i = 0; i < n; i++) big = fabs(g[i]) > big ? fabs(g[i]) : big;
        double tol_g = 2e-5 + 1e-4 * big;
        test_download(ctx, buf, off, n, got);
        for (size_t i = 0; i < n; i++) {
            double e = fabs(got[i] - want[i]), ratio = fabs(g[i]) > tol_g ? tol_g / fabs(g[i]) : 1.0;
            double tol = 2e-6 + 1e-4 * fabs(want[i]) + 3.0 * lr * ratio;
            bad += !(e <= tol);
            if (e > worst) worst = e, worst_tol = tol, at = i;
        }
        printf("  %-44s n=%-6zu max abs err %.3g (its tolerance %.3g, at %zu)\n", fn, n, worst,
               worst_tol, at);
        CHECK(bad == 0, "%s: %zu of %zu elements out of tolerance", fn, bad, n);
        free(got);
    }
    free(want);
    free(g);
}

typedef struct dump_case {
    asacl_model_config c;
    size_t B, T, M;
    param_layout pl;
    float *init;
    int *ids, *orig, *segs, *lens, *labels; /* labels: [B*T] MLM labels, -100 elsewhere */
    int *pos, *y;                            /* the dump's positions and labels [M] */
} dump_case;

static void load_case(const st_file *f, dump_case *d)
{
    memset(d, 0, sizeof *d);
    asacl_model_config *c = &d->c;
    dump_config(f, c);
    c->task = ASACL_TASK_MLM;
    d->B = (size_t)dump_meta_int(f, "B");
    d->T = (size_t)dump_meta_int(f, "T");
    size_t N = d->B * d->T;
    REQUIRE_OK(param_layout_build(c, 1, &d->pl));
    d->init = calloc(d->pl.total, sizeof *d->init);
    for (size_t i = 0; i < d->pl.count; i++) {
        const st_tensor *t = st_find(f, d->pl.entries[i].name);
        CHECK(t && st_numel(t) == d->pl.entries[i].n, "dump has %s", d->pl.entries[i].name);
        if (t && st_numel(t) == d->pl.entries[i].n)
            REQUIRE_OK(st_to_f32(f, t, d->init + d->pl.entries[i].off));
    }
    CHECK(!param_find(&d->pl, "bert.pooler.dense.weight") && !param_find(&d->pl, "classifier.weight") &&
              !param_find(&d->pl, "cls.predictions.decoder.weight"),
          "the MLM layout has no pooler, no classifier and no decoder weight of its own (tied)");
    double *ids = dump_tensor(f, "input.ids", NULL), *orig = dump_tensor(f, "input.original_ids", NULL),
           *segs = dump_tensor(f, "input.segments", NULL), *am = dump_tensor(f, "input.attention_mask", NULL),
           *pos = dump_tensor(f, "input.positions", &d->M), *y = dump_tensor(f, "input.labels", NULL);
    d->ids = malloc(N * sizeof *d->ids);
    d->orig = malloc(N * sizeof *d->orig);
    d->segs = malloc(N * sizeof *d->segs);
    d->lens = calloc(d->B, sizeof *d->lens);
    d->labels = malloc(N * sizeof *d->labels);
    d->pos = malloc(d->M * sizeof *d->pos);
    d->y = malloc(d->M * sizeof *d->y);
    for (size_t i = 0; i < N; i++) {
        d->ids[i] = (int)ids[i];
        d->orig[i] = (int)orig[i];
        d->segs[i] = (int)segs[i];
        d->lens[i / d->T] += am[i] != 0;
        d->labels[i] = ASACL_TOKEN_IGNORE;
    }
    for (size_t k = 0; k < d->M; k++) {
        d->pos[k] = (int)pos[k];
        d->y[k] = (int)y[k];
        d->labels[d->pos[k]] = d->y[k];
        CHECK(d->y[k] == d->orig[d->pos[k]], "the dump's label %zu is the original id", k);
    }
    free(ids);
    free(orig);
    free(segs);
    free(am);
    free(pos);
    free(y);
}

static void free_case(dump_case *d)
{
    param_layout_free(&d->pl);
    free(d->init);
    free(d->ids);
    free(d->orig);
    free(d->segs);
    free(d->lens);
    free(d->labels);
    free(d->pos);
    free(d->y);
}

static void make_trainer(const dump_case *d, model *m, trainer *t, int plain)
{
    REQUIRE_OK(model_create(ctx, &d->c, 1, d->init, 0, m));
    m->plain_attention = plain;
    train_opts to;
    train_opts_default(&to);
    to.pub.max_batch = d->B;
    to.pub.max_seq_len = d->T;
    to.pub.lr = 1e-3f;
    to.pub.total_steps = 10;
    REQUIRE_OK(trainer_create(m, &to, t));
}

static void run_dump(const st_file *f, const dump_case *d, int plain)
{
    printf("PyTorch reference mlm_asa, %s attention, through the trainer\n", plain ? "plain" : "fused");
    size_t B = d->B, T = d->T, M = d->M, L = (size_t)d->c.num_hidden_layers,
           D = (size_t)d->c.hidden_size, V = (size_t)d->c.vocab_size;
    asacl_batch hb = {B, T, d->ids, d->segs, d->lens, NULL, NULL, d->labels, 0};
    model m;
    trainer t;
    make_trainer(d, &m, &t, plain);
    asacl_step_stats r;
    REQUIRE_OK(trainer_loss_and_grad(&t, &hb, &r));
    /* the batch's positions (b*T + t, increasing) and labels */
    CHECK(t.batch.n_mlm == M, "the batch carries %zu MLM positions, want %zu", t.batch.n_mlm, M);
    int32_t got_pos[64], got_y[64];
    REQUIRE_OK(rt_download_bytes(ctx, t.batch.ibuf, t.batch.mlm_pos.off * sizeof(int32_t),
                                 M * sizeof(int32_t), got_pos));
    REQUIRE_OK(rt_download_bytes(ctx, t.batch.ibuf, t.batch.mlm_labels.off * sizeof(int32_t),
                                 M * sizeof(int32_t), got_y));
    size_t bad = 0;
    for (size_t k = 0; k < M; k++) bad += got_pos[k] != d->pos[k] || got_y[k] != d->y[k];
    CHECK(bad == 0, "input.positions and input.labels as the batch carries them (%zu differ)", bad);
    dump_compare(ctx, f, "out.logits_clean", t.clean.logits.buf, t.clean.logits.off, M * V, 1e-5, 1e-4, 0);
    dump_compare(ctx, f, "out.logits_adv", t.adv.logits.buf, t.adv.logits.off, M * V, 1e-5, 1e-4, 0);
    for (size_t l = 0; l < L; l++) {
        char n[64];
        tensor x = l ? t.adv.layers[l - 1].out : t.adv.h0;
        snprintf(n, sizeof n, "out.hidden_adv.%zu", l);
        dump_compare(ctx, f, n, x.buf, x.off, B * T * D, 1e-5, 1e-4, 0);
        snprintf(n, sizeof n, "out.adv_scores.%zu", l);
        dump_compare(ctx, f, n, t.adv.layers[l].adv_scores.buf, t.adv.layers[l].adv_scores.off, B * T * T,
                 1e-4, 1e-4, 0);
        snprintf(n, sizeof n, "out.mask.%zu", l);
        dump_compare(ctx, f, n, t.adv.layers[l].adv_mask.buf, t.adv.layers[l].adv_mask.off, B * T * T, 0, 0,
                 0); /* bit for bit */
    }
    dump_compare(ctx, f, "out.hidden_clean", t.clean.layers[L - 1].out.buf, t.clean.layers[L - 1].out.off,
             B * T * D, 1e-5, 1e-4, 0);
    dump_compare(ctx, f, "out.hidden_adv", t.adv.layers[L - 1].out.buf, t.adv.layers[L - 1].out.off,
             B * T * D, 1e-5, 1e-4, 0);
    double *frac = dump_tensor(f, "out.masked_fraction", NULL);
    test_compare_d("out.masked_fraction", r.masked_fraction, frac, L, 1e-6, 1e-6);
    free(frac);
    dump_compare_scalar(f, "loss.task", r.task, 1e-5, 1e-5);
    dump_compare_scalar(f, "loss.vloss", r.vloss, 1e-5, 1e-4);
    dump_compare_scalar(f, "loss.rloss", r.rloss, 0, 1e-6);
    dump_compare_scalar(f, "loss.total", r.total, 1e-5, 1e-5);
    dump_compare_scalar(f, "loss.report", r.loss, 1e-5, 1e-5);
    dump_compare_scalar(f, "out.accuracy", (double)r.correct / (double)M, 1e-12, 0);
    CHECK(r.counted == (int)M, "the step counts %d chosen positions, want %zu", r.counted, M);
    for (size_t i = 0; i < d->pl.count; i++) {
        char n[160];
        snprintf(n, sizeof n, "grad.%s", d->pl.entries[i].name);
        dump_compare(ctx, f, n, m.grads, d->pl.entries[i].off, d->pl.entries[i].n, 2e-5, 2e-3, 1e-4);
    }
    double *steps = dump_tensor(f, "steps.loss", NULL), got_steps[4], lr = 1e-3;
    for (int s = 0; s < 3; s++) {
        REQUIRE_OK(trainer_step(&t, &hb, &r));
        got_steps[s] = r.loss;
    }
    REQUIRE_OK(trainer_loss_and_grad(&t, &hb, &r));
    got_steps[3] = r.loss;
    test_compare_d("steps.loss (3 AdamW steps)", got_steps, steps, 4, 1e-5, 1e-4);
    for (size_t i = 0; i < d->pl.count; i++)
        cmp_final(f, d->pl.entries[i].name, m.params, d->pl.entries[i].off, d->pl.entries[i].n, lr);
    free(steps);
    trainer_destroy(&t);
    model_destroy(&m);
}

/* A batch without labels is masked by the trainer from (seed, step): the
 * same step as that masking passed in explicitly, at steps 0 and 1. */
static void trainer_masking(const dump_case *d)
{
    printf("the trainer's own masking (mlm_mask_batch from seed and step)\n");
    size_t B = d->B, T = d->T, N = B * T;
    mlm_mask_opts mo = {0.15, 0.8, 0.1, 3, 1, 2, 0, d->c.vocab_size, 1234};
    int32_t *masked = malloc(N * sizeof *masked), *pos = malloc(N * sizeof *pos),
            *tgt = malloc(N * sizeof *tgt), *lab = malloc(N * sizeof *lab);
    model m1, m2;
    trainer t1, t2;
    make_trainer(d, &m1, &t1, 0);
    make_trainer(d, &m2, &t2, 0);
    t1.o.mlm = mo;
    asacl_batch raw = {B, T, d->orig, d->segs, d->lens, NULL, NULL, NULL, 0};
    for (uint32_t step = 0; step < 2; step++) {
        size_t M = 0;
        REQUIRE_OK(mlm_mask_batch(&mo, d->orig, B, T, step, 0, masked, pos, tgt, NULL, &M));
        for (size_t i = 0; i < N; i++) lab[i] = ASACL_TOKEN_IGNORE;
        for (size_t k = 0; k < M; k++) lab[pos[k]] = tgt[k];
        asacl_batch ex = {B, T, masked, d->segs, d->lens, NULL, NULL, lab, 0};
        asacl_step_stats r1, r2;
        REQUIRE_OK(trainer_step(&t1, &raw, &r1));
        REQUIRE_OK(trainer_step(&t2, &ex, &r2));
        CHECK(r1.counted == (int)M && M > 0, "step %u: %d positions masked, want %zu", step,
              r1.counted, M);
        CHECK(r1.task == r2.task && r1.vloss == r2.vloss && r1.rloss == r2.rloss,
              "step %u: the trainer's masking gives the explicit masking's losses (%.9g %.9g %.9g vs "
              "%.9g %.9g %.9g)", step, r1.task, r1.vloss, r1.rloss, r2.task, r2.vloss, r2.rloss);
    }
    float *p1 = malloc(m1.layout.total * sizeof *p1), *p2 = malloc(m1.layout.total * sizeof *p2);
    REQUIRE_OK(rt_download(ctx, m1.params, 0, m1.layout.total, p1));
    REQUIRE_OK(rt_download(ctx, m2.params, 0, m2.layout.total, p2));
    CHECK(!memcmp(p1, p2, m1.layout.total * sizeof *p1), "the same parameters after 2 steps");
    /* without masking options, an unlabelled batch is refused */
    t2.o.mlm.vocab_size = 0;
    asacl_step_stats r;
    CHECK(trainer_step(&t2, &raw, &r) == ASACL_ERR_INVALID_ARG, "unlabelled batch, no masking: refused");
    /* a label on padding is refused */
    for (size_t i = 0; i < N; i++) lab[i] = ASACL_TOKEN_IGNORE;
    lab[(B - 1) * T + T - 1] = 5; /* the last sequence is shorter than T */
    asacl_batch bad = {B, T, d->ids, d->segs, d->lens, NULL, NULL, lab, 0};
    CHECK(d->lens[B - 1] < (int)T && trainer_step(&t2, &bad, &r) == ASACL_ERR_INVALID_ARG,
          "an MLM label on padding: refused");
    free(p1);
    free(p2);
    free(masked);
    free(pos);
    free(tgt);
    free(lab);
    trainer_destroy(&t1);
    trainer_destroy(&t2);
    model_destroy(&m1);
    model_destroy(&m2);
}

/* With a folder argument: the dump's parameters as an asacl masked-LM model
 * folder there (no adversaries), for tests/check_hf_mlm.py. */
static void write_folder(const dump_case *d, const char *dir)
{
    param_layout pl0;
    REQUIRE_OK(param_layout_build(&d->c, 0, &pl0));
    float *v = calloc(pl0.total, sizeof *v);
    for (size_t i = 0; i < pl0.count; i++) {
        const param_entry *e = param_find(&d->pl, pl0.entries[i].name);
        REQUIRE_OK(e && e->n == pl0.entries[i].n ? ASACL_OK : ASACL_ERR_INTERNAL);
        memcpy(v + pl0.entries[i].off, d->init + e->off, e->n * sizeof *v);
    }
    asacl_model am;
    memset(&am, 0, sizeof am);
    REQUIRE_OK(model_create(ctx, &d->c, 0, v, 0, &am.m));
    REQUIRE_OK(asacl_model_save(&am, dir, NULL));
    printf("wrote the mlm_asa parameters as a model folder in %s\n", dir);
    model_destroy(&am.m);
    param_layout_free(&pl0);
    free(v);
}

int main(int argc, char **argv)
{
    ctx = test_ctx();
    st_file f;
    REQUIRE_OK(st_open(ASACL_TEST_DATA "/asa_ref/mlm_asa.safetensors", &f));
    CHECK(!strcmp(st_metadata(&f, "head"), "mlm"), "head %s", st_metadata(&f, "head"));
    dump_case d;
    load_case(&f, &d);
    if (argc > 1) write_folder(&d, argv[1]);
    for (int plain = 0; plain < 2; plain++) run_dump(&f, &d, plain);
    trainer_masking(&d);
    free_case(&d);
    st_close(&f);
    asacl_ctx_destroy(ctx);
    return test_finish("test_pretrain");
}
