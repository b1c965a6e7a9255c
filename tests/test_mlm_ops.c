/* test_mlm_ops.c -- the kernels of cl/mlm.cl against double references:
 * gather and scatter-add (exact: they only move floats); cross-entropy,
 * symmetric KL and accuracy over rows of a small width (whose reference
 * gradients are checked against central finite differences, h = 1e-5,
 * agreement 1e-6) and of BERT's vocabulary, V = 30522. Tolerances: float32
 * sums of V terms in a fixed tree; the log-sum-exp of a row is off by a few
 * float32 ulps of its size (up to 40 here; ulp(32) = 3.8e-6), so row losses
 * get atol 4e-6 (2e-5 at V = 30522), and the softmax entries exp(z - lse)
 * a relative 3e-5 of that error (the KL's gradient, a difference of such
 * terms, 9e-5).
 * Also times loss.cl's one-work-item-per-row cross-entropy against
 * mlm.cl's at M rows of V (printed, never asserted): the reason mlm.cl has
 * its own. */
#include <math.h>

#include "ops/ops.h"
#include "ref/ref_loss.h"
#include "ref/ref_ops.h"
#include "test_util.h"

#define FD_H 1e-5
#define FD_TOL 1e-6
#define VOCAB 30522

static asacl_ctx *ctx;
static ref_rng rng = {0x9e3779b97f4a7c15ull};

static tensor T_(cl_mem m, size_t n)
{
    tensor t = {m, 0, n};
    return t;
}

/* x rounded to float32, through ref_ops.c's out-of-line converters (gcc
 * 12.2 -O3 left two elements of a 91-element stack array unrounded when
 * this was an inlined loop of (double)(float) casts). */
static void to_float_precision(double *x, size_t n)
{
    float *f = malloc(n * sizeof *f);
    ref_to_float(x, f, n);
    ref_to_double(f, x, n);
    free(f);
}

static void test_gather(void)
{
    enum { ROWS = 13, D = 7, M = 5 };
    const int pos[M] = {12, 0, 5, 6, 9};
    double h[ROWS * D], dg[M * D], dh[ROWS * D], want[ROWS * D], got[ROWS * D];
    ref_fill(&rng, h, ROWS * D, 1.0);
    ref_fill(&rng, dg, M * D, 1.0);
    ref_fill(&rng, dh, ROWS * D, 1.0);
    to_float_precision(h, ROWS * D);
    to_float_precision(dg, M * D);
    to_float_precision(dh, ROWS * D);
    cl_mem mh = test_upload(ctx, h, ROWS * D), mp = test_upload_i(ctx, pos, M),
           mo = test_upload(ctx, dg, M * D), mdg = test_upload(ctx, dg, M * D),
           mdh = test_upload(ctx, dh, ROWS * D);
    CHECK_OK(op_mlm_gather_forward(ctx, T_(mo, M * D), T_(mh, ROWS * D), T_(mp, M), M, D));
    for (int m = 0; m < M; m++)
        for (int d = 0; d < D; d++) want[m * D + d] = h[pos[m] * D + d];
    test_download(ctx, mo, 0, M * D, got);
    test_compare_d("gather_forward (exact)", got, want, M * D, 0, 0);
    CHECK_OK(op_mlm_gather_backward(ctx, T_(mdh, ROWS * D), T_(mdg, M * D), T_(mp, M), M, D));
    memcpy(want, dh, sizeof dh);
    for (int m = 0; m < M; m++)
        for (int d = 0; d < D; d++) want[pos[m] * D + d] = dh[pos[m] * D + d] + dg[m * D + d];
    to_float_precision(want, ROWS * D); /* the device adds in float */
    test_download(ctx, mdh, 0, ROWS * D, got);
    test_compare_d("gather_backward: dh[pos] += dg, other rows untouched (exact)", got, want,
                   ROWS * D, 0, 0);
    rt_buffer_release(&mh);
    rt_buffer_release(&mp);
    rt_buffer_release(&mo);
    rt_buffer_release(&mdg);
    rt_buffer_release(&mdh);
}

typedef struct ce_case {
    const int *y;
    size_t M, V;
} ce_case;

static double ce_fn(const double *z, void *u)
{
    const ce_case *c = u;
    double s = 0;
    for (size_t m = 0; m < c->M; m++) s += ref_cross_entropy(z + m * c->V, c->V, c->y[m], NULL);
    return s;
}

typedef struct kl_case {
    const double *z, *zq;
    size_t M, V;
    double scale;
    int wrt_q;
} kl_case;

static double kl_fn(const double *x, void *u)
{
    const kl_case *c = u;
    return c->wrt_q ? ref_symmetric_kl(c->z, x, c->M, c->V, c->scale, NULL, NULL)
                    : ref_symmetric_kl(x, c->zq, c->M, c->V, c->scale, NULL, NULL);
}

static void check_fd(const char *what, ref_scalar_fn f, void *user, double *x, size_t n,
                     const double *analytic)
{
    double *fd = malloc(n * sizeof *fd);
    ref_fd_grad(f, user, x, n, FD_H, fd);
    char name[160];
    snprintf(name, sizeof name, "%s: reference vs finite differences", what);
    test_compare_d(name, analytic, fd, n, FD_TOL, FD_TOL);
    free(fd);
}

