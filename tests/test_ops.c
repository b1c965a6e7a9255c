/* test_ops.c -- every element-wise, normalisation, loss and optimizer kernel
 * against the double-precision references of tests/ref, and every reference
 * backward against central finite differences of its forward.
 * Tolerances (device vs reference, |got - ref| <= atol + rtol |ref|) are
 * stated per op; finite differences in double use h = 1e-5 and must agree
 * to 1e-6 relative. */
#include <math.h>

#include "ops/ops.h"
#include "ref/ref_ops.h"
#include "test_util.h"

#define FD_H 1e-5
#define FD_TOL 1e-6

static asacl_ctx *ctx;
static ref_rng rng = {0x9e3779b97f4a7c15ull};

static double *vec(size_t n, double scale)
{
    double *x = calloc(n ? n : 1, sizeof *x);
    ref_fill(&rng, x, n, scale);
    return x;
}

static tensor T_(cl_mem m, size_t n)
{
    tensor t = {m, 0, n};
    return t;
}

/* The reference gradient against finite differences of f. */
static void check_fd(const char *what, ref_scalar_fn f, void *user, double *x, size_t n,
                     const double *analytic)
{
    double *fd = malloc(n * sizeof *fd);
    ref_fd_grad(f, user, x, n, FD_H, fd);
    char name[128];
    snprintf(name, sizeof name, "%s: reference vs finite diff.", what);
    test_compare_d(name, analytic, fd, n, FD_TOL, FD_TOL);
    free(fd);
}

/* ---- dropout -------------------------------------------------------------- */

static void test_dropout(void)
{
    enum { N = 20000 };
    const float p = 0.3f;
    double *x = vec(N, 1.0), *want = malloc(N * sizeof *want), *got = malloc(N * sizeof *got);
    cl_mem mx = test_upload(ctx, x, N), my = test_upload(ctx, x, N);
    op_rng r = {0x1234, 0xabcd, 7, 3, 0};
    CHECK_OK(op_dropout_forward(ctx, T_(my, N), T_(mx, N), p, r));
    test_download(ctx, my, 0, N, got);
    size_t kept = 0;
    for (size_t i = 0; i < N; i++) {
        double f = ref_dropout_factor(r.seed_lo, r.seed_hi, r.step, r.site, p, i);
        want[i] = (double)(float)x[i] * f;
        kept += f != 0;
    }
    test_compare_d("dropout: mask and scale as the host Philox", got, want, N, 0, 1e-7);
    CHECK(fabs((double)kept / N - 0.7) < 0.02, "kept fraction %.4f, want 0.7", (double)kept / N);
    /* Another site: an independent mask (agreement near p^2 + (1-p)^2 = 0.58). */
    size_t agree = 0;
    for (size_t i = 0; i < N; i++)
        agree += (ref_dropout_factor(r.seed_lo, r.seed_hi, r.step, 4, p, i) != 0) ==
                 (ref_dropout_factor(r.seed_lo, r.seed_hi, r.step, 3, p, i) != 0);
    CHECK(fabs((double)agree / N - 0.58) < 0.02, "agreement of two sites %.4f, want 0.58",
          (double)agree / N);
    /* An offset into the stream (a micro-batch's place in its step's batch):
     * element i draws the factor of element off + i, at every phase of the
     * Philox groups of four. */
    /* ... and where the group index passes 2^32 (its high word carries) */
    static const cl_ulong offs[] = {1, 2, 3, 4, 4001, (4ull << 32) - 40, (4ull << 32) - 42};
    for (size_t k = 0; k < sizeof offs / sizeof offs[0]; k++) {
        op_rng ro = r;
        ro.off = offs[k];
        CHECK_OK(op_dropout_forward(ctx, T_(my, N), T_(mx, N), p, ro));
        test_download(ctx, my, 0, N, got);
        for (size_t i = 0; i < N; i++)
            want[i] = (double)(float)x[i] *
                      ref_dropout_factor(r.seed_lo, r.seed_hi, r.step, r.site, p, ro.off + i);
        char what[64];
        snprintf(what, sizeof what, "dropout at stream offset %llu", (unsigned long long)ro.off);
        test_compare_d(what, got, want, N, 0, 1e-7);
    }
    /* p = 0 is the identity; in place works. */
    CHECK_OK(op_dropout_forward(ctx, T_(mx, N), T_(mx, N), 0.0f, r));
    test_download(ctx, mx, 0, N, got);
    for (size_t i = 0; i < N; i++) want[i] = (float)x[i];
    test_compare_d("dropout p=0 in place is the identity", got, want, N, 0, 0);
    rt_buffer_release(&mx);
    rt_buffer_release(&my);
    free(x);
    free(want);
    free(got);
}

/* ---- embeddings ----------------------------------------------------------------- */

enum { EB = 3, ET = 5, ED = 24, EV = 11, ETY = 2, EN = EB * ET, EPOS = 8 };

typedef struct emb_case {
    const int *ids, *segs;
    const double *dy;
    const int *posids; /* NULL: position n % T (BERT) */
} emb_case;

static void emb_forward(double *out, const double *tables, const emb_case *c)
{
    const double *word = tables, *pos = tables + EV * ED, *type = pos + EPOS * ED;
    for (int n = 0; n < EN; n++)
        for (int k = 0; k < ED; k++)
            out[n * ED + k] = word[c->ids[n] * ED + k] +
                              pos[(c->posids ? c->posids[n] : n % ET) * ED + k] +
                              type[c->segs[n] * ED + k];
}

static double emb_loss(const double *tables, void *u)
{
    const emb_case *c = u;
    double out[EN * ED], s = 0;
    emb_forward(out, tables, c);
    for (int i = 0; i < EN * ED; i++) s += out[i] * c->dy[i];
    return s;
}

