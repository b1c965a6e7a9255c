/* dropout.cl -- stand-alone dropout; the same kernel serves the backward
 * pass, since dx = dy * factor with the regenerated factor. */
#include "common.h"
#include "dropout.h"

/* y[i] = x[i] * factor(i), i < n (y may alias x); work-item g does the
 * four elements of Philox group g: global (ceil(n / 4)). */
__kernel void dropout_forward(__global float *y, ulong y_off, __global const float *x,
                              ulong x_off, uint n, float p, uint4 rng, ulong rng_off)
{
    uint g = get_global_id(0), i = 4 * g;
    if (i >= n) return;
    uint4 w = p > 0.0f ? dropout_words_at(rng, rng_off, g) : (uint4)(0xffffffffu);
    for (uint k = 0; k < 4 && i + k < n; k++)
        y[y_off + i + k] = x[x_off + i + k] * (p > 0.0f ? dropout_keep(dropout_word(w, k), p) : 1.0f);
}
