/* choice.c -- multiple-choice readers (see choice.h): a CSV record reader for
 * SWAG, one cJSON object per line for the JSONL formats, and for DREAM a
 * scan of the top-level JSON array so that each dialogue is parsed on its
 * own and its errors carry the line where it starts. Strings live in a pool
 * of blocks that never move. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "data/choice.h"
#include "base/base.h"

/* ---- string pool ---------------------------------------------------------------------- */

typedef struct block {
    struct block *next;
    size_t used, cap;
    char data[];
} block;

static char *pool_alloc(choice_dataset *d, size_t n)
{
    block *b = d->pool_;
    if (!b || b->cap - b->used < n) {
        size_t cap = n > (1 << 20) ? n : (1 << 20);
        block *nb = malloc(sizeof *nb + cap);
        if (!nb) return NULL;
        nb->next = b;
        nb->used = 0;
        nb->cap = cap;
        d->pool_ = b = nb;
    }
    char *p = b->data + b->used;
    b->used += n;
    return p;
}

static char *pool_dup(choice_dataset *d, const char *s, size_t n)
{
    char *p = pool_alloc(d, n + 1);
    if (p) {
        memcpy(p, s, n);
        p[n] = 0;
    }
    return p;
}

/* The reference's second segment: a cloze question (one with "_") with every
 * "_" replaced by the choice (Python's str.replace), else question + " " +
 * choice; no question: the choice. */
static const char *second_segment(choice_dataset *d, const char *question, const char *choice)
{
    size_t lc = strlen(choice);
    if (!question) return pool_dup(d, choice, lc);
    size_t lq = strlen(question), blanks = 0;
    for (const char *p = question; *p; p++) blanks += *p == '_';
    if (!blanks) {
        char *s = pool_alloc(d, lq + 1 + lc + 1);
        if (s) {
            memcpy(s, question, lq);
            s[lq] = ' ';
            memcpy(s + lq + 1, choice, lc + 1);
        }
        return s;
    }
    char *s = pool_alloc(d, lq - blanks + blanks * lc + 1), *o = s;
    if (!s) return NULL;
    for (const char *p = question; *p; p++) {
        if (*p == '_') {
            memcpy(o, choice, lc);
            o += lc;
        } else
            *o++ = *p;
    }
    *o = 0;
    return s;
}

/* ---- examples ------------------------------------------------------------------------- */

typedef struct reader {
    const char *path;
    choice_dataset *d;
} reader;

#define OOM(r) rt_fail(ASACL_ERR_OUT_OF_MEMORY, "reading %s", (r)->path)

/* Adds one example; choices[n] and question (may be NULL) are C strings
 * that need not outlive the call. has_label: label is set. */
static asacl_status add_example(reader *r, size_t line, const char *context, size_t context_len,
                                const char *question, const char *const *choices, int n,
                                int has_label, int label)
{
    choice_dataset *d = r->d;
    if (n < 2 || n > CHOICE_MAX)
        return rt_fail(ASACL_ERR_FORMAT, "%s:%zu: %d choices (expected 2 to %d)", r->path, line,
                       n, CHOICE_MAX);
    if (d->n && n != d->n_choices)
        return rt_fail(ASACL_ERR_FORMAT,
                       "%s:%zu: %d choices, but the file's first example (line %zu) has %d: "
                       "every example needs the same number",
                       r->path, line, n, d->ex[0].line, d->n_choices);
    if (!context_len)
        return rt_fail(ASACL_ERR_FORMAT, "%s:%zu: empty context", r->path, line);
    if (!d->n)
        d->has_labels = has_label; /* the first example decides */
    else if (has_label != d->has_labels)
        return rt_fail(ASACL_ERR_FORMAT, "%s:%zu: %s, but the file's first example (line %zu) "
                       "%s: label every example or none",
                       r->path, line, has_label ? "a label" : "no label", d->ex[0].line,
                       d->has_labels ? "has one" : "has none");
    if (has_label && (label < 0 || label >= n))
        return rt_fail(ASACL_ERR_FORMAT, "%s:%zu: label %d is not a choice index (0 to %d)",
                       r->path, line, label, n - 1);
    if (d->n == d->cap_) {
        size_t cap = d->cap_ ? 2 * d->cap_ : 1024;
        choice_example *ex = realloc(d->ex, cap * sizeof *ex);
        if (!ex) return OOM(r);
        d->ex = ex;
        d->cap_ = cap;
    }
    choice_example *e = &d->ex[d->n];
    memset(e, 0, sizeof *e);
    e->line = line;
    e->label = has_label ? label : -1;
    e->context = pool_dup(d, context, context_len);
    if (!e->context) return OOM(r);
    for (int k = 0; k < n; k++)
        if (!(e->second[k] = second_segment(d, question, choices[k]))) return OOM(r);
    d->n_choices = n;
    d->n++;
    return ASACL_OK;
}

