/* tokenizer.c -- the vocabulary (an open-addressing hash table over the
 * tokens), WordPiece, and model inputs with special tokens and truncation.
 * See tokenizer.h for the behaviour; basic_tokenizer.c splits text into
 * the words WordPiece consumes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/basic_tokenizer.h"
#include "data/tokenizer.h"
#include "base/base.h"

struct wp_tokenizer {
    int do_lower_case;
    size_t n;                      /* vocabulary size */
    char *text;                    /* the tokens, each NUL-terminated */
    char **tok;                    /* tok[id] points into text */
    size_t *len;                   /* strlen(tok[id]) */
    int32_t *slot;                 /* hash table of ids, -1 when empty */
    size_t mask;                   /* table size - 1 (a power of two) */
    int32_t special[WP_N_SPECIAL]; /* ids of [UNK] [SEP] [PAD] [CLS] [MASK], -1 absent */
};

/* ---- vocabulary ---------------------------------------------------------------- */

/* FNV-1a of "##" (when cont) followed by s[0..n). */
static uint64_t hash(int cont, const char *s, size_t n)
{
    uint64_t h = 14695981039346656037u;
    for (int i = 0; i < 2 * cont; i++) h = (h ^ '#') * 1099511628211u;
    for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)s[i]) * 1099511628211u;
    return h;
}

/* The slot holding the token ("##" when cont) + s[0..n), or the empty slot
 * where it would go. The table is at most half full, so one exists. */
static size_t find_slot(const wp_tokenizer *t, int cont, const char *s, size_t n)
{
    size_t pre = cont ? 2 : 0;
    for (size_t i = hash(cont, s, n) & t->mask;; i = (i + 1) & t->mask) {
        int32_t id = t->slot[i];
        if (id < 0) return i;
        const char *tok = t->tok[id];
        if (t->len[id] == n + pre && !memcmp(tok, "##", pre) && !memcmp(tok + pre, s, n)) return i;
    }
}

static int32_t lookup(const wp_tokenizer *t, int cont, const char *s, size_t n)
{
    return t->slot[find_slot(t, cont, s, n)];
}

/* Builds the hash table over t->tok[0..t->n) and finds the special tokens;
 * `missing` is the status for a vocabulary without a required one. */
static asacl_status index_vocab(wp_tokenizer *t, asacl_status missing, const char *origin)
{
    if (t->n > INT32_MAX)
        return rt_fail(missing, "%s: %zu tokens, more than ids can number", origin, t->n);
    size_t cap = 2;
    while (cap < 2 * t->n) cap *= 2;
    t->len = malloc((t->n + 1) * sizeof *t->len);
    t->slot = malloc(cap * sizeof *t->slot);
    if (!t->len || !t->slot)
        return rt_fail(ASACL_ERR_OUT_OF_MEMORY, "indexing %zu tokens of %s", t->n, origin);
    t->mask = cap - 1;
    memset(t->slot, 0xFF, cap * sizeof *t->slot);
    for (size_t id = 0; id < t->n; id++) {
        t->len[id] = strlen(t->tok[id]);
        /* A repeated token takes its last id, as in Hugging Face's load_vocab. */
        t->slot[find_slot(t, 0, t->tok[id], t->len[id])] = (int32_t)id;
    }
    for (int k = 0; k < WP_N_SPECIAL; k++) {
        const char *s = wp_special_tokens[k];
        t->special[k] = lookup(t, 0, s, strlen(s));
        if (t->special[k] < 0 && k != WP_MASK)
            return rt_fail(missing, "%s has no %s token (BERT needs [UNK], [CLS], [SEP], [PAD])",
                           origin, s);
    }
    return ASACL_OK;
}

