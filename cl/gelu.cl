/* gelu.cl -- bias + GELU (erf form) of the feed-forward layer.
 *   gelu(x) = x Phi(x),  Phi(x) = (1 + erf(x / sqrt 2)) / 2 = erfc(-x / sqrt 2) / 2
 * Phi comes from erfc with fractional error below 1.2e-7 everywhere
 * (the Chebyshev fit of Numerical Recipes' erfcc): one exp and a polynomial,
 * which vectorises where a device's built-in erf may not (PoCL's erf ran
 * 15x slower than exp here), and keeps its relative accuracy for large
 * negative x, where 1 + erf(x) cancels. */
#include "common.h"

#define INV_SQRT2 0.70710678118654752f
#define INV_SQRT_2PI 0.39894228040143268f

/* erfc(z) for z >= 0. */
inline float erfc_pos(float z)
{
    float t = 1.0f / (1.0f + 0.5f * z);
    float p = -0.82215223f + t * 0.17087277f;
    p = 1.48851587f + t * p;
    p = -1.13520398f + t * p;
    p = 0.27886807f + t * p;
    p = -0.18628806f + t * p;
    p = 0.09678418f + t * p;
    p = 0.37409196f + t * p;
    p = 1.00002368f + t * p;
    p = -1.26551223f + t * p;
    return t * exp(-z * z + p);
}

/* The standard normal distribution function. */
inline float normal_cdf(float x)
{
    float z = x * INV_SQRT2;
    float c = 0.5f * erfc_pos(fabs(z));
    return z >= 0.0f ? 1.0f - c : c;
}

/* pre[n, f] += bias[f] (kept for the backward), act = gelu(pre); N*F items. */
__kernel void gelu_forward(__global float *act, ulong act_off, __global float *pre, ulong pre_off,
                           __global const float *params, ulong bias_off, uint n, uint F)
{
    uint i = get_global_id(0);
    if (i >= n) return;
    float x = pre[pre_off + i] + params[bias_off + i % F];
    pre[pre_off + i] = x;
    act[act_off + i] = x * normal_cdf(x);
}

/* dpre = dact * gelu'(pre), gelu'(x) = Phi(x) + x phi(x). dpre may alias dact. */
__kernel void gelu_backward(__global float *dpre, ulong dpre_off, __global const float *dact,
                            ulong dact_off, __global const float *pre, ulong pre_off, uint n)
{
    uint i = get_global_id(0);
    if (i >= n) return;
    float x = pre[pre_off + i];
    float d = normal_cdf(x) + x * INV_SQRT_2PI * exp(-0.5f * x * x);
    dpre[dpre_off + i] = dact[dact_off + i] * d;
}

/* gelu_backward and the first stage of the bias gradient in one pass:
 * dpre[r, c] = dact[r, c] * gelu'(pre[r, c]) for rows [s * chunk,
 * (s + 1) * chunk) of R, and partial[s * F + c] = the sum of those dpre
 * (reduce_columns is the second stage, as for bias_backward, whose sums
 * these are, in the same order). dpre may alias dact. global (F, S). */
__kernel void gelu_bias_backward(__global float *dpre, ulong dpre_off,
                                 __global float *partial, ulong partial_off,
                                 __global const float *dact, ulong dact_off,
                                 __global const float *pre, ulong pre_off, uint R, uint F,
                                 uint chunk)
{
    uint c = get_global_id(0), k = get_global_id(1);
    if (c >= F) return;
    uint end = min(R, (k + 1) * chunk);
    float s = 0.0f;
    for (uint r = k * chunk; r < end; r++) {
        ulong i = (ulong)r * F + c;
        float x = pre[pre_off + i];
        float d = normal_cdf(x) + x * INV_SQRT_2PI * exp(-0.5f * x * x);
        float v = dact[dact_off + i] * d;
        dpre[dpre_off + i] = v;
        s += v;
    }
    partial[partial_off + (ulong)k * F + c] = s;
}
