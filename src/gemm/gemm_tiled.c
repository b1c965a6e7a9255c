/* gemm_tiled.c -- host side of cl/gemm_tiled.cl: asacl's GPU-style GEMM
 * kernels (a work-group per MWG x NWG tile of C, A and B panels of KWG in
 * local memory, an MWI x NWI register block per work-item).
 *
 * Every parameter is compile-time, so a parameter set is one program build;
 * sets are checked here before anything is built (gemm_tiled_invalid), and
 * the built kernel once more against what the device reports for it. A
 * launch is one work-group of NDIMC x MDIMC per tile, per batch entry
 * (dimension 2). */
#include <stdio.h>
#include <string.h>

#include "gemm/gemm_state.h"

static size_t ceil_div(size_t a, size_t b) { return (a + b - 1) / b; }

void gemm_tiled_defaults(gemm_tiled_params *p)
{
    p->mwg = 64, p->nwg = 64, p->kwg = 16, p->mdimc = 16, p->ndimc = 16, p->vw = 4, p->pad = 1;
}

size_t gemm_tiled_local_bytes(const gemm_tiled_params *p)
{
    return (size_t)p->kwg * ((size_t)p->mwg + (size_t)p->pad + (size_t)p->nwg + (size_t)p->pad) *
           sizeof(float);
}

int gemm_tiled_invalid(const asacl_ctx *ctx, const gemm_tiled_params *p, char *why, size_t cap)
{
    const int vw_ok = p->vw == 1 || p->vw == 2 || p->vw == 4 || p->vw == 8;
    if (p->mwg < 1 || p->mwg > 512 || p->nwg < 1 || p->nwg > 512 || p->kwg < 1 ||
        p->kwg > 256 || p->mdimc < 1 || p->ndimc < 1 || !vw_ok || p->pad < 0 || p->pad > 16) {
        snprintf(why, cap,
                 "MWG %d, NWG %d (1..512), KWG %d (1..256), MDIMC %d, NDIMC %d (>= 1), VW %d "
                 "(1, 2, 4, 8), PAD %d (0..16): out of range",
                 p->mwg, p->nwg, p->kwg, p->mdimc, p->ndimc, p->vw, p->pad);
        return 1;
    }
    if (p->mwg % p->mdimc || p->nwg % p->ndimc) {
        snprintf(why, cap,
                 "the tile MWG %d x NWG %d is not a multiple of the work-group MDIMC %d x "
                 "NDIMC %d",
                 p->mwg, p->nwg, p->mdimc, p->ndimc);
        return 1;
    }
    if (p->mwg % p->vw || p->nwg % p->vw || p->kwg % p->vw) {
        snprintf(why, cap, "VW %d does not divide MWG %d, NWG %d and KWG %d", p->vw, p->mwg,
                 p->nwg, p->kwg);
        return 1;
    }
    const int block = (p->mwg / p->mdimc) * (p->nwg / p->ndimc);
    if (block > 256) {
        snprintf(why, cap,
                 "a register block of MWG/MDIMC x NWG/NDIMC = %d x %d = %d floats (at most 256)",
                 p->mwg / p->mdimc, p->nwg / p->ndimc, block);
        return 1;
    }
    const size_t items = (size_t)p->mdimc * (size_t)p->ndimc;
    if (items > ctx->info.max_work_group_size) {
        snprintf(why, cap,
                 "a work-group of MDIMC %d x NDIMC %d = %zu work-items; %s takes at most %zu",
                 p->mdimc, p->ndimc, items, ctx->info.name, ctx->info.max_work_group_size);
        return 1;
    }
    const size_t local = gemm_tiled_local_bytes(p);
    if (ctx->info.local_mem_bytes && local > ctx->info.local_mem_bytes) {
        snprintf(why, cap,
                 "panels of KWG %d x (MWG %d + NWG %d + 2 PAD %d) floats = %zu bytes of local "
                 "memory; %s has %zu",
                 p->kwg, p->mwg, p->nwg, p->pad, local, ctx->info.name,
                 (size_t)ctx->info.local_mem_bytes);
        return 1;
    }
    return 0;
}

