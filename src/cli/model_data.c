/* model_data.c -- see model_data.h. */
#include <stdio.h>
#include <string.h>

#include "cli/model_data.h"

asacl_status cli_model_open(cli_model *m, const char *device, const char *dir, int cased)
{
    memset(m, 0, sizeof *m);
    asacl_ctx_options co;
    asacl_ctx_options_init(&co);
    co.device = device;
    asacl_status st = asacl_ctx_create(&co, &m->ctx);
    if (st != ASACL_OK) return st;
    st = asacl_tokenizer_load_folder(dir, !cased, &m->tok, NULL, 0);
    if (st == ASACL_OK) st = asacl_model_load(m->ctx, dir, NULL, &m->model, NULL);
    return st;
}

void cli_clamp_len(const cli_model *m, double *max_len)
{
    int positions = asacl_model_get_config(m->model)->max_position_embeddings;
    if (*max_len == 0) { /* not given: 128, or fewer if the model has fewer positions */
        *max_len = positions < 128 ? positions : 128;
        return;
    }
    if (*max_len <= positions) return;
    fprintf(stderr, "asacl: note: --max-seq-len %.0f exceeds the model's %d positions; using %d\n",
            *max_len, positions, positions);
    *max_len = positions;
}

void cli_model_close(cli_model *m)
{
    asacl_model_destroy(m->model);
    asacl_tokenizer_destroy(m->tok);
    asacl_ctx_destroy(m->ctx);
    memset(m, 0, sizeof *m);
}

asacl_status cli_model_data(const cli_model *m, const char *data, const char *task, size_t n_builtin,
                            uint64_t seed, asacl_dataset **out)
{
    const asacl_model_config *c = asacl_model_get_config(m->model);
    if (!strncmp(data, "builtin:", 8)) {
        const char *toy = c->task == ASACL_TASK_TOKEN ? "ner" : c->task == ASACL_TASK_CHOICE ? "choice"
                                                                                          : "sequence";
        return asacl_dataset_builtin_task(toy, data + 8, n_builtin, seed, out);
    }
    if (!task) task = cli_default_task(m);
    if (c->task == ASACL_TASK_CHOICE) return asacl_dataset_read(data, task, NULL, 0, out);
    const char *names[ASACL_MAX_LABELS];
    int named = c->num_labels > 1;
    for (int i = 0; i < c->num_labels; i++) {
        names[i] = c->id2label[i];
        named &= c->id2label[i][0] != 0 && strncmp(c->id2label[i], "LABEL_", 6) != 0;
    }
    /* A model whose labels have names reads data with those names in its
     * id order; otherwise the task's own order applies. */
    return asacl_dataset_read(data, task, named ? names : NULL, c->num_labels, out);
}

const char *cli_default_task(const cli_model *m)
{
    int k = asacl_model_get_config(m->model)->task;
    return k == ASACL_TASK_TOKEN ? "ner" : k == ASACL_TASK_CHOICE ? "choice" : "sst2";
}
