/* test_mlm_head.c -- the MLM head (src/model/mlm_head.c) on the device:
 *  1. a random case against the double reference tests/ref/ref_mlm.c, whose
 *     gradients (every head parameter, the tied word table, the hidden
 *     states of both passes) are checked against central finite differences
 *     of the step's loss mlm + vloss (h = 1e-5, agreement 1e-6); the
 *     device's forward, losses and backward against the reference, with
 *     gradients accumulated onto non-zero tensors (the word table's lookup
 *     part, other rows of the hidden-state gradient);
 *  2. the head part of the float64 dump tests/data/asa_ref/mlm_asa
 *     (tests/gen_asa_ref.py): from the dumped final hidden states of both
 *     passes, the positions and the head's parameters, the logits of both
 *     passes, the task loss and vloss, the head's parameter gradients, the
 *     decoder's part of the word gradient and the gradients of the hidden
 *     states must equal the dump.
 * Tolerances: float32 compute of products of length D and V; stated per
 * check with the reason beside it. */
#include <math.h>

#include "io/safetensors.h"
#include "model/mlm_head.h"
#include "ref/ref_mlm.h"
#include "ref/ref_ops.h"
#include "dump_util.h"
#include "test_util.h"

#define FD_H 1e-5
#define FD_TOL 1e-6

static asacl_ctx *ctx;
static ref_rng rng = {0x1234567887654321ull};

static tensor T_(cl_mem m, size_t n)
{
    tensor t = {m, 0, n};
    return t;
}

static void round_float(double *x, size_t n)
{
    float *f = malloc(n * sizeof *f);
    ref_to_float(x, f, n);
    ref_to_double(f, x, n);
    free(f);
}

/* Device copies of the head's tensors, or zero-filled ones of their sizes. */
typedef struct dev_head {
    cl_mem m[6];
    mlm_head_tensors t;
} dev_head;

/* LayerNorm's weight and bias share one buffer (op_layernorm_* need it):
 * m[2] holds both, m[3] is unused. */
static void dev_head_up(dev_head *d, double *const host[6], const size_t n[6])
{
    double *ln = malloc((n[2] + n[3]) * sizeof *ln);
    memcpy(ln, host[2], n[2] * sizeof *ln);
    memcpy(ln + n[2], host[3], n[3] * sizeof *ln);
    for (int i = 0; i < 6; i++)
        d->m[i] = i == 3 ? NULL : test_upload(ctx, i == 2 ? ln : host[i], i == 2 ? n[2] + n[3] : n[i]);
    free(ln);
    mlm_head_tensors t = {T_(d->m[0], n[0]), T_(d->m[1], n[1]), T_(d->m[2], n[2]),
                          tensor_at(T_(d->m[2], n[2] + n[3]), n[2], n[3]), T_(d->m[4], n[4]),
                          T_(d->m[5], n[5])};
    d->t = t;
}

/* The device copy of tensor i (LayerNorm's bias inside m[2]). */
static void dev_head_down(const dev_head *d, int i, size_t n, double *out)
{
    if (i == 3) test_download(ctx, d->m[2], d->t.ln_b.off, n, out);
    else test_download(ctx, d->m[i], 0, n, out);
}

static void dev_head_free(dev_head *d)
{
    for (int i = 0; i < 6; i++)
        if (d->m[i]) rt_buffer_release(&d->m[i]);
}

/* One pass's activations and the backward's scratch on the device. */
typedef struct dev_pass {
    cl_mem buf;
    mlm_head_acts a;
    mlm_head_scratch w;
} dev_pass;