/* The three row ops on M rows of width V; fd: check the references too. */
static void rows_case(size_t M, size_t V, int fd)
{
    size_t n = M * V;
    double *z = malloc(n * sizeof *z), *zq = malloc(n * sizeof *zq), *dz = malloc(n * sizeof *dz),
           *dzq = malloc(n * sizeof *dzq), *got = malloc(n * sizeof *got),
           *row = malloc(M * sizeof *row), *ce = malloc(M * sizeof *ce),
           *kl = malloc(M * sizeof *kl), *right = malloc(M * sizeof *right);
    int *y = malloc(M * sizeof *y);
    ref_fill(&rng, z, n, 4.0);
    for (size_t m = 0; m < M; m++) y[m] = (int)((ref_uniform(&rng) + 1) * 0.5 * (double)V) % (int)V;
    z[0 * V + 3 % V] = 30.0;                  /* a confident row */
    if (M > 2) {                              /* ties: the first largest counts */
        z[1 * V + 0] = z[1 * V + V - 1] = 40.0;
        y[1] = (int)V - 1;                    /* the second of a tie: wrong */
        z[2 * V + 1] = z[2 * V + V / 2] = 40.0;
        y[2] = 1;                             /* the first of a tie: right */
    }
    for (size_t i = 0; i < n; i++) zq[i] = z[i] + 0.5 * ref_uniform(&rng); /* near z, as z' is */
    to_float_precision(z, n);
    to_float_precision(zq, n);
    for (size_t m = 0; m < M; m++) {
        ce[m] = ref_cross_entropy(z + m * V, V, y[m], dz + m * V);
        kl[m] = ref_symmetric_kl(z + m * V, zq + m * V, 1, V, 1.0, NULL, NULL);
        size_t best = 0;
        for (size_t c = 1; c < V; c++)
            if ((float)z[m * V + c] > (float)z[m * V + best]) best = c;
        right[m] = best == (size_t)y[m];
    }
    char what[64];
    snprintf(what, sizeof what, "%zu rows of %zu", M, V);
    if (fd) {
        ce_case cc = {y, M, V};
        check_fd("cross-entropy", ce_fn, &cc, z, n, dz);
    }
    double sc = 0.37;
    double *kz = malloc(n * sizeof *kz);
    ref_symmetric_kl(z, zq, M, V, sc, kz, dzq);
    if (fd) {
        kl_case kc = {z, zq, M, V, sc, 0};
        check_fd("symmetric KL dz", kl_fn, &kc, z, n, kz);
        kc.wrt_q = 1;
        check_fd("symmetric KL dzq", kl_fn, &kc, zq, n, dzq);
    }
    cl_mem mz = test_upload(ctx, z, n), mq = test_upload(ctx, zq, n), my = test_upload_i(ctx, y, M),
           mrow = test_upload(ctx, z, M), mdz = test_upload(ctx, zq, n), mdq = test_upload(ctx, z, n);
    char name[160];
    double atol = V > 1000 ? 2e-5 : 4e-6, grtol = V > 1000 ? 3e-5 : 1e-5;
    CHECK_OK(op_mlm_cross_entropy_forward(ctx, T_(mrow, M), T_(mz, n), T_(my, M), M, V));
    test_download(ctx, mrow, 0, M, row);
    snprintf(name, sizeof name, "%s: cross_entropy_forward (atol %g, rtol 1e-6)", what, atol);
    test_compare_d(name, row, ce, M, atol, 1e-6);
    /* backward: overwrite with scale 1/M, then accumulate scale 2/M */
    CHECK_OK(op_mlm_cross_entropy_backward(ctx, T_(mdz, n), T_(mz, n), T_(my, M), M, V,
                                           1.0f / (float)M, 0));
    for (size_t i = 0; i < n; i++) dz[i] /= (double)M;
    test_download(ctx, mdz, 0, n, got);
    snprintf(name, sizeof name, "%s: cross_entropy_backward (atol 1e-9, rtol %g)", what, grtol);
    test_compare_d(name, got, dz, n, 1e-9, grtol);
    CHECK_OK(op_mlm_cross_entropy_backward(ctx, T_(mdz, n), T_(mz, n), T_(my, M), M, V,
                                           2.0f / (float)M, 1));
    for (size_t i = 0; i < n; i++) dz[i] *= 3.0;
    test_download(ctx, mdz, 0, n, got);
    snprintf(name, sizeof name, "%s: cross_entropy_backward accumulate", what);
    test_compare_d(name, got, dz, n, 3e-9, grtol);
    /* accuracy */
    CHECK_OK(op_mlm_accuracy_forward(ctx, T_(mrow, M), T_(mz, n), T_(my, M), M, V));
    test_download(ctx, mrow, 0, M, row);
    snprintf(name, sizeof name, "%s: accuracy_forward, first of ties (exact)", what);
    test_compare_d(name, row, right, M, 0, 0);
    if (M > 2) CHECK(row[1] == 0 && row[2] == 1, "%s: ties: %g %g, want 0 1", what, row[1], row[2]);
    /* symmetric KL */
    CHECK_OK(op_mlm_symmetric_kl_forward(ctx, T_(mrow, M), T_(mz, n), T_(mq, n), M, V));
    test_download(ctx, mrow, 0, M, row);
    snprintf(name, sizeof name, "%s: symmetric_kl_forward (atol 1e-6, rtol 1e-4)", what);
    test_compare_d(name, row, kl, M, 1e-6, 1e-4);
    double *base = malloc(n * sizeof *base); /* dz += ...: start from the CE gradient */
    test_download(ctx, mdz, 0, n, base);
    CHECK_OK(op_mlm_symmetric_kl_backward(ctx, T_(mdz, n), T_(mdq, n), T_(mz, n), T_(mq, n), M, V,
                                          (float)sc));
    for (size_t i = 0; i < n; i++) kz[i] += base[i];
    test_download(ctx, mdz, 0, n, got);
    snprintf(name, sizeof name, "%s: symmetric_kl_backward dz += (atol 1e-9, rtol %g)", what, grtol);
    test_compare_d(name, got, kz, n, 1e-9, 3 * grtol);
    test_download(ctx, mdq, 0, n, got);
    snprintf(name, sizeof name, "%s: symmetric_kl_backward dzq = (atol 1e-9, rtol %g)", what, grtol);
    test_compare_d(name, got, dzq, n, 1e-9, 3 * grtol);
    /* a label outside the vocabulary is NaN, not a read out of bounds */
    y[0] = (int)V;
    rt_buffer_release(&my);
    my = test_upload_i(ctx, y, M);
    CHECK_OK(op_mlm_cross_entropy_forward(ctx, T_(mrow, M), T_(mz, n), T_(my, M), M, V));
    test_download(ctx, mrow, 0, 1, row);
    CHECK(isnan(row[0]), "%s: label V gives %g, want NaN", what, row[0]);
    rt_buffer_release(&mz);
    rt_buffer_release(&mq);
    rt_buffer_release(&my);
    rt_buffer_release(&mrow);
    rt_buffer_release(&mdz);
    rt_buffer_release(&mdq);
    free(z);
    free(zq);
    free(dz);
    free(dzq);
    free(got);
    free(row);
    free(ce);
    free(kl);
    free(right);
    free(y);
    free(kz);
    free(base);
}

