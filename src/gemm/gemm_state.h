/* gemm_state.h -- state of the GEMM layer kept in the context (private to
 * src/gemm): CLBlast's temporary buffer, the per-class choices read from the
 * profile once, and call counts. */
#ifndef ASACL_GEMM_STATE_H
#define ASACL_GEMM_STATE_H

#include "gemm/gemm.h"

#define GEMM_KERNEL_CACHE 32

struct gemm_state {
    cl_mem temp; /* CLBlast's temporary buffer (plain products) */
    size_t temp_bytes;
    int resolved; /* choice[] read from the profile */
    gemm_choice choice[GEMM_CLASS_COUNT];
    gemm_stats stats;
    /* Own kernels resolved so far, by build parameters and transposes, so a
     * launch finds its handle without building names or defines. */
    struct {
        int key[7]; /* vw, nv, rm, wgx, wgy, transpose case, GELU epilogue */
        cl_kernel kernel;
    } kernels[GEMM_KERNEL_CACHE];
    size_t n_kernels;
    /* Tiled kernels resolved so far, by build parameters and transposes. */
    struct {
        int key[8]; /* mwg, nwg, kwg, mdimc, ndimc, vw, pad, transpose case */
        cl_kernel kernel;
    } tiled[GEMM_KERNEL_CACHE];
    size_t n_tiled;
};

/* The context's GEMM state, created on first use. */
asacl_status gemm_state_get(asacl_ctx *ctx, struct gemm_state **out);

/* Grows CLBlast's temporary buffer for a plain product of this shape. */
asacl_status gemm_clblast_reserve(asacl_ctx *ctx, gemm_shape s, size_t lda, size_t ldb,
                                  size_t ldc);
/* gemm_own_run2 with the epilogues: bias (NULL: none) holds N floats from
 * bias->off, added to every row of C on the first K block; gelu (NULL:
 * none) is applied on the last (gemm.h), its matrix in C's layout (C's ld
 * and strides, from gelu->m.off). */
asacl_status gemm_own_run_fused(asacl_ctx *ctx, const gemm_own_params *p, gemm_shape s,
                                float alpha, gemm_mat a, gemm_stride sa, gemm_mat b,
                                gemm_stride sb, float beta, gemm_mat c, gemm_stride sc,
                                size_t outer, size_t inner, const gemm_mat *bias,
                                const gemm_gelu *gelu);
/* Builds the own kernel a shape will use (no launch). */
asacl_status gemm_own_prepare(asacl_ctx *ctx, const gemm_own_params *p, gemm_shape s);
/* Builds the tiled kernel a shape will use (no launch). */
asacl_status gemm_tiled_prepare(asacl_ctx *ctx, const gemm_tiled_params *p, gemm_shape s);

#endif
