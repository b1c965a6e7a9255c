/* loss.cl -- the task losses on logits z [B, C]:
 *   C > 1: softmax cross-entropy   loss_b = logsumexp(z_b) - z_b[y_b]
 *   C = 1: squared error           loss_b = (z_b - y_b)^2
 * The _backward kernels write dz = scale * dloss_b/dz (scale = 1/B for a
 * mean over the batch), or add to dz when accumulate != 0.
 * Token classification (asa-spec 10) uses the token_ kernels: rows are the
 * B*T tokens and a row is labelled when 0 <= y < C (the ignore index,
 * -100, and every other value outside [0, C) leave the row out); the loss is
 * the mean over the labelled rows, whose count stays on the device.
 * Multiple choice needs no kernel of its own: the B*n scores of the choice
 * scorer, [B*n, 1] row-major, already are the logits [B, n]. */
#include "common.h"

/* Work-items of the one work-group of token_loss_mean (a power of two). */
#ifndef LOSS_WG
#define LOSS_WG 64
#endif

/* One work-item per row; global (B). */
__kernel void cross_entropy_forward(__global float *loss, ulong loss_off,
                                    __global const float *z, ulong z_off,
                                    __global const int *labels, ulong labels_off, uint B, uint C)
{
    uint b = get_global_id(0);
    if (b >= B) return;
    __global const float *zr = z + z_off + (ulong)b * C;
    float m = zr[0];
    for (uint c = 1; c < C; c++) m = fmax(m, zr[c]);
    float s = 0.0f;
    for (uint c = 0; c < C; c++) s += exp(zr[c] - m);
    loss[loss_off + b] = m + log(s) - zr[labels[labels_off + b]];
}

/* dz[b, c] (+)= scale * (softmax(z_b)[c] - [c == y_b]); global (B). */
__kernel void cross_entropy_backward(__global float *dz, ulong dz_off, __global const float *z,
                                     ulong z_off, __global const int *labels, ulong labels_off,
                                     uint B, uint C, float scale, int accumulate)
{
    uint b = get_global_id(0);
    if (b >= B) return;
    __global const float *zr = z + z_off + (ulong)b * C;
    float m = zr[0];
    for (uint c = 1; c < C; c++) m = fmax(m, zr[c]);
    float s = 0.0f;
    for (uint c = 0; c < C; c++) s += exp(zr[c] - m);
    int y = labels[labels_off + b];
    for (uint c = 0; c < C; c++) {
        float g = scale * (exp(zr[c] - m) / s - (c == (uint)y ? 1.0f : 0.0f));
        ulong i = dz_off + (ulong)b * C + c;
        dz[i] = accumulate ? dz[i] + g : g;
    }
}

/* loss[b] = (z[b] - t[b])^2 for C == 1; global (B). */
__kernel void mse_forward(__global float *loss, ulong loss_off, __global const float *z,
                          ulong z_off, __global const float *target, ulong target_off, uint B)
{
    uint b = get_global_id(0);
    if (b >= B) return;
    float d = z[z_off + b] - target[target_off + b];
    loss[loss_off + b] = d * d;
}

/* dz[b] (+)= scale * 2 (z[b] - t[b]); global (B). */
__kernel void mse_backward(__global float *dz, ulong dz_off, __global const float *z, ulong z_off,
                           __global const float *target, ulong target_off, uint B, float scale,
                           int accumulate)
{
    uint b = get_global_id(0);
    if (b >= B) return;
    float g = scale * 2.0f * (z[z_off + b] - target[target_off + b]);
    dz[dz_off + b] = accumulate ? dz[dz_off + b] + g : g;
}

/* ASA's symmetric KL between p = softmax(z_r) and q = softmax(zq_r) over
 * rows r of width W (asa-spec 5.3; for one label the caller passes the whole
 * batch as one row):  loss_r = 1/2 [KL(q||p) + KL(p||q)]
 *                            = 1/2 sum_c (p_c - q_c)(log p_c - log q_c). */