static void test_embedding(void)
{
    const int ids[EN] = {2, 5, 5, 9, 0, 1, 2, 0, 0, 0, 10, 2, 3, 0, 0};
    const int segs[EN] = {0, 0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 1, 1, 0, 0};
    const size_t nt = (EV + EPOS + ETY) * ED;
    double *tables = vec(nt, 1.0), *dy = vec(EN * ED, 1.0);
    double want[EN * ED], got[EN * ED];
    emb_case c = {ids, segs, dy, NULL};
    emb_forward(want, tables, &c);

    cl_mem mt = test_upload(ctx, tables, nt), mg = test_upload(ctx, tables, nt);
    cl_mem mids = test_upload_i(ctx, ids, EN), msegs = test_upload_i(ctx, segs, EN);
    cl_mem mout = test_upload(ctx, want, EN * ED), mdy = test_upload(ctx, dy, EN * ED);
    tensor word = {mt, 0, EV * ED}, pos = {mt, EV * ED, EPOS * ED},
           type = {mt, (EV + EPOS) * ED, ETY * ED};
    tensor no_pos = {mids, 0, 0}; /* BERT: position n % T */
    CHECK_OK(op_embedding_forward(ctx, T_(mout, EN * ED), T_(mids, EN), T_(msegs, EN), no_pos, word,
                                  pos, type, EN, ET, ED));
    test_download(ctx, mout, 0, EN * ED, got);
    test_compare_d("embedding_forward (atol 1e-6)", got, want, EN * ED, 1e-6, 1e-6);

    /* Backward: analytic reference is the finite difference of the forward
     * (exact for a linear map), except the padding row (id 0) gets nothing. */
    double *fd = malloc(nt * sizeof *fd), *g0 = malloc(nt * sizeof *g0), *gd = malloc(nt * sizeof *gd);
    ref_fd_grad(emb_loss, &c, tables, nt, 0.5, fd);
    for (int k = 0; k < ED; k++) fd[0 * ED + k] = 0; /* padding id 0 */
    int order[EN], starts[EN + 1], uniq[EN], count[EV + 1];
    size_t nu = embedding_group(ids, EN, 0, order, starts, uniq, count, EV);
    CHECK(nu == 6, "6 distinct non-padding ids, got %zu", nu);
    cl_mem mo = test_upload_i(ctx, order, EN), ms = test_upload_i(ctx, starts, EN + 1),
           mu = test_upload_i(ctx, uniq, EN);
    embedding_groups g = {T_(mo, EN), T_(ms, EN + 1), T_(mu, EN), nu};
    for (size_t i = 0; i < nt; i++) g0[i] = 0.25; /* gradients accumulate onto this */
    cl_mem mgrad = test_upload(ctx, g0, nt);
    tensor dword = {mgrad, 0, EV * ED}, dpos = {mgrad, EV * ED, EPOS * ED},
           dtype = {mgrad, (EV + EPOS) * ED, ETY * ED};
    CHECK_OK(op_embedding_backward(ctx, dword, dpos, dtype, T_(mdy, EN * ED), T_(msegs, EN), &g,
                                   NULL, EB, ET, ED, ETY));
    test_download(ctx, mgrad, 0, nt, gd);
    for (size_t i = 0; i < nt; i++) fd[i] += 0.25;
    test_compare_d("embedding_backward += (atol 1e-5)", gd, fd, nt, 1e-5, 1e-5);
    /* Deterministic: a second run from the same start gives the same bits. */
    double *gd2 = malloc(nt * sizeof *gd2);
    rt_buffer_release(&mgrad);
    mgrad = test_upload(ctx, g0, nt);
    dword.buf = dpos.buf = dtype.buf = mgrad;
    CHECK_OK(op_embedding_backward(ctx, dword, dpos, dtype, T_(mdy, EN * ED), T_(msegs, EN), &g,
                                   NULL, EB, ET, ED, ETY));
    test_download(ctx, mgrad, 0, nt, gd2);
    CHECK(memcmp(gd, gd2, nt * sizeof *gd) == 0, "embedding_backward is bit-reproducible");
    cl_mem all[] = {mt, mg, mids, msegs, mout, mdy, mo, ms, mu, mgrad};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) rt_buffer_release(&all[i]);
    free(tables);
    free(dy);
    free(fd);
    free(g0);
    free(gd);
    free(gd2);
}

/* RoBERTa's explicit position ids: pad (id 0 here) + 1 + the running count
 * of non-pad ids, a pad gets position 0; the position rows are grouped like
 * the word rows and row 0 (padding_idx) gets no gradient. */
static void test_embedding_positions(void)
{
    const int ids[EN] = {2, 5, 5, 9, 0, 1, 2, 0, 0, 0, 10, 2, 3, 4, 0};
    const int segs[EN] = {0};
    int posids[EN];
    for (int b = 0; b < EB; b++)
        for (int t = 0, count = 0; t < ET; t++) {
            count += ids[b * ET + t] != 0;
            posids[b * ET + t] = ids[b * ET + t] != 0 ? count : 0;
        }
    const size_t nt = (EV + EPOS + ETY) * ED;
    double *tables = vec(nt, 2.0), *dy = vec(EN * ED, 3.0);
    double want[EN * ED], got[EN * ED];
    emb_case c = {ids, segs, dy, posids};
    emb_forward(want, tables, &c);
    cl_mem mt = test_upload(ctx, tables, nt);
    cl_mem mids = test_upload_i(ctx, ids, EN), msegs = test_upload_i(ctx, segs, EN),
           mpos = test_upload_i(ctx, posids, EN);
    cl_mem mout = test_upload(ctx, want, EN * ED), mdy = test_upload(ctx, dy, EN * ED);
    tensor word = {mt, 0, EV * ED}, pos = {mt, EV * ED, EPOS * ED},
           type = {mt, (EV + EPOS) * ED, ETY * ED};
    CHECK_OK(op_embedding_forward(ctx, T_(mout, EN * ED), T_(mids, EN), T_(msegs, EN), T_(mpos, EN),
                                  word, pos, type, EN, ET, ED));
    test_download(ctx, mout, 0, EN * ED, got);
    test_compare_d("embedding_forward, explicit positions (atol 1e-6)", got, want, EN * ED, 1e-6, 1e-6);

    double *fd = malloc(nt * sizeof *fd), *gd = malloc(nt * sizeof *gd);
    ref_fd_grad(emb_loss, &c, tables, nt, 0.5, fd);
    for (int k = 0; k < ED; k++) fd[k] = fd[EV * ED + k] = 0; /* padding rows: word 0, position 0 */
    int order[EN], starts[EN + 1], uniq[EN], count[EV + 1], porder[EN], pstarts[EN + 1], puniq[EN];
    size_t nu = embedding_group(ids, EN, 0, order, starts, uniq, count, EV);
    size_t np = embedding_group(posids, EN, 0, porder, pstarts, puniq, count, EPOS);
    CHECK(np == 4, "positions 1..4 used, got %zu distinct", np);
    cl_mem mo = test_upload_i(ctx, order, EN), ms = test_upload_i(ctx, starts, EN + 1),
           mu = test_upload_i(ctx, uniq, EN), mpo = test_upload_i(ctx, porder, EN),
           mps = test_upload_i(ctx, pstarts, EN + 1), mpu = test_upload_i(ctx, puniq, EN);
    embedding_groups g = {T_(mo, EN), T_(ms, EN + 1), T_(mu, EN), nu},
                     pg = {T_(mpo, EN), T_(mps, EN + 1), T_(mpu, EN), np};
    double *zero = calloc(nt, sizeof *zero);
    cl_mem mgrad = test_upload(ctx, zero, nt);
    tensor dword = {mgrad, 0, EV * ED}, dpos = {mgrad, EV * ED, EPOS * ED},
           dtype = {mgrad, (EV + EPOS) * ED, ETY * ED};
    CHECK_OK(op_embedding_backward(ctx, dword, dpos, dtype, T_(mdy, EN * ED), T_(msegs, EN), &g, &pg,
                                   EB, ET, ED, ETY));
    test_download(ctx, mgrad, 0, nt, gd);
    test_compare_d("embedding_backward, explicit positions vs finite differences", gd, fd, nt, 1e-5,
                   1e-5);
    cl_mem all[] = {mt, mids, msegs, mpos, mout, mdy, mo, ms, mu, mpo, mps, mpu, mgrad};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) rt_buffer_release(&all[i]);
    free(tables);
    free(dy);
    free(fd);
    free(gd);
    free(zero);
}

