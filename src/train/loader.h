/* loader.h -- the data loader's insides, for evaluation and checkpoints. */
#ifndef ASACL_TRAIN_LOADER_H
#define ASACL_TRAIN_LOADER_H

#include "asacl.h"

/* Rows: one encoded sequence per example, or n_choices per example for
 * multiple choice (row i * n_choices + k is choice k of example i). */
struct asacl_loader {
    asacl_loader_options o;
    size_t n;                      /* examples */
    int task;                      /* the data set's asacl_task_kind */
    size_t n_choices;              /* sequences per example: 1, or the choices */
    int token_first_class;         /* token F1's first counted class (see asacl_metrics) */
    int32_t *ids, *segs;           /* [rows * max_seq_len], each row padded with [PAD] / 0 */
    int32_t *lens;                 /* [rows] */
    int32_t *labels;               /* [n]: class, right choice, -1 (none, or token classification) */
    float *targets;                /* [n] */
    int32_t *tok_labels;           /* token classification: [n * max_seq_len] (else NULL) */
    int32_t *word_first;           /* token classification: each word's first piece (-1: none) */
    size_t *word_off;              /* ... sentence i's words at word_off[i] .. word_off[i + 1] */
    size_t *order;                 /* the order of epoch order_epoch */
    long order_epoch;
    long epoch, index;             /* the next batch starts at order[index] of epoch */
    int32_t *b_ids, *b_segs, *b_lens, *b_labels; /* the current batch */
    float *b_targets;
    int32_t *b_tok_labels;
};

/* Fills l->order for epoch. */
void loader_order(asacl_loader *l, long epoch);
/* Examples idx[0, count) as one batch in l's batch buffers (count <=
 * batch_size), padded as asked; tokens (may be NULL) gets the real ones. */
void loader_gather(asacl_loader *l, const size_t *idx, size_t count, asacl_padding padding,
                   asacl_batch *out, size_t *tokens);

#endif
