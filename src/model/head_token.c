/* head_token.c -- token classification (head.h; asa-spec 10, Hugging Face's
 * BertForTokenClassification and RobertaForTokenClassification): no pooler;
 * z[b, t] = classifier(dropout(h[b, t])) for every token, padding included
 * (the loss and vloss decide what counts). The dropout output lives in
 * a->head_in [N, D]; with dropout off the head reads h itself. */
#include "model/head.h"
#include "model/linear.h"

static size_t token_rows(size_t B, size_t T) { return B * T; }

static asacl_status token_forward(model *m, pass_arena *a, const batch_dev *bt, const pass_opts *o,
                                  tensor x)
{
    const asacl_model_config *c = &m->cfg;
    const param_layout *pl = &m->layout;
    asacl_ctx *ctx = m->ctx;
    size_t N = bt->B * bt->T, D = (size_t)c->hidden_size, C = (size_t)c->num_labels;
    float ph = o->train ? c->hidden_dropout_prob : 0.0f;
    if (ph > 0) {
        tensor hin = tensor_at(a->head_in, 0, N * D);
        TRY(op_dropout_forward(ctx, hin, x, ph, model_rng(m, bt, o, 0, SITE_HEAD_IN)));
        x = hin;
    }
    return linear_forward_bias(ctx, a->logits, C, x, D, model_p(m, pl->cls_w, C * D),
                               model_p(m, pl->cls_b, C), N, D, C);
}

static asacl_status token_backward(model *m, pass_arena *a, grad_ws *g, const batch_dev *bt,
                                   const pass_opts *o, tensor dh)
{
    (void)g;
    const asacl_model_config *c = &m->cfg;
    const param_layout *pl = &m->layout;
    asacl_ctx *ctx = m->ctx;
    size_t N = bt->B * bt->T, D = (size_t)c->hidden_size, C = (size_t)c->num_labels,
           L = (size_t)c->num_hidden_layers;
    float ph = o->train ? c->hidden_dropout_prob : 0.0f;
    tensor x = ph > 0 ? tensor_at(a->head_in, 0, N * D)
                      : (L ? tensor_at(a->layers[L - 1].out, 0, N * D) : tensor_at(a->h0, 0, N * D));
    TRY(op_bias_backward(ctx, model_g(m, pl->cls_b, C), a->dlogits, C, N, C));
    TRY(linear_backward(ctx, dh, D, 0.0f, model_g(m, pl->cls_w, C * D), a->dlogits, C, x, D,
                        model_p(m, pl->cls_w, C * D), N, D, C));
    if (ph > 0) TRY(op_dropout_forward(ctx, dh, dh, ph, model_rng(m, bt, o, 0, SITE_HEAD_IN)));
    return ASACL_OK;
}

const head_ops head_token = {ASACL_TASK_TOKEN, token_rows, token_forward, token_backward};