void gemm_tiled_defines(const gemm_tiled_params *p, char *buf, size_t cap)
{
    /* Only what differs from cl/gemm_tiled.cl's defaults (gemm_tiled_defaults):
     * the default set is the plain build `asacl kernels` makes. */
    static const char *names[7] = {"MWG", "NWG", "KWG", "MDIMC", "NDIMC", "VW", "PAD"};
    gemm_tiled_params d;
    gemm_tiled_defaults(&d);
    const int values[7] = {p->mwg, p->nwg, p->kwg, p->mdimc, p->ndimc, p->vw, p->pad};
    const int defaults[7] = {d.mwg, d.nwg, d.kwg, d.mdimc, d.ndimc, d.vw, d.pad};
    size_t off = 0;
    buf[0] = 0;
    for (int i = 0; i < 7 && off < cap; i++)
        if (values[i] != defaults[i])
            off += (size_t)snprintf(buf + off, cap - off, "%s-D%s=%d", off ? " " : "", names[i],
                                    values[i]);
}

static const char *kernel_name(gemm_shape s)
{
    static const char *names[4] = {"gemm_tiled_nn", "gemm_tiled_nt", "gemm_tiled_tn",
                                   "gemm_tiled_tt"};
    return names[(s.trans_a ? 2 : 0) + (s.trans_b ? 1 : 0)];
}

/* What the device says of the built kernel: a work-group of MDIMC x NDIMC
 * and the panels must fit (a driver may allow fewer work-items for a kernel
 * than for the device, e.g. for its registers). */
static asacl_status check_built(asacl_ctx *ctx, const gemm_tiled_params *p, cl_kernel k,
                                const char *name)
{
    size_t most = 0;
    cl_ulong local = 0;
    CL_TRY(clGetKernelWorkGroupInfo(k, ctx->device, CL_KERNEL_WORK_GROUP_SIZE, sizeof most, &most,
                                    NULL),
           "reading the work-group limit of kernel %s", name);
    CL_TRY(clGetKernelWorkGroupInfo(k, ctx->device, CL_KERNEL_LOCAL_MEM_SIZE, sizeof local, &local,
                                    NULL),
           "reading the local memory of kernel %s", name);
    size_t wg[3] = {0, 0, 0};
    CL_TRY(clGetKernelWorkGroupInfo(k, ctx->device, CL_KERNEL_COMPILE_WORK_GROUP_SIZE, sizeof wg,
                                    wg, NULL),
           "reading the work-group size of kernel %s", name);
    if (wg[0] != (size_t)p->ndimc || wg[1] != (size_t)p->mdimc)
        return rt_fail(ASACL_ERR_INTERNAL,
                       "kernel %s was built for work-groups of %zu x %zu, not NDIMC %d x MDIMC %d",
                       name, wg[0], wg[1], p->ndimc, p->mdimc);
    const size_t items = (size_t)p->mdimc * (size_t)p->ndimc;
    if (most < items)
        return rt_fail(ASACL_ERR_PROFILE,
                       "GEMM tiled parameters: kernel %s built with a work-group of MDIMC %d x "
                       "NDIMC %d = %zu work-items, but %s runs it with at most %zu",
                       name, p->mdimc, p->ndimc, items, ctx->info.name, most);
    if (ctx->info.local_mem_bytes && local > ctx->info.local_mem_bytes)
        return rt_fail(ASACL_ERR_PROFILE,
                       "GEMM tiled parameters: kernel %s needs %llu bytes of local memory, %s "
                       "has %zu",
                       name, (unsigned long long)local, ctx->info.name,
                       (size_t)ctx->info.local_mem_bytes);
    return ASACL_OK;
}

