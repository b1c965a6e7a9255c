/* bench_gemm.c -- asacl bench gemm: every GEMM shape of one training step at a
 * model configuration, timed on asacl's own kernels, on CLBlast and, when the
 * tool was built with it, on OpenBLAS's cblas_sgemm on the host. The three
 * take turns (round-robin repetitions) and the median time counts; each
 * result is first checked against the others. */
#define _GNU_SOURCE
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/bench.h"
#include "cli/cli.h"
#include "gemm/gemm.h"
#include "io/config_json.h"

#ifdef ASACL_HAVE_CBLAS
#include <cblas.h>
#endif

enum { OURS, CLBLAST, OPENBLAS, N_IMPL };

/* One product of the training step as the model issues it: `calls` calls in
 * a row (one per sequence for the per-head products), each of `batch`
 * strided products (batched = 1: through gemm_batched). Operand X of call i,
 * entry j starts at ox + i*cx + j*sx. */
typedef struct bprod {
    char role[40];
    gemm_shape s;
    float alpha, beta;
    int batched, tiny;
    size_t batch, calls;
    size_t lda, ldb, ldc;
    size_t oa, ob, oc; /* base offsets */
    size_t sa, sb, sc; /* batch strides */
    size_t ca, cb, cc; /* offsets between calls */
} bprod;

typedef struct model_dims {
    size_t L, D, H, F, C, B, T;
} model_dims;

#define MAX_PRODS 40

typedef struct prod_list {
    bprod p[MAX_PRODS];
    size_t n;
} prod_list;

static bprod *add(prod_list *l, const char *role, int ta, int tb, size_t m, size_t n, size_t k,
                  size_t lda, size_t ldb, size_t ldc, float beta)
{
    bprod *p = &l->p[l->n++];
    memset(p, 0, sizeof *p);
    snprintf(p->role, sizeof p->role, "%s", role);
    gemm_shape s = {ta, tb, m, n, k};
    p->s = s;
    p->alpha = 1.0f, p->beta = beta;
    p->batch = 1, p->calls = 1;
    p->lda = lda, p->ldb = ldb, p->ldc = ldc;
    return p;
}

/* A dense layer y[M, out] = x[M, in] W^T as linear.c computes it: forward
 * (NT), weight gradient dW += dY^T X (TN, K = M), input gradient dX = dY W
 * (NN) when the layer has one. */
static void add_linear(prod_list *l, const char *name, size_t M, size_t in, size_t out,
                       size_t ldx, size_t ldy, int dx, int tiny)
{
    char role[40];
    snprintf(role, sizeof role, "%s forward", name);
    add(l, role, 0, 1, M, out, in, ldx, in, ldy, 0.0f)->tiny = tiny;
    snprintf(role, sizeof role, "%s weight-grad", name);
    add(l, role, 1, 0, out, in, M, ldy, ldx, in, 1.0f)->tiny = tiny;
    if (!dx) return;
    snprintf(role, sizeof role, "%s input-grad", name);
    add(l, role, 0, 0, M, in, out, ldy, in, ldx, 0.0f)->tiny = tiny;
}

static void batched(bprod *p, size_t batch, size_t calls, size_t oa, size_t sa, size_t ca,
                    size_t ob, size_t sb, size_t cb, size_t oc, size_t sc, size_t cc, float alpha)
{
    p->batched = 1, p->batch = batch, p->calls = calls, p->alpha = alpha;
    p->oa = oa, p->sa = sa, p->ca = ca;
    p->ob = ob, p->sb = sb, p->cb = cb;
    p->oc = oc, p->sc = sc, p->cc = cc;
}

