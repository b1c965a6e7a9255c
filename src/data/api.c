/* api.c -- the public tokenizer and dataset API (include/asacl.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/builtin.h"
#include "data/builtin_choice.h"
#include "data/builtin_ner.h"
#include "data/dataset.h"
#include "data/token_labels.h"
#include "base/base.h"

static asacl_status wrap_tokenizer(asacl_status st, wp_tokenizer *wp, bpe_tokenizer *bpe,
                                   asacl_tokenizer **out)
{
    if (st != ASACL_OK) return st;
    *out = malloc(sizeof **out);
    if (!*out) {
        wp_free(wp);
        bpe_free(bpe);
        return rt_fail(ASACL_ERR_OUT_OF_MEMORY, "creating a tokenizer");
    }
    (*out)->wp = wp;
    (*out)->bpe = bpe;
    return ASACL_OK;
}

asacl_status asacl_tokenizer_load(const char *path, int lower, asacl_tokenizer **out)
{
    if (!path || !out) return rt_fail(ASACL_ERR_INVALID_ARG, "asacl_tokenizer_load: NULL argument");
    wp_tokenizer *wp = NULL;
    asacl_status st = wp_load(path, lower, &wp);
    return wrap_tokenizer(st, wp, NULL, out);
}

asacl_status asacl_tokenizer_from_tokens(const char *const *tokens, size_t n, int lower,
                                         asacl_tokenizer **out)
{
    if (!tokens || !out) return rt_fail(ASACL_ERR_INVALID_ARG, "asacl_tokenizer_from_tokens: NULL argument");
    wp_tokenizer *wp = NULL;
    asacl_status st = wp_from_tokens(tokens, n, lower, &wp);
    return wrap_tokenizer(st, wp, NULL, out);
}

asacl_status asacl_tokenizer_load_bpe(const char *vocab_json, const char *merges_txt,
                                      int add_prefix_space, asacl_tokenizer **out)
{
    if (!vocab_json || !merges_txt || !out)
        return rt_fail(ASACL_ERR_INVALID_ARG, "asacl_tokenizer_load_bpe: NULL argument");
    bpe_tokenizer *bpe = NULL;
    asacl_status st = bpe_load(vocab_json, merges_txt, add_prefix_space, &bpe);
    return wrap_tokenizer(st, NULL, bpe, out);
}

/* One rule for every front end: a folder with vocab.json is RoBERTa's
 * (byte-level BPE, vocab.json + merges.txt, no prefix space), else BERT's
 * vocab.txt. */
asacl_status asacl_tokenizer_load_folder(const char *dir, int lower, asacl_tokenizer **out,
                                         char *vocab_file, size_t cap)
{
    if (!dir || !out) return rt_fail(ASACL_ERR_INVALID_ARG, "asacl_tokenizer_load_folder: NULL argument");
    char json[4200], merges[4200], txt[4200];
    snprintf(json, sizeof json, "%s/vocab.json", dir);
    snprintf(merges, sizeof merges, "%s/merges.txt", dir);
    snprintf(txt, sizeof txt, "%s/vocab.txt", dir);
    FILE *probe = fopen(json, "rb");
    int bpe = probe != NULL;
    if (probe) fclose(probe);
    const char *used = bpe ? json : txt;
    if (vocab_file && cap) {
        if (strlen(used) >= cap)
            return rt_fail(ASACL_ERR_INVALID_ARG, "asacl_tokenizer_load_folder: %s is longer than "
                           "%zu bytes", used, cap - 1);
        strcpy(vocab_file, used);
    }
    return bpe ? asacl_tokenizer_load_bpe(json, merges, 0, out) : asacl_tokenizer_load(txt, lower, out);
}

void asacl_tokenizer_destroy(asacl_tokenizer *t)
{
    if (!t) return;
    wp_free(t->wp);
    bpe_free(t->bpe);
    free(t);
}

size_t asacl_tokenizer_vocab_size(const asacl_tokenizer *t)
{
    return !t ? 0 : t->bpe ? bpe_vocab_size(t->bpe) : wp_vocab_size(t->wp);
}

int asacl_tokenizer_token_id(const asacl_tokenizer *t, const char *token)
{
    return !t ? -1 : t->bpe ? bpe_id(t->bpe, token) : wp_id(t->wp, token);
}

