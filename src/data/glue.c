/* glue.c -- GLUE-format TSV readers (see glue.h): a table of each task's
 * columns and classes, then one pass over the lines of the file, which is
 * kept in memory and split in place, so the texts point into it. */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "data/glue.h"
#include "base/base.h"

enum { ABSENT = -2, LAST = -1 }; /* column indexes besides 0, 1, ... */

typedef struct column {
    const char *names[5]; /* header names, the first one present wins */
    int pos;              /* GLUE's position (LAST: the last column), or ABSENT */
} column;

typedef struct task {
    const char *name, *alias;
    column a, b, label;
    int header_optional;    /* CoLA: train and dev files have no header */
    int regression;         /* the label column is a float target */
    const char *classes[4]; /* class names by id, NULL-terminated */
} task;

/* clang-format off */
static const task tasks[] = {
    /* name  alias    text a (names, position)     text b                 label
     * header_optional, regression, classes */
    {"sst2", "sst-2", {{"sentence"}, 0},           {{NULL}, ABSENT},      {{"label"}, 1},
     0, 0, {"0", "1"}},
    {"cola", NULL,    {{"sentence"}, 3},           {{NULL}, ABSENT},      {{"label"}, 1},
     1, 0, {"0", "1"}},
    {"mrpc", NULL,    {{"#1 String"}, 3},          {{"#2 String"}, 4},    {{"Quality"}, 0},
     0, 0, {"0", "1"}},
    {"qnli", NULL,    {{"question"}, 1},           {{"sentence"}, 2},     {{"label"}, LAST},
     0, 0, {"entailment", "not_entailment"}},
    {"rte",  NULL,    {{"sentence1"}, 1},          {{"sentence2"}, 2},    {{"label"}, LAST},
     0, 0, {"entailment", "not_entailment"}},
    {"mnli", NULL,    {{"sentence1"}, 8},          {{"sentence2"}, 9},    {{"gold_label"}, LAST},
     0, 0, {"contradiction", "entailment", "neutral"}},
    {"qqp",  NULL,    {{"question1"}, 3},          {{"question2"}, 4},    {{"is_duplicate"}, 5},
     0, 0, {"0", "1"}},
    {"stsb", "sts-b", {{"sentence1"}, 7},          {{"sentence2"}, 8},    {{"score"}, LAST},
     0, 1, {NULL}},
    {"tsv",  NULL,    {{"sentence", "sentence1", "text", "text_a"}, ABSENT},
                      {{"sentence2", "text_b"}, ABSENT},                  {{"label"}, ABSENT},
     0, 0, {NULL}},
};
/* clang-format on */
#define N_TASKS (sizeof tasks / sizeof tasks[0])

const char *glue_task_names(void)
{
    static _Thread_local char names[128];
    size_t len = 0;
    for (size_t i = 0; i < N_TASKS; i++)
        len +=
            (size_t)snprintf(names + len, sizeof names - len, "%s%s", i ? ", " : "", tasks[i].name);
    return names;
}

static const task *find_task(const char *name)
{
    for (size_t i = 0; i < N_TASKS; i++)
        if (!strcasecmp(name, tasks[i].name) ||
            (tasks[i].alias && !strcasecmp(name, tasks[i].alias)))
            return &tasks[i];
    return NULL;
}

/* ---- reading -------------------------------------------------------------------------- */

typedef struct reader {
    const char *path;
    const task *t;
    glue_dataset *d;
    int fixed_labels; /* d->labels is given; otherwise it grows ("tsv") */
    char **f;         /* the fields of the current line */
    size_t nf, cap;
    int ia, ib, il;           /* column indexes of a, b and the label */
    const char *na, *nb, *nl; /* their names, for messages */
} reader;

/* Splits line at tabs into r->f. */
static asacl_status split_fields(reader *r, char *line)
{
    r->nf = 0;
    for (char *p = line;; p++) {
        if (r->nf == r->cap) {
            size_t cap = r->cap ? 2 * r->cap : 16;
            char **f = realloc(r->f, cap * sizeof *f);
            if (!f) return rt_fail(ASACL_ERR_OUT_OF_MEMORY, "reading %s", r->path);
            r->f = f;
            r->cap = cap;
        }
        r->f[r->nf++] = p;
        p = strchr(p, '\t');
        if (!p) return ASACL_OK;
        *p = 0;
    }
}