/* loss.cl's cross-entropy (a row per work-item) against mlm.cl's (a row
 * per work-group) at M rows of the vocabulary: same values, and the time of
 * each (printed only). */
static void compare_with_loss_cl(size_t M)
{
    size_t n = M * VOCAB;
    double *z = malloc(n * sizeof *z), a[4], b[4];
    int *y = malloc(M * sizeof *y);
    ref_fill(&rng, z, n, 3.0);
    for (size_t m = 0; m < M; m++) y[m] = (int)(m * 7919 % VOCAB);
    cl_mem mz = test_upload(ctx, z, n), my = test_upload_i(ctx, y, M), mr = test_upload(ctx, z, M),
           md = test_upload(ctx, z, n);
    double t[2][2];
    for (int rep = 0; rep < 2; rep++) { /* the first run builds the programs */
        double t0 = rt_now();
        CHECK_OK(op_cross_entropy_forward(ctx, T_(mr, M), T_(mz, n), T_(my, M), M, VOCAB));
        CHECK_OK(op_cross_entropy_backward(ctx, T_(md, n), T_(mz, n), T_(my, M), M, VOCAB,
                                           1.0f / (float)M, 0));
        test_download(ctx, mr, 0, 4, a);
        double t1 = rt_now();
        CHECK_OK(op_mlm_cross_entropy_forward(ctx, T_(mr, M), T_(mz, n), T_(my, M), M, VOCAB));
        CHECK_OK(op_mlm_cross_entropy_backward(ctx, T_(md, n), T_(mz, n), T_(my, M), M, VOCAB,
                                               1.0f / (float)M, 0));
        test_download(ctx, mr, 0, 4, b);
        t[rep][0] = t1 - t0;
        t[rep][1] = rt_now() - t1;
    }
    test_compare_d("loss.cl and mlm.cl cross-entropy agree at V = 30522", b, a, 4, 2e-5, 1e-6);
    printf("  cross-entropy forward+backward, %zu rows of %d: loss.cl (row per work-item) %.1f ms, "
           "mlm.cl (row per work-group) %.1f ms\n", M, VOCAB, 1e3 * t[1][0], 1e3 * t[1][1]);
    rt_buffer_release(&mz);
    rt_buffer_release(&my);
    rt_buffer_release(&mr);
    rt_buffer_release(&md);
    free(z);
    free(y);
}

int main(void)
{
    ctx = test_ctx();
    test_gather();
    rows_case(4, 9, 1);
    rows_case(3, 300, 1);
    rows_case(24, VOCAB, 0);
    compare_with_loss_cl(128);
    asacl_ctx_destroy(ctx);
    return test_finish("test_mlm_ops");
}