/* ---- layernorm ------------------------------------------------------------------ */

enum { LN_N = 7, LN_D = 24 };

typedef struct ln_case {
    double *x, *gamma, *beta, *dy;
    int which; /* 0 x, 1 gamma, 2 beta */
} ln_case;

static double ln_loss(const double *v, void *u)
{
    ln_case *c = u;
    double y[LN_N * LN_D], s = 0;
    ref_layernorm_forward(y, NULL, NULL, c->which == 0 ? v : c->x, c->which == 1 ? v : c->gamma,
                          c->which == 2 ? v : c->beta, LN_N, LN_D, 1e-12);
    for (int i = 0; i < LN_N * LN_D; i++) s += y[i] * c->dy[i];
    return s;
}

static void test_layernorm(void)
{
    const size_t n = LN_N * LN_D;
    double *x = vec(n, 2.0), *gamma = vec(LN_D, 0.5), *beta = vec(LN_D, 0.5), *dy = vec(n, 1.0);
    for (int c = 0; c < LN_D; c++) gamma[c] += 1.0;
    for (int c = 0; c < LN_D; c++) x[c] += 3.0; /* a row with a large mean */
    double y[LN_N * LN_D], mean[LN_N], rstd[LN_N], got[LN_N * LN_D];
    ref_layernorm_forward(y, mean, rstd, x, gamma, beta, LN_N, LN_D, 1e-12);
    double dx[LN_N * LN_D], dgamma[LN_D] = {0}, dbeta[LN_D] = {0};
    ref_layernorm_backward(dx, dgamma, dbeta, dy, x, gamma, LN_N, LN_D, 1e-12);
    ln_case c = {x, gamma, beta, dy, 0};
    check_fd("layernorm dx", ln_loss, &c, x, n, dx);
    c.which = 1;
    check_fd("layernorm dgamma", ln_loss, &c, gamma, LN_D, dgamma);
    c.which = 2;
    check_fd("layernorm dbeta", ln_loss, &c, beta, LN_D, dbeta);

    double params[2 * LN_D];
    memcpy(params, gamma, sizeof(double) * LN_D);
    memcpy(params + LN_D, beta, sizeof(double) * LN_D);
    cl_mem mx = test_upload(ctx, x, n), mp = test_upload(ctx, params, 2 * LN_D),
           my = test_upload(ctx, x, n), mdy = test_upload(ctx, dy, n),
           mdx = test_upload(ctx, dy, n), mstat = test_upload(ctx, x, 2 * LN_N);
    double zeros[2 * LN_D] = {0};
    cl_mem mg = test_upload(ctx, zeros, 2 * LN_D);
    tensor tg = {mp, 0, LN_D}, tb = {mp, LN_D, LN_D}, tmean = {mstat, 0, LN_N},
           trstd = {mstat, LN_N, LN_N};
    CHECK_OK(op_layernorm_forward(ctx, T_(my, n), tmean, trstd, T_(mx, n), tg, tb, LN_N, LN_D,
                                  1e-12f));
    test_download(ctx, my, 0, n, got);
    test_compare_d("layernorm_forward y (atol 1e-5, rtol 1e-5)", got, y, n, 1e-5, 1e-5);
    test_download(ctx, mstat, 0, LN_N, got);
    test_compare_d("layernorm_forward mean", got, mean, LN_N, 1e-6, 1e-6);
    test_download(ctx, mstat, LN_N, LN_N, got);
    test_compare_d("layernorm_forward rstd", got, rstd, LN_N, 1e-6, 1e-5);
    tensor dg = {mg, 0, LN_D}, db = {mg, LN_D, LN_D};
    CHECK_OK(op_layernorm_backward(ctx, T_(mdx, n), dg, db, T_(mdy, n), T_(mx, n), tmean, trstd,
                                   tg, LN_N, LN_D, 0));
    test_download(ctx, mdx, 0, n, got);
    test_compare_d("layernorm_backward dx (atol 1e-5, rtol 1e-4)", got, dx, n, 1e-5, 1e-4);
    test_download(ctx, mg, 0, LN_D, got);
    test_compare_d("layernorm_backward dgamma", got, dgamma, LN_D, 1e-5, 1e-4);
    test_download(ctx, mg, LN_D, LN_D, got);
    test_compare_d("layernorm_backward dbeta", got, dbeta, LN_D, 1e-5, 1e-4);
    /* accumulate = 1 adds onto dx. */
    CHECK_OK(op_layernorm_backward(ctx, T_(mdx, n), dg, db, T_(mdy, n), T_(mx, n), tmean, trstd,
                                   tg, LN_N, LN_D, 1));
    test_download(ctx, mdx, 0, n, got);
    for (size_t i = 0; i < n; i++) dx[i] *= 2;
    test_compare_d("layernorm_backward accumulate", got, dx, n, 2e-5, 1e-4);
    cl_mem all[] = {mx, mp, my, mdy, mdx, mstat, mg};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) rt_buffer_release(&all[i]);
    free(x);
    free(gamma);
    free(beta);
    free(dy);
}

/* ---- gelu, pooler (tanh), bias, residual ------------------------------------------------------- */

typedef struct pointwise_case {
    double (*f)(double);
    const double *dy;
} pointwise_case;

