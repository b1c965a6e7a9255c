/* residual.cl -- bias, dropout and residual add after a dense layer:
 *   out = resid + dropout(y + bias)
 * The backward is dy = dropout(dout) (dropout.cl) and dresid = dout. */
#include "common.h"
#include "dropout.h"

/* global (n = R * C); out may alias resid. */
__kernel void residual_forward(__global float *out, ulong out_off, __global const float *resid,
                               ulong resid_off, __global const float *y, ulong y_off,
                               __global const float *params, ulong bias_off, uint n, uint C,
                               float p, uint4 rng)
{
    uint i = get_global_id(0);
    if (i >= n) return;
    float v = (y[y_off + i] + params[bias_off + i % C]) * dropout_factor(rng, p, i);
    out[out_off + i] = resid[resid_off + i] + v;
}
