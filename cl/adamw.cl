/* adamw.cl -- one AdamW step over a contiguous range of parameters (as
 * torch.optim.AdamW, asa-spec 5.5):
 *   p *= 1 - lr * wd                       (elements below decay_end only)
 *   m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2
 *   p -= step_size * m / (sqrt(v) / bc2_sqrt + eps)
 * with step_size = lr / (1 - b1^t) and bc2_sqrt = sqrt(1 - b2^t) from the
 * host. g is the gradient times scalars[coef_idx] when coef_idx >= 0 (the
 * clipping coefficient, left on the device by reduce.cl). */
#include "common.h"

/* The update above on one element or eight (g, x, mo, vo: float or float8;
 * x already decayed); sets m_new and v_new, and is the new p. */
#define ADAMW_STEP(g, x, mo, vo, m_new, v_new)                                         \
    (m_new = b1 * (mo) + (1.0f - b1) * (g), v_new = b2 * (vo) + (1.0f - b2) * (g) * (g), \
     (x) - step_size * m_new / (sqrt(v_new) / bc2_sqrt + eps))

/* Work-item i updates elements [8 i, 8 i + 8) of the range as one float8 (a
 * CPU runtime left the one-element-per-work-item form scalar: sqrt and the
 * division at their latency), the last n % 8 one by one; the same
 * operations per element either way. global (ceil(n / 8)). */
__kernel void adamw_update(__global float *p, __global const float *grad, __global float *m,
                           __global float *v, ulong off, ulong n, ulong decay_end, float lr,
                           float wd, float b1, float b2, float eps, float step_size,
                           float bc2_sqrt, __global const float *scalars, long coef_idx)
{
    ulong i = get_global_id(0) * 8;
    if (i >= n) return;
    float coef = coef_idx >= 0 ? scalars[coef_idx] : 1.0f;
    ulong k = off + i;
    if (i + 8 > n) {
        for (; k < off + n; k++) {
            float g = grad[k] * coef, mk, vk;
            float x = k < decay_end ? p[k] * (1.0f - lr * wd) : p[k];
            p[k] = ADAMW_STEP(g, x, m[k], v[k], mk, vk);
            m[k] = mk;
            v[k] = vk;
        }
        return;
    }
    /* decay_end may fall inside the vector: lanes below it decay */
    int8 lane = (int8)(0, 1, 2, 3, 4, 5, 6, 7);
    long left = (long)decay_end - (long)k;
    int8 decays = lane < (int8)(int)clamp(left, 0L, 8L);
    float8 g = vload8(0, grad + k) * coef, x = vload8(0, p + k), mk, vk;
    x = select(x, x * (1.0f - lr * wd), decays);
    float8 pk = ADAMW_STEP(g, x, vload8(0, m + k), vload8(0, v + k), mk, vk);
    vstore8(mk, 0, m + k);
    vstore8(vk, 0, v + k);
    vstore8(pk, 0, p + k);
}
