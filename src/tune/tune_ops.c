/* tune_ops.c -- what asacl tune measures: each tunable parameter with the
 * kernels it affects, run at the shapes of a training step. */
#include <stdlib.h>
#include <string.h>

#include "gemm/gemm.h"
#include "model/step_gemms.h"
#include "model/attention.h"
#include "ops/ops.h"
#include "tune/tune.h"

/* Buffers of deterministic pseudo-random floats in [-1, 1). */
static asacl_status random_buffer(asacl_ctx *ctx, size_t n, unsigned seed, cl_mem *out)
{
    float *h = malloc((n ? n : 1) * sizeof *h);
    if (!h) return rt_fail(ASACL_ERR_OUT_OF_MEMORY, "tuning data");
    unsigned long long s = 0x9e3779b97f4a7c15ull * (seed + 1);
    for (size_t i = 0; i < n; i++) {
        s = s * 6364136223846793005ull + 1442695040888963407ull;
        h[i] = (float)((double)(s >> 40) / 8388608.0 - 1.0);
    }
    asacl_status st = rt_buffer_create(ctx, n * sizeof *h, "tuning data", out);
    if (st == ASACL_OK) st = rt_upload(ctx, *out, 0, n, h);
    free(h);
    return st;
}

/* n values spread over a buffer, for checking a candidate's result. */
static asacl_status sample(asacl_ctx *ctx, cl_mem m, size_t len, float *out, size_t n)
{
    for (size_t k = 0; k < n; k++) TRY(rt_download(ctx, m, (k * 7919) % len, 1, out + k));
    return ASACL_OK;
}

static tensor T_(cl_mem m, size_t off, size_t n)
{
    tensor t = {m, off, n};
    return t;
}

#define RELEASE(...)                                              \
    do {                                                          \
        cl_mem *all_[] = {__VA_ARGS__};                           \
        for (size_t i_ = 0; i_ < sizeof all_ / sizeof all_[0]; i_++) rt_buffer_release(all_[i_]); \
    } while (0)

/* LN_WG: the fused residual + LayerNorm pair, as the model runs it at the
 * end of every attention and feed-forward block. */
static asacl_status bench_layernorm(asacl_ctx *ctx, const tune_shape *s, int reps, float *out, size_t n)
{
    size_t N = s->B * s->T, D = s->D;
    cl_mem x = NULL, y = NULL, p = NULL, st = NULL, dx = NULL, g = NULL, res = NULL, db = NULL;
    asacl_status r = random_buffer(ctx, N * D, 1, &x);
    if (r == ASACL_OK) r = random_buffer(ctx, N * D, 2, &y);
    if (r == ASACL_OK) r = random_buffer(ctx, 3 * D, 3, &p);
    if (r == ASACL_OK) r = random_buffer(ctx, 2 * N, 4, &st);
    if (r == ASACL_OK) r = random_buffer(ctx, N * D, 5, &dx);
    if (r == ASACL_OK) r = random_buffer(ctx, 3 * D, 6, &g);
    if (r == ASACL_OK) r = random_buffer(ctx, N * D, 7, &res);
    if (r == ASACL_OK) r = random_buffer(ctx, N * D, 8, &db);
    op_rng rng = {1, 2, 3, 6, 0};
    for (int i = 0; i < reps && r == ASACL_OK; i++) {
        r = op_residual_layernorm_forward(ctx, T_(y, 0, N * D), T_(st, 0, N), T_(st, N, N),
                                          T_(res, 0, N * D), T_(x, 0, N * D), T_(dx, 0, N * D),
                                          T_(p, 0, D), T_(p, D, D), T_(p, 2 * D, D), N, D, 1e-12f,
                                          0.1f, rng);
        if (r == ASACL_OK)
            r = op_residual_layernorm_backward(ctx, T_(dx, 0, N * D), T_(db, 0, N * D),
                                               T_(g, 0, D), T_(g, D, D), T_(g, 2 * D, D),
                                               T_(y, 0, N * D), T_(res, 0, N * D), T_(st, 0, N),
                                               T_(st, N, N), T_(p, 0, D), N, D, 0.1f, rng);
        if (r == ASACL_OK) r = op_scale(ctx, T_(dx, 0, N * D), 0.5f); /* stay bounded */
    }
    if (r == ASACL_OK) r = sample(ctx, db, N * D, out, n);
    RELEASE(&x, &y, &p, &st, &dx, &g, &res, &db);
    return r;
}