inline void log_softmax_row(__global const float *z, uint W, float *m, float *lse)
{
    float mx = z[0];
    for (uint c = 1; c < W; c++) mx = fmax(mx, z[c]);
    float s = 0.0f;
    for (uint c = 0; c < W; c++) s += exp(z[c] - mx);
    *m = mx;
    *lse = mx + log(s);
}

/* global (R). */
__kernel void symmetric_kl_forward(__global float *loss, ulong loss_off, __global const float *z,
                                   ulong z_off, __global const float *zq, ulong zq_off, uint R,
                                   uint W)
{
    uint r = get_global_id(0);
    if (r >= R) return;
    __global const float *a = z + z_off + (ulong)r * W, *b = zq + zq_off + (ulong)r * W;
    float ma, la, mb, lb;
    log_softmax_row(a, W, &ma, &la);
    log_softmax_row(b, W, &mb, &lb);
    float s = 0.0f;
    for (uint c = 0; c < W; c++) {
        float lp = a[c] - la, lq = b[c] - lb;
        s += (exp(lp) - exp(lq)) * (lp - lq);
    }
    loss[loss_off + r] = 0.5f * s;
}

/* dz += scale * d loss_r / dz, dzq = scale * d loss_r / dzq; global (R). */
__kernel void symmetric_kl_backward(__global float *dz, ulong dz_off, __global float *dzq,
                                    ulong dzq_off, __global const float *z, ulong z_off,
                                    __global const float *zq, ulong zq_off, uint R, uint W,
                                    float scale)
{
    uint r = get_global_id(0);
    if (r >= R) return;
    __global const float *a = z + z_off + (ulong)r * W, *b = zq + zq_off + (ulong)r * W;
    float ma, la, mb, lb;
    log_softmax_row(a, W, &ma, &la);
    log_softmax_row(b, W, &mb, &lb);
    float kl_pq = 0.0f, kl_qp = 0.0f; /* KL(p||q), KL(q||p) */
    for (uint c = 0; c < W; c++) {
        float lp = a[c] - la, lq = b[c] - lb;
        kl_pq += exp(lp) * (lp - lq);
        kl_qp += exp(lq) * (lq - lp);
    }
    for (uint c = 0; c < W; c++) {
        float lp = a[c] - la, lq = b[c] - lb, p = exp(lp), q = exp(lq);
        ulong i = (ulong)r * W + c;
        dz[dz_off + i] += scale * 0.5f * ((p - q) + p * (lp - lq - kl_pq));
        dzq[dzq_off + i] = scale * 0.5f * ((q - p) + q * (lq - lp - kl_qp));
    }
}

/* right[b] = 1 if the largest logit of row b is its label (the first
 * largest on ties), else 0; global (B). */
__kernel void accuracy_forward(__global float *right, ulong right_off, __global const float *z,
                               ulong z_off, __global const int *labels, ulong labels_off, uint B,
                               uint C)
{
    uint b = get_global_id(0);
    if (b >= B) return;
    __global const float *zr = z + z_off + (ulong)b * C;
    uint best = 0;
    for (uint c = 1; c < C; c++)
        if (zr[c] > zr[best]) best = c;
    right[right_off + b] = best == (uint)labels[labels_off + b] ? 1.0f : 0.0f;
}

/* ---- token classification --------------------------------------------------------- */

inline int labelled(int y, uint C) { return y >= 0 && (uint)y < C; }

/* loss[r] = logsumexp(z_r) - z_r[y_r] and valid[r] = 1 for a labelled row,
 * both 0 for an ignored one; global (N). */