const char *asacl_tokenizer_token(const asacl_tokenizer *t, int32_t id)
{
    return t ? wp_token(t->wp, (int)id) : NULL;
}

asacl_status asacl_tokenizer_save(const asacl_tokenizer *t, const char *path)
{
    if (!t || !path) return rt_fail(ASACL_ERR_INVALID_ARG, "asacl_tokenizer_save: NULL argument");
    if (t->bpe)
        return rt_fail(ASACL_ERR_INVALID_ARG,
                       "asacl_tokenizer_save writes vocab.txt for WordPiece; a BPE tokenizer's "
                       "vocab.json and merges.txt are copied as they are");
    size_t n = wp_vocab_size(t->wp), bytes = 0;
    for (size_t i = 0; i < n; i++) bytes += strlen(wp_token(t->wp, (int)i)) + 1;
    char *buf = malloc(bytes + 1), *p = buf;
    if (!buf) return rt_fail(ASACL_ERR_OUT_OF_MEMORY, "writing %s", path);
    for (size_t i = 0; i < n; i++) {
        const char *tok = wp_token(t->wp, (int)i);
        size_t k = strlen(tok);
        memcpy(p, tok, k);
        p[k] = '\n';
        p += k + 1;
    }
    asacl_status st = rt_write_file_atomic(path, buf, bytes);
    free(buf);
    return st;
}

asacl_status asacl_tokenizer_encode(const asacl_tokenizer *t, const char *a, const char *b,
                                    int max_len, int32_t *ids, int32_t *segments, int *length)
{
    if (!t || !a || !ids || !segments || !length)
        return rt_fail(ASACL_ERR_INVALID_ARG, "asacl_tokenizer_encode: NULL argument");
    if (t->bpe) return bpe_encode(t->bpe, a, b, max_len, ids, segments, length);
    return wp_encode(t->wp, a, b, max_len, ids, segments, length);
}

asacl_status asacl_tokenizer_encode_words(const asacl_tokenizer *t, const char *const *words,
                                          size_t n_words, int max_len, int32_t *ids,
                                          int32_t *segments, int32_t *word_first, int *length)
{
    if (!t || (!words && n_words) || !ids || !segments || !length)
        return rt_fail(ASACL_ERR_INVALID_ARG, "asacl_tokenizer_encode_words: NULL argument");
    int32_t *labels = malloc((max_len > 0 ? (size_t)max_len : 1) * sizeof *labels);
    if (!labels) return rt_fail(ASACL_ERR_OUT_OF_MEMORY, "encoding %zu words", n_words);
    asacl_status st = t->wp ? wp_encode_words(t->wp, words, NULL, n_words, max_len, ids, segments,
                                              labels, word_first, length, NULL)
                            : bpe_encode_words(t->bpe, words, NULL, n_words, max_len, ids, segments,
                                               labels, word_first, length, NULL);
    free(labels);
    return st;
}

static asacl_status new_dataset(int task, asacl_dataset **out)
{
    *out = calloc(1, sizeof **out);
    if (!*out) return rt_fail(ASACL_ERR_OUT_OF_MEMORY, "reading a dataset");
    (*out)->task = task;
    return ASACL_OK;
}

static asacl_status wrap_dataset(asacl_status st, glue_dataset *g, asacl_dataset **out)
{
    if (st != ASACL_OK) return st;
    if (new_dataset(ASACL_TASK_SEQUENCE, out) != ASACL_OK) {
        glue_free(g);
        return ASACL_ERR_OUT_OF_MEMORY;
    }
    (*out)->g = *g;
    return ASACL_OK;
}

/* The names of the token and choice data sets. */
static const struct {
    const char *name, *format; /* choice_read's format, NULL for CoNLL */
    int task, first_class;
} NAMES[] = {
    {"ner", NULL, ASACL_TASK_TOKEN, 1},     {"conll", NULL, ASACL_TASK_TOKEN, 1},
    {"pos", NULL, ASACL_TASK_TOKEN, 0},     {"swag", "swag", ASACL_TASK_CHOICE, 0},
    {"dream", "dream", ASACL_TASK_CHOICE, 0}, {"hellaswag", "hellaswag", ASACL_TASK_CHOICE, 0},
    {"choice", "jsonl", ASACL_TASK_CHOICE, 0}, {"jsonl", "jsonl", ASACL_TASK_CHOICE, 0},
};

