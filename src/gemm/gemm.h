/* gemm.h -- the one matrix-multiply interface of asacl. Row-major:
 *     C[M,N] = alpha * op(A)[M,K] * op(B)[K,N] + beta * C
 * where op(X) is X or its transpose. Matrices are (buffer, element offset,
 * leading dimension) -- no sub-buffers. Backends: CLBlast (gemm_clblast.c). */
#ifndef ASACL_GEMM_H
#define ASACL_GEMM_H

#include "runtime/runtime.h"

typedef struct gemm_mat {
    cl_mem buf;
    size_t off; /* in floats */
    size_t ld;  /* leading dimension (row stride), in floats */
} gemm_mat;

typedef struct gemm_shape {
    int trans_a, trans_b;
    size_t m, n, k;
} gemm_shape;

/* One product. */
asacl_status gemm(asacl_ctx *ctx, gemm_shape s, float alpha, gemm_mat a, gemm_mat b, float beta,
                  gemm_mat c);

/* `batch` products; matrix i of X starts stride_x floats after matrix i-1. */
asacl_status gemm_batched(asacl_ctx *ctx, gemm_shape s, float alpha, gemm_mat a, size_t stride_a,
                          gemm_mat b, size_t stride_b, float beta, gemm_mat c, size_t stride_c,
                          size_t batch);

/* Makes room up front for the temporary storage a product of this shape
 * needs, so no allocation happens later (call for every shape a training
 * loop will use, before the loop). */
asacl_status gemm_reserve(asacl_ctx *ctx, gemm_shape s, size_t lda, size_t ldb, size_t ldc);

#endif
