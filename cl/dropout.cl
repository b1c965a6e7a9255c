/* dropout.cl -- stand-alone dropout; the same kernel serves the backward
 * pass, since dx = dy * factor with the regenerated factor. */
#include "common.h"
#include "dropout.h"

/* y[i] = x[i] * factor(i), i < n (y may alias x). */
__kernel void dropout_forward(__global float *y, ulong y_off, __global const float *x,
                              ulong x_off, uint n, float p, uint4 rng)
{
    uint i = get_global_id(0);
    if (i < n) y[y_off + i] = x[x_off + i] * dropout_factor(rng, p, i);
}
