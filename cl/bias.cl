/* bias.cl -- adding a bias row to every row of a matrix, and its gradient. */
#include "common.h"

/* y[r, c] += bias[c] for an R x C matrix with row stride ldy; global (C, R). */
__kernel void bias_forward(__global float *y, ulong y_off, uint ldy,
                           __global const float *params, ulong bias_off, uint R, uint C)
{
    uint c = get_global_id(0), r = get_global_id(1);
    if (c < C && r < R) y[y_off + (ulong)r * ldy + c] += params[bias_off + c];
}

/* dbias[c] += sum_r dy[r, c] (fixed order: deterministic); global (C). */
__kernel void bias_backward(__global float *grads, ulong dbias_off, __global const float *dy,
                            ulong dy_off, uint ldy, uint R, uint C)
{
    uint c = get_global_id(0);
    if (c >= C) return;
    float s = 0.0f;
    for (uint r = 0; r < R; r++) s += dy[dy_off + (ulong)r * ldy + c];
    grads[dbias_off + c] += s;
}