/* Splits t->text (size bytes, NUL-terminated) into lines in place. */
static asacl_status split_lines(wp_tokenizer *t, size_t size, const char *path)
{
    char *p = t->text, *end = t->text + size;
    if (size >= 3 && !memcmp(p, "\xEF\xBB\xBF", 3)) p += 3;
    if (p == end) return rt_fail(ASACL_ERR_FORMAT, "vocabulary %s is empty", path);
    t->n = end[-1] != '\n';
    for (const char *q = p; q < end; q++) t->n += *q == '\n';
    t->tok = malloc(t->n * sizeof *t->tok);
    if (!t->tok) return rt_fail(ASACL_ERR_OUT_OF_MEMORY, "reading %s", path);
    for (size_t id = 0; id < t->n; id++) {
        char *next = memchr(p, '\n', (size_t)(end - p));
        char *e = next ? next : end;
        *e = 0;
        if (e > p && e[-1] == '\r') *--e = 0;
        for (const char *q = p; q < e;) {
            int32_t c;
            size_t len = wp_utf8_next(q, (size_t)(e - q), &c);
            if (c == 0)
                return rt_fail(ASACL_ERR_FORMAT, "%s:%zu: NUL byte in the token", path, id + 1);
            if (c == 0xFFFD && len == 1)
                return rt_fail(ASACL_ERR_FORMAT, "%s:%zu: the token is not valid UTF-8", path,
                               id + 1);
            q += len;
        }
        t->tok[id] = p;
        if (next) p = next + 1;
    }
    return ASACL_OK;
}

asacl_status wp_load(const char *vocab_path, int do_lower_case, wp_tokenizer **out)
{
    if (!vocab_path || !out) return rt_fail(ASACL_ERR_INVALID_ARG, "wp_load: NULL argument");
    *out = NULL;
    wp_tokenizer *t = calloc(1, sizeof *t);
    if (!t) return rt_fail(ASACL_ERR_OUT_OF_MEMORY, "loading %s", vocab_path);
    t->do_lower_case = do_lower_case;
    size_t size;
    asacl_status st = rt_read_file(vocab_path, &t->text, &size);
    if (st == ASACL_OK) st = split_lines(t, size, vocab_path);
    if (st == ASACL_OK) {
        char origin[1100];
        snprintf(origin, sizeof origin, "vocabulary %s", vocab_path);
        st = index_vocab(t, ASACL_ERR_FORMAT, origin);
    }
    if (st != ASACL_OK) {
        wp_free(t);
        return st;
    }
    *out = t;
    return ASACL_OK;
}

asacl_status wp_from_tokens(const char *const *tokens, size_t n, int do_lower_case,
                            wp_tokenizer **out)
{
    if (!tokens || !out) return rt_fail(ASACL_ERR_INVALID_ARG, "wp_from_tokens: NULL argument");
    *out = NULL;
    size_t total = 1;
    for (size_t i = 0; i < n; i++) {
        if (!tokens[i])
            return rt_fail(ASACL_ERR_INVALID_ARG, "wp_from_tokens: token %zu is NULL", i);
        total += strlen(tokens[i]) + 1;
    }
    wp_tokenizer *t = calloc(1, sizeof *t);
    if (t) t->text = malloc(total);
    if (t && t->text) t->tok = malloc((n + 1) * sizeof *t->tok);
    if (!t || !t->tok) {
        wp_free(t);
        return rt_fail(ASACL_ERR_OUT_OF_MEMORY, "copying %zu tokens", n);
    }
    t->do_lower_case = do_lower_case;
    t->n = n;
    char *p = t->text;
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(tokens[i]) + 1;
        t->tok[i] = memcpy(p, tokens[i], len);
        p += len;
    }
    asacl_status st = index_vocab(t, ASACL_ERR_INVALID_ARG, "the token list");
    if (st != ASACL_OK) {
        wp_free(t);
        return st;
    }
    *out = t;
    return ASACL_OK;
}

void wp_free(wp_tokenizer *t)
{
    if (!t) return;
    free(t->text);
    free(t->tok);
    free(t->len);
    free(t->slot);
    free(t);
}

int wp_id(const wp_tokenizer *t, const char *token)
{
    return t && token ? lookup(t, 0, token, strlen(token)) : -1;
}

const char *wp_token(const wp_tokenizer *t, int id)
{
    return t && id >= 0 && (size_t)id < t->n ? t->tok[id] : NULL;
}

size_t wp_vocab_size(const wp_tokenizer *t) { return t ? t->n : 0; }

/* ---- WordPiece --------------------------------------------------------------------- */

typedef struct pieces {
    const wp_tokenizer *t;
    int32_t *ids;
    size_t n, cap;
} pieces;

static asacl_status push(pieces *p, int32_t id)
{
    if (p->n == p->cap) {
        size_t cap = p->cap ? 2 * p->cap : 64;
        int32_t *ids = realloc(p->ids, cap * sizeof *ids);
        if (!ids) return rt_fail(ASACL_ERR_OUT_OF_MEMORY, "collecting %zu word pieces", cap);
        p->ids = ids;
        p->cap = cap;
    }
    p->ids[p->n++] = id;
    return ASACL_OK;
}

