/* gemm.c -- the GEMM interface: picks a backend per shape class from the
 * device profile and dispatches; result checks for the tuner and benchmark.
 *
 * Profile keys (devices/README.md), all in "kernels": {"gemm": {...}}:
 *   TILE_VW, TILE_NV, TILE_RM, GROUP_X, GROUP_Y   own-kernel build parameters
 *   LOCAL_KIB                                      local memory for the B block
 *   <C>_BACKEND  0 CLBlast, 1 own kernels,
 *                2 tiled kernels                   for C in NN NT TN TT BATCHED
 *   <C>_RM, <C>_RP, <C>_CP, <C>_KC, <C>_SPLIT,
 *   <C>_PACK_A, <C>_PACK_B, <C>_ORDER              per-class overrides (own)
 *   TILED_MWG, TILED_NWG, TILED_KWG, TILED_MDIMC,
 *   TILED_NDIMC, TILED_VW, TILED_PAD               tiled-kernel build parameters
 *   <C>_MWG, <C>_NWG, <C>_KWG, <C>_MDIMC,
 *   <C>_NDIMC, <C>_VW, <C>_PAD                     per-class overrides (tiled)
 * The names differ from the kernels' own macros (VW, NV, RM, MWG, ...): the
 * builds pass those explicitly. A product with K == 0 on a CLBlast class
 * goes to the own kernels (C = beta C), since CLBlast refuses it. A backend
 * or walk order (<C>_ORDER) other than 0, 1, 2, and tiled parameters that are invalid or too
 * large for the device on a class that uses them, fail with
 * ASACL_ERR_PROFILE when the choices are first read (the first product or
 * gemm_reserve), naming the profile and the keys. */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gemm/gemm_state.h"

static void state_free(struct gemm_state *g)
{
    if (!g) return;
    rt_buffer_release(&g->temp);
    free(g);
}

asacl_status gemm_state_get(asacl_ctx *ctx, struct gemm_state **out)
{
    if (!ctx->gemm) {
        ctx->gemm = calloc(1, sizeof *ctx->gemm);
        if (!ctx->gemm) return rt_fail(ASACL_ERR_OUT_OF_MEMORY, "GEMM state");
        ctx->gemm_free = state_free;
    }
    *out = ctx->gemm;
    return ASACL_OK;
}

static const char *const CLASS_NAMES[GEMM_CLASS_COUNT] = {"NN", "NT", "TN", "TT", "BATCHED"};

const char *gemm_backend_name(gemm_backend b)
{
    static const char *const names[GEMM_BACKEND_COUNT] = {"clblast", "own", "tiled"};
    return b >= 0 && b < GEMM_BACKEND_COUNT ? names[b] : "?";
}

const char *gemm_class_name(gemm_class c)
{
    return c >= 0 && c < GEMM_CLASS_COUNT ? CLASS_NAMES[c] : "?";
}

gemm_class gemm_classify(gemm_shape s, int batched)
{
    if (batched) return GEMM_CLASS_BATCHED;
    return (gemm_class)((s.trans_a ? 2 : 0) + (s.trans_b ? 1 : 0));
}

static int class_param(const asacl_ctx *ctx, gemm_class c, const char *what, int fallback)
{
    char key[32];
    snprintf(key, sizeof key, "%s_%s", CLASS_NAMES[c], what);
    return (int)rt_param(ctx, "gemm", key, fallback);
}

/* The tiled parameters: the shared TILED_* values, then the class's own. */
static void tiled_params(const asacl_ctx *ctx, gemm_class c, gemm_tiled_params *p)
{
    static const char *const names[7] = {"MWG", "NWG", "KWG", "MDIMC", "NDIMC", "VW", "PAD"};
    gemm_tiled_defaults(p);
    int *const fields[7] = {&p->mwg, &p->nwg, &p->kwg, &p->mdimc, &p->ndimc, &p->vw, &p->pad};
    for (int i = 0; i < 7; i++) {
        char key[32];
        snprintf(key, sizeof key, "TILED_%s", names[i]);
        *fields[i] = (int)rt_param(ctx, "gemm", key, *fields[i]);
        *fields[i] = class_param(ctx, c, names[i], *fields[i]);
    }
}