static double pointwise_loss(const double *x, void *u)
{
    pointwise_case *c = u;
    double s = 0;
    for (int i = 0; i < 5 * 40; i++) s += c->f(x[i]) * c->dy[i];
    return s;
}

static void test_gelu_and_pooler(void)
{
    enum { R = 5, C = 40, N = R * C };
    double *x = vec(N, 4.0), *bias = vec(C, 1.0), *dy = vec(N, 1.0);
    double pre[N], act[N], dpre[N], got[N];
    for (int i = 0; i < N; i++) {
        pre[i] = x[i] + (double)(float)bias[i % C];
        act[i] = ref_gelu(pre[i]);
        dpre[i] = dy[i] * ref_gelu_grad(pre[i]);
    }
    pointwise_case c = {ref_gelu, dy};
    check_fd("gelu'", pointwise_loss, &c, pre, N, dpre);
    cl_mem mpre = test_upload(ctx, x, N), mact = test_upload(ctx, x, N),
           mb = test_upload(ctx, bias, C), mdy = test_upload(ctx, dy, N);
    CHECK_OK(op_gelu_forward(ctx, T_(mact, N), T_(mpre, N), T_(mb, C), R, C));
    test_download(ctx, mact, 0, N, got);
    test_compare_d("gelu_forward act (atol 1e-6, rtol 1e-5)", got, act, N, 1e-6, 1e-5);
    test_download(ctx, mpre, 0, N, got);
    test_compare_d("gelu_forward keeps pre + bias", got, pre, N, 1e-6, 1e-6);
    CHECK_OK(op_gelu_backward(ctx, T_(mdy, N), T_(mdy, N), T_(mpre, N), N)); /* in place */
    test_download(ctx, mdy, 0, N, got);
    test_compare_d("gelu_backward (atol 1e-6, rtol 1e-5)", got, dpre, N, 1e-6, 1e-5);

    /* pooler: y = tanh(x + b); dpre = dy (1 - y^2). */
    double y[N], dp[N];
    for (int i = 0; i < N; i++) {
        pre[i] = (double)(float)x[i] + (double)(float)bias[i % C];
        y[i] = tanh(pre[i]);
        dp[i] = dy[i] * (1 - y[i] * y[i]);
    }
    c.f = tanh;
    check_fd("tanh'", pointwise_loss, &c, pre, N, dp);
    cl_mem my = test_upload(ctx, x, N);
    rt_buffer_release(&mdy);
    mdy = test_upload(ctx, dy, N);
    CHECK_OK(op_pooler_forward(ctx, T_(my, N), T_(mb, C), R, C));
    test_download(ctx, my, 0, N, got);
    test_compare_d("pooler_forward tanh (atol 1e-6, rtol 1e-5)", got, y, N, 1e-6, 1e-5);
    CHECK_OK(op_pooler_backward(ctx, T_(mdy, N), T_(mdy, N), T_(my, N), N));
    test_download(ctx, mdy, 0, N, got);
    test_compare_d("pooler_backward (atol 1e-6, rtol 1e-5)", got, dp, N, 1e-6, 1e-5);
    cl_mem all[] = {mpre, mact, mb, mdy, my};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) rt_buffer_release(&all[i]);
    free(x);
    free(bias);
    free(dy);
}

/* bias_forward and bias_backward on an R x C matrix with row stride LD
 * against double sums. C >= 64 takes 64-column work-groups (the global size
 * rounded up: the kernels must skip the columns past C and leave the row
 * stride's tail alone); bias_backward sums eight columns per work-item, so
 * 20 and 131 columns also take its one-by-one tail. */
static void check_bias(int R, int C, int LD, const char *what)
{
    double *y = vec((size_t)(R * LD), 1.0), *bias = vec((size_t)C, 1.0);
    double *want = malloc((size_t)(R * LD) * sizeof *want), *got = malloc((size_t)(R * LD) * sizeof *got),
           *db = malloc((size_t)C * sizeof *db);
    for (int r = 0; r < R; r++)
        for (int c = 0; c < LD; c++)
            want[r * LD + c] = (double)(float)y[r * LD + c] + (c < C ? (double)(float)bias[c] : 0);
    cl_mem my = test_upload(ctx, y, (size_t)(R * LD)), mb = test_upload(ctx, bias, (size_t)C);
    CHECK_OK(op_bias_forward(ctx, T_(my, (size_t)(R * LD)), (size_t)LD, T_(mb, (size_t)C), (size_t)R, (size_t)C));
    test_download(ctx, my, 0, (size_t)(R * LD), got);
    char label[96];
    snprintf(label, sizeof label, "bias_forward, %s", what);
    test_compare_d(label, got, want, (size_t)(R * LD), 1e-6, 1e-6);
    for (int c = 0; c < C; c++) {
        db[c] = (double)(float)bias[c];
        for (int r = 0; r < R; r++) db[c] += (double)(float)y[r * LD + c];
    }
    rt_buffer_release(&my);
    my = test_upload(ctx, y, (size_t)(R * LD));
    CHECK_OK(op_bias_backward(ctx, T_(mb, (size_t)C), T_(my, (size_t)(R * LD)), (size_t)LD, (size_t)R, (size_t)C));
    test_download(ctx, mb, 0, (size_t)C, got);
    snprintf(label, sizeof label, "bias_backward += column sums, %s", what);
    test_compare_d(label, got, db, (size_t)C, 1e-5, 1e-5);
    rt_buffer_release(&my);
    rt_buffer_release(&mb);
    free(y), free(bias), free(want), free(got), free(db);
}

static void test_bias_and_residual(void)
{
    enum { R = 9, C = 20, LD = 26 };
    check_bias(R, C, LD, "row stride > width");
    check_bias(7, 131, 140, "131 columns");
    double *y = vec(R * LD, 1.0), *bias = vec(C, 1.0), *resid = vec(R * C, 1.0);
    double want[R * LD], got[R * LD];
    cl_mem my, mb;
    /* residual: out = resid + dropout(y + b); dy = dropout(dout). */
    const float p = 0.25f;
    op_rng r = {11, 22, 3, 9, 3}; /* at stream offset 3 */
    mb = test_upload(ctx, bias, C);
    cl_mem mr = test_upload(ctx, resid, R * C), mo = test_upload(ctx, resid, R * C);
    my = test_upload(ctx, y, R * C);
    for (int i = 0; i < R * C; i++) {
        double f = ref_dropout_factor(r.seed_lo, r.seed_hi, r.step, r.site, p, r.off + i);
        want[i] = (double)(float)resid[i] +
                  ((double)(float)y[i] + (double)(float)bias[i % C]) * f;
    }
    CHECK_OK(op_residual_forward(ctx, T_(mo, R * C), T_(mr, R * C), T_(my, R * C), T_(mb, C), R,
                                 C, p, r));
    test_download(ctx, mo, 0, R * C, got);
    test_compare_d("residual_forward with dropout", got, want, R * C, 1e-6, 1e-6);
    CHECK_OK(op_residual_backward(ctx, T_(mo, R * C), T_(mr, R * C), p, r));
    test_download(ctx, mo, 0, R * C, got);
    for (int i = 0; i < R * C; i++)
        want[i] = (double)(float)resid[i] *
                  ref_dropout_factor(r.seed_lo, r.seed_hi, r.step, r.site, p, r.off + i);
    test_compare_d("residual_backward = dropout of dout", got, want, R * C, 1e-6, 1e-6);
    cl_mem all[] = {my, mb, mr, mo};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) rt_buffer_release(&all[i]);
    free(y);
    free(bias);
    free(resid);
}

