/* head.h -- the heads on top of the encoder, one file each (asa-spec 1 and
 * 10), chosen by the model's task kind (asacl_model_config.task):
 *   head_pooled.c  sequence classification/regression and multiple choice:
 *                  the first token of each sequence -> pooler (BERT; RoBERTa's
 *                  sequence head: dropout -> dense) -> tanh -> dropout ->
 *                  classifier, logits [B, C] (choice: C = 1, one score per
 *                  (example, choice) sequence)
 *   head_token.c   token classification: dropout -> classifier on every
 *                  token, logits [B*T, C], no pooler
 *   head_mlm.c     masked LM: BertForMaskedLM's cls.predictions at the
 *                  batch's chosen positions only (model/mlm_head.h), logits
 *                  [M, V], M <= mlm_mask_max(0.15, B, T) = logit_rows
 * Its parameters are named in params.c. Adding a head is a file here, a
 * case in params.c and one in model_head(); the trainer does not change. */
#ifndef ASACL_MODEL_HEAD_H
#define ASACL_MODEL_HEAD_H

#include "model/model.h"

typedef struct head_ops {
    int task;                          /* asacl_task_kind */
    /* rows of the logits of a pass over B sequences of T tokens */
    size_t (*logit_rows)(size_t B, size_t T);
    /* x [B*T, D]: the last layer's output -> a->logits */
    asacl_status (*forward)(model *m, pass_arena *a, const batch_dev *bt, const pass_opts *o,
                            tensor x);
    /* a->dlogits -> the head's parameter gradients (accumulated) and dh
     * [B*T, D], the gradient of the last layer's output (overwritten) */
    asacl_status (*backward)(model *m, pass_arena *a, grad_ws *g, const batch_dev *bt,
                             const pass_opts *o, tensor dh);
} head_ops;

extern const head_ops head_pooled;
extern const head_ops head_token;
extern const head_ops head_mlm;

#endif