static asacl_status resolve(asacl_ctx *ctx, struct gemm_state *g)
{
    gemm_own_params base;
    gemm_own_defaults(ctx, &base);
    base.vw = (int)rt_param(ctx, "gemm", "TILE_VW", base.vw);
    base.nv = (int)rt_param(ctx, "gemm", "TILE_NV", base.nv);
    base.rm = (int)rt_param(ctx, "gemm", "TILE_RM", base.rm);
    base.wgx = (int)rt_param(ctx, "gemm", "GROUP_X", base.wgx);
    base.wgy = (int)rt_param(ctx, "gemm", "GROUP_Y", base.wgy);
    base.local_kib = (int)rt_param(ctx, "gemm", "LOCAL_KIB", base.local_kib);
    /* Own kernels by default on CPUs, where they were measured to win;
     * CLBlast elsewhere until a profile says otherwise. */
    int backend = ctx->info.type == ASACL_DEVICE_CPU ? GEMM_BACKEND_OWN : GEMM_BACKEND_CLBLAST;
    for (int c = 0; c < GEMM_CLASS_COUNT; c++) {
        gemm_choice *ch = &g->choice[c];
        int b = class_param(ctx, (gemm_class)c, "BACKEND", backend);
        if (b < 0 || b >= GEMM_BACKEND_COUNT)
            return rt_fail(ASACL_ERR_PROFILE,
                           "device profile %s: kernels.gemm.%s_BACKEND is %d; expected 0 "
                           "(CLBlast), 1 (own kernels) or 2 (tiled kernels)",
                           ctx->profile.source, CLASS_NAMES[c], b);
        ch->backend = (gemm_backend)b;
        ch->own = base;
        ch->own.rm = class_param(ctx, (gemm_class)c, "RM", base.rm);
        ch->own.rp = class_param(ctx, (gemm_class)c, "RP", 0);
        ch->own.cp = class_param(ctx, (gemm_class)c, "CP", 0);
        ch->own.kc = class_param(ctx, (gemm_class)c, "KC", base.kc);
        ch->own.split = class_param(ctx, (gemm_class)c, "SPLIT", base.split);
        ch->own.pack_a = class_param(ctx, (gemm_class)c, "PACK_A", base.pack_a);
        ch->own.pack_b = class_param(ctx, (gemm_class)c, "PACK_B", base.pack_b);
        ch->own.order = class_param(ctx, (gemm_class)c, "ORDER", base.order);
        if (ch->own.order < 0 || ch->own.order > 2)
            return rt_fail(ASACL_ERR_PROFILE,
                           "device profile %s: kernels.gemm.%s_ORDER is %d; expected 0 (row "
                           "panels outer), 1 (column panels outer) or 2 (by shape)",
                           ctx->profile.source, CLASS_NAMES[c], ch->own.order);
        tiled_params(ctx, (gemm_class)c, &ch->tiled);
        char why[256];
        if (ch->backend == GEMM_BACKEND_TILED && gemm_tiled_invalid(ctx, &ch->tiled, why, sizeof why))
            return rt_fail(ASACL_ERR_PROFILE,
                           "%s on %s (class %s; kernels.gemm.TILED_* or %s_* of device profile "
                           "%s)",
                           why, ctx->info.name, CLASS_NAMES[c], CLASS_NAMES[c],
                           ctx->profile.source);
    }
    g->resolved = 1;
    return ASACL_OK;
}

static asacl_status choice_for(asacl_ctx *ctx, gemm_class c, const gemm_choice **out)
{
    struct gemm_state *g = NULL;
    TRY(gemm_state_get(ctx, &g));
    if (!g->resolved) TRY(resolve(ctx, g));
    *out = &g->choice[c];
    return ASACL_OK;
}

asacl_status gemm_choose(asacl_ctx *ctx, gemm_class c, gemm_choice *out)
{
    if (c < 0 || c >= GEMM_CLASS_COUNT)
        return rt_fail(ASACL_ERR_INVALID_ARG, "gemm_choose: no shape class %d", (int)c);
    const gemm_choice *ch;
    TRY(choice_for(ctx, c, &ch));
    *out = *ch;
    return ASACL_OK;
}

void gemm_get_stats(asacl_ctx *ctx, gemm_stats *out)
{
    struct gemm_state *g = ctx->gemm;
    if (g)
        *out = g->stats;
    else
        memset(out, 0, sizeof *out);
}

static asacl_status dispatch(asacl_ctx *ctx, gemm_class cls, gemm_shape s, float alpha,
                             gemm_mat a, gemm_stride sa, gemm_mat b, gemm_stride sb, float beta,
                             gemm_mat c, gemm_stride sc, size_t outer, size_t inner)
{
    if (s.m == 0 || s.n == 0 || outer == 0 || inner == 0) return ASACL_OK;
    const gemm_choice *ch;
    TRY(choice_for(ctx, cls, &ch));
    /* CLBlast refuses K = 0; the own kernels scale C by beta */
    gemm_backend backend =
        s.k == 0 && ch->backend == GEMM_BACKEND_CLBLAST ? GEMM_BACKEND_OWN : ch->backend;
    ctx->gemm->stats.calls[backend]++;
    if (backend == GEMM_BACKEND_OWN)
        return gemm_own_run2(ctx, &ch->own, s, alpha, a, sa, b, sb, beta, c, sc, outer, inner);
    if (backend == GEMM_BACKEND_TILED)
        return gemm_tiled_run2(ctx, &ch->tiled, s, alpha, a, sa, b, sb, beta, c, sc, outer,
                               inner);
    return gemm_clblast_run2(ctx, s, alpha, a, sa, b, sb, beta, c, sc, outer, inner);
}