/* ---- fused: bias + dropout + residual + LayerNorm -------------------------------- */

/* 3 row chunks; rows straddle Philox groups of four. The row length is a
 * parameter: the kernels have a float8 path for rows of a multiple of 8. */
enum { RL_N = 70, RL_DMAX = 136 };
static int rl_d;

typedef struct rl_case {
    double *x, *resid, *gamma, *beta, *bias, *factor, *dy;
    int which; /* 0 x, 1 resid, 2 gamma, 3 beta, 4 bias */
} rl_case;

static double rl_loss(const double *v, void *u)
{
    rl_case *c = u;
    static double y[RL_N * RL_DMAX], res[RL_N * RL_DMAX];
    ref_residual_layernorm_forward(y, res, c->which == 1 ? v : c->resid, c->which == 0 ? v : c->x,
                                   c->which == 2 ? v : c->gamma, c->which == 3 ? v : c->beta,
                                   c->which == 4 ? v : c->bias, c->factor, RL_N, rl_d, 1e-12);
    double s = 0;
    for (int i = 0; i < RL_N * rl_d; i++) s += y[i] * c->dy[i];
    return s;
}

/* Rounds a double array to float precision (the device's inputs). */
static void to_float(double *x, size_t n)
{
    for (size_t i = 0; i < n; i++) x[i] = (double)(float)x[i];
}

