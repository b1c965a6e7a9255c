/* vector.c -- host side of cl/vector.cl: fill, scale, axpy. */
#include "ops.h"

static asacl_status launch_1d(asacl_ctx *ctx, rt_args *a, const char *name, size_t n)
{
    size_t local = (size_t)rt_param(ctx, "vector", "WGS", 64);
    return rt_launch(ctx, a, name, 1, &n, &local);
}

static asacl_status check_len(const char *op, size_t n)
{
    if (n > 0xffffffffu) return rt_fail(ASACL_ERR_INVALID_ARG, "%s: %zu elements is over 2^32", op, n);
    return ASACL_OK;
}

asacl_status op_fill(asacl_ctx *ctx, tensor x, float value)
{
    cl_kernel k;
    TRY(check_len("fill", x.n));
    TRY(rt_kernel(ctx, "vector", "fill", &k));
    rt_args a;
    rt_args_begin(&a, k);
    rt_arg_mem(&a, x.buf);
    rt_arg_u64(&a, x.off);
    rt_arg_u32(&a, (cl_uint)x.n);
    rt_arg_f32(&a, value);
    return launch_1d(ctx, &a, "fill", x.n);
}

asacl_status op_scale(asacl_ctx *ctx, tensor x, float alpha)
{
    cl_kernel k;
    TRY(check_len("scale", x.n));
    TRY(rt_kernel(ctx, "vector", "scale", &k));
    rt_args a;
    rt_args_begin(&a, k);
    rt_arg_mem(&a, x.buf);
    rt_arg_u64(&a, x.off);
    rt_arg_u32(&a, (cl_uint)x.n);
    rt_arg_f32(&a, alpha);
    return launch_1d(ctx, &a, "scale", x.n);
}

asacl_status op_axpy(asacl_ctx *ctx, tensor y, tensor x, float alpha)
{
    cl_kernel k;
    if (x.n != y.n)
        return rt_fail(ASACL_ERR_INVALID_ARG, "axpy: lengths differ (%zu vs %zu)", y.n, x.n);
    TRY(check_len("axpy", x.n));
    TRY(rt_kernel(ctx, "vector", "axpy", &k));
    rt_args a;
    rt_args_begin(&a, k);
    rt_arg_mem(&a, y.buf);
    rt_arg_u64(&a, y.off);
    rt_arg_mem(&a, x.buf);
    rt_arg_u64(&a, x.off);
    rt_arg_u32(&a, (cl_uint)x.n);
    rt_arg_f32(&a, alpha);
    return launch_1d(ctx, &a, "axpy", x.n);
}
