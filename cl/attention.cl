/* attention.cl -- fused multi-head attention: scores, bias, softmax, dropout
 * and P.V in one pass per query row, keeping no T x T matrix. The forward
 * saves each row's softmax statistics, stats[2*row] = max and
 * stats[2*row + 1] = 1 / sum exp(s - max) (kept apart rather than as one
 * log-sum-exp: a row whose scores are all -10000 would lose ~1e-3 of
 * precision to float rounding at 1e4); the backward recomputes the
 * probabilities from them (as FlashAttention does), with no atomics:
 *   attention_backward_dsum  Dsum[b,h,i] = dO_i . O_i
 *   attention_backward_kv    dK, dV, one work-item per key row (b, h, j)
 *   attention_backward_q     dQ, one work-item per query row (b, h, i), and
 *                            each head's dS' when the bias gradient is wanted
 *   attention_backward_bias  the bias gradient: those summed over the heads
 * See attention.h for layouts and the bias semantics. */
#include "common.h"
#include "attention.h"

#ifndef HEAD_DIM
#define HEAD_DIM 64
#endif

/* One work-item per (b, h, i): global (B*H*T), item = (b*H + h)*T + i. */
__kernel void attention_forward(__global float *out, ulong out_off, __global float *stats,
                                ulong stats_off, __global const float *qkv, ulong qkv_off,
                                __global const float *bias, ulong bias_off, uint sb, uint si,
                                uint B, uint T, uint H, int additive, float p, uint4 rng, ulong rng_off)
{
    uint item = get_global_id(0);
    if (item >= B * H * T) return;
    uint i = item % T, h = (item / T) % H, b = item / (T * H);
    uint D = H * HEAD_DIM, ld = 3 * D;
    __global const float *base = qkv + qkv_off + (ulong)b * T * ld + h * HEAD_DIM;
    __global const float *g = bias + bias_off + (ulong)b * sb + (ulong)i * si;
    float q[HEAD_DIM], acc[HEAD_DIM];
    float scale = rsqrt((float)HEAD_DIM);
    for (uint c = 0; c < HEAD_DIM; c++) {
        q[c] = base[(ulong)i * ld + c] * scale;
        acc[c] = 0.0f;
    }
    float m = -INFINITY, l = 0.0f;
    ulong drop_base = (ulong)item * T, group = ~(ulong)0;
    uint4 words = (uint4)(0);
    for (uint j = 0; j < T; j++) {
        __global const float *k = base + (ulong)j * ld + D;
        float s = 0.0f;
        for (uint c = 0; c < HEAD_DIM; c++) s += q[c] * k[c];
        s = attention_bias(s, g[j], additive);
        if (s > m) { /* rescale what was summed so far */
            float r = exp(m - s);
            l *= r;
            for (uint c = 0; c < HEAD_DIM; c++) acc[c] *= r;
            m = s;
        }
        float e = exp(s - m);
        l += e;
        float f = dropout_next(rng, p, rng_off + drop_base + j, &group, &words);
        if (f != 0.0f) {
            __global const float *v = k + D;
            e *= f;
            for (uint c = 0; c < HEAD_DIM; c++) acc[c] += e * v[c];
        }
    }
    __global float *o = out + out_off + ((ulong)b * T + i) * D + h * HEAD_DIM;
    float inv = 1.0f / l;
    for (uint c = 0; c < HEAD_DIM; c++) o[c] = acc[c] * inv;
    stats[stats_off + 2 * (ulong)item] = m;
    stats[stats_off + 2 * (ulong)item + 1] = inv;
}

/* Dsum[b,h,i] = dO[b,i,h,:] . O[b,i,h,:]; global (B*H*T). */
__kernel void attention_backward_dsum(__global float *dsum, ulong dsum_off,
                                      __global const float *dout, ulong dout_off,
                                      __global const float *out, ulong out_off, uint B, uint T,
                                      uint H)
{
    uint item = get_global_id(0);
    if (item >= B * H * T) return;
    uint i = item % T, h = (item / T) % H, b = item / (T * H);
    ulong row = ((ulong)b * T + i) * H * HEAD_DIM + h * HEAD_DIM;
    float s = 0.0f;
    for (uint c = 0; c < HEAD_DIM; c++) s += dout[dout_off + row + c] * out[out_off + row + c];
    dsum[dsum_off + item] = s;
}

