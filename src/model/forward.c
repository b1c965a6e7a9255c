/* forward.c -- one pass of the model (asa-spec section 1), op by op:
 *   embeddings -> LayerNorm -> dropout
 *   per layer: QKV (one GEMM) -> attention (bias: padding, or the adversary's
 *     mask in the adversarial pass) -> output dense -> bias + dropout +
 *     residual + LayerNorm (one fused kernel) -> FFN (bias + GELU fused) ->
 *     bias + dropout + residual + LayerNorm
 *   then the model's head (head.h: head_pooled.c, head_token.c). RoBERTa's
 *   position ids come with the batch. */
#include <math.h>

#include "model/asa.h"
#include "model/attention.h"
#include "model/linear.h"
#include "model/head.h"
#include "model/model.h"

op_rng model_rng(const model *m, const batch_dev *bt, const pass_opts *o, size_t layer, int kind)
{
    /* site word: pass bit 24, layer bits 8-15, kind bits 0-7. The stream's
     * element index counts from the step's whole batch: example0 examples
     * of this site's size come before this micro-batch. */
    const asacl_model_config *c = &m->cfg;
    size_t T = bt->T, D = (size_t)c->hidden_size;
    size_t per_example = kind == SITE_ATTENTION ? (size_t)c->num_attention_heads * T * T
                         : kind == SITE_POOLER  ? D
                                                : T * D;
    op_rng r = {(cl_uint)o->seed, (cl_uint)(o->seed >> 32), o->step,
                (cl_uint)((unsigned)o->pass << 24 | (unsigned)layer << 8 | (unsigned)kind),
                (cl_ulong)o->example0 * per_example};
    return r;
}

/* The attention description of layer l in this pass. */
attn_desc model_attn_desc(const model *m, const pass_arena *a, const batch_dev *bt,
                          const pass_opts *o, size_t l)
{
    const asacl_model_config *c = &m->cfg;
    size_t B = bt->B, T = bt->T;
    attn_desc d = {B, T, (size_t)c->num_attention_heads, (size_t)c->hidden_size, bt->padbias,
                   T, 0, m->additive_masks, 0.0f, model_rng(m, bt, o, l, SITE_ATTENTION)};
    if (o->asa) { /* the adversary's mask bias [B, T, T], shared by heads */
        d.bias = a->layers[l].adv_bias;
        d.sb = T * T;
        d.si = T;
    }
    /* The additive variant (asa-spec 7) has no dropout on the probabilities. */
    if (o->train && !m->additive_masks) d.p = c->attention_probs_dropout_prob;
    return d;
}

static asacl_status layer_forward(model *m, pass_arena *a, const batch_dev *bt,
                                  const pass_opts *o, size_t l, tensor x)
{
    const asacl_model_config *c = &m->cfg;
    asacl_ctx *ctx = m->ctx;
    const layer_params *p = &m->layout.layers[l];
    layer_acts *y = &a->layers[l];
    size_t N = bt->B * bt->T, D = (size_t)c->hidden_size, F = (size_t)c->intermediate_size;
    float ph = o->train ? c->hidden_dropout_prob : 0.0f;
    float eps = c->layer_norm_eps;

    if (o->asa) TRY(asa_forward(m, a, bt, l, x));
    TRY(linear_forward_bias(ctx, y->qkv, 3 * D, x, D, model_p(m, p->qkv_w, 3 * D * D),
                            model_p(m, p->qkv_b, 3 * D), N, D, 3 * D));
    attn_desc d = model_attn_desc(m, a, bt, o, l);
    if (m->plain_attention)
        TRY(attention_plain_forward(ctx, y->ctx, y->probs, y->pdrop, y->qkv, &d));
    else
        TRY(op_attention_forward(ctx, y->ctx, y->stats, y->qkv, &d));
    /* res1 = x + dropout(ctx Wo^T + bo); a1 = LN(res1) */
    TRY(linear_forward(ctx, y->res1, D, y->ctx, D, model_p(m, p->o_w, D * D), N, D, D));
    TRY(op_residual_layernorm_forward(ctx, y->a1, y->mean1, y->rstd1, y->res1, x, y->res1,
                                      model_p(m, p->ln1_g, D), model_p(m, p->ln1_b, D),
                                      model_p(m, p->o_b, D), N, D, eps, ph,
                                      model_rng(m, bt, o, l, SITE_ATTN_OUT)));
    /* f = gelu(a1 W1^T + b1); res2 = a1 + dropout(f W2^T + b2); out = LN(res2) */
    TRY(linear_forward_gelu(ctx, y->f_act, y->f_pre, y->a1, D, model_p(m, p->f1_w, F * D),
                            model_p(m, p->f1_b, F), N, D, F));
    TRY(linear_forward(ctx, y->res2, D, y->f_act, F, model_p(m, p->f2_w, D * F), N, F, D));
    return op_residual_layernorm_forward(ctx, y->out, y->mean2, y->rstd2, y->res2, y->a1, y->res2,
                                         model_p(m, p->ln2_g, D), model_p(m, p->ln2_b, D),
                                         model_p(m, p->f2_b, D), N, D, eps, ph,
                                         model_rng(m, bt, o, l, SITE_FFN_OUT));
}

asacl_status model_forward(model *m, pass_arena *a, const batch_dev *bt, const pass_opts *o)
{
    const asacl_model_config *c = &m->cfg;
    const param_layout *pl = &m->layout;
    asacl_ctx *ctx = m->ctx;
    size_t B = bt->B, T = bt->T, N = B * T, D = (size_t)c->hidden_size,
           L = (size_t)c->num_hidden_layers;
    if (B > a->B || T > a->T)
        return rt_fail(ASACL_ERR_INVALID_ARG, "batch %zu x %zu exceeds the arena's %zu x %zu", B, T,
                       a->B, a->T);
    if (o->asa && !pl->adversaries)
        return rt_fail(ASACL_ERR_INVALID_ARG, "adversarial pass on a model without adversaries");
    float ph = o->train ? c->hidden_dropout_prob : 0.0f;

    const pass_arena *emb = o->embeddings_from ? o->embeddings_from : a;
    if (!o->embeddings_from) {
        TRY(op_embedding_forward(ctx, a->emb_pre, bt->ids, bt->segs, bt->posids,
                                 model_p(m, pl->word, (size_t)c->vocab_size * D),
                                 model_p(m, pl->pos, (size_t)c->max_position_embeddings * D),
                                 model_p(m, pl->type, (size_t)c->type_vocab_size * D), N, T, D));
        TRY(op_layernorm_forward(ctx, a->emb_ln, a->emb_mean, a->emb_rstd, a->emb_pre,
                                 model_p(m, pl->emb_ln_g, D), model_p(m, pl->emb_ln_b, D), N, D,
                                 c->layer_norm_eps));
    }
    tensor h0 = tensor_at(a->h0, 0, N * D);
    TRY(op_dropout_forward(ctx, h0, tensor_at(emb->emb_ln, 0, N * D), ph,
                           model_rng(m, bt, o, 0, SITE_EMBEDDING)));
    tensor x = h0;
    for (size_t l = 0; l < L; l++) {
        TRY(layer_forward(m, a, bt, o, l, x));
        x = tensor_at(a->layers[l].out, 0, N * D);
    }
    return model_head(m)->forward(m, a, bt, o, x);
}
