/* gemm_clblast.c -- the CLBlast backend (Debian libclblast-dev).
 * Plain products use CLBlastSgemmWithTempBuffer with one temporary buffer
 * kept in the context and sized up front by gemm_reserve; batched products
 * use CLBlastSgemmStridedBatched, two-level batches CLBlastSgemmBatched
 * (one offset per product). */
#include "gemm/gemm_state.h" /* first: it sets the OpenCL target version */
#include <clblast_c.h>
#include <stdlib.h>

static asacl_status clblast_fail(CLBlastStatusCode code, const char *call, gemm_shape s)
{
    asacl_status st = code == CLBlastTempBufferAllocFailure || code == CLBlastOpenCLOutOfHostMemory ||
                              code == CLBlastOpenCLOutOfResources
                          ? ASACL_ERR_OUT_OF_MEMORY
                          : ASACL_ERR_OPENCL;
    return rt_fail(st, "%s failed with CLBlast status %d while computing a %s%s product "
                       "M=%zu N=%zu K=%zu",
                   call, (int)code, s.trans_a ? "T" : "N", s.trans_b ? "T" : "N", s.m, s.n, s.k);
}

static CLBlastTranspose tr(int t) { return t ? CLBlastTransposeYes : CLBlastTransposeNo; }

/* Candidate parameter sets for CLBlast's kernels, which asacl tune tries on
 * a device (profile keys gemm.CLBLAST_XGEMM and gemm.CLBLAST_DIRECT: an index
 * here; -1 or absent leaves CLBlast's own database in charge). The values
 * are entries of CLBlast's published tuning database for various GPUs,
 * each satisfying the kernels' divisibility constraints. */
static const char *const XGEMM_NAMES[16] = {"GEMMK", "KREG", "KWG", "KWI", "MDIMA", "MDIMC",
                                            "MWG", "NDIMB", "NDIMC", "NWG", "SA", "SB",
                                            "STRM", "STRN", "VWM", "VWN"};
static const size_t XGEMM_SETS[][16] = {
    {0, 1, 16, 2, 8, 8, 64, 8, 8, 64, 0, 0, 0, 0, 1, 1},      /* CLBlast's generic default */
    {0, 1, 32, 2, 16, 16, 64, 16, 16, 64, 1, 1, 0, 0, 2, 2},
    {0, 1, 16, 2, 16, 16, 128, 16, 16, 128, 1, 1, 1, 0, 4, 4},
    {0, 1, 32, 2, 8, 8, 32, 8, 8, 32, 0, 0, 0, 0, 1, 1},
    {0, 1, 32, 2, 16, 16, 64, 8, 8, 64, 1, 1, 1, 1, 4, 2},
};
static const char *const DIRECT_NAMES[10] = {"KWID", "MDIMAD", "MDIMCD", "NDIMBD", "NDIMCD",
                                             "PADA", "PADB", "VWMD", "VWND", "WGD"};
static const size_t DIRECT_SETS[][10] = {
    {2, 8, 8, 8, 8, 1, 1, 1, 1, 32},    /* CLBlast's generic default */
    {2, 16, 16, 16, 16, 1, 1, 2, 2, 64},
    {2, 8, 8, 8, 8, 1, 1, 2, 2, 32},
};
#define COUNT(a) ((int)(sizeof a / sizeof a[0]))

/* Applies the profile's CLBlast parameter sets on the device. CLBlast keeps
 * them per device for the whole process, and recompiles when they change,
 * so they are set again only when they differ from what was set last. */
static asacl_status apply_overrides(asacl_ctx *ctx)
{
    static cl_device_id last_device;
    static long last_x = -1, last_d = -1;
    long x = rt_param(ctx, "gemm", "CLBLAST_XGEMM", -1), d = rt_param(ctx, "gemm", "CLBLAST_DIRECT", -1);
    if (x >= COUNT(XGEMM_SETS) || d >= COUNT(DIRECT_SETS))
        return rt_fail(ASACL_ERR_PROFILE, "profile %s: gemm.CLBLAST_XGEMM must be below %d and "
                       "gemm.CLBLAST_DIRECT below %d", ctx->profile.source, COUNT(XGEMM_SETS),
                       COUNT(DIRECT_SETS));
    if (ctx->device == last_device && x == last_x && d == last_d) return ASACL_OK;
    if (x >= 0 || last_x >= 0) { /* back to the database: its default set */
        CLBlastStatusCode c = CLBlastOverrideParameters(ctx->device, "Xgemm", CLBlastPrecisionSingle,
                                                        16, (const char **)XGEMM_NAMES,
                                                        XGEMM_SETS[x >= 0 ? x : 0]);
        if (c != CLBlastSuccess)
            return rt_fail(ASACL_ERR_OPENCL, "CLBlastOverrideParameters(Xgemm, set %ld) failed "
                           "with CLBlast status %d", x, (int)c);
    }
    if (d >= 0 || last_d >= 0) {
        CLBlastStatusCode c = CLBlastOverrideParameters(ctx->device, "XgemmDirect",
                                                        CLBlastPrecisionSingle, 10,
                                                        (const char **)DIRECT_NAMES,
                                                        DIRECT_SETS[d >= 0 ? d : 0]);
        if (c != CLBlastSuccess)
            return rt_fail(ASACL_ERR_OPENCL, "CLBlastOverrideParameters(XgemmDirect, set %ld) "
                           "failed with CLBlast status %d", d, (int)c);
    }
    last_device = ctx->device;
    last_x = x;
    last_d = d;
    return ASACL_OK;
}

