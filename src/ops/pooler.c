/* pooler.c -- host side of cl/pooler.cl. */
#include "ops.h"

asacl_status op_pooler_forward(asacl_ctx *ctx, tensor y, tensor bias, size_t B, size_t D)
{
    TRY(op_check_u32("pooler", B * D));
    rt_args a;
    TRY(rt_begin(ctx, &a, RTK_pooler_forward));
    op_arg(&a, y);
    op_arg(&a, bias);
    rt_arg_u32(&a, (cl_uint)(B * D));
    rt_arg_u32(&a, (cl_uint)D);
    return rt_run_1d(ctx, &a, B * D);
}

asacl_status op_pooler_backward(asacl_ctx *ctx, tensor dpre, tensor dy, tensor y, size_t n)
{
    TRY(op_check_u32("pooler", n));
    rt_args a;
    TRY(rt_begin(ctx, &a, RTK_pooler_backward));
    op_arg(&a, dpre);
    op_arg(&a, dy);
    op_arg(&a, y);
    rt_arg_u32(&a, (cl_uint)n);
    return rt_run_1d(ctx, &a, n);
}
