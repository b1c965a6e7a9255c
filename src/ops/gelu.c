/* gelu.c -- host side of cl/gelu.cl. */
#include "ops.h"

asacl_status op_gelu_forward(asacl_ctx *ctx, tensor act, tensor pre, tensor bias, size_t N,
                             size_t F)
{
    TRY(op_check_u32("gelu", N * F));
    cl_kernel k;
    TRY(rt_kernel(ctx, "gelu", "gelu_forward", &k));
    rt_args a;
    rt_args_begin(&a, k);
    op_arg(&a, act);
    op_arg(&a, pre);
    op_arg(&a, bias);
    rt_arg_u32(&a, (cl_uint)(N * F));
    rt_arg_u32(&a, (cl_uint)F);
    return rt_launch_1d(ctx, &a, "gelu", "gelu_forward", N * F);
}

asacl_status op_gelu_backward(asacl_ctx *ctx, tensor dpre, tensor dact, tensor pre, size_t n)
{
    TRY(op_check_u32("gelu", n));
    cl_kernel k;
    TRY(rt_kernel(ctx, "gelu", "gelu_backward", &k));
    rt_args a;
    rt_args_begin(&a, k);
    op_arg(&a, dpre);
    op_arg(&a, dact);
    op_arg(&a, pre);
    rt_arg_u32(&a, (cl_uint)n);
    return rt_launch_1d(ctx, &a, "gelu", "gelu_backward", n);
}
