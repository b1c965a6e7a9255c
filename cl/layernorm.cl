/* layernorm.cl -- LayerNorm over the last dimension, one work-group per row.
 *   y = (x - mean) * rstd * gamma + beta,  rstd = 1 / sqrt(var + eps)
 * mean and rstd are saved per row for the backward pass.
 *
 * residual_layernorm_forward/_backward fuse the end of an attention or
 * feed-forward block into one pass over memory:
 *   res = resid + dropout(x + bias),  y = LN(res)
 * and its backward with the column sums of the three parameter gradients.
 * The unfused kernels (residual.cl, this file's layernorm kernels,
 * dropout.cl, bias.cl) stay as the reference the fused ones are tested
 * against; the arithmetic and the order of every sum are theirs. */
#include "common.h"
#include "dropout.h"

/* Work-items per row (a power of two). */
#ifndef LN_WG
#define LN_WG 64
#endif

/* global (N * LN_WG), local (LN_WG). x and y may not alias. */
__kernel __attribute__((reqd_work_group_size(LN_WG, 1, 1)))
void layernorm_forward(__global float *y, ulong y_off, __global float *mean, ulong mean_off,
                       __global float *rstd, ulong rstd_off, __global const float *x,
                       ulong x_off, __global const float *params, ulong gamma_off,
                       ulong beta_off, uint D, float eps)
{
    __local float scratch[LN_WG];
    uint row = get_group_id(0), l = get_local_id(0);
    __global const float *xr = x + x_off + (ulong)row * D;
    float s = 0.0f;
    for (uint c = l; c < D; c += LN_WG) s += xr[c];
    float mu = group_sum(scratch, s) / (float)D;
    float q = 0.0f;
    for (uint c = l; c < D; c += LN_WG) {
        float d = xr[c] - mu;
        q += d * d;
    }
    float r = rsqrt(group_sum(scratch, q) / (float)D + eps);
    __global float *yr = y + y_off + (ulong)row * D;
    for (uint c = l; c < D; c += LN_WG)
        yr[c] = (xr[c] - mu) * r * params[gamma_off + c] + params[beta_off + c];
    if (l == 0) {
        mean[mean_off + row] = mu;
        rstd[rstd_off + row] = r;
    }
}

/* dx = rstd * (g - mean(g) - xhat * mean(g * xhat)),  g = gamma * dy.
 * accumulate != 0 adds to dx instead of overwriting it. dx may alias dy
 * only when accumulate == 0. global (N * LN_WG), local (LN_WG). */
__kernel __attribute__((reqd_work_group_size(LN_WG, 1, 1)))
void layernorm_backward(__global float *dx, ulong dx_off, __global const float *dy, ulong dy_off,
                        __global const float *x, ulong x_off, __global const float *mean,
                        ulong mean_off, __global const float *rstd, ulong rstd_off,
                        __global const float *params, ulong gamma_off, uint D, int accumulate)
{
    __local float scratch[LN_WG];
    uint row = get_group_id(0), l = get_local_id(0);
    ulong base = (ulong)row * D;
    float mu = mean[mean_off + row], r = rstd[rstd_off + row];
    float s1 = 0.0f, s2 = 0.0f;
    for (uint c = l; c < D; c += LN_WG) {
        float g = params[gamma_off + c] * dy[dy_off + base + c];
        s1 += g;
        s2 += g * (x[x_off + base + c] - mu) * r;
    }
    float m1 = group_sum(scratch, s1) / (float)D;
    float m2 = group_sum(scratch, s2) / (float)D;
    for (uint c = l; c < D; c += LN_WG) {
        float g = params[gamma_off + c] * dy[dy_off + base + c];
        float xhat = (x[x_off + base + c] - mu) * r;
        float v = r * (g - m1 - xhat * m2);
        if (accumulate) v += dx[dx_off + base + c];
        dx[dx_off + base + c] = v;
    }
}

/* The first stage of dgamma[c] += sum_n dy * xhat and dbeta[c] += sum_n dy
 * (reduce_columns is the second): partial sums over rows
 * [s * chunk, (s + 1) * chunk) at partial[s * 2D + c] (gamma) and
 * partial[s * 2D + D + c] (beta); global (D, S). */
