/* model.h -- BERT or RoBERTa encoder + classifier head + per-layer ASA
 * adversaries on one device: parameters, activations, forward and backward,
 * op by op.
 *
 * Buffers: the parameters, their gradients and AdamW's m and v are four
 * device buffers of one layout (params.h). Each pass (clean, adversarial)
 * has its own activation arena, sized up front for (B, T) -- a batch may
 * use a smaller T -- and the backward passes share one gradient workspace.
 * Nothing is allocated per step. */
#ifndef ASACL_MODEL_H
#define ASACL_MODEL_H

#include <stdint.h>

#include "model/mlm_head.h"
#include "model/params.h"
#include "ops/ops.h"

typedef struct model {
    asacl_ctx *ctx;
    asacl_model_config cfg;
    param_layout layout;
    cl_mem params;
    cl_mem grads, adam_m, adam_v; /* NULL until model_enable_training */
    int plain_attention;          /* use the plain attention path (tests) */
    int additive_masks;           /* asa-spec 7: S' = S + G, no attention dropout */
} model;

/* Activations of one layer in one pass, in the layer's own buffer. */
typedef struct layer_acts {
    cl_mem buf;
    tensor qkv, ctx, stats;             /* [N,3D] [N,D] [2*B*H*T] */
    tensor res1, mean1, rstd1, a1;      /* attention residual, its LN stats, LN out */
    tensor f_pre, f_act;                /* [N,F] FFN pre-activation (+bias), GELU */
    tensor res2, mean2, rstd2, out;     /* FFN residual, LN stats, the layer output */
    tensor probs, pdrop;                /* [B*H*T*T], plain attention path only */
    tensor adv_qk, adv_scores, adv_mask, adv_bias; /* ASA: [N,2D] [B,T,T] x3 */
} layer_acts;

typedef struct pass_arena {
    size_t B, T;                 /* capacity */
    size_t n_layers;
    cl_mem buf;                  /* embeddings and head */
    tensor emb_pre, emb_mean, emb_rstd;  /* embedding sum and its LayerNorm statistics */
    tensor emb_ln, h0;                   /* LayerNorm output; after dropout (layer 0's input) */
    layer_acts *layers;
    tensor head_in;              /* RoBERTa's sequence head, token head: [N,D] dropout of the
                                    last layer's output */
    tensor pooled, pooled_drop;  /* [B,D] tanh output, after dropout (heads with a pooler) */
    tensor logits, dlogits;      /* [rows,C]: rows = B, or B*T for the token head (head.h);
                                    the MLM head: [M_max, V] at the chosen positions */
    mlm_head_acts mlm;           /* the MLM head's activations at M_max rows (logits: above) */
} pass_arena;

/* Gradient workspace of the backward passes. */
typedef struct grad_ws {
    cl_mem buf;
    tensor g[3];          /* [N,D] rotating hidden-state gradients */
    tensor gf, gqkv;      /* [N,F] [N,3D] */
    tensor dsum;          /* [B*H*T] */
    tensor ds;            /* [B*H*T*T], plain attention path only */
    tensor dbias, dadv;   /* ASA: [B,T,T] [N,2D] */
    tensor demb;          /* ASA: the adversarial pass's gradient of the shared emb_ln */
    tensor dpooled;       /* [B,D] */
} grad_ws;

/* A batch on the device. B counts sequences: for multiple choice B =
 * examples x n_choices. labels: one per example (sequence classification:
 * the class; multiple choice: the right choice, `examples` of them) or, for
 * token classification, one per token (B*T, -100 for none).
 * ints: ids, segs, labels, order, starts, uniq
 * (and for RoBERTa posids with their groups pos_order, pos_starts,
 * pos_uniq); floats: padbias (P[b,j] = 0 real, -10000 padding), targets. */
typedef struct batch_dev {
    size_t B, T;          /* this batch's sequences and length (T <= the arenas' T) */
    size_t examples;      /* B, or B / n_choices for multiple choice */
    size_t n_choices;     /* multiple choice: choices per example; else 1 */
    size_t cap_B, cap_T;  /* what the buffers were sized for */
    cl_mem ibuf, fbuf;
    tensor ids, segs, labels, order, starts, uniq;
    tensor padbias, targets;
    size_t n_uniq;        /* distinct non-padding ids (embedding backward) */
    tensor posids, pos_order, pos_starts, pos_uniq; /* RoBERTa only (n 0 for BERT) */
    size_t n_pos_uniq;    /* distinct non-padding position ids (RoBERTa) */
    size_t real_pairs;    /* sum over b of len_b^2 (masked-fraction statistics) */
    tensor mlm_pos, mlm_labels; /* MLM: the chosen flat positions b*T + t (increasing) and
                                   their labels, n_mlm each (from asacl_batch.token_labels) */
    size_t n_mlm;
    int *host_i;          /* staging for uploads */
    float *host_f;
    int *group_scratch;   /* max(vocab, positions) + 1 ints for embedding_group */
} batch_dev;