static void dev_pass_alloc(dev_pass *p, size_t M, size_t D, size_t V)
{
    size_t n = 7 * M * D + 2 * M + M * V;
    double *zero = calloc(n, sizeof *zero);
    p->buf = test_upload(ctx, zero, n);
    free(zero);
    tensor all = T_(p->buf, n);
    size_t at = 0;
    tensor *md[] = {&p->a.g, &p->a.pre, &p->a.act, &p->a.t, &p->w.dt, &p->w.dact, &p->w.dg};
    for (int i = 0; i < 7; i++, at += M * D) *md[i] = tensor_at(all, at, M * D);
    p->a.mean = tensor_at(all, at, M);
    p->a.rstd = tensor_at(all, at + M, M);
    p->a.logits = tensor_at(all, at + 2 * M, M * V);
}

/* ---- 1. a random case ------------------------------------------------------------ */

enum { RB = 2, RT = 9, ROWS = RB * RT, RD = 16, RV = 50, RM = 5 };
static const int32_t rpos[RM] = {1, 4, 7, 10, 16};
static const int32_t ry[RM] = {3, 49, 0, 17, 17};
#define REPS 1e-12

/* x = [dense_w, dense_b, ln_w, ln_b, bias, word, h_clean, h_adv] */
static const size_t rsz[8] = {RD * RD, RD, RD, RD, RV, RV * RD, ROWS * RD, ROWS * RD};

static void split(const double *x, const double *part[8])
{
    size_t at = 0;
    for (int i = 0; i < 8; i++) {
        part[i] = x + at;
        at += rsz[i];
    }
}

static double step_loss(const double *x, void *u)
{
    (void)u;
    const double *q[8];
    split(x, q);
    ref_mlm_params p = {q[0], q[1], q[2], q[3], q[4], q[5]};
    double z[RM * RV], zq[RM * RV];
    ref_mlm_head_forward(z, NULL, NULL, &p, q[6], rpos, RM, RD, RV, REPS);
    ref_mlm_head_forward(zq, NULL, NULL, &p, q[7], rpos, RM, RD, RV, REPS);
    return ref_mlm_loss(z, zq, ry, RM, RV, RB, NULL, NULL);
}

