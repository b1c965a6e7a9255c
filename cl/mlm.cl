/* mlm.cl -- the masked-language-model head's own kernels (asa-spec 11):
 * the gather of the hidden states at the M chosen positions and its
 * scatter-add backward, and the vocabulary-wide losses over the M rows of
 * logits z [M, V]: cross-entropy, ASA's symmetric KL, accuracy.
 *
 * The losses of loss.cl give one work-item a whole row, which suits a few
 * classes; a row of the vocabulary (V = 30522) would then be one long serial
 * loop per work-item and only M work-items in all. Here one work-group of
 * MLM_WG work-items shares a row: each sums a strided part of the columns,
 * then a tree in local memory adds the parts (a fixed order, so results
 * repeat bit for bit on a device). A work-item's part is float8 chunks
 * (chunk q: columns [8q, 8q + 8), the work-item taking q = l, l + MLM_WG,
 * ...) and one column each of the last V % 8: explicit vectors, because a
 * CPU compiler vectorises across work-items only loops without an inner loop
 * of their own. */
#include "common.h"

/* Work-items per row (a power of two). */
#ifndef MLM_WG
#define MLM_WG 128
#endif

/* out[m, d] = h[pos[m], d] over M rows of D; global (M*D). */
__kernel void mlm_gather_forward(__global float *out, ulong out_off, __global const float *h,
                                 ulong h_off, __global const int *pos, ulong pos_off, uint M,
                                 uint D)
{
    ulong i = get_global_id(0);
    if (i >= (ulong)M * D) return;
    ulong m = i / D, d = i % D;
    out[out_off + i] = h[h_off + (ulong)pos[pos_off + m] * D + d];
}

/* dh[pos[m], d] += dg[m, d]; the positions are distinct, so no two
 * work-items write one element; global (M*D). */
__kernel void mlm_gather_backward(__global float *dh, ulong dh_off, __global const float *dg,
                                  ulong dg_off, __global const int *pos, ulong pos_off, uint M,
                                  uint D)
{
    ulong i = get_global_id(0);
    if (i >= (ulong)M * D) return;
    ulong m = i / D, d = i % D;
    dh[dh_off + (ulong)pos[pos_off + m] * D + d] += dg[dg_off + i];
}

