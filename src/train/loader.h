/* loader.h -- the data loader's insides, for evaluation and checkpoints. */
#ifndef ASACL_TRAIN_LOADER_H
#define ASACL_TRAIN_LOADER_H

#include "asacl.h"

struct asacl_loader {
    asacl_loader_options o;
    size_t n;                      /* examples */
    int32_t *ids, *segs;           /* [n * max_seq_len], each row padded with [PAD] / 0 */
    int32_t *lens, *labels;        /* [n] */
    float *targets;                /* [n] */
    size_t *order;                 /* the order of epoch order_epoch */
    long order_epoch;
    long epoch, index;             /* the next batch starts at order[index] of epoch */
    int32_t *b_ids, *b_segs, *b_lens, *b_labels; /* the current batch */
    float *b_targets;
};

/* Fills l->order for epoch. */
void loader_order(asacl_loader *l, long epoch);
/* Examples idx[0, count) as one batch in l's batch buffers (count <=
 * batch_size), padded as asked; tokens (may be NULL) gets the real ones. */
void loader_gather(asacl_loader *l, const size_t *idx, size_t count, asacl_padding padding,
                   asacl_batch *out, size_t *tokens);

#endif
