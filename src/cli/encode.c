/* encode.c -- see encode.h. */
#include <stdlib.h>
#include <string.h>

#include "cli/encode.h"

asacl_status cli_encode(const asacl_dataset *d, const asacl_tokenizer *t, size_t max_len,
                        cli_encoded *out)
{
    memset(out, 0, sizeof *out);
    size_t n = asacl_dataset_size(d);
    out->n = n;
    out->max_len = max_len;
    out->ids = malloc(n * max_len * sizeof *out->ids);
    out->segs = malloc(n * max_len * sizeof *out->segs);
    out->lens = malloc(n * sizeof *out->lens);
    out->labels = malloc(n * sizeof *out->labels);
    out->targets = malloc(n * sizeof *out->targets);
    if (!out->ids || !out->segs || !out->lens || !out->labels || !out->targets) {
        cli_encoded_free(out);
        return ASACL_ERR_OUT_OF_MEMORY;
    }
    for (size_t i = 0; i < n; i++) {
        const char *a, *b;
        int label, len;
        float target;
        asacl_status st = asacl_dataset_get(d, i, &a, &b, &label, &target, NULL);
        if (st == ASACL_OK)
            st = asacl_tokenizer_encode(t, a, b, (int)max_len, out->ids + i * max_len,
                                        out->segs + i * max_len, &len);
        if (st != ASACL_OK) {
            cli_encoded_free(out);
            return st;
        }
        out->lens[i] = len;
        out->labels[i] = label;
        out->targets[i] = target;
    }
    return ASACL_OK;
}

void cli_encoded_free(cli_encoded *e)
{
    free(e->ids);
    free(e->segs);
    free(e->lens);
    free(e->labels);
    free(e->targets);
    memset(e, 0, sizeof *e);
}

int cli_batch_buf_init(cli_batch_buf *b, size_t cap, size_t max_len)
{
    memset(b, 0, sizeof *b);
    b->cap = cap;
    b->max_len = max_len;
    b->ids = malloc(cap * max_len * sizeof *b->ids);
    b->segs = malloc(cap * max_len * sizeof *b->segs);
    b->lens = malloc(cap * sizeof *b->lens);
    b->labels = malloc(cap * sizeof *b->labels);
    b->targets = malloc(cap * sizeof *b->targets);
    return b->ids && b->segs && b->lens && b->labels && b->targets;
}

void cli_batch_buf_free(cli_batch_buf *b)
{
    free(b->ids);
    free(b->segs);
    free(b->lens);
    free(b->labels);
    free(b->targets);
    memset(b, 0, sizeof *b);
}

void cli_make_batch(const cli_encoded *e, const size_t *idx, size_t count, cli_batch_buf *buf,
                    asacl_batch *out)
{
    size_t T = 2;
    for (size_t k = 0; k < count; k++)
        if ((size_t)e->lens[idx[k]] > T) T = (size_t)e->lens[idx[k]];
    for (size_t k = 0; k < count; k++) {
        size_t i = idx[k];
        memcpy(buf->ids + k * T, e->ids + i * e->max_len, T * sizeof *buf->ids);
        memcpy(buf->segs + k * T, e->segs + i * e->max_len, T * sizeof *buf->segs);
        buf->lens[k] = e->lens[i];
        buf->labels[k] = e->labels[i];
        buf->targets[k] = e->targets[i];
    }
    out->B = count;
    out->T = T;
    out->ids = buf->ids;
    out->segments = buf->segs;
    out->lengths = buf->lens;
    out->labels = buf->labels;
    out->targets = buf->targets;
}
