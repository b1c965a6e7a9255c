/* vector.cl -- fill, scale and axpy over a strided range of a buffer. */
#include "common.h"

/* x[i] = value, i < n */
__kernel void fill(__global float *x, ulong x_off, uint n, float value)
{
    uint i = get_global_id(0);
    if (i < n) x[x_off + i] = value;
}

/* x[i] *= alpha, i < n */
__kernel void scale(__global float *x, ulong x_off, uint n, float alpha)
{
    uint i = get_global_id(0);
    if (i < n) x[x_off + i] *= alpha;
}

/* y[i] += alpha * x[i], i < n */
__kernel void axpy(__global float *y, ulong y_off, __global const float *x, ulong x_off,
                   uint n, float alpha)
{
    uint i = get_global_id(0);
    if (i < n) y[y_off + i] += alpha * x[x_off + i];
}
