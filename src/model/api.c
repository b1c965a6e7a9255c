/* api.c -- the public model API: creating, loading, saving and running a
 * model (include/asacl.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/config_json.h"
#include "io/folder.h"
#include "model/folder_params.h"
#include "model/api.h"
#include "model/head.h"

asacl_status asacl_model_create(asacl_ctx *ctx, const asacl_model_config *config,
                                int adversaries, uint64_t seed, asacl_model **out)
{
    if (!ctx || !config || !out) return rt_fail(ASACL_ERR_INVALID_ARG, "asacl_model_create: NULL argument");
    *out = NULL;
    asacl_model *m = calloc(1, sizeof *m);
    if (!m) return rt_fail(ASACL_ERR_OUT_OF_MEMORY, "creating a model");
    asacl_status st = model_create(ctx, config, adversaries, NULL, seed, &m->m);
    if (st != ASACL_OK) {
        free(m);
        return st;
    }
    *out = m;
    return ASACL_OK;
}

void asacl_load_options_init(asacl_load_options *o)
{
    if (!o) return;
    memset(o, 0, sizeof *o);
    o->seed = 42;
    o->task = -1;
}

static void note_initialised(asacl_load_report *r, const char *name)
{
    r->initialised++;
    size_t n = strlen(r->initialised_names);
    if (r->initialised <= 6)
        snprintf(r->initialised_names + n, sizeof r->initialised_names - n, "%s%s", n ? ", " : "",
                 name);
    else if (r->initialised == 7)
        snprintf(r->initialised_names + n, sizeof r->initialised_names - n, ", ...");
}

/* Reads one safetensors file of the folder into values, if it exists. */
static asacl_status read_file(const char *dir, const char *file, int required,
                              const param_layout *pl, float *values, const char *skip,
                              folder_read *r)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, file);
    FILE *probe = fopen(path, "rb");
    if (!probe) {
        if (errno != ENOENT) /* there, but unreadable: never skipped quietly */
            return rt_fail(ASACL_ERR_IO, "cannot open %s: %s", path, strerror(errno));
        if (!required) return ASACL_OK;
        return rt_fail(ASACL_ERR_IO, "%s: no %s (a model folder holds config.json and "
                                     "model.safetensors, as saved by transformers or asacl)",
                       dir, file);
    }
    fclose(probe);
    st_file f;
    TRY(st_open(path, &f));
    asacl_status st = folder_read_params(&f, pl, values, skip, r);
    st_close(&f);
    return st;
}