/* A label from a string of digits ("2", as the reference's label maps
 * take) into *label; 0 if it is not one. */
static int digits_label(const char *s, int *label)
{
    if (!*s || strlen(s) > 6) return 0;
    int v = 0;
    for (const char *p = s; *p; p++) {
        if (*p < '0' || *p > '9') return 0;
        v = 10 * v + (*p - '0');
    }
    *label = v;
    return 1;
}

/* ---- JSON helpers ------------------------------------------------------------------- */

static size_t lines_in(const char *b, const char *e)
{
    size_t n = 0;
    for (; b < e; b++) n += *b == '\n';
    return n;
}

/* Parses text[0, len) starting at line `line` as one JSON value. */
static asacl_status parse_json(const reader *r, const char *text, size_t len, size_t line,
                               cJSON **out)
{
    const char *end = NULL;
    *out = cJSON_ParseWithLengthOpts(text, len, &end, 0);
    if (*out && end) {
        while (end < text + len && (*end == ' ' || *end == '\t' || *end == '\r' || *end == '\n'))
            end++;
        if (end == text + len) return ASACL_OK;
    }
    cJSON_Delete(*out);
    *out = NULL;
    if (!end || end < text || end > text + len) end = text;
    const char *ls = end;
    while (ls > text && ls[-1] != '\n') ls--;
    return rt_fail(ASACL_ERR_FORMAT, "%s:%zu: not valid JSON (error at column %td)", r->path,
                   line + lines_in(text, end), end - ls + 1);
}

static const char *kind(const cJSON *v)
{
    return !v                ? "missing"
           : cJSON_IsString(v) ? "a string"
           : cJSON_IsNumber(v) ? "a number"
           : cJSON_IsArray(v)  ? "an array"
           : cJSON_IsObject(v) ? "an object"
           : cJSON_IsBool(v)   ? "a boolean"
                               : "null";
}

/* A string field of object o (required), or NULL with an error. */
static asacl_status json_string(const reader *r, size_t line, const cJSON *o, const char *key,
                                const char **out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!cJSON_IsString(v))
        return rt_fail(ASACL_ERR_FORMAT, "%s:%zu: \"%s\" is %s (expected a string)", r->path,
                       line, key, kind(v));
    *out = v->valuestring;
    return ASACL_OK;
}

/* An array of strings (the choices) into choices[*n]. */
static asacl_status json_strings(const reader *r, size_t line, const cJSON *o, const char *key,
                                 const char **choices, int *n)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!cJSON_IsArray(v))
        return rt_fail(ASACL_ERR_FORMAT, "%s:%zu: \"%s\" is %s (expected an array of strings)",
                       r->path, line, key, kind(v));
    int k = 0;
    const cJSON *c;
    cJSON_ArrayForEach(c, v)
    {
        if (!cJSON_IsString(c))
            return rt_fail(ASACL_ERR_FORMAT, "%s:%zu: \"%s\"[%d] is %s (expected a string)",
                           r->path, line, key, k, kind(c));
        if (k == CHOICE_MAX)
            return rt_fail(ASACL_ERR_FORMAT, "%s:%zu: \"%s\" has more than %d choices", r->path,
                           line, key, CHOICE_MAX);
        choices[k++] = c->valuestring;
    }
    *n = k;
    return ASACL_OK;
}

