/* task_choice.c -- multiple choice (task.h; asa-spec 10, the reference's
 * AsaBertForMultipleChoice): SWAG, DREAM, HellaSwag or asacl's JSONL
 * (data/choice.c), or the built-in toy; each (context, choice) pair one
 * sequence "[CLS] context [SEP] second [SEP]", so B examples run as B*n
 * sequences; the pooled head with one output (model/head_pooled.c) scores
 * each, and the scores, as they lie, are the logits [B, n]. Loss:
 * cross-entropy over the n choices averaged over the B examples; vloss: the
 * symmetric KL over each example's n scores, divided by B (rloss, in the
 * trainer, divides by the B*n sequences). Metric: accuracy. */
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "train/loader.h"
#include "train/task.h"

static size_t counted(const asacl_batch *b, int num_labels)
{
    (void)num_labels;
    return b->B;
}

static asacl_status losses(const task_loss_io *io)
{
    asacl_ctx *ctx = io->ctx;
    const batch_dev *bt = io->bt;
    size_t E = bt->examples, n = bt->n_choices;
    tensor rows = tensor_at(io->rows, 0, E);
    TRY(op_cross_entropy_forward(ctx, rows, io->z, bt->labels, E, n));
    TRY(op_cross_entropy_backward(ctx, io->dz, io->z, bt->labels, E, n, io->inv_b, 0));
    TRY(op_reduce_sum(ctx, io->task, rows, io->inv_b, 0));
    TRY(op_accuracy_forward(ctx, rows, io->z, bt->labels, E, n));
    TRY(op_reduce_sum(ctx, io->correct, rows, 1.0f, 0));
    if (!io->asa) return ASACL_OK;
    tensor kl = tensor_at(io->rows2, 0, E);
    TRY(op_symmetric_kl_forward(ctx, kl, io->z, io->zq, E, n));
    TRY(op_reduce_sum(ctx, io->vloss, kl, io->inv_b, 0));
    return op_symmetric_kl_backward(ctx, io->dz, io->dzq, io->z, io->zq, E, n, io->inv_b);
}

static asacl_status evaluate(asacl_model *m, asacl_loader *l, asacl_metrics *out, float *logits_out)
{
    memset(out, 0, sizeof *out);
    out->task = ASACL_TASK_CHOICE;
    size_t n = l->n, batch = l->o.batch_size, nc = l->n_choices;
    out->n = n;
    if (l->task != ASACL_TASK_CHOICE)
        return rt_fail(ASACL_ERR_INVALID_ARG, "evaluating a multiple-choice model on a %s data set",
                       asacl_task_kind_name(l->task));
    size_t *idx = malloc(batch * sizeof *idx);
    float *z = malloc(batch * nc * sizeof *z);
    asacl_status st = ASACL_OK;
    if (!idx || !z) st = rt_fail(ASACL_ERR_OUT_OF_MEMORY, "evaluating %zu examples", n);
    size_t right = 0;
    for (size_t b0 = 0; st == ASACL_OK && b0 < n; b0 += batch) {
        size_t nb = n - b0 < batch ? n - b0 : batch;
        for (size_t j = 0; j < nb; j++) idx[j] = b0 + j;
        asacl_batch bt;
        loader_gather(l, idx, nb, ASACL_PADDING_LONGEST, &bt, NULL);
        st = asacl_model_predict(m, &bt, z);
        for (size_t j = 0; st == ASACL_OK && j < nb; j++) {
            size_t i = b0 + j, best = 0;
            if (logits_out) memcpy(logits_out + i * nc, z + j * nc, nc * sizeof *z);
            for (size_t c = 1; c < nc; c++) best = z[j * nc + c] > z[j * nc + best] ? c : best;
            right += (int)best == l->labels[i];
        }
    }
    if (st == ASACL_OK && n) out->accuracy = (double)right / (double)n;
    free(idx);
    free(z);
    return st;
}

static const char *main_metric(const asacl_metrics *m, int num_labels, double *value)
{
    (void)num_labels;
    *value = m->accuracy;
    return "accuracy";
}

const task_ops task_choice = {ASACL_TASK_CHOICE, "accuracy", counted, losses, evaluate, main_metric};
