/* model.c -- creating the model and its buffers: parameters, activation
 * arenas, the gradient workspace and the batch buffers. */
#include <stdlib.h>
#include <string.h>

#include "masked.h"
#include "model/head.h"
#include "model/model.h"

const head_ops *model_head(const model *m)
{
    return m->layout.task == ASACL_TASK_TOKEN ? &head_token
           : m->layout.task == ASACL_TASK_MLM ? &head_mlm
                                               : &head_pooled;
}

size_t model_logit_cols(const model *m)
{
    return m->layout.task == ASACL_TASK_MLM ? (size_t)m->cfg.vocab_size : (size_t)m->cfg.num_labels;
}

size_t model_logit_rows_of(const model *m, const batch_dev *bt)
{
    return m->layout.task == ASACL_TASK_MLM ? bt->n_mlm : model_head(m)->logit_rows(bt->B, bt->T);
}

/* ---- carving tensors out of one buffer ---------------------------------- */

#define CARVE_MAX 64

typedef struct carver {
    size_t total;
    size_t n;
    tensor *items[CARVE_MAX];
} carver;

/* Reserves n floats (64-float aligned) for *t in the buffer being planned. */
static void carve(carver *c, tensor *t, size_t n)
{
    t->buf = NULL;
    t->off = c->total;
    t->n = n;
    c->total += (n + 63) / 64 * 64;
    if (c->n < CARVE_MAX) c->items[c->n++] = t;
}

static asacl_status carve_alloc(carver *c, asacl_ctx *ctx, const char *what, cl_mem *buf)
{
    if (c->n == CARVE_MAX) return rt_fail(ASACL_ERR_INTERNAL, "%s: too many tensors", what);
    TRY(rt_buffer_create(ctx, c->total * sizeof(float), what, buf));
    for (size_t i = 0; i < c->n; i++) c->items[i]->buf = *buf;
    return ASACL_OK;
}

/* ---- the model ------------------------------------------------------------ */

asacl_status model_create(asacl_ctx *ctx, const asacl_model_config *cfg, int adversaries,
                          const float *init, unsigned long long seed, model *m)
{
    memset(m, 0, sizeof *m);
    m->ctx = ctx;
    m->cfg = *cfg;
    /* Which attention path runs is a device parameter: on CPUs the plain
     * path's GEMMs beat the fused kernel's per-row loops. */
    m->plain_attention = rt_param(ctx, "attention", "PLAIN", 0) != 0;
    TRY(param_layout_build(cfg, adversaries, &m->layout));
    asacl_status st = rt_buffer_create(ctx, m->layout.total * sizeof(float), "the parameters",
                                       &m->params);
    float *host = NULL;
    if (st == ASACL_OK && !init) {
        host = malloc(m->layout.total * sizeof *host);
        if (!host) st = rt_fail(ASACL_ERR_OUT_OF_MEMORY, "initialising parameters");
        else param_init_host(&m->layout, cfg, seed, host);
    }
    if (st == ASACL_OK) st = rt_upload(ctx, m->params, 0, m->layout.total, init ? init : host);
    free(host);
    if (st != ASACL_OK) model_destroy(m);
    return st;
}

void model_destroy(model *m)
{
    if (!m) return;
    rt_buffer_release(&m->params);
    rt_buffer_release(&m->grads);
    rt_buffer_release(&m->adam_m);
    rt_buffer_release(&m->adam_v);
    param_layout_free(&m->layout);
}

asacl_status model_enable_training(model *m)
{
    size_t bytes = m->layout.total * sizeof(float);
    cl_mem *bufs[3] = {&m->grads, &m->adam_m, &m->adam_v};
    const char *what[3] = {"the gradients", "AdamW's first moments", "AdamW's second moments"};
    for (int i = 0; i < 3; i++) {
        if (*bufs[i]) continue;
        TRY(rt_buffer_create(m->ctx, bytes, what[i], bufs[i]));
        tensor t = {*bufs[i], 0, m->layout.total};
        TRY(op_fill(m->ctx, t, 0.0f));
    }
    return ASACL_OK;
}

/* ---- activations ------------------------------------------------------------ */

