/* bias.c -- host side of cl/bias.cl. */
#include "ops.h"

asacl_status op_bias_forward(asacl_ctx *ctx, tensor y, size_t ldy, tensor bias, size_t R,
                             size_t C)
{
    TRY(op_check_u32("bias", R * ldy));
    rt_args a;
    TRY(rt_begin(ctx, &a, RTK_bias_forward));
    op_arg(&a, y);
    rt_arg_u32(&a, (cl_uint)ldy);
    op_arg(&a, bias);
    rt_arg_u32(&a, (cl_uint)R);
    rt_arg_u32(&a, (cl_uint)C);
    size_t g[2] = {C, R};
    return rt_run(ctx, &a, 2, g, NULL);
}

asacl_status op_bias_backward(asacl_ctx *ctx, tensor dbias, tensor dy, size_t ldy, size_t R,
                              size_t C)
{
    TRY(op_check_u32("bias", R * ldy));
    size_t S, chunk;
    op_column_chunks(R, &S, &chunk);
    cl_mem scratch;
    TRY(rt_scratch(ctx, S * C, &scratch));
    tensor partial = {scratch, 0, S * C};
    rt_args a;
    TRY(rt_begin(ctx, &a, RTK_bias_backward));
    op_arg(&a, partial);
    op_arg(&a, dy);
    rt_arg_u32(&a, (cl_uint)ldy);
    rt_arg_u32(&a, (cl_uint)R);
    rt_arg_u32(&a, (cl_uint)C);
    rt_arg_u32(&a, (cl_uint)chunk);
    size_t g[2] = {C, S};
    TRY(rt_run(ctx, &a, 2, g, NULL));
    return op_reduce_columns(ctx, dbias, partial, C, C, S);
}
