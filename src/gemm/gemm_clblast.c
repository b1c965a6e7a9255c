/* gemm_clblast.c -- the CLBlast backend (Debian libclblast-dev).
 * Plain products use CLBlastSgemmWithTempBuffer with one temporary buffer
 * kept in the context and sized up front by gemm_reserve; batched products
 * use CLBlastSgemmStridedBatched. */
#include "gemm/gemm_state.h" /* first: it sets the OpenCL target version */
#include <clblast_c.h>

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
    if (s.m == 0 || s.n == 0 || batch == 0) return ASACL_OK;
    /* CLBlast's kernels carry no events of ours: with kernel timing on they
     * are timed by the wall clock around a finished queue. */
    static const char *names[2][2] = {{"clblast_gemm_nn", "clblast_gemm_nt"},
                                      {"clblast_gemm_tn", "clblast_gemm_tt"}};
    const char *name = batch > 1 ? "clblast_gemm_batched" : names[!!s.trans_a][!!s.trans_b];
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
