/* gelu.cl -- bias + GELU (erf form) of the feed-forward layer; Phi, the
 * normal distribution function, comes from gelu.h (shared with the GEMM's
 * GELU epilogue). */
#include "common.h"
#include "gelu.h"

/* Elements per work-item of gelu_forward and columns per work-item of
 * gelu_bias_backward, as explicit vectors: a CPU runtime's vectoriser across
 * work-items left gelu_bias_backward's row loop, and gelu_forward's
 * per-element bias index, scalar. 1, 2, 4, 8 or 16. */
#ifndef GELU_VW
#define GELU_VW 8
#endif
#define GELU_CAT_(a, b) a##b
#define GELU_CAT(a, b) GELU_CAT_(a, b)
#if GELU_VW == 1
typedef float gvec;
#define GVLOAD(p) (*(p))
#define GVSTORE(v, p) (*(p) = (v))
#else
typedef GELU_CAT(float, GELU_VW) gvec;
#define GVLOAD(p) GELU_CAT(vload, GELU_VW)(0, (p))
#define GVSTORE(v, p) GELU_CAT(vstore, GELU_VW)((v), 0, (p))
#endif

NORMAL_CDF_FN(float, normal_cdf)
NORMAL_CDF_FN(gvec, normal_cdf_v) /* GELU_VW lanes at once */
GELU_GRAD_FN(float, gelu_grad, normal_cdf)
GELU_GRAD_FN(gvec, gelu_grad_v, normal_cdf_v)

/* pre[n, f] += bias[f] (kept for the backward), act = gelu(pre); work-item g
 * does elements [g * GELU_VW, (g + 1) * GELU_VW) of n = N * F, as one
 * vector when F is a multiple of GELU_VW: global (ceil(n / GELU_VW)). */
__kernel void gelu_forward(__global float *act, ulong act_off, __global float *pre, ulong pre_off,
                           __global const float *params, ulong bias_off, uint n, uint F)
{
    uint i0 = get_global_id(0) * GELU_VW;
    if (i0 >= n) return;
    if (F % GELU_VW == 0 && i0 + GELU_VW <= n) {
        gvec x = GVLOAD(pre + pre_off + i0) + GVLOAD(params + bias_off + i0 % F);
        GVSTORE(x, pre + pre_off + i0);
        GVSTORE(x * normal_cdf_v(x), act + act_off + i0);
        return;
    }
    for (uint i = i0; i < n && i < i0 + GELU_VW; i++) {
        float x = pre[pre_off + i] + params[bias_off + i % F];
        pre[pre_off + i] = x;
        act[act_off + i] = x * normal_cdf(x);
    }
}

/* dpre = dact * gelu'(pre), gelu'(x) = Phi(x) + x phi(x). dpre may alias dact. */
__kernel void gelu_backward(__global float *dpre, ulong dpre_off, __global const float *dact,
                            ulong dact_off, __global const float *pre, ulong pre_off, uint n)
{
    uint i = get_global_id(0);
    if (i >= n) return;
    dpre[dpre_off + i] = dact[dact_off + i] * gelu_grad(pre[pre_off + i]);
}

/* gelu_backward and the first stage of the bias gradient in one pass:
 * dpre[r, c] = dact[r, c] * gelu'(pre[r, c]) for rows [s * chunk,
 * (s + 1) * chunk) of R, and partial[s * F + c] = the sum of those dpre
 * (reduce_columns is the second stage, as for bias_backward, whose sums
 * these are, in the same order). Work-item (v, s) does columns
 * [v * GELU_VW, (v + 1) * GELU_VW). dpre may alias dact.
 * global (ceil(F / GELU_VW), S). */
__kernel void gelu_bias_backward(__global float *dpre, ulong dpre_off,
                                 __global float *partial, ulong partial_off,
                                 __global const float *dact, ulong dact_off,
                                 __global const float *pre, ulong pre_off, uint R, uint F,
                                 uint chunk)
{
    uint c0 = get_global_id(0) * GELU_VW, k = get_global_id(1);
    if (c0 >= F) return;
    uint end = min(R, (k + 1) * chunk);
    if (c0 + GELU_VW <= F) {
        gvec s = 0.0f;
        for (uint r = k * chunk; r < end; r++) {
            ulong i = (ulong)r * F + c0;
            gvec v = GVLOAD(dact + dact_off + i) * gelu_grad_v(GVLOAD(pre + pre_off + i));
            GVSTORE(v, dpre + dpre_off + i);
            s += v;
        }
        GVSTORE(s, partial + partial_off + (ulong)k * F + c0);
        return;
    }
    for (uint c = c0; c < F; c++) { /* the last, partial group of columns */
        float s = 0.0f;
        for (uint r = k * chunk; r < end; r++) {
            ulong i = (ulong)r * F + c;
            float v = dact[dact_off + i] * gelu_grad(pre[pre_off + i]);
            dpre[dpre_off + i] = v;
            s += v;
        }
        partial[partial_off + (ulong)k * F + c] = s;
    }
}
