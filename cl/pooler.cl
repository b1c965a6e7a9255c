/* pooler.cl -- the tanh of BERT's pooler: y = tanh(y + bias). */
#include "common.h"

/* In place on a B x D matrix; global (B * D). */
__kernel void pooler_forward(__global float *y, ulong y_off, __global const float *params,
                             ulong bias_off, uint n, uint D)
{
    uint i = get_global_id(0);
    if (i < n) y[y_off + i] = tanh(y[y_off + i] + params[bias_off + i % D]);
}

/* dpre = dy * (1 - y^2); dpre may alias dy. */
__kernel void pooler_backward(__global float *dpre, ulong dpre_off, __global const float *dy,
                              ulong dy_off, __global const float *y, ulong y_off, uint n)
{
    uint i = get_global_id(0);
    if (i >= n) return;
    float t = y[y_off + i];
    dpre[dpre_off + i] = dy[dy_off + i] * (1.0f - t * t);
}
