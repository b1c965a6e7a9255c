/* mlm_head.c -- BertForMaskedLM's head at the chosen positions (see
 * mlm_head.h): existing ops for the transform and the tied decoder, mlm.cl
 * for the gather and the vocabulary-wide losses. */
#include <stdlib.h>

#include "base/base.h"
#include "model/linear.h"
#include "model/mlm_head.h"

asacl_status mlm_head_check_positions(const int32_t *pos, const int32_t *labels, size_t M,
                                      size_t rows, size_t V)
{
    unsigned char *seen = calloc(rows ? rows : 1, 1);
    if (!seen) return rt_fail(ASACL_ERR_OUT_OF_MEMORY, "checking %zu positions", M);
    asacl_status st = ASACL_OK;
    for (size_t m = 0; m < M && st == ASACL_OK; m++) {
        if (pos[m] < 0 || (size_t)pos[m] >= rows)
            st = rt_fail(ASACL_ERR_INVALID_ARG, "MLM position %zu is %d, outside [0, %zu)", m,
                         (int)pos[m], rows);
        else if (seen[pos[m]]++)
            st = rt_fail(ASACL_ERR_INVALID_ARG, "MLM position %d chosen twice", (int)pos[m]);
        else if (labels[m] < 0 || (size_t)labels[m] >= V)
            st = rt_fail(ASACL_ERR_INVALID_ARG, "MLM label %zu is %d, outside the vocabulary of %zu",
                         m, (int)labels[m], V);
    }
    free(seen);
    return st;
}

size_t mlm_head_scratch_floats(size_t M, size_t D, size_t V)
{
    size_t S, chunk;
    op_column_chunks(M, &S, &chunk);
    size_t widest = V > 2 * D ? V : 2 * D; /* decoder bias; LayerNorm's two; dense bias D */
    return S * widest;
}

asacl_status mlm_head_forward(asacl_ctx *ctx, const mlm_head_tensors *p, const mlm_head_acts *a,
                              tensor h, tensor pos, mlm_head_shape s)
{
    size_t M = s.M, D = s.D, V = s.V;
    if (!M) return ASACL_OK;
    TRY(op_mlm_gather_forward(ctx, a->g, h, pos, M, D));             /* g = h[pos] */
    /* pre = g Wd^T + bd; act = gelu(pre) */
    TRY(linear_forward_gelu(ctx, a->act, a->pre, a->g, D, p->dense_w, p->dense_b, M, D, D));
    TRY(op_layernorm_forward(ctx, a->t, a->mean, a->rstd, a->act, p->ln_w, p->ln_b, M, D,
                             s.eps));                                 /* t = LN(act) */
    rt_timing_label(ctx, "vocab"); /* the vocabulary-sized products, apart in timings */
    asacl_status st = linear_forward_bias(ctx, a->logits, V, a->t, D, p->word, p->bias, M, D,
                                          V); /* t E^T + bias */
    rt_timing_label(ctx, NULL);
    return st;
}

asacl_status mlm_head_backward(asacl_ctx *ctx, const mlm_head_tensors *p,
                               const mlm_head_tensors *g, const mlm_head_acts *a,
                               const mlm_head_scratch *w, tensor dh, tensor dlogits, tensor pos,
                               mlm_head_shape s)
{
    size_t M = s.M, D = s.D, V = s.V;
    if (!M) return ASACL_OK;
    rt_timing_label(ctx, "vocab");
    asacl_status st = op_bias_backward(ctx, g->bias, dlogits, V, M, V); /* dbias += sums */
    if (st == ASACL_OK)
        st = linear_backward(ctx, w->dt, D, 0.0f, g->word, dlogits, V, a->t, D, p->word, M, D,
                             V);                     /* dE += dlogits^T t; dt = dlogits E */
    rt_timing_label(ctx, NULL);
    TRY(st);
    TRY(op_layernorm_backward(ctx, w->dact, g->ln_w, g->ln_b, w->dt, a->act, a->mean, a->rstd,
                              p->ln_w, M, D, 0));                     /* dact = LN'(dt) */
    TRY(op_gelu_bias_backward(ctx, w->dact, g->dense_b, w->dact, a->pre, M,
                              D));                   /* dpre = dact gelu'(pre); dbd += sums */
    TRY(linear_backward(ctx, w->dg, D, 0.0f, g->dense_w, w->dact, D, a->g, D, p->dense_w, M, D,
                        D));                         /* dWd += dpre^T g; dg = dpre Wd */
    return op_mlm_gather_backward(ctx, dh, w->dg, pos, M, D);        /* dh[pos] += dg */
}

asacl_status mlm_head_loss_forward(asacl_ctx *ctx, tensor out, tensor rows, tensor z, tensor zq,
                                   tensor labels, size_t M, size_t V, size_t B)
{
    tensor r0 = tensor_at(rows, 0, M), r1 = tensor_at(rows, M, M);
    tensor mlm = tensor_at(out, 0, 1), vloss = tensor_at(out, 1, 1), acc = tensor_at(out, 2, 1);
    if (!M) return op_fill(ctx, tensor_at(out, 0, 3), 0.0f);
    float inv_m = 1.0f / (float)M;
    TRY(op_mlm_cross_entropy_forward(ctx, r0, z, labels, M, V));
    TRY(op_reduce_sum(ctx, mlm, r0, inv_m, 0));                       /* mean over positions */
    TRY(op_mlm_accuracy_forward(ctx, r1, z, labels, M, V));
    TRY(op_reduce_sum(ctx, acc, r1, inv_m, 0));
    if (!zq.n) return op_fill(ctx, vloss, 0.0f);
    TRY(op_mlm_symmetric_kl_forward(ctx, r0, z, zq, M, V));
    return op_reduce_sum(ctx, vloss, r0, 1.0f / (float)B, 0);        /* sum / B */
}

asacl_status mlm_head_loss_backward(asacl_ctx *ctx, tensor dz, tensor dzq, tensor z, tensor zq,
                                    tensor labels, size_t M, size_t V, size_t B, float share)
{
    if (!M) return ASACL_OK;
    TRY(op_mlm_cross_entropy_backward(ctx, dz, z, labels, M, V, share / (float)M, 0));
    if (!zq.n) return ASACL_OK;
    return op_mlm_symmetric_kl_backward(ctx, dz, dzq, z, zq, M, V, 1.0f / (float)B);
}
