/* head_mlm.c -- masked-language modelling (head.h; asa-spec 11, Hugging
 * Face's BertForMaskedLM): cls.predictions (model/mlm_head.h) on the last
 * layer's output at the batch's chosen positions only (batch_dev.mlm_pos),
 * logits [M, V] with the decoder tied to the word embeddings, so its
 * gradient adds into the word-embedding gradient the lookup's backward
 * also adds to. BertOnlyMLMHead has no dropout. */
#include "data/mlm_mask.h"
#include "model/head.h"

/* The most positions a batch of B x T can have chosen: BERT's 15%. */
static size_t mlm_rows(size_t B, size_t T) { return mlm_mask_max(0.15, B, T); }

static mlm_head_tensors tensors(const model *m, int grad)
{
    const param_layout *pl = &m->layout;
    size_t D = (size_t)m->cfg.hidden_size, V = (size_t)m->cfg.vocab_size;
    tensor (*at)(const model *, size_t, size_t) = grad ? model_g : model_p;
    mlm_head_tensors t = {at(m, pl->mlm_dense_w, D * D), at(m, pl->mlm_dense_b, D),
                          at(m, pl->mlm_ln_w, D),        at(m, pl->mlm_ln_b, D),
                          at(m, pl->mlm_bias, V),        at(m, pl->word, V * D)};
    return t;
}

static mlm_head_shape shape(const model *m, const batch_dev *bt)
{
    mlm_head_shape s = {bt->n_mlm, (size_t)m->cfg.hidden_size, (size_t)m->cfg.vocab_size,
                        m->cfg.layer_norm_eps};
    return s;
}

static mlm_head_acts acts(const pass_arena *a)
{
    mlm_head_acts h = a->mlm;
    h.logits = a->logits;
    return h;
}

static asacl_status mlm_forward(model *m, pass_arena *a, const batch_dev *bt, const pass_opts *o,
                                tensor x)
{
    (void)o;
    size_t cap = mlm_rows(a->B, a->T);
    if (bt->n_mlm > cap)
        return rt_fail(ASACL_ERR_INVALID_ARG, "%zu MLM positions in a batch of %zu x %zu (at most "
                       "%zu: 15%% of the real tokens)", bt->n_mlm, bt->B, bt->T, cap);
    mlm_head_tensors p = tensors(m, 0);
    mlm_head_acts h = acts(a);
    return mlm_head_forward(m->ctx, &p, &h, x, bt->mlm_pos, shape(m, bt));
}

static asacl_status mlm_backward(model *m, pass_arena *a, grad_ws *g, const batch_dev *bt,
                                 const pass_opts *o, tensor dh)
{
    (void)o;
    size_t M = bt->n_mlm, D = (size_t)m->cfg.hidden_size;
    mlm_head_tensors p = tensors(m, 0), dp = tensors(m, 1);
    mlm_head_acts h = acts(a);
    /* scratch: the two hidden-gradient buffers that are not dh, and gqkv (free until the
     * last layer's backward) */
    tensor others[2];
    for (int i = 0, k = 0; i < 3; i++)
        if (g->g[i].off != dh.off) others[k++] = g->g[i];
    mlm_head_scratch w = {tensor_at(others[0], 0, M * D), tensor_at(others[1], 0, M * D),
                          tensor_at(g->gqkv, 0, M * D)};
    TRY(op_fill(m->ctx, dh, 0.0f)); /* the rows nobody chose get no gradient */
    return mlm_head_backward(m->ctx, &p, &dp, &h, &w, dh, a->dlogits, bt->mlm_pos, shape(m, bt));
}

const head_ops head_mlm = {ASACL_TASK_MLM, mlm_rows, mlm_forward, mlm_backward};