/* The index of the first of c's names among the fields, or -1. */
static int find_column(const reader *r, const column *c)
{
    for (int k = 0; k < 5 && c->names[k]; k++)
        for (size_t i = 0; i < r->nf; i++)
            if (!strcasecmp(r->f[i], c->names[k])) return (int)i;
    return -1;
}

/* Resolves a column from the header in r->f (or, header == 0, from GLUE's
 * positions); use_pos: fall back to the position when the header lacks it. */
static void resolve(const reader *r, const column *c, int header, int use_pos, int *index,
                    const char **name)
{
    int i = header ? find_column(r, c) : -1;
    *index = i >= 0 ? i : (!header || use_pos) ? c->pos : ABSENT;
    *name = i >= 0 ? r->f[i] : c->names[0];
}

/* The header (on line `line`; header == 0: there is none): which columns
 * hold the texts and the label. */
static asacl_status read_header(reader *r, int header, size_t line)
{
    const task *t = r->t;
    resolve(r, &t->a, header, 1, &r->ia, &r->na);
    resolve(r, &t->b, header, 1, &r->ib, &r->nb);
    resolve(r, &t->label, header, 0, &r->il, &r->nl);
    if (r->ia == ABSENT)
        return rt_fail(ASACL_ERR_FORMAT,
                       "%s:%zu: the header names no text column (expected \"sentence\", "
                       "\"sentence1\", \"text\" or \"text_a\")",
                       r->path, line);
    r->d->is_pair = r->ib != ABSENT;
    r->d->has_labels = r->il != ABSENT;
    return ASACL_OK;
}

/* Field `index` of the current line (LAST: the last one); must exist. */
static asacl_status field(const reader *r, size_t line, int index, const char *name,
                          const char **out)
{
    size_t i = index == LAST ? r->nf - 1 : (size_t)index;
    if (i >= r->nf)
        return rt_fail(ASACL_ERR_FORMAT,
                       "%s:%zu: missing column \"%s\" (column %zu): the line has %zu column%s",
                       r->path, line, name, i + 1, r->nf, r->nf == 1 ? "" : "s");
    *out = r->f[i];
    return ASACL_OK;
}

static asacl_status text_field(const reader *r, size_t line, int index, const char *name,
                               const char **out)
{
    TRY(field(r, line, index, name, out));
    if (!**out)
        return rt_fail(ASACL_ERR_FORMAT, "%s:%zu: empty text in column \"%s\"", r->path, line,
                       name);
    return ASACL_OK;
}

/* The class id of a label, adding it when the classes are not fixed. */
static asacl_status class_id(reader *r, size_t line, const char *s, int *id)
{
    glue_dataset *d = r->d;
    for (*id = 0; *id < d->num_labels; (*id)++)
        if (!strcmp(d->labels[*id], s)) return ASACL_OK;
    if (r->fixed_labels) {
        char list[ASACL_MAX_LABELS * (GLUE_LABEL_CAP + 2)];
        size_t len = 0;
        for (int k = 0; k < d->num_labels; k++)
            len += (size_t)snprintf(list + len, sizeof list - len, "%s%s", k ? ", " : "",
                                    d->labels[k]);
        return rt_fail(ASACL_ERR_FORMAT, "%s:%zu: unknown label \"%.100s\" (expected one of: %s)",
                       r->path, line, s, list);
    }
    if (d->num_labels == ASACL_MAX_LABELS)
        return rt_fail(ASACL_ERR_FORMAT,
                       "%s:%zu: label \"%.100s\" is class %d; at most %d are allowed", r->path,
                       line, s, ASACL_MAX_LABELS + 1, ASACL_MAX_LABELS);
    if (strlen(s) >= GLUE_LABEL_CAP)
        return rt_fail(ASACL_ERR_FORMAT, "%s:%zu: label \"%.100s\" is longer than %d bytes",
                       r->path, line, s, GLUE_LABEL_CAP - 1);
    strcpy(d->labels[d->num_labels++], s);
    return ASACL_OK;
}

static asacl_status read_example(reader *r, size_t line, glue_example *ex)
{
    ex->line = line;
    ex->label = -1;
    TRY(text_field(r, line, r->ia, r->na, &ex->a));
    if (r->ib != ABSENT) TRY(text_field(r, line, r->ib, r->nb, &ex->b));
    if (r->il == ABSENT) return ASACL_OK;
    const char *s = NULL;
    TRY(field(r, line, r->il, r->nl, &s));
    if (!r->t->regression) return class_id(r, line, s, &ex->label);
    char *end;
    ex->target = strtof(s, &end);
    if (end == s || *end || !isfinite(ex->target))
        return rt_fail(ASACL_ERR_FORMAT, "%s:%zu: %s \"%.100s\" is not a number", r->path, line,
                       r->nl, s);
    return ASACL_OK;
}

