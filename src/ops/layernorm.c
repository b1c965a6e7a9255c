/* layernorm.c -- host side of cl/layernorm.cl. */
#include "ops.h"

asacl_status op_layernorm_forward(asacl_ctx *ctx, tensor y, tensor mean, tensor rstd, tensor x,
                                  tensor gamma, tensor beta, size_t N, size_t D, float eps)
{
    if (gamma.buf != beta.buf)
        return rt_fail(ASACL_ERR_INVALID_ARG, "layernorm: gamma and beta must share a buffer");
    TRY(op_check_u32("layernorm", N * D));
    cl_kernel k;
    TRY(rt_kernel(ctx, "layernorm", "layernorm_forward", &k));
    rt_args a;
    rt_args_begin(&a, k);
    op_arg(&a, y);
    op_arg(&a, mean);
    op_arg(&a, rstd);
    op_arg(&a, x);
    op_arg(&a, gamma);
    rt_arg_u64(&a, beta.off);
    rt_arg_u32(&a, (cl_uint)D);
    rt_arg_f32(&a, eps);
    return rt_launch_groups(ctx, &a, "layernorm_forward", N);
}

asacl_status op_layernorm_backward(asacl_ctx *ctx, tensor dx, tensor dgamma, tensor dbeta,
                                   tensor dy, tensor x, tensor mean, tensor rstd, tensor gamma,
                                   size_t N, size_t D, int accumulate)
{
    if (dgamma.buf != dbeta.buf)
        return rt_fail(ASACL_ERR_INVALID_ARG, "layernorm: dgamma and dbeta must share a buffer");
    TRY(op_check_u32("layernorm", N * D));
    size_t S, chunk;
    op_column_chunks(N, &S, &chunk);
    cl_mem scratch;
    TRY(rt_scratch(ctx, S * 2 * D, &scratch));
    tensor partial = {scratch, 0, S * 2 * D};
    cl_kernel k;
    rt_args a;
    TRY(rt_kernel(ctx, "layernorm", "layernorm_backward_params", &k));
    rt_args_begin(&a, k);
    op_arg(&a, partial);
    op_arg(&a, dy);
    op_arg(&a, x);
    op_arg(&a, mean);
    op_arg(&a, rstd);
    rt_arg_u32(&a, (cl_uint)N);
    rt_arg_u32(&a, (cl_uint)D);
    rt_arg_u32(&a, (cl_uint)chunk);
    size_t g[2] = {D, S};
    TRY(rt_launch(ctx, &a, "layernorm_backward_params", 2, g, NULL));
    TRY(op_reduce_columns(ctx, dgamma, partial, 2 * D, D, S));
    TRY(op_reduce_columns(ctx, dbeta, tensor_at(partial, D, S * 2 * D - D), 2 * D, D, S));
    TRY(rt_kernel(ctx, "layernorm", "layernorm_backward", &k));
    rt_args_begin(&a, k);
    op_arg(&a, dx);
    op_arg(&a, dy);
    op_arg(&a, x);
    op_arg(&a, mean);
    op_arg(&a, rstd);
    op_arg(&a, gamma);
    rt_arg_u32(&a, (cl_uint)D);
    rt_arg_i32(&a, accumulate);
    return rt_launch_groups(ctx, &a, "layernorm_backward", N);
}
