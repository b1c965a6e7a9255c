/* gemm_bench.c -- asacl_bench_gemm (include/asacl.h): every product of a
 * training step (model/step_gemms.h) on asacl's own kernels, its tiled
 * kernels, CLBlast and a caller's host baseline. The implementations take turns (round-robin
 * repetitions) and the median time counts (for own / host: the median of
 * back-to-back pairs' ratios); each result is first checked
 * against the reference (the host baseline, else CLBlast). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gemm/gemm.h"
#include "model/step_gemms.h"

enum { OURS, TILED, CLBLAST, OPENBLAS, N_IMPL }; /* OPENBLAS: the host baseline */

typedef struct host_fn {
    asacl_host_gemm fn;
    void *user;
} host_fn;

/* Floats an operand needs: rows x cols at ld, `batch` entries, `calls` calls. */
static size_t extent(size_t rows, size_t cols, size_t ld, size_t off, size_t stride,
                     size_t batch, size_t call_step, size_t calls)
{
    return off + (calls - 1) * call_step + (batch - 1) * stride + (rows - 1) * ld + cols;
}

typedef struct operands {
    size_t na, nb, nc;
    float *a, *b, *c0, *c[N_IMPL];
    cl_mem da, db, dc;
} operands;

static void sizes(const step_gemm *p, size_t *na, size_t *nb, size_t *nc)
{
    const gemm_shape *s = &p->s;
    *na = extent(s->trans_a ? s->k : s->m, s->trans_a ? s->m : s->k, p->lda, p->oa, p->sa,
                 p->batch, p->ca, p->calls);
    *nb = extent(s->trans_b ? s->n : s->k, s->trans_b ? s->k : s->n, p->ldb, p->ob, p->sb,
                 p->batch, p->cb, p->calls);
    *nc = extent(s->m, s->n, p->ldc, p->oc, p->sc, p->batch, p->cc, p->calls);
}

static asacl_status run_device(asacl_ctx *ctx, int impl, const step_gemm *p,
                               const gemm_choice *ch, const operands *o)
{
    const gemm_own_params *own = &ch->own;
    gemm_mat a = {o->da, p->oa, p->lda}, b = {o->db, p->ob, p->ldb}, c = {o->dc, p->oc, p->ldc};
    if (p->calls > 1) { /* a two-level batch in one launch, as the model issues it */
        gemm_stride sa = {p->ca, p->sa}, sb = {p->cb, p->sb}, sc = {p->cc, p->sc};
        if (impl == OURS)
            return gemm_own_run2(ctx, own, p->s, p->alpha, a, sa, b, sb, p->beta, c, sc, p->calls,
                                 p->batch);
        if (impl == TILED)
            return gemm_tiled_run2(ctx, &ch->tiled, p->s, p->alpha, a, sa, b, sb, p->beta, c, sc,
                                   p->calls, p->batch);
        return gemm_clblast_run2(ctx, p->s, p->alpha, a, sa, b, sb, p->beta, c, sc, p->calls,
                                 p->batch);
    }
    if (impl == OURS)
        return gemm_own_run(ctx, own, p->s, p->alpha, a, p->sa, b, p->sb, p->beta, c, p->sc,
                            p->batch);
    if (impl == TILED)
        return gemm_tiled_run(ctx, &ch->tiled, p->s, p->alpha, a, p->sa, b, p->sb, p->beta, c,
                              p->sc, p->batch);
    return gemm_clblast_run(ctx, p->s, p->alpha, a, p->sa, b, p->sb, p->beta, c, p->sc, p->batch);
}

static void run_host(const host_fn *h, const step_gemm *p, const operands *o, float *c)
{
    for (size_t i = 0; i < p->calls; i++)
        for (size_t j = 0; j < p->batch; j++)
            h->fn(p->s.trans_a, p->s.trans_b, (int)p->s.m, (int)p->s.n, (int)p->s.k, p->alpha,
                  o->a + p->oa + i * p->ca + j * p->sa, (int)p->lda,
                  o->b + p->ob + i * p->cb + j * p->sb, (int)p->ldb, p->beta,
                  c + p->oc + i * p->cc + j * p->sc, (int)p->ldc, h->user);
}

/* Seconds for one run of an implementation: wall clock from the first
 * enqueue to clFinish (device), around the calls (OpenBLAS). */
