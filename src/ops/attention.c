/* attention.c -- host side of cl/attention.cl (fused attention). The head
 * size is a compile-time constant of the kernels: one build per size. */
#include <stdio.h>

#include "ops.h"

static asacl_status kernel_for(asacl_ctx *ctx, const attn_desc *d, const char *name,
                               cl_kernel *k)
{
    if (d->H == 0 || d->D % d->H != 0 || d->D / d->H > 1024)
        return rt_fail(ASACL_ERR_INVALID_ARG, "attention: D = %zu over H = %zu heads", d->D, d->H);
    TRY(op_check_u32("attention", d->B * d->H * d->T * d->T));
    char defines[32];
    snprintf(defines, sizeof defines, "-DHEAD_DIM=%zu", d->D / d->H);
    return rt_kernel_ex(ctx, "attention", defines, name, k);
}

void op_attn_args(rt_args *a, const attn_desc *d)
{
    op_arg(a, d->bias);
    rt_arg_u32(a, (cl_uint)d->sb);
    rt_arg_u32(a, (cl_uint)d->si);
    rt_arg_u32(a, (cl_uint)d->B);
    rt_arg_u32(a, (cl_uint)d->T);
    rt_arg_u32(a, (cl_uint)d->H);
    rt_arg_i32(a, d->additive);
    rt_arg_f32(a, d->p);
    rt_arg_rng(a, d->rng);
}

asacl_status op_attention_forward(asacl_ctx *ctx, tensor out, tensor stats, tensor qkv,
                                  const attn_desc *d)
{
    cl_kernel k;
    TRY(kernel_for(ctx, d, "attention_forward", &k));
    rt_args a;
    rt_args_begin(&a, k);
    op_arg(&a, out);
    op_arg(&a, stats);
    op_arg(&a, qkv);
    op_attn_args(&a, d);
    return rt_launch_1d(ctx, &a, "attention", "attention_forward", d->B * d->H * d->T);
}

asacl_status op_attention_backward(asacl_ctx *ctx, tensor dqkv, tensor dbias, tensor dout,
                                   tensor out, tensor stats, tensor dsum, tensor qkv,
                                   const attn_desc *d)
{
    size_t rows = d->B * d->H * d->T;
    cl_kernel k;
    rt_args a;
    TRY(kernel_for(ctx, d, "attention_backward_dsum", &k));
    rt_args_begin(&a, k);
    op_arg(&a, dsum);
    op_arg(&a, dout);
    op_arg(&a, out);
    rt_arg_u32(&a, (cl_uint)d->B);
    rt_arg_u32(&a, (cl_uint)d->T);
    rt_arg_u32(&a, (cl_uint)d->H);
    TRY(rt_launch_1d(ctx, &a, "attention", "attention_backward_dsum", rows));

    TRY(kernel_for(ctx, d, "attention_backward_kv", &k));
    rt_args_begin(&a, k);
    op_arg(&a, dqkv);
    op_arg(&a, dout);
    op_arg(&a, stats);
    op_arg(&a, dsum);
    op_arg(&a, qkv);
    op_attn_args(&a, d);
    TRY(rt_launch_1d(ctx, &a, "attention", "attention_backward_kv", rows));

    size_t n = d->B * d->T * d->T;
    tensor per_head = dqkv; /* any valid buffer when the bias gradient is not wanted */
    if (dbias.n) {
        cl_mem scratch;
        TRY(rt_scratch(ctx, d->H * n, &scratch));
        per_head.buf = scratch;
        per_head.off = 0;
        per_head.n = d->H * n;
    }
    TRY(kernel_for(ctx, d, "attention_backward_q", &k));
    rt_args_begin(&a, k);
    op_arg(&a, dqkv);
    op_arg(&a, per_head);
    rt_arg_i32(&a, dbias.n > 0);
    op_arg(&a, dout);
    op_arg(&a, stats);
    op_arg(&a, dsum);
    op_arg(&a, qkv);
    op_attn_args(&a, d);
    TRY(rt_launch_1d(ctx, &a, "attention", "attention_backward_q", rows));
    if (!dbias.n) return ASACL_OK;
    TRY(kernel_for(ctx, d, "attention_backward_bias", &k));
    rt_args_begin(&a, k);
    op_arg(&a, dbias);
    op_arg(&a, per_head);
    rt_arg_u32(&a, (cl_uint)n);
    rt_arg_u32(&a, (cl_uint)d->H);
    return rt_launch_1d(ctx, &a, "attention", "attention_backward_bias", n);
}
