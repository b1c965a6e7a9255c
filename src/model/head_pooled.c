/* head_pooled.c -- the head on the first token of each sequence (head.h):
 * sequence classification and regression (BertForSequenceClassification,
 * RobertaForSequenceClassification) and multiple choice
 * (BertForMultipleChoice, RobertaForMultipleChoice: the encoder's pooler +
 * dropout + a one-output classifier, for RoBERTa too). */
#include "model/head.h"
#include "model/linear.h"

/* RoBERTa's sequence head has dropout -> dense -> tanh instead of the pooler. */
static int roberta_sequence(const param_layout *pl)
{
    return pl->roberta && pl->task == ASACL_TASK_SEQUENCE;
}

static size_t pooled_rows(size_t B, size_t T)
{
    (void)T;
    return B;
}

/* The head on the first token of each sequence (rows of stride T*D of x):
 * BERT: pooled = tanh(W x + b) -> dropout -> classifier;
 * RoBERTa: dropout -> dense -> tanh -> dropout -> out_proj, the same ops
 * after a dropout of the last layer's output (taken whole, [N, D], so that
 * the backward's dropout of the gradient is one elementwise op too). */
static asacl_status pooled_forward(model *m, pass_arena *a, const batch_dev *bt,
                                 const pass_opts *o, tensor x)
{
    const asacl_model_config *c = &m->cfg;
    const param_layout *pl = &m->layout;
    asacl_ctx *ctx = m->ctx;
    size_t B = bt->B, T = bt->T, D = (size_t)c->hidden_size, C = (size_t)c->num_labels;
    float ph = o->train ? c->hidden_dropout_prob : 0.0f;
    if (roberta_sequence(pl) && ph > 0) {
        tensor hin = tensor_at(a->head_in, 0, B * T * D);
        TRY(op_dropout_forward(ctx, hin, x, ph, model_rng(m, bt, o, 0, SITE_HEAD_IN)));
        x = hin;
    }
    TRY(linear_forward(ctx, a->pooled, D, x, T * D, model_p(m, pl->pool_w, D * D), B, D, D));
    TRY(op_pooler_forward(ctx, a->pooled, model_p(m, pl->pool_b, D), B, D));
    TRY(op_dropout_forward(ctx, tensor_at(a->pooled_drop, 0, B * D), tensor_at(a->pooled, 0, B * D),
                           ph, model_rng(m, bt, o, 0, SITE_POOLER)));
    return linear_forward_bias(ctx, a->logits, C, a->pooled_drop, D, model_p(m, pl->cls_w, C * D),
                               model_p(m, pl->cls_b, C), B, D, C);
}

/* The head from dlogits: the gradient of the
 * last layer's output into dh (zero but at each sequence's first token). */
static asacl_status pooled_backward(model *m, pass_arena *a, grad_ws *g, const batch_dev *bt,
                                  const pass_opts *o, tensor dh)
{
    const asacl_model_config *c = &m->cfg;
    const param_layout *pl = &m->layout;
    asacl_ctx *ctx = m->ctx;
    size_t B = bt->B, T = bt->T, N = B * T, D = (size_t)c->hidden_size,
           C = (size_t)c->num_labels, L = (size_t)c->num_hidden_layers;
    float ph = o->train ? c->hidden_dropout_prob : 0.0f;
    tensor dpool = tensor_at(g->dpooled, 0, B * D);
    TRY(op_bias_backward(ctx, model_g(m, pl->cls_b, C), a->dlogits, C, B, C));
    TRY(linear_backward(ctx, dpool, D, 0.0f, model_g(m, pl->cls_w, C * D), a->dlogits, C,
                        a->pooled_drop, D, model_p(m, pl->cls_w, C * D), B, D, C));
    TRY(op_dropout_forward(ctx, dpool, dpool, ph, model_rng(m, bt, o, 0, SITE_POOLER)));
    TRY(op_pooler_backward(ctx, dpool, dpool, tensor_at(a->pooled, 0, B * D), B * D));
    TRY(op_bias_backward(ctx, model_g(m, pl->pool_b, D), dpool, D, B, D));
    /* Only the first token of each sequence feeds the head. */
    TRY(op_fill(ctx, dh, 0.0f));
    tensor x_last = L ? tensor_at(a->layers[L - 1].out, 0, N * D) : a->h0;
    int dropped = roberta_sequence(pl) && ph > 0; /* RoBERTa's dropout before the dense */
    if (dropped) x_last = tensor_at(a->head_in, 0, N * D);
    TRY(linear_backward(ctx, dh, T * D, 0.0f, model_g(m, pl->pool_w, D * D), dpool, D, x_last, T * D,
                        model_p(m, pl->pool_w, D * D), B, D, D));
    if (dropped) TRY(op_dropout_forward(ctx, dh, dh, ph, model_rng(m, bt, o, 0, SITE_HEAD_IN)));
    return ASACL_OK;
}

const head_ops head_pooled = {ASACL_TASK_SEQUENCE, pooled_rows, pooled_forward, pooled_backward};
