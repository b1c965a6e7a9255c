/* dropout.cl -- stand-alone dropout; the same kernel serves the backward
 * pass, since dx = dy * factor with the regenerated factor. */
#include "common.h"
#include "dropout.h"

/* y[i] = x[i] * factor(i), i < n (y may alias x); work-item g does elements
 * [32g, 32g + 32) as float8: eight Philox groups at once when its place in
 * the stream is a multiple of 4, else two groups per eight elements; the
 * last, partial 32 one by one. global (ceil(n / 32)). */
__kernel void dropout_forward(__global float *y, ulong y_off, __global const float *x,
                              ulong x_off, uint n, float p, uint4 rng, ulong rng_off)
{
    uint i = 32 * get_global_id(0);
    if (i >= n) return;
    ulong e = rng_off + i;
    if (n - i >= 32) {
#define DROPOUT_CHUNK(j, f) vstore8(vload8(0, x + x_off + i + (j)) * (f), 0, y + y_off + i + (j));
        DROPOUT_WALK8(rng, p, e, 0, 32, DROPOUT_CHUNK)
#undef DROPOUT_CHUNK
        return;
    }
    ulong group = ~(ulong)0;
    uint4 words = (uint4)(0);
    for (uint k = i; k < n; k++)
        y[y_off + k] = x[x_off + k] * dropout_next(rng, p, e + k - i, &group, &words);
}
