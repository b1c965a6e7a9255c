/* linear.c -- dense layers (see linear.h). */
#include "gemm/gemm.h"
#include "model/linear.h"

static gemm_mat mat(tensor t, size_t ld)
{
    gemm_mat m = {t.buf, t.off, ld};
    return m;
}

asacl_status linear_forward(asacl_ctx *ctx, tensor y, size_t ldy, tensor x, size_t ldx, tensor w,
                            size_t M, size_t in, size_t out)
{
    gemm_shape s = {0, 1, M, out, in};
    return gemm(ctx, s, 1.0f, mat(x, ldx), mat(w, in), 0.0f, mat(y, ldy));
}

asacl_status linear_forward_bias(asacl_ctx *ctx, tensor y, size_t ldy, tensor x, size_t ldx,
                                 tensor w, tensor bias, size_t M, size_t in, size_t out)
{
    gemm_shape s = {0, 1, M, out, in};
    gemm_mat b = mat(bias, out);
    int fused = 0;
    TRY(gemm_fused(ctx, s, 1.0f, mat(x, ldx), mat(w, in), mat(y, ldy), &b, NULL, &fused));
    return fused ? ASACL_OK : op_bias_forward(ctx, y, ldy, bias, M, out);
}

asacl_status linear_forward_gelu(asacl_ctx *ctx, tensor act, tensor pre, tensor x, size_t ldx,
                                 tensor w, tensor bias, size_t M, size_t in, size_t out)
{
    gemm_shape s = {0, 1, M, out, in};
    gemm_mat b = mat(bias, out);
    gemm_gelu g = {GEMM_GELU_FORWARD, mat(act, out)};
    int fused = 0;
    TRY(gemm_fused(ctx, s, 1.0f, mat(x, ldx), mat(w, in), mat(pre, out), &b, &g, &fused));
    return fused ? ASACL_OK : op_gelu_forward(ctx, act, pre, bias, M, out);
}

asacl_status linear_backward_gelu(asacl_ctx *ctx, tensor dpre, tensor dbias, tensor pre,
                                  tensor dw, tensor dy, size_t ldy, tensor x, tensor w, size_t M,
                                  size_t in, size_t out)
{
    tensor none = {0};
    TRY(linear_backward(ctx, none, 0, 0.0f, dw, dy, ldy, x, in, w, M, in, out)); /* dW only */
    gemm_shape sx = {0, 0, M, in, out};
    gemm_gelu g = {GEMM_GELU_BACKWARD, mat(pre, in)};
    int fused = 0;
    TRY(gemm_fused(ctx, sx, 1.0f, mat(dy, ldy), mat(w, in), mat(dpre, in), NULL, &g, &fused));
    if (fused) return op_bias_backward(ctx, dbias, dpre, in, M, in);
    return op_gelu_bias_backward(ctx, dpre, dbias, dpre, pre, M, in);
}

asacl_status linear_backward(asacl_ctx *ctx, tensor dx, size_t lddx, float beta, tensor dw,
                             tensor dy, size_t ldy, tensor x, size_t ldx, tensor w, size_t M,
                             size_t in, size_t out)
{
    gemm_shape sw = {1, 0, out, in, M};
    TRY(gemm(ctx, sw, 1.0f, mat(dy, ldy), mat(x, ldx), 1.0f, mat(dw, in)));
    if (!dx.buf) return ASACL_OK;
    gemm_shape sx = {0, 0, M, in, out};
    return gemm(ctx, sx, 1.0f, mat(dy, ldy), mat(w, in), beta, mat(dx, lddx));
}