/* Greedy longest-match-first over the code points of one word (a wp_word_fn). */
static asacl_status wordpiece(const char *w, size_t n, void *user)
{
    pieces *p = user;
    const wp_tokenizer *t = p->t;
    size_t chars = 0;
    for (size_t i = 0; i < n; i++) chars += ((unsigned char)w[i] & 0xC0) != 0x80;
    if (chars > WP_MAX_WORD_CHARS) return push(p, t->special[WP_UNK]);
    size_t first = p->n;
    for (size_t start = 0; start < n;) {
        size_t end = n;
        int32_t id = -1;
        while (end > start && (id = lookup(t, start > 0, w + start, end - start)) < 0) {
            do end--;
            while (end > start && ((unsigned char)w[end] & 0xC0) == 0x80);
        }
        if (id < 0) { /* no full segmentation: the whole word is [UNK] */
            p->n = first;
            return push(p, t->special[WP_UNK]);
        }
        TRY(push(p, id));
        start = end;
    }
    return ASACL_OK;
}

/* The special token (one the vocabulary has) that starts at s, or -1. */
static int special_at(const wp_tokenizer *t, const char *s)
{
    for (int k = 0; *s == '[' && k < WP_N_SPECIAL; k++) {
        const char *tok = wp_special_tokens[k];
        if (t->special[k] >= 0 && !strncmp(s, tok, strlen(tok))) return k;
    }
    return -1;
}

asacl_status wp_tokenize(const wp_tokenizer *t, const char *text, int32_t **ids, size_t *n)
{
    if (!t || !text || !ids || !n)
        return rt_fail(ASACL_ERR_INVALID_ARG, "wp_tokenize: NULL argument");
    pieces p = {t, NULL, 0, 0};
    asacl_status st = ASACL_OK;
    const char *rest = text; /* the text not yet tokenised */
    for (const char *s = text; *s && st == ASACL_OK;) {
        int k = special_at(t, s);
        if (k < 0) {
            s++;
            continue;
        }
        st = wp_basic_tokenize(rest, (size_t)(s - rest), t->do_lower_case, wordpiece, &p);
        if (st == ASACL_OK) st = push(&p, t->special[k]);
        s += strlen(wp_special_tokens[k]);
        rest = s;
    }
    if (st == ASACL_OK) st = wp_basic_tokenize(rest, strlen(rest), t->do_lower_case, wordpiece, &p);
    if (st != ASACL_OK) {
        free(p.ids);
        return st;
    }
    *ids = p.ids;
    *n = p.n;
    return ASACL_OK;
}

/* ---- model inputs ------------------------------------------------------------------- */

asacl_status wp_encode(const wp_tokenizer *t, const char *a, const char *b, int max_seq_len,
                       int32_t *ids, int32_t *segments, int *length)
{
    if (!t || !a || !ids || !segments || !length)
        return rt_fail(ASACL_ERR_INVALID_ARG, "wp_encode: NULL argument");
    int n_special = b ? 3 : 2;
    if (max_seq_len < n_special)
        return rt_fail(ASACL_ERR_INVALID_ARG,
                       "max_seq_len %d cannot hold the %d special tokens of a %s", max_seq_len,
                       n_special, b ? "pair" : "single text");
    int32_t *va = NULL, *vb = NULL;
    size_t na = 0, nb = 0;
    asacl_status st = wp_tokenize(t, a, &va, &na);
    if (st == ASACL_OK && b) st = wp_tokenize(t, b, &vb, &nb);
    if (st != ASACL_OK) {
        free(va);
        return st;
    }
    truncate_longest_first(&na, &nb, (size_t)(max_seq_len - n_special));
    int k = 0;
    ids[k] = t->special[WP_CLS];
    segments[k++] = 0;
    for (size_t i = 0; i < na; i++) {
        ids[k] = va[i];
        segments[k++] = 0;
    }
    ids[k] = t->special[WP_SEP];
    segments[k++] = 0;
    if (b) {
        for (size_t i = 0; i < nb; i++) {
            ids[k] = vb[i];
            segments[k++] = 1;
        }
        ids[k] = t->special[WP_SEP];
        segments[k++] = 1;
    }
    *length = k;
    for (; k < max_seq_len; k++) {
        ids[k] = t->special[WP_PAD];
        segments[k] = 0;
    }
    free(va);
    free(vb);
    return ASACL_OK;
}
