/* loader.c -- the data loader (include/asacl.h): a dataset tokenised once
 * into fixed-width rows, a seeded permutation per epoch, batches padded to
 * max_seq_len or to their longest sequence, and the position a checkpoint
 * resumes from. Every task kind (train/task.h) goes through it: a sequence
 * (or pair) per example, a sentence of words with their labels on first
 * sub-words (token classification), or n (context, choice) sequences per
 * example (multiple choice). */
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "data/dataset.h"
#include "data/token_labels.h"
#include "train/loader.h"

const char *asacl_padding_name(asacl_padding p)
{
    return p == ASACL_PADDING_LONGEST ? "longest" : "max_length";
}

asacl_status asacl_padding_parse(const char *name, asacl_padding *p)
{
    if (name && !strcmp(name, "max_length")) *p = ASACL_PADDING_MAX_LENGTH;
    else if (name && !strcmp(name, "longest")) *p = ASACL_PADDING_LONGEST;
    else
        return rt_fail(ASACL_ERR_INVALID_ARG, "padding '%s': expected max_length or longest",
                       name ? name : "(null)");
    return ASACL_OK;
}

void asacl_loader_options_init(asacl_loader_options *o)
{
    if (!o) return;
    memset(o, 0, sizeof *o);
    o->batch_size = 32;
    o->max_seq_len = 128;
    o->padding = ASACL_PADDING_MAX_LENGTH;
    o->shuffle = 1;
    o->seed = 42;
}

void asacl_loader_destroy(asacl_loader *l)
{
    if (!l) return;
    free(l->ids);
    free(l->segs);
    free(l->lens);
    free(l->labels);
    free(l->targets);
    free(l->order);
    free(l->b_ids);
    free(l->b_segs);
    free(l->b_lens);
    free(l->b_labels);
    free(l->b_targets);
    free(l->tok_labels);
    free(l->word_first);
    free(l->word_off);
    free(l->b_tok_labels);
    free(l);
}

