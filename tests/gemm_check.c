/* gemm_check.c -- GEMM products against a double-precision host reference
 * (gemm_check.h). */
#define _POSIX_C_SOURCE 200809L
#include <float.h>

#include "gemm_check.h"


static unsigned long long rng_state = 88172645463325252ull;
static float uniform(void) /* in [-1, 1) */
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (float)((double)(rng_state >> 11) / 9007199254740992.0 * 2.0 - 1.0);
}

/* Fills the whole buffer with canaries (1000 + i) and the windows with data
 * (or NaN). */
void operand_make(asacl_ctx *ctx, operand *o, size_t rows, size_t cols, size_t pad,
                         size_t off, size_t stride, size_t batch, int nan)
{
    o->rows = rows, o->cols = cols, o->ld = cols + pad, o->off = off, o->batch = batch;
    o->stride = stride ? stride : rows * o->ld + 5;
    o->size = off + (batch - 1) * o->stride + (rows ? (rows - 1) * o->ld + cols : 0) + 11;
    o->h = malloc(o->size * sizeof *o->h);
    for (size_t i = 0; i < o->size; i++) o->h[i] = 1000.0f + (float)i;
    for (size_t b = 0; b < batch; b++)
        for (size_t r = 0; r < rows; r++)
            for (size_t c = 0; c < cols; c++)
                o->h[off + b * o->stride + r * o->ld + c] = nan ? NAN : uniform();
    REQUIRE_OK(rt_buffer_create(ctx, o->size * sizeof(float), "test operand", &o->d));
    REQUIRE_OK(rt_upload(ctx, o->d, 0, o->size, o->h));
}

void operand_free(operand *o)
{
    free(o->h);
    rt_buffer_release(&o->d);
}

gemm_mat mat_of(const operand *o)
{
    gemm_mat m = {o->d, o->off, o->ld};
    return m;
}

/* Element (i, j) of op(X) of batch entry b. */
static double op_el(const operand *o, int trans, size_t b, size_t i, size_t j)
{
    const float *x = o->h + o->off + b * o->stride;
    return trans ? x[j * o->ld + i] : x[i * o->ld + j];
}

/* Runs C = alpha op(A) op(B) + beta C on the device and checks every element
 * of C's buffer: the windows against the reference, the rest unchanged. */
void check_product(asacl_ctx *ctx, const char *what, int backend,
                          const gemm_choice *p, gemm_shape s, size_t batch, float alpha,
                          float beta, operand *a, operand *b, operand *c)
{
    gemm_mat am = mat_of(a), bm = mat_of(b), cm = mat_of(c);
    if (backend == GEMM_BACKEND_OWN)
        CHECK_OK(gemm_own_run(ctx, &p->own, s, alpha, am, a->stride, bm, b->stride, beta, cm,
                              c->stride, batch));
    else if (backend == GEMM_BACKEND_TILED)
        CHECK_OK(gemm_tiled_run(ctx, &p->tiled, s, alpha, am, a->stride, bm, b->stride, beta, cm,
                                c->stride, batch));
    else if (backend == GEMM_BACKEND_CLBLAST)
        CHECK_OK(gemm_clblast_run(ctx, s, alpha, am, a->stride, bm, b->stride, beta, cm,
                                  c->stride, batch));
    else if (batch == 1)
        CHECK_OK(gemm(ctx, s, alpha, am, bm, beta, cm));
    else
        CHECK_OK(gemm_batched(ctx, s, alpha, am, a->stride, bm, b->stride, beta, cm, c->stride,
                              batch));
    float *got = malloc(c->size * sizeof *got);
    double *ref = malloc(c->size * sizeof *ref), *tol = calloc(c->size, sizeof *tol);
    REQUIRE_OK(rt_download(ctx, c->d, 0, c->size, got));
    for (size_t i = 0; i < c->size; i++) ref[i] = c->h[i];
    for (size_t bi = 0; bi < batch; bi++)
        for (size_t i = 0; i < s.m; i++)
            for (size_t j = 0; j < s.n; j++) {
                double sum = 0, mag = 0;
                for (size_t k = 0; k < s.k; k++) {
                    double t = op_el(a, s.trans_a, bi, i, k) * op_el(b, s.trans_b, bi, k, j);
                    sum += t;
                    mag += fabs(t);
                }
                size_t at = c->off + bi * c->stride + i * c->ld + j;
                double c0 = beta != 0.0f ? (double)beta * c->h[at] : 0.0;
                ref[at] = (double)alpha * sum + c0;
                /* float accumulation: error grows like sqrt(K) times the
                 * magnitude of the terms */
                tol[at] = 4.0 * FLT_EPSILON * sqrt((double)s.k + 1.0) *
                              (fabs(alpha) * mag + fabs(c0)) + 1e-30;
            }
    size_t bad = 0, first = 0;
    double worst = 0;
    for (size_t i = 0; i < c->size; i++) {
        double d = fabs((double)got[i] - ref[i]);
        int ok = tol[i] > 0 ? d <= tol[i]
                            : got[i] == (float)ref[i] || (isnan(got[i]) && isnan(ref[i]));
        if (!ok && !bad++) first = i;
        if (tol[i] > 0 && d / tol[i] > worst) worst = d / tol[i];
    }
    test_failures += bad != 0;
    if (bad)
        fprintf(stderr,
                "%s: %zu of %zu elements wrong, first [%zu]: got %.9g want %.9g (tol %.3g, %s)\n",
                what, bad, c->size, first, got[first], ref[first], tol[first],
                tol[first] > 0 ? "in the window" : "outside the window");
    memcpy(c->h, got, c->size * sizeof *got); /* later products may read C */
    free(got);
    free(ref);
    free(tol);
}


