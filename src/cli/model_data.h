/* model_data.h -- what eval and predict share: a model folder with its
 * vocabulary, and data read with the model's own label names. */
#ifndef ASACL_CLI_MODEL_DATA_H
#define ASACL_CLI_MODEL_DATA_H

#include "asacl.h"

typedef struct cli_model {
    asacl_ctx *ctx;
    asacl_model *model;
    asacl_tokenizer *tok;
} cli_model;

asacl_status cli_model_open(cli_model *m, const char *device, const char *dir, int cased);
void cli_model_close(cli_model *m);
/* *max_len 0 (not given) becomes 128, or the model's max_position_embeddings
 * if lower; a larger *max_len is lowered to it, saying so (as transformers
 * truncates to the model's length). */
void cli_clamp_len(const cli_model *m, double *max_len);
/* A data file read for task (NULL: cli_default_task) with the model's
 * labels, or "builtin:SPLIT" (n_builtin examples of the built-in toy of the
 * model's task kind from seed, as asacl train generates them). */
asacl_status cli_model_data(const cli_model *m, const char *data, const char *task, size_t n_builtin,
                            uint64_t seed, asacl_dataset **out);

/* The data format a model's task kind reads by default: sst2, ner, choice. */
const char *cli_default_task(const cli_model *m);

#endif