static int name_index(const char *task)
{
    for (size_t i = 0; task && i < sizeof NAMES / sizeof *NAMES; i++)
        if (!strcmp(task, NAMES[i].name)) return (int)i;
    return -1;
}

int asacl_task_of_name(const char *task)
{
    int k = name_index(task);
    if (k >= 0) return NAMES[k].task;
    return task && glue_task_known(task) ? ASACL_TASK_SEQUENCE : -1;
}

/* NER's token F1 leaves out "O" when it is class 0 (conll_read puts it there). */
static int first_class(const conll_dataset *c, int ner)
{
    return ner && c->num_labels > 0 && !strcmp(c->labels[0], "O");
}

asacl_status asacl_dataset_read(const char *path, const char *task, const char *const *labels,
                                int num_labels, asacl_dataset **out)
{
    if (!path || !task || !out) return rt_fail(ASACL_ERR_INVALID_ARG, "asacl_dataset_read: NULL argument");
    int k = name_index(task);
    if (k < 0) {
        glue_dataset g;
        asacl_status st = glue_read(path, task, labels, labels ? num_labels : 0, &g);
        return wrap_dataset(st, &g, out);
    }
    TRY(new_dataset(NAMES[k].task, out));
    asacl_dataset *d = *out;
    asacl_status st;
    if (NAMES[k].task == ASACL_TASK_TOKEN) {
        st = conll_read(path, labels, labels ? num_labels : 0, 1, &d->c);
        if (st == ASACL_OK) d->token_first_class = first_class(&d->c, NAMES[k].first_class);
    } else {
        st = choice_read(path, NAMES[k].format, 0, &d->ch);
    }
    if (st != ASACL_OK) {
        free(d);
        *out = NULL;
    }
    return st;
}

asacl_status asacl_dataset_builtin_task(const char *task, const char *split, size_t n, uint64_t seed,
                                        asacl_dataset **out)
{
    if (!task || !split || !out)
        return rt_fail(ASACL_ERR_INVALID_ARG, "asacl_dataset_builtin_task: NULL argument");
    int kind = !strcmp(task, "sequence") ? ASACL_TASK_SEQUENCE : !strcmp(task, "ner") ? ASACL_TASK_TOKEN
             : !strcmp(task, "choice") ? ASACL_TASK_CHOICE : -1;
    if (kind < 0)
        return rt_fail(ASACL_ERR_INVALID_ARG, "built-in task '%s': expected sequence, ner or choice", task);
    if (kind == ASACL_TASK_SEQUENCE) return asacl_dataset_builtin(split, n, seed, out);
    TRY(new_dataset(kind, out));
    asacl_dataset *d = *out;
    asacl_status st = kind == ASACL_TASK_TOKEN ? builtin_ner_generate(split, n, seed, &d->c)
                                               : builtin_choice_generate(split, n, seed, &d->ch);
    if (st == ASACL_OK && kind == ASACL_TASK_TOKEN) d->token_first_class = first_class(&d->c, 1);
    if (st != ASACL_OK) {
        free(d);
        *out = NULL;
    }
    return st;
}

asacl_status asacl_builtin_task_tokenizer(const char *task, asacl_tokenizer **out)
{
    if (!task || !out) return rt_fail(ASACL_ERR_INVALID_ARG, "asacl_builtin_task_tokenizer: NULL argument");
    const char *tokens[512];
    size_t n;
    if (!strcmp(task, "sequence")) return asacl_builtin_tokenizer(out);
    else if (!strcmp(task, "ner")) n = builtin_ner_vocab(tokens, 512);
    else if (!strcmp(task, "choice")) n = builtin_choice_vocab(tokens, 512);
    else return rt_fail(ASACL_ERR_INVALID_ARG, "built-in task '%s': expected sequence, ner or choice", task);
    if (n > 512) return rt_fail(ASACL_ERR_INTERNAL, "built-in vocabulary of %zu tokens", n);
    return asacl_tokenizer_from_tokens(tokens, n, 1, out);
}
asacl_status asacl_dataset_builtin(const char *split, size_t n, uint64_t seed, asacl_dataset **out)
{
    if (!split || !out) return rt_fail(ASACL_ERR_INVALID_ARG, "asacl_dataset_builtin: NULL argument");
    glue_dataset g;
    asacl_status st = builtin_generate(split, n, seed, &g);
    return wrap_dataset(st, &g, out);
}

