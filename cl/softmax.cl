/* softmax.cl -- the plain attention path: a row softmax over scores that
 * batched GEMMs computed (S = Q K^T / sqrt(d), [B, H, T, T]), with the bias,
 * dropout and the backward. Kept as the reference the fused attention.cl is
 * tested against. A work-item walks its row eight scores at a time (float8
 * loads, exp and dropout factors, walked by DROPOUT_WALK8; the last T % 8
 * one by one),
 * so that a CPU runs a row as vector instructions. See attention.h. */
#include "common.h"
#include "attention.h"

/* In place: probs holds S on entry and P = softmax(S') on exit; pdrop gets
 * P * dropout factor. One work-item per row: global (B*H*T). */
__kernel void softmax_forward(__global float *probs, ulong probs_off, __global float *pdrop,
                              ulong pdrop_off, __global const float *bias, ulong bias_off,
                              uint sb, uint si, uint B, uint T, uint H, int additive, float p,
                              uint4 rng, ulong rng_off)
{
    uint item = get_global_id(0);
    if (item >= B * H * T) return;
    uint i = item % T, b = item / (T * H);
    uint T8 = T & ~7u;
    __global float *r = probs + probs_off + (ulong)item * T;
    __global float *rd = pdrop + pdrop_off + (ulong)item * T;
    __global const float *g = bias + bias_off + (ulong)b * sb + (ulong)i * si;
    ulong e0 = rng_off + (ulong)item * T; /* the row's first dropout element */
    float8 m8 = (float8)(-INFINITY);
    for (uint j = 0; j < T8; j += 8) {
        float8 s = attention_bias8(vload8(0, r + j), vload8(0, g + j), additive);
        vstore8(s, 0, r + j);
        m8 = fmax(m8, s);
    }
    float m = hmax8(m8);
    for (uint j = T8; j < T; j++) {
        r[j] = attention_bias(r[j], g[j], additive);
        m = fmax(m, r[j]);
    }
    float8 z8 = (float8)(0.0f);
    for (uint j = 0; j < T8; j += 8) {
        float8 x = exp(vload8(0, r + j) - m);
        vstore8(x, 0, r + j);
        z8 += x;
    }
    float z = hsum8(z8);
    for (uint j = T8; j < T; j++) {
        r[j] = exp(r[j] - m);
        z += r[j];
    }
#define SOFTMAX_NORMALISE(j, f)              \
    {                                        \
        float8 x = vload8(0, r + (j)) / z;   \
        vstore8(x, 0, r + (j));              \
        vstore8(x * (f), 0, rd + (j));       \
    }
    DROPOUT_WALK8(rng, p, e0, 0, T8, SOFTMAX_NORMALISE)
#undef SOFTMAX_NORMALISE
    ulong group = ~(ulong)0;
    uint4 words = (uint4)(0);
    for (uint j = T8; j < T; j++) {
        r[j] /= z;
        rd[j] = r[j] * dropout_next(rng, p, e0 + j, &group, &words);
    }
}

/* In place: ds holds dL/dPdrop on entry and dS on exit, for every head of
 * query position (b, i); dbias[b, i, :] = sum_h dS' when with_dbias.
 * global (B*T), item = b*T + i. */
__kernel void softmax_backward(__global float *ds, ulong ds_off, __global float *dbias,
                               ulong dbias_off, int with_dbias, __global const float *probs,
                               ulong probs_off, __global const float *bias, ulong bias_off,
                               uint sb, uint si, uint B, uint T, uint H, int additive, float p,
                               uint4 rng, ulong rng_off)
{
    uint item = get_global_id(0);
    if (item >= B * T) return;
    uint i = item % T, b = item / T;
    uint T8 = T & ~7u;
    __global const float *g = bias + bias_off + (ulong)b * sb + (ulong)i * si;
    __global float *db = dbias + dbias_off + (ulong)item * T;
    for (uint h = 0; h < H; h++) {
        ulong row = (ulong)(b * H + h) * T + i;
        ulong e0 = rng_off + row * T;
        __global float *d = ds + ds_off + row * T;
        __global const float *pr = probs + probs_off + row * T;
        float8 dot8 = (float8)(0.0f);
#define SOFTMAX_UNDROP(j, f)                                \
    {                                                       \
        float8 x = vload8(0, d + (j)) * (f); /* dL/dP */    \
        vstore8(x, 0, d + (j));                             \
        dot8 = fma(vload8(0, pr + (j)), x, dot8);           \
    }
        DROPOUT_WALK8(rng, p, e0, 0, T8, SOFTMAX_UNDROP)
#undef SOFTMAX_UNDROP
        float dot = hsum8(dot8);
        ulong group = ~(ulong)0;
        uint4 words = (uint4)(0);
        for (uint j = T8; j < T; j++) {
            d[j] *= dropout_next(rng, p, e0 + j, &group, &words);
            dot += pr[j] * d[j];
        }
        for (uint j = 0; j < T8; j += 8) {
            float8 dsp = vload8(0, pr + j) * (vload8(0, d + j) - dot);
            if (with_dbias) vstore8(h == 0 ? dsp : vload8(0, db + j) + dsp, 0, db + j);
            vstore8(attention_bias_grad8(dsp, vload8(0, g + j), additive), 0, d + j);
        }
        for (uint j = T8; j < T; j++) {
            float dsp = pr[j] * (d[j] - dot);
            if (with_dbias) db[j] = h == 0 ? dsp : db[j] + dsp;
            d[j] = attention_bias_grad(dsp, g[j], additive);
        }
    }
}
