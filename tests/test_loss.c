/* test_loss.c -- the token-classification losses of cl/loss.cl (asa-spec
 * 10) against the double references of tests/ref/ref_loss.c, whose
 * gradients are checked against central finite differences (h = 1e-5,
 * agreement 1e-6); and the two reuses the spec needs: symmetric_kl over
 * B*T rows scaled by 1/B (token-level vloss), and cross_entropy /
 * symmetric_kl over B*n choice scores read as [B, n] logits (no reshape op).
 * Device vs reference: |got - ref| <= atol + rtol |ref| as stated per check. */
#include <math.h>

#include "ops/ops.h"
#include "ref/ref_loss.h"
#include "ref/ref_ops.h"
#include "test_util.h"

#define FD_H 1e-5
#define FD_TOL 1e-6

static asacl_ctx *ctx;
static ref_rng rng = {0x2545f4914f6cdd1dull};

static tensor T_(cl_mem m, size_t n)
{
    tensor t = {m, 0, n};
    return t;
}

static void to_float_precision(double *x, size_t n)
{
    for (size_t i = 0; i < n; i++) x[i] = (double)(float)x[i];
}

typedef struct ce_case {
    const int *labels;
    size_t N, C;
} ce_case;

static double ce_fn(const double *z, void *u)
{
    const ce_case *c = u;
    return ref_token_cross_entropy(z, c->labels, c->N, c->C, NULL, NULL);
}

typedef struct kl_case {
    const double *zq;
    size_t R, W;
    double scale;
    int wrt_q; /* differentiate with respect to zq instead */
    const double *z;
} kl_case;