static asacl_status time_once(asacl_ctx *ctx, const host_fn *h, int impl, const step_gemm *p,
                              const gemm_choice *ch, operands *o, double *sec)
{
    double t0 = rt_now();
    if (impl == OPENBLAS) {
        run_host(h, p, o, o->c[OPENBLAS]);
    } else {
        TRY(run_device(ctx, impl, p, ch, o));
        TRY(asacl_ctx_finish(ctx));
    }
    *sec = rt_now() - t0;
    return ASACL_OK;
}

static float uniform(unsigned long long *s)
{
    *s = *s * 6364136223846793005ull + 1442695040888963407ull;
    return (float)((double)(*s >> 40) / 16777216.0 * 2.0 - 1.0);
}

static asacl_status operands_make(asacl_ctx *ctx, const step_gemm *p, operands *o)
{
    memset(o, 0, sizeof *o);
    sizes(p, &o->na, &o->nb, &o->nc);
    o->a = malloc(o->na * sizeof(float));
    o->b = malloc(o->nb * sizeof(float));
    o->c0 = malloc(o->nc * sizeof(float));
    for (int i = 0; i < N_IMPL; i++) o->c[i] = malloc(o->nc * sizeof(float));
    for (int i = 0; i < N_IMPL; i++)
        if (!o->c[i]) return rt_fail(ASACL_ERR_OUT_OF_MEMORY, "benchmark operands");
    if (!o->a || !o->b || !o->c0) return rt_fail(ASACL_ERR_OUT_OF_MEMORY, "benchmark operands");
    unsigned long long s = 42;
    for (size_t i = 0; i < o->na; i++) o->a[i] = uniform(&s);
    for (size_t i = 0; i < o->nb; i++) o->b[i] = uniform(&s);
    for (size_t i = 0; i < o->nc; i++) o->c0[i] = uniform(&s);
    TRY(rt_buffer_create(ctx, o->na * sizeof(float), "benchmark A", &o->da));
    TRY(rt_buffer_create(ctx, o->nb * sizeof(float), "benchmark B", &o->db));
    TRY(rt_buffer_create(ctx, o->nc * sizeof(float), "benchmark C", &o->dc));
    TRY(rt_upload(ctx, o->da, 0, o->na, o->a));
    return rt_upload(ctx, o->db, 0, o->nb, o->b);
}

static void operands_free(operands *o)
{
    free(o->a);
    free(o->b);
    free(o->c0);
    for (int i = 0; i < N_IMPL; i++) free(o->c[i]);
    rt_buffer_release(&o->da);
    rt_buffer_release(&o->db);
    rt_buffer_release(&o->dc);
}

static int cmp_double(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return a < b ? -1 : a > b;
}