__kernel void token_cross_entropy_forward(__global float *loss, ulong loss_off,
                                          __global float *valid, ulong valid_off,
                                          __global const float *z, ulong z_off,
                                          __global const int *labels, ulong labels_off, uint N,
                                          uint C)
{
    uint r = get_global_id(0);
    if (r >= N) return;
    int y = labels[labels_off + r];
    if (!labelled(y, C)) {
        loss[loss_off + r] = 0.0f;
        valid[valid_off + r] = 0.0f;
        return;
    }
    __global const float *zr = z + z_off + (ulong)r * C;
    float m = zr[0];
    for (uint c = 1; c < C; c++) m = fmax(m, zr[c]);
    float s = 0.0f;
    for (uint c = 0; c < C; c++) s += exp(zr[c] - m);
    loss[loss_off + r] = m + log(s) - zr[y];
    valid[valid_off + r] = 1.0f;
}

/* count[0] = sum(valid), out[0] (+)= scale * sum(loss) / max(1, count):
 * the mean over the labelled rows (0 when there is none), in a fixed
 * order; one work-group, global (LOSS_WG). */
__kernel __attribute__((reqd_work_group_size(LOSS_WG, 1, 1)))
void token_loss_mean(__global float *out, ulong out_off, __global float *count, ulong count_off,
                     __global const float *loss, ulong loss_off, __global const float *valid,
                     ulong valid_off, uint N, float scale, int accumulate)
{
    __local float scratch[LOSS_WG];
    uint l = get_local_id(0);
    float s = 0.0f, n = 0.0f;
    for (uint i = l; i < N; i += LOSS_WG) {
        s += loss[loss_off + i];
        n += valid[valid_off + i];
    }
    s = group_sum(scratch, s);
    n = group_sum(scratch, n);
    if (l == 0) {
        float v = scale * s / fmax(n, 1.0f);
        out[out_off] = accumulate ? out[out_off] + v : v;
        count[count_off] = n;
    }
}

/* dz[r, c] (+)= scale * (softmax(z_r)[c] - [c == y_r]) / max(1, count[0])
 * for a labelled row; an ignored row's gradient is exactly 0 (left as it is
 * when accumulating); global (N). */
__kernel void token_cross_entropy_backward(__global float *dz, ulong dz_off,
                                           __global const float *z, ulong z_off,
                                           __global const int *labels, ulong labels_off,
                                           __global const float *count, ulong count_off, uint N,
                                           uint C, float scale, int accumulate)
{
    uint r = get_global_id(0);
    if (r >= N) return;
    int y = labels[labels_off + r];
    __global float *dr = dz + dz_off + (ulong)r * C;
    if (!labelled(y, C)) {
        if (!accumulate)
            for (uint c = 0; c < C; c++) dr[c] = 0.0f;
        return;
    }
    __global const float *zr = z + z_off + (ulong)r * C;
    float m = zr[0];
    for (uint c = 1; c < C; c++) m = fmax(m, zr[c]);
    float s = 0.0f;
    for (uint c = 0; c < C; c++) s += exp(zr[c] - m);
    float k = scale / fmax(count[count_off], 1.0f);
    for (uint c = 0; c < C; c++) {
        float g = k * (exp(zr[c] - m) / s - (c == (uint)y ? 1.0f : 0.0f));
        dr[c] = accumulate ? dr[c] + g : g;
    }
}

/* right[r] = 1 for a labelled row whose largest logit (the first on ties)
 * is its label, else 0; global (N). */
__kernel void token_accuracy_forward(__global float *right, ulong right_off,
                                     __global const float *z, ulong z_off,
                                     __global const int *labels, ulong labels_off, uint N, uint C)
{
    uint r = get_global_id(0);
    if (r >= N) return;
    int y = labels[labels_off + r];
    __global const float *zr = z + z_off + (ulong)r * C;
    uint best = 0;
    for (uint c = 1; c < C; c++)
        if (zr[c] > zr[best]) best = c;
    right[right_off + r] = labelled(y, C) && best == (uint)y ? 1.0f : 0.0f;
}