asacl_status asacl_model_load(asacl_ctx *ctx, const char *dir, const asacl_load_options *options,
                              asacl_model **out, asacl_load_report *report)
{
    if (!ctx || !dir || !out) return rt_fail(ASACL_ERR_INVALID_ARG, "asacl_model_load: NULL argument");
    *out = NULL;
    asacl_load_options defaults;
    if (!options) {
        asacl_load_options_init(&defaults);
        options = &defaults;
    }
    asacl_load_report local;
    if (!report) report = &local;
    memset(report, 0, sizeof *report);

    char path[4096];
    snprintf(path, sizeof path, "%s/config.json", dir);
    asacl_model_config cfg;
    TRY(hfcfg_read(path, &cfg));
    /* Another head than the folder's (a plain BertModel folder reads as a
     * sequence model): made fresh, as transformers' from_pretrained does. */
    int new_head = options->task >= 0 && options->task != cfg.task;
    if (options->task > ASACL_TASK_MLM)
        return rt_fail(ASACL_ERR_INVALID_ARG, "asacl_model_load: task kind %d unknown", options->task);
    if (new_head) {
        cfg.task = options->task;
        if (cfg.task == ASACL_TASK_CHOICE) {
            cfg.num_labels = 1;
            memset(cfg.id2label, 0, sizeof cfg.id2label);
        }
    }
    int relabel = cfg.task != ASACL_TASK_CHOICE && options->num_labels > 0 &&
                  options->num_labels != cfg.num_labels;
    if (cfg.task != ASACL_TASK_CHOICE && options->num_labels > 0) {
        cfg.num_labels = options->num_labels;
        for (int i = 0; i < ASACL_MAX_LABELS; i++)
            if (options->id2label[i][0] || relabel)
                memcpy(cfg.id2label[i], options->id2label[i], sizeof cfg.id2label[i]);
    }
    param_layout pl;
    TRY(param_layout_build(&cfg, options->adversaries, &pl));
    float *values = malloc(pl.total * sizeof *values);
    folder_read r = {calloc(pl.count, 1), 0, 0};
    asacl_status st = ASACL_OK;
    if (!values || !r.have) st = rt_fail(ASACL_ERR_OUT_OF_MEMORY, "loading %s", dir);
    if (st == ASACL_OK) {
        param_init_host(&pl, &cfg, options->seed, values);
        /* With a new label count the saved classifier does not fit: fresh. */
        const char *skip = relabel || new_head ? "classifier." : NULL;
        st = read_file(dir, "model.safetensors", 1, &pl, values, skip, &r);
        if (st == ASACL_OK && options->adversaries)
            st = read_file(dir, "trainer_state.safetensors", 0, &pl, values, NULL, &r);
    }
    if (st == ASACL_OK) {
        report->loaded = r.loaded;
        report->ignored = r.ignored;
        for (size_t i = 0; i < pl.count; i++)
            if (!r.have[i]) note_initialised(report, pl.entries[i].name);
        /* An encoder tensor missing is an error; a head or adversary missing
         * is what loading a pre-trained encoder means. */
        for (size_t i = 0; i < pl.count && st == ASACL_OK; i++) {
            const char *n = pl.entries[i].name;
            int optional = !strncmp(n, "classifier.", 11) || !strncmp(n, "bert.pooler.", 12) ||
                           !strncmp(n, "cls.predictions.", 16) ||
                           !strncmp(n, "roberta.pooler.", 15) || strstr(n, ".adversary.");
            if (!r.have[i] && !optional)
                st = rt_fail(ASACL_ERR_FORMAT, "%s/model.safetensors: no tensor %s (nor any "
                                               "name that maps to it)", dir, n);
        }
    }
    asacl_model *m = NULL;
    if (st == ASACL_OK && !(m = calloc(1, sizeof *m)))
        st = rt_fail(ASACL_ERR_OUT_OF_MEMORY, "loading %s", dir);
    if (st == ASACL_OK) st = model_create(ctx, &cfg, options->adversaries, values, 0, &m->m);
    if (st == ASACL_OK) {
        *out = m;
        m = NULL;
    }
    free(m);
    free(values);
    free(r.have);
    param_layout_free(&pl);
    return st;
}

asacl_status model_download(const asacl_model *m, float **values)
{
    *values = malloc(m->m.layout.total * sizeof **values);
    if (!*values) return rt_fail(ASACL_ERR_OUT_OF_MEMORY, "reading the parameters");
    asacl_status st = rt_download(m->m.ctx, m->m.params, 0, m->m.layout.total, *values);
    if (st != ASACL_OK) {
        free(*values);
        *values = NULL;
    }
    return st;
}

asacl_status model_copy_file(const char *from, const char *to)
{
    char *data = NULL;
    size_t n = 0;
    TRY(rt_read_file(from, &data, &n));
    asacl_status st = rt_write_file_atomic(to, data, n);
    free(data);
    return st;
}

