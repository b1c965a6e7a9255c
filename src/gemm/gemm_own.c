/* gemm_own.c -- host side of cl/gemm.cl: asacl's own GEMM kernels.
 *
 * A launch covers the output with macro tiles of (WGY*rp*RM) rows x
 * (WGX*cp*TW) columns, TW = VW*NV, one work-group each, per batch entry
 * (dimension 2). The compile-time parameters (VW, NV, RM, WGX, WGY) pick the
 * build; rp, cp and the K block kc are kernel arguments, chosen here from
 * the shape unless given (gemm_own_walk). */
#include <stdio.h>
#include <string.h>

#include "gemm/gemm_state.h"

#define KIB 1024u

static size_t ceil_div(size_t a, size_t b) { return (a + b - 1) / b; }

void gemm_own_defaults(const asacl_ctx *ctx, gemm_own_params *p)
{
    memset(p, 0, sizeof *p);
    if (ctx->info.type == ASACL_DEVICE_CPU) {
        /* One work-item per group with float16 tiles; coarse work-items. */
        p->vw = 16, p->nv = 2, p->rm = 12, p->wgx = 1, p->wgy = 1;
        p->kc = 256, p->split = 4, p->local_kib = 512;
    } else {
        /* Work-groups sharing the B block through local memory. */
        p->vw = 4, p->nv = 1, p->rm = 4, p->wgx = 16, p->wgy = 8;
        p->kc = 32, p->split = 4;
        p->local_kib = (int)(ctx->info.local_mem_bytes / 2 / KIB);
        if (p->local_kib > 32) p->local_kib = 32;
    }
    if (p->local_kib < 1) p->local_kib = 1;
    p->pack_b = 1;
}

void gemm_own_defines(const gemm_own_params *p, char *buf, size_t cap)
{
    /* Only what differs from cl/gemm.cl's defaults (VW 16, NV 2, RM 12,
     * 1 x 1 groups): the plain build is the one `asacl kernels` makes. */
    static const char *names[5] = {"VW", "NV", "RM", "WGX", "WGY"};
    const int values[5] = {p->vw, p->nv, p->rm, p->wgx, p->wgy};
    static const int defaults[5] = {16, 2, 12, 1, 1};
    size_t off = 0;
    buf[0] = 0;
    for (int i = 0; i < 5 && off < cap; i++)
        if (values[i] != defaults[i])
            off += (size_t)snprintf(buf + off, cap - off, "%s-D%s=%d", off ? " " : "", names[i],
                                    values[i]);
}

void gemm_own_walk(const asacl_ctx *ctx, const gemm_own_params *p, gemm_shape s, size_t batch,
                   gemm_walk *w)
{
    size_t tw = (size_t)p->vw * p->nv, wgx = (size_t)p->wgx, wgy = (size_t)p->wgy;
    size_t panels_m = ceil_div(s.m ? s.m : 1, (size_t)p->rm);
    size_t panels_n = ceil_div(s.n ? s.n : 1, tw);
    size_t cols_n = ceil_div(panels_n, wgx); /* column panels per work-item, all N */
    size_t rows_m = ceil_div(panels_m, wgy);
    if (batch == 0) batch = 1;

    /* K block: the whole of K when it fits. */
    size_t kc = p->kc > 0 ? (size_t)p->kc : 256;
    if (kc > s.k) kc = s.k ? s.k : 1;
    /* Local memory: the B block is wgx*cp*tw x kc floats. */
    size_t hard = (size_t)ctx->info.local_mem_bytes;
    size_t budget = p->local_kib > 0 ? (size_t)p->local_kib * KIB : hard;
    if (hard && budget > hard) budget = hard;
    size_t per_cp = wgx * tw * sizeof(float); /* bytes per cp per k */
    int pack_a = s.trans_a && (p->pack_a == 1 || p->pack_a == 2) ? p->pack_a : 0;
    size_t per_a = pack_a ? wgx * wgy * (size_t)p->rm * sizeof(float) : 0; /* A^T strips */
    if (kc * (per_cp + per_a) > budget)
        kc = budget / (per_cp + per_a) > 0 ? budget / (per_cp + per_a) : 1;

    size_t room = budget > kc * per_a ? budget - kc * per_a : 0;
    size_t cp = p->cp > 0 ? (size_t)p->cp : room / (kc * per_cp);
    if (cp < 1) cp = 1;
    if (cp > cols_n) cp = cols_n;
    room = hard > kc * per_a ? hard - kc * per_a : 0;
    if (hard && cp * kc * per_cp > room) cp = room / (kc * per_cp) > 0 ? room / (kc * per_cp) : 1;
    /* Aim at split work-groups per compute unit, a multiple of the compute
     * units where the shape allows: wide column groups (each A strip is
     * re-used across them), then as many row groups as it takes. */
    size_t cu = ctx->info.compute_units ? ctx->info.compute_units : 1;
    size_t split = p->split > 0 ? (size_t)p->split : 4;
    size_t target = split * cu;
    size_t gn = ceil_div(cols_n, cp);
    if (p->cp <= 0) {
        /* too few rows to reach the target: split the columns instead (each
         * column group copies its part of B once, whatever the rows) */
        if (batch * rows_m < target) {
            size_t want = ceil_div(target, batch);
            if (want > gn) gn = want < cols_n ? want : cols_n;
        }
        cp = ceil_div(cols_n, gn); /* even column groups */
        gn = ceil_div(cols_n, cp);
    }

    size_t rp;
    if (p->rp > 0) {
        rp = (size_t)p->rp;
    } else {
        size_t per_row = gn * batch;
        size_t gm = ceil_div(target, per_row);
        while (gm < rows_m && (gm * per_row) % cu) gm++;
        if (gm > rows_m) gm = rows_m;
        if (gm < 1) gm = 1;
        rp = ceil_div(rows_m, gm);
    }
    if (rp > rows_m) rp = rows_m;
    if (rp < 1) rp = 1;

    w->rp = (unsigned)rp;
    w->cp = (unsigned)cp;
    w->kc = (unsigned)kc;
    w->pack_a = (unsigned)pack_a;
    w->pack_b = p->pack_b != 0;
    w->local_b = wgx * cp * tw * kc * sizeof(float);
    size_t strip = wgx * wgy * (size_t)p->rm * kc * sizeof(float);
    /* order 2: columns outer on wide outputs (N > M), whose B blocks are
     * the larger operand a row-outer walk streams once per row panel */
    w->order = p->order == 1 || (p->order == 2 && s.n > s.m);
    /* columns outer: all strips of a K block at once, not one per tile */
    if (w->order && w->pack_a == 1) w->pack_a = 2;
    if (w->pack_a == 2 && hard && w->local_b + rp * strip > hard) w->pack_a = 1;
    w->local_a = w->pack_a == 2 ? rp * strip : w->pack_a ? strip : sizeof(float);
    w->groups_n = ceil_div(s.n ? s.n : 1, wgx * cp * tw);
    w->groups_m = ceil_div(s.m ? s.m : 1, wgy * rp * (size_t)p->rm);
}