static asacl_status bench_gelu(asacl_ctx *ctx, const tune_shape *s, int reps, float *out, size_t n)
{
    size_t N = s->B * s->T, F = s->F;
    cl_mem pre = NULL, act = NULL, b = NULL, db = NULL;
    asacl_status r = random_buffer(ctx, N * F, 1, &pre);
    if (r == ASACL_OK) r = random_buffer(ctx, N * F, 2, &act);
    if (r == ASACL_OK) r = random_buffer(ctx, F, 3, &b);
    if (r == ASACL_OK) r = random_buffer(ctx, F, 4, &db);
    for (int i = 0; i < reps && r == ASACL_OK; i++) {
        /* forward adds the bias to pre; alternate its sign to stay bounded */
        r = op_gelu_forward(ctx, T_(act, 0, N * F), T_(pre, 0, N * F), T_(b, 0, F), N, F);
        if (r == ASACL_OK) r = op_gelu_bias_backward(ctx, T_(act, 0, N * F), T_(db, 0, F), T_(act, 0, N * F), T_(pre, 0, N * F), N, F);
        if (r == ASACL_OK) r = op_scale(ctx, T_(b, 0, F), -1.0f);
    }
    if (r == ASACL_OK) r = sample(ctx, act, N * F, out, n);
    RELEASE(&pre, &act, &b, &db);
    return r;
}

static asacl_status bench_dropout(asacl_ctx *ctx, const tune_shape *s, int reps, float *out, size_t n)
{
    size_t N = s->B * s->T * s->D;
    cl_mem x = NULL, y = NULL;
    asacl_status r = random_buffer(ctx, N, 1, &x);
    if (r == ASACL_OK) r = random_buffer(ctx, N, 2, &y);
    op_rng rng = {1, 2, 3, 4, 0};
    for (int i = 0; i < reps && r == ASACL_OK; i++)
        r = op_dropout_forward(ctx, T_(y, 0, N), T_(x, 0, N), 0.1f, rng);
    if (r == ASACL_OK) r = sample(ctx, y, N, out, n);
    RELEASE(&x, &y);
    return r;
}

static asacl_status bench_residual(asacl_ctx *ctx, const tune_shape *s, int reps, float *out, size_t n)
{
    size_t N = s->B * s->T, D = s->D;
    cl_mem x = NULL, y = NULL, o = NULL, b = NULL;
    asacl_status r = random_buffer(ctx, N * D, 1, &x);
    if (r == ASACL_OK) r = random_buffer(ctx, N * D, 2, &y);
    if (r == ASACL_OK) r = random_buffer(ctx, N * D, 3, &o);
    if (r == ASACL_OK) r = random_buffer(ctx, D, 4, &b);
    op_rng rng = {1, 2, 3, 5, 0};
    for (int i = 0; i < reps && r == ASACL_OK; i++)
        r = op_residual_forward(ctx, T_(o, 0, N * D), T_(x, 0, N * D), T_(y, 0, N * D),
                                T_(b, 0, D), N, D, 0.1f, rng);
    if (r == ASACL_OK) r = sample(ctx, o, N * D, out, n);
    RELEASE(&x, &y, &o, &b);
    return r;
}

static asacl_status bench_bias(asacl_ctx *ctx, const tune_shape *s, int reps, float *out, size_t n)
{
    size_t N = s->B * s->T, C = 3 * s->D;
    cl_mem y = NULL, b = NULL;
    asacl_status r = random_buffer(ctx, N * C, 1, &y);
    if (r == ASACL_OK) r = random_buffer(ctx, C, 2, &b);
    for (int i = 0; i < reps && r == ASACL_OK; i++) {
        r = op_bias_backward(ctx, T_(b, 0, C), T_(y, 0, N * C), C, N, C);
        if (r == ASACL_OK) r = op_scale(ctx, T_(b, 0, C), 1e-3f);
    }
    if (r == ASACL_OK) r = sample(ctx, b, C, out, n);
    RELEASE(&y, &b);
    return r;
}