__kernel void layernorm_backward_params(__global float *partial, ulong partial_off,
                                        __global const float *dy, ulong dy_off,
                                        __global const float *x, ulong x_off,
                                        __global const float *mean, ulong mean_off,
                                        __global const float *rstd, ulong rstd_off, uint N,
                                        uint D, uint chunk)
{
    uint c = get_global_id(0), k = get_global_id(1);
    if (c >= D) return;
    uint end = min(N, (k + 1) * chunk);
    float sg = 0.0f, sb = 0.0f;
    for (uint n = k * chunk; n < end; n++) {
        ulong i = (ulong)n * D + c;
        float d = dy[dy_off + i];
        sg += d * (x[x_off + i] - mean[mean_off + n]) * rstd[rstd_off + n];
        sb += d;
    }
    partial[partial_off + (ulong)k * 2 * D + c] = sg;
    partial[partial_off + (ulong)k * 2 * D + D + c] = sb;
}

/* ---- fused with the residual, dropout and bias ---- */

/* The arguments of both forward kernels (this and residual_layernorm8_forward). */
#define RESIDUAL_LAYERNORM_FORWARD_ARGS                                                       \
    __global float *y, ulong y_off, __global float *mean, ulong mean_off, __global float *rstd, \
        ulong rstd_off, __global float *res, ulong res_off, __global const float *resid,     \
        ulong resid_off, __global const float *x, ulong x_off, __global const float *params, \
        ulong gamma_off, ulong beta_off, ulong bias_off, uint D, float eps, float p, uint4 rng, \
        ulong rng_off

/* One work-group per row: global (N * LN_WG), local (LN_WG). Writes res
 * (kept for the backward; it may alias x, not resid), y, mean, rstd.
 * gamma, beta and bias are read from one parameter buffer. */
__kernel __attribute__((reqd_work_group_size(LN_WG, 1, 1)))
void residual_layernorm_forward(RESIDUAL_LAYERNORM_FORWARD_ARGS)
{
    __local float scratch[LN_WG];
    uint row = get_group_id(0), l = get_local_id(0);
    ulong base = (ulong)row * D;
    /* res, by the Philox groups of four that overlap the row (the element
     * index of the dropout stream is base + c). */
    ulong g0 = base >> 2, g1 = (base + D + 3) >> 2;
    for (ulong g = g0 + l; g < g1; g += LN_WG) {
        uint4 w = p > 0.0f ? dropout_words_at(rng, rng_off, g) : (uint4)(0xffffffffu);
        for (uint k = 0; k < 4; k++) {
            ulong i = 4 * g + k;
            if (i < base || i >= base + D) continue;
            uint c = (uint)(i - base);
            float f = p > 0.0f ? dropout_keep(dropout_word(w, k), p) : 1.0f;
            float v = (x[x_off + i] + params[bias_off + c]) * f;
            res[res_off + i] = resid[resid_off + i] + v;
        }
    }
    barrier(CLK_GLOBAL_MEM_FENCE);
    /* LayerNorm of the row, as layernorm_forward. */
    __global const float *xr = res + res_off + base;
    float s = 0.0f;
    for (uint c = l; c < D; c += LN_WG) s += xr[c];
    float mu = group_sum(scratch, s) / (float)D;
    float q = 0.0f;
    for (uint c = l; c < D; c += LN_WG) {
        float d = xr[c] - mu;
        q += d * d;
    }
    float r = rsqrt(group_sum(scratch, q) / (float)D + eps);
    __global float *yr = y + y_off + base;
    for (uint c = l; c < D; c += LN_WG)
        yr[c] = (xr[c] - mu) * r * params[gamma_off + c] + params[beta_off + c];
    if (l == 0) {
        mean[mean_off + row] = mu;
        rstd[rstd_off + row] = r;
    }
}

/* The arguments of both backward kernels (this and residual_layernorm8_backward). */
#define RESIDUAL_LAYERNORM_BACKWARD_ARGS                                                        \
    __global float *dres, ulong dres_off, __global float *dbranch, ulong dbranch_off,         \
        __global float *partial, ulong partial_off, __global const float *dy, ulong dy_off,   \
        __global const float *x, ulong x_off, __global const float *mean, ulong mean_off,     \
        __global const float *rstd, ulong rstd_off, __global const float *params,             \
        ulong gamma_off, uint N, uint D, uint chunk, float p, uint4 rng, ulong rng_off,       \
        __local float *acc