/* The kernel of a transpose case, without a GELU epilogue (gelu 0) or with
 * one (a gemm_gelu_kind). */
static const char *kernel_name(gemm_shape s, int gelu)
{
    static const char *names[12] = {"gemm_nn",       "gemm_nt",       "gemm_tn",
                                    "gemm_tt",       "gemm_nn_gelu",  "gemm_nt_gelu",
                                    "gemm_tn_gelu",  "gemm_tt_gelu",  "gemm_nn_dgelu",
                                    "gemm_nt_dgelu", "gemm_tn_dgelu", "gemm_tt_dgelu"};
    return names[4 * gelu + (s.trans_a ? 2 : 0) + (s.trans_b ? 1 : 0)];
}

static asacl_status check_params(const asacl_ctx *ctx, const gemm_own_params *p)
{
    int vw_ok = p->vw == 2 || p->vw == 4 || p->vw == 8 || p->vw == 16;
    if (!vw_ok || p->nv < 1 || p->nv > 8 || p->rm < 1 || p->rm > 32 || p->wgx < 1 ||
        p->wgy < 1)
        return rt_fail(ASACL_ERR_INVALID_ARG,
                       "GEMM parameters out of range: VW %d (2, 4, 8, 16), NV %d (1..8), "
                       "RM %d (1..32), work-group %d x %d",
                       p->vw, p->nv, p->rm, p->wgx, p->wgy);
    if ((size_t)p->wgx * (size_t)p->wgy > ctx->info.max_work_group_size)
        return rt_fail(ASACL_ERR_INVALID_ARG,
                       "GEMM work-group %d x %d exceeds the device's maximum of %zu work-items",
                       p->wgx, p->wgy, ctx->info.max_work_group_size);
    return ASACL_OK;
}

static asacl_status get_kernel(asacl_ctx *ctx, const gemm_own_params *p, gemm_shape s, int gelu,
                               cl_kernel *k)
{
    struct gemm_state *g;
    TRY(gemm_state_get(ctx, &g));
    const int key[7] = {p->vw, p->nv, p->rm, p->wgx, p->wgy,
                        (s.trans_a ? 2 : 0) + (s.trans_b ? 1 : 0), gelu};
    for (size_t i = 0; i < g->n_kernels; i++)
        if (!memcmp(g->kernels[i].key, key, sizeof key)) {
            *k = g->kernels[i].kernel;
            return ASACL_OK;
        }
    TRY(check_params(ctx, p));
    char defines[128];
    gemm_own_defines(p, defines, sizeof defines);
    TRY(rt_kernel_ex(ctx, "gemm", defines, kernel_name(s, gelu), k));
    if (g->n_kernels < GEMM_KERNEL_CACHE) { /* the tuner may try more: those look up by name */
        memcpy(g->kernels[g->n_kernels].key, key, sizeof key);
        g->kernels[g->n_kernels++].kernel = *k;
    }
    return ASACL_OK;
}