/* Every GEMM of one training step (model/linear.c, attention.c, asa.c). */
static void derive(const model_dims *d, prod_list *l)
{
    size_t N = d->B * d->T, D = d->D, T = d->T, H = d->H, hd = D / H, F = d->F, TT = T * T;
    float s_head = (float)(1.0 / sqrt((double)hd)), s_asa = (float)(1.0 / sqrt((double)D));
    l->n = 0;
    add_linear(l, "qkv", N, D, 3 * D, D, 3 * D, 1, 0);
    add_linear(l, "attn-out", N, D, D, D, D, 1, 0);
    add_linear(l, "ffn-up", N, D, F, D, F, 1, 0);
    add_linear(l, "ffn-down", N, F, D, F, D, 1, 0);
    add_linear(l, "adversary", N, D, 2 * D, D, 2 * D, 0, 0);
    add_linear(l, "pooler", d->B, D, D, T * D, D, 1, 1);
    add_linear(l, "classifier", d->B, D, d->C, D, d->C, 1, 1);
    /* Per-head products (plain attention path): per sequence, the H heads
     * as one strided batch; q/k/v interleaved in rows of 3D. */
    batched(add(l, "attn QK^T", 0, 1, T, T, hd, 3 * D, 3 * D, T, 0.0f), H, d->B, 0, hd, T * 3 * D,
            D, hd, T * 3 * D, 0, TT, H * TT, s_head);
    batched(add(l, "attn P.V", 0, 0, T, hd, T, T, 3 * D, D, 0.0f), H, d->B, 0, TT, H * TT, 2 * D,
            hd, T * 3 * D, 0, hd, T * D, 1.0f);
    batched(add(l, "attn dP=dO.V^T", 0, 1, T, T, hd, D, 3 * D, T, 0.0f), H, d->B, 0, hd, T * D,
            2 * D, hd, T * 3 * D, 0, TT, H * TT, 1.0f);
    batched(add(l, "attn dV=P^T.dO", 1, 0, T, hd, T, T, D, 3 * D, 0.0f), H, d->B, 0, TT, H * TT,
            0, hd, T * D, 2 * D, hd, T * 3 * D, 1.0f);
    batched(add(l, "attn dQ=dS.K", 0, 0, T, hd, T, T, 3 * D, 3 * D, 0.0f), H, d->B, 0, TT, H * TT,
            D, hd, T * 3 * D, 0, hd, T * 3 * D, s_head);
    batched(add(l, "attn dK=dS^T.Q", 1, 0, T, hd, T, T, 3 * D, 3 * D, 0.0f), H, d->B, 0, TT,
            H * TT, 0, hd, T * 3 * D, D, hd, T * 3 * D, s_head);
    /* The adversary's scores and their gradients: one batch over sequences. */
    batched(add(l, "asa AQ.AK^T", 0, 1, T, T, D, 2 * D, 2 * D, T, 0.0f), d->B, 1, 0, T * 2 * D, 0,
            D, T * 2 * D, 0, 0, TT, 0, s_asa);
    batched(add(l, "asa dAQ=dA.AK", 0, 0, T, D, T, T, 2 * D, 2 * D, 0.0f), d->B, 1, 0, TT, 0, D,
            T * 2 * D, 0, 0, T * 2 * D, 0, s_asa);
    batched(add(l, "asa dAK=dA^T.AQ", 1, 0, T, D, T, T, 2 * D, 2 * D, 0.0f), d->B, 1, 0, TT, 0, 0,
            T * 2 * D, 0, D, T * 2 * D, 0, s_asa);
}

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

static void sizes(const bprod *p, size_t *na, size_t *nb, size_t *nc)
{
    const gemm_shape *s = &p->s;
    *na = extent(s->trans_a ? s->k : s->m, s->trans_a ? s->m : s->k, p->lda, p->oa, p->sa,
                 p->batch, p->ca, p->calls);
    *nb = extent(s->trans_b ? s->n : s->k, s->trans_b ? s->k : s->n, p->ldb, p->ob, p->sb,
                 p->batch, p->cb, p->calls);
    *nc = extent(s->m, s->n, p->ldc, p->oc, p->sc, p->batch, p->cc, p->calls);
}

static asacl_status run_device(asacl_ctx *ctx, int impl, const bprod *p,
                               const gemm_own_params *own, const operands *o)
{
    for (size_t i = 0; i < p->calls; i++) {
        gemm_mat a = {o->da, p->oa + i * p->ca, p->lda}, b = {o->db, p->ob + i * p->cb, p->ldb},
                 c = {o->dc, p->oc + i * p->cc, p->ldc};
        if (impl == OURS)
            TRY(gemm_own_run(ctx, own, p->s, p->alpha, a, p->sa, b, p->sb, p->beta, c, p->sc,
                             p->batch));
        else
            TRY(gemm_clblast_run(ctx, p->s, p->alpha, a, p->sa, b, p->sb, p->beta, c, p->sc,
                                 p->batch));
    }
    return ASACL_OK;
}

