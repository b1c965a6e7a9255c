/* task.h -- what a task family is to the trainer, one implementation per
 * file (asa-spec 5 and 10):
 *   task_sequence.c  sequence classification / regression (GLUE)
 *   task_token.c     token classification (NER, POS)
 *   task_choice.c    multiple choice (SWAG, DREAM, HellaSwag, JSONL)
 *   task_mlm.c       masked-LM pre-training (asa-spec 11)
 * Each says what it reads (data/ readers behind asacl_dataset_read), how its
 * examples become sequences and labels (loader.c, by the batch's shape:
 * asacl_batch.token_labels, n_choices), which head the model carries
 * (model/head.h, by asacl_model_config.task), its loss and how vloss
 * reduces (losses below), and its metrics. The trainer calls these and
 * nothing task-specific: rloss is always the kept units over the step's
 * sequences (B, or B*n for multiple choice) and the adversary's penalty
 * gradient tau^2 over the same. A new family (masked-LM pre-training) is a
 * new file, a head, and an entry in task_for(). */
#ifndef ASACL_TRAIN_TASK_H
#define ASACL_TRAIN_TASK_H

#include "model/model.h"

/* What the loss of one shard works on. */
typedef struct task_loss_io {
    asacl_ctx *ctx;
    const batch_dev *bt;   /* labels on the device (batch_dev) */
    size_t C;              /* the head's outputs per row (num_labels) */
    float inv_b;           /* 1 / the step's examples, over all shards */
    float share;           /* this shard's part of what the loss averages over
                              (counted(shard) / counted(step); 1 for a whole batch) */
    int asa;               /* with the adversarial pass: vloss */
    tensor z, dz;          /* the clean pass's logits and their gradient (written) */
    tensor zq, dzq;        /* the adversarial pass's (ASA only) */
    tensor task, vloss, correct; /* scalars written: task loss, vloss, right answers */
    tensor rows, rows2;    /* scratch of at least (sequences x T) floats each */
    tensor count;          /* one float of scratch */
} task_loss_io;

typedef struct task_ops {
    int kind;              /* asacl_task_kind */
    const char *metric;    /* the main metric's name (sequence: "accuracy" or "pearson") */
    /* What the task loss averages over and `correct` counts: examples, or
     * labelled tokens. */
    size_t (*counted)(const asacl_batch *b, int num_labels);
    /* task loss and its gradient into dz; with asa, vloss and its gradients
     * into dz and dzq (both passes) */
    asacl_status (*losses)(const task_loss_io *io);
    /* the clean pass over a loader's examples in order, and the metrics */
    asacl_status (*evaluate)(asacl_model *model, asacl_loader *loader, asacl_metrics *out,
                             float *logits);
    /* the main metric of out */
    const char *(*main_metric)(const asacl_metrics *m, int num_labels, double *value);
} task_ops;

extern const task_ops task_sequence, task_token, task_choice, task_mlm;

/* The implementation of a task kind (asacl_task_kind); NULL if unknown. */
const task_ops *task_for(int kind);

#endif
