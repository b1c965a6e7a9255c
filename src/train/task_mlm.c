/* task_mlm.c -- masked-language-model pre-training (task.h; asa-spec 11):
 * batches of packed text whose token_labels are the MLM labels (the
 * trainer masks a batch without them: trainer.h), BertForMaskedLM's head
 * (model/head_mlm.c). Loss: cross-entropy averaged over the step's chosen
 * positions; vloss: the symmetric KL with the softmax over the vocabulary,
 * summed over the chosen positions and divided by B; `correct` counts the
 * chosen positions whose argmax is the original token. A step in shards
 * (micro-batches, ranks): the trainer masks the whole batch first, each
 * shard's loss is its mean weighted by its part of the step's positions. */
#include <math.h>

#include "base/base.h"
#include "model/mlm_head.h"
#include "train/task.h"

static size_t counted(const asacl_batch *b, int num_labels)
{
    (void)num_labels;
    size_t n = 0;
    for (size_t i = 0; b->token_labels && i < b->B * b->T; i++) n += b->token_labels[i] >= 0;
    return n;
}

static asacl_status losses(const task_loss_io *io)
{
    asacl_ctx *ctx = io->ctx;
    const batch_dev *bt = io->bt;
    size_t M = bt->n_mlm, V = io->C, B = (size_t)lround(1.0 / (double)io->inv_b);
    /* rows: the three results (mlm, vloss, accuracy), then 2M of scratch */
    tensor out = tensor_at(io->rows, 0, 3), scratch = tensor_at(io->rows, 64, 2 * M);
    tensor zq = io->asa ? io->zq : tensor_at(io->zq, 0, 0);
    TRY(mlm_head_loss_forward(ctx, out, scratch, io->z, zq, bt->mlm_labels, M, V, B));
    /* the shard's mean times its part of the step's positions: the shards
     * add up to the mean over the step's (vloss is over the step's B already) */
    TRY(op_reduce_sum(ctx, io->task, tensor_at(out, 0, 1), io->share, 0));
    TRY(op_reduce_sum(ctx, io->vloss, tensor_at(out, 1, 1), 1.0f, 0));
    TRY(op_reduce_sum(ctx, io->correct, tensor_at(out, 2, 1), (float)M, 0)); /* share -> count */
    return mlm_head_loss_backward(ctx, io->dz, io->asa ? io->dzq : zq, io->z, zq, bt->mlm_labels,
                                  M, V, B, io->share);
}

static asacl_status evaluate(asacl_model *m, asacl_loader *l, asacl_metrics *out, float *logits)
{
    (void)m, (void)l, (void)out, (void)logits;
    return rt_fail(ASACL_ERR_UNSUPPORTED, "evaluating a masked-LM model on a labelled data set: "
                   "fine-tune it as a classifier first");
}

static const char *main_metric(const asacl_metrics *m, int num_labels, double *value)
{
    (void)num_labels;
    *value = m->accuracy;
    return "mlm_accuracy";
}

const task_ops task_mlm = {ASACL_TASK_MLM, "mlm_accuracy", counted, losses, evaluate, main_metric};
