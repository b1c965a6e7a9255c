/* residual.c -- host side of cl/residual.cl. */
#include "ops.h"

asacl_status op_residual_forward(asacl_ctx *ctx, tensor out, tensor resid, tensor y, tensor bias,
                                 size_t R, size_t C, float p, op_rng rng)
{
    TRY(op_check_u32("residual", R * C));
    rt_args a;
    TRY(rt_begin(ctx, &a, RTK_residual_forward));
    op_arg(&a, out);
    op_arg(&a, resid);
    op_arg(&a, y);
    op_arg(&a, bias);
    rt_arg_u32(&a, (cl_uint)(R * C));
    rt_arg_u32(&a, (cl_uint)C);
    rt_arg_f32(&a, p);
    rt_arg_rng(&a, rng);
    return rt_run_1d(ctx, &a, (R * C + 3) / 4);
}

asacl_status op_residual_backward(asacl_ctx *ctx, tensor dy, tensor dout, float p, op_rng rng)
{
    return op_dropout_forward(ctx, dy, dout, p, rng);
}