asacl_status asacl_builtin_tokenizer(asacl_tokenizer **out)
{
    const char *tokens[256];
    size_t n = builtin_vocab(tokens, 256);
    return asacl_tokenizer_from_tokens(tokens, n, 1, out);
}

void asacl_dataset_destroy(asacl_dataset *d)
{
    if (!d) return;
    glue_free(&d->g);
    conll_free(&d->c);
    choice_free(&d->ch);
    free(d);
}

size_t asacl_dataset_size(const asacl_dataset *d)
{
    return !d ? 0 : d->task == ASACL_TASK_TOKEN ? d->c.n : d->task == ASACL_TASK_CHOICE ? d->ch.n : d->g.n;
}

int asacl_dataset_num_labels(const asacl_dataset *d)
{
    return !d ? 0 : d->task == ASACL_TASK_TOKEN ? d->c.num_labels : d->task == ASACL_TASK_CHOICE ? 1
                                                                                               : d->g.num_labels;
}

int asacl_dataset_has_labels(const asacl_dataset *d)
{
    return !d ? 0 : d->task == ASACL_TASK_TOKEN ? d->c.has_labels : d->task == ASACL_TASK_CHOICE
                                                                      ? d->ch.has_labels
                                                                      : d->g.has_labels;
}

int asacl_dataset_task(const asacl_dataset *d) { return d ? d->task : -1; }
int asacl_dataset_num_choices(const asacl_dataset *d)
{
    return d && d->task == ASACL_TASK_CHOICE ? d->ch.n_choices : 0;
}

const char *asacl_dataset_label_name(const asacl_dataset *d, int label)
{
    if (d && d->task == ASACL_TASK_TOKEN)
        return label >= 0 && label < d->c.num_labels ? d->c.labels[label] : NULL;
    if (!d || d->task != ASACL_TASK_SEQUENCE || label < 0 || label >= d->g.num_labels || d->g.is_regression)
        return NULL;
    return d->g.labels[label];
}

asacl_status asacl_dataset_get(const asacl_dataset *d, size_t i, const char **a, const char **b,
                               int *label, float *target, size_t *line)
{
    if (!d || i >= asacl_dataset_size(d))
        return rt_fail(ASACL_ERR_INVALID_ARG, "asacl_dataset_get: index %zu", i);
    if (d->task == ASACL_TASK_TOKEN) {
        const conll_sentence *s = &d->c.sent[i];
        if (a) *a = s->n ? s->words[0] : "";
        if (b) *b = NULL;
        if (label) *label = -1;
        if (target) *target = 0;
        if (line) *line = s->line;
        return ASACL_OK;
    }
    if (d->task == ASACL_TASK_CHOICE) {
        const choice_example *e = &d->ch.ex[i];
        if (a) *a = e->context;
        if (b) *b = e->second[0];
        if (label) *label = e->label;
        if (target) *target = 0;
        if (line) *line = e->line;
        return ASACL_OK;
    }
    const glue_example *e = &d->g.ex[i];
    if (a) *a = e->a;
    if (b) *b = e->b;
    if (label) *label = e->label;
    if (target) *target = e->target;
    if (line) *line = e->line;
    return ASACL_OK;
}

asacl_status asacl_dataset_words(const asacl_dataset *d, size_t i, const char *const **words,
                                 const int **labels, size_t *n)
{
    if (!d || d->task != ASACL_TASK_TOKEN || i >= d->c.n)
        return rt_fail(ASACL_ERR_INVALID_ARG, "asacl_dataset_words: not a token data set, or index %zu", i);
    if (words) *words = d->c.sent[i].words;
    if (labels) *labels = d->c.sent[i].labels;
    if (n) *n = d->c.sent[i].n;
    return ASACL_OK;
}

asacl_status asacl_dataset_choice(const asacl_dataset *d, size_t i, const char **context,
                                  const char *const **second, int *label)
{
    if (!d || d->task != ASACL_TASK_CHOICE || i >= d->ch.n)
        return rt_fail(ASACL_ERR_INVALID_ARG, "asacl_dataset_choice: not a choice data set, or index %zu", i);
    if (context) *context = d->ch.ex[i].context;
    if (second) *second = d->ch.ex[i].second;
    if (label) *label = d->ch.ex[i].label;
    return ASACL_OK;
}
