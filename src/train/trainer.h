/* trainer.h -- one training step (asa-spec section 5) and evaluation:
 *   clean pass -> [adversarial pass] -> losses (task, symmetric KL, kept
 *   units) -> [adversarial backward] -> clean backward -> [clipping] -> AdamW
 * The device keeps everything; the host passes the learning rate of the
 * step and reads back a handful of scalars. */
#ifndef ASACL_TRAIN_TRAINER_H
#define ASACL_TRAIN_TRAINER_H

#include "data/mlm_mask.h"
#include "model/model.h"
#include "train/grad_sync.h"

/* The public options (include/asacl.h) plus what the API does not set. */
typedef struct train_opts {
    asacl_train_options pub; /* asa, tau, lr, ..., max_batch (B), max_seq_len (T), padding */
    float beta1, beta2, eps; /* AdamW: 0.9, 0.999, 1e-8 */
    /* Masked LM: how a batch without token_labels is masked, from (seed, step,
     * sequence); vocab_size 0: such batches are an error (the caller masks) */
    mlm_mask_opts mlm;
} train_opts;

void train_opts_default(train_opts *o);

typedef struct trainer {
    model *m;
    train_opts o;
    pass_arena clean, adv;
    grad_ws g;
    batch_dev batch;
    cl_mem sbuf;          /* scalars and loss scratch */
    tensor scalars, rows, kl_rows, stat_rows, partial;
    long step;            /* updates done */
    int timing;           /* wait for the device after each phase and time it */
    double phase_s[6];    /* PHASE_* seconds summed over timed steps */
    size_t accum, shards; /* micro-batches per step here; shards of a step in all
                             (world * accum); the arenas hold ceil(max_batch / shards) */
    float *host_g;        /* the gradient on the host for the all-reduce (world > 1) */
    grad_sync sync;       /* ... overlapped with the backward (allreduce_overlap) */
    int overlap;          /* sync is in use */
    double comm_s;        /* seconds in the all-reduce, over comm_steps steps (overlapped:
                             the part after the device finished the backward) */
    double wait_s;        /* ... and before it, waiting for the slowest rank (timing on) */
    long comm_steps;
    long timed_steps;
    const struct task_ops *task; /* train/task.h, by the model's task kind */
    size_t nc;                   /* sequences per example: max_choices for multiple choice, else 1 */
    /* Masked LM: the step's masked ids and labels (max_batch x max_seq_len), and
     * mlm_mask_batch's positions and targets */
    int32_t *mlm_ids, *mlm_labels, *mlm_pos, *mlm_tgt;
} trainer;

enum { PHASE_CLEAN_FORWARD, PHASE_ADV_FORWARD, PHASE_LOSSES, PHASE_BACKWARD, PHASE_OPTIMIZER,
       PHASE_ALLREDUCE };

/* Scalars on the device, by index. */
enum { S_TASK = 0, S_VLOSS, S_RLOSS, S_GNORM, S_CLIP, S_CORRECT, S_MASKED0 /* one per layer */,
       S_COUNT = S_MASKED0 + ASACL_MAX_LAYERS /* the losses' scratch, after the step's sums */ };

/* The learning rate of update s (asa-spec 5.5): linear warm-up over the
 * first warmup_ratio * total steps (a real number), then linear decay to 0. */
double train_lr(const train_opts *o, long s);

asacl_status trainer_create(model *m, const train_opts *o, trainer *t);
void trainer_destroy(trainer *t);
/* Uploads the batch, runs the step (forward(s), backward(s), AdamW with the
 * scheduled learning rate) and fills r (may be NULL). A masked-LM batch
 * without token_labels is masked here first (o.mlm, the step's index and
 * the sequence's row: mlm_mask_batch); both passes see the same input. */
asacl_status trainer_step(trainer *t, const asacl_batch *b, asacl_step_stats *r);
/* Forward of one step without updating: the losses as trainer_step would
 * report them, with gradients left in m->grads (for tests). A batch of B
 * examples is cut into `shards` contiguous shards, shard k holding examples
 * [k B / K, (k + 1) B / K) (K = shards); this process runs shards
 * rank * accum .. + accum - 1 one after another, each scaled by the whole
 * batch's 1/B, accumulating the gradient; the ranks then sum it. */
asacl_status trainer_loss_and_grad(trainer *t, const asacl_batch *b, asacl_step_stats *r);
/* Bytes one step all-reduces (0 for a process alone). */
size_t trainer_allreduce_bytes(const trainer *t);
/* Clean pass with dropout off; the logits (asacl_model_predict's shape) to the host. */
asacl_status trainer_eval(trainer *t, const asacl_batch *b, float *logits);

/* Masked LM: the clean pass with dropout off over a labelled batch; adds
 * the cross-entropy summed over its chosen positions to *ce_sum, the right
 * argmaxes to *right and the positions to *positions. */
asacl_status trainer_mlm_eval(trainer *t, const asacl_batch *b, double *ce_sum, size_t *right,
                              size_t *positions);

#endif
