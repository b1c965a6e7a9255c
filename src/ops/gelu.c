/* gelu.c -- host side of cl/gelu.cl. */
#include "ops.h"

asacl_status op_gelu_forward(asacl_ctx *ctx, tensor act, tensor pre, tensor bias, size_t N,
                             size_t F)
{
    TRY(op_check_u32("gelu", N * F));
    rt_args a;
    TRY(rt_begin(ctx, &a, RTK_gelu_forward));
    op_arg(&a, act);
    op_arg(&a, pre);
    op_arg(&a, bias);
    rt_arg_u32(&a, (cl_uint)(N * F));
    rt_arg_u32(&a, (cl_uint)F);
    size_t vw = (size_t)rt_slot_param(ctx, RTK_gelu_forward, "GELU_VW", 8);
    return rt_run_1d(ctx, &a, (N * F + vw - 1) / vw);
}

asacl_status op_gelu_backward(asacl_ctx *ctx, tensor dpre, tensor dact, tensor pre, size_t n)
{
    TRY(op_check_u32("gelu", n));
    rt_args a;
    TRY(rt_begin(ctx, &a, RTK_gelu_backward));
    op_arg(&a, dpre);
    op_arg(&a, dact);
    op_arg(&a, pre);
    rt_arg_u32(&a, (cl_uint)n);
    return rt_run_1d(ctx, &a, n);
}

asacl_status op_gelu_bias_backward(asacl_ctx *ctx, tensor dpre, tensor dbias, tensor dact,
                                   tensor pre, size_t N, size_t F)
{
    TRY(op_check_u32("gelu", N * F));
    size_t S, chunk;
    op_column_chunks(N, &S, &chunk);
    cl_mem scratch;
    TRY(rt_scratch(ctx, S * F, &scratch));
    tensor partial = {scratch, 0, S * F};
    rt_args a;
    TRY(rt_begin(ctx, &a, RTK_gelu_bias_backward));
    op_arg(&a, dpre);
    op_arg(&a, partial);
    op_arg(&a, dact);
    op_arg(&a, pre);
    rt_arg_u32(&a, (cl_uint)N);
    rt_arg_u32(&a, (cl_uint)F);
    rt_arg_u32(&a, (cl_uint)chunk);
    size_t vw = (size_t)rt_slot_param(ctx, RTK_gelu_bias_backward, "GELU_VW", 8);
    size_t g[2] = {(F + vw - 1) / vw, S};
    TRY(rt_run(ctx, &a, 2, g, NULL));
    return op_reduce_columns(ctx, dbias, partial, F, F, S);
}
