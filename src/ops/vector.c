/* vector.c -- host side of cl/vector.cl: fill, scale, axpy. */
#include "ops.h"


asacl_status op_fill(asacl_ctx *ctx, tensor x, float value)
{
    cl_kernel k;
    TRY(op_check_u32("fill", x.n));
    TRY(rt_kernel(ctx, "vector", "fill", &k));
    rt_args a;
    rt_args_begin(&a, k);
    op_arg(&a, x);
    rt_arg_u32(&a, (cl_uint)x.n);
    rt_arg_f32(&a, value);
    return rt_launch_1d(ctx, &a, "vector", "fill", x.n);
}

asacl_status op_scale(asacl_ctx *ctx, tensor x, float alpha)
{
    cl_kernel k;
    TRY(op_check_u32("scale", x.n));
    TRY(rt_kernel(ctx, "vector", "scale", &k));
    rt_args a;
    rt_args_begin(&a, k);
    op_arg(&a, x);
    rt_arg_u32(&a, (cl_uint)x.n);
    rt_arg_f32(&a, alpha);
    return rt_launch_1d(ctx, &a, "vector", "scale", x.n);
}

asacl_status op_axpy(asacl_ctx *ctx, tensor y, tensor x, float alpha)
{
    cl_kernel k;
    if (x.n != y.n)
        return rt_fail(ASACL_ERR_INVALID_ARG, "axpy: lengths differ (%zu vs %zu)", y.n, x.n);
    TRY(op_check_u32("axpy", x.n));
    TRY(rt_kernel(ctx, "vector", "axpy", &k));
    rt_args a;
    rt_args_begin(&a, k);
    op_arg(&a, y);
    op_arg(&a, x);
    rt_arg_u32(&a, (cl_uint)x.n);
    rt_arg_f32(&a, alpha);
    return rt_launch_1d(ctx, &a, "vector", "axpy", x.n);
}