static gemm_stride flat(size_t stride)
{
    gemm_stride st = {stride, 0};
    return st;
}

asacl_status gemm(asacl_ctx *ctx, gemm_shape s, float alpha, gemm_mat a, gemm_mat b, float beta,
                  gemm_mat c)
{
    return dispatch(ctx, gemm_classify(s, 0), s, alpha, a, flat(0), b, flat(0), beta, c, flat(0),
                    1, 1);
}

static asacl_status check_operand(const char *name, gemm_mat x, size_t rows, size_t cols,
                                  gemm_stride st, size_t outer, size_t inner);

asacl_status gemm_fused(asacl_ctx *ctx, gemm_shape s, float alpha, gemm_mat a, gemm_mat b,
                        gemm_mat c, const gemm_mat *bias, const gemm_gelu *gelu, int *fused)
{
    *fused = 0;
    gemm_class cls = gemm_classify(s, 0);
    const gemm_choice *ch;
    TRY(choice_for(ctx, cls, &ch));
    if (ch->backend != GEMM_BACKEND_OWN || s.m == 0 || s.n == 0)
        return gemm(ctx, s, alpha, a, b, 0.0f, c);
    gemm_mat bm = {0};
    if (bias) {
        bm = *bias;
        bm.ld = s.n;
        TRY(check_operand("bias", bm, 1, s.n, flat(0), 1, 1));
    }
    gemm_gelu gm = {0};
    if (gelu) {
        gm = *gelu;
        gm.m.ld = c.ld; /* the kernel walks it in C's layout */
        TRY(check_operand("gelu", gm.m, s.m, s.n, flat(0), 1, 1));
    }
    ctx->gemm->stats.calls[GEMM_BACKEND_OWN]++;
    TRY(gemm_own_run_fused(ctx, &ch->own, s, alpha, a, flat(0), b, flat(0), 0.0f, c, flat(0), 1,
                           1, bias ? &bm : NULL, gelu ? &gm : NULL));
    *fused = 1;
    return ASACL_OK;
}

asacl_status gemm_batched(asacl_ctx *ctx, gemm_shape s, float alpha, gemm_mat a, size_t stride_a,
                          gemm_mat b, size_t stride_b, float beta, gemm_mat c, size_t stride_c,
                          size_t batch)
{
    return dispatch(ctx, GEMM_CLASS_BATCHED, s, alpha, a, flat(stride_a), b, flat(stride_b), beta,
                    c, flat(stride_c), batch, 1);
}

asacl_status gemm_batched2(asacl_ctx *ctx, gemm_shape s, float alpha, gemm_mat a, gemm_stride sa,
                           gemm_mat b, gemm_stride sb, float beta, gemm_mat c, gemm_stride sc,
                           size_t outer, size_t inner)
{
    return dispatch(ctx, GEMM_CLASS_BATCHED, s, alpha, a, sa, b, sb, beta, c, sc, outer, inner);
}

asacl_status gemm_reserve(asacl_ctx *ctx, gemm_shape s, size_t lda, size_t ldb, size_t ldc)
{
    const gemm_choice *ch;
    TRY(choice_for(ctx, gemm_classify(s, 0), &ch));
    if (ch->backend == GEMM_BACKEND_OWN) return gemm_own_prepare(ctx, &ch->own, s);
    if (ch->backend == GEMM_BACKEND_TILED) return gemm_tiled_prepare(ctx, &ch->tiled, s);
    return gemm_clblast_reserve(ctx, s, lda, ldb, ldc);
}

/* ---- operand checks ------------------------------------------------------- */

/* One operand: rows x cols (ld, outer x inner matrices strides apart)
 * inside its buffer. */
static asacl_status check_operand(const char *name, gemm_mat x, size_t rows, size_t cols,
                                  gemm_stride st, size_t outer, size_t inner)
{
    if (rows == 0 || cols == 0) return ASACL_OK;
    if (x.ld < cols)
        return rt_fail(ASACL_ERR_INVALID_ARG,
                       "GEMM: %s has rows of %zu floats but a leading dimension of %zu", name,
                       cols, x.ld);
    size_t bytes = 0;
    CL_TRY(clGetMemObjectInfo(x.buf, CL_MEM_SIZE, sizeof bytes, &bytes, NULL),
           "reading the size of GEMM operand %s", name);
    size_t so = outer > 1 ? st.outer : 0, si = inner > 1 ? st.inner : 0;
    size_t end = x.off + (outer - 1) * so + (inner - 1) * si + (rows - 1) * x.ld + cols;
    if (end > bytes / sizeof(float))
        return rt_fail(ASACL_ERR_INVALID_ARG,
                       "GEMM: %s (%zu x %zu, ld %zu, offset %zu, %zu x %zu matrices %zu and %zu "
                       "apart) ends at float %zu, past its buffer of %zu floats",
                       name, rows, cols, x.ld, x.off, outer, inner, so, si, end,
                       bytes / sizeof(float));
    return ASACL_OK;
}

