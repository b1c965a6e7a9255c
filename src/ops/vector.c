/* vector.c -- host side of cl/vector.cl: fill, scale, axpy. */
#include "ops.h"


asacl_status op_fill(asacl_ctx *ctx, tensor x, float value)
{
    TRY(op_check_u32("fill", x.n));
    rt_args a;
    TRY(rt_begin(ctx, &a, RTK_fill));
    op_arg(&a, x);
    rt_arg_u32(&a, (cl_uint)x.n);
    rt_arg_f32(&a, value);
    return rt_run_1d(ctx, &a, x.n);
}

asacl_status op_scale(asacl_ctx *ctx, tensor x, float alpha)
{
    TRY(op_check_u32("scale", x.n));
    rt_args a;
    TRY(rt_begin(ctx, &a, RTK_scale));
    op_arg(&a, x);
    rt_arg_u32(&a, (cl_uint)x.n);
    rt_arg_f32(&a, alpha);
    return rt_run_1d(ctx, &a, x.n);
}

asacl_status op_axpy(asacl_ctx *ctx, tensor y, tensor x, float alpha)
{
    if (x.n != y.n)
        return rt_fail(ASACL_ERR_INVALID_ARG, "axpy: lengths differ (%zu vs %zu)", y.n, x.n);
    TRY(op_check_u32("axpy", x.n));
    rt_args a;
    TRY(rt_begin(ctx, &a, RTK_axpy));
    op_arg(&a, y);
    op_arg(&a, x);
    rt_arg_u32(&a, (cl_uint)x.n);
    rt_arg_f32(&a, alpha);
    return rt_run_1d(ctx, &a, x.n);
}