static void test_random(void)
{
    size_t n = 0;
    for (int i = 0; i < 8; i++) n += rsz[i];
    double *x = malloc(n * sizeof *x);
    const double *q[8];
    ref_fill(&rng, x, n, 1.0);
    split(x, q);
    for (size_t i = 0; i < RD; i++) ((double *)q[2])[i] += 1.0; /* LayerNorm weight near 1 */
    round_float(x, n);
    ref_mlm_params p = {q[0], q[1], q[2], q[3], q[4], q[5]};
    /* the reference: logits, losses, gradients */
    double z[RM * RV], zq[RM * RV], dz[RM * RV], dzq[RM * RV];
    ref_mlm_head_forward(z, NULL, NULL, &p, q[6], rpos, RM, RD, RV, REPS);
    ref_mlm_head_forward(zq, NULL, NULL, &p, q[7], rpos, RM, RD, RV, REPS);
    double mlm = ref_mlm_loss(z, NULL, ry, RM, RV, RB, NULL, NULL);
    double total = ref_mlm_loss(z, zq, ry, RM, RV, RB, dz, dzq);
    double *g = calloc(n, sizeof *g);
    const double *gq[8];
    split(g, gq);
    ref_mlm_grads rg = {(double *)gq[0], (double *)gq[1], (double *)gq[2], (double *)gq[3],
                        (double *)gq[4], (double *)gq[5]};
    ref_mlm_head_backward(&rg, (double *)gq[6], dz, &p, q[6], rpos, RM, RD, RV, REPS);
    ref_mlm_head_backward(&rg, (double *)gq[7], dzq, &p, q[7], rpos, RM, RD, RV, REPS);
    double *fd = malloc(n * sizeof *fd);
    ref_fd_grad(step_loss, NULL, x, n, FD_H, fd);
    test_compare_d("reference gradients (head, tied word table, both passes' hidden states) vs "
                   "finite differences", g, fd, n, FD_TOL, FD_TOL);
    size_t untouched = 0; /* rows of h not chosen get no gradient */
    for (size_t r = 0, k = 0; r < ROWS; r++) {
        int chosen = k < RM && rpos[k] == (int32_t)r;
        k += (size_t)chosen;
        for (size_t d = 0; d < RD && !chosen; d++) untouched += gq[6][r * RD + d] != 0.0;
    }
    CHECK(untouched == 0, "%zu gradient entries of rows not chosen", untouched);
    /* the device */
    dev_head dp, dg;
    double *ph[6] = {(double *)q[0], (double *)q[1], (double *)q[2], (double *)q[3],
                     (double *)q[4], (double *)q[5]};
    dev_head_up(&dp, ph, rsz);
    double *g0 = malloc(n * sizeof *g0); /* gradients already there: accumulated onto */
    ref_fill(&rng, g0, n, 0.5);
    round_float(g0, n);
    const double *g0q[8];
    split(g0, g0q);
    double *gh[6] = {(double *)g0q[0], (double *)g0q[1], (double *)g0q[2], (double *)g0q[3],
                     (double *)g0q[4], (double *)g0q[5]};
    dev_head_up(&dg, gh, rsz);
    cl_mem mhc = test_upload(ctx, q[6], ROWS * RD), mha = test_upload(ctx, q[7], ROWS * RD),
           mdhc = test_upload(ctx, g0q[6], ROWS * RD), mdha = test_upload(ctx, g0q[7], ROWS * RD);
    int ipos[RM], iy[RM];
    for (int m = 0; m < RM; m++) ipos[m] = rpos[m], iy[m] = ry[m];
    CHECK_OK(mlm_head_check_positions(rpos, ry, RM, ROWS, RV));
    cl_mem mpos = test_upload_i(ctx, ipos, RM), my = test_upload_i(ctx, iy, RM);
    dev_pass pc, pa;
    dev_pass_alloc(&pc, RM, RD, RV);
    dev_pass_alloc(&pa, RM, RD, RV);
    mlm_head_shape s = {RM, RD, RV, (float)REPS};
    CHECK_OK(mlm_head_forward(ctx, &dp.t, &pc.a, T_(mhc, ROWS * RD), T_(mpos, RM), s));
    CHECK_OK(mlm_head_forward(ctx, &dp.t, &pa.a, T_(mha, ROWS * RD), T_(mpos, RM), s));
    double got[RM * RV];
    /* logits: sums of D = 16 products after a LayerNorm; float32 */
    test_download(ctx, pc.buf, pc.a.logits.off, RM * RV, got);
    test_compare_d("random case: clean logits (atol 1e-5, rtol 1e-5)", got, z, RM * RV, 1e-5, 1e-5);
    test_download(ctx, pa.buf, pa.a.logits.off, RM * RV, got);
    test_compare_d("random case: adversarial logits (atol 1e-5, rtol 1e-5)", got, zq, RM * RV, 1e-5,
                   1e-5);
    static double zero[RM * RV];
    cl_mem mout = test_upload(ctx, zero, 3), mrows = test_upload(ctx, zero, 2 * RM),
           mdz = test_upload(ctx, zero, RM * RV), mdzq = test_upload(ctx, zero, RM * RV);
    CHECK_OK(mlm_head_loss_forward(ctx, T_(mout, 3), T_(mrows, 2 * RM), pc.a.logits, pa.a.logits,
                                   T_(my, RM), RM, RV, RB));
    double l3[3], acc = 0;
    for (int m = 0; m < RM; m++) {
        size_t best = 0;
        for (size_t c = 1; c < RV; c++)
            if (z[m * RV + c] > z[m * RV + best]) best = c;
        acc += (best == (size_t)ry[m]) / (double)RM;
    }
    double want3[3] = {mlm, total - mlm, acc};
    test_download(ctx, mout, 0, 3, l3);
    test_compare_d("random case: mlm, vloss, accuracy (atol 1e-6, rtol 1e-5)", l3, want3, 3, 1e-6,
                   1e-5);
    CHECK_OK(mlm_head_loss_backward(ctx, T_(mdz, RM * RV), T_(mdzq, RM * RV), pc.a.logits,
                                    pa.a.logits, T_(my, RM), RM, RV, RB, 1.0f));
    test_download(ctx, mdz, 0, RM * RV, got);
    test_compare_d("random case: d(mlm + vloss)/dz (atol 1e-7, rtol 1e-4)", got, dz, RM * RV, 1e-7,
                   1e-4);
    test_download(ctx, mdzq, 0, RM * RV, got);
    test_compare_d("random case: dvloss/dz' (atol 1e-7, rtol 1e-4)", got, dzq, RM * RV, 1e-7, 1e-4);
    cl_mem scratch; /* reserved as documented, the backward allocates nothing */
    CHECK_OK(rt_scratch(ctx, mlm_head_scratch_floats(RM, RD, RV), &scratch));
    size_t reserved = ctx->scratch_floats;
    CHECK_OK(mlm_head_backward(ctx, &dp.t, &dg.t, &pc.a, &pc.w, T_(mdhc, ROWS * RD),
                               T_(mdz, RM * RV), T_(mpos, RM), s));
    CHECK_OK(mlm_head_backward(ctx, &dp.t, &dg.t, &pa.a, &pa.w, T_(mdha, ROWS * RD),
                               T_(mdzq, RM * RV), T_(mpos, RM), s));
    CHECK(ctx->scratch_floats == reserved && ctx->scratch == scratch,
          "the backward grew the scratch from %zu to %zu floats", reserved, ctx->scratch_floats);
    static const char *names[8] = {"dense.weight", "dense.bias", "LayerNorm.weight",
                                   "LayerNorm.bias", "bias", "word table (tied)",
                                   "hidden states, clean", "hidden states, adversarial"};
    for (int i = 0; i < 8; i++) {
        double *want = malloc(rsz[i] * sizeof *want), *have = malloc(rsz[i] * sizeof *have);
        for (size_t k = 0; k < rsz[i]; k++) want[k] = g0q[i][k] + gq[i][k];
        if (i < 6) dev_head_down(&dg, i, rsz[i], have);
        else test_download(ctx, i == 6 ? mdhc : mdha, 0, rsz[i], have);
        char what[128];
        /* gradients of size ~0.1-1 through float32 products of length M, D, V */
        snprintf(what, sizeof what, "random case: gradient += of %s (atol 2e-6, rtol 1e-4)", names[i]);
        test_compare_d(what, have, want, rsz[i], 2e-6, 1e-4);
        free(want);
        free(have);
    }
    /* bad positions and labels are refused before they reach a kernel */
    int32_t dup[3] = {1, 5, 1}, far[2] = {0, ROWS}, lab[3] = {0, 1, 2}, badlab[2] = {0, RV};
    CHECK(mlm_head_check_positions(dup, lab, 3, ROWS, RV) == ASACL_ERR_INVALID_ARG,
          "a position chosen twice is accepted");
    CHECK(mlm_head_check_positions(far, lab, 2, ROWS, RV) == ASACL_ERR_INVALID_ARG,
          "a position outside the batch is accepted");
    CHECK(mlm_head_check_positions(far, badlab, 1, ROWS, RV) == ASACL_OK,
          "position 0, label 0 is refused");
    CHECK(mlm_head_check_positions(lab, badlab, 2, ROWS, RV) == ASACL_ERR_INVALID_ARG,
          "a label outside the vocabulary is accepted");
    dev_head_free(&dp);
    dev_head_free(&dg);
    cl_mem *ms[] = {&mhc, &mha, &mdhc, &mdha, &mpos, &my, &pc.buf, &pa.buf, &mout, &mrows, &mdz, &mdzq};
    for (size_t i = 0; i < sizeof ms / sizeof *ms; i++) rt_buffer_release(ms[i]);
    free(x);
    free(g);
    free(g0);
    free(fd);
}

