/* layernorm.c -- host side of cl/layernorm.cl. */
#include "ops.h"

asacl_status op_layernorm_forward(asacl_ctx *ctx, tensor y, tensor mean, tensor rstd, tensor x,
                                  tensor gamma, tensor beta, size_t N, size_t D, float eps)
{
    if (gamma.buf != beta.buf)
        return rt_fail(ASACL_ERR_INVALID_ARG, "layernorm: gamma and beta must share a buffer");
    TRY(op_check_u32("layernorm", N * D));
    rt_args a;
    TRY(rt_begin(ctx, &a, RTK_layernorm_forward));
    op_arg(&a, y);
    op_arg(&a, mean);
    op_arg(&a, rstd);
    op_arg(&a, x);
    op_arg(&a, gamma);
    rt_arg_u64(&a, beta.off);
    rt_arg_u32(&a, (cl_uint)D);
    rt_arg_f32(&a, eps);
    return rt_run_groups(ctx, &a, N);
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
    rt_args a;
    TRY(rt_begin(ctx, &a, RTK_layernorm_backward_params));
    op_arg(&a, partial);
    op_arg(&a, dy);
    op_arg(&a, x);
    op_arg(&a, mean);
    op_arg(&a, rstd);
    rt_arg_u32(&a, (cl_uint)N);
    rt_arg_u32(&a, (cl_uint)D);
    rt_arg_u32(&a, (cl_uint)chunk);
    size_t g[2] = {D, S};
    TRY(rt_run(ctx, &a, 2, g, NULL));
    TRY(op_reduce_columns(ctx, dgamma, partial, 2 * D, D, S));
    TRY(op_reduce_columns(ctx, dbeta, tensor_at(partial, D, S * 2 * D - D), 2 * D, D, S));
    TRY(rt_begin(ctx, &a, RTK_layernorm_backward));
    op_arg(&a, dx);
    op_arg(&a, dy);
    op_arg(&a, x);
    op_arg(&a, mean);
    op_arg(&a, rstd);
    op_arg(&a, gamma);
    rt_arg_u32(&a, (cl_uint)D);
    rt_arg_i32(&a, accumulate);
    return rt_run_groups(ctx, &a, N);
}

/* ---- fused with the residual, dropout and bias (cl/layernorm.cl) ---- */

asacl_status op_residual_layernorm_forward(asacl_ctx *ctx, tensor y, tensor mean, tensor rstd,
                                           tensor res, tensor resid, tensor x, tensor gamma,
                                           tensor beta, tensor bias, size_t N, size_t D,
                                           float eps, float p, op_rng rng)
{
    if (gamma.buf != beta.buf || gamma.buf != bias.buf)
        return rt_fail(ASACL_ERR_INVALID_ARG,
                       "residual_layernorm: gamma, beta and bias must share a buffer");
    TRY(op_check_u32("residual_layernorm", N * D));
    rt_args a;
    /* rows of a multiple of 8 as float8 (cl/layernorm.cl) */
    rt_kernel_id k = D % 8 ? RTK_residual_layernorm_forward : RTK_residual_layernorm8_forward;
    TRY(rt_begin(ctx, &a, k));
    op_arg(&a, y);
    op_arg(&a, mean);
    op_arg(&a, rstd);
    op_arg(&a, res);
    op_arg(&a, resid);
    op_arg(&a, x);
    op_arg(&a, gamma);
    rt_arg_u64(&a, beta.off);
    rt_arg_u64(&a, bias.off);
    rt_arg_u32(&a, (cl_uint)D);
    rt_arg_f32(&a, eps);
    rt_arg_f32(&a, p);
    rt_arg_rng(&a, rng);
    return rt_run_groups(ctx, &a, N);
}

/* The unfused sequence, for devices whose local memory cannot hold the
 * fused backward's 3 D accumulators: the same results. */
static asacl_status unfused_backward(asacl_ctx *ctx, tensor dres, tensor dbranch, tensor dgamma,
                                     tensor dbeta, tensor dbias, tensor dy, tensor res,
                                     tensor mean, tensor rstd, tensor gamma, size_t N, size_t D,
                                     float p, op_rng rng)
{
    TRY(op_layernorm_backward(ctx, dres, dgamma, dbeta, dy, res, mean, rstd, gamma, N, D, 0));
    TRY(op_dropout_forward(ctx, tensor_at(dbranch, 0, N * D), tensor_at(dres, 0, N * D), p, rng));
    return op_bias_backward(ctx, dbias, dbranch, D, N, D);
}

asacl_status op_residual_layernorm_backward(asacl_ctx *ctx, tensor dres, tensor dbranch,
                                            tensor dgamma, tensor dbeta, tensor dbias, tensor dy,
                                            tensor res, tensor mean, tensor rstd, tensor gamma,
                                            size_t N, size_t D, float p, op_rng rng)
{
    if (dgamma.buf != dbeta.buf || dgamma.buf != dbias.buf)
        return rt_fail(ASACL_ERR_INVALID_ARG,
                       "residual_layernorm: dgamma, dbeta and dbias must share a buffer");
    TRY(op_check_u32("residual_layernorm", 3 * N * D));
    rt_args a;
    rt_kernel_id k = D % 8 ? RTK_residual_layernorm_backward : RTK_residual_layernorm8_backward;
    TRY(rt_begin(ctx, &a, k));
    size_t wg = rt_slot(ctx, k)->local;
    size_t acc = 3 * D * sizeof(float);
    if (acc + wg * sizeof(float) > ctx->info.local_mem_bytes)
        return unfused_backward(ctx, dres, dbranch, dgamma, dbeta, dbias, dy, res, mean, rstd,
                                gamma, N, D, p, rng);
    size_t S, chunk;
    op_column_chunks(N, &S, &chunk);
    cl_mem scratch;
    TRY(rt_scratch(ctx, S * 3 * D, &scratch));
    tensor partial = {scratch, 0, S * 3 * D};
    op_arg(&a, dres);
    op_arg(&a, dbranch);
    op_arg(&a, partial);
    op_arg(&a, dy);
    op_arg(&a, res);
    op_arg(&a, mean);
    op_arg(&a, rstd);
    op_arg(&a, gamma);
    rt_arg_u32(&a, (cl_uint)N);
    rt_arg_u32(&a, (cl_uint)D);
    rt_arg_u32(&a, (cl_uint)chunk);
    rt_arg_f32(&a, p);
    rt_arg_rng(&a, rng);
    rt_arg_local(&a, acc);
    TRY(rt_run_groups(ctx, &a, S));
    return op_reduce_columns3(ctx, dgamma, dbeta, dbias, partial, 3 * D, D, S);
}