#ifdef ASACL_HAVE_CBLAS
static void run_cblas(const bprod *p, const operands *o, float *c)
{
    enum CBLAS_TRANSPOSE ta = p->s.trans_a ? CblasTrans : CblasNoTrans;
    enum CBLAS_TRANSPOSE tb = p->s.trans_b ? CblasTrans : CblasNoTrans;
    for (size_t i = 0; i < p->calls; i++)
        for (size_t j = 0; j < p->batch; j++)
            cblas_sgemm(CblasRowMajor, ta, tb, (int)p->s.m, (int)p->s.n, (int)p->s.k, p->alpha,
                        o->a + p->oa + i * p->ca + j * p->sa, (int)p->lda,
                        o->b + p->ob + i * p->cb + j * p->sb, (int)p->ldb, p->beta,
                        c + p->oc + i * p->cc + j * p->sc, (int)p->ldc);
}
#endif

/* Seconds for one run of an implementation: wall clock from the first
 * enqueue to clFinish (device), around the calls (OpenBLAS). */
static asacl_status time_once(asacl_ctx *ctx, int impl, const bprod *p,
                              const gemm_own_params *own, operands *o, double *sec)
{
    double t0 = rt_now();
    if (impl == OPENBLAS) {
#ifdef ASACL_HAVE_CBLAS
        run_cblas(p, o, o->c[OPENBLAS]);
#endif
    } else {
        TRY(run_device(ctx, impl, p, own, o));
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

static asacl_status operands_make(asacl_ctx *ctx, const bprod *p, operands *o)
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

typedef struct result {
    double gflops[N_IMPL];
    double diff[N_IMPL]; /* against the reference result */
    int ok;
    gemm_backend profile;
} result;

/* Checks, then times, one product on every implementation. */
static asacl_status bench_one(asacl_ctx *ctx, const bprod *p, int have_cblas, int repeat,
                              result *r)
{
    gemm_choice ch;
    TRY(gemm_choose(ctx, gemm_classify(p->s, p->batched), &ch));
    r->profile = ch.backend;
    operands o;
    asacl_status st = operands_make(ctx, p, &o);
    int n_impl = have_cblas ? N_IMPL : OPENBLAS;
    /* Check run (also builds kernels): every implementation from the same C. */
    for (int i = 0; st == ASACL_OK && i < n_impl; i++) {
        double sec;
        memcpy(o.c[i], o.c0, o.nc * sizeof(float));
        if (i != OPENBLAS) st = rt_upload(ctx, o.dc, 0, o.nc, o.c0);
        if (st == ASACL_OK) st = time_once(ctx, i, p, &ch.own, &o, &sec);
        if (st == ASACL_OK && i != OPENBLAS) st = rt_download(ctx, o.dc, 0, o.nc, o.c[i]);
    }
    int ref = have_cblas ? OPENBLAS : CLBLAST;
    r->ok = 1;
    for (int i = 0; st == ASACL_OK && i < n_impl; i++) {
        r->diff[i] = gemm_max_diff(1, o.nc, o.c[i], o.nc, o.c[ref], o.nc);
        if (!(r->diff[i] <= gemm_tolerance(p->s.k))) r->ok = 0;
    }
    /* Timing: round-robin repetitions, the median counts. */
    double *t = calloc((size_t)repeat * N_IMPL, sizeof *t);
    if (!t && st == ASACL_OK) st = rt_fail(ASACL_ERR_OUT_OF_MEMORY, "benchmark timings");
    for (int k = 0; st == ASACL_OK && k < repeat; k++)
        for (int i = 0; st == ASACL_OK && i < n_impl; i++)
            st = time_once(ctx, i, p, &ch.own, &o, &t[i * repeat + k]);
    double flops = 2.0 * (double)p->s.m * (double)p->s.n * (double)p->s.k * (double)p->batch *
                   (double)p->calls;
    for (int i = 0; st == ASACL_OK && i < N_IMPL; i++) {
        r->gflops[i] = 0;
        if (i >= n_impl) continue;
        qsort(t + i * repeat, (size_t)repeat, sizeof *t, cmp_double);
        double med = repeat % 2 ? t[i * repeat + repeat / 2]
                                : 0.5 * (t[i * repeat + repeat / 2 - 1] + t[i * repeat + repeat / 2]);
        r->gflops[i] = flops / med / 1e9;
    }
    free(t);
    operands_free(&o);
    return st;
}

typedef struct named_config {
    const char *name;
    model_dims d;
} named_config;

static const named_config CONFIGS[] = {
    {"bench", {4, 256, 4, 1024, 2, 32, 128}},
    {"tiny", {2, 64, 4, 128, 2, 16, 32}},
    {"base", {12, 768, 12, 3072, 2, 32, 128}},
};

static void help(void)
{
    printf("usage: asacl bench gemm [--config NAME|FILE] [--repeat N] [options]\n\n"
           "Times every GEMM shape of one training step (dense layers forward, weight and\n"
           "input gradients; per-head attention products; the ASA adversary's products)\n"
           "on asacl's own kernels, on CLBlast and, when asacl was built with it, on\n"
           "OpenBLAS (host). The implementations take turns; each time is the median of\n"
           "the repetitions, measured by the wall clock from the first enqueue to clFinish\n"
           "(OpenBLAS: around its calls). Every result is checked against OpenBLAS's\n"
           "(else CLBlast's) first.\n\n"
           "  --config NAME|FILE  bench (4 layers, hidden 256, 4 heads, FFN 1024, B 32,\n"
           "                      T 128; the default), tiny, base (BERT-base), or a\n"
           "                      config.json (B 32, T 128 unless given)\n"
           "  --batch N, --seq-len N   override B and T\n"
           "  --repeat N          timed repetitions per implementation (default 10)\n"
           "  --device SPEC       device: flat index, P:D or part of a name\n"
           "  -h, --help          this help\n");
}

static const char *op_name(gemm_shape s)
{
    static const char *names[4] = {"NN", "NT", "TN", "TT"};
    return names[(s.trans_a ? 2 : 0) + (s.trans_b ? 1 : 0)];
}

int cmd_bench_gemm(int argc, char **argv)
{
    enum { O_CONFIG = 256, O_REPEAT, O_DEVICE, O_BATCH, O_LEN };
    static const struct option opts[] = {
        {"config", 1, 0, O_CONFIG}, {"repeat", 1, 0, O_REPEAT}, {"device", 1, 0, O_DEVICE},
        {"batch", 1, 0, O_BATCH},   {"seq-len", 1, 0, O_LEN},   {"help", 0, 0, 'h'},
        {0, 0, 0, 0}};
    const char *config = "bench", *device = NULL;
    double repeat = 10, batch = 0, len = 0;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        double *num = c == O_REPEAT ? &repeat : c == O_BATCH ? &batch : c == O_LEN ? &len : NULL;
        if (num && !cli_number(optarg, num))
            return cli_usage_error("bench gemm", "%s: expected a number, got '%s'",
                                   argv[optind - 1], optarg);
        if (c == O_CONFIG)
            config = optarg;
        else if (c == O_DEVICE)
            device = optarg;
        else if (c == 'h') {
            help();
            return CLI_OK;
        } else if (!num)
            return cli_usage_error("bench gemm", "unknown option");
    }
    if (optind < argc)
        return cli_usage_error("bench gemm", "unexpected argument '%s'", argv[optind]);
    if (repeat < 1 || repeat > 100000 || repeat != floor(repeat))
        return cli_usage_error("bench gemm", "--repeat must be a whole number >= 1");
    if (batch < 0 || len < 0 || batch != floor(batch) || len != floor(len))
        return cli_usage_error("bench gemm", "--batch and --seq-len must be whole numbers");

    model_dims d;
    const char *config_name = config;
    size_t i_cfg = 0;
    while (i_cfg < sizeof CONFIGS / sizeof CONFIGS[0] && strcmp(CONFIGS[i_cfg].name, config))
        i_cfg++;
    if (i_cfg < sizeof CONFIGS / sizeof CONFIGS[0]) {
        d = CONFIGS[i_cfg].d;
    } else if (strchr(config, '/') || strstr(config, ".json")) {
        asacl_model_config mc;
        asacl_status st = hfcfg_read(config, &mc);
        if (st != ASACL_OK) return cli_error(st);
        model_dims f = {(size_t)mc.num_hidden_layers, (size_t)mc.hidden_size,
                        (size_t)mc.num_attention_heads, (size_t)mc.intermediate_size,
                        (size_t)mc.num_labels, 32, 128};
        d = f;
    } else {
        return cli_usage_error("bench gemm", "unknown config '%s' (bench, tiny, base or a "
                                             "config.json path)", config);
    }
    if (batch > 0) d.B = (size_t)batch;
    if (len > 0) d.T = (size_t)len;
    cli_log_init(0);

    asacl_ctx_options co;
    asacl_ctx_options_init(&co);
    co.device = device;
    asacl_ctx *ctx = NULL;
    asacl_status st = asacl_ctx_create(&co, &ctx);
    if (st != ASACL_OK) return cli_error(st);
    const asacl_device_info *dev = asacl_ctx_device(ctx);

    static prod_list list;
    derive(&d, &list);
#ifdef ASACL_HAVE_CBLAS
    int have_cblas = 1;
#else
    int have_cblas = 0;
#endif
    printf("device   %s (%s), profile %s\n", dev->name, dev->platform_name,
           asacl_ctx_profile(ctx));
    printf("config   %s: %zu layers, hidden %zu, %zu heads, FFN %zu, %zu labels, batch %zu x "
           "%zu tokens\n",
           config_name, d.L, d.D, d.H, d.F, d.C, d.B, d.T);
#ifdef ASACL_HAVE_CBLAS
    printf("OpenBLAS %s, core %s\n", openblas_get_config(), openblas_get_corename());
    if (!strcmp(openblas_get_corename(), "Prescott"))
        printf("note     OpenBLAS runs its generic Prescott (SSE3) kernels: it did not recognise "
               "this CPU;\n         OPENBLAS_CORETYPE=SKYLAKEX (AVX-512) or HASWELL (AVX2) "
               "gives it a fair chance\n");
#else
    printf("OpenBLAS not built in (install libopenblas-dev and rebuild for that column)\n");
#endif
    printf("timing   wall clock from the first enqueue to clFinish (OpenBLAS: around its "
           "calls);\n         median of %d round-robin repetitions; GFLOPS = 2 M N K x batch "
           "x calls / time\n\n",
           (int)repeat);
    printf("%-22s %5s %5s %5s %2s %7s %7s | %8s %8s %8s | %7s %s\n", "role", "M", "N", "K", "op",
           "batch", "profile", "ours", "CLBlast", "OpenBLAS", "ours/OB", "check");
    double log_sum = 0, log_sum_main = 0, log_sum_clb = 0;
    int n_ratio = 0, n_main = 0, bad = 0;
    for (size_t i = 0; i < list.n && st == ASACL_OK; i++) {
        const bprod *p = &list.p[i];
        result r;
        st = bench_one(ctx, p, have_cblas, (int)repeat, &r);
        if (st != ASACL_OK) break;
        char bc[24];
        if (p->calls > 1)
            snprintf(bc, sizeof bc, "%zux%zu", p->batch, p->calls);
        else
            snprintf(bc, sizeof bc, "%zu", p->batch);
        printf("%-22s %5zu %5zu %5zu %2s %7s %7s | %8.1f %8.1f ", p->role, p->s.m, p->s.n, p->s.k,
               op_name(p->s), bc, r.profile == GEMM_BACKEND_OWN ? "own" : "CLBlast",
               r.gflops[OURS], r.gflops[CLBLAST]);
        if (have_cblas) {
            double ratio = r.gflops[OURS] / r.gflops[OPENBLAS];
            printf("%8.1f | %7.2f ", r.gflops[OPENBLAS], ratio);
            log_sum += log(ratio), n_ratio++;
            if (!p->tiny) log_sum_main += log(ratio), n_main++;
        } else {
            printf("%8s | %7s ", "-", "-");
        }
        log_sum_clb += log(r.gflops[OURS] / r.gflops[CLBLAST]);
        printf("%s%s\n", r.ok ? "ok" : "MISMATCH",
               p->tiny ? " (tiny: launch-bound)" : "");
        if (!r.ok) {
            bad++;
            printf("         max |x - ref| / (1 + |ref|): ours %.3g, CLBlast %.3g (tolerance %.3g)\n",
                   r.diff[OURS], r.diff[CLBLAST], gemm_tolerance(p->s.k));
        }
        fflush(stdout);
    }
    if (st == ASACL_OK) {
        printf("\nbatch AxB: A products per call (strided batch) x B calls (one per sequence)\n");
        printf("geometric mean ours/CLBlast over %zu shapes: %.2f\n", list.n,
               exp(log_sum_clb / (double)list.n));
        if (n_ratio)
            printf("geometric mean ours/OpenBLAS: %.2f over %d shapes without the tiny ones, "
                   "%.2f over all %d\n",
                   exp(log_sum_main / n_main), n_main, exp(log_sum / n_ratio), n_ratio);
        if (bad) printf("%d shapes gave results that disagree\n", bad);
    }
    asacl_ctx_destroy(ctx);
    if (st != ASACL_OK) return cli_error(st);
    return bad ? CLI_FAIL : CLI_OK;
}