/* An optional label: an integer or a string of digits. */
static asacl_status json_label(const reader *r, size_t line, const cJSON *o, const char *key,
                               int *has, int *label)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    *has = v != NULL && !cJSON_IsNull(v);
    if (!*has) return ASACL_OK;
    if (cJSON_IsNumber(v) && v->valuedouble >= 0 && v->valuedouble <= 1e6 &&
        v->valuedouble == (double)(int)v->valuedouble) {
        *label = (int)v->valuedouble;
        return ASACL_OK;
    }
    if (cJSON_IsString(v) && digits_label(v->valuestring, label)) return ASACL_OK;
    char buf[64] = "";
    if (cJSON_IsNumber(v)) snprintf(buf, sizeof buf, " (%g)", v->valuedouble);
    if (cJSON_IsString(v)) snprintf(buf, sizeof buf, " (\"%.40s\")", v->valuestring);
    return rt_fail(ASACL_ERR_FORMAT, "%s:%zu: \"%s\" is %s%s (expected a choice index 0, 1, ...)",
                   r->path, line, key, kind(v), buf);
}

/* ---- JSONL: hellaswag and our own format -------------------------------------------- */

static asacl_status jsonl_object(reader *r, size_t line, const cJSON *o, int hellaswag)
{
    if (!cJSON_IsObject(o))
        return rt_fail(ASACL_ERR_FORMAT, "%s:%zu: the line is %s (expected a JSON object)",
                       r->path, line, kind(o));
    const char *context = NULL, *question = NULL, *choices[CHOICE_MAX];
    int n = 0, has = 0, label = -1;
    TRY(json_string(r, line, o, hellaswag ? "ctx" : "context", &context));
    if (!hellaswag && cJSON_GetObjectItemCaseSensitive(o, "question"))
        TRY(json_string(r, line, o, "question", &question));
    TRY(json_strings(r, line, o, hellaswag ? "endings" : "choices", choices, &n));
    TRY(json_label(r, line, o, "label", &has, &label));
    /* HellaSwag: the reference's question is "_", so the second segment is the ending. */
    return add_example(r, line, context, strlen(context), question, choices, n, has, label);
}

static asacl_status read_jsonl(reader *r, char *text, size_t size, int hellaswag)
{
    char *p = text, *end = text + size;
    for (size_t line = 1; p < end; line++) {
        char *nl = memchr(p, '\n', (size_t)(end - p)), *next = nl ? nl + 1 : end;
        const char *q = p;
        while (q < next && (*q == ' ' || *q == '\t' || *q == '\r' || *q == '\n')) q++;
        if (q < next) {
            cJSON *o;
            TRY(parse_json(r, p, (size_t)((nl ? nl : end) - p), line, &o));
            asacl_status st = jsonl_object(r, line, o, hellaswag);
            cJSON_Delete(o);
            TRY(st);
        }
        p = next;
    }
    return ASACL_OK;
}

/* ---- DREAM ---------------------------------------------------------------------------- */

/* The end of the JSON value at p (a scan of brackets and strings; the value
 * is parsed properly afterwards), or NULL when the text ends first. */
static const char *value_end(const char *p, const char *end)
{
    int depth = 0;
    for (; p < end; p++) {
        if (*p == '"') {
            for (p++; p < end && *p != '"'; p++)
                if (*p == '\\') p++;
            if (p >= end) return NULL;
            if (depth == 0) return p + 1;
        } else if (*p == '[' || *p == '{')
            depth++;
        else if (*p == ']' || *p == '}') {
            if (--depth <= 0) return depth < 0 ? p : p + 1;
        } else if (depth == 0 && (*p == ',' || *p == ' ' || *p == '\t' || *p == '\r' ||
                                  *p == '\n'))
            return p;
    }
    return depth == 0 ? end : NULL;
}