static double kl_fn(const double *x, void *u)
{
    const kl_case *c = u;
    return c->wrt_q ? ref_symmetric_kl(c->z, x, c->R, c->W, c->scale, NULL, NULL)
                    : ref_symmetric_kl(x, c->zq, c->R, c->W, c->scale, NULL, NULL);
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

/* The token cross-entropy on N rows of C classes; labels from `labels`. */
static void token_ce_case(const char *what, size_t N, size_t C, const int *labels, int fd)
{
    double *z = malloc(N * C * sizeof *z), *dz = malloc(N * C * sizeof *dz),
           *got = malloc(N * C * sizeof *got), *rows = malloc(N * sizeof *rows),
           *valid = malloc(N * sizeof *valid);
    ref_fill(&rng, z, N * C, 4.0);
    z[3] = 40.0; /* a confident row: no overflow */
    to_float_precision(z, N * C);
    size_t count = 0;
    double mean = ref_token_cross_entropy(z, labels, N, C, dz, &count);
    for (size_t r = 0; r < N; r++) {
        int y = labels[r];
        valid[r] = y >= 0 && (size_t)y < C;
        rows[r] = valid[r] ? ref_token_cross_entropy(z + r * C, &y, 1, C, NULL, NULL) : 0.0;
    }
    ce_case cc = {labels, N, C};
    if (fd) check_fd(what, ce_fn, &cc, z, N * C, dz);
    char name[160];
    cl_mem mz = test_upload(ctx, z, N * C), ml = test_upload_i(ctx, labels, N),
           mloss = test_upload(ctx, z, N), mvalid = test_upload(ctx, z, N),
           mout = test_upload(ctx, z, 2), mdz = test_upload(ctx, z, N * C);
    CHECK_OK(op_token_cross_entropy_forward(ctx, T_(mloss, N), T_(mvalid, N), T_(mz, N * C),
                                            T_(ml, N), N, C));
    test_download(ctx, mloss, 0, N, got);
    snprintf(name, sizeof name, "%s: token_cross_entropy_forward rows (atol 1e-6, rtol 1e-6)", what);
    test_compare_d(name, got, rows, N, 1e-6, 1e-6);
    test_download(ctx, mvalid, 0, N, got);
    snprintf(name, sizeof name, "%s: labelled flags (exact)", what);
    test_compare_d(name, got, valid, N, 0, 0);
    /* out[0] = mean, out[1] = count (scale 1); then scale 0.5 accumulated */
    CHECK_OK(op_token_loss_mean(ctx, tensor_at(T_(mout, 2), 0, 1), tensor_at(T_(mout, 2), 1, 1),
                                T_(mloss, N), T_(mvalid, N), N, 1.0f, 0));
    double two[2], want2[2] = {mean, (double)count};
    test_download(ctx, mout, 0, 2, two);
    snprintf(name, sizeof name, "%s: token_loss_mean (mean rtol 1e-6, count exact)", what);
    test_compare_d(name, two, want2, 2, 1e-6, 1e-6);
    CHECK(two[1] == (double)count, "%s: count %.1f, want %zu", what, two[1], count);
    CHECK_OK(op_token_loss_mean(ctx, tensor_at(T_(mout, 2), 0, 1), tensor_at(T_(mout, 2), 1, 1),
                                T_(mloss, N), T_(mvalid, N), N, 0.5f, 1));
    test_download(ctx, mout, 0, 1, two);
    want2[0] = 1.5 * mean;
    snprintf(name, sizeof name, "%s: token_loss_mean accumulate, scale 0.5", what);
    test_compare_d(name, two, want2, 1, 1e-6, 1e-6);
    /* backward with the count on the device */
    CHECK_OK(op_token_cross_entropy_backward(ctx, T_(mdz, N * C), T_(mz, N * C), T_(ml, N),
                                             tensor_at(T_(mout, 2), 1, 1), N, C, 1.0f, 0));
    test_download(ctx, mdz, 0, N * C, got);
    snprintf(name, sizeof name, "%s: token_cross_entropy_backward (atol 1e-7, rtol 1e-5)", what);
    test_compare_d(name, got, dz, N * C, 1e-7, 1e-5);
    size_t nonzero_ignored = 0;
    for (size_t r = 0; r < N; r++)
        for (size_t c = 0; c < C && !valid[r]; c++) nonzero_ignored += got[r * C + c] != 0.0;
    CHECK(nonzero_ignored == 0, "%s: %zu gradient entries of ignored rows are not exactly 0",
          what, nonzero_ignored);
    CHECK_OK(op_token_cross_entropy_backward(ctx, T_(mdz, N * C), T_(mz, N * C), T_(ml, N),
                                             tensor_at(T_(mout, 2), 1, 1), N, C, 2.0f, 1));
    test_download(ctx, mdz, 0, N * C, got);
    for (size_t i = 0; i < N * C; i++) dz[i] *= 3.0;
    snprintf(name, sizeof name, "%s: token_cross_entropy_backward accumulate, scale 2", what);
    test_compare_d(name, got, dz, N * C, 1e-7, 1e-5);
    /* accuracy: argmax (first on ties) == label on labelled rows */
    double *right = malloc(N * sizeof *right);
    for (size_t r = 0; r < N; r++) {
        size_t best = 0;
        for (size_t c = 1; c < C; c++)
            if ((float)z[r * C + c] > (float)z[r * C + best]) best = c;
        right[r] = valid[r] && best == (size_t)labels[r];
    }
    CHECK_OK(op_token_accuracy_forward(ctx, T_(mloss, N), T_(mz, N * C), T_(ml, N), N, C));
    test_download(ctx, mloss, 0, N, got);
    snprintf(name, sizeof name, "%s: token_accuracy_forward (exact)", what);
    test_compare_d(name, got, right, N, 0, 0);
    rt_buffer_release(&mz);
    rt_buffer_release(&ml);
    rt_buffer_release(&mloss);
    rt_buffer_release(&mvalid);
    rt_buffer_release(&mout);
    rt_buffer_release(&mdz);
    free(z);
    free(dz);
    free(got);
    free(rows);
    free(valid);
    free(right);
}

static void test_token_ce(void)
{
    /* B = 3 sentences of T = 7 tokens, C = 5: [CLS], sub-words and padding ignored */
    enum { B = 3, T = 7, C = 5 };
    const int I = -100;
    static const int small[B * T] = {I, 1, 0, I, 4, I, I,   /* [CLS] w w ## w [SEP] pad */
                                     I, 2, 2, 3, 0, 0, I,   /* a full row */
                                     I, I, I, I, I, I, I};  /* nothing labelled */
    token_ce_case("3x7 tokens, 5 classes", B * T, C, small, 1);
    /* a batch as training has it: B = 8, T = 128, C = 9, about a third labelled */
    enum { N2 = 8 * 128, C2 = 9 };
    int *big = malloc(N2 * sizeof *big);
    ref_rng r2 = {12345};
    for (int i = 0; i < N2; i++) {
        double u = ref_uniform(&r2);
        big[i] = u < -0.33 ? (int)((u + 1) / 0.67 * C2) % C2 : I;
    }
    big[1] = C2; /* out of range: also left out */
    token_ce_case("8x128 tokens, 9 classes", N2, C2, big, 0);
    /* nothing labelled: loss 0, count 0, gradient 0 (the reference's torch gives NaN) */
    for (int i = 0; i < N2; i++) big[i] = I;
    token_ce_case("no labelled token", 64, 3, big, 0);
    free(big);
}

/* Token-level vloss: symmetric_kl over R = B*T rows, summed, scale 1/B. */
static void test_token_kl(void)
{
    enum { B = 3, T = 6, C = 4, R = B * T };
    double z[R * C], zq[R * C], dz[R * C], dzq[R * C], got[R * C];
    ref_fill(&rng, z, R * C, 3.0);
    ref_fill(&rng, zq, R * C, 3.0);
    to_float_precision(z, R * C);
    to_float_precision(zq, R * C);
    double want = ref_symmetric_kl(z, zq, R, C, 1.0 / B, dz, dzq);
    kl_case kc = {zq, R, C, 1.0 / B, 0, z};
    check_fd("token-level symmetric KL dz", kl_fn, &kc, z, R * C, dz);
    kc.wrt_q = 1;
    check_fd("token-level symmetric KL dzq", kl_fn, &kc, zq, R * C, dzq);
    cl_mem mz = test_upload(ctx, z, R * C), mq = test_upload(ctx, zq, R * C),
           mrows = test_upload(ctx, z, R), mout = test_upload(ctx, z, 1);
    double zero[R * C] = {0};
    cl_mem mdz = test_upload(ctx, zero, R * C), mdq = test_upload(ctx, z, R * C);
    CHECK_OK(op_symmetric_kl_forward(ctx, T_(mrows, R), T_(mz, R * C), T_(mq, R * C), R, C));
    CHECK_OK(op_reduce_sum(ctx, T_(mout, 1), T_(mrows, R), 1.0f / B, 0));
    test_download(ctx, mout, 0, 1, got);
    test_compare_d("symmetric_kl over B*T rows + reduce_sum(1/B) (rtol 1e-5)", got, &want, 1,
                   1e-7, 1e-5);
    CHECK_OK(op_symmetric_kl_backward(ctx, T_(mdz, R * C), T_(mdq, R * C), T_(mz, R * C),
                                      T_(mq, R * C), R, C, 1.0f / B));
    test_download(ctx, mdz, 0, R * C, got);
    test_compare_d("symmetric_kl_backward dz (atol 1e-7, rtol 1e-5)", got, dz, R * C, 1e-7, 1e-5);
    test_download(ctx, mdq, 0, R * C, got);
    test_compare_d("symmetric_kl_backward dzq (atol 1e-7, rtol 1e-5)", got, dzq, R * C, 1e-7,
                   1e-5);
    rt_buffer_release(&mz);
    rt_buffer_release(&mq);
    rt_buffer_release(&mrows);
    rt_buffer_release(&mout);
    rt_buffer_release(&mdz);
    rt_buffer_release(&mdq);
}

/* Multiple choice: the scorer's B*n scores [B*n, 1] are the logits [B, n]
 * in place; cross_entropy and symmetric_kl over B rows of n. */
static void test_choice_view(void)
{
    enum { B = 3, NC = 4 };
    double s[B * NC], sq[B * NC], got[B * NC];
    const int y[B] = {2, 0, 3};
    ref_fill(&rng, s, B * NC, 2.0);
    ref_fill(&rng, sq, B * NC, 2.0);
    to_float_precision(s, B * NC);
    to_float_precision(sq, B * NC);
    /* reference: gather the scores of sequence b*n + k into z[b][k] explicitly */
    double z[B][NC], zq[B][NC];
    for (int q = 0; q < B * NC; q++) {
        z[q / NC][q % NC] = s[q];
        zq[q / NC][q % NC] = sq[q];
    }
    double ce[B], kl = ref_symmetric_kl(&z[0][0], &zq[0][0], B, NC, 1.0 / B, NULL, NULL);
    for (int b = 0; b < B; b++) ce[b] = ref_token_cross_entropy(z[b], &y[b], 1, NC, NULL, NULL);
    cl_mem ms = test_upload(ctx, s, B * NC), mq = test_upload(ctx, sq, B * NC),
           ml = test_upload_i(ctx, y, B), mrows = test_upload(ctx, s, B), mout = test_upload(ctx, s, 1);
    CHECK_OK(op_cross_entropy_forward(ctx, T_(mrows, B), T_(ms, B * NC), T_(ml, B), B, NC));
    test_download(ctx, mrows, 0, B, got);
    test_compare_d("choice scores as [B, n]: cross-entropy over the choices", got, ce, B, 1e-6,
                   1e-6);
    CHECK_OK(op_symmetric_kl_forward(ctx, T_(mrows, B), T_(ms, B * NC), T_(mq, B * NC), B, NC));
    CHECK_OK(op_reduce_sum(ctx, T_(mout, 1), T_(mrows, B), 1.0f / B, 0));
    test_download(ctx, mout, 0, 1, got);
    test_compare_d("choice scores as [B, n]: vloss over the choices / B", got, &kl, 1, 1e-7, 1e-5);
    rt_buffer_release(&ms);
    rt_buffer_release(&mq);
    rt_buffer_release(&ml);
    rt_buffer_release(&mrows);
    rt_buffer_release(&mout);
}

int main(void)
{
    ctx = test_ctx();
    test_token_ce();
    test_token_kl();
    test_choice_view();
    asacl_ctx_destroy(ctx);
    return test_finish("test_loss");
}
