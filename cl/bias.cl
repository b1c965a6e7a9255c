/* bias.cl -- adding a bias row to every row of a matrix, and its gradient. */
#include "common.h"

/* y[r, c] += bias[c] for an R x C matrix with row stride ldy; global (C, R). */
__kernel void bias_forward(__global float *y, ulong y_off, uint ldy,
                           __global const float *params, ulong bias_off, uint R, uint C)
{
    uint c = get_global_id(0), r = get_global_id(1);
    if (c < C && r < R) y[y_off + (ulong)r * ldy + c] += params[bias_off + c];
}

/* The first stage of dbias[c] += sum_r dy[r, c] (reduce_columns is the
 * second): partial[s * C + c] = sum of dy[r, c] over rows
 * [s * chunk, (s + 1) * chunk). Work-item (v, s) does columns
 * [8 v, 8 v + 8) as one float8 (a CPU runtime's vectoriser across
 * work-items leaves a strided row loop scalar), the last partial group one
 * by one; global (ceil(C / 8), S). */
__kernel void bias_backward(__global float *partial, ulong partial_off, __global const float *dy,
                            ulong dy_off, uint ldy, uint R, uint C, uint chunk)
{
    uint c0 = get_global_id(0) * 8, k = get_global_id(1);
    if (c0 >= C) return;
    uint end = min(R, (k + 1) * chunk);
    __global const float *p = dy + dy_off + c0;
    if (c0 + 8 <= C) {
        float8 s = 0.0f;
        for (uint r = k * chunk; r < end; r++) s += vload8(0, p + (ulong)r * ldy);
        vstore8(s, 0, partial + partial_off + (ulong)k * C + c0);
        return;
    }
    for (uint c = c0; c < C; c++) {
        float s = 0.0f;
        for (uint r = k * chunk; r < end; r++) s += dy[dy_off + (ulong)r * ldy + c];
        partial[partial_off + (ulong)k * C + c] = s;
    }
}