/* The backward over rows [s * chunk, (s + 1) * chunk) of N for work-group s:
 *   dres    = LN'(dy)                      (the residual branch's gradient)
 *   dbranch = dropout(dres)                (the gradient of x + bias)
 * and the first stage of the column sums (reduce_columns_split adds the
 * stages): partial[s * 3D + c] = sum dy * xhat (dgamma),
 * partial[s * 3D + D + c] = sum dy (dbeta), partial[s * 3D + 2D + c] =
 * sum dbranch (dbias), accumulated in acc (3 D floats of local memory).
 * global (S * LN_WG), local (LN_WG). No two of dres, dbranch, dy alias. */
__kernel __attribute__((reqd_work_group_size(LN_WG, 1, 1)))
void residual_layernorm_backward(RESIDUAL_LAYERNORM_BACKWARD_ARGS)
{
    __local float scratch[LN_WG];
    uint s = get_group_id(0), l = get_local_id(0);
    for (uint c = l; c < 3 * D; c += LN_WG) acc[c] = 0.0f;
    uint end = min(N, (s + 1) * chunk);
    for (uint n = s * chunk; n < end; n++) {
        ulong base = (ulong)n * D;
        float mu = mean[mean_off + n], r = rstd[rstd_off + n];
        float s1 = 0.0f, s2 = 0.0f;
        for (uint c = l; c < D; c += LN_WG) {
            float g = params[gamma_off + c] * dy[dy_off + base + c];
            s1 += g;
            s2 += g * (x[x_off + base + c] - mu) * r;
        }
        float m1 = group_sum(scratch, s1) / (float)D; /* its barriers also order acc */
        float m2 = group_sum(scratch, s2) / (float)D;
        for (uint c = l; c < D; c += LN_WG) {
            float d = dy[dy_off + base + c];
            float g = params[gamma_off + c] * d;
            float xhat = (x[x_off + base + c] - mu) * r;
            dres[dres_off + base + c] = r * (g - m1 - xhat * m2);
            acc[c] += d * (x[x_off + base + c] - mu) * r;
            acc[D + c] += d;
        }
        barrier(CLK_GLOBAL_MEM_FENCE | CLK_LOCAL_MEM_FENCE);
        ulong g0 = base >> 2, g1 = (base + D + 3) >> 2;
        for (ulong g = g0 + l; g < g1; g += LN_WG) {
            uint4 w = p > 0.0f ? dropout_words_at(rng, rng_off, g) : (uint4)(0xffffffffu);
            for (uint k = 0; k < 4; k++) {
                ulong i = 4 * g + k;
                if (i < base || i >= base + D) continue;
                uint c = (uint)(i - base);
                float v = dres[dres_off + i] * (p > 0.0f ? dropout_keep(dropout_word(w, k), p) : 1.0f);
                dbranch[dbranch_off + i] = v;
                acc[2 * D + c] += v;
            }
        }
    }
    barrier(CLK_LOCAL_MEM_FENCE);
    for (uint c = l; c < 3 * D; c += LN_WG) partial[partial_off + (ulong)s * 3 * D + c] = acc[c];
}

/* ---- the same, rows of a multiple of 8 columns as float8 ----
 * A CPU compiler vectorises across work-items only loops with no inner loop
 * of their own, and these walk rows: here each work-item owns a contiguous
 * range of 8-column chunks of the row and walks them as float8, so the sums
 * are taken in another order than the kernels above. The host picks these
 * when D % 8 == 0; same arguments and launch. (Separate kernels, not a
 * branch on D inside the ones above: PoCL 3.1 compiled that uniform branch
 * around the barriers into a loop that never ended.) */

