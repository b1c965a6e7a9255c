/* linear.h -- dense layers through the GEMM interface, with weights in
 * Hugging Face's [out, in] layout: y = x W^T (the bias added by the
 * product's store, or by the kernel that follows, fused with what comes
 * next). */
#ifndef ASACL_MODEL_LINEAR_H
#define ASACL_MODEL_LINEAR_H

#include "ops/ops.h"

/* y[M, out] (row stride ldy) = x[M, in] (row stride ldx) W^T. */
asacl_status linear_forward(asacl_ctx *ctx, tensor y, size_t ldy, tensor x, size_t ldx, tensor w,
                            size_t M, size_t in, size_t out);
/* y = x W^T + b: the bias in the product's store where the GEMM backend
 * can (gemm_fused), else by bias_forward after it. */
asacl_status linear_forward_bias(asacl_ctx *ctx, tensor y, size_t ldy, tensor x, size_t ldx,
                                 tensor w, tensor bias, size_t M, size_t in, size_t out);
/* pre = x W^T + b and act = gelu(pre), both [M, out] (row stride out): in
 * the product's store where the GEMM backend can (gemm_fused), else by
 * gelu_forward after it. */
asacl_status linear_forward_gelu(asacl_ctx *ctx, tensor act, tensor pre, tensor x, size_t ldx,
                                 tensor w, tensor bias, size_t M, size_t in, size_t out);
/* The backward of act = gelu(pre) followed by a dense layer y = act W^T:
 * dW += dy^T act (x = act, [M, in]); dpre = (dy W) * gelu'(pre) and dbias
 * += its column sums (dpre, pre: [M, in], row stride in). The GELU step in
 * the product's store where the GEMM backend can (then bias_backward), else
 * gelu_bias_backward after it. */
asacl_status linear_backward_gelu(asacl_ctx *ctx, tensor dpre, tensor dbias, tensor pre,
                                  tensor dw, tensor dy, size_t ldy, tensor x, tensor w, size_t M,
                                  size_t in, size_t out);
/* dW += dy^T x; and, when dx.buf, dx = dy W + beta * dx (beta 0 or 1). */
asacl_status linear_backward(asacl_ctx *ctx, tensor dx, size_t lddx, float beta, tensor dw,
                             tensor dy, size_t ldy, tensor x, size_t ldx, tensor w, size_t M,
                             size_t in, size_t out);

#endif