/* The products of one shape on fresh operands: padded leading dimensions
 * and offsets; several alpha/beta pairs, beta = 0 on a C full of NaN. */
void check_shape(asacl_ctx *ctx, const char *tag, int backend, const gemm_choice *p,
                        int ta, int tb, size3 z, size_t batch)
{
    static const float ab[][2] = {{1.0f, 0.0f}, {0.75f, 0.0f}, {-1.5f, 1.0f}, {0.5f, -2.0f},
                                  {0.0f, 0.5f}};
    gemm_shape s = {ta, tb, z.m, z.n, z.k};
    for (size_t t = 0; t < sizeof ab / sizeof ab[0]; t++) {
        float alpha = ab[t][0], beta = ab[t][1];
        operand a, b, c;
        operand_make(ctx, &a, ta ? z.k : z.m, ta ? z.m : z.k, 3 + t, 7, 0, batch, 0);
        operand_make(ctx, &b, tb ? z.n : z.k, tb ? z.k : z.n, 1 + 2 * t, 5, 0, batch, 0);
        operand_make(ctx, &c, z.m, z.n, 2 + t, 3, 0, batch, beta == 0.0f);
        char what[160];
        snprintf(what, sizeof what, "%s %c%c M=%zu N=%zu K=%zu batch %zu alpha %g beta %g%s", tag,
                 ta ? 'T' : 'N', tb ? 'T' : 'N', z.m, z.n, z.k, batch, alpha, beta,
                 beta == 0.0f ? " (C = NaN)" : "");
        check_product(ctx, what, backend, p, s, batch, alpha, beta, &a, &b, &c);
        operand_free(&a);
        operand_free(&b);
        operand_free(&c);
    }
}

/* Per-head products as attention makes them: heads interleaved within rows
 * (ld = 3 D for q/k/v, D for the output, batch stride = head size). */