/* The median of n sorted values. */
static double median_sorted(const double *v, int n)
{
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

typedef struct result {
    double gflops[N_IMPL];
    double own_over_host; /* median over repetitions of host time / own time */
    double diff[N_IMPL]; /* against the reference result */
    int ok;
    gemm_backend profile;
} result;

/* Checks, then times, one product on every implementation. */
static asacl_status bench_one(asacl_ctx *ctx, const step_gemm *p, const host_fn *h, int repeat,
                              result *r)
{
    gemm_choice ch;
    TRY(gemm_choose(ctx, gemm_classify(p->s, p->batched), &ch));
    r->profile = ch.backend;
    operands o;
    asacl_status st = operands_make(ctx, p, &o);
    int have_cblas = h->fn != NULL, n_impl = have_cblas ? N_IMPL : OPENBLAS;
    /* Check run (also builds kernels): every implementation from the same C. */
    for (int i = 0; st == ASACL_OK && i < n_impl; i++) {
        double sec;
        memcpy(o.c[i], o.c0, o.nc * sizeof(float));
        if (i != OPENBLAS) st = rt_upload(ctx, o.dc, 0, o.nc, o.c0);
        if (st == ASACL_OK) st = time_once(ctx, h, i, p, &ch, &o, &sec);
        if (st == ASACL_OK && i != OPENBLAS) st = rt_download(ctx, o.dc, 0, o.nc, o.c[i]);
    }
    int ref = have_cblas ? OPENBLAS : CLBLAST;
    r->ok = 1;
    for (int i = 0; st == ASACL_OK && i < n_impl; i++) {
        r->diff[i] = gemm_max_diff(1, o.nc, o.c[i], o.nc, o.c[ref], o.nc);
        if (!(r->diff[i] <= gemm_tolerance(p->s.k))) r->ok = 0;
    }
    /* Timing: round-robin repetitions, the median counts. Within a
     * repetition the own kernels and the host baseline run back to back,
     * in alternating order, so that each pair shares the machine's state
     * (on a shared machine the load moves between repetitions); the ratio
     * of the two is the median of the pairs' ratios. */
    double *t = calloc((size_t)repeat * (N_IMPL + 1), sizeof *t);
    if (!t && st == ASACL_OK) st = rt_fail(ASACL_ERR_OUT_OF_MEMORY, "benchmark timings");
    double *pair = t + (size_t)repeat * N_IMPL;
    for (int k = 0; st == ASACL_OK && k < repeat; k++) {
        static const int orders[2][N_IMPL] = {{OURS, OPENBLAS, TILED, CLBLAST},
                                              {OPENBLAS, OURS, TILED, CLBLAST}};
        for (int j = 0; st == ASACL_OK && j < N_IMPL; j++) {
            int i = orders[k % 2][j];
            if (i < n_impl) st = time_once(ctx, h, i, p, &ch, &o, &t[i * repeat + k]);
        }
        if (have_cblas) pair[k] = t[OPENBLAS * repeat + k] / t[OURS * repeat + k];
    }
    r->own_over_host = 0;
    if (st == ASACL_OK && have_cblas) {
        qsort(pair, (size_t)repeat, sizeof *pair, cmp_double);
        r->own_over_host = median_sorted(pair, repeat);
    }
    double flops = 2.0 * (double)p->s.m * (double)p->s.n * (double)p->s.k * (double)p->batch *
                   (double)p->calls;
    for (int i = 0; st == ASACL_OK && i < N_IMPL; i++) {
        r->gflops[i] = 0;
        if (i >= n_impl) continue;
        qsort(t + i * repeat, (size_t)repeat, sizeof *t, cmp_double);
        r->gflops[i] = flops / median_sorted(t + i * repeat, repeat) / 1e9;
    }
    free(t);
    operands_free(&o);
    return st;
}

static const char *op_name(gemm_shape s)
{
    static const char *names[4] = {"NN", "NT", "TN", "TT"};
    return names[(s.trans_a ? 2 : 0) + (s.trans_b ? 1 : 0)];
}

asacl_status asacl_bench_gemm(asacl_ctx *ctx, const asacl_model_config *c, size_t B, size_t T,
                              const asacl_gemm_bench_options *o)
{
    if (!ctx || !c || !o || B < 1 || T < 1 || o->repeat < 1)
        return rt_fail(ASACL_ERR_INVALID_ARG, "asacl_bench_gemm: NULL argument or empty shape");
    TRY(asacl_model_config_check(c));
    static step_gemm_list list; /* large; the benchmark is not re-entrant anyway */
    step_gemms(c, B, T, &list);
    host_fn h = {o->host, o->host_user};
    for (size_t i = 0; i < list.n; i++) {
        const step_gemm *p = &list.p[i];
        result r;
        TRY(bench_one(ctx, p, &h, o->repeat, &r));
        asacl_gemm_bench_row row;
        memset(&row, 0, sizeof row);
        snprintf(row.role, sizeof row.role, "%s", p->role);
        row.m = p->s.m, row.n = p->s.n, row.k = p->s.k;
        snprintf(row.op, sizeof row.op, "%s", op_name(p->s));
        row.batch = p->batch, row.calls = p->calls;
        row.launch_bound = p->tiny;
        row.profile_own = r.profile == GEMM_BACKEND_OWN;
        row.profile_backend = (int)r.profile;
        row.gflops_tiled = r.gflops[TILED];
        row.diff_tiled = r.diff[TILED];
        row.gflops_own = r.gflops[OURS];
        row.gflops_clblast = r.gflops[CLBLAST];
        row.gflops_host = r.gflops[OPENBLAS];
        row.own_over_host = r.own_over_host;
        row.diff_own = r.diff[OURS];
        row.diff_clblast = r.diff[CLBLAST];
        row.tolerance = gemm_tolerance(p->s.k);
        row.ok = r.ok;
        if (o->row) o->row(&row, o->user);
    }
    return ASACL_OK;
}