asacl_status arena_create(model *m, size_t B, size_t T, int adversarial, pass_arena *a)
{
    memset(a, 0, sizeof *a);
    const asacl_model_config *c = &m->cfg;
    size_t D = (size_t)c->hidden_size, F = (size_t)c->intermediate_size,
           H = (size_t)c->num_attention_heads, L = (size_t)c->num_hidden_layers,
           C = model_logit_cols(m), N = B * T;
    a->B = B;
    a->T = T;
    a->n_layers = L;
    a->layers = calloc(L, sizeof *a->layers);
    if (!a->layers) return rt_fail(ASACL_ERR_OUT_OF_MEMORY, "activation arena");
    carver top = {0};
    carve(&top, &a->emb_pre, N * D);
    carve(&top, &a->emb_mean, N);
    carve(&top, &a->emb_rstd, N);
    carve(&top, &a->emb_ln, N * D);
    carve(&top, &a->h0, N * D);
    if (m->layout.roberta || m->layout.task == ASACL_TASK_TOKEN) carve(&top, &a->head_in, N * D);
    if (m->layout.pooler) {
        carve(&top, &a->pooled, B * D);
        carve(&top, &a->pooled_drop, B * D);
    }
    size_t rows = model_head(m)->logit_rows(B, T);
    carve(&top, &a->logits, rows * C);
    carve(&top, &a->dlogits, rows * C);
    if (m->layout.task == ASACL_TASK_MLM) { /* rows = the most chosen positions */
        mlm_head_acts *h = &a->mlm;
        carve(&top, &h->g, rows * D);
        carve(&top, &h->pre, rows * D);
        carve(&top, &h->act, rows * D);
        carve(&top, &h->t, rows * D);
        carve(&top, &h->mean, rows);
        carve(&top, &h->rstd, rows);
    }
    asacl_status st = carve_alloc(&top, m->ctx, "the embedding and head activations", &a->buf);
    for (size_t l = 0; l < L && st == ASACL_OK; l++) {
        layer_acts *x = &a->layers[l];
        carver k = {0};
        carve(&k, &x->qkv, N * 3 * D);
        carve(&k, &x->ctx, N * D);
        carve(&k, &x->stats, 2 * B * H * T);
        carve(&k, &x->res1, N * D);
        carve(&k, &x->mean1, N);
        carve(&k, &x->rstd1, N);
        carve(&k, &x->a1, N * D);
        carve(&k, &x->f_pre, N * F);
        carve(&k, &x->f_act, N * F);
        carve(&k, &x->res2, N * D);
        carve(&k, &x->mean2, N);
        carve(&k, &x->rstd2, N);
        carve(&k, &x->out, N * D);
        if (m->plain_attention) {
            carve(&k, &x->probs, B * H * T * T);
            carve(&k, &x->pdrop, B * H * T * T);
        }
        if (adversarial) {
            carve(&k, &x->adv_qk, N * 2 * D);
            carve(&k, &x->adv_scores, B * T * T);
            carve(&k, &x->adv_mask, B * T * T);
            carve(&k, &x->adv_bias, B * T * T);
        }
        st = carve_alloc(&k, m->ctx, "a layer's activations", &x->buf);
    }
    if (st != ASACL_OK) arena_destroy(a);
    return st;
}

void arena_destroy(pass_arena *a)
{
    if (!a) return;
    rt_buffer_release(&a->buf);
    for (size_t l = 0; a->layers && l < a->n_layers; l++) rt_buffer_release(&a->layers[l].buf);
    free(a->layers);
    memset(a, 0, sizeof *a);
}

asacl_status grad_ws_create(model *m, size_t B, size_t T, int asa, grad_ws *g)
{
    memset(g, 0, sizeof *g);
    const asacl_model_config *c = &m->cfg;
    size_t D = (size_t)c->hidden_size, F = (size_t)c->intermediate_size,
           H = (size_t)c->num_attention_heads, N = B * T;
    carver k = {0};
    for (int i = 0; i < 3; i++) carve(&k, &g->g[i], N * D);
    carve(&k, &g->gf, N * F);
    carve(&k, &g->gqkv, N * 3 * D);
    carve(&k, &g->dsum, B * H * T);
    if (m->plain_attention) carve(&k, &g->ds, B * H * T * T);
    if (asa) {
        carve(&k, &g->dbias, B * T * T);
        carve(&k, &g->dadv, N * 2 * D);
        carve(&k, &g->demb, N * D);
    }
    if (m->layout.pooler) carve(&k, &g->dpooled, B * D);
    return carve_alloc(&k, m->ctx, "the gradient workspace", &g->buf);
}