static asacl_status get_kernel(asacl_ctx *ctx, const gemm_tiled_params *p, gemm_shape s,
                               cl_kernel *k)
{
    struct gemm_state *g;
    TRY(gemm_state_get(ctx, &g));
    const int key[8] = {p->mwg, p->nwg,  p->kwg, p->mdimc, p->ndimc,
                        p->vw,  p->pad, (s.trans_a ? 2 : 0) + (s.trans_b ? 1 : 0)};
    for (size_t i = 0; i < g->n_tiled; i++)
        if (!memcmp(g->tiled[i].key, key, sizeof key)) {
            *k = g->tiled[i].kernel;
            return ASACL_OK;
        }
    char why[256];
    if (gemm_tiled_invalid(ctx, p, why, sizeof why))
        return rt_fail(ASACL_ERR_INVALID_ARG, "GEMM tiled parameters: %s", why);
    /* The build's tile must be the one the launches assume: the values come
     * from kernels.gemm only, never from a kernels.gemm_tiled section. */
    for (size_t i = 0; i < ctx->profile.n_defines; i++)
        if (!strcmp(ctx->profile.defines[i].program, "gemm_tiled"))
            return rt_fail(ASACL_ERR_PROFILE,
                           "device profile %s: kernels.gemm_tiled.%s: the tiled GEMM kernels "
                           "take their parameters from kernels.gemm (TILED_MWG, ..., "
                           "devices/README.md), not from a gemm_tiled section",
                           ctx->profile.source, ctx->profile.defines[i].name);
    char defines[128];
    gemm_tiled_defines(p, defines, sizeof defines);
    TRY(rt_kernel_ex(ctx, "gemm_tiled", defines, kernel_name(s), k));
    TRY(check_built(ctx, p, *k, kernel_name(s)));
    if (g->n_tiled < GEMM_KERNEL_CACHE) { /* the tuner may try more: those look up by name */
        memcpy(g->tiled[g->n_tiled].key, key, sizeof key);
        g->tiled[g->n_tiled++].kernel = *k;
    }
    return ASACL_OK;
}

asacl_status gemm_tiled_prepare(asacl_ctx *ctx, const gemm_tiled_params *p, gemm_shape s)
{
    cl_kernel k;
    return get_kernel(ctx, p, s, &k);
}


/* Vector loads need every row of every matrix to start at a multiple of VW
 * floats (the panels start at multiples of MWG, NWG, KWG, which VW divides). */
static cl_uint aligned(gemm_mat x, gemm_stride st, int vw)
{
    size_t w = (size_t)vw;
    return x.off % w == 0 && x.ld % w == 0 && st.outer % w == 0 && st.inner % w == 0;
}

asacl_status gemm_tiled_run(asacl_ctx *ctx, const gemm_tiled_params *p, gemm_shape s,
                            float alpha, gemm_mat a, size_t stride_a, gemm_mat b, size_t stride_b,
                            float beta, gemm_mat c, size_t stride_c, size_t batch)
{
    gemm_stride sa = {stride_a, 0}, sb = {stride_b, 0}, sc = {stride_c, 0};
    return gemm_tiled_run2(ctx, p, s, alpha, a, sa, b, sb, beta, c, sc, batch, 1);
}

asacl_status gemm_tiled_run2(asacl_ctx *ctx, const gemm_tiled_params *p, gemm_shape s,
                             float alpha, gemm_mat a, gemm_stride sa, gemm_mat b, gemm_stride sb,
                             float beta, gemm_mat c, gemm_stride sc, size_t outer, size_t inner)
{
    size_t batch = outer * inner;
    if (s.m == 0 || s.n == 0 || batch == 0) return ASACL_OK;
    TRY(gemm_check_launch("tiled", s, a, &sa, b, &sb, c, &sc, outer, inner));
    cl_kernel k;
    TRY(get_kernel(ctx, p, s, &k));
    if (alpha == 0.0f) s.k = 0; /* C = beta C without reading A or B */

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
    rt_arg_u64(&g, sa.inner);
    rt_arg_mem(&g, b.buf);
    rt_arg_u64(&g, b.off);
    rt_arg_u32(&g, (cl_uint)b.ld);
    rt_arg_u64(&g, sb.outer);
    rt_arg_u64(&g, sb.inner);
    rt_arg_mem(&g, c.buf);
    rt_arg_u64(&g, c.off);
    rt_arg_u32(&g, (cl_uint)c.ld);
    rt_arg_u64(&g, sc.outer);
    rt_arg_u64(&g, sc.inner);
    rt_arg_u32(&g, (cl_uint)inner);
    rt_arg_u32(&g, aligned(a, sa, p->vw));
    rt_arg_u32(&g, aligned(b, sb, p->vw));
    size_t global[3] = {ceil_div(s.n, (size_t)p->nwg) * (size_t)p->ndimc,
                        ceil_div(s.m, (size_t)p->mwg) * (size_t)p->mdimc, batch};
    size_t local[3] = {(size_t)p->ndimc, (size_t)p->mdimc, 1};
    return rt_launch(ctx, &g, kernel_name(s), 3, global, local);
}
