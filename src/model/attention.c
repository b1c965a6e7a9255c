/* attention.c -- the plain attention path: the per-head products through
 * the GEMM interface, each one launch over every (sequence, head) pair
 * (gemm_batched2), around the softmax kernels. */
#include <math.h>

#include "gemm/gemm.h"
#include "model/attention.h"

/* Head h of part `part` (0 q, 1 k, 2 v) of sequence b as a T x d matrix:
 * (b, h) at b * T*3D + h * d of qkv [B*T, 3D]. */
static gemm_mat qkv_part(tensor qkv, const attn_desc *d, int part)
{
    gemm_mat m = {qkv.buf, qkv.off + (size_t)part * d->D, 3 * d->D};
    return m;
}
static gemm_stride qkv_strides(const attn_desc *d)
{
    gemm_stride s = {d->T * 3 * d->D, d->D / d->H};
    return s;
}

/* The [T, T] matrices [B, H, T, T]. */
static gemm_mat squares(tensor t, const attn_desc *d)
{
    gemm_mat m = {t.buf, t.off, d->T};
    return m;
}
static gemm_stride square_strides(const attn_desc *d)
{
    gemm_stride s = {d->H * d->T * d->T, d->T * d->T};
    return s;
}

/* Head columns of a [B*T, D] matrix. */
static gemm_mat rows(tensor t, const attn_desc *d)
{
    gemm_mat m = {t.buf, t.off, d->D};
    return m;
}
static gemm_stride row_strides(const attn_desc *d)
{
    gemm_stride s = {d->T * d->D, d->D / d->H};
    return s;
}

asacl_status attention_plain_forward(asacl_ctx *ctx, tensor out, tensor probs, tensor pdrop,
                                     tensor qkv, const attn_desc *d)
{
    size_t T = d->T, hd = d->D / d->H, B = d->B, H = d->H;
    float scale = (float)(1.0 / sqrt((double)hd));
    gemm_shape qk = {0, 1, T, T, hd}, pv = {0, 0, T, hd, T};
    gemm_stride sq = qkv_strides(d), ss = square_strides(d), sr = row_strides(d);
    TRY(gemm_batched2(ctx, qk, scale, qkv_part(qkv, d, 0), sq, qkv_part(qkv, d, 1), sq, 0.0f,
                      squares(probs, d), ss, B, H));
    TRY(op_softmax_forward(ctx, probs, pdrop, d));
    return gemm_batched2(ctx, pv, 1.0f, squares(pdrop, d), ss, qkv_part(qkv, d, 2), sq, 0.0f,
                         rows(out, d), sr, B, H);
}

asacl_status attention_plain_backward(asacl_ctx *ctx, tensor dqkv, tensor dbias, tensor dout,
                                      tensor probs, tensor pdrop, tensor ds, tensor qkv,
                                      const attn_desc *d)
{
    size_t T = d->T, hd = d->D / d->H, B = d->B, H = d->H;
    float scale = (float)(1.0 / sqrt((double)hd));
    gemm_shape dp = {0, 1, T, T, hd};  /* dPdrop = dO V^T */
    gemm_shape dv = {1, 0, T, hd, T};  /* dV = Pdrop^T dO */
    gemm_shape dq = {0, 0, T, hd, T};  /* dQ = dS K */
    gemm_shape dk = {1, 0, T, hd, T};  /* dK = dS^T Q */
    gemm_stride sq = qkv_strides(d), ss = square_strides(d), sr = row_strides(d);
    TRY(gemm_batched2(ctx, dp, 1.0f, rows(dout, d), sr, qkv_part(qkv, d, 2), sq, 0.0f,
                      squares(ds, d), ss, B, H));
    TRY(gemm_batched2(ctx, dv, 1.0f, squares(pdrop, d), ss, rows(dout, d), sr, 0.0f,
                      qkv_part(dqkv, d, 2), sq, B, H));
    TRY(op_softmax_backward(ctx, ds, dbias, probs, d));
    TRY(gemm_batched2(ctx, dq, scale, squares(ds, d), ss, qkv_part(qkv, d, 1), sq, 0.0f,
                      qkv_part(dqkv, d, 0), sq, B, H));
    return gemm_batched2(ctx, dk, scale, squares(ds, d), ss, qkv_part(qkv, d, 0), sq, 0.0f,
                         qkv_part(dqkv, d, 1), sq, B, H);
}