/* dK and dV of key row j: global (B*H*T), item = (b*H + h)*T + j. */
__kernel void attention_backward_kv(__global float *dqkv, ulong dqkv_off,
                                    __global const float *dout, ulong dout_off,
                                    __global const float *stats, ulong stats_off,
                                    __global const float *dsum, ulong dsum_off,
                                    __global const float *qkv, ulong qkv_off,
                                    __global const float *bias, ulong bias_off, uint sb, uint si,
                                    uint B, uint T, uint H, int additive, float p, uint4 rng, ulong rng_off)
{
    uint item = get_global_id(0);
    if (item >= B * H * T) return;
    uint j = item % T, h = (item / T) % H, b = item / (T * H);
    uint D = H * HEAD_DIM, ld = 3 * D;
    __global const float *base = qkv + qkv_off + (ulong)b * T * ld + h * HEAD_DIM;
    float k[HEAD_DIM], v[HEAD_DIM], dk[HEAD_DIM], dv[HEAD_DIM];
    for (uint c = 0; c < HEAD_DIM; c++) {
        k[c] = base[(ulong)j * ld + D + c];
        v[c] = base[(ulong)j * ld + 2 * D + c];
        dk[c] = 0.0f;
        dv[c] = 0.0f;
    }
    float scale = rsqrt((float)HEAD_DIM);
    ulong bh = (ulong)(b * H + h) * T;
    for (uint i = 0; i < T; i++) {
        __global const float *q = base + (ulong)i * ld;
        __global const float *go = dout + dout_off + ((ulong)b * T + i) * D + h * HEAD_DIM;
        float s = 0.0f, dp = 0.0f;
        for (uint c = 0; c < HEAD_DIM; c++) {
            s += q[c] * scale * k[c];
            dp += go[c] * v[c];
        }
        float g = bias[bias_off + (ulong)b * sb + (ulong)i * si + j];
        ulong st = stats_off + 2 * (bh + i);
        float pr = exp(attention_bias(s, g, additive) - stats[st]) * stats[st + 1];
        float f = dropout_factor(rng, p, rng_off + (bh + i) * T + j);
        float ds = attention_bias_grad(pr * (f * dp - dsum[dsum_off + bh + i]), g, additive);
        float wv = pr * f, wk = ds * scale;
        for (uint c = 0; c < HEAD_DIM; c++) {
            dv[c] += wv * go[c];
            dk[c] += wk * q[c];
        }
    }
    __global float *d = dqkv + dqkv_off + ((ulong)b * T + j) * ld + h * HEAD_DIM;
    for (uint c = 0; c < HEAD_DIM; c++) {
        d[D + c] = dk[c];
        d[2 * D + c] = dv[c];
    }
}

/* dQ of query row (b, h, i), and (when with_dbias) that head's dS' row
 * into per_head[(h*B*T + b*T + i)*T + j], for attention_backward_bias to sum
 * over the heads; global (B*H*T), item = (b*H + h)*T + i. */
__kernel void attention_backward_q(__global float *dqkv, ulong dqkv_off,
                                   __global float *per_head, ulong per_head_off, int with_dbias,
                                   __global const float *dout, ulong dout_off,
                                   __global const float *stats, ulong stats_off,
                                   __global const float *dsum, ulong dsum_off,
                                   __global const float *qkv, ulong qkv_off,
                                   __global const float *bias, ulong bias_off, uint sb, uint si,
                                   uint B, uint T, uint H, int additive, float p, uint4 rng, ulong rng_off)
{
    uint item = get_global_id(0);
    if (item >= B * H * T) return;
    uint i = item % T, h = (item / T) % H, b = item / (T * H);
    uint D = H * HEAD_DIM, ld = 3 * D;
    float scale = rsqrt((float)HEAD_DIM);
    __global const float *g = bias + bias_off + (ulong)b * sb + (ulong)i * si;
    __global float *db = per_head + per_head_off + (((ulong)h * B + b) * T + i) * T;
    __global const float *base = qkv + qkv_off + (ulong)b * T * ld + h * HEAD_DIM;
    __global const float *go = dout + dout_off + ((ulong)b * T + i) * D + h * HEAD_DIM;
    float q[HEAD_DIM], gd[HEAD_DIM], dq[HEAD_DIM];
    for (uint c = 0; c < HEAD_DIM; c++) {
        q[c] = base[(ulong)i * ld + c] * scale;
        gd[c] = go[c];
        dq[c] = 0.0f;
    }
    ulong group = ~(ulong)0;
    uint4 words = (uint4)(0);
    float m = stats[stats_off + 2 * (ulong)item], inv = stats[stats_off + 2 * (ulong)item + 1];
    float dsm = dsum[dsum_off + item];
    for (uint j = 0; j < T; j++) {
        __global const float *k = base + (ulong)j * ld + D;
        float s = 0.0f, dp = 0.0f;
        for (uint c = 0; c < HEAD_DIM; c++) {
            s += q[c] * k[c];
            dp += gd[c] * k[D + c]; /* k + D is v */
        }
        float pr = exp(attention_bias(s, g[j], additive) - m) * inv;
        float f = dropout_next(rng, p, rng_off + (ulong)item * T + j, &group, &words);
        float dsp = pr * (f * dp - dsm);
        if (with_dbias) db[j] = dsp;
        float ds = attention_bias_grad(dsp, g[j], additive) * scale;
        for (uint c = 0; c < HEAD_DIM; c++) dq[c] += ds * k[c];
    }
    __global float *d = dqkv + dqkv_off + ((ulong)b * T + i) * ld + h * HEAD_DIM;
    for (uint c = 0; c < HEAD_DIM; c++) d[c] = dq[c];
}

/* dbias[b, i, j] = sum over heads of per_head (fixed order); global (B*T*T). */
__kernel void attention_backward_bias(__global float *dbias, ulong dbias_off,
                                      __global const float *per_head, ulong per_head_off,
                                      uint n, uint H)
{
    uint e = get_global_id(0);
    if (e >= n) return;
    float s = 0.0f;
    for (uint h = 0; h < H; h++) s += per_head[per_head_off + (ulong)h * n + e];
    dbias[dbias_off + e] = s;
}