/* One pass over the lines of d->text_ (size bytes). */
static asacl_status read_lines(reader *r, size_t size)
{
    glue_dataset *d = r->d;
    char *p = d->text_, *end = d->text_ + size;
    if (size >= 3 && !memcmp(p, "\xEF\xBB\xBF", 3)) p += 3;
    size_t lines = 1;
    for (const char *q = p; q < end; q++) lines += *q == '\n';
    d->ex = calloc(lines, sizeof *d->ex);
    if (!d->ex) return rt_fail(ASACL_ERR_OUT_OF_MEMORY, "reading %s", r->path);
    int seen_header = 0;
    for (size_t line = 1; p < end; line++) {
        char *nl = memchr(p, '\n', (size_t)(end - p)), *e = nl ? nl : end;
        *e = 0;
        if (e > p && e[-1] == '\r') *--e = 0;
        char *text = p;
        p = nl ? nl + 1 : end;
        size_t len = (size_t)(e - text);
        if (len > GLUE_MAX_LINE)
            return rt_fail(ASACL_ERR_FORMAT, "%s:%zu: the line is longer than %d bytes (%zu)",
                           r->path, line, GLUE_MAX_LINE, len);
        if (strlen(text) != len)
            return rt_fail(ASACL_ERR_FORMAT, "%s:%zu: NUL byte in the line", r->path, line);
        if (len == 0) continue;
        TRY(split_fields(r, text));
        if (!seen_header) {
            seen_header = 1;
            int header = !r->t->header_optional || find_column(r, &r->t->a) >= 0;
            TRY(read_header(r, header, line));
            if (header) continue;
        }
        TRY(read_example(r, line, &d->ex[d->n++]));
    }
    if (!seen_header) return rt_fail(ASACL_ERR_FORMAT, "%s: empty file", r->path);
    if (d->n == 0) return rt_fail(ASACL_ERR_FORMAT, "%s: a header but no examples", r->path);
    return ASACL_OK;
}

/* The classes: the caller's, else the task's (none for "tsv" and regression). */
static asacl_status set_labels(reader *r, const char *const *labels, int num_labels)
{
    glue_dataset *d = r->d;
    if (labels && r->t->regression)
        return rt_fail(ASACL_ERR_INVALID_ARG, "%s is a regression task and takes no labels",
                       r->t->name);
    if (labels && (num_labels < 1 || num_labels > ASACL_MAX_LABELS))
        return rt_fail(ASACL_ERR_INVALID_ARG, "%d labels; 1 to %d are allowed", num_labels,
                       ASACL_MAX_LABELS);
    for (int k = 0; labels ? k < num_labels : r->t->classes[k] != NULL; k++) {
        const char *s = labels ? labels[k] : r->t->classes[k];
        if (!s || strlen(s) >= GLUE_LABEL_CAP)
            return rt_fail(ASACL_ERR_INVALID_ARG, "label %d is NULL or longer than %d bytes", k,
                           GLUE_LABEL_CAP - 1);
        strcpy(d->labels[d->num_labels++], s);
    }
    r->fixed_labels = d->num_labels > 0;
    return ASACL_OK;
}

int glue_task_known(const char *name) { return name && find_task(name) != NULL; }

asacl_status glue_read(const char *path, const char *task_name, const char *const *labels,
                       int num_labels, glue_dataset *out)
{
    if (!path || !task_name || !out)
        return rt_fail(ASACL_ERR_INVALID_ARG, "glue_read: NULL argument");
    memset(out, 0, sizeof *out);
    reader r = {.path = path, .t = find_task(task_name), .d = out};
    if (!r.t)
        return rt_fail(ASACL_ERR_INVALID_ARG, "unknown task \"%s\" (known: %s)", task_name,
                       glue_task_names());
    out->is_regression = r.t->regression;
    size_t size = 0;
    asacl_status st = set_labels(&r, labels, num_labels);
    if (st == ASACL_OK) st = rt_read_file(path, &out->text_, &size);
    if (st == ASACL_OK) st = read_lines(&r, size);
    if (st == ASACL_OK && out->is_regression) out->num_labels = 1;
    free(r.f);
    if (st != ASACL_OK) glue_free(out);
    return st;
}

void glue_free(glue_dataset *d)
{
    if (!d) return;
    free(d->ex);
    free(d->text_);
    memset(d, 0, sizeof *d);
}