void check_heads(asacl_ctx *ctx, const char *tag, int backend, const gemm_choice *p)
{
    size_t T = 11, H = 3, d = 5, D = H * d;
    operand qkv, out, probs;
    operand_make(ctx, &qkv, T, 3 * D, 0, 0, 0, 1, 0);
    operand_make(ctx, &probs, H * T, T, 0, 0, 0, 1, 0);
    operand_make(ctx, &out, T, D, 0, 0, 0, 1, 1);
    /* view the whole buffers as H interleaved matrices */
    operand q = qkv, v = qkv, o = out, pr = probs;
    q.cols = v.cols = o.cols = d, q.stride = v.stride = o.stride = d, v.off = 2 * D;
    q.batch = v.batch = o.batch = pr.batch = H;
    pr.rows = T, pr.stride = T * T;
    char what[128];
    /* out_h = P_h V_h (NN), then probs_h = Q_h V_h^T (NT, scaled; V stands in
     * for K) */
    gemm_shape pv = {0, 0, T, d, T}, qk = {0, 1, T, T, d};
    snprintf(what, sizeof what, "%s heads P.V (NN, interleaved output)", tag);
    check_product(ctx, what, backend, p, pv, H, 1.0f, 0.0f, &pr, &v, &o);
    snprintf(what, sizeof what, "%s heads Q.K^T (NT, interleaved inputs)", tag);
    check_product(ctx, what, backend, p, qk, H, 0.4472136f, 0.0f, &q, &v, &pr);
    /* dV_h = P_h^T dO_h (TN) into the interleaved qkv layout */
    gemm_shape dv = {1, 0, T, d, T};
    operand dqkv;
    operand_make(ctx, &dqkv, T, 3 * D, 0, 0, 0, 1, 1);
    operand dvv = dqkv;
    dvv.cols = d, dvv.stride = d, dvv.off = 2 * D, dvv.batch = H;
    snprintf(what, sizeof what, "%s heads P^T.dO (TN, interleaved output)", tag);
    check_product(ctx, what, backend, p, dv, H, 1.0f, 0.0f, &pr, &o, &dvv);
    operand_free(&qkv);
    operand_free(&out);
    operand_free(&probs);
    operand_free(&dqkv);
}

/* Element (i, j) of op(X) of matrix (o, q) of a two-level batch. */
static double op_el2(const operand *x, int trans, gemm_stride st, size_t o, size_t q, size_t i,
                     size_t j)
{
    const float *m = x->h + x->off + o * st.outer + q * st.inner;
    return trans ? m[j * x->ld + i] : m[i * x->ld + j];
}

/* One two-level batched product (gemm_batched2 and the backends' _run2)
 * against the double reference; every element of C's buffer outside the
 * windows must stay as it was. */
void check_product2(asacl_ctx *ctx, const char *what, int backend, const gemm_choice *p,
                           gemm_shape s, float alpha, float beta, operand *a, gemm_stride sa,
                           operand *b, gemm_stride sb, operand *c, gemm_stride sc, size_t outer,
                           size_t inner)
{
    gemm_mat am = mat_of(a), bm = mat_of(b), cm = mat_of(c);
    if (backend == GEMM_BACKEND_OWN)
        CHECK_OK(gemm_own_run2(ctx, &p->own, s, alpha, am, sa, bm, sb, beta, cm, sc, outer, inner));
    else if (backend == GEMM_BACKEND_TILED)
        CHECK_OK(gemm_tiled_run2(ctx, &p->tiled, s, alpha, am, sa, bm, sb, beta, cm, sc, outer,
                                 inner));
    else if (backend == GEMM_BACKEND_CLBLAST)
        CHECK_OK(gemm_clblast_run2(ctx, s, alpha, am, sa, bm, sb, beta, cm, sc, outer, inner));
    else
        CHECK_OK(gemm_batched2(ctx, s, alpha, am, sa, bm, sb, beta, cm, sc, outer, inner));
    float *got = malloc(c->size * sizeof *got);
    double *ref = malloc(c->size * sizeof *ref), *tol = calloc(c->size, sizeof *tol);
    REQUIRE_OK(rt_download(ctx, c->d, 0, c->size, got));
    for (size_t i = 0; i < c->size; i++) ref[i] = c->h[i];
    for (size_t o = 0; o < outer; o++)
        for (size_t q = 0; q < inner; q++)
            for (size_t i = 0; i < s.m; i++)
                for (size_t j = 0; j < s.n; j++) {
                    double sum = 0, mag = 0;
                    for (size_t k = 0; k < s.k; k++) {
                        double t = op_el2(a, s.trans_a, sa, o, q, i, k) *
                                   op_el2(b, s.trans_b, sb, o, q, k, j);
                        sum += t;
                        mag += fabs(t);
                    }
                    size_t at = c->off + o * sc.outer + q * sc.inner + i * c->ld + j;
                    double c0 = beta != 0.0f ? (double)beta * c->h[at] : 0.0;
                    ref[at] = (double)alpha * sum + c0;
                    tol[at] = 4.0 * FLT_EPSILON * sqrt((double)s.k + 1.0) *
                                  (fabs(alpha) * mag + fabs(c0)) + 1e-30;
                }
    size_t bad = 0, first = 0;
    for (size_t i = 0; i < c->size; i++) {
        double d = fabs((double)got[i] - ref[i]);
        int ok = tol[i] > 0 ? d <= tol[i] : got[i] == (float)ref[i];
        if (!ok && !bad++) first = i;
    }
    test_failures += bad != 0;
    if (bad)
        fprintf(stderr, "%s: %zu of %zu elements wrong, first [%zu]: got %.9g want %.9g (%s)\n",
                what, bad, c->size, first, got[first], ref[first],
                tol[first] > 0 ? "in the window" : "outside the window");
    else
        fprintf(stderr, "  %-60s ok\n", what);
    memcpy(c->h, got, c->size * sizeof *got);
    free(got);
    free(ref);
    free(tol);
}