asacl_status gemm_clblast_reserve(asacl_ctx *ctx, gemm_shape s, size_t lda, size_t ldb,
                                  size_t ldc)
{
    struct gemm_state *g = NULL;
    TRY(gemm_state_get(ctx, &g));
    size_t bytes = 0;
    CLBlastStatusCode code = CLBlastSGemmTempBufferSize(
        CLBlastLayoutRowMajor, tr(s.trans_a), tr(s.trans_b), s.m, s.n, s.k, 0, lda, 0, ldb, 0,
        ldc, &ctx->queue, &bytes);
    if (code != CLBlastSuccess) return clblast_fail(code, "CLBlastSGemmTempBufferSize", s);
    if (bytes <= g->temp_bytes) return ASACL_OK;
    rt_buffer_release(&g->temp);
    g->temp_bytes = 0;
    TRY(rt_buffer_create(ctx, bytes, "the GEMM temporary buffer", &g->temp));
    g->temp_bytes = bytes;
    return ASACL_OK;
}

asacl_status gemm_clblast_run(asacl_ctx *ctx, gemm_shape s, float alpha, gemm_mat a,
                              size_t stride_a, gemm_mat b, size_t stride_b, float beta,
                              gemm_mat c, size_t stride_c, size_t batch)
{
    gemm_stride sa = {stride_a, 0}, sb = {stride_b, 0}, sc = {stride_c, 0};
    return gemm_clblast_run2(ctx, s, alpha, a, sa, b, sb, beta, c, sc, batch, 1);
}

/* Both levels at once: CLBlastSgemmBatched with one offset per product. */
static asacl_status run_offsets(asacl_ctx *ctx, gemm_shape s, float alpha, gemm_mat a,
                                gemm_stride sa, gemm_mat b, gemm_stride sb, float beta, gemm_mat c,
                                gemm_stride sc, size_t outer, size_t inner)
{
    size_t n = outer * inner;
    size_t *off = malloc(3 * n * sizeof *off);
    float *ab = malloc(2 * n * sizeof *ab);
    if (!off || !ab) {
        free(off);
        free(ab);
        return rt_fail(ASACL_ERR_OUT_OF_MEMORY, "GEMM batch offsets");
    }
    for (size_t o = 0; o < outer; o++)
        for (size_t i = 0; i < inner; i++) {
            size_t z = o * inner + i;
            off[z] = a.off + o * sa.outer + i * sa.inner;
            off[n + z] = b.off + o * sb.outer + i * sb.inner;
            off[2 * n + z] = c.off + o * sc.outer + i * sc.inner;
            ab[z] = alpha;
            ab[n + z] = beta;
        }
    double t = rt_timed_begin(ctx);
    CLBlastStatusCode code = CLBlastSgemmBatched(
        CLBlastLayoutRowMajor, tr(s.trans_a), tr(s.trans_b), s.m, s.n, s.k, ab, a.buf, off, a.ld,
        b.buf, off + n, b.ld, ab + n, c.buf, off + 2 * n, c.ld, n, &ctx->queue, NULL);
    free(off);
    free(ab);
    if (code != CLBlastSuccess) return clblast_fail(code, "CLBlastSgemmBatched", s);
    return rt_timed_end(ctx, "clblast_gemm_batched", t);
}

asacl_status gemm_clblast_run2(asacl_ctx *ctx, gemm_shape s, float alpha, gemm_mat a,
                               gemm_stride sa, gemm_mat b, gemm_stride sb, float beta, gemm_mat c,
                               gemm_stride sc, size_t outer, size_t inner)
{
    if (s.m == 0 || s.n == 0 || outer == 0 || inner == 0) return ASACL_OK;
    if (outer > 1 && inner > 1) {
        TRY(apply_overrides(ctx));
        return run_offsets(ctx, s, alpha, a, sa, b, sb, beta, c, sc, outer, inner);
    }
    size_t batch = outer * inner;
    size_t stride_a = outer > 1 ? sa.outer : sa.inner, stride_b = outer > 1 ? sb.outer : sb.inner,
           stride_c = outer > 1 ? sc.outer : sc.inner;
    /* CLBlast's kernels carry no events of ours: with kernel timing on they
     * are timed by the wall clock around a finished queue. */
    static const char *names[2][2] = {{"clblast_gemm_nn", "clblast_gemm_nt"},
                                      {"clblast_gemm_tn", "clblast_gemm_tt"}};
    const char *name = batch > 1 ? "clblast_gemm_batched" : names[!!s.trans_a][!!s.trans_b];
    TRY(apply_overrides(ctx));
    CLBlastStatusCode code;
    if (batch == 1) {
        TRY(gemm_clblast_reserve(ctx, s, a.ld, b.ld, c.ld)); /* no-op once reserved */
        struct gemm_state *g = ctx->gemm;
        double t = rt_timed_begin(ctx);
        code = CLBlastSgemmWithTempBuffer(
            CLBlastLayoutRowMajor, tr(s.trans_a), tr(s.trans_b), s.m, s.n, s.k, alpha, a.buf,
            a.off, a.ld, b.buf, b.off, b.ld, beta, c.buf, c.off, c.ld, &ctx->queue, NULL, g->temp);
        if (code != CLBlastSuccess) return clblast_fail(code, "CLBlastSgemmWithTempBuffer", s);
        return rt_timed_end(ctx, name, t);
    }
    double t = rt_timed_begin(ctx);
    code = CLBlastSgemmStridedBatched(
        CLBlastLayoutRowMajor, tr(s.trans_a), tr(s.trans_b), s.m, s.n, s.k, alpha, a.buf, a.off,
        a.ld, stride_a, b.buf, b.off, b.ld, stride_b, beta, c.buf, c.off, c.ld, stride_c, batch,
        &ctx->queue, NULL);
    if (code != CLBlastSuccess) return clblast_fail(code, "CLBlastSgemmStridedBatched", s);
    return rt_timed_end(ctx, name, t);
}