static asacl_status bench_attention(asacl_ctx *ctx, const tune_shape *s, int reps, float *out, size_t n)
{
    size_t N = s->B * s->T, D = s->D, rows = s->B * s->H * s->T;
    cl_mem qkv = NULL, o = NULL, stats = NULL, dsum = NULL, dqkv = NULL, pad = NULL, dout = NULL;
    asacl_status r = random_buffer(ctx, N * 3 * D, 1, &qkv);
    if (r == ASACL_OK) r = random_buffer(ctx, N * D, 2, &o);
    if (r == ASACL_OK) r = random_buffer(ctx, N * D, 3, &dout);
    if (r == ASACL_OK) r = random_buffer(ctx, 2 * rows, 4, &stats);
    if (r == ASACL_OK) r = random_buffer(ctx, rows, 5, &dsum);
    if (r == ASACL_OK) r = random_buffer(ctx, N * 3 * D, 6, &dqkv);
    if (r == ASACL_OK) r = random_buffer(ctx, N, 7, &pad);
    if (r == ASACL_OK) r = op_fill(ctx, T_(pad, 0, N), 0.0f);
    attn_desc d = {s->B, s->T, s->H, D, T_(pad, 0, N), s->T, 0, 0, 0.1f, {1, 2, 3, 6, 0}};
    for (int i = 0; i < reps && r == ASACL_OK; i++) {
        r = op_attention_forward(ctx, T_(o, 0, N * D), T_(stats, 0, 2 * rows), T_(qkv, 0, 3 * N * D), &d);
        if (r == ASACL_OK)
            r = op_attention_backward(ctx, T_(dqkv, 0, 3 * N * D), T_(pad, 0, 0), T_(dout, 0, N * D),
                                      T_(o, 0, N * D), T_(stats, 0, 2 * rows), T_(dsum, 0, rows),
                                      T_(qkv, 0, 3 * N * D), &d);
    }
    if (r == ASACL_OK) r = sample(ctx, dqkv, 3 * N * D, out, n);
    RELEASE(&qkv, &o, &stats, &dsum, &dqkv, &pad, &dout);
    return r;
}

/* An attention layer's forward and backward by the path the profile picks
 * (attention.PLAIN), as the model runs it. */
static asacl_status bench_attention_path(asacl_ctx *ctx, const tune_shape *s, int reps, float *out,
                                         size_t n)
{
    size_t N = s->B * s->T, D = s->D, rows = s->B * s->H * s->T, sq = rows * s->T;
    int plain = rt_param(ctx, "attention", "PLAIN", 0) != 0;
    cl_mem qkv = NULL, o = NULL, st = NULL, dsum = NULL, dqkv = NULL, pad = NULL, dout = NULL,
           probs = NULL, pdrop = NULL, ds = NULL;
    asacl_status r = random_buffer(ctx, N * 3 * D, 1, &qkv);
    if (r == ASACL_OK) r = random_buffer(ctx, N * D, 2, &o);
    if (r == ASACL_OK) r = random_buffer(ctx, N * D, 3, &dout);
    if (r == ASACL_OK) r = random_buffer(ctx, 2 * rows, 4, &st);
    if (r == ASACL_OK) r = random_buffer(ctx, rows, 5, &dsum);
    if (r == ASACL_OK) r = random_buffer(ctx, N * 3 * D, 6, &dqkv);
    if (r == ASACL_OK) r = random_buffer(ctx, N, 7, &pad);
    if (r == ASACL_OK) r = op_fill(ctx, T_(pad, 0, N), 0.0f);
    if (r == ASACL_OK && plain) r = random_buffer(ctx, sq, 8, &probs);
    if (r == ASACL_OK && plain) r = random_buffer(ctx, sq, 9, &pdrop);
    if (r == ASACL_OK && plain) r = random_buffer(ctx, sq, 10, &ds);
    attn_desc d = {s->B, s->T, s->H, D, T_(pad, 0, N), s->T, 0, 0, 0.1f, {1, 2, 3, 7, 0}};
    tensor tq = T_(qkv, 0, 3 * N * D), to = T_(o, 0, N * D), td = T_(dqkv, 0, 3 * N * D),
           tg = T_(dout, 0, N * D), none = T_(pad, 0, 0);
    for (int i = 0; i < reps && r == ASACL_OK; i++) {
        if (plain) {
            r = attention_plain_forward(ctx, to, T_(probs, 0, sq), T_(pdrop, 0, sq), tq, &d);
            if (r == ASACL_OK)
                r = attention_plain_backward(ctx, td, none, tg, T_(probs, 0, sq), T_(pdrop, 0, sq),
                                             T_(ds, 0, sq), tq, &d);
        } else {
            r = op_attention_forward(ctx, to, T_(st, 0, 2 * rows), tq, &d);
            if (r == ASACL_OK)
                r = op_attention_backward(ctx, td, none, tg, to, T_(st, 0, 2 * rows),
                                          T_(dsum, 0, rows), tq, &d);
        }
    }
    if (r == ASACL_OK) r = sample(ctx, dqkv, 3 * N * D, out, n);
    RELEASE(&qkv, &o, &st, &dsum, &dqkv, &pad, &dout, &probs, &pdrop, &ds);
    return r;
}