void grad_ws_destroy(grad_ws *g)
{
    if (g) rt_buffer_release(&g->buf);
}

/* ---- batches ------------------------------------------------------------------ */

asacl_status batch_create(model *m, size_t B, size_t T, batch_dev *bt)
{
    memset(bt, 0, sizeof *bt);
    size_t N = B * T;
    /* ints: ids, segs, labels, order, starts, uniq (+ RoBERTa's position
     * ids and their groups) */
    size_t ni = N + N + N + N + (N + 1) + N, nf = B * T + B; /* labels: up to one per token */
    if (m->layout.roberta) ni += N + N + (N + 1) + N;
    if (m->layout.task == ASACL_TASK_MLM) ni += N; /* positions and labels: 2 per chosen token */
    size_t groups = (size_t)(m->cfg.vocab_size > m->cfg.max_position_embeddings
                                 ? m->cfg.vocab_size : m->cfg.max_position_embeddings);
    bt->host_i = malloc(ni * sizeof *bt->host_i);
    bt->host_f = malloc(nf * sizeof *bt->host_f);
    bt->group_scratch = malloc((groups + 1) * sizeof *bt->group_scratch);
    if (!bt->host_i || !bt->host_f || !bt->group_scratch) {
        batch_destroy(bt);
        return rt_fail(ASACL_ERR_OUT_OF_MEMORY, "batch staging");
    }
    asacl_status st = rt_buffer_create(m->ctx, ni * sizeof(int), "the batch", &bt->ibuf);
    if (st == ASACL_OK) st = rt_buffer_create(m->ctx, nf * sizeof(float), "the batch", &bt->fbuf);
    if (st != ASACL_OK) batch_destroy(bt);
    bt->cap_B = B;
    bt->cap_T = T;
    return st;
}

void batch_destroy(batch_dev *bt)
{
    if (!bt) return;
    rt_buffer_release(&bt->ibuf);
    rt_buffer_release(&bt->fbuf);
    free(bt->host_i);
    free(bt->host_f);
    free(bt->group_scratch);
    memset(bt, 0, sizeof *bt);
}

/* The labels of one batch, as the task kind has them (see batch_dev):
 * checked, then written to lab[0, n). */