asacl_status gemm_check_operands(gemm_shape s, gemm_mat a, gemm_stride sa, gemm_mat b,
                                 gemm_stride sb, gemm_mat c, gemm_stride sc, size_t outer,
                                 size_t inner)
{
    TRY(check_operand("A", a, s.trans_a ? s.k : s.m, s.trans_a ? s.m : s.k, sa, outer, inner));
    TRY(check_operand("B", b, s.trans_b ? s.n : s.k, s.trans_b ? s.k : s.n, sb, outer, inner));
    return check_operand("C", c, s.m, s.n, sc, outer, inner);
}

static int fits_u32(size_t x) { return x <= 0xffffffffu; }

asacl_status gemm_check_launch(const char *backend, gemm_shape s, gemm_mat a, gemm_stride *sa,
                               gemm_mat b, gemm_stride *sb, gemm_mat c, gemm_stride *sc,
                               size_t outer, size_t inner)
{
    size_t batch = outer * inner;
    if (!fits_u32(s.m) || !fits_u32(s.n) || !fits_u32(s.k) || !fits_u32(a.ld) ||
        !fits_u32(b.ld) || !fits_u32(c.ld) || !fits_u32(batch))
        return rt_fail(ASACL_ERR_INVALID_ARG,
                       "GEMM M=%zu N=%zu K=%zu (ld %zu, %zu, %zu, batch %zu): the %s kernels "
                       "take sizes below 2^32",
                       s.m, s.n, s.k, a.ld, b.ld, c.ld, batch, backend);
    if (outer == 1) sa->outer = sb->outer = sc->outer = 0;
    if (inner == 1) sa->inner = sb->inner = sc->inner = 0;
    return gemm_check_operands(s, a, *sa, b, *sb, c, *sc, outer, inner);
}

/* ---- checking results ------------------------------------------------------- */

double gemm_max_diff(size_t m, size_t n, const float *x, size_t ldx, const float *y, size_t ldy)
{
    double worst = 0;
    for (size_t i = 0; i < m; i++)
        for (size_t j = 0; j < n; j++) {
            double a = x[i * ldx + j], b = y[i * ldy + j];
            double d = fabs(a - b) / (1.0 + fabs(b));
            if (!(d <= worst)) worst = d; /* NaN wins */
        }
    return worst;
}

double gemm_tolerance(size_t k) { return 64.0 * FLT_EPSILON * sqrt((double)k + 1.0); }

/* The M x N window of matrix `i` of a batch, downloaded into out (ld n). */
static asacl_status download_window(asacl_ctx *ctx, gemm_shape s, gemm_mat x, size_t off,
                                    float *out)
{
    size_t span = (s.m - 1) * x.ld + s.n;
    float *tmp = malloc(span * sizeof *tmp);
    if (!tmp) return rt_fail(ASACL_ERR_OUT_OF_MEMORY, "GEMM result check");
    asacl_status st = rt_download(ctx, x.buf, x.off + off, span, tmp);
    for (size_t r = 0; st == ASACL_OK && r < s.m; r++)
        for (size_t j = 0; j < s.n; j++) out[r * s.n + j] = tmp[r * x.ld + j];
    free(tmp);
    return st;
}

asacl_status gemm_compare(asacl_ctx *ctx, gemm_shape s, size_t batch, gemm_mat got,
                          size_t stride_got, gemm_mat want, size_t stride_want, double *diff)
{
    *diff = 0;
    if (s.m == 0 || s.n == 0) return ASACL_OK;
    float *x = malloc(s.m * s.n * sizeof *x), *y = malloc(s.m * s.n * sizeof *y);
    asacl_status st = x && y ? ASACL_OK : rt_fail(ASACL_ERR_OUT_OF_MEMORY, "GEMM result check");
    for (size_t i = 0; st == ASACL_OK && i < batch; i++) {
        st = download_window(ctx, s, got, i * stride_got, x);
        if (st == ASACL_OK) st = download_window(ctx, s, want, i * stride_want, y);
        if (st == ASACL_OK) {
            double d = gemm_max_diff(s.m, s.n, x, s.n, y, s.n);
            if (!(d <= *diff)) *diff = d;
        }
    }
    free(x);
    free(y);
    return st;
}
