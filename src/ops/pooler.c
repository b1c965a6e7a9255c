/* pooler.c -- host side of cl/pooler.cl. */
#include "ops.h"

asacl_status op_pooler_forward(asacl_ctx *ctx, tensor y, tensor bias, size_t B, size_t D)
{
    TRY(op_check_u32("pooler", B * D));
    cl_kernel k;
    TRY(rt_kernel(ctx, "pooler", "pooler_forward", &k));
    rt_args a;
    rt_args_begin(&a, k);
    op_arg(&a, y);
    op_arg(&a, bias);
    rt_arg_u32(&a, (cl_uint)(B * D));
    rt_arg_u32(&a, (cl_uint)D);
    return rt_launch_1d(ctx, &a, "pooler", "pooler_forward", B * D);
}

asacl_status op_pooler_backward(asacl_ctx *ctx, tensor dpre, tensor dy, tensor y, size_t n)
{
    TRY(op_check_u32("pooler", n));
    cl_kernel k;
    TRY(rt_kernel(ctx, "pooler", "pooler_backward", &k));
    rt_args a;
    rt_args_begin(&a, k);
    op_arg(&a, dpre);
    op_arg(&a, dy);
    op_arg(&a, y);
    rt_arg_u32(&a, (cl_uint)n);
    return rt_launch_1d(ctx, &a, "pooler", "pooler_backward", n);
}