static asacl_status dream_item(reader *r, size_t line, const cJSON *it, size_t index, int flags)
{
    const cJSON *dlg = cJSON_GetArrayItem(it, 0), *qs = cJSON_GetArrayItem(it, 1);
    if (!cJSON_IsArray(it) || cJSON_GetArraySize(it) != 3 || !cJSON_IsArray(dlg) ||
        !cJSON_IsArray(qs))
        return rt_fail(ASACL_ERR_FORMAT, "%s:%zu: dialogue %zu is not [[dialogue lines], "
                       "[questions], id]", r->path, line, index);
    /* context: the lines joined by " " (the reference's ' '.join(line[0])) */
    size_t len = 0;
    int k = 0;
    const cJSON *s;
    cJSON_ArrayForEach(s, dlg)
    {
        if (!cJSON_IsString(s))
            return rt_fail(ASACL_ERR_FORMAT, "%s:%zu: dialogue %zu, line %d is %s (expected a "
                           "string)", r->path, line, index, k, kind(s));
        len += strlen(s->valuestring) + (k++ ? 1 : 0);
    }
    char *context = malloc(len + 1), *o = context;
    if (!context) return OOM(r);
    k = 0;
    cJSON_ArrayForEach(s, dlg)
    {
        if (k++) *o++ = ' ';
        size_t n = strlen(s->valuestring);
        memcpy(o, s->valuestring, n);
        o += n;
    }
    *o = 0;
    if (cJSON_GetArraySize(qs) == 0) {
        free(context);
        return rt_fail(ASACL_ERR_FORMAT, "%s:%zu: dialogue %zu has no question", r->path, line,
                       index);
    }
    asacl_status st = ASACL_OK;
    int qi = 0;
    const cJSON *q;
    cJSON_ArrayForEach(q, qs)
    {
        const char *question = NULL, *answer = NULL, *choices[CHOICE_MAX];
        int n = 0, label = -1;
        if (!cJSON_IsObject(q))
            st = rt_fail(ASACL_ERR_FORMAT, "%s:%zu: dialogue %zu, question %d is %s (expected "
                         "an object)", r->path, line, index, qi, kind(q));
        if (st == ASACL_OK) st = json_string(r, line, q, "question", &question);
        if (st == ASACL_OK) st = json_strings(r, line, q, "choice", choices, &n);
        const cJSON *a = cJSON_GetObjectItemCaseSensitive(q, "answer");
        if (st == ASACL_OK && a) st = json_string(r, line, q, "answer", &answer);
        for (int c = 0; st == ASACL_OK && answer && c < n && label < 0; c++)
            if (!strcmp(choices[c], answer)) label = c; /* list.index: the first match */
        if (st == ASACL_OK && answer && label < 0)
            st = rt_fail(ASACL_ERR_FORMAT, "%s:%zu: dialogue %zu, question %d: the answer "
                         "\"%.80s\" is not one of its choices", r->path, line, index, qi, answer);
        if (st == ASACL_OK)
            st = add_example(r, line, context, len, question, choices, n, answer != NULL, label);
        if (st != ASACL_OK) rt_error_context("dialogue %zu, question %d", index, qi);
        if (st != ASACL_OK || !(flags & CHOICE_ALL_QUESTIONS)) break;
        qi++;
    }
    free(context);
    return st;
}

static asacl_status read_dream(reader *r, const char *text, size_t size, int flags)
{
    const char *p = text, *end = text + size;
    size_t line = 1;
#define SKIP_WS                                                                  \
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')) { \
        line += *p == '\n';                                                      \
        p++;                                                                     \
    }
    SKIP_WS
    if (p == end || *p != '[')
        return rt_fail(ASACL_ERR_FORMAT, "%s:%zu: expected a JSON list of dialogues ('[')",
                       r->path, line);
    p++;
    SKIP_WS
    if (p < end && *p == ']') p = end; /* an empty list */
    for (size_t index = 0; p < end; index++) {
        const char *e = value_end(p, end);
        if (!e || e == p) {
            cJSON *tmp;
            TRY(parse_json(r, p, (size_t)(end - p), line, &tmp)); /* reports the position */
            cJSON_Delete(tmp);
            return rt_fail(ASACL_ERR_FORMAT, "%s:%zu: expected a dialogue", r->path, line);
        }
        cJSON *it;
        TRY(parse_json(r, p, (size_t)(e - p), line, &it));
        asacl_status st = dream_item(r, line, it, index, flags);
        cJSON_Delete(it);
        TRY(st);
        line += lines_in(p, e);
        p = e;
        SKIP_WS
        if (p < end && *p == ',') {
            p++;
            SKIP_WS
            continue;
        }
        if (p < end && *p == ']') {
            p++;
            SKIP_WS
            if (p != end)
                return rt_fail(ASACL_ERR_FORMAT, "%s:%zu: text after the list of dialogues",
                               r->path, line);
            break;
        }
        return rt_fail(ASACL_ERR_FORMAT, "%s:%zu: expected ',' or ']' after dialogue %zu",
                       r->path, line, index);
    }
#undef SKIP_WS
    return ASACL_OK;
}