asacl_status gemm_own_prepare(asacl_ctx *ctx, const gemm_own_params *p, gemm_shape s)
{
    cl_kernel k;
    return get_kernel(ctx, p, s, 0, &k);
}


asacl_status gemm_own_run(asacl_ctx *ctx, const gemm_own_params *p, gemm_shape s, float alpha,
                          gemm_mat a, size_t stride_a, gemm_mat b, size_t stride_b, float beta,
                          gemm_mat c, size_t stride_c, size_t batch)
{
    gemm_stride sa = {stride_a, 0}, sb = {stride_b, 0}, sc = {stride_c, 0};
    return gemm_own_run2(ctx, p, s, alpha, a, sa, b, sb, beta, c, sc, batch, 1);
}

asacl_status gemm_own_run2(asacl_ctx *ctx, const gemm_own_params *p, gemm_shape s, float alpha,
                           gemm_mat a, gemm_stride sa, gemm_mat b, gemm_stride sb, float beta,
                           gemm_mat c, gemm_stride sc, size_t outer, size_t inner)
{
    return gemm_own_run_fused(ctx, p, s, alpha, a, sa, b, sb, beta, c, sc, outer, inner, NULL,
                              NULL);
}

asacl_status gemm_own_run_fused(asacl_ctx *ctx, const gemm_own_params *p, gemm_shape s,
                                float alpha, gemm_mat a, gemm_stride sa, gemm_mat b,
                                gemm_stride sb, float beta, gemm_mat c, gemm_stride sc,
                                size_t outer, size_t inner, const gemm_mat *bias,
                                const gemm_gelu *gelu)
{
    size_t batch = outer * inner;
    if (s.m == 0 || s.n == 0 || batch == 0) return ASACL_OK;
    TRY(gemm_check_launch("own", s, a, &sa, b, &sb, c, &sc, outer, inner));
    cl_kernel k;
    int kind = gelu ? (int)gelu->kind : 0;
    TRY(get_kernel(ctx, p, s, kind, &k));
    if (alpha == 0.0f) s.k = 0; /* C = beta C without reading A or B */
    gemm_walk w;
    gemm_own_walk(ctx, p, s, batch, &w);

    rt_args g;
    rt_args_begin(&g, k);
    rt_arg_u32(&g, (cl_uint)s.m);
    rt_arg_u32(&g, (cl_uint)s.n);
    rt_arg_u32(&g, (cl_uint)s.k);
    rt_arg_f32(&g, alpha);
    rt_arg_f32(&g, beta);
    rt_arg_mem(&g, a.buf);
    rt_arg_u64(&g, a.off);
    rt_arg_u32(&g, (cl_uint)a.ld);
    rt_arg_u64(&g, sa.outer);
    rt_arg_mem(&g, b.buf);
    rt_arg_u64(&g, b.off);
    rt_arg_u32(&g, (cl_uint)b.ld);
    rt_arg_u64(&g, sb.outer);
    rt_arg_mem(&g, c.buf);
    rt_arg_u64(&g, c.off);
    rt_arg_u32(&g, (cl_uint)c.ld);
    rt_arg_u64(&g, sc.outer);
    rt_arg_u32(&g, (cl_uint)inner);
    rt_arg_u64(&g, sa.inner);
    rt_arg_u64(&g, sb.inner);
    rt_arg_u64(&g, sc.inner);
    rt_arg_u32(&g, w.rp);
    rt_arg_u32(&g, w.cp);
    rt_arg_u32(&g, w.kc);
    rt_arg_u32(&g, w.pack_a);
    rt_arg_u32(&g, w.pack_b);
    rt_arg_u32(&g, w.order);
    rt_arg_mem(&g, bias ? bias->buf : c.buf); /* unread without a bias */
    rt_arg_u64(&g, bias ? bias->off : 0);
    rt_arg_u32(&g, bias != NULL);
    if (gelu) { /* the _gelu and _dgelu kernels' two more arguments */
        rt_arg_mem(&g, gelu->m.buf);
        rt_arg_u64(&g, gelu->m.off);
    }
    rt_arg_local(&g, w.local_b);
    rt_arg_local(&g, w.local_a);
    size_t global[3] = {w.groups_n * (size_t)p->wgx, w.groups_m * (size_t)p->wgy, batch};
    size_t local[3] = {(size_t)p->wgx, (size_t)p->wgy, 1};
    return rt_launch(ctx, &g, kernel_name(s, kind), 3, global, local);
}
