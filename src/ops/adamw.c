/* adamw.c -- host side of cl/adamw.cl. */
#include <math.h>

#include "ops.h"

asacl_status op_adamw_update(asacl_ctx *ctx, cl_mem params, cl_mem grads, cl_mem m, cl_mem v,
                             size_t off, size_t n, size_t decay_end, adamw_hparams h,
                             tensor scalars, long coef_idx)
{
    if (h.step < 1) return rt_fail(ASACL_ERR_INVALID_ARG, "adamw: step must start at 1");
    /* Bias corrections in double on the host, as torch computes them. */
    double bc1 = 1.0 - pow(h.beta1, (double)h.step);
    double bc2 = 1.0 - pow(h.beta2, (double)h.step);
    rt_args a;
    TRY(rt_begin(ctx, &a, RTK_adamw_update));
    rt_arg_mem(&a, params);
    rt_arg_mem(&a, grads);
    rt_arg_mem(&a, m);
    rt_arg_mem(&a, v);
    rt_arg_u64(&a, off);
    rt_arg_u64(&a, n);
    rt_arg_u64(&a, decay_end);
    rt_arg_f32(&a, h.lr);
    rt_arg_f32(&a, h.weight_decay);
    rt_arg_f32(&a, h.beta1);
    rt_arg_f32(&a, h.beta2);
    rt_arg_f32(&a, h.eps);
    rt_arg_f32(&a, (float)(h.lr / bc1));
    rt_arg_f32(&a, (float)sqrt(bc2));
    rt_arg_mem(&a, scalars.buf);
    rt_arg_i64(&a, coef_idx >= 0 ? (cl_long)(scalars.off + (size_t)coef_idx) : -1);
    return rt_run_1d(ctx, &a, (n + 7) / 8); /* 8 elements per work-item */
}