static asacl_status bench_reduce(asacl_ctx *ctx, const tune_shape *s, int reps, float *out, size_t n)
{
    cl_mem x = NULL, part = NULL, sc = NULL;
    asacl_status r = random_buffer(ctx, s->params, 1, &x);
    if (r == ASACL_OK) r = random_buffer(ctx, REDUCE_PARTIALS, 2, &part);
    if (r == ASACL_OK) r = random_buffer(ctx, 1, 3, &sc);
    for (int i = 0; i < reps && r == ASACL_OK; i++)
        r = op_reduce_sumsq(ctx, T_(sc, 0, 1), T_(x, 0, s->params), T_(part, 0, REDUCE_PARTIALS));
    for (size_t k = 0; k < n && r == ASACL_OK; k++) r = rt_download(ctx, sc, 0, 1, out + k);
    RELEASE(&x, &part, &sc);
    return r;
}

static asacl_status bench_adamw(asacl_ctx *ctx, const tune_shape *s, int reps, float *out, size_t n)
{
    size_t P = s->params;
    cl_mem p = NULL, g = NULL, m = NULL, v = NULL, sc = NULL;
    asacl_status r = random_buffer(ctx, P, 1, &p);
    if (r == ASACL_OK) r = random_buffer(ctx, P, 2, &g);
    if (r == ASACL_OK) r = random_buffer(ctx, P, 3, &m);
    if (r == ASACL_OK) r = random_buffer(ctx, P, 4, &v);
    if (r == ASACL_OK) r = random_buffer(ctx, 1, 5, &sc);
    if (r == ASACL_OK) r = op_fill(ctx, T_(v, 0, P), 0.0f);
    for (int i = 0; i < reps && r == ASACL_OK; i++) {
        adamw_hparams h = {1e-3f, 0.01f, 0.9f, 0.999f, 1e-8f, i + 1};
        r = op_adamw_update(ctx, p, g, m, v, 0, P, P / 2, h, T_(sc, 0, 1), -1);
    }
    if (r == ASACL_OK) r = sample(ctx, p, P, out, n);
    RELEASE(&p, &g, &m, &v, &sc);
    return r;
}

/* Products of one shape class at the step's shapes, through gemm() (so the
 * profile's backend and parameters for the class apply). */
typedef struct gemm_case {
    int ta, tb;
    size_t m, n, k, batch;
} gemm_case;

/* tiled: run each product on the tiled kernels with its class's parameters
 * (gemm_choose), whatever the class's backend; else through gemm(). */