/* ---- 2. the head part of the float64 dump ------------------------------------------- */

static double scalar(const st_file *f, const char *name)
{
    size_t n;
    double *v = dump_require(f, name, &n), r = v[0];
    free(v);
    return r;
}

static void test_dump(void)
{
    st_file f;
    REQUIRE_OK(st_open(ASACL_TEST_DATA "/asa_ref/mlm_asa.safetensors", &f));
    CHECK(!strcmp(st_metadata(&f, "head"), "mlm"), "head %s", st_metadata(&f, "head"));
    size_t B = (size_t)atoi(st_metadata(&f, "B")), T = (size_t)atoi(st_metadata(&f, "T")),
           D = (size_t)atoi(st_metadata(&f, "D")), V = (size_t)atoi(st_metadata(&f, "V"));
    double eps = atof(st_metadata(&f, "layer_norm_eps"));
    static const char *pn[6] = {"cls.predictions.transform.dense.weight",
                                "cls.predictions.transform.dense.bias",
                                "cls.predictions.transform.LayerNorm.weight",
                                "cls.predictions.transform.LayerNorm.bias", "cls.predictions.bias",
                                "bert.embeddings.word_embeddings.weight"};
    double *ph[6];
    size_t pnn[6];
    for (int i = 0; i < 6; i++) ph[i] = dump_require(&f, pn[i], &pnn[i]);
    CHECK(pnn[0] == D * D && pnn[4] == V && pnn[5] == V * D, "head shapes");
    size_t M, My, nh;
    int *pos = dump_ints(&f, "input.positions", &M), *y = dump_ints(&f, "input.labels", &My);
    CHECK(M == My && M > 0, "%zu positions, %zu labels", M, My);
    double *hc = dump_require(&f, "out.hidden_clean", &nh),
           *ha = dump_require(&f, "out.hidden_adv", &nh);
    CHECK(nh == B * T * D, "hidden states [B, T, D]");
    int32_t p32[64], y32[64];
    for (size_t m = 0; m < M && m < 64; m++) p32[m] = pos[m], y32[m] = y[m];
    CHECK_OK(mlm_head_check_positions(p32, y32, M, B * T, V));
    dev_head dp, dg;
    dev_head_up(&dp, ph, pnn);
    double *zeros = calloc(V * D + B * T * D, sizeof *zeros);
    double *zh[6] = {zeros, zeros, zeros, zeros, zeros, zeros};
    dev_head_up(&dg, zh, pnn);
    cl_mem mhc = test_upload(ctx, hc, nh), mha = test_upload(ctx, ha, nh),
           mdhc = test_upload(ctx, zeros, nh), mdha = test_upload(ctx, zeros, nh),
           mpos = test_upload_i(ctx, pos, M), my = test_upload_i(ctx, y, M),
           mout = test_upload(ctx, zeros, 3), mrows = test_upload(ctx, zeros, 2 * M),
           mdz = test_upload(ctx, zeros, M * V), mdzq = test_upload(ctx, zeros, M * V);
    dev_pass pc, pa;
    dev_pass_alloc(&pc, M, D, V);
    dev_pass_alloc(&pa, M, D, V);
    mlm_head_shape s = {M, D, V, (float)eps};
    CHECK_OK(mlm_head_forward(ctx, &dp.t, &pc.a, T_(mhc, nh), T_(mpos, M), s));
    CHECK_OK(mlm_head_forward(ctx, &dp.t, &pa.a, T_(mha, nh), T_(mpos, M), s));
    size_t nz;
    double *zc = dump_require(&f, "out.logits_clean", &nz),
           *za = dump_require(&f, "out.logits_adv", &nz);
    CHECK(nz == M * V, "logits [M, V]");
    size_t most = V * D > nh ? V * D : nh;
    double *got = malloc((most > D * D ? most : D * D) * sizeof *got);
    /* inputs rounded to float32 from float64: logits of size ~5 agree to ~1e-6 */
    test_download(ctx, pc.buf, pc.a.logits.off, M * V, got);
    test_compare_d("dump: clean MLM logits [M, V] (atol 1e-5, rtol 1e-5)", got, zc, M * V, 1e-5, 1e-5);
    test_download(ctx, pa.buf, pa.a.logits.off, M * V, got);
    test_compare_d("dump: adversarial MLM logits [M, V] (atol 1e-5, rtol 1e-5)", got, za, M * V, 1e-5,
                   1e-5);
    CHECK_OK(mlm_head_loss_forward(ctx, T_(mout, 3), T_(mrows, 2 * M), pc.a.logits, pa.a.logits,
                                   T_(my, M), M, V, B));
    double l3[3], want3[3] = {scalar(&f, "loss.task"), scalar(&f, "loss.vloss"),
                              scalar(&f, "out.accuracy")};
    test_download(ctx, mout, 0, 3, l3);
    test_compare_d("dump: loss.task (mlm), loss.vloss, accuracy (atol 1e-6, rtol 1e-5)", l3, want3, 3,
                   1e-6, 1e-5);
    CHECK_OK(mlm_head_loss_backward(ctx, T_(mdz, M * V), T_(mdzq, M * V), pc.a.logits, pa.a.logits,
                                    T_(my, M), M, V, B, 1.0f));
    CHECK_OK(mlm_head_backward(ctx, &dp.t, &dg.t, &pc.a, &pc.w, T_(mdhc, nh), T_(mdz, M * V),
                               T_(mpos, M), s));
    CHECK_OK(mlm_head_backward(ctx, &dp.t, &dg.t, &pa.a, &pa.w, T_(mdha, nh), T_(mdzq, M * V),
                               T_(mpos, M), s));
    /* the head's own gradients are the whole gradient of those tensors; the
     * word table's decoder part is out.grad_word_decoder */
    for (int i = 0; i < 6; i++) {
        char name[128], what[160];
        if (i < 5) snprintf(name, sizeof name, "grad.%s", pn[i]);
        else snprintf(name, sizeof name, "out.grad_word_decoder");
        size_t n;
        double *want = dump_require(&f, name, &n);
        CHECK(n == pnn[i], "%s: size", name);
        dev_head_down(&dg, i, n, got);
        snprintf(what, sizeof what, "dump: %s (atol 1e-6, rtol 1e-4)", name);
        test_compare_d(what, got, want, n, 1e-6, 1e-4);
        free(want);
    }
    double *dhc = dump_require(&f, "out.dhidden_clean", &nh),
           *dha = dump_require(&f, "out.dhidden_adv", &nh);
    test_download(ctx, mdhc, 0, nh, got);
    test_compare_d("dump: d total / d final hidden states, clean pass (atol 1e-6, rtol 1e-4)", got,
                   dhc, nh, 1e-6, 1e-4);
    test_download(ctx, mdha, 0, nh, got);
    test_compare_d("dump: d total / d final hidden states, adversarial pass (atol 1e-6, rtol 1e-4)",
                   got, dha, nh, 1e-6, 1e-4);
    dev_head_free(&dp);
    dev_head_free(&dg);
    cl_mem *ms[] = {&mhc, &mha, &mdhc, &mdha, &mpos, &my, &pc.buf, &pa.buf, &mout, &mrows, &mdz, &mdzq};
    for (size_t i = 0; i < sizeof ms / sizeof *ms; i++) rt_buffer_release(ms[i]);
    for (int i = 0; i < 6; i++) free(ph[i]);
    free(pos);
    free(y);
    free(hc);
    free(ha);
    free(zeros);
    free(zc);
    free(za);
    free(got);
    free(dhc);
    free(dha);
    st_close(&f);
}

int main(void)
{
    ctx = test_ctx();
    test_random();
    test_dump();
    asacl_ctx_destroy(ctx);
    return test_finish("test_mlm_head");
}
