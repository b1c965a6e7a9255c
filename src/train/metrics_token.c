/* metrics_token.c -- token- and entity-level F1 (see metrics_token.h). The
 * entity spans follow seqeval's get_entities / end_of_chunk / start_of_chunk
 * (seqeval.metrics.sequence_labeling, default mode), re-implemented. */
#include <stdlib.h>
#include <string.h>

#include "train/metrics_token.h"

static metric_prf finish(size_t tp, size_t n_pred, size_t n_gold)
{
    metric_prf m = {0, 0, 0, tp, n_pred, n_gold};
    m.precision = n_pred ? (double)tp / (double)n_pred : 0.0;
    m.recall = n_gold ? (double)tp / (double)n_gold : 0.0;
    m.f1 = m.precision + m.recall > 0 ? 2 * m.precision * m.recall / (m.precision + m.recall)
                                      : 0.0;
    return m;
}

metric_prf metric_token_f1(const int *gold, const int *pred, size_t n, int first_label,
                           int num_labels)
{
    size_t tp = 0, n_pred = 0, n_gold = 0;
    for (size_t i = 0; i < n; i++) {
        if (gold[i] < 0) continue;
        int g = gold[i] >= first_label && gold[i] < num_labels;
        int p = pred[i] >= first_label && pred[i] < num_labels;
        n_gold += (size_t)g;
        n_pred += (size_t)p;
        tp += (size_t)(g && p && gold[i] == pred[i]);
    }
    return finish(tp, n_pred, n_gold);
}

/* ---- entities ------------------------------------------------------------------------- */

typedef struct span {
    size_t start, end; /* positions, inclusive */
    int type;
} span;

typedef struct tags {
    char *tag; /* the tag character of each class, [num_labels + 1]; the last is "O" */
    int *type; /* its type id; equal names get equal ids */
} tags;

/* seqeval: tag = chunk[0]; type = chunk[1:].split('-', 1)[-1] or '_'. */
static const char *type_of(const char *name, size_t *len)
{
    const char *rest = name[0] ? name + 1 : name, *dash = strchr(rest, '-');
    const char *t = dash ? dash + 1 : rest;
    *len = strlen(t);
    if (!*len) {
        *len = 1;
        return "_";
    }
    return t;
}

static int make_tags(const char *const *names, int num_labels, tags *t)
{
    t->tag = malloc((size_t)num_labels + 1);
    t->type = malloc(((size_t)num_labels + 1) * sizeof *t->type);
    if (!t->tag || !t->type) return 0;
    for (int k = 0; k <= num_labels; k++) {
        const char *name = k < num_labels ? names[k] : "O";
        t->tag[k] = name[0];
        size_t len, len2;
        const char *ty = type_of(name, &len);
        t->type[k] = k;
        for (int j = 0; j < k; j++) { /* the first class with the same type string */
            const char *ty2 = type_of(j < num_labels ? names[j] : "O", &len2);
            if (len == len2 && !memcmp(ty, ty2, len)) {
                t->type[k] = t->type[j];
                break;
            }
        }
    }
    return 1;
}

static int chunk_end(char pt, char t, int ptype, int type)
{
    if (pt == 'E' || pt == 'S') return 1;
    if ((pt == 'B' || pt == 'I') && (t == 'B' || t == 'S' || t == 'O')) return 1;
    return pt != 'O' && pt != '.' && ptype != type;
}

static int chunk_start(char pt, char t, int ptype, int type)
{
    if (t == 'B' || t == 'S') return 1;
    if ((pt == 'E' || pt == 'S' || pt == 'O') && (t == 'E' || t == 'I')) return 1;
    return t != 'O' && t != '.' && ptype != type;
}

/* The spans of ids over all sentences, as seqeval's get_entities sees a
 * list of sentences: flattened with an "O" after each sentence, then one
 * more "O" at the end; positions whose gold label is < 0 are dropped first.
 * Returns the count written to out. */
static size_t all_spans(const tags *t, int num_labels, const int *ids, const int *gold,
                        const size_t *lengths, size_t n_sent, span *out)
{
    /* seqeval starts with prev_tag 'O', prev_type '' (a type no class has: -1) */
    char pt = 'O';
    int ptype = -1;
    size_t begin = 0, k = 0, pos = 0, off = 0;
    for (size_t s = 0; s <= n_sent; s++) {
        size_t n = s < n_sent ? lengths[s] : 0;
        for (size_t i = 0; i <= n; i++) { /* i == n: the "O" after the sentence */
            if (i < n && gold[off + i] < 0) continue;
            int id = i < n ? ids[off + i] : num_labels;
            if (id < 0 || id >= num_labels) id = num_labels; /* "O" */
            char tag = t->tag[id];
            int type = t->type[id];
            if (chunk_end(pt, tag, ptype, type)) out[k++] = (span){begin, pos - 1, ptype};
            if (chunk_start(pt, tag, ptype, type)) begin = pos;
            pt = tag;
            ptype = type;
            pos++;
        }
        off += n;
    }
    return k;
}

static int span_less(const span *a, const span *b)
{
    if (a->start != b->start) return a->start < b->start;
    if (a->end != b->end) return a->end < b->end;
    return a->type < b->type;
}

static int cmp_span(const void *x, const void *y)
{
    const span *a = x, *b = y;
    return span_less(a, b) ? -1 : span_less(b, a) ? 1 : 0;
}

/* Distinct spans (seqeval compares sets). */
static size_t unique(span *s, size_t n)
{
    qsort(s, n, sizeof *s, cmp_span);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (!k || cmp_span(&s[k - 1], &s[i])) s[k++] = s[i];
    return k;
}

metric_prf metric_entity_f1(const int *gold, const int *pred, const size_t *lengths,
                            size_t n_sent, const char *const *names, int num_labels)
{
    metric_prf none = {0, 0, 0, 0, 0, 0};
    size_t n = 0;
    for (size_t s = 0; s < n_sent; s++) n += lengths[s];
    tags t = {0};
    span *g = malloc((n + n_sent + 2) * sizeof *g), *p = malloc((n + n_sent + 2) * sizeof *p);
    if (!g || !p || !make_tags(names, num_labels, &t)) {
        free(g);
        free(p);
        free(t.tag);
        free(t.type);
        return none;
    }
    size_t ng = all_spans(&t, num_labels, gold, gold, lengths, n_sent, g);
    size_t np = all_spans(&t, num_labels, pred, gold, lengths, n_sent, p);
    ng = unique(g, ng);
    np = unique(p, np);
    size_t tp = 0;
    for (size_t i = 0, j = 0; i < ng && j < np;) {
        int c = cmp_span(&g[i], &p[j]);
        if (c == 0) {
            tp++;
            i++;
            j++;
        } else if (c < 0)
            i++;
        else
            j++;
    }
    free(g);
    free(p);
    free(t.tag);
    free(t.type);
    return finish(tp, np, ng);
}
