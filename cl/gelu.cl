/* gelu.cl -- bias + GELU (erf form) of the feed-forward layer.
 *   gelu(x) = 0.5 x (1 + erf(x / sqrt 2)) */
#include "common.h"

#define INV_SQRT2 0.70710678118654752f
#define INV_SQRT_2PI 0.39894228040143268f

/* pre[n, f] += bias[f] (kept for the backward), act = gelu(pre); N*F items. */
__kernel void gelu_forward(__global float *act, ulong act_off, __global float *pre, ulong pre_off,
                           __global const float *params, ulong bias_off, uint n, uint F)
{
    uint i = get_global_id(0);
    if (i >= n) return;
    float x = pre[pre_off + i] + params[bias_off + i % F];
    pre[pre_off + i] = x;
    act[act_off + i] = 0.5f * x * (1.0f + erf(x * INV_SQRT2));
}

/* dpre = dact * gelu'(pre), gelu'(x) = Phi(x) + x phi(x). dpre may alias dact. */
__kernel void gelu_backward(__global float *dpre, ulong dpre_off, __global const float *dact,
                            ulong dact_off, __global const float *pre, ulong pre_off, uint n)
{
    uint i = get_global_id(0);
    if (i >= n) return;
    float x = pre[pre_off + i];
    float d = 0.5f * (1.0f + erf(x * INV_SQRT2)) + x * INV_SQRT_2PI * exp(-0.5f * x * x);
    dpre[dpre_off + i] = dact[dact_off + i] * d;
}