static asacl_status bench_products(asacl_ctx *ctx, const gemm_case *cases, size_t nc, int tiled,
                                   int reps, float *out, size_t n)
{
    size_t most_a = 0, most_b = 0, most_c = 0;
    for (size_t i = 0; i < nc; i++) {
        const gemm_case *g = &cases[i];
        most_a = g->m * g->k * g->batch > most_a ? g->m * g->k * g->batch : most_a;
        most_b = g->k * g->n * g->batch > most_b ? g->k * g->n * g->batch : most_b;
        most_c = g->m * g->n * g->batch > most_c ? g->m * g->n * g->batch : most_c;
    }
    cl_mem a = NULL, b = NULL, c = NULL;
    asacl_status r = random_buffer(ctx, most_a, 1, &a);
    if (r == ASACL_OK) r = random_buffer(ctx, most_b, 2, &b);
    if (r == ASACL_OK) r = random_buffer(ctx, most_c, 3, &c);
    for (int i = 0; i < reps && r == ASACL_OK; i++)
        for (size_t k = 0; k < nc && r == ASACL_OK; k++) {
            const gemm_case *g = &cases[k];
            gemm_shape sh = {g->ta, g->tb, g->m, g->n, g->k};
            gemm_mat ma = {a, 0, g->ta ? g->m : g->k}, mb = {b, 0, g->tb ? g->k : g->n},
                     mc = {c, 0, g->n};
            gemm_choice ch;
            if (tiled) {
                r = gemm_choose(ctx, gemm_classify(sh, g->batch > 1), &ch);
                char why[256];
                if (r == ASACL_OK && gemm_tiled_invalid(ctx, &ch.tiled, why, sizeof why))
                    r = rt_fail(ASACL_ERR_PROFILE, "tiled GEMM parameters: %s", why);
                if (r == ASACL_OK)
                    r = gemm_tiled_run(ctx, &ch.tiled, sh, 0.5f, ma, g->m * g->k, mb, g->k * g->n,
                                       0.0f, mc, g->m * g->n, g->batch);
            } else {
                r = g->batch > 1 ? gemm_batched(ctx, sh, 0.5f, ma, g->m * g->k, mb, g->k * g->n,
                                                0.0f, mc, g->m * g->n, g->batch)
                                 : gemm(ctx, sh, 0.5f, ma, mb, 0.0f, mc);
            }
        }
    if (r == ASACL_OK) r = sample(ctx, c, most_c, out, n);
    RELEASE(&a, &b, &c);
    return r;
}

/* The largest products of a shape class in a step of these shapes (the
 * one list of model/step_gemms.h), at most `most`, smallest first: the last
 * one fills the sample. */
static size_t class_cases(const tune_shape *s, gemm_class cls, gemm_case *out, size_t most)
{
    asacl_model_config c;
    asacl_model_config_default(&c);
    c.hidden_size = (int)s->D;
    c.num_attention_heads = (int)s->H;
    c.intermediate_size = (int)s->F;
    c.num_hidden_layers = (int)s->L;
    static step_gemm_list l;
    step_gemms(&c, s->B, s->T, &l);
    gemm_case all[STEP_GEMMS_MAX];
    double flops[STEP_GEMMS_MAX];
    size_t n = 0;
    for (size_t i = 0; i < l.n; i++) {
        const step_gemm *p = &l.p[i];
        if (p->tiny || gemm_classify(p->s, p->batched) != cls) continue;
        gemm_case g = {p->s.trans_a, p->s.trans_b, p->s.m, p->s.n, p->s.k, p->batched ? p->batch : 1};
        double f = (double)g.m * (double)g.n * (double)g.k * (double)g.batch;
        size_t j = n++; /* insertion by flops, ascending */
        while (j > 0 && flops[j - 1] > f) {
            all[j] = all[j - 1];
            flops[j] = flops[j - 1];
            j--;
        }
        all[j] = g;
        flops[j] = f;
    }
    size_t k = n < most ? n : most;
    for (size_t i = 0; i < k; i++) out[i] = all[n - k + i];
    return k;
}

