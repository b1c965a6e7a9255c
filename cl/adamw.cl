/* adamw.cl -- one AdamW step over a contiguous range of parameters (as
 * torch.optim.AdamW, asa-spec 5.5):
 *   p *= 1 - lr * wd                       (elements below decay_end only)
 *   m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2
 *   p -= step_size * m / (sqrt(v) / bc2_sqrt + eps)
 * with step_size = lr / (1 - b1^t) and bc2_sqrt = sqrt(1 - b2^t) from the
 * host. g is the gradient times scalars[coef_idx] when coef_idx >= 0 (the
 * clipping coefficient, left on the device by reduce.cl). */
#include "common.h"

/* One element: the update above. */
#define ADAMW_ONE(k)                                                                  \
    do {                                                                              \
        float g_ = grad[k] * coef;                                                    \
        float x_ = p[k];                                                              \
        if ((k) < decay_end) x_ *= 1.0f - lr * wd;                                    \
        float m_ = b1 * m[k] + (1.0f - b1) * g_;                                      \
        float v_ = b2 * v[k] + (1.0f - b2) * g_ * g_;                                 \
        m[k] = m_;                                                                    \
        v[k] = v_;                                                                    \
        p[k] = x_ - step_size * m_ / (sqrt(v_) / bc2_sqrt + eps);                     \
    } while (0)

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
        for (; k < off + n; k++) ADAMW_ONE(k);
        return;
    }
    float8 g = vload8(0, grad + k) * coef;
    float8 x = vload8(0, p + k);
    /* decay for the elements below decay_end (the range may end inside) */
    int8 lane = (int8)(0, 1, 2, 3, 4, 5, 6, 7);
    long left = (long)decay_end - (long)k; /* elements of this vector that decay */
    int8 decays = lane < (int8)(int)clamp(left, 0L, 8L);
    x = select(x, x * (1.0f - lr * wd), decays);
    float8 mk = b1 * vload8(0, m + k) + (1.0f - b1) * g;
    float8 vk = b2 * vload8(0, v + k) + (1.0f - b2) * g * g;
    vstore8(mk, 0, m + k);
    vstore8(vk, 0, v + k);
    vstore8(x - step_size * mk / (sqrt(vk) / bc2_sqrt + eps), 0, p + k);
}