asacl_status model_write_folder(const asacl_model *m, const char *dir, const char *vocab)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/config.json", dir);
    TRY(hfcfg_write(path, &m->m.cfg));
    float *values;
    TRY(model_download(m, &values));
    snprintf(path, sizeof path, "%s/model.safetensors", dir);
    asacl_status st = folder_write_params(path, &m->m.layout, values, folder_is_inference_tensor,
                                          NULL);
    free(values);
    if (st == ASACL_OK && vocab && m->m.layout.roberta) {
        /* RoBERTa's vocabulary: vocab.json and the merges.txt beside it. */
        char merges[4096];
        const char *slash = strrchr(vocab, '/');
        int dirlen = slash ? (int)(slash - vocab) : 1;
        snprintf(merges, sizeof merges, "%.*s/merges.txt", dirlen, slash ? vocab : ".");
        snprintf(path, sizeof path, "%s/vocab.json", dir);
        st = model_copy_file(vocab, path);
        snprintf(path, sizeof path, "%s/merges.txt", dir);
        if (st == ASACL_OK) st = model_copy_file(merges, path);
    } else if (st == ASACL_OK && vocab) {
        snprintf(path, sizeof path, "%s/vocab.txt", dir);
        st = model_copy_file(vocab, path);
    }
    return st;
}

typedef struct save_job {
    const asacl_model *m;
    const char *vocab;
} save_job;

static asacl_status write_model(const char *tmp, void *user)
{
    save_job *j = user;
    return model_write_folder(j->m, tmp, j->vocab);
}

asacl_status asacl_model_save(const asacl_model *m, const char *dir, const char *vocab)
{
    if (!m || !dir) return rt_fail(ASACL_ERR_INVALID_ARG, "asacl_model_save: NULL argument");
    save_job j = {m, vocab};
    return folder_replace(dir, write_model, &j);
}

void asacl_model_destroy(asacl_model *m)
{
    if (!m) return;
    arena_destroy(&m->eval);
    batch_destroy(&m->eval_batch);
    model_destroy(&m->m);
    free(m);
}

const asacl_model_config *asacl_model_get_config(const asacl_model *m) { return m ? &m->m.cfg : NULL; }

size_t asacl_model_param_count(const asacl_model *m, int with_adversaries)
{
    if (!m) return 0;
    size_t n = 0;
    for (size_t i = 0; i < m->m.layout.count; i++)
        if (with_adversaries || folder_is_inference_tensor(m->m.layout.entries[i].name))
            n += m->m.layout.entries[i].n;
    return n;
}

asacl_status asacl_model_predict(asacl_model *am, const asacl_batch *b, float *logits)
{
    if (!am || !b || !logits) return rt_fail(ASACL_ERR_INVALID_ARG, "asacl_model_predict: NULL argument");
    model *m = &am->m;
    size_t seqs = b->B * (b->n_choices > 1 ? b->n_choices : 1);
    if (seqs > am->eval.B || b->T > am->eval.T) { /* grow the evaluation buffers */
        size_t B = seqs > am->eval.B ? seqs : am->eval.B, T = b->T > am->eval.T ? b->T : am->eval.T;
        arena_destroy(&am->eval);
        batch_destroy(&am->eval_batch);
        TRY(arena_create(m, B, T, 0, &am->eval));
        TRY(batch_create(m, B, T, &am->eval_batch));
    }
    if (m->cfg.task == ASACL_TASK_MLM)
        return rt_fail(ASACL_ERR_UNSUPPORTED, "asacl_model_predict: a masked-LM model's logits exist "
                       "at chosen positions only (train it, or fine-tune it as a classifier)");
    asacl_batch unlabelled = *b; /* no loss is read: labels play no part */
    unlabelled.labels = NULL;
    unlabelled.targets = NULL;
    unlabelled.token_labels = NULL;
    TRY(batch_upload(m, &am->eval_batch, &unlabelled, b->T));
    pass_opts o = {.train = 0};
    TRY(model_forward(m, &am->eval, &am->eval_batch, &o));
    size_t rows = model_head(m)->logit_rows(seqs, b->T);
    return rt_download(m->ctx, am->eval.logits.buf, am->eval.logits.off,
                       rows * (size_t)m->cfg.num_labels, logits);
}
