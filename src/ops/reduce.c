/* reduce.c -- host side of cl/reduce.cl. */
#include "ops.h"

asacl_status op_reduce_sum(asacl_ctx *ctx, tensor out, tensor x, float scale, int accumulate)
{
    TRY(op_check_u32("reduce", x.n));
    rt_args a;
    TRY(rt_begin(ctx, &a, RTK_reduce_sum));
    op_arg(&a, out);
    op_arg(&a, x);
    rt_arg_u32(&a, (cl_uint)x.n);
    rt_arg_f32(&a, scale);
    rt_arg_i32(&a, accumulate);
    return rt_run_groups(ctx, &a, 1);
}

asacl_status op_reduce_sumsq(asacl_ctx *ctx, tensor out, tensor x, tensor partial)
{
    size_t groups = REDUCE_PARTIALS;
    if (x.n < groups * 1024) groups = x.n / 1024 + 1;
    cl_ulong chunk = (x.n + groups - 1) / groups;
    rt_args a;
    TRY(rt_begin(ctx, &a, RTK_reduce_partial));
    op_arg(&a, partial);
    op_arg(&a, x);
    rt_arg_u64(&a, x.n);
    rt_arg_u64(&a, chunk);
    rt_arg_i32(&a, 1);
    TRY(rt_run_groups(ctx, &a, groups));
    return op_reduce_sum(ctx, out, tensor_at(partial, 0, groups), 1.0f, 0);
}

asacl_status op_clip_coefficient(asacl_ctx *ctx, tensor scalars, size_t norm_idx,
                                 size_t coef_idx, float max_norm)
{
    rt_args a;
    TRY(rt_begin(ctx, &a, RTK_clip_coefficient));
    rt_arg_mem(&a, scalars.buf);
    rt_arg_u64(&a, scalars.off + norm_idx);
    rt_arg_u64(&a, scalars.off + coef_idx);
    rt_arg_f32(&a, max_norm);
    size_t one = 1;
    return rt_run(ctx, &a, 1, &one, NULL);
}

void op_column_chunks(size_t R, size_t *S, size_t *chunk)
{
    size_t s = (R + 31) / 32;
    if (s > 64) s = 64;
    if (s < 1) s = 1;
    *chunk = (R + s - 1) / s;
    *S = *chunk ? (R + *chunk - 1) / *chunk : 1;
    if (*S < 1) *S = 1;
}

asacl_status op_reduce_columns(asacl_ctx *ctx, tensor out, tensor partial, size_t ld, size_t C,
                               size_t S)
{
    TRY(op_check_u32("reduce_columns", S * ld));
    rt_args a;
    TRY(rt_begin(ctx, &a, RTK_reduce_columns));
    op_arg(&a, out);
    op_arg(&a, partial);
    rt_arg_u32(&a, (cl_uint)ld);
    rt_arg_u32(&a, (cl_uint)C);
    rt_arg_u32(&a, (cl_uint)S);
    return rt_run_1d(ctx, &a, C);
}

asacl_status op_reduce_columns3(asacl_ctx *ctx, tensor out0, tensor out1, tensor out2,
                                tensor partial, size_t ld, size_t W, size_t S)
{
    if (out0.buf != out1.buf || out0.buf != out2.buf)
        return rt_fail(ASACL_ERR_INVALID_ARG, "reduce_columns3: outputs must share a buffer");
    TRY(op_check_u32("reduce_columns3", S * ld));
    rt_args a;
    TRY(rt_begin(ctx, &a, RTK_reduce_columns3));
    rt_arg_mem(&a, out0.buf);
    rt_arg_u64(&a, out0.off);
    rt_arg_u64(&a, out1.off);
    rt_arg_u64(&a, out2.off);
    op_arg(&a, partial);
    rt_arg_u32(&a, (cl_uint)ld);
    rt_arg_u32(&a, (cl_uint)W);
    rt_arg_u32(&a, (cl_uint)S);
    return rt_run_1d(ctx, &a, 3 * W);
}
