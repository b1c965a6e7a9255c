/* reduce.cl -- deterministic reductions: a fixed split of the work and a
 * fixed order of the partial sums, so results repeat bit for bit. */
#include "common.h"

/* Work-items of the reduction work-groups (a power of two). */
#ifndef RED_WG
#define RED_WG 64
#endif

/* partial[g] = sum of x[i]^2 (square != 0) or x[i] over the chunk
 * [g * chunk, (g + 1) * chunk) of x[0, n); global (groups * RED_WG). */
__kernel __attribute__((reqd_work_group_size(RED_WG, 1, 1)))
void reduce_partial(__global float *partial, ulong partial_off, __global const float *x,
                    ulong x_off, ulong n, ulong chunk, int square)
{
    __local float scratch[RED_WG];
    ulong g = get_group_id(0), l = get_local_id(0);
    ulong b = g * chunk, e = min(b + chunk, n);
    float s = 0.0f;
    for (ulong i = b + l; i < e; i += RED_WG) {
        float v = x[x_off + i];
        s += square ? v * v : v;
    }
    s = group_sum(scratch, s);
    if (l == 0) partial[partial_off + g] = s;
}

/* out[0] (+)= scale * sum x[0, n) by one work-group; global (RED_WG). */
__kernel __attribute__((reqd_work_group_size(RED_WG, 1, 1)))
void reduce_sum(__global float *out, ulong out_off, __global const float *x, ulong x_off,
                uint n, float scale, int accumulate)
{
    __local float scratch[RED_WG];
    uint l = get_local_id(0);
    float s = 0.0f;
    for (uint i = l; i < n; i += RED_WG) s += x[x_off + i];
    s = group_sum(scratch, s) * scale;
    if (l == 0) out[out_off] = accumulate ? out[out_off] + s : s;
}

/* From a sum of squares s at norm[0]: norm[0] = sqrt(s) and
 * coef[0] = min(1, max_norm / (norm + 1e-6)) (torch's clip_grad_norm_);
 * global (1). */
__kernel void clip_coefficient(__global float *scalars, ulong norm_idx, ulong coef_idx,
                               float max_norm)
{
    if (get_global_id(0) != 0) return;
    float norm = sqrt(scalars[norm_idx]);
    scalars[norm_idx] = norm;
    scalars[coef_idx] = fmin(1.0f, max_norm / (norm + 1e-6f));
}

/* Column sums in two stages, with no atomics and a fixed order: a first
 * kernel writes partial sums of row chunks, partial[s * ld + c] for chunk s;
 * this one adds them up: out[c] += sum_s partial[s * ld + c]; global (C). */
__kernel void reduce_columns(__global float *out, ulong out_off, __global const float *partial,
                             ulong partial_off, uint ld, uint C, uint S)
{
    uint c = get_global_id(0);
    if (c >= C) return;
    float s = 0.0f;
    for (uint k = 0; k < S; k++) s += partial[partial_off + (ulong)k * ld + c];
    out[out_off + c] += s;
}

/* reduce_columns over three segments of W columns at once, each with its
 * own destination: column c of segment q = c / W adds into
 * out[off_q + c - q * W]; global (3 W). */
__kernel void reduce_columns3(__global float *out, ulong off0, ulong off1, ulong off2,
                              __global const float *partial, ulong partial_off, uint ld, uint W,
                              uint S)
{
    uint c = get_global_id(0);
    if (c >= 3 * W) return;
    uint q = c / W;
    float s = 0.0f;
    for (uint k = 0; k < S; k++) s += partial[partial_off + (ulong)k * ld + c];
    ulong o = (q == 0 ? off0 : q == 1 ? off1 : off2) + (c - q * W);
    out[o] += s;
}
