/* softmax.c -- host side of cl/softmax.cl (the plain attention path). */
#include "ops.h"

asacl_status op_softmax_forward(asacl_ctx *ctx, tensor probs, tensor pdrop, const attn_desc *d)
{
    TRY(op_check_u32("softmax", d->B * d->H * d->T * d->T));
    rt_args a;
    TRY(rt_begin(ctx, &a, RTK_softmax_forward));
    op_arg(&a, probs);
    op_arg(&a, pdrop);
    op_attn_args(&a, d);
    return rt_run_1d(ctx, &a, d->B * d->H * d->T);
}

asacl_status op_softmax_backward(asacl_ctx *ctx, tensor ds, tensor dbias, tensor probs,
                                 const attn_desc *d)
{
    TRY(op_check_u32("softmax", d->B * d->H * d->T * d->T));
    rt_args a;
    TRY(rt_begin(ctx, &a, RTK_softmax_backward));
    op_arg(&a, ds);
    op_arg(&a, dbias.n ? dbias : ds);
    rt_arg_i32(&a, dbias.n > 0);
    op_arg(&a, probs);
    op_attn_args(&a, d);
    return rt_run_1d(ctx, &a, d->B * d->T);
}