/* ---- SWAG CSV ------------------------------------------------------------------------- */

typedef struct csv {
    const char *p, *end;
    size_t line;   /* line of the next character */
    char *buf;     /* the unquoted fields, NUL-separated */
    size_t cap;
    size_t *start; /* field offsets into buf */
    size_t nf, capf;
} csv;

/* Reads the next record (as Python's csv.reader, excel dialect) into c's
 * fields; *line is where it starts; 0 at the end of the text. */
static asacl_status csv_record(const reader *r, csv *c, size_t *line, int *got)
{
    *got = 0;
    while (c->p < c->end && (*c->p == '\n' || (*c->p == '\r' && c->p + 1 < c->end &&
                                                c->p[1] == '\n'))) { /* blank lines */
        if (*c->p == '\r') c->p++;
        c->p++;
        c->line++;
    }
    if (c->p >= c->end) return ASACL_OK;
    *line = c->line;
    size_t used = 0;
    c->nf = 0;
    for (;;) { /* one field */
        if (c->nf == c->capf) {
            size_t cap = c->capf ? 2 * c->capf : 16;
            size_t *s = realloc(c->start, cap * sizeof *s);
            if (!s) return OOM(r);
            c->start = s;
            c->capf = cap;
        }
        c->start[c->nf++] = used;
        int quoted = c->p < c->end && *c->p == '"', in_quotes = quoted;
        if (quoted) c->p++;
        for (;;) {
            if (used + 2 > c->cap) {
                size_t cap = c->cap ? 2 * c->cap : 4096;
                char *b = realloc(c->buf, cap);
                if (!b) return OOM(r);
                c->buf = b;
                c->cap = cap;
            }
            if (c->p >= c->end) {
                if (in_quotes)
                    return rt_fail(ASACL_ERR_FORMAT, "%s:%zu: the quoted field opened in the "
                                   "record starting here never closes", r->path, *line);
                break;
            }
            char ch = *c->p;
            if (in_quotes) {
                c->p++;
                if (ch == '"') {
                    if (c->p < c->end && *c->p == '"') {
                        c->buf[used++] = '"';
                        c->p++;
                    } else
                        in_quotes = 0;
                    continue;
                }
                if (ch == '\r' && c->p < c->end && *c->p == '\n') continue; /* CRLF reads as LF */
                if (ch == '\n') c->line++;
                c->buf[used++] = ch;
                continue;
            }
            if (ch == ',' || ch == '\n' || (ch == '\r' && c->p + 1 < c->end && c->p[1] == '\n'))
                break;
            c->buf[used++] = ch;
            c->p++;
        }
        c->buf[used++] = 0;
        if (c->p < c->end && *c->p == ',') {
            c->p++;
            continue;
        }
        if (c->p < c->end) { /* the line end */
            if (*c->p == '\r') c->p++;
            c->p++;
            c->line++;
        }
        break;
    }
    *got = 1;
    return ASACL_OK;
}

static const char *csv_field(const csv *c, size_t i) { return c->buf + c->start[i]; }

