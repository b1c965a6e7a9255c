/* task_sequence.c -- sequence classification and regression (task.h):
 * GLUE-format TSV data, one sequence (or pair) per example, the pooled head
 * (model/head_pooled.c); cross-entropy (MSE for one output) averaged over
 * the examples, vloss the symmetric KL per example over the C labels (with
 * one label, as the reference, over the batch of B scalars: asa-spec 5.3);
 * metrics accuracy, F1 and Matthews correlation of class 1 (two labels),
 * Pearson and Spearman correlation and MSE for one-output regression. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "train/loader.h"
#include "train/task.h"

static double pearson(const double *x, const double *y, size_t n)
{
    double mx = 0, my = 0, sxy = 0, sxx = 0, syy = 0;
    for (size_t i = 0; i < n; i++) {
        mx += x[i] / (double)n;
        my += y[i] / (double)n;
    }
    for (size_t i = 0; i < n; i++) {
        sxy += (x[i] - mx) * (y[i] - my);
        sxx += (x[i] - mx) * (x[i] - mx);
        syy += (y[i] - my) * (y[i] - my);
    }
    return sxx > 0 && syy > 0 ? sxy / sqrt(sxx * syy) : 0.0;
}

static const double *sort_key;
static int by_key(const void *a, const void *b)
{
    double x = sort_key[*(const size_t *)a], y = sort_key[*(const size_t *)b];
    return (x > y) - (x < y);
}

/* Ranks with ties averaged. */
static void ranks(const double *x, size_t n, double *r, size_t *idx)
{
    for (size_t i = 0; i < n; i++) idx[i] = i;
    sort_key = x;
    qsort(idx, n, sizeof *idx, by_key);
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j + 1 < n && x[idx[j + 1]] == x[idx[i]]) j++;
        for (size_t k = i; k <= j; k++) r[idx[k]] = 0.5 * (double)(i + j) + 1;
        i = j + 1;
    }
}

static asacl_status evaluate(asacl_model *m, asacl_loader *l, asacl_metrics *out,
                             float *logits_out)
{
    memset(out, 0, sizeof *out);
    out->task = ASACL_TASK_SEQUENCE;
    size_t n = l->n, batch = l->o.batch_size;
    size_t C = (size_t)asacl_model_get_config(m)->num_labels;
    out->n = n;
    size_t *idx = malloc(batch * sizeof *idx);
    float *z = malloc(batch * C * sizeof *z);
    double *pred = malloc((n + 1) * sizeof *pred), *gold = malloc((n + 1) * sizeof *gold);
    asacl_status st = ASACL_OK;
    if (!idx || !z || !pred || !gold) st = rt_fail(ASACL_ERR_OUT_OF_MEMORY, "evaluating %zu examples", n);
    size_t tp = 0, fp = 0, fn = 0, tn = 0, right = 0;
    for (size_t b0 = 0; st == ASACL_OK && b0 < n; b0 += batch) {
        size_t nb = n - b0 < batch ? n - b0 : batch;
        for (size_t k = 0; k < nb; k++) idx[k] = b0 + k;
        asacl_batch bt;
        loader_gather(l, idx, nb, ASACL_PADDING_LONGEST, &bt, NULL);
        st = asacl_model_predict(m, &bt, z);
        for (size_t k = 0; st == ASACL_OK && k < nb; k++) {
            size_t i = b0 + k;
            if (logits_out) memcpy(logits_out + i * C, z + k * C, C * sizeof *z);
            if (C == 1) {
                pred[i] = z[k];
                gold[i] = l->targets[i];
                continue;
            }
            int best = 0;
            for (size_t c = 1; c < C; c++) best = z[k * C + c] > z[k * C + (size_t)best] ? (int)c : best;
            int y = l->labels[i];
            right += best == y;
            tp += best == 1 && y == 1;
            fp += best == 1 && y != 1;
            fn += best != 1 && y == 1;
            tn += best != 1 && y != 1;
        }
    }
    if (st == ASACL_OK && n > 0) {
        if (C == 1) {
            double *rp = malloc(n * sizeof *rp), *rg = malloc(n * sizeof *rg);
            size_t *ix = malloc(n * sizeof *ix);
            out->pearson = pearson(pred, gold, n);
            for (size_t i = 0; i < n; i++) out->mse += (pred[i] - gold[i]) * (pred[i] - gold[i]) / (double)n;
            if (rp && rg && ix) {
                ranks(pred, n, rp, ix);
                ranks(gold, n, rg, ix);
                out->spearman = pearson(rp, rg, n);
            }
            free(rp);
            free(rg);
            free(ix);
        } else {
            out->accuracy = (double)right / (double)n;
            out->f1 = tp ? 2.0 * (double)tp / (double)(2 * tp + fp + fn) : 0.0;
            double den = sqrt((double)(tp + fp) * (double)(tp + fn) * (double)(tn + fp) * (double)(tn + fn));
            out->mcc = den > 0 ? ((double)tp * (double)tn - (double)fp * (double)fn) / den : 0.0;
        }
    }
    free(idx);
    free(z);
    free(pred);
    free(gold);
    return st;
}

static const char *main_metric(const asacl_metrics *m, int num_labels, double *value)
{
    if (num_labels == 1) {
        *value = m->pearson;
        return "pearson";
    }
    *value = m->accuracy;
    return "accuracy";
}

static size_t counted(const asacl_batch *b, int num_labels)
{
    (void)num_labels;
    return b->B;
}

static asacl_status losses(const task_loss_io *io)
{
    asacl_ctx *ctx = io->ctx;
    const batch_dev *bt = io->bt;
    size_t B = bt->B, C = io->C;
    tensor rows = tensor_at(io->rows, 0, B);
    if (C > 1) {
        TRY(op_cross_entropy_forward(ctx, rows, io->z, bt->labels, B, C));
        TRY(op_cross_entropy_backward(ctx, io->dz, io->z, bt->labels, B, C, io->inv_b, 0));
    } else {
        TRY(op_mse_forward(ctx, rows, io->z, bt->targets, B));
        TRY(op_mse_backward(ctx, io->dz, io->z, bt->targets, B, io->inv_b, 0));
    }
    TRY(op_reduce_sum(ctx, io->task, rows, io->inv_b, 0));
    if (C > 1) { /* the clean pass's right answers, for the progress line */
        TRY(op_accuracy_forward(ctx, rows, io->z, bt->labels, B, C));
        TRY(op_reduce_sum(ctx, io->correct, rows, 1.0f, 0));
    }
    if (!io->asa) return ASACL_OK;
    /* asa-spec 5.3: with one label the softmax runs over the batch. */
    size_t R = C > 1 ? B : 1, W = C > 1 ? C : B;
    tensor kl = tensor_at(io->rows2, 0, R);
    TRY(op_symmetric_kl_forward(ctx, kl, io->z, io->zq, R, W));
    TRY(op_reduce_sum(ctx, io->vloss, kl, io->inv_b, 0));
    return op_symmetric_kl_backward(ctx, io->dz, io->dzq, io->z, io->zq, R, W, io->inv_b);
}

const task_ops task_sequence = {ASACL_TASK_SEQUENCE, "accuracy", counted, losses, evaluate,
                                main_metric};
