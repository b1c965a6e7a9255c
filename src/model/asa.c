/* asa.c -- the adversaries (see asa.h). The adversary of layer l has
 * query and key dense layers D -> D stored as one [2D, D] matrix and one
 * [2D] bias, so adv_qk [N, 2D] = x W^T + b holds AQ | AK per row. */
#include <math.h>

#include "gemm/gemm.h"
#include "model/asa.h"
#include "model/linear.h"

static gemm_mat mat(tensor t, size_t off, size_t ld)
{
    gemm_mat g = {t.buf, t.off + off, ld};
    return g;
}

asacl_status asa_forward(model *m, pass_arena *a, const batch_dev *bt, size_t l, tensor x)
{
    asacl_ctx *ctx = m->ctx;
    const layer_params *p = &m->layout.layers[l];
    layer_acts *y = &a->layers[l];
    size_t B = bt->B, T = bt->T, N = B * T, D = (size_t)m->cfg.hidden_size;
    TRY(linear_forward_bias(ctx, y->adv_qk, 2 * D, x, D, model_p(m, p->adv_w, 2 * D * D),
                            model_p(m, p->adv_b, 2 * D), N, D, 2 * D));
    /* A_b = AQ_b AK_b^T / sqrt(D) (the full hidden size: no heads). */
    gemm_shape s = {0, 1, T, T, D};
    TRY(gemm_batched(ctx, s, (float)(1.0 / sqrt((double)D)), mat(y->adv_qk, 0, 2 * D), T * 2 * D,
                     mat(y->adv_qk, D, 2 * D), T * 2 * D, 0.0f, mat(y->adv_scores, 0, T),
                     T * T, B));
    rt_args args;
    TRY(rt_begin(ctx, &args, RTK_asa_mask_forward));
    op_arg(&args, y->adv_scores);
    op_arg(&args, y->adv_mask);
    op_arg(&args, y->adv_bias);
    op_arg(&args, bt->padbias);
    rt_arg_u32(&args, (cl_uint)B);
    rt_arg_u32(&args, (cl_uint)T);
    size_t g[2] = {T, N};
    return rt_run(ctx, &args, 2, g, NULL);
}

asacl_status asa_backward(model *m, pass_arena *a, grad_ws *g, const batch_dev *bt, size_t l,
                          tensor x, float tau2_over_b)
{
    asacl_ctx *ctx = m->ctx;
    const layer_params *p = &m->layout.layers[l];
    layer_acts *y = &a->layers[l];
    size_t B = bt->B, T = bt->T, N = B * T, D = (size_t)m->cfg.hidden_size;
    rt_args args;
    TRY(rt_begin(ctx, &args, RTK_asa_mask_backward));
    op_arg(&args, g->dbias);
    op_arg(&args, y->adv_scores);
    rt_arg_u32(&args, (cl_uint)(B * T * T));
    rt_arg_f32(&args, tau2_over_b);
    TRY(rt_run_1d(ctx, &args, B * T * T));
    /* dAQ_b = dA_b AK_b / sqrt(D); dAK_b = dA_b^T AQ_b / sqrt(D). */
    float scale = (float)(1.0 / sqrt((double)D));
    gemm_shape sq = {0, 0, T, D, T}, sk = {1, 0, T, D, T};
    TRY(gemm_batched(ctx, sq, scale, mat(g->dbias, 0, T), T * T, mat(y->adv_qk, D, 2 * D),
                     T * 2 * D, 0.0f, mat(g->dadv, 0, 2 * D), T * 2 * D, B));
    TRY(gemm_batched(ctx, sk, scale, mat(g->dbias, 0, T), T * T, mat(y->adv_qk, 0, 2 * D),
                     T * 2 * D, 0.0f, mat(g->dadv, D, 2 * D), T * 2 * D, B));
    TRY(op_bias_backward(ctx, model_g(m, p->adv_b, 2 * D), g->dadv, 2 * D, N, 2 * D));
    tensor none = {NULL, 0, 0};
    return linear_backward(ctx, none, 0, 0.0f, model_g(m, p->adv_w, 2 * D * D), g->dadv,
                           2 * D, x, D, model_p(m, p->adv_w, 2 * D * D), N, D, 2 * D);
}

asacl_status asa_stats(model *m, pass_arena *a, const batch_dev *bt, size_t l, tensor kept,
                       float scale, tensor masked, tensor scratch)
{
    asacl_ctx *ctx = m->ctx;
    layer_acts *y = &a->layers[l];
    size_t B = bt->B, T = bt->T;
    tensor kept_rows = tensor_at(scratch, 0, B * T), masked_rows = tensor_at(scratch, B * T, B * T);
    rt_args args;
    TRY(rt_begin(ctx, &args, RTK_asa_mask_stats));
    op_arg(&args, kept_rows);
    op_arg(&args, masked_rows);
    op_arg(&args, y->adv_mask);
    op_arg(&args, bt->padbias);
    rt_arg_u32(&args, (cl_uint)B);
    rt_arg_u32(&args, (cl_uint)T);
    TRY(rt_run_1d(ctx, &args, B * T));
    TRY(op_reduce_sum(ctx, kept, kept_rows, scale, 1));
    return op_reduce_sum(ctx, masked, masked_rows, 1.0f, 0);
}