static asacl_status read_swag(reader *r, const char *text, size_t size)
{
    csv c = {.p = text, .end = text + size, .line = 1};
    size_t line = 0;
    int got;
    asacl_status st = csv_record(r, &c, &line, &got);
    enum { SENT1, SENT2, E0, E1, E2, E3, LABEL, N_COL };
    static const char *const names[N_COL] = {"sent1",   "sent2",   "ending0", "ending1",
                                             "ending2", "ending3", "label"};
    int col[N_COL];
    if (st == ASACL_OK && !got) st = rt_fail(ASACL_ERR_FORMAT, "%s:1: empty file", r->path);
    for (int k = 0; st == ASACL_OK && k < N_COL; k++) {
        col[k] = -1;
        for (size_t i = 0; i < c.nf; i++)
            if (!strcmp(csv_field(&c, i), names[k])) col[k] = (int)i;
        if (col[k] < 0 && k != LABEL)
            st = rt_fail(ASACL_ERR_FORMAT, "%s:%zu: the header has no column \"%s\" (expected "
                         "SWAG's columns: sent1, sent2, ending0..ending3[, label])",
                         r->path, line, names[k]);
    }
    size_t n_header = c.nf;
    while (st == ASACL_OK) {
        st = csv_record(r, &c, &line, &got);
        if (st != ASACL_OK || !got) break;
        if (c.nf != n_header) {
            st = rt_fail(ASACL_ERR_FORMAT, "%s:%zu: %zu fields, the header has %zu", r->path,
                         line, c.nf, n_header);
            break;
        }
        const char *choices[4];
        for (int k = 0; k < 4; k++) choices[k] = csv_field(&c, (size_t)col[E0 + k]);
        int label = -1, has = col[LABEL] >= 0;
        if (has && !digits_label(csv_field(&c, (size_t)col[LABEL]), &label)) {
            st = rt_fail(ASACL_ERR_FORMAT, "%s:%zu: label \"%.40s\" (expected 0, 1, 2 or 3)",
                         r->path, line, csv_field(&c, (size_t)col[LABEL]));
            break;
        }
        const char *ctx = csv_field(&c, (size_t)col[SENT1]);
        st = add_example(r, line, ctx, strlen(ctx), csv_field(&c, (size_t)col[SENT2]), choices, 4,
                         has, label);
    }
    free(c.buf);
    free(c.start);
    return st;
}

asacl_status choice_add(choice_dataset *d, const char *source, size_t line, const char *context,
                        const char *question, const char *const *choices, int n, int label)
{
    reader r = {.path = source, .d = d};
    return add_example(&r, line, context, strlen(context), question, choices, n, label >= 0,
                       label);
}

/* ---- entry points --------------------------------------------------------------------- */

const char *choice_format_names(void) { return "swag, dream, hellaswag, jsonl"; }

asacl_status choice_read(const char *path, const char *format, int flags, choice_dataset *out)
{
    memset(out, 0, sizeof *out);
    if (!path || !format) return rt_fail(ASACL_ERR_INVALID_ARG, "choice_read: NULL argument");
    int f = !strcasecmp(format, "swag")        ? 0
            : !strcasecmp(format, "dream")     ? 1
            : !strcasecmp(format, "hellaswag") ? 2
            : !strcasecmp(format, "jsonl")     ? 3
                                               : -1;
    if (f < 0)
        return rt_fail(ASACL_ERR_INVALID_ARG, "unknown multiple-choice format \"%s\" (known: %s)",
                       format, choice_format_names());
    char *text = NULL;
    size_t size = 0;
    TRY(rt_read_file(path, &text, &size));
    reader r = {.path = path, .d = out};
    const char *t = text;
    if (size >= 3 && !memcmp(t, "\xEF\xBB\xBF", 3)) {
        t += 3;
        size -= 3;
    }
    asacl_status st;
    if (memchr(t, 0, size))
        st = rt_fail(ASACL_ERR_FORMAT, "%s:%zu: NUL byte in the file", path,
                     1 + lines_in(t, t + strlen(t)));
    else if (f == 0)
        st = read_swag(&r, t, size);
    else if (f == 1)
        st = read_dream(&r, t, size, flags);
    else
        st = read_jsonl(&r, (char *)t, size, f == 2);
    if (st == ASACL_OK && out->n == 0)
        st = rt_fail(ASACL_ERR_FORMAT, "%s: no examples", path);
    free(text);
    if (st != ASACL_OK) choice_free(out);
    return st;
}

void choice_free(choice_dataset *d)
{
    if (!d) return;
    for (block *b = d->pool_; b;) {
        block *n = b->next;
        free(b);
        b = n;
    }
    free(d->ex);
    memset(d, 0, sizeof *d);
}
