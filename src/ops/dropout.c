/* dropout.c -- host side of cl/dropout.cl. */
#include "ops.h"

asacl_status op_dropout_forward(asacl_ctx *ctx, tensor y, tensor x, float p, op_rng rng)
{
    if (x.n != y.n) return rt_fail(ASACL_ERR_INVALID_ARG, "dropout: lengths differ");
    TRY(op_check_u32("dropout", x.n));
    rt_args a;
    TRY(rt_begin(ctx, &a, RTK_dropout_forward));
    op_arg(&a, y);
    op_arg(&a, x);
    rt_arg_u32(&a, (cl_uint)x.n);
    rt_arg_f32(&a, p);
    rt_arg_rng(&a, rng);
    return rt_run_1d(ctx, &a, (x.n + 31) / 32); /* 32 elements per work-item */
}
