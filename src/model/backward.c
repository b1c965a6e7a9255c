/* backward.c -- the backward of one pass, from dlogits to every parameter
 * gradient (accumulated), in the reverse order of forward.c. Hidden-state
 * gradients rotate through three [N, D] buffers of the workspace. */
#include "model/asa.h"
#include "model/attention.h"
#include "model/linear.h"
#include "model/head.h"
#include "model/model.h"

/* Layer l: dh (gradient of the layer output) in *dh; on return *dh is the
 * gradient of the layer input. Uses the other two hidden buffers. */
static asacl_status layer_backward(model *m, pass_arena *a, grad_ws *g, const batch_dev *bt,
                                   const pass_opts *o, size_t l, tensor x, tensor *dh,
                                   float tau2_over_b)
{
    const asacl_model_config *c = &m->cfg;
    asacl_ctx *ctx = m->ctx;
    const layer_params *p = &m->layout.layers[l];
    layer_acts *y = &a->layers[l];
    size_t N = bt->B * bt->T, D = (size_t)c->hidden_size, F = (size_t)c->intermediate_size;
    float ph = o->train ? c->hidden_dropout_prob : 0.0f;
    tensor g0 = *dh, g1, g2, gf = tensor_at(g->gf, 0, N * F), gqkv = tensor_at(g->gqkv, 0, 3 * N * D);
    /* The two buffers that are not dh. */
    tensor others[2];
    for (int i = 0, k = 0; i < 3; i++)
        if (g->g[i].off != g0.off) others[k++] = tensor_at(g->g[i], 0, N * D);
    g1 = others[0];
    g2 = others[1];

    /* out = LN2(res2), res2 = a1 + dropout(f W2^T + b2): g1 = dres2,
     * g2 = d(f W2^T + b2) */
    TRY(op_residual_layernorm_backward(ctx, g1, g2, model_g(m, p->ln2_g, D), model_g(m, p->ln2_b, D),
                                       model_g(m, p->f2_b, D), g0, y->res2, y->mean2, y->rstd2,
                                       model_p(m, p->ln2_g, D), N, D, ph,
                                       model_rng(m, bt, o, l, SITE_FFN_OUT)));
    /* dW2 += g2^T f; gf = (g2 W2) * gelu'(f_pre); db1 += its column sums */
    TRY(linear_backward_gelu(ctx, gf, model_g(m, p->f1_b, F), y->f_pre, model_g(m, p->f2_w, D * F),
                             g2, D, y->f_act, model_p(m, p->f2_w, D * F), N, F, D));
    /* g1 = da1 = dres2 + d(gelu branch) */
    TRY(linear_backward(ctx, g1, D, 1.0f, model_g(m, p->f1_w, F * D), gf, F, y->a1, D,
                        model_p(m, p->f1_w, F * D), N, D, F));
    /* a1 = LN1(res1), res1 = x + dropout(ctx Wo^T + bo): g2 = dres1,
     * g0 = d(ctx Wo^T + bo); then g1 = dctx */
    TRY(op_residual_layernorm_backward(ctx, g2, g0, model_g(m, p->ln1_g, D), model_g(m, p->ln1_b, D),
                                       model_g(m, p->o_b, D), g1, y->res1, y->mean1, y->rstd1,
                                       model_p(m, p->ln1_g, D), N, D, ph,
                                       model_rng(m, bt, o, l, SITE_ATTN_OUT)));
    TRY(linear_backward(ctx, g1, D, 0.0f, model_g(m, p->o_w, D * D), g0, D, y->ctx, D,
                        model_p(m, p->o_w, D * D), N, D, D));
    attn_desc d = model_attn_desc(m, a, bt, o, l);
    tensor dbias = o->asa ? g->dbias : tensor_at(g->gqkv, 0, 0);
    if (m->plain_attention)
        TRY(attention_plain_backward(ctx, gqkv, dbias, g1, y->probs, y->pdrop, g->ds, y->qkv, &d));
    else
        TRY(op_attention_backward(ctx, gqkv, dbias, g1, y->ctx, y->stats, g->dsum, y->qkv, &d));
    TRY(op_bias_backward(ctx, model_g(m, p->qkv_b, 3 * D), gqkv, 3 * D, N, 3 * D));
    /* g2 = dx = dres1 (residual) + dqkv Wqkv */
    TRY(linear_backward(ctx, g2, D, 1.0f, model_g(m, p->qkv_w, 3 * D * D), gqkv, 3 * D, x, D,
                        model_p(m, p->qkv_w, 3 * D * D), N, D, 3 * D));
    if (o->asa) TRY(asa_backward(m, a, g, bt, l, x, tau2_over_b));
    *dh = g2;
    return ASACL_OK;
}

asacl_status model_backward(model *m, pass_arena *a, grad_ws *g, const batch_dev *bt,
                            const pass_opts *o, float tau2_over_b)
{
    const asacl_model_config *c = &m->cfg;
    const param_layout *pl = &m->layout;
    asacl_ctx *ctx = m->ctx;
    size_t B = bt->B, T = bt->T, N = B * T, D = (size_t)c->hidden_size,
           L = (size_t)c->num_hidden_layers;
    if (!m->grads) return rt_fail(ASACL_ERR_INVALID_ARG, "backward before model_enable_training");
    float ph = o->train ? c->hidden_dropout_prob : 0.0f;

    tensor dh = tensor_at(g->g[0], 0, N * D);
    TRY(model_head(m)->backward(m, a, g, bt, o, dh));

    for (size_t l = L; l-- > 0;) {
        tensor x = l ? tensor_at(a->layers[l - 1].out, 0, N * D) : tensor_at(a->h0, 0, N * D);
        TRY(layer_backward(m, a, g, bt, o, l, x, &dh, tau2_over_b));
        if (o->layer_done) TRY(o->layer_done(o->layer_done_user, l));
    }

    /* Embeddings: h0 = dropout(LN(emb)). A pass that borrowed another's
     * embeddings hands its gradient of them over instead (see pass_opts). */
    if (o->embeddings_from)
        return op_dropout_forward(ctx, tensor_at(g->demb, 0, N * D), dh, ph,
                                  model_rng(m, bt, o, 0, SITE_EMBEDDING));
    TRY(op_dropout_forward(ctx, dh, dh, ph, model_rng(m, bt, o, 0, SITE_EMBEDDING)));
    if (o->embeddings_shared) TRY(op_axpy(ctx, dh, tensor_at(g->demb, 0, N * D), 1.0f));
    tensor demb = tensor_at(g->gf, 0, N * D); /* free again: use it as scratch */
    TRY(op_layernorm_backward(ctx, demb, model_g(m, pl->emb_ln_g, D), model_g(m, pl->emb_ln_b, D), dh,
                              a->emb_pre, a->emb_mean, a->emb_rstd, model_p(m, pl->emb_ln_g, D), N, D,
                              0));
    embedding_groups eg = {bt->order, bt->starts, bt->uniq, bt->n_uniq};
    /* RoBERTa's explicit position ids: rows grouped like the word rows. */
    embedding_groups pg = {bt->pos_order, bt->pos_starts, bt->pos_uniq, bt->n_pos_uniq};
    return op_embedding_backward(ctx, model_g(m, pl->word, (size_t)c->vocab_size * D),
                                 model_g(m, pl->pos, (size_t)c->max_position_embeddings * D),
                                 model_g(m, pl->type, (size_t)c->type_vocab_size * D), demb, bt->segs,
                                 &eg, pl->roberta ? &pg : NULL, B, T, D, (size_t)c->type_vocab_size);
}
