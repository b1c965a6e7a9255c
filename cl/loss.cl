/* loss.cl -- the task losses on logits z [B, C]:
 *   C > 1: softmax cross-entropy   loss_b = logsumexp(z_b) - z_b[y_b]
 *   C = 1: squared error           loss_b = (z_b - y_b)^2
 * The _backward kernels write dz = scale * dloss_b/dz (scale = 1/B for a
 * mean over the batch), or add to dz when accumulate != 0. */
#include "common.h"

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
