/* common.h -- shared by every kernel file (inlined at build time).
 *
 * OpenCL C 1.2, float32 storage and accumulation. A device tensor is a
 * buffer plus an element offset: kernels take (__global float *base, ulong off)
 * and add the offset themselves, so no sub-buffers are needed.
 * Tunables are -D defines chosen by the device profile; each has a default
 * here or in its file, so every file compiles alone.
 */
#ifndef ASACL_COMMON_H
#define ASACL_COMMON_H

/* Work-group size of the element-wise kernels. */
#ifndef WGS
#define WGS 64
#endif

/* Sum of v over a 1-D work-group whose size is a power of two; scratch holds
 * one float per work-item. Every work-item must call it (it has barriers). */
inline float group_sum(__local float *scratch, float v)
{
    uint l = get_local_id(0), n = get_local_size(0);
    scratch[l] = v;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (uint h = n >> 1; h > 0; h >>= 1) {
        if (l < h) scratch[l] += scratch[l + h];
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    float r = scratch[0];
    barrier(CLK_LOCAL_MEM_FENCE);
    return r;
}

/* The largest and the sum of a float8's lanes (a fixed order). */
static inline float hmax8(float8 v)
{
    float4 a = fmax(v.lo, v.hi);
    float2 b = fmax(a.lo, a.hi);
    return fmax(b.x, b.y);
}

static inline float hsum8(float8 v)
{
    float4 a = v.lo + v.hi;
    float2 b = a.lo + a.hi;
    return b.x + b.y;
}

#include "masked.h"

#endif
