/* adamw.cl -- one AdamW step over a contiguous range of parameters (as
 * torch.optim.AdamW, asa-spec 5.5):
 *   p *= 1 - lr * wd                       (elements below decay_end only)
 *   m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2
 *   p -= step_size * m / (sqrt(v) / bc2_sqrt + eps)
 * with step_size = lr / (1 - b1^t) and bc2_sqrt = sqrt(1 - b2^t) from the
 * host. g is the gradient times scalars[coef_idx] when coef_idx >= 0 (the
 * clipping coefficient, left on the device by reduce.cl). */
#include "common.h"

__kernel void adamw_update(__global float *p, __global const float *grad, __global float *m,
                           __global float *v, ulong off, ulong n, ulong decay_end, float lr,
                           float wd, float b1, float b2, float eps, float step_size,
                           float bc2_sqrt, __global const float *scalars, long coef_idx)
{
    ulong i = get_global_id(0);
    if (i >= n) return;
    ulong k = off + i;
    float g = grad[k];
    if (coef_idx >= 0) g *= scalars[coef_idx];
    float x = p[k];
    if (k < decay_end) x *= 1.0f - lr * wd;
    float mk = b1 * m[k] + (1.0f - b1) * g;
    float vk = b2 * v[k] + (1.0f - b2) * g * g;
    m[k] = mk;
    v[k] = vk;
    p[k] = x - step_size * mk / (sqrt(vk) / bc2_sqrt + eps);
}