__kernel __attribute__((reqd_work_group_size(LN_WG, 1, 1)))
void residual_layernorm8_forward(RESIDUAL_LAYERNORM_FORWARD_ARGS)
{
    __local float scratch[LN_WG];
    uint row = get_group_id(0), l = get_local_id(0);
    ulong base = (ulong)row * D;
    uint per = (D / 8 + LN_WG - 1) / LN_WG, v0 = min(l * per, D / 8), v1 = min(v0 + per, D / 8);
    float8 s8 = 0.0f;
#define RL8_RES(c, f)                                                                    \
    {                                                                                    \
        ulong i_ = base + (c);                                                           \
        float8 t_ = (vload8(0, x + x_off + i_) + vload8(0, params + bias_off + (c))) * (f); \
        t_ += vload8(0, resid + resid_off + i_);                                         \
        vstore8(t_, 0, res + res_off + i_);                                              \
        s8 += t_;                                                                        \
    }
    DROPOUT_WALK8(rng, p, rng_off + base, 8 * v0, 8 * v1, RL8_RES)
#undef RL8_RES
    float mu = group_sum(scratch, hsum8(s8)) / (float)D;
    float8 q8 = 0.0f;
    for (uint v = v0; v < v1; v++) {
        uint c = 8 * v;
        float8 d = vload8(0, res + res_off + base + c) - mu;
        q8 += d * d;
    }
    float r = rsqrt(group_sum(scratch, hsum8(q8)) / (float)D + eps);
    for (uint v = v0; v < v1; v++) {
        uint c = 8 * v;
        float8 t = (vload8(0, res + res_off + base + c) - mu) * r;
        t = t * vload8(0, params + gamma_off + c) + vload8(0, params + beta_off + c);
        vstore8(t, 0, y + y_off + base + c);
    }
    if (l == 0) {
        mean[mean_off + row] = mu;
        rstd[rstd_off + row] = r;
    }
}

__kernel __attribute__((reqd_work_group_size(LN_WG, 1, 1)))
void residual_layernorm8_backward(RESIDUAL_LAYERNORM_BACKWARD_ARGS)
{
    __local float scratch[LN_WG];
    uint s = get_group_id(0), l = get_local_id(0);
    uint end = min(N, (s + 1) * chunk);
    uint per = (D / 8 + LN_WG - 1) / LN_WG, v0 = min(l * per, D / 8), v1 = min(v0 + per, D / 8);
    for (uint v = v0; v < v1; v++) {
        uint c = 8 * v;
        vstore8((float8)0.0f, 0, acc + c);
        vstore8((float8)0.0f, 0, acc + D + c);
        vstore8((float8)0.0f, 0, acc + 2 * D + c);
    }
    for (uint n = s * chunk; n < end; n++) {
        ulong base = (ulong)n * D;
        float mu = mean[mean_off + n], r = rstd[rstd_off + n];
        float8 s1 = 0.0f, s2 = 0.0f;
        for (uint v = v0; v < v1; v++) {
            uint c = 8 * v;
            float8 g = vload8(0, params + gamma_off + c) * vload8(0, dy + dy_off + base + c);
            s1 += g;
            s2 += g * ((vload8(0, x + x_off + base + c) - mu) * r);
        }
        float m1 = group_sum(scratch, hsum8(s1)) / (float)D;
        float m2 = group_sum(scratch, hsum8(s2)) / (float)D;
#define RL8_GRAD(c, f)                                                   \
    {                                                                    \
        ulong i_ = base + (c);                                           \
        float8 d = vload8(0, dy + dy_off + i_);                          \
        float8 g = vload8(0, params + gamma_off + (c)) * d;              \
        float8 xhat = (vload8(0, x + x_off + i_) - mu) * r;              \
        float8 w = r * (g - m1 - xhat * m2);                             \
        vstore8(w, 0, dres + dres_off + i_);                             \
        w *= (f);                                                        \
        vstore8(w, 0, dbranch + dbranch_off + i_);                       \
        vstore8(vload8(0, acc + (c)) + d * xhat, 0, acc + (c));          \
        vstore8(vload8(0, acc + D + (c)) + d, 0, acc + D + (c));         \
        vstore8(vload8(0, acc + 2 * D + (c)) + w, 0, acc + 2 * D + (c)); \
    }
        DROPOUT_WALK8(rng, p, rng_off + base, 8 * v0, 8 * v1, RL8_GRAD)
#undef RL8_GRAD
    }
    barrier(CLK_LOCAL_MEM_FENCE);
    for (uint c = l; c < 3 * D; c += LN_WG) partial[partial_off + (ulong)s * 3 * D + c] = acc[c];
}
