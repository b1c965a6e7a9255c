/* reduce.c -- host side of cl/reduce.cl. */
#include "ops.h"

asacl_status op_reduce_sum(asacl_ctx *ctx, tensor out, tensor x, float scale, int accumulate)
{
    TRY(op_check_u32("reduce", x.n));
    cl_kernel k;
    TRY(rt_kernel(ctx, "reduce", "reduce_sum", &k));
    rt_args a;
    rt_args_begin(&a, k);
    op_arg(&a, out);
    op_arg(&a, x);
    rt_arg_u32(&a, (cl_uint)x.n);
    rt_arg_f32(&a, scale);
    rt_arg_i32(&a, accumulate);
    return rt_launch_groups(ctx, &a, "reduce_sum", 1);
}

asacl_status op_reduce_sumsq(asacl_ctx *ctx, tensor out, tensor x, tensor partial)
{
    cl_kernel k;
    TRY(rt_kernel(ctx, "reduce", "reduce_partial", &k));
    size_t groups = REDUCE_PARTIALS;
    if (x.n < groups * 1024) groups = x.n / 1024 + 1;
    cl_ulong chunk = (x.n + groups - 1) / groups;
    rt_args a;
    rt_args_begin(&a, k);
    op_arg(&a, partial);
    op_arg(&a, x);
    rt_arg_u64(&a, x.n);
    rt_arg_u64(&a, chunk);
    rt_arg_i32(&a, 1);
    TRY(rt_launch_groups(ctx, &a, "reduce_partial", groups));
    return op_reduce_sum(ctx, out, tensor_at(partial, 0, groups), 1.0f, 0);
}

asacl_status op_clip_coefficient(asacl_ctx *ctx, tensor scalars, size_t norm_idx,
                                 size_t coef_idx, float max_norm)
{
    cl_kernel k;
    TRY(rt_kernel(ctx, "reduce", "clip_coefficient", &k));
    rt_args a;
    rt_args_begin(&a, k);
    rt_arg_mem(&a, scalars.buf);
    rt_arg_u64(&a, scalars.off + norm_idx);
    rt_arg_u64(&a, scalars.off + coef_idx);
    rt_arg_f32(&a, max_norm);
    size_t one = 1;
    return rt_launch(ctx, &a, "clip_coefficient", 1, &one, NULL);
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
    cl_kernel k;
    TRY(rt_kernel(ctx, "reduce", "reduce_columns", &k));
    rt_args a;
    rt_args_begin(&a, k);
    op_arg(&a, out);
    op_arg(&a, partial);
    rt_arg_u32(&a, (cl_uint)ld);
    rt_arg_u32(&a, (cl_uint)C);
    rt_arg_u32(&a, (cl_uint)S);
    return rt_launch_1d(ctx, &a, "reduce", "reduce_columns", C);
}