asacl_status asacl_loader_create(const asacl_dataset *d, const asacl_tokenizer *t,
                                 const asacl_loader_options *o, asacl_loader **out)
{
    if (!d || !t || !o || !out) return rt_fail(ASACL_ERR_INVALID_ARG, "asacl_loader_create: NULL argument");
    *out = NULL;
    if (o->batch_size < 1 || o->max_seq_len < 3 ||
        (o->padding != ASACL_PADDING_MAX_LENGTH && o->padding != ASACL_PADDING_LONGEST))
        return rt_fail(ASACL_ERR_INVALID_ARG, "loader options: batch size %zu, max_seq_len %zu "
                       "(>= 3) or padding %d out of range", o->batch_size, o->max_seq_len,
                       (int)o->padding);
    asacl_loader *l = calloc(1, sizeof *l);
    if (!l) return rt_fail(ASACL_ERR_OUT_OF_MEMORY, "creating a data loader");
    l->o = *o;
    size_t n = asacl_dataset_size(d), L = o->max_seq_len, B = o->batch_size;
    l->n = n;
    l->task = d->task;
    l->n_choices = d->task == ASACL_TASK_CHOICE ? (size_t)d->ch.n_choices : 1;
    l->token_first_class = d->token_first_class;
    size_t nc = l->n_choices, rows = (n ? n : 1) * nc, words = d->task == ASACL_TASK_TOKEN ? d->c.n_words : 0;
    l->ids = malloc(rows * L * sizeof *l->ids);
    l->segs = malloc(rows * L * sizeof *l->segs);
    l->lens = malloc(rows * sizeof *l->lens);
    l->labels = malloc((n ? n : 1) * sizeof *l->labels);
    l->targets = malloc((n ? n : 1) * sizeof *l->targets);
    l->order = malloc((n ? n : 1) * sizeof *l->order);
    l->b_ids = malloc(B * nc * L * sizeof *l->b_ids);
    l->b_segs = malloc(B * nc * L * sizeof *l->b_segs);
    l->b_lens = malloc(B * nc * sizeof *l->b_lens);
    l->b_labels = malloc(B * sizeof *l->b_labels);
    l->b_targets = malloc(B * sizeof *l->b_targets);
    int bad = !l->ids || !l->segs || !l->lens || !l->labels || !l->targets || !l->order || !l->b_ids ||
              !l->b_segs || !l->b_lens || !l->b_labels || !l->b_targets;
    if (!bad && d->task == ASACL_TASK_TOKEN) {
        l->tok_labels = malloc((n ? n : 1) * L * sizeof *l->tok_labels);
        l->b_tok_labels = malloc(B * L * sizeof *l->b_tok_labels);
        l->word_first = malloc((words ? words : 1) * sizeof *l->word_first);
        l->word_off = malloc((n + 1) * sizeof *l->word_off);
        bad = !l->tok_labels || !l->b_tok_labels || !l->word_first || !l->word_off;
    }
    if (bad) {
        asacl_loader_destroy(l);
        return rt_fail(ASACL_ERR_OUT_OF_MEMORY, "data loader for %zu examples of %zu tokens", n, L);
    }
    asacl_status st = ASACL_OK;
    for (size_t i = 0, w = 0; st == ASACL_OK && i < n; i++) {
        size_t line = 0;
        int label = -1, len = 0;
        float target = 0;
        if (d->task == ASACL_TASK_TOKEN) { /* the words, labels on first sub-words */
            const conll_sentence *sn = &d->c.sent[i];
            line = sn->line;
            l->word_off[i] = w;
            const int *wl = d->c.has_labels ? sn->labels : NULL;
            st = t->wp ? wp_encode_words(t->wp, sn->words, wl, sn->n, (int)L, l->ids + i * L,
                                         l->segs + i * L, l->tok_labels + i * L, l->word_first + w,
                                         &len, NULL)
                       : bpe_encode_words(t->bpe, sn->words, wl, sn->n, (int)L, l->ids + i * L,
                                          l->segs + i * L, l->tok_labels + i * L, l->word_first + w,
                                          &len, NULL);
            w += sn->n;
            l->word_off[i + 1] = w;
            l->lens[i] = len;
        } else if (d->task == ASACL_TASK_CHOICE) { /* one sequence per choice */
            const choice_example *e = &d->ch.ex[i];
            line = e->line;
            label = e->label;
            for (size_t k = 0; st == ASACL_OK && k < nc; k++) {
                size_t r = i * nc + k;
                st = asacl_tokenizer_encode(t, e->context, e->second[k], (int)L, l->ids + r * L,
                                            l->segs + r * L, &len);
                l->lens[r] = len;
            }
        } else {
            const char *a, *b;
            st = asacl_dataset_get(d, i, &a, &b, &label, &target, &line);
            if (st == ASACL_OK)
                st = asacl_tokenizer_encode(t, a, b, (int)L, l->ids + i * L, l->segs + i * L, &len);
            l->lens[i] = len;
        }
        if (st != ASACL_OK && line) rt_error_context("encoding the example of line %zu", line);
        l->labels[i] = label;
        l->targets[i] = target;
    }
    if (st != ASACL_OK) {
        asacl_loader_destroy(l);
        return st;
    }
    loader_order(l, 0);
    *out = l;
    return ASACL_OK;
}

asacl_status asacl_loader_words(const asacl_loader *l, size_t i, const int32_t **first, size_t *n_words)
{
    if (!l || !first || !n_words || l->task != ASACL_TASK_TOKEN || i >= l->n)
        return rt_fail(ASACL_ERR_INVALID_ARG, "asacl_loader_words: not a token-classification "
                       "loader, or example %zu outside it", i);
    *first = l->word_first + l->word_off[i];
    *n_words = l->word_off[i + 1] - l->word_off[i];
    return ASACL_OK;
}

size_t asacl_loader_size(const asacl_loader *l) { return l ? l->n : 0; }

long asacl_loader_batches_per_epoch(const asacl_loader *l)
{
    return l ? (long)((l->n + l->o.batch_size - 1) / l->o.batch_size) : 0;
}

const asacl_loader_options *asacl_loader_get_options(const asacl_loader *l) { return l ? &l->o : NULL; }

/* The order of an epoch: file order, or a Fisher-Yates shuffle on splitmix64
 * seeded by (seed, epoch). */
