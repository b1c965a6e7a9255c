/* bias.c -- host side of cl/bias.cl. */
#include "ops.h"

/* Work-groups of 64 columns (global rounded up, the kernels check bounds):
 * left to the driver, a column count with awkward factors (BERT's 30522-word
 * vocabulary: 2 x 3 x 5087) gets tiny work-groups, which a CPU device cannot
 * vectorise; NULL (the driver's choice) for narrow matrices. */
static const size_t *column_groups(const asacl_ctx *ctx, size_t C, size_t local[2])
{
    if (C < 64 || ctx->info.max_work_group_size < 64) return NULL;
    local[0] = 64, local[1] = 1;
    return local;
}

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
    size_t g[2] = {C, R}, l[2];
    return rt_run(ctx, &a, 2, g, column_groups(ctx, C, l));
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
    size_t g[2] = {(C + 7) / 8, S};
    TRY(rt_run(ctx, &a, 2, g, NULL));
    return op_reduce_columns(ctx, dbias, partial, C, C, S);
}