/* The plain attention path's products over every (sequence, head) pair in
 * one launch: qkv [B*T, 3D], heads interleaved in rows (inner stride d),
 * sequences T rows apart (outer stride T*3D); probabilities [B, H, T, T];
 * the context [B*T, D]. */
void check_seq_heads(asacl_ctx *ctx, const char *tag, int backend, const gemm_choice *p)
{
    size_t B = 3, T = 7, H = 2, d = 5, D = H * d;
    operand qkv, out, probs, dqkv;
    operand_make(ctx, &qkv, B * T, 3 * D, 0, 0, 0, 1, 0);
    operand_make(ctx, &probs, B * H * T, T, 0, 0, 0, 1, 0);
    operand_make(ctx, &out, B * T, D, 0, 0, 0, 1, 0);
    operand_make(ctx, &dqkv, B * T, 3 * D, 0, 0, 0, 1, 0);
    gemm_stride sq = {T * 3 * D, d}, ss = {H * T * T, T * T}, sr = {T * D, d};
    operand q = qkv, k = qkv, v = qkv, dv = dqkv;
    k.off = D, v.off = 2 * D, dv.off = 2 * D;
    char what[128];
    gemm_shape qk = {0, 1, T, T, d}, pv = {0, 0, T, d, T}, tn = {1, 0, T, d, T};
    snprintf(what, sizeof what, "%s (sequence, head) Q.K^T (NT)", tag);
    check_product2(ctx, what, backend, p, qk, 0.4472136f, 0.0f, &q, sq, &k, sq, &probs, ss, B, H);
    snprintf(what, sizeof what, "%s (sequence, head) P.V (NN)", tag);
    check_product2(ctx, what, backend, p, pv, 1.0f, 0.0f, &probs, ss, &v, sq, &out, sr, B, H);
    snprintf(what, sizeof what, "%s (sequence, head) P^T.dO (TN, beta 0.5)", tag);
    check_product2(ctx, what, backend, p, tn, 1.0f, 0.5f, &probs, ss, &out, sr, &dv, sq, B, H);
    operand_free(&qkv);
    operand_free(&out);
    operand_free(&probs);
    operand_free(&dqkv);
}

static const size3 SHAPES[] = {
    {1, 1, 1}, {1, 40, 7}, {29, 1, 13}, {13, 17, 29}, {37, 65, 150}, {64, 96, 64}, {5, 3, 0},
};
#define N_SHAPES (sizeof SHAPES / sizeof SHAPES[0])

/* Every case on one backend with parameters p (own only). */
void check_backend(asacl_ctx *ctx, const char *tag, int backend, const gemm_choice *p)
{
    for (int ta = 0; ta < 2; ta++)
        for (int tb = 0; tb < 2; tb++)
            for (size_t i = 0; i < N_SHAPES; i++) {
                if (SHAPES[i].k == 0 && backend == GEMM_BACKEND_CLBLAST)
                    continue; /* CLBlast refuses K = 0 (gemm() then uses the own kernels) */
                check_shape(ctx, tag, backend, p, ta, tb, SHAPES[i], 1);
            }
    size3 bshape = {19, 33, 21};
    for (int ta = 0; ta < 2; ta++)
        for (int tb = 0; tb < 2; tb++) check_shape(ctx, tag, backend, p, ta, tb, bshape, 3);
    check_heads(ctx, tag, backend, p);
    check_seq_heads(ctx, tag, backend, p);
}