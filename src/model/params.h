/* params.h -- where every parameter lives: one table of Hugging Face tensor
 * names, shapes and offsets shared by the parameter, gradient and AdamW m/v
 * buffers (all four have this one layout).
 *
 * The buffer holds every tensor that gets weight decay (weight matrices and
 * embeddings) first and every one that does not (biases, LayerNorm) after
 * decay_end, so AdamW is one launch. Within a layer the query, key and value
 * weights are adjacent, forming one [3D, D] matrix (one GEMM for Q, K, V),
 * and so are their biases ([3D]); likewise an adversary's query and key
 * ([2D, D] and [2D]). Each group starts on a 64-float boundary. */
#ifndef ASACL_MODEL_PARAMS_H
#define ASACL_MODEL_PARAMS_H

#include <stddef.h>

#include "asacl.h"

#define PARAM_NAME_MAX 96

typedef enum param_init { INIT_NORMAL, INIT_ZERO, INIT_ONE } param_init;

typedef struct param_entry {
    char name[PARAM_NAME_MAX]; /* Hugging Face name */
    size_t rows, cols;         /* [rows, cols]; cols = 1 for vectors */
    size_t off, n;             /* offset and count, in floats */
    int decay;                 /* AdamW weight decay applies */
    param_init init;
} param_entry;

typedef struct layer_params {
    size_t qkv_w, o_w, f1_w, f2_w;           /* [3D,D] [D,D] [F,D] [D,F] */
    size_t qkv_b, o_b, f1_b, f2_b;           /* [3D] [D] [F] [D] */
    size_t ln1_g, ln1_b, ln2_g, ln2_b;       /* [D] each */
    size_t adv_w, adv_b;                     /* [2D,D] [2D] (with adversaries) */
} layer_params;

typedef struct param_layout {
    param_entry *entries;
    size_t count;
    size_t total;      /* floats in each of the four buffers */
    size_t decay_end;  /* elements below get weight decay */
    int adversaries;   /* the ASA adversaries are part of the layout */
    int roberta;       /* RoBERTa names: roberta.*, the head classifier.dense/out_proj */
    int task;          /* asacl_task_kind: which head (params.c names each) */
    int pooler;        /* the head has pool_w/pool_b (not token classification) */
    size_t word, pos, type, emb_ln_g, emb_ln_b;
    size_t pool_w, pool_b, cls_w, cls_b; /* RoBERTa sequence head: classifier.dense and out_proj */
    /* masked LM (task ASACL_TASK_MLM): cls.predictions.transform.dense [D, D] and
     * [D], transform.LayerNorm [D] + [D] (adjacent), bias [V]; no cls_w/cls_b */
    size_t mlm_dense_w, mlm_dense_b, mlm_ln_w, mlm_ln_b, mlm_bias;
    layer_params *layers;
} param_layout;

/* Builds the layout for a (checked) config, with or without adversaries. */
asacl_status param_layout_build(const asacl_model_config *c, int adversaries, param_layout *out);
void param_layout_free(param_layout *l);
const param_entry *param_find(const param_layout *l, const char *name);
/* Host values for a fresh model: N(0, initializer_range) weights, zero
 * biases, unit LayerNorm scales, the padding row of the word embeddings
 * zero (as Hugging Face's BERT initialises), from `seed`. */
void param_init_host(const param_layout *l, const asacl_model_config *c, unsigned long long seed,
                     float *values);

#endif
