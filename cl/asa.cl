/* asa.cl -- the adversary's mask (asa-spec section 4) and its backward.
 *   A[b,i,j] = AQ_i . AK_j / sqrt(D) + P[b,j]     (the product comes from a GEMM)
 *   M = 1 if A > 0, 0 if A < 0, 0.5 if A == 0     (as the reference)
 *   G = (1 - M) * -10000, shared by all heads, replacing the padding bias
 * Backward: straight-through with gradient reversal,
 *   dM = 10000 * sum_h dS' + tau^2 / B,   dA = -dM * s(A) (1 - s(A)). */
#include "common.h"

/* In place: scores holds A - P on entry and A on exit; writes M and G.
 * global (T, B*T): item (j, b*T + i). */
__kernel void asa_mask_forward(__global float *scores, ulong scores_off, __global float *mask,
                               ulong mask_off, __global float *bias, ulong bias_off,
                               __global const float *padbias, ulong padbias_off, uint B, uint T)
{
    uint j = get_global_id(0), row = get_global_id(1);
    if (j >= T || row >= B * T) return;
    uint b = row / T;
    ulong k = (ulong)row * T + j;
    float a = scores[scores_off + k] + padbias[padbias_off + (ulong)b * T + j];
    float m = a > 0.0f ? 1.0f : (a < 0.0f ? 0.0f : 0.5f);
    scores[scores_off + k] = a;
    mask[mask_off + k] = m;
    bias[bias_off + k] = (1.0f - m) * ASACL_MASKED;
}

/* In place: grad holds dG = sum_h dS' on entry and dA on exit; global (B*T*T). */
__kernel void asa_mask_backward(__global float *grad, ulong grad_off, __global const float *scores,
                                ulong scores_off, uint n, float penalty)
{
    uint k = get_global_id(0);
    if (k >= n) return;
    float dm = -ASACL_MASKED * grad[grad_off + k] + penalty;
    float s = 1.0f / (1.0f + exp(-scores[scores_off + k]));
    grad[grad_off + k] = -dm * s * (1.0f - s);
}

/* Per query row b*T + i: kept[row] = sum over every key j of M[b,i,j]
 * (the kept-unit count of rloss, padding included), and masked[row] = sum
 * over real keys j of (1 - M[b,i,j]) when query i is real, else 0 (the
 * masked fraction of asa-spec 8); global (B*T). */
__kernel void asa_mask_stats(__global float *kept, ulong kept_off, __global float *masked,
                             ulong masked_off, __global const float *mask, ulong mask_off,
                             __global const float *padbias, ulong padbias_off, uint B, uint T)
{
    uint row = get_global_id(0);
    if (row >= B * T) return;
    uint b = row / T;
    int real_query = padbias[padbias_off + row] == 0.0f;
    float k = 0.0f, s = 0.0f;
    for (uint j = 0; j < T; j++) {
        float m = mask[mask_off + (ulong)row * T + j];
        k += m;
        if (real_query && padbias[padbias_off + (ulong)b * T + j] == 0.0f) s += 1.0f - m;
    }
    kept[kept_off + row] = k;
    masked[masked_off + row] = s;
}
