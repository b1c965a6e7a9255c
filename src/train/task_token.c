/* task_token.c -- token classification (task.h; asa-spec 10, the
 * reference's AsaBertForTokenClassification): CoNLL-style files (data/conll.c)
 * or the built-in NER toy; every word's label on its first sub-word token,
 * the rest TOKEN_IGNORE (data/token_labels.c); the token head
 * (model/head_token.c). Loss: cross-entropy averaged over the labelled
 * tokens of the whole step (a shard's mean weighted by its share of them);
 * vloss: the symmetric KL with the softmax over the C labels, summed over
 * every one of the B x T rows (padding and unlabelled tokens included) and
 * divided by B. Metrics: token micro-F1 over the labelled tokens (leaving
 * out "O", class 0, for NER; every class for POS) -- the reference's -- and
 * entity P/R/F1 over BIO spans (train/metrics_token.c). */
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "train/loader.h"
#include "train/metrics_token.h"
#include "train/task.h"

static size_t counted(const asacl_batch *b, int num_labels)
{
    size_t n = 0;
    for (size_t i = 0; b->token_labels && i < b->B * b->T; i++)
        n += b->token_labels[i] >= 0 && b->token_labels[i] < num_labels;
    return n;
}

static asacl_status losses(const task_loss_io *io)
{
    asacl_ctx *ctx = io->ctx;
    const batch_dev *bt = io->bt;
    size_t N = bt->B * bt->T, C = io->C;
    tensor loss = tensor_at(io->rows, 0, N), valid = tensor_at(io->rows2, 0, N);
    TRY(op_token_cross_entropy_forward(ctx, loss, valid, io->z, bt->labels, N, C));
    /* mean over this shard's labelled tokens, times its share of the step's */
    TRY(op_token_loss_mean(ctx, io->task, io->count, loss, valid, N, io->share, 0));
    TRY(op_token_cross_entropy_backward(ctx, io->dz, io->z, bt->labels, io->count, N, C, io->share, 0));
    TRY(op_token_accuracy_forward(ctx, loss, io->z, bt->labels, N, C));
    TRY(op_reduce_sum(ctx, io->correct, loss, 1.0f, 0));
    if (!io->asa) return ASACL_OK;
    TRY(op_symmetric_kl_forward(ctx, loss, io->z, io->zq, N, C));
    TRY(op_reduce_sum(ctx, io->vloss, loss, io->inv_b, 0));
    return op_symmetric_kl_backward(ctx, io->dz, io->dzq, io->z, io->zq, N, C, io->inv_b);
}

static int argmax(const float *z, size_t C)
{
    size_t best = 0;
    for (size_t c = 1; c < C; c++) best = z[c] > z[best] ? c : best;
    return (int)best;
}

/* Gold and predicted labels of every labelled token, sentence by sentence
 * (the positions the reference keeps: label != -100). */
static asacl_status evaluate(asacl_model *m, asacl_loader *l, asacl_metrics *out, float *logits_out)
{
    memset(out, 0, sizeof *out);
    out->task = ASACL_TASK_TOKEN;
    out->token_first_class = l->token_first_class;
    const asacl_model_config *cfg = asacl_model_get_config(m);
    size_t n = l->n, batch = l->o.batch_size, L = l->o.max_seq_len, C = (size_t)cfg->num_labels;
    out->n = n;
    if (l->task != ASACL_TASK_TOKEN)
        return rt_fail(ASACL_ERR_INVALID_ARG, "evaluating a token-classification model on a %s "
                       "data set", asacl_task_kind_name(l->task));
    size_t cap = 0;
    for (size_t i = 0; i < n * L; i++) cap += l->tok_labels[i] >= 0;
    size_t *idx = malloc(batch * sizeof *idx), *lens = malloc((n + 1) * sizeof *lens);
    float *z = malloc(batch * L * C * sizeof *z);
    int *gold = malloc((cap + 1) * sizeof *gold), *pred = malloc((cap + 1) * sizeof *pred);
    asacl_status st = ASACL_OK;
    if (!idx || !lens || !z || !gold || !pred)
        st = rt_fail(ASACL_ERR_OUT_OF_MEMORY, "evaluating %zu sentences", n);
    size_t k = 0, right = 0;
    for (size_t b0 = 0; st == ASACL_OK && b0 < n; b0 += batch) {
        size_t nb = n - b0 < batch ? n - b0 : batch;
        for (size_t j = 0; j < nb; j++) idx[j] = b0 + j;
        asacl_batch bt;
        loader_gather(l, idx, nb, ASACL_PADDING_LONGEST, &bt, NULL);
        st = asacl_model_predict(m, &bt, z);
        for (size_t j = 0; st == ASACL_OK && j < nb; j++) {
            size_t i = b0 + j, k0 = k;
            if (logits_out) {
                memset(logits_out + i * L * C, 0, L * C * sizeof *z);
                memcpy(logits_out + i * L * C, z + j * bt.T * C, bt.T * C * sizeof *z);
            }
            for (size_t t = 0; t < bt.T; t++) {
                int y = bt.token_labels[j * bt.T + t];
                if (y < 0) continue;
                gold[k] = y;
                pred[k] = argmax(z + (j * bt.T + t) * C, C);
                right += pred[k] == y;
                k++;
            }
            lens[i] = k - k0;
        }
    }
    if (st == ASACL_OK) {
        const char *names[ASACL_MAX_LABELS];
        for (size_t c = 0; c < C; c++) names[c] = cfg->id2label[c];
        metric_prf tf = metric_token_f1(gold, pred, k, l->token_first_class, (int)C);
        metric_prf ef = metric_entity_f1(gold, pred, lens, n, names, (int)C);
        out->tokens = k;
        out->accuracy = k ? (double)right / (double)k : 0.0;
        out->token_precision = tf.precision;
        out->token_recall = tf.recall;
        out->token_f1 = tf.f1;
        out->entity_precision = ef.precision;
        out->entity_recall = ef.recall;
        out->entity_f1 = ef.f1;
    }
    free(idx);
    free(lens);
    free(z);
    free(gold);
    free(pred);
    return st;
}

static const char *main_metric(const asacl_metrics *m, int num_labels, double *value)
{
    (void)num_labels;
    *value = m->token_f1;
    return "token_f1";
}

const task_ops task_token = {ASACL_TASK_TOKEN, "token_f1", counted, losses, evaluate, main_metric};
