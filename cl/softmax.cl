/* softmax.cl -- the plain attention path: a row softmax over scores that
 * batched GEMMs computed (S = Q K^T / sqrt(d), [B, H, T, T]), with the bias,
 * dropout and the backward. Obviously correct and kept as the reference the
 * fused attention.cl is tested against. See attention.h. */
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
    __global float *r = probs + probs_off + (ulong)item * T;
    __global float *rd = pdrop + pdrop_off + (ulong)item * T;
    __global const float *g = bias + bias_off + (ulong)b * sb + (ulong)i * si;
    float m = -INFINITY;
    for (uint j = 0; j < T; j++) {
        r[j] = attention_bias(r[j], g[j], additive);
        m = fmax(m, r[j]);
    }
    float z = 0.0f;
    for (uint j = 0; j < T; j++) {
        r[j] = exp(r[j] - m);
        z += r[j];
    }
    ulong group = ~(ulong)0;
    uint4 words = (uint4)(0);
    for (uint j = 0; j < T; j++) {
        r[j] /= z;
        rd[j] = r[j] * dropout_next(rng, p, rng_off + (ulong)item * T + j, &group, &words);
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
    __global const float *g = bias + bias_off + (ulong)b * sb + (ulong)i * si;
    __global float *db = dbias + dbias_off + (ulong)item * T;
    for (uint h = 0; h < H; h++) {
        ulong row = (ulong)(b * H + h) * T + i;
        __global float *d = ds + ds_off + row * T;
        __global const float *pr = probs + probs_off + row * T;
        float dot = 0.0f;
        ulong group = ~(ulong)0;
        uint4 words = (uint4)(0);
        for (uint j = 0; j < T; j++) {
            d[j] *= dropout_next(rng, p, rng_off + row * T + j, &group, &words); /* dL/dP */
            dot += pr[j] * d[j];
        }
        for (uint j = 0; j < T; j++) {
            float dsp = pr[j] * (d[j] - dot);
            if (with_dbias) db[j] = h == 0 ? dsp : db[j] + dsp;
            d[j] = attention_bias_grad(dsp, g[j], additive);
        }
    }
}