static void test_residual_layernorm(int D, cl_ulong off)
{
    enum { N = RL_N };
    const int ND = N * D;
    rl_d = D;
    printf("residual_layernorm: rows of %d, stream offset %llu\n", D, (unsigned long long)off);
    const float p = 0.2f, eps = 1e-12f;
    op_rng r = {77, 88, 5, 2, off};
    double *x = vec(ND, 1.0), *resid = vec(ND, 2.0), *dy = vec(ND, 1.0),
           *params = vec(3 * D, 0.5), *factor = malloc(ND * sizeof *factor);
    to_float(x, ND);
    to_float(resid, ND);
    to_float(dy, ND);
    for (int c = 0; c < D; c++) params[c] += 1.0; /* gamma | beta | bias */
    to_float(params, 3 * D);
    for (int i = 0; i < ND; i++)
        factor[i] = ref_dropout_factor(r.seed_lo, r.seed_hi, r.step, r.site, p, r.off + i);
    double *gamma = params, *beta = params + D, *bias = params + 2 * D;
    double *y = malloc(ND * sizeof *y), *res = malloc(ND * sizeof *res),
           *got = malloc(ND * sizeof *got), *got2 = malloc(ND * sizeof *got2);
    ref_residual_layernorm_forward(y, res, resid, x, gamma, beta, bias, factor, N, D, eps);
    double *dres = malloc(ND * sizeof *dres), *dbranch = malloc(ND * sizeof *dbranch);
    double dpar[3 * RL_DMAX];
    memset(dpar, 0, sizeof dpar);
    ref_residual_layernorm_backward(dres, dbranch, dpar, dpar + D, dpar + 2 * D, dy, res, gamma,
                                    factor, N, D, eps);
    /* The reference backward against finite differences of its forward. */
    rl_case c = {x, resid, gamma, beta, bias, factor, dy, 0};
    check_fd("residual_layernorm d x (= dbranch)", rl_loss, &c, x, ND, dbranch);
    c.which = 1;
    check_fd("residual_layernorm d resid (= dres)", rl_loss, &c, resid, ND, dres);
    c.which = 2;
    check_fd("residual_layernorm dgamma", rl_loss, &c, gamma, D, dpar);
    c.which = 3;
    check_fd("residual_layernorm dbeta", rl_loss, &c, beta, D, dpar + D);
    c.which = 4;
    check_fd("residual_layernorm dbias", rl_loss, &c, bias, D, dpar + 2 * D);

    /* Device: the fused forward against the reference and the unfused kernels. */
    cl_mem mx = test_upload(ctx, x, ND), mr = test_upload(ctx, resid, ND),
           mp = test_upload(ctx, params, 3 * D), mres = test_upload(ctx, x, ND),
           my = test_upload(ctx, x, ND), mstat = test_upload(ctx, x, 2 * N),
           mres2 = test_upload(ctx, x, ND), my2 = test_upload(ctx, x, ND),
           mstat2 = test_upload(ctx, x, 2 * N);
    tensor tg = {mp, 0, D}, tb = {mp, D, D}, tbias = {mp, 2 * D, D};
    tensor mean = {mstat, 0, N}, rstd = {mstat, N, N}, mean2 = {mstat2, 0, N},
           rstd2 = {mstat2, N, N};
    /* res aliasing x, as the model calls it */
    CHECK_OK(op_residual_layernorm_forward(ctx, T_(my, ND), mean, rstd, T_(mres, ND), T_(mr, ND),
                                           T_(mres, ND), tg, tb, tbias, N, D, eps, p, r));
    test_download(ctx, my, 0, ND, got);
    test_compare_d("residual_layernorm_forward y (atol 1e-5, rtol 1e-5)", got, y, ND, 1e-5, 1e-5);
    test_download(ctx, mres, 0, ND, got);
    test_compare_d("residual_layernorm_forward res (atol 1e-6)", got, res, ND, 1e-6, 1e-6);
    CHECK_OK(op_residual_forward(ctx, T_(mres2, ND), T_(mr, ND), T_(mx, ND), tbias, N, D, p, r));
    CHECK_OK(op_layernorm_forward(ctx, T_(my2, ND), mean2, rstd2, T_(mres2, ND), tg, tb, N, D, eps));
    test_download(ctx, my2, 0, ND, got2);
    test_download(ctx, my, 0, ND, got);
    test_compare_d("residual_layernorm_forward = residual + layernorm kernels", got, got2, ND,
                   1e-6, 1e-6);
    double st[2 * N], st2[2 * N];
    test_download(ctx, mstat, 0, 2 * N, st);
    test_download(ctx, mstat2, 0, 2 * N, st2);
    test_compare_d("residual_layernorm_forward mean, rstd = layernorm's", st, st2, 2 * N, 1e-6,
                   1e-6);

    /* The fused backward against the reference and the unfused kernels;
     * gradients accumulate onto 0.5. */
    double half[3 * RL_DMAX];
    for (int i = 0; i < 3 * D; i++) half[i] = 0.5;
    cl_mem mdy = test_upload(ctx, dy, ND), mdres = test_upload(ctx, dy, ND),
           mdbr = test_upload(ctx, dy, ND), mg = test_upload(ctx, half, 3 * D),
           mdres2 = test_upload(ctx, dy, ND), mdbr2 = test_upload(ctx, dy, ND),
           mg2 = test_upload(ctx, half, 3 * D);
    tensor dg = {mg, 0, D}, db = {mg, D, D}, dbias = {mg, 2 * D, D};
    CHECK_OK(op_residual_layernorm_backward(ctx, T_(mdres, ND), T_(mdbr, ND), dg, db, dbias,
                                            T_(mdy, ND), T_(mres, ND), mean, rstd, tg, N, D, p, r));
    test_download(ctx, mdres, 0, ND, got);
    test_compare_d("residual_layernorm_backward dres (atol 1e-5, rtol 1e-4)", got, dres, ND, 1e-5,
                   1e-4);
    test_download(ctx, mdbr, 0, ND, got);
    test_compare_d("residual_layernorm_backward dbranch (atol 1e-5, rtol 1e-4)", got, dbranch, ND,
                   1e-5, 1e-4);
    double gp[3 * RL_DMAX], gp2[3 * RL_DMAX];
    for (int i = 0; i < 3 * D; i++) dpar[i] += 0.5;
    test_download(ctx, mg, 0, 3 * D, gp);
    test_compare_d("residual_layernorm_backward dgamma, dbeta, dbias +=", gp, dpar, 3 * D, 1e-4,
                   1e-4);
    CHECK_OK(op_layernorm_backward(ctx, T_(mdres2, ND), T_(mg2, D), tensor_at(T_(mg2, 3 * D), D, D),
                                   T_(mdy, ND), T_(mres, ND), mean, rstd, tg, N, D, 0));
    CHECK_OK(op_residual_backward(ctx, T_(mdbr2, ND), T_(mdres2, ND), p, r));
    CHECK_OK(op_bias_backward(ctx, tensor_at(T_(mg2, 3 * D), 2 * D, D), T_(mdbr2, ND), D, N, D));
    test_download(ctx, mdbr2, 0, ND, got2);
    test_download(ctx, mdbr, 0, ND, got);
    test_compare_d("residual_layernorm_backward dbranch = unfused kernels'", got, got2, ND, 1e-6,
                   1e-6);
    test_download(ctx, mg2, 0, 3 * D, gp2);
    test_compare_d("residual_layernorm_backward parameter sums = unfused kernels'", gp, gp2, 3 * D,
                   1e-6, 1e-6);
    /* Deterministic: a second run from the same start gives the same bits. */
    rt_buffer_release(&mg);
    mg = test_upload(ctx, half, 3 * D);
    dg.buf = db.buf = dbias.buf = mg;
    CHECK_OK(op_residual_layernorm_backward(ctx, T_(mdres, ND), T_(mdbr, ND), dg, db, dbias,
                                            T_(mdy, ND), T_(mres, ND), mean, rstd, tg, N, D, p, r));
    double gp3[3 * RL_DMAX];
    test_download(ctx, mg, 0, 3 * D, gp3);
    CHECK(memcmp(gp, gp3, 3 * D * sizeof gp[0]) == 0, "residual_layernorm_backward is bit-reproducible");
    /* p = 0: no dropout, dbranch = dres. */
    CHECK_OK(op_residual_layernorm_backward(ctx, T_(mdres, ND), T_(mdbr, ND), dg, db, dbias,
                                            T_(mdy, ND), T_(mres, ND), mean, rstd, tg, N, D, 0.0f, r));
    test_download(ctx, mdres, 0, ND, got);
    test_download(ctx, mdbr, 0, ND, got2);
    test_compare_d("residual_layernorm_backward p=0: dbranch = dres", got2, got, ND, 0, 0);

    cl_mem all[] = {mx, mr, mp, mres, my, mstat, mres2, my2, mstat2,
                    mdy, mdres, mdbr, mg, mdres2, mdbr2, mg2};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) rt_buffer_release(&all[i]);
    free(x);
    free(resid);
    free(dy);
    free(params);
    free(factor);
    free(y);
    free(res);
    free(got);
    free(got2);
    free(dres);
    free(dbranch);
}

/* ---- fused: GELU backward + bias gradient ---------------------------------------- */

typedef struct gb_case {
    const double *x, *dy;
    size_t R, C;
} gb_case;

static double gb_loss(const double *bias, void *u)
{
    gb_case *c = u;
    double s = 0;
    for (size_t i = 0; i < c->R * c->C; i++) s += ref_gelu(c->x[i] + bias[i % c->C]) * c->dy[i];
    return s;
}

