/* conll.c -- CoNLL-style token files (see conll.h): the file is kept in
 * memory and split in place, so the words point into it; one pass collects
 * words, label ids and sentence starts in growing arrays. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/conll.h"
#include "base/base.h"

typedef struct reader {
    const char *path;
    conll_dataset *d;
    int fixed;        /* the classes are given */
    size_t cap_words; /* room in d->words_ / d->ids_ */
    size_t *starts;   /* first word of each sentence */
    size_t *lines;    /* its line */
    size_t n_sent, cap_sent;
} reader;

static int is_blank(char c) { return c == ' ' || c == '\t'; }

static asacl_status grow(void **p, size_t *cap, size_t need, size_t size, const char *path)
{
    if (need <= *cap) return ASACL_OK;
    size_t cap2 = *cap ? 2 * *cap : 256;
    while (cap2 < need) cap2 *= 2;
    void *q = realloc(*p, cap2 * size);
    if (!q) return rt_fail(ASACL_ERR_OUT_OF_MEMORY, "reading %s", path);
    *p = q;
    *cap = cap2;
    return ASACL_OK;
}

static asacl_status class_id(reader *r, size_t line, const char *s, int *id)
{
    conll_dataset *d = r->d;
    for (*id = 0; *id < d->num_labels; (*id)++)
        if (!strcmp(d->labels[*id], s)) return ASACL_OK;
    if (r->fixed) {
        char list[1024];
        size_t len = 0;
        for (int k = 0; k < d->num_labels && len + 80 < sizeof list; k++)
            len += (size_t)snprintf(list + len, sizeof list - len, "%s%s", k ? ", " : "",
                                    d->labels[k]);
        return rt_fail(ASACL_ERR_FORMAT, "%s:%zu: unknown label \"%.100s\" (expected one of: %s%s)",
                       r->path, line, s, list, len + 80 >= sizeof list ? ", ..." : "");
    }
    if (strlen(s) >= CONLL_LABEL_CAP)
        return rt_fail(ASACL_ERR_FORMAT, "%s:%zu: label \"%.100s\" is longer than %d bytes",
                       r->path, line, s, CONLL_LABEL_CAP - 1);
    if (d->num_labels == CONLL_MAX_LABELS)
        return rt_fail(ASACL_ERR_FORMAT,
                       "%s:%zu: label \"%.100s\" would be class %d; at most %d are allowed "
                       "(is the label the last field of each line?)",
                       r->path, line, s, CONLL_MAX_LABELS + 1, CONLL_MAX_LABELS);
    strcpy(d->labels[d->num_labels], s);
    *id = d->num_labels++;
    return ASACL_OK;
}

/* One word line, NUL-terminated, without its line end; not blank. */
static asacl_status word_line(reader *r, size_t line, char *s, int in_sentence)
{
    conll_dataset *d = r->d;
    while (is_blank(*s)) s++;
    char *word = s;
    while (*s && !is_blank(*s)) s++;
    char *word_end = s;
    char *label = NULL;
    for (;;) { /* the last field */
        while (is_blank(*s)) s++;
        if (!*s) break;
        label = s;
        while (*s && !is_blank(*s)) s++;
        if (*s) *s++ = 0;
    }
    *word_end = 0;
    int id = -1;
    if (d->has_labels) {
        if (!label)
            return rt_fail(ASACL_ERR_FORMAT,
                           "%s:%zu: expected \"word ... label\" (fields separated by spaces or "
                           "tabs), found one field \"%.100s\"",
                           r->path, line, word);
        TRY(class_id(r, line, label, &id));
    }
    if (!in_sentence) {
        size_t need = r->n_sent + 1, cap = r->cap_sent;
        TRY(grow((void **)&r->starts, &cap, need, sizeof *r->starts, r->path));
        cap = r->cap_sent;
        TRY(grow((void **)&r->lines, &cap, need, sizeof *r->lines, r->path));
        r->cap_sent = cap;
        r->starts[r->n_sent] = d->n_words;
        r->lines[r->n_sent++] = line;
    }
    size_t cap = r->cap_words;
    TRY(grow((void **)&d->words_, &cap, d->n_words + 1, sizeof *d->words_, r->path));
    cap = r->cap_words;
    TRY(grow((void **)&d->ids_, &cap, d->n_words + 1, sizeof *d->ids_, r->path));
    r->cap_words = cap;
    d->words_[d->n_words] = word;
    d->ids_[d->n_words++] = id;
    return ASACL_OK;
}

