/* residual.cl -- bias, dropout and residual add after a dense layer:
 *   out = resid + dropout(y + bias)
 * The backward is dy = dropout(dout) (dropout.cl) and dresid = dout. */
#include "common.h"
#include "dropout.h"

/* n = R * C elements; work-item g does the four of Philox group g:
 * global (ceil(n / 4)); out may alias resid. */
__kernel void residual_forward(__global float *out, ulong out_off, __global const float *resid,
                               ulong resid_off, __global const float *y, ulong y_off,
                               __global const float *params, ulong bias_off, uint n, uint C,
                               float p, uint4 rng, ulong rng_off)
{
    uint g = get_global_id(0), i = 4 * g;
    if (i >= n) return;
    uint4 w = p > 0.0f ? dropout_words_at(rng, rng_off, g) : (uint4)(0xffffffffu);
    for (uint k = 0; k < 4 && i + k < n; k++) {
        float f = p > 0.0f ? dropout_keep(dropout_word(w, k), p) : 1.0f;
        float v = (y[y_off + i + k] + params[bias_off + (i + k) % C]) * f;
        out[out_off + i + k] = resid[resid_off + i + k] + v;
    }
}