static void test_gelu_bias_backward(void)
{
    enum { R = 75, C = 30, N = R * C }; /* 3 row chunks */
    double *x = vec(N, 3.0), *bias = vec(C, 1.0), *dy = vec(N, 1.0);
    to_float(x, N);
    to_float(bias, C);
    to_float(dy, N);
    double *pre = malloc(N * sizeof *pre), *dpre = malloc(N * sizeof *dpre),
           *got = malloc(N * sizeof *got), *got2 = malloc(N * sizeof *got2);
    double db[C];
    for (int c = 0; c < C; c++) db[c] = 0.25;
    for (int i = 0; i < N; i++) {
        pre[i] = x[i] + bias[i % C];
        dpre[i] = dy[i] * ref_gelu_grad(pre[i]);
    }
    double dbias_only[C] = {0};
    for (int i = 0; i < N; i++) dbias_only[i % C] += dpre[i];
    gb_case gc = {x, dy, R, C};
    check_fd("gelu + bias: dbias", gb_loss, &gc, bias, C, dbias_only);
    for (int c = 0; c < C; c++) db[c] += dbias_only[c];

    /* gelu_forward where F is not a multiple of the vector width. */
    {
        double *act = malloc(N * sizeof *act);
        for (int i = 0; i < N; i++) act[i] = ref_gelu(pre[i]);
        cl_mem fx = test_upload(ctx, x, N), fa = test_upload(ctx, x, N), fb = test_upload(ctx, bias, C);
        CHECK_OK(op_gelu_forward(ctx, T_(fa, N), T_(fx, N), T_(fb, C), R, C));
        test_download(ctx, fa, 0, N, got);
        test_compare_d("gelu_forward act, F = 30 (atol 1e-6, rtol 1e-5)", got, act, N, 1e-6, 1e-5);
        test_download(ctx, fx, 0, N, got);
        test_compare_d("gelu_forward keeps pre + bias, F = 30", got, pre, N, 1e-6, 1e-6);
        rt_buffer_release(&fx);
        rt_buffer_release(&fa);
        rt_buffer_release(&fb);
        free(act);
    }
    double quarter[C];
    for (int c = 0; c < C; c++) quarter[c] = 0.25;
    cl_mem mpre = test_upload(ctx, pre, N), mdy = test_upload(ctx, dy, N),
           mdb = test_upload(ctx, quarter, C), mdy2 = test_upload(ctx, dy, N),
           mdb2 = test_upload(ctx, quarter, C);
    CHECK_OK(op_gelu_bias_backward(ctx, T_(mdy, N), T_(mdb, C), T_(mdy, N), T_(mpre, N), R, C));
    test_download(ctx, mdy, 0, N, got);
    test_compare_d("gelu_bias_backward dpre (atol 1e-6, rtol 1e-5)", got, dpre, N, 1e-6, 1e-5);
    double gdb[C], gdb2[C];
    test_download(ctx, mdb, 0, C, gdb);
    test_compare_d("gelu_bias_backward dbias += (atol 1e-5, rtol 1e-5)", gdb, db, C, 1e-5, 1e-5);
    CHECK_OK(op_gelu_backward(ctx, T_(mdy2, N), T_(mdy2, N), T_(mpre, N), N));
    CHECK_OK(op_bias_backward(ctx, T_(mdb2, C), T_(mdy2, N), C, R, C));
    test_download(ctx, mdy2, 0, N, got2);
    test_compare_d("gelu_bias_backward dpre = gelu_backward's", got, got2, N, 1e-7, 1e-7);
    test_download(ctx, mdb2, 0, C, gdb2);
    test_compare_d("gelu_bias_backward dbias = bias_backward's", gdb, gdb2, C, 1e-6, 1e-6);
    cl_mem all[] = {mpre, mdy, mdb, mdy2, mdb2};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) rt_buffer_release(&all[i]);
    free(x);
    free(bias);
    free(dy);
    free(pre);
    free(dpre);
    free(got);
    free(got2);
}

/* ---- losses ------------------------------------------------------------------------ */

enum { LB = 4, LC = 5 };
static const int labels[LB] = {0, 4, 2, 2};

static double ce_loss(const double *z, void *u)
{
    (void)u;
    double s = 0;
    for (int b = 0; b < LB; b++) s += ref_cross_entropy(z + b * LC, LC, labels[b], NULL);
    return s / LB;
}

static double mse_loss(const double *z, void *u)
{
    const double *t = u;
    double s = 0;
    for (int b = 0; b < LB; b++) s += (z[b] - t[b]) * (z[b] - t[b]);
    return s / LB;
}

static void test_losses(void)
{
    double *z = vec(LB * LC, 3.0), loss[LB], dz[LB * LC], got[LB * LC];
    z[LC + 4] = 30.0; /* a confident row: logsumexp must not overflow */
    for (int b = 0; b < LB; b++) {
        loss[b] = ref_cross_entropy(z + b * LC, LC, labels[b], dz + b * LC);
        for (int c = 0; c < LC; c++) dz[b * LC + c] /= LB;
    }
    check_fd("cross-entropy dz", ce_loss, NULL, z, LB * LC, dz);
    cl_mem mz = test_upload(ctx, z, LB * LC), ml = test_upload_i(ctx, labels, LB),
           mloss = test_upload(ctx, z, LB), mdz = test_upload(ctx, z, LB * LC);
    CHECK_OK(op_cross_entropy_forward(ctx, T_(mloss, LB), T_(mz, LB * LC), T_(ml, LB), LB, LC));
    test_download(ctx, mloss, 0, LB, got);
    test_compare_d("cross_entropy_forward (atol 1e-6, rtol 1e-6)", got, loss, LB, 1e-6, 1e-6);
    CHECK_OK(op_cross_entropy_backward(ctx, T_(mdz, LB * LC), T_(mz, LB * LC), T_(ml, LB), LB,
                                       LC, 1.0f / LB, 0));
    test_download(ctx, mdz, 0, LB * LC, got);
    test_compare_d("cross_entropy_backward (atol 1e-7)", got, dz, LB * LC, 1e-7, 1e-6);
    CHECK_OK(op_cross_entropy_backward(ctx, T_(mdz, LB * LC), T_(mz, LB * LC), T_(ml, LB), LB,
                                       LC, 1.0f / LB, 1));
    test_download(ctx, mdz, 0, LB * LC, got);
    for (int i = 0; i < LB * LC; i++) dz[i] *= 2;
    test_compare_d("cross_entropy_backward accumulate", got, dz, LB * LC, 1e-7, 1e-6);

    /* accuracy_forward: argmax (first on ties) against the label, by hand. */
    {
        const double zz[LB * LC] = {1, 5, 2, 0, 0,    /* argmax 1, label 0: wrong */
                                    0, 0, 0, 0, 9,    /* argmax 4, label 4: right */
                                    3, 3, 3, 1, 1,    /* tie: argmax 0, label 2: wrong */
                                    -1, -2, 7, 7, 0}; /* tie: argmax 2, label 2: right */
        const double want_right[LB] = {0, 1, 0, 1};
        double right[LB];
        cl_mem mzz = test_upload(ctx, zz, LB * LC), mr = test_upload(ctx, zz, LB);
        CHECK_OK(op_accuracy_forward(ctx, T_(mr, LB), T_(mzz, LB * LC), T_(ml, LB), LB, LC));
        test_download(ctx, mr, 0, LB, right);
        test_compare_d("accuracy_forward (exact)", right, want_right, LB, 0, 0);
        rt_buffer_release(&mzz);
        rt_buffer_release(&mr);
    }

    /* Mean over the batch through reduce_sum. */
    double mean = 0;
    for (int b = 0; b < LB; b++) mean += loss[b] / LB;
    cl_mem mmean = test_upload(ctx, z, 1);
    CHECK_OK(op_reduce_sum(ctx, T_(mmean, 1), T_(mloss, LB), 1.0f / LB, 0));
    test_download(ctx, mmean, 0, 1, got);
    test_compare_d("reduce_sum: mean of the row losses", got, &mean, 1, 1e-6, 1e-6);

    double t[LB], mloss_ref[LB], mdz_ref[LB];
    ref_fill(&rng, t, LB, 2.0);
    for (int b = 0; b < LB; b++) {
        mloss_ref[b] = ((double)(float)z[b] - (double)(float)t[b]) *
                       ((double)(float)z[b] - (double)(float)t[b]);
        mdz_ref[b] = 2 * ((double)(float)z[b] - (double)(float)t[b]) / LB;
    }
    check_fd("mse dz", mse_loss, t, z, LB, mdz_ref);
    cl_mem mt = test_upload(ctx, t, LB);
    CHECK_OK(op_mse_forward(ctx, T_(mloss, LB), T_(mz, LB), T_(mt, LB), LB));
    test_download(ctx, mloss, 0, LB, got);
    test_compare_d("mse_forward", got, mloss_ref, LB, 1e-6, 1e-6);
    CHECK_OK(op_mse_backward(ctx, T_(mdz, LB), T_(mz, LB), T_(mt, LB), LB, 1.0f / LB, 0));
    test_download(ctx, mdz, 0, LB, got);
    test_compare_d("mse_backward", got, mdz_ref, LB, 1e-6, 1e-6);
    cl_mem all[] = {mz, ml, mloss, mdz, mmean, mt};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) rt_buffer_release(&all[i]);
    free(z);
}