static asacl_status upload_labels(const asacl_model_config *c, const asacl_batch *in, size_t nc,
                                  size_t T, int *lab, size_t *n)
{
    size_t B = in->B, Tin = in->T;
    if (c->task == ASACL_TASK_MLM) { /* positions b*T + t, then their labels */
        size_t M = 0;
        for (size_t b = 0; b < B && in->token_labels; b++)
            for (size_t t = 0; t < Tin; t++) {
                int y = in->token_labels[b * Tin + t];
                if (y == ASACL_TOKEN_IGNORE) continue;
                if (y < 0 || y >= c->vocab_size)
                    return rt_fail(ASACL_ERR_INVALID_ARG, "MLM label %d at (%zu, %zu) outside the "
                                   "vocabulary of %d and not ASACL_TOKEN_IGNORE", y, b, t,
                                   c->vocab_size);
                if ((int)t >= in->lengths[b])
                    return rt_fail(ASACL_ERR_INVALID_ARG, "MLM label %d at (%zu, %zu) on padding "
                                   "(length %d)", y, b, t, in->lengths[b]);
                lab[M++] = (int)(b * T + t);
            }
        for (size_t k = 0; k < M; k++) {
            size_t b = (size_t)lab[k] / T, t = (size_t)lab[k] % T;
            lab[M + k] = in->token_labels[b * Tin + t];
        }
        *n = 2 * M;
        return ASACL_OK;
    }
    if (c->task == ASACL_TASK_TOKEN) {
        *n = B * T;
        for (size_t b = 0; b < B; b++)
            for (size_t t = 0; t < T; t++) {
                /* Without labels (prediction) no token counts; beyond the input: padding. */
                int y = in->token_labels && t < Tin ? in->token_labels[b * Tin + t] : ASACL_TOKEN_IGNORE;
                if (y >= c->num_labels || (y < 0 && y != ASACL_TOKEN_IGNORE))
                    return rt_fail(ASACL_ERR_INVALID_ARG, "token label %d at (%zu, %zu) outside [0, %d) "
                                   "and not ASACL_TOKEN_IGNORE", y, b, t, c->num_labels);
                if (y >= 0 && (int)t >= in->lengths[b])
                    return rt_fail(ASACL_ERR_INVALID_ARG, "token label %d at (%zu, %zu) on padding "
                                   "(length %d)", y, b, t, in->lengths[b]);
                lab[b * T + t] = y;
            }
        return ASACL_OK;
    }
    *n = B;
    int classes = c->task == ASACL_TASK_CHOICE ? (int)nc : c->num_labels;
    for (size_t b = 0; b < B; b++) {
        /* Without labels (prediction) class 0 stands in; no loss is read. */
        if (classes > 1 && in->labels && (in->labels[b] < 0 || in->labels[b] >= classes))
            return rt_fail(ASACL_ERR_INVALID_ARG, "%s %d of batch example %zu outside [0, %d)",
                           c->task == ASACL_TASK_CHOICE ? "choice label" : "label", in->labels[b],
                           b, classes);
        lab[b] = classes > 1 && in->labels ? in->labels[b] : 0;
    }
    return ASACL_OK;
}