/* Moves "O" to class 0 (the others keep their order) and renumbers. */
static void o_first(conll_dataset *d)
{
    int o = -1;
    for (int k = 0; k < d->num_labels; k++)
        if (!strcmp(d->labels[k], "O")) o = k;
    if (o <= 0) return;
    for (int k = o; k > 0; k--) memcpy(d->labels[k], d->labels[k - 1], CONLL_LABEL_CAP);
    strcpy(d->labels[0], "O");
    for (size_t i = 0; i < d->n_words; i++) {
        int id = d->ids_[i];
        d->ids_[i] = id == o ? 0 : id < o ? id + 1 : id;
    }
}

static asacl_status parse(reader *r, char *text, size_t size)
{
    conll_dataset *d = r->d;
    if (memchr(text, 0, size)) {
        size_t line = 1;
        for (const char *p = text; *p; p++) line += *p == '\n';
        return rt_fail(ASACL_ERR_FORMAT, "%s:%zu: NUL byte in the file", r->path, line);
    }
    char *p = text;
    if (size >= 3 && !memcmp(p, "\xEF\xBB\xBF", 3)) p += 3;
    int in_sentence = 0;
    for (size_t line = 1; *p; line++) {
        char *end = strchr(p, '\n'), *next = end ? end + 1 : p + strlen(p);
        if (!end) end = next;
        if (end > p && end[-1] == '\r') end--;
        *end = 0;
        const char *q = p;
        while (is_blank(*q)) q++;
        if (!*q || !strncmp(p, "-DOCSTART", 9)) in_sentence = 0;
        else {
            TRY(word_line(r, line, p, in_sentence));
            in_sentence = 1;
        }
        p = next;
    }
    if (!d->n_words) return rt_fail(ASACL_ERR_FORMAT, "%s: no words (expected one \"word ... "
                                    "label\" line per word, blank lines between sentences)",
                                    r->path);
    if (!r->fixed) o_first(d);
    d->sent = calloc(r->n_sent, sizeof *d->sent);
    if (!d->sent) return rt_fail(ASACL_ERR_OUT_OF_MEMORY, "reading %s", r->path);
    for (size_t s = 0; s < r->n_sent; s++) {
        size_t b = r->starts[s], e = s + 1 < r->n_sent ? r->starts[s + 1] : d->n_words;
        d->sent[s].words = d->words_ + b;
        d->sent[s].labels = d->ids_ + b;
        d->sent[s].n = e - b;
        d->sent[s].line = r->lines[s];
    }
    d->n = r->n_sent;
    return ASACL_OK;
}

asacl_status conll_read(const char *path, const char *const *labels, int num_labels,
                        int has_labels, conll_dataset *out)
{
    memset(out, 0, sizeof *out);
    if (labels && (!has_labels || num_labels < 1 || num_labels > CONLL_MAX_LABELS))
        return rt_fail(ASACL_ERR_INVALID_ARG, "conll_read: %d labels given (1..%d, with labels)",
                       num_labels, CONLL_MAX_LABELS);
    reader r = {.path = path, .d = out, .fixed = labels != NULL};
    out->has_labels = has_labels != 0;
    if (has_labels) {
        out->labels = calloc(CONLL_MAX_LABELS, sizeof *out->labels);
        if (!out->labels) return rt_fail(ASACL_ERR_OUT_OF_MEMORY, "reading %s", path);
    }
    for (int k = 0; labels && k < num_labels; k++) {
        if (!labels[k] || !labels[k][0] || strlen(labels[k]) >= CONLL_LABEL_CAP) {
            conll_free(out);
            return rt_fail(ASACL_ERR_INVALID_ARG, "conll_read: label %d is empty or longer "
                           "than %d bytes", k, CONLL_LABEL_CAP - 1);
        }
        for (int j = 0; j < k; j++)
            if (!strcmp(labels[j], labels[k])) {
                conll_free(out);
                return rt_fail(ASACL_ERR_INVALID_ARG, "conll_read: label \"%s\" given twice",
                               labels[k]);
            }
        strcpy(out->labels[k], labels[k]);
    }
    if (labels) out->num_labels = num_labels;
    size_t size = 0;
    asacl_status st = rt_read_file(path, &out->text_, &size);
    if (st == ASACL_OK) st = parse(&r, out->text_, size);
    free(r.starts);
    free(r.lines);
    if (st != ASACL_OK) conll_free(out);
    return st;
}

void conll_free(conll_dataset *d)
{
    if (!d) return;
    free(d->sent);
    free(d->labels);
    free(d->text_);
    free(d->words_);
    free(d->ids_);
    memset(d, 0, sizeof *d);
}