/* What a pass does. The two passes of an ASA step see the same batch, so
 * the embedding lookup and its LayerNorm (before dropout) are computed once:
 * the adversarial pass reads them from the clean pass (embeddings_from), its
 * backward leaves the gradient of that shared output in g->demb, and the
 * clean pass's backward (embeddings_shared) adds it before the one
 * LayerNorm and embedding backward -- the same sums, half the work. */
typedef struct pass_opts {
    int train;            /* dropout on */
    int pass;             /* 0 clean, 1 adversarial: part of the dropout stream */
    int asa;              /* use the adversaries' masks (adversarial pass) */
    uint64_t seed;
    uint32_t step;
    size_t example0;      /* the micro-batch's first sequence in the step's batch (0: the
                             whole batch): its dropout masks are those of the whole batch */
    const pass_arena *embeddings_from; /* reuse this arena's emb_ln (NULL: compute) */
    int embeddings_shared;             /* another pass reused ours: add g->demb */
    /* Backward: called once this pass has queued all it adds to layer l's
     * gradients, for l = L-1 down to 0 (the head's come before, the
     * embeddings' after); NULL: not called. An error stops the backward. */
    asacl_status (*layer_done)(void *user, size_t l);
    void *layer_done_user;
} pass_opts;

/* Creates the model on ctx with parameters from `init` ([layout.total]
 * host floats) or, when NULL, freshly initialised from seed. */
asacl_status model_create(asacl_ctx *ctx, const asacl_model_config *cfg, int adversaries,
                          const float *init, unsigned long long seed, model *m);
void model_destroy(model *m);
/* Allocates gradients and AdamW state (zeroed). */
asacl_status model_enable_training(model *m);
/* n floats at offset off of the parameters / of the gradients. */
static inline tensor model_p(const model *m, size_t off, size_t n)
{
    tensor t = {m->params, off, n};
    return t;
}
static inline tensor model_g(const model *m, size_t off, size_t n)
{
    tensor t = {m->grads, off, n};
    return t;
}

asacl_status arena_create(model *m, size_t B, size_t T, int adversarial, pass_arena *a);
void arena_destroy(pass_arena *a);
asacl_status grad_ws_create(model *m, size_t B, size_t T, int asa, grad_ws *g);
void grad_ws_destroy(grad_ws *g);
asacl_status batch_create(model *m, size_t B, size_t T, batch_dev *bt);
void batch_destroy(batch_dev *bt);
/* Uploads a batch (tokens at positions >= lengths[b] are padding; labels
 * for classification and multiple choice, token_labels for token
 * classification, targets for regression, any may be NULL when not
 * needed; see asacl_batch), padded to T columns (T <= in->T: the batch's own length) with
 * [PAD] tokens, segment 0 and the padding bias (asa-spec 2). */
asacl_status batch_upload(model *m, batch_dev *bt, const asacl_batch *in, size_t T);

/* The model's head (model/head.h), by its task kind. */
const struct head_ops *model_head(const model *m);
/* Columns of a logit row: num_labels, or the vocabulary for the MLM head. */
size_t model_logit_cols(const model *m);
/* Logit rows a pass over this batch writes: the head's logit_rows, or the
 * batch's chosen positions for the MLM head. */
size_t model_logit_rows_of(const model *m, const batch_dev *bt);

/* Forward: logits into a->logits. */
asacl_status model_forward(model *m, pass_arena *a, const batch_dev *bt, const pass_opts *o);
/* Backward from a->dlogits; parameter gradients accumulate into m->grads.
 * tau2_over_b: the kept-unit penalty's gradient tau^2 / B (adversarial pass). */
asacl_status model_backward(model *m, pass_arena *a, grad_ws *g, const batch_dev *bt,
                            const pass_opts *o, float tau2_over_b);

/* The attention of layer l in this pass: bias (padding, or the adversary's
 * mask), semantics, dropout. */
attn_desc model_attn_desc(const model *m, const pass_arena *a, const batch_dev *bt,
                          const pass_opts *o, size_t l);

/* Dropout sites: one stream per (pass, layer, kind), its elements indexed
 * from the step's whole batch (model_rng). */
enum { SITE_EMBEDDING = 0, SITE_ATTENTION = 1, SITE_ATTN_OUT = 2, SITE_FFN_OUT = 3, SITE_POOLER = 4,
       SITE_HEAD_IN = 5 };
op_rng model_rng(const model *m, const batch_dev *bt, const pass_opts *o, size_t layer, int kind);

#endif