asacl_status batch_upload(model *m, batch_dev *bt, const asacl_batch *in, size_t T)
{
    const asacl_model_config *c = &m->cfg;
    size_t nc = in->n_choices > 1 ? in->n_choices : 1;
    size_t B = in->B * nc, Tin = in->T; /* sequences */
    const int *ids = in->ids, *segs = in->segments, *lengths = in->lengths;
    const float *targets = in->targets;
    if (T < Tin) T = Tin;
    if ((c->task == ASACL_TASK_CHOICE) != (nc > 1))
        return rt_fail(ASACL_ERR_INVALID_ARG, "a batch of %zu choice(s) per example for a %s model "
                       "(multiple choice takes 2 or more, the others 1)", nc,
                       asacl_task_kind_name(c->task));
    if (B > bt->cap_B || T > bt->cap_T)
        return rt_fail(ASACL_ERR_INVALID_ARG, "batch of %zu x %zu exceeds the %zu x %zu it was sized for",
                       B, T, bt->cap_B, bt->cap_T);
    if (T > (size_t)c->max_position_embeddings)
        return rt_fail(ASACL_ERR_INVALID_ARG, "sequence length %zu exceeds max_position_embeddings %d",
                       T, c->max_position_embeddings);
    int roberta = m->layout.roberta;
    /* RoBERTa's positions run from padding_idx + 1 to padding_idx + T. */
    if (roberta && T + (size_t)c->pad_token_id + 1 > (size_t)c->max_position_embeddings)
        return rt_fail(ASACL_ERR_INVALID_ARG, "sequence length %zu needs %zu RoBERTa positions "
                       "(pad_token_id + 1 + length), more than max_position_embeddings %d", T,
                       T + (size_t)c->pad_token_id + 1, c->max_position_embeddings);
    size_t N = B * T;
    int *hi = bt->host_i;
    float *hf = bt->host_f;
    size_t nl = 0;
    TRY(upload_labels(c, in, nc, T, hi + 2 * N, &nl));
    /* Layout of this batch (compact for its B, T and nl labels). */
    size_t o_ids = 0, o_segs = N, o_lab = 2 * N, o_order = 2 * N + nl, o_starts = 3 * N + nl,
           o_uniq = 4 * N + nl + 1;
    size_t o_pos = 5 * N + nl + 1, o_porder = 6 * N + nl + 1, o_pstarts = 7 * N + nl + 1,
           o_puniq = 8 * N + nl + 2, ni = roberta ? 9 * N + nl + 2 : 5 * N + nl + 1;
    bt->real_pairs = 0;
    for (size_t b = 0; b < B; b++) {
        if (lengths[b] < 1 || (size_t)lengths[b] > Tin)
            return rt_fail(ASACL_ERR_INVALID_ARG, "batch row %zu: length %d outside [1, %zu]", b,
                           lengths[b], Tin);
        bt->real_pairs += (size_t)lengths[b] * (size_t)lengths[b];
        for (size_t t = 0; t < T; t++) {
            size_t n = b * T + t, k = b * Tin + t;
            /* Positions past the input's length are padding: [PAD], segment 0. */
            int id = t < Tin ? ids[k] : c->pad_token_id, seg = t < Tin ? segs[k] : 0;
            if (id < 0 || id >= c->vocab_size)
                return rt_fail(ASACL_ERR_INVALID_ARG, "token id %d at (%zu, %zu) outside the "
                               "vocabulary of %d", id, b, t, c->vocab_size);
            if (seg < 0 || seg >= c->type_vocab_size)
                return rt_fail(ASACL_ERR_INVALID_ARG, "segment id %d at (%zu, %zu) outside [0, %d)",
                               seg, b, t, c->type_vocab_size);
            hi[o_ids + n] = id;
            hi[o_segs + n] = seg;
            hf[n] = (int)t < lengths[b] ? 0.0f : ASACL_MASKED;
        }
        /* RoBERTa (as create_position_ids_from_input_ids): padding_idx + 1 +
         * the running count of non-pad tokens; a pad token gets padding_idx. */
        for (size_t t = 0, count = 0; roberta && t < T; t++) {
            int id = hi[o_ids + b * T + t];
            count += id != c->pad_token_id;
            hi[o_pos + b * T + t] = id != c->pad_token_id ? c->pad_token_id + (int)count : c->pad_token_id;
        }
        if (c->num_labels == 1 && c->task == ASACL_TASK_SEQUENCE)
            hf[N + b] = targets ? targets[b] : 0.0f;
    }
    bt->n_uniq = embedding_group(hi + o_ids, N, c->pad_token_id, hi + o_order, hi + o_starts, hi + o_uniq,
                                 bt->group_scratch, (size_t)c->vocab_size);
    /* Position rows as word rows: padding_idx gets no gradient. */
    bt->n_pos_uniq = roberta ? embedding_group(hi + o_pos, N, c->pad_token_id, hi + o_porder,
                                               hi + o_pstarts, hi + o_puniq, bt->group_scratch,
                                               (size_t)c->max_position_embeddings)
                             : 0;
    bt->B = B;
    bt->T = T;
    bt->examples = in->B;
    bt->n_choices = nc;
    tensor ti = {bt->ibuf, 0, 0}, tf = {bt->fbuf, 0, 0};
    bt->ids = tensor_at(ti, o_ids, N);
    bt->segs = tensor_at(ti, o_segs, N);
    bt->labels = tensor_at(ti, o_lab, nl);
    bt->n_mlm = c->task == ASACL_TASK_MLM ? nl / 2 : 0;
    bt->mlm_pos = tensor_at(ti, o_lab, bt->n_mlm);
    bt->mlm_labels = tensor_at(ti, o_lab + bt->n_mlm, bt->n_mlm);
    bt->order = tensor_at(ti, o_order, N);
    bt->starts = tensor_at(ti, o_starts, N + 1);
    bt->uniq = tensor_at(ti, o_uniq, N);
    bt->padbias = tensor_at(tf, 0, N);
    bt->targets = tensor_at(tf, N, B);
    bt->posids = tensor_at(ti, o_pos, roberta ? N : 0);
    bt->pos_order = tensor_at(ti, o_porder, roberta ? N : 0);
    bt->pos_starts = tensor_at(ti, o_pstarts, roberta ? N + 1 : 0);
    bt->pos_uniq = tensor_at(ti, o_puniq, roberta ? N : 0);
    TRY(rt_upload_bytes(m->ctx, bt->ibuf, 0, ni * sizeof(int), hi));
    return rt_upload(m->ctx, bt->fbuf, 0, N + B, hf);
}