void loader_order(asacl_loader *l, long epoch)
{
    size_t n = l->n;
    for (size_t i = 0; i < n; i++) l->order[i] = i;
    l->order_epoch = epoch;
    if (!l->o.shuffle) return;
    uint64_t st = l->o.seed ^ (0x9e3779b97f4a7c15ull * (uint64_t)(epoch + 1));
    for (size_t i = n; i > 1; i--) {
        size_t j = (size_t)(rt_splitmix64(&st) % i);
        size_t t = l->order[i - 1];
        l->order[i - 1] = l->order[j];
        l->order[j] = t;
    }
}

void loader_gather(asacl_loader *l, const size_t *idx, size_t count, asacl_padding padding,
                   asacl_batch *out, size_t *tokens)
{
    size_t L = l->o.max_seq_len, T = 2, real = 0, nc = l->n_choices;
    for (size_t k = 0; k < count; k++)
        for (size_t c = 0; c < nc; c++) {
            size_t n = (size_t)l->lens[idx[k] * nc + c];
            real += n;
            if (n > T) T = n;
        }
    if (padding == ASACL_PADDING_MAX_LENGTH) T = L;
    for (size_t k = 0; k < count; k++) {
        size_t i = idx[k];
        /* Rows were encoded padded to L, so any T <= L is a prefix. */
        for (size_t c = 0; c < nc; c++) {
            size_t r = k * nc + c, src = i * nc + c;
            memcpy(l->b_ids + r * T, l->ids + src * L, T * sizeof *l->b_ids);
            memcpy(l->b_segs + r * T, l->segs + src * L, T * sizeof *l->b_segs);
            l->b_lens[r] = l->lens[src];
        }
        if (l->tok_labels)
            memcpy(l->b_tok_labels + k * T, l->tok_labels + i * L, T * sizeof *l->b_tok_labels);
        l->b_labels[k] = l->labels[i];
        l->b_targets[k] = l->targets[i];
    }
    out->B = count;
    out->T = T;
    out->ids = l->b_ids;
    out->segments = l->b_segs;
    out->lengths = l->b_lens;
    out->labels = l->b_labels;
    out->targets = l->b_targets;
    out->token_labels = l->tok_labels ? l->b_tok_labels : NULL;
    out->n_choices = nc > 1 ? nc : 0;
    if (tokens) *tokens = real;
}

asacl_status asacl_loader_next(asacl_loader *l, asacl_batch *batch, size_t *tokens)
{
    if (!l || !batch) return rt_fail(ASACL_ERR_INVALID_ARG, "asacl_loader_next: NULL argument");
    if (l->n == 0) return rt_fail(ASACL_ERR_INVALID_ARG, "the data loader has no examples");
    if (l->index >= (long)l->n) {
        l->epoch++;
        l->index = 0;
    }
    if (l->order_epoch != l->epoch) loader_order(l, l->epoch);
    size_t i = (size_t)l->index, nb = l->n - i < l->o.batch_size ? l->n - i : l->o.batch_size;
    loader_gather(l, l->order + i, nb, l->o.padding, batch, tokens);
    l->index += (long)nb;
    return ASACL_OK;
}

asacl_data_position asacl_loader_position(const asacl_loader *l)
{
    asacl_data_position p = {0, 0};
    if (!l) return p;
    p.epoch = l->epoch;
    p.index = l->index;
    if (l->index >= (long)l->n) { /* the epoch is done: the next batch opens the next one */
        p.epoch++;
        p.index = 0;
    }
    return p;
}

asacl_status asacl_loader_seek(asacl_loader *l, const asacl_data_position *p)
{
    if (!l || !p) return rt_fail(ASACL_ERR_INVALID_ARG, "asacl_loader_seek: NULL argument");
    if (p->epoch < 0 || p->index < 0 || p->index > (long)l->n)
        return rt_fail(ASACL_ERR_INVALID_ARG, "data position epoch %ld, example %ld outside a "
                       "dataset of %zu examples", p->epoch, p->index, l->n);
    l->epoch = p->epoch;
    l->index = p->index;
    return ASACL_OK;
}