/* ---- reductions, clipping and AdamW ---------------------------------------------------------- */

static void test_adamw(void)
{
    enum { N = 100003, DECAY_END = 60000, OFF = 17 };
    double *p = vec(N + OFF, 1.0), *g = vec(N + OFF, 0.1), *m = vec(N + OFF, 0.01),
           *v = vec(N + OFF, 0.001), *got = malloc((N + OFF) * sizeof *got);
    for (size_t i = 0; i < N + OFF; i++) v[i] = fabs(v[i]);
    /* Gradient norm and clipping coefficient. */
    double ss = 0;
    for (size_t i = OFF; i < N + OFF; i++) ss += (double)(float)g[i] * (double)(float)g[i];
    double norm = sqrt(ss), max_norm = 1.0, coef = fmin(1.0, max_norm / (norm + 1e-6));
    cl_mem mp = test_upload(ctx, p, N + OFF), mg = test_upload(ctx, g, N + OFF),
           mm = test_upload(ctx, m, N + OFF), mv = test_upload(ctx, v, N + OFF),
           ms = test_upload(ctx, p, 4), mpart = test_upload(ctx, p, REDUCE_PARTIALS);
    tensor scalars = {ms, 0, 4}, grads = {mg, OFF, N};
    CHECK_OK(op_reduce_sumsq(ctx, tensor_at(scalars, 1, 1), grads, T_(mpart, REDUCE_PARTIALS)));
    CHECK_OK(op_clip_coefficient(ctx, scalars, 1, 2, (float)max_norm));
    test_download(ctx, ms, 1, 2, got);
    test_compare_d("gradient norm (rtol 1e-5)", got, &norm, 1, 0, 1e-5);
    test_compare_d("clip coefficient", got + 1, &coef, 1, 0, 1e-5);
    CHECK(coef < 0.2, "the test gradient is large enough to be clipped (coef %g)", coef);

    /* Two AdamW steps with clipping, checked against the formula in double. */
    adamw_hparams h = {2e-2f, 0.01f, 0.9f, 0.999f, 1e-8f, 1};
    double *rp = malloc((N + OFF) * sizeof *rp), *rm = malloc((N + OFF) * sizeof *rm),
           *rv = malloc((N + OFF) * sizeof *rv);
    for (size_t i = 0; i < N + OFF; i++) {
        rp[i] = (float)p[i];
        rm[i] = (float)m[i];
        rv[i] = (float)v[i];
    }
    for (long t = 1; t <= 2; t++) {
        h.step = t;
        CHECK_OK(op_adamw_update(ctx, mp, mg, mm, mv, OFF, N, DECAY_END, h, scalars, 2));
        double bc1 = 1 - pow(0.9, (double)t), bc2 = 1 - pow(0.999, (double)t);
        for (size_t i = OFF; i < N + OFF; i++) {
            double gi = (double)(float)g[i] * (float)coef;
            if (i < DECAY_END) rp[i] *= 1 - (double)h.lr * (double)h.weight_decay;
            rm[i] = 0.9 * rm[i] + 0.1 * gi;
            rv[i] = 0.999 * rv[i] + 0.001 * gi * gi;
            rp[i] -= (double)h.lr / bc1 * rm[i] / (sqrt(rv[i]) / sqrt(bc2) + 1e-8);
        }
    }
    test_download(ctx, mp, 0, N + OFF, got);
    test_compare_d("adamw_update params after 2 steps (atol 1e-6, rtol 1e-5)", got, rp, N + OFF,
                   1e-6, 1e-5);
    test_download(ctx, mm, 0, N + OFF, got);
    test_compare_d("adamw_update m", got, rm, N + OFF, 1e-8, 1e-5);
    test_download(ctx, mv, 0, N + OFF, got);
    test_compare_d("adamw_update v", got, rv, N + OFF, 1e-10, 1e-5);
    cl_mem all[] = {mp, mg, mm, mv, ms, mpart};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) rt_buffer_release(&all[i]);
    free(p);
    free(g);
    free(m);
    free(v);
    free(got);
    free(rp);
    free(rm);
    free(rv);
}

int main(void)
{
    ctx = test_ctx();
    test_dropout();
    test_embedding();
    test_embedding_positions();
    test_layernorm();
    test_gelu_and_pooler();
    test_bias_and_residual();
    test_residual_layernorm(22, 6); /* the scalar path */
    test_residual_layernorm(40, 6); /* float8, two Philox groups per chunk */
    test_residual_layernorm(136, 8); /* float8, runs of four chunks: one vector Philox call */
    test_gelu_bias_backward();
    test_losses();
    test_adamw();
    asacl_ctx_destroy(ctx);
    return test_finish("test_ops");
}