static asacl_status bench_class(asacl_ctx *ctx, const tune_shape *s, gemm_class cls, size_t most,
                                int reps, float *out, size_t n)
{
    gemm_case g[STEP_GEMMS_MAX];
    size_t nc = class_cases(s, cls, g, most);
    if (nc == 0) return rt_fail(ASACL_ERR_INTERNAL, "tune: no products of GEMM class %d", (int)cls);
    return bench_products(ctx, g, nc, 0, reps, out, n);
}

/* The tiled kernels themselves, whatever the classes' backends: the largest
 * products of every class a step has (two each, three batched), each with
 * its class's tiled parameters; the sample is of the last product. */
static asacl_status bench_tiled(asacl_ctx *ctx, const tune_shape *s, int reps, float *out, size_t n)
{
    static const gemm_class classes[] = {GEMM_CLASS_NN, GEMM_CLASS_TN, GEMM_CLASS_BATCHED,
                                         GEMM_CLASS_NT};
    gemm_case g[4 * STEP_GEMMS_MAX];
    size_t nc = 0;
    for (size_t i = 0; i < sizeof classes / sizeof classes[0]; i++)
        nc += class_cases(s, classes[i], g + nc, classes[i] == GEMM_CLASS_BATCHED ? 3 : 2);
    if (nc == 0) return rt_fail(ASACL_ERR_INTERNAL, "tune: no GEMM products");
    return bench_products(ctx, g, nc, 1, reps, out, n);
}

static asacl_status bench_nt(asacl_ctx *ctx, const tune_shape *s, int reps, float *out, size_t n)
{
    return bench_class(ctx, s, GEMM_CLASS_NT, 2, reps, out, n);
}

static asacl_status bench_nn(asacl_ctx *ctx, const tune_shape *s, int reps, float *out, size_t n)
{
    return bench_class(ctx, s, GEMM_CLASS_NN, 2, reps, out, n);
}

static asacl_status bench_tn(asacl_ctx *ctx, const tune_shape *s, int reps, float *out, size_t n)
{
    return bench_class(ctx, s, GEMM_CLASS_TN, 2, reps, out, n);
}

static asacl_status bench_batched(asacl_ctx *ctx, const tune_shape *s, int reps, float *out, size_t n)
{
    return bench_class(ctx, s, GEMM_CLASS_BATCHED, 3, reps, out, n);
}

/* CLBlast itself, whatever the classes' backends: forward and weight-gradient
 * products through gemm_clblast_run (the profile's CLBLAST_* sets apply). */
static asacl_status bench_clblast(asacl_ctx *ctx, const tune_shape *s, int reps, float *out, size_t n)
{
    size_t N = s->B * s->T;
    gemm_case g[] = {{1, 0, s->F, s->D, N, 1}, {0, 1, N, s->F, s->D, 1}};
    size_t most = N * s->F > s->F * s->D ? N * s->F : s->F * s->D;
    cl_mem a = NULL, b = NULL, c = NULL;
    asacl_status r = random_buffer(ctx, N * s->F, 1, &a);
    if (r == ASACL_OK) r = random_buffer(ctx, N * s->D, 2, &b);
    if (r == ASACL_OK) r = random_buffer(ctx, most, 3, &c);
    for (int i = 0; i < reps && r == ASACL_OK; i++)
        for (size_t k = 0; k < 2 && r == ASACL_OK; k++) {
            gemm_shape sh = {g[k].ta, g[k].tb, g[k].m, g[k].n, g[k].k};
            gemm_mat ma = {a, 0, g[k].ta ? g[k].m : g[k].k}, mb = {b, 0, g[k].tb ? g[k].k : g[k].n},
                     mc = {c, 0, g[k].n};
            r = gemm_clblast_run(ctx, sh, 0.5f, ma, 0, mb, 0, 0.0f, mc, 0, 1);
        }
    if (r == ASACL_OK) r = sample(ctx, c, N * s->D, out, n);
    RELEASE(&a, &b, &c);
    return r;
}

#define END (-1)

