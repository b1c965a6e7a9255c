/* mlm.c -- host side of cl/mlm.cl. */
#include "ops.h"

static asacl_status launch_gather(asacl_ctx *ctx, const char *kernel, tensor out, tensor in,
                                  tensor pos, size_t M, size_t D)
{
    TRY(op_check_u32(kernel, M * D));
    if (!M) return ASACL_OK;
    cl_kernel k;
    TRY(rt_kernel(ctx, "mlm", kernel, &k));
    rt_args a;
    rt_args_begin(&a, k);
    op_arg(&a, out);
    op_arg(&a, in);
    op_arg(&a, pos);
    rt_arg_u32(&a, (cl_uint)M);
    rt_arg_u32(&a, (cl_uint)D);
    return rt_launch_1d(ctx, &a, "mlm", kernel, M * D);
}

asacl_status op_mlm_gather_forward(asacl_ctx *ctx, tensor out, tensor h, tensor pos, size_t M,
                                   size_t D)
{
    return launch_gather(ctx, "mlm_gather_forward", out, h, pos, M, D);
}

asacl_status op_mlm_gather_backward(asacl_ctx *ctx, tensor dh, tensor dg, tensor pos, size_t M,
                                    size_t D)
{
    return launch_gather(ctx, "mlm_gather_backward", dh, dg, pos, M, D);
}

/* The row kernels: (out, z, third) then V and the kernel's tail. */
static asacl_status row_kernel(asacl_ctx *ctx, const char *kernel, cl_kernel *k, rt_args *a,
                               size_t M, size_t V)
{
    TRY(op_check_u32(kernel, M * V));
    TRY(rt_kernel(ctx, "mlm", kernel, k));
    rt_args_begin(a, *k);
    return ASACL_OK;
}

asacl_status op_mlm_cross_entropy_forward(asacl_ctx *ctx, tensor loss, tensor z, tensor labels,
                                          size_t M, size_t V)
{
    if (!M) return ASACL_OK;
    cl_kernel k;
    rt_args a;
    TRY(row_kernel(ctx, "mlm_cross_entropy_forward", &k, &a, M, V));
    op_arg(&a, loss);
    op_arg(&a, z);
    op_arg(&a, labels);
    rt_arg_u32(&a, (cl_uint)V);
    return rt_launch_groups(ctx, &a, "mlm_cross_entropy_forward", M);
}

asacl_status op_mlm_cross_entropy_backward(asacl_ctx *ctx, tensor dz, tensor z, tensor labels,
                                           size_t M, size_t V, float scale, int accumulate)
{
    if (!M) return ASACL_OK;
    cl_kernel k;
    rt_args a;
    TRY(row_kernel(ctx, "mlm_cross_entropy_backward", &k, &a, M, V));
    op_arg(&a, dz);
    op_arg(&a, z);
    op_arg(&a, labels);
    rt_arg_u32(&a, (cl_uint)V);
    rt_arg_f32(&a, scale);
    rt_arg_i32(&a, accumulate);
    return rt_launch_groups(ctx, &a, "mlm_cross_entropy_backward", M);
}

asacl_status op_mlm_accuracy_forward(asacl_ctx *ctx, tensor right, tensor z, tensor labels,
                                     size_t M, size_t V)
{
    if (!M) return ASACL_OK;
    cl_kernel k;
    rt_args a;
    TRY(row_kernel(ctx, "mlm_accuracy_forward", &k, &a, M, V));
    op_arg(&a, right);
    op_arg(&a, z);
    op_arg(&a, labels);
    rt_arg_u32(&a, (cl_uint)V);
    return rt_launch_groups(ctx, &a, "mlm_accuracy_forward", M);
}

asacl_status op_mlm_symmetric_kl_forward(asacl_ctx *ctx, tensor loss, tensor z, tensor zq,
                                         size_t M, size_t V)
{
    if (!M) return ASACL_OK;
    cl_kernel k;
    rt_args a;
    TRY(row_kernel(ctx, "mlm_symmetric_kl_forward", &k, &a, M, V));
    op_arg(&a, loss);
    op_arg(&a, z);
    op_arg(&a, zq);
    rt_arg_u32(&a, (cl_uint)V);
    return rt_launch_groups(ctx, &a, "mlm_symmetric_kl_forward", M);
}

asacl_status op_mlm_symmetric_kl_backward(asacl_ctx *ctx, tensor dz, tensor dzq, tensor z,
                                          tensor zq, size_t M, size_t V, float scale)
{
    if (!M) return ASACL_OK;
    cl_kernel k;
    rt_args a;
    TRY(row_kernel(ctx, "mlm_symmetric_kl_backward", &k, &a, M, V));
    op_arg(&a, dz);
    op_arg(&a, dzq);
    op_arg(&a, z);
    op_arg(&a, zq);
    rt_arg_u32(&a, (cl_uint)V);
    rt_arg_f32(&a, scale);
    return rt_launch_groups(ctx, &a, "mlm_symmetric_kl_backward", M);
}
