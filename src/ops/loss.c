/* loss.c -- host side of cl/loss.cl. */
#include "ops.h"

static asacl_status launch_loss(asacl_ctx *ctx, const char *kernel, tensor out, tensor z,
                                tensor target, size_t B, size_t C, int with_grad_args,
                                float scale, int accumulate)
{
    cl_kernel k;
    TRY(rt_kernel(ctx, "loss", kernel, &k));
    rt_args a;
    rt_args_begin(&a, k);
    op_arg(&a, out);
    op_arg(&a, z);
    op_arg(&a, target);
    rt_arg_u32(&a, (cl_uint)B);
    if (C) rt_arg_u32(&a, (cl_uint)C);
    if (with_grad_args) {
        rt_arg_f32(&a, scale);
        rt_arg_i32(&a, accumulate);
    }
    return rt_launch_1d(ctx, &a, "loss", kernel, B);
}

asacl_status op_cross_entropy_forward(asacl_ctx *ctx, tensor loss, tensor z, tensor labels,
                                      size_t B, size_t C)
{
    return launch_loss(ctx, "cross_entropy_forward", loss, z, labels, B, C, 0, 0, 0);
}

asacl_status op_cross_entropy_backward(asacl_ctx *ctx, tensor dz, tensor z, tensor labels,
                                       size_t B, size_t C, float scale, int accumulate)
{
    return launch_loss(ctx, "cross_entropy_backward", dz, z, labels, B, C, 1, scale, accumulate);
}

asacl_status op_accuracy_forward(asacl_ctx *ctx, tensor right, tensor z, tensor labels, size_t B,
                                 size_t C)
{
    return launch_loss(ctx, "accuracy_forward", right, z, labels, B, C, 0, 0, 0);
}

asacl_status op_mse_forward(asacl_ctx *ctx, tensor loss, tensor z, tensor target, size_t B)
{
    return launch_loss(ctx, "mse_forward", loss, z, target, B, 0, 0, 0, 0);
}

asacl_status op_mse_backward(asacl_ctx *ctx, tensor dz, tensor z, tensor target, size_t B,
                             float scale, int accumulate)
{
    return launch_loss(ctx, "mse_backward", dz, z, target, B, 0, 1, scale, accumulate);
}

asacl_status op_symmetric_kl_forward(asacl_ctx *ctx, tensor loss, tensor z, tensor zq, size_t R,
                                     size_t W)
{
    cl_kernel k;
    TRY(rt_kernel(ctx, "loss", "symmetric_kl_forward", &k));
    rt_args a;
    rt_args_begin(&a, k);
    op_arg(&a, loss);
    op_arg(&a, z);
    op_arg(&a, zq);
    rt_arg_u32(&a, (cl_uint)R);
    rt_arg_u32(&a, (cl_uint)W);
    return rt_launch_1d(ctx, &a, "loss", "symmetric_kl_forward", R);
}

asacl_status op_symmetric_kl_backward(asacl_ctx *ctx, tensor dz, tensor dzq, tensor z, tensor zq,
                                      size_t R, size_t W, float scale)
{
    cl_kernel k;
    TRY(rt_kernel(ctx, "loss", "symmetric_kl_backward", &k));
    rt_args a;
    rt_args_begin(&a, k);
    op_arg(&a, dz);
    op_arg(&a, dzq);
    op_arg(&a, z);
    op_arg(&a, zq);
    rt_arg_u32(&a, (cl_uint)R);
    rt_arg_u32(&a, (cl_uint)W);
    rt_arg_f32(&a, scale);
    return rt_launch_1d(ctx, &a, "loss", "symmetric_kl_backward", R);
}

/* ---- token classification ---- */

asacl_status op_token_cross_entropy_forward(asacl_ctx *ctx, tensor loss, tensor valid, tensor z,
                                            tensor labels, size_t N, size_t C)
{
    TRY(op_check_u32("token_cross_entropy_forward", N * C));
    cl_kernel k;
    TRY(rt_kernel(ctx, "loss", "token_cross_entropy_forward", &k));
    rt_args a;
    rt_args_begin(&a, k);
    op_arg(&a, loss);
    op_arg(&a, valid);
    op_arg(&a, z);
    op_arg(&a, labels);
    rt_arg_u32(&a, (cl_uint)N);
    rt_arg_u32(&a, (cl_uint)C);
    return rt_launch_1d(ctx, &a, "loss", "token_cross_entropy_forward", N);
}

asacl_status op_token_loss_mean(asacl_ctx *ctx, tensor out, tensor count, tensor loss,
                                tensor valid, size_t N, float scale, int accumulate)
{
    TRY(op_check_u32("token_loss_mean", N));
    cl_kernel k;
    TRY(rt_kernel(ctx, "loss", "token_loss_mean", &k));
    rt_args a;
    rt_args_begin(&a, k);
    op_arg(&a, out);
    op_arg(&a, count);
    op_arg(&a, loss);
    op_arg(&a, valid);
    rt_arg_u32(&a, (cl_uint)N);
    rt_arg_f32(&a, scale);
    rt_arg_i32(&a, accumulate);
    return rt_launch_groups(ctx, &a, "token_loss_mean", 1);
}

asacl_status op_token_cross_entropy_backward(asacl_ctx *ctx, tensor dz, tensor z, tensor labels,
                                             tensor count, size_t N, size_t C, float scale,
                                             int accumulate)
{
    TRY(op_check_u32("token_cross_entropy_backward", N * C));
    cl_kernel k;
    TRY(rt_kernel(ctx, "loss", "token_cross_entropy_backward", &k));
    rt_args a;
    rt_args_begin(&a, k);
    op_arg(&a, dz);
    op_arg(&a, z);
    op_arg(&a, labels);
    op_arg(&a, count);
    rt_arg_u32(&a, (cl_uint)N);
    rt_arg_u32(&a, (cl_uint)C);
    rt_arg_f32(&a, scale);
    rt_arg_i32(&a, accumulate);
    return rt_launch_1d(ctx, &a, "loss", "token_cross_entropy_backward", N);
}

asacl_status op_token_accuracy_forward(asacl_ctx *ctx, tensor right, tensor z, tensor labels,
                                       size_t N, size_t C)
{
    TRY(op_check_u32("token_accuracy_forward", N * C));
    return launch_loss(ctx, "token_accuracy_forward", right, z, labels, N, C, 0, 0, 0);
}