inline float group_max(__local float *scratch, float v)
{
    uint l = get_local_id(0);
    scratch[l] = v;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (uint h = MLM_WG >> 1; h > 0; h >>= 1) {
        if (l < h) scratch[l] = fmax(scratch[l], scratch[l + h]);
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    float r = scratch[0];
    barrier(CLK_LOCAL_MEM_FENCE);
    return r;
}

/* The vector chunks of a row end at column V8(V); the work-item's first
 * chunk starts at column 8 l, its next 8 MLM_WG further. */
#define V8(V) ((V) & ~7u)
#define CHUNK0 (8 * get_local_id(0))
#define CHUNK_STEP (8 * MLM_WG)
#define TAIL0(V) (V8(V) + get_local_id(0))

/* log sum_c exp(z[c]) of a row of V, by the whole work-group. */
inline float row_lse(__local float *scratch, __global const float *z, uint V)
{
    float8 m8 = (float8)(-INFINITY);
    for (uint c = CHUNK0; c < V8(V); c += CHUNK_STEP) m8 = fmax(m8, vload8(0, z + c));
    float m = hmax8(m8);
    for (uint c = TAIL0(V); c < V; c += MLM_WG) m = fmax(m, z[c]);
    m = group_max(scratch, m);
    float8 s8 = (float8)(0.0f);
    for (uint c = CHUNK0; c < V8(V); c += CHUNK_STEP) s8 += exp(vload8(0, z + c) - m);
    float s = hsum8(s8);
    for (uint c = TAIL0(V); c < V; c += MLM_WG) s += exp(z[c] - m);
    return m + log(group_sum(scratch, s));
}

/* The lanes of chunk c that hold column y: 1, else 0. */
static inline float8 one_hot8(uint c, int y)
{
    int8 col = (int8)((int)c) + (int8)(0, 1, 2, 3, 4, 5, 6, 7);
    return select((float8)(0.0f), (float8)(1.0f), col == (int8)(y));
}

/* loss[r] = logsumexp(z_r) - z_r[y_r]; NaN for a label outside [0, V).
 * One work-group per row: M groups. */
__kernel __attribute__((reqd_work_group_size(MLM_WG, 1, 1)))
void mlm_cross_entropy_forward(__global float *loss, ulong loss_off, __global const float *z,
                               ulong z_off, __global const int *labels, ulong labels_off, uint V)
{
    __local float scratch[MLM_WG];
    ulong r = get_group_id(0);
    __global const float *zr = z + z_off + r * V;
    float lse = row_lse(scratch, zr, V);
    int y = labels[labels_off + r];
    if (get_local_id(0) == 0) loss[loss_off + r] = y >= 0 && (uint)y < V ? lse - zr[y] : NAN;
}

/* dz[r, c] (+)= scale * (softmax(z_r)[c] - [c == y_r]); M groups. */
__kernel __attribute__((reqd_work_group_size(MLM_WG, 1, 1)))
void mlm_cross_entropy_backward(__global float *dz, ulong dz_off, __global const float *z,
                                ulong z_off, __global const int *labels, ulong labels_off,
                                uint V, float scale, int accumulate)
{
    __local float scratch[MLM_WG];
    ulong r = get_group_id(0);
    __global const float *zr = z + z_off + r * V;
    __global float *dr = dz + dz_off + r * V;
    float lse = row_lse(scratch, zr, V);
    int y = labels[labels_off + r];
    for (uint c = CHUNK0; c < V8(V); c += CHUNK_STEP) {
        float8 g = scale * (exp(vload8(0, zr + c) - lse) - one_hot8(c, y));
        vstore8(accumulate ? vload8(0, dr + c) + g : g, 0, dr + c);
    }
    for (uint c = TAIL0(V); c < V; c += MLM_WG) {
        float g = scale * (exp(zr[c] - lse) - (c == (uint)y ? 1.0f : 0.0f));
        dr[c] = accumulate ? dr[c] + g : g;
    }
}

/* ASA's symmetric KL of a row pair, p = softmax(z_r), q = softmax(zq_r):
 * loss[r] = 1/2 sum_c (p_c - q_c)(log p_c - log q_c); M groups. */
__kernel __attribute__((reqd_work_group_size(MLM_WG, 1, 1)))
void mlm_symmetric_kl_forward(__global float *loss, ulong loss_off, __global const float *z,
                              ulong z_off, __global const float *zq, ulong zq_off, uint V)
{
    __local float scratch[MLM_WG];
    ulong r = get_group_id(0);
    __global const float *a = z + z_off + r * V, *b = zq + zq_off + r * V;
    float la = row_lse(scratch, a, V), lb = row_lse(scratch, b, V);
    float8 s8 = (float8)(0.0f);
    for (uint c = CHUNK0; c < V8(V); c += CHUNK_STEP) {
        float8 lp = vload8(0, a + c) - la, lq = vload8(0, b + c) - lb;
        s8 += (exp(lp) - exp(lq)) * (lp - lq);
    }
    float s = hsum8(s8);
    for (uint c = TAIL0(V); c < V; c += MLM_WG) {
        float lp = a[c] - la, lq = b[c] - lb;
        s += (exp(lp) - exp(lq)) * (lp - lq);
    }
    s = group_sum(scratch, s);
    if (get_local_id(0) == 0) loss[loss_off + r] = 0.5f * s;
}

/* dz += scale * d loss_r / dz, dzq = scale * d loss_r / dzq (the
 * conventions of loss.cl's symmetric_kl_backward); M groups. */
__kernel __attribute__((reqd_work_group_size(MLM_WG, 1, 1)))
void mlm_symmetric_kl_backward(__global float *dz, ulong dz_off, __global float *dzq,
                               ulong dzq_off, __global const float *z, ulong z_off,
                               __global const float *zq, ulong zq_off, uint V, float scale)
{
    __local float scratch[MLM_WG];
    ulong r = get_group_id(0);
    __global const float *a = z + z_off + r * V, *b = zq + zq_off + r * V;
    float la = row_lse(scratch, a, V), lb = row_lse(scratch, b, V);
    float8 pq8 = (float8)(0.0f), qp8 = (float8)(0.0f);
    for (uint c = CHUNK0; c < V8(V); c += CHUNK_STEP) {
        float8 lp = vload8(0, a + c) - la, lq = vload8(0, b + c) - lb;
        pq8 += exp(lp) * (lp - lq);
        qp8 += exp(lq) * (lq - lp);
    }
    float kl_pq = hsum8(pq8), kl_qp = hsum8(qp8); /* KL(p||q), KL(q||p) */
    for (uint c = TAIL0(V); c < V; c += MLM_WG) {
        float lp = a[c] - la, lq = b[c] - lb;
        kl_pq += exp(lp) * (lp - lq);
        kl_qp += exp(lq) * (lq - lp);
    }
    kl_pq = group_sum(scratch, kl_pq);
    kl_qp = group_sum(scratch, kl_qp);
    for (uint c = CHUNK0; c < V8(V); c += CHUNK_STEP) {
        float8 lp = vload8(0, a + c) - la, lq = vload8(0, b + c) - lb, p = exp(lp), q = exp(lq);
        __global float *da = dz + dz_off + r * V + c;
        vstore8(vload8(0, da) + scale * 0.5f * ((p - q) + p * (lp - lq - kl_pq)), 0, da);
        vstore8(scale * 0.5f * ((q - p) + q * (lq - lp - kl_qp)), 0, dzq + dzq_off + r * V + c);
    }
    for (uint c = TAIL0(V); c < V; c += MLM_WG) {
        float lp = a[c] - la, lq = b[c] - lb, p = exp(lp), q = exp(lq);
        ulong i = r * V + c;
        dz[dz_off + i] += scale * 0.5f * ((p - q) + p * (lp - lq - kl_pq));
        dzq[dzq_off + i] = scale * 0.5f * ((q - p) + q * (lq - lp - kl_qp));
    }
}

/* right[r] = 1 when the largest logit of row r (the first on ties) is its
 * label, else 0; M groups. */
__kernel __attribute__((reqd_work_group_size(MLM_WG, 1, 1)))
void mlm_accuracy_forward(__global float *right, ulong right_off, __global const float *z,
                          ulong z_off, __global const int *labels, ulong labels_off, uint V)
{
    __local float best_v[MLM_WG];
    __local uint best_i[MLM_WG];
    uint l = get_local_id(0);
    ulong r = get_group_id(0);
    __global const float *zr = z + z_off + r * V;
    float v = -INFINITY;
    uint k = V;
    for (uint c = l; c < V; c += MLM_WG)
        if (k == V || zr[c] > v) {
            v = zr[c];
            k = c;
        }
    best_v[l] = v;
    best_i[l] = k;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (uint h = MLM_WG >> 1; h > 0; h >>= 1) {
        if (l < h) {
            float v2 = best_v[l + h];
            uint k2 = best_i[l + h];
            if (k2 < V && (best_i[l] == V || v2 > best_v[l] || (v2 == best_v[l] && k2 < best_i[l]))) {
                best_v[l] = v2;
                best_i[l] = k2;
            }
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    if (l == 0) right[right_off + r] = best_i[0] == (uint)labels[labels_off + r] ? 1.0f : 0.0f;
}