const tune_param tune_params[] = {
    /* GEMM first: the largest share of a step. The tiled kernels' parameters
     * (searched only where the profile's tuning.space lists candidates: the
     * GPU profiles), then the backends, then the own kernels' tiles. */
    {"gemm", "TILED_MWG", {END}, 64, 0, bench_tiled},
    {"gemm", "TILED_NWG", {END}, 64, 0, bench_tiled},
    {"gemm", "TILED_KWG", {END}, 16, 0, bench_tiled},
    {"gemm", "TILED_MDIMC", {END}, 16, 0, bench_tiled},
    {"gemm", "TILED_NDIMC", {END}, 16, 0, bench_tiled},
    {"gemm", "TILED_VW", {END}, 4, 0, bench_tiled},
    {"gemm", "TILED_PAD", {END}, 1, 0, bench_tiled},
    {"gemm", "NT_BACKEND", {0, 1, END}, -1, 0, bench_nt},
    {"gemm", "NN_BACKEND", {0, 1, END}, -1, 0, bench_nn},
    {"gemm", "TN_BACKEND", {0, 1, END}, -1, 0, bench_tn},
    {"gemm", "BATCHED_BACKEND", {0, 1, END}, -1, 0, bench_batched},
    {"gemm", "TILE_VW", {16, 8, 4, END}, -1, 0, bench_nt},
    {"gemm", "TILE_RM", {2, 4, 6, 8, 10, 12, 14, END}, -1, 0, bench_nt},
    {"gemm", "TILE_NV", {1, 2, 4, END}, -1, 0, bench_nt},
    {"gemm", "NT_KC", {64, 128, 256, 512, 1024, END}, -1, 0, bench_nt},
    {"gemm", "NN_KC", {64, 128, 256, 512, 1024, END}, -1, 0, bench_nn},
    {"gemm", "TN_KC", {32, 64, 128, 256, 512, END}, -1, 0, bench_tn},
    {"gemm", "TN_PACK_A", {0, 1, 2, END}, -1, 0, bench_tn},
    {"gemm", "TN_PACK_B", {1, 0, END}, -1, 0, bench_tn},
    {"gemm", "TN_ORDER", {0, 1, 2, END}, -1, 0, bench_tn},
    {"gemm", "NN_PACK_B", {1, 0, END}, -1, 0, bench_nn},
    {"gemm", "TN_SPLIT", {1, 2, 4, 8, END}, -1, 0, bench_tn},
    /* the weight gradients' own tile height (TILE_RM when absent): their M
     * is a layer width, often a multiple of 8 that 10 or 14 rows do not divide */
    {"gemm", "TN_RM", {4, 6, 8, 10, 12, 14, END}, -1, 0, bench_tn},
    {"gemm", "BATCHED_RM", {4, 6, 8, 10, 12, END}, -1, 0, bench_batched},
    /* CLBlast's kernel parameters, searched only where a class uses CLBlast. */
    {"gemm", "CLBLAST_XGEMM", {0, 1, 2, 3, 4, END}, -1, 0, bench_clblast},
    {"gemm", "CLBLAST_DIRECT", {0, 1, 2, END}, -1, 0, bench_clblast},
    {"attention", "PLAIN", {0, 1, END}, 0, 0, bench_attention_path},
    {"layernorm", "LN_WG", {1, 2, 4, 8, 16, 32, 64, 128, 256, END}, 64, 1, bench_layernorm},
    {"attention", "WGS", {1, 2, 4, 8, 16, 32, 64, 128, END}, 64, 1, bench_attention},
    {"gelu", "WGS", {1, 8, 16, 32, 64, 128, 256, END}, 64, 1, bench_gelu},
    {"dropout", "WGS", {1, 8, 16, 32, 64, 128, 256, END}, 64, 1, bench_dropout},
    {"residual", "WGS", {1, 8, 16, 32, 64, 128, 256, END}, 64, 1, bench_residual},
    {"bias", "WGS", {1, 8, 16, 32, 64, 128, 256, END}, 64, 1, bench_bias},
    {"reduce", "RED_WG", {16, 32, 64, 128, 256, END}, 64, 1, bench_reduce},
    {"adamw", "WGS", {8, 16, 32, 64, 128, 256, END}, 64, 1, bench_adamw},
    {NULL, NULL, {END}, 0, 0, NULL},
};
