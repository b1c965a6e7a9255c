/* attention.c -- the plain attention path: per-head products through the
 * GEMM interface (one strided-batched call over the heads of each sequence)
 * around the softmax kernels. */
#include <math.h>

#include "gemm/gemm.h"
#include "model/attention.h"

/* Head h of part `part` (0 q, 1 k, 2 v) of sequence b as a T x d matrix. */
static gemm_mat qkv_part(tensor qkv, const attn_desc *d, size_t b, int part)
{
    gemm_mat m = {qkv.buf, qkv.off + b * d->T * 3 * d->D + (size_t)part * d->D, 3 * d->D};
    return m;
}

/* The [T, T] matrices of sequence b, one per head. */
static gemm_mat squares(tensor t, const attn_desc *d, size_t b)
{
    gemm_mat m = {t.buf, t.off + b * d->H * d->T * d->T, d->T};
    return m;
}

/* Head columns of sequence b of a [B*T, D] matrix. */
static gemm_mat rows(tensor t, const attn_desc *d, size_t b)
{
    gemm_mat m = {t.buf, t.off + b * d->T * d->D, d->D};
    return m;
}

asacl_status attention_plain_forward(asacl_ctx *ctx, tensor out, tensor probs, tensor pdrop,
                                     tensor qkv, const attn_desc *d)
{
    size_t T = d->T, hd = d->D / d->H, tt = T * T;
    float scale = (float)(1.0 / sqrt((double)hd));
    gemm_shape qk = {0, 1, T, T, hd}, pv = {0, 0, T, hd, T};
    for (size_t b = 0; b < d->B; b++)
        TRY(gemm_batched(ctx, qk, scale, qkv_part(qkv, d, b, 0), hd, qkv_part(qkv, d, b, 1), hd,
                         0.0f, squares(probs, d, b), tt, d->H));
    TRY(op_softmax_forward(ctx, probs, pdrop, d));
    for (size_t b = 0; b < d->B; b++)
        TRY(gemm_batched(ctx, pv, 1.0f, squares(pdrop, d, b), tt, qkv_part(qkv, d, b, 2), hd,
                         0.0f, rows(out, d, b), hd, d->H));
    return ASACL_OK;
}

asacl_status attention_plain_backward(asacl_ctx *ctx, tensor dqkv, tensor dbias, tensor dout,
                                      tensor probs, tensor pdrop, tensor ds, tensor qkv,
                                      const attn_desc *d)
{
    size_t T = d->T, hd = d->D / d->H, tt = T * T;
    float scale = (float)(1.0 / sqrt((double)hd));
    gemm_shape dp = {0, 1, T, T, hd};  /* dPdrop = dO V^T */
    gemm_shape dv = {1, 0, T, hd, T};  /* dV = Pdrop^T dO */
    gemm_shape dq = {0, 0, T, hd, T};  /* dQ = dS K */
    gemm_shape dk = {1, 0, T, hd, T};  /* dK = dS^T Q */
    for (size_t b = 0; b < d->B; b++) {
        TRY(gemm_batched(ctx, dp, 1.0f, rows(dout, d, b), hd, qkv_part(qkv, d, b, 2), hd, 0.0f,
                         squares(ds, d, b), tt, d->H));
        TRY(gemm_batched(ctx, dv, 1.0f, squares(pdrop, d, b), tt, rows(dout, d, b), hd, 0.0f,
                         qkv_part(dqkv, d, b, 2), hd, d->H));
    }
    TRY(op_softmax_backward(ctx, ds, dbias, probs, d));
    for (size_t b = 0; b < d->B; b++) {
        TRY(gemm_batched(ctx, dq, scale, squares(ds, d, b), tt, qkv_part(qkv, d, b, 1), hd, 0.0f,
                         qkv_part(dqkv, d, b, 0), hd, d->H));
        TRY(gemm_batched(ctx, dk, scale, squares(ds, d, b), tt, qkv_part(qkv, d, b, 0), hd, 0.0f,
                         qkv_part(dqkv, d, b, 1), hd, d->H));
    }
    return ASACL_OK;
}
