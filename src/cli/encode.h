/* encode.h -- a dataset tokenised once into fixed-width arrays, and
 * batches cut from it (each batch padded only to its longest sequence). */
#ifndef ASACL_CLI_ENCODE_H
#define ASACL_CLI_ENCODE_H

#include "asacl.h"

typedef struct cli_encoded {
    size_t n, max_len;
    int32_t *ids, *segs;   /* [n * max_len] */
    int32_t *lens, *labels;
    float *targets;
} cli_encoded;

asacl_status cli_encode(const asacl_dataset *d, const asacl_tokenizer *t, size_t max_len,
                        cli_encoded *out);
void cli_encoded_free(cli_encoded *e);

typedef struct cli_batch_buf {
    size_t cap;          /* examples */
    size_t max_len;
    int32_t *ids, *segs, *lens, *labels;
    float *targets;
} cli_batch_buf;

int cli_batch_buf_init(cli_batch_buf *b, size_t cap, size_t max_len);
void cli_batch_buf_free(cli_batch_buf *b);
/* Examples idx[0..count) of e as one batch, T = their longest length. */
void cli_make_batch(const cli_encoded *e, const size_t *idx, size_t count, cli_batch_buf *buf,
                    asacl_batch *out);

#endif
