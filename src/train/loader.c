/* loader.c -- the data loader (include/asacl.h): a dataset tokenised once
 * into fixed-width rows, a seeded permutation per epoch, batches padded to
 * max_seq_len or to their longest sequence, and the position a checkpoint
 * resumes from. Built on the public dataset and tokenizer calls only. */
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
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
    l->ids = malloc((n ? n : 1) * L * sizeof *l->ids);
    l->segs = malloc((n ? n : 1) * L * sizeof *l->segs);
    l->lens = malloc((n ? n : 1) * sizeof *l->lens);
    l->labels = malloc((n ? n : 1) * sizeof *l->labels);
    l->targets = malloc((n ? n : 1) * sizeof *l->targets);
    l->order = malloc((n ? n : 1) * sizeof *l->order);
    l->b_ids = malloc(B * L * sizeof *l->b_ids);
    l->b_segs = malloc(B * L * sizeof *l->b_segs);
    l->b_lens = malloc(B * sizeof *l->b_lens);
    l->b_labels = malloc(B * sizeof *l->b_labels);
    l->b_targets = malloc(B * sizeof *l->b_targets);
    if (!l->ids || !l->segs || !l->lens || !l->labels || !l->targets || !l->order || !l->b_ids ||
        !l->b_segs || !l->b_lens || !l->b_labels || !l->b_targets) {
        asacl_loader_destroy(l);
        return rt_fail(ASACL_ERR_OUT_OF_MEMORY, "data loader for %zu examples of %zu tokens", n, L);
    }
    for (size_t i = 0; i < n; i++) {
        const char *a, *b;
        int label, len = 0;
        float target;
        size_t line;
        asacl_status st = asacl_dataset_get(d, i, &a, &b, &label, &target, &line);
        if (st == ASACL_OK)
            st = asacl_tokenizer_encode(t, a, b, (int)L, l->ids + i * L, l->segs + i * L, &len);
        if (st != ASACL_OK) {
            if (line) rt_error_context("encoding the example of line %zu", line);
            asacl_loader_destroy(l);
            return st;
        }
        l->lens[i] = len;
        l->labels[i] = label;
        l->targets[i] = target;
    }
    loader_order(l, 0);
    *out = l;
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
    size_t L = l->o.max_seq_len, T = 2, real = 0;
    for (size_t k = 0; k < count; k++) {
        size_t n = (size_t)l->lens[idx[k]];
        real += n;
        if (n > T) T = n;
    }
    if (padding == ASACL_PADDING_MAX_LENGTH) T = L;
    for (size_t k = 0; k < count; k++) {
        size_t i = idx[k];
        /* Rows were encoded padded to L, so any T <= L is a prefix. */
        memcpy(l->b_ids + k * T, l->ids + i * L, T * sizeof *l->b_ids);
        memcpy(l->b_segs + k * T, l->segs + i * L, T * sizeof *l->b_segs);
        l->b_lens[k] = l->lens[i];
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
