/* softmax.c -- host side of cl/softmax.cl (the plain attention path). */
#include "ops.h"

asacl_status op_softmax_forward(asacl_ctx *ctx, tensor probs, tensor pdrop, const attn_desc *d)
{
    cl_kernel k;
    TRY(op_check_u32("softmax", d->B * d->H * d->T * d->T));
    TRY(rt_kernel(ctx, "softmax", "softmax_forward", &k));
    rt_args a;
    rt_args_begin(&a, k);
    op_arg(&a, probs);
    op_arg(&a, pdrop);
    op_attn_args(&a, d);
    return rt_launch_1d(ctx, &a, "softmax", "softmax_forward", d->B * d->H * d->T);
}

asacl_status op_softmax_backward(asacl_ctx *ctx, tensor ds, tensor dbias, tensor probs,
                                 const attn_desc *d)
{
    cl_kernel k;
    TRY(op_check_u32("softmax", d->B * d->H * d->T * d->T));
    TRY(rt_kernel(ctx, "softmax", "softmax_backward", &k));
    rt_args a;
    rt_args_begin(&a, k);
    op_arg(&a, ds);
    op_arg(&a, dbias.n ? dbias : ds);
    rt_arg_i32(&a, dbias.n > 0);
    op_arg(&a, probs);
    op_attn_args(&a, d);
    return rt_launch_1d(ctx, &a, "softmax", "softmax_backward", d->B * d->T);
}
