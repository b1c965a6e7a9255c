/* bpe.c -- byte-level BPE: the symbol table (every string of vocab.json and
 * merges.txt, interned), the merge table (a hash map from a pair of symbols
 * to its rank and result), merging with a heap, special tokens and model
 * inputs. See bpe.h for the behaviour and bpe_pretok.c for the text side. */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/basic_tokenizer.h"
#include "data/bpe.h"
#include "data/bpe_pretok.h"
#include "base/base.h"

const char *const bpe_special_tokens[BPE_N_SPECIAL] = {"<s>", "<pad>", "</s>", "<unk>", "<mask>"};

struct bpe_tokenizer {
    int add_prefix_space;
    /* Symbols: 0-255 are the characters of the bytes (bpe_byte_char), then
     * the tokens of vocab.json and the strings of merges.txt. */
    char *chars;               /* the symbols' text, each NUL-terminated */
    size_t chars_len, chars_cap;
    size_t *sym_off;           /* symbol -> offset in chars */
    uint32_t *sym_len;         /* symbol -> length in bytes */
    int32_t *sym_id;           /* symbol -> vocabulary id, -1 when not in vocab.json */
    size_t n_sym, sym_cap;
    int32_t *sym_slot;         /* hash table of symbols, -1 when empty */
    size_t sym_mask;           /* its size - 1 (a power of two) */
    /* Merges: the pair (a, b) at key[i] = a << 32 | b has rank[i] and makes res[i]. */
    uint64_t *mkey;
    int32_t *mrank, *mres;
    size_t mmask;
    int32_t *id_sym; /* id -> symbol, -1 for an id no token has */
    size_t n_ids;    /* the largest id + 1 */
    int32_t special[BPE_N_SPECIAL]; /* ids, -1 when absent */
};

#define NO_KEY UINT64_MAX

/* ---- symbols --------------------------------------------------------------------------- */

static uint64_t hash(const char *s, size_t n)
{
    uint64_t h = 14695981039346656037u;
    for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)s[i]) * 1099511628211u;
    return h;
}

static const char *sym_text(const bpe_tokenizer *t, int32_t sym) { return t->chars + t->sym_off[sym]; }

/* The slot holding s[0..n), or the empty slot where it would go. */
static size_t find_slot(const bpe_tokenizer *t, const char *s, size_t n)
{
    for (size_t i = hash(s, n) & t->sym_mask;; i = (i + 1) & t->sym_mask) {
        int32_t sym = t->sym_slot[i];
        if (sym < 0) return i;
        if (t->sym_len[sym] == n && !memcmp(sym_text(t, sym), s, n)) return i;
    }
}

static int32_t find_sym(const bpe_tokenizer *t, const char *s, size_t n)
{
    return t->sym_slot[find_slot(t, s, n)];
}

static asacl_status grow_table(bpe_tokenizer *t)
{
    size_t cap = t->sym_mask ? 2 * (t->sym_mask + 1) : 1024;
    int32_t *slot = malloc(cap * sizeof *slot);
    if (!slot) return rt_fail(ASACL_ERR_OUT_OF_MEMORY, "indexing %zu BPE symbols", t->n_sym);
    memset(slot, 0xFF, cap * sizeof *slot);
    free(t->sym_slot);
    t->sym_slot = slot;
    t->sym_mask = cap - 1;
    for (size_t s = 0; s < t->n_sym; s++)
        t->sym_slot[find_slot(t, sym_text(t, (int32_t)s), t->sym_len[s])] = (int32_t)s;
    return ASACL_OK;
}

/* The symbol of s[0..n), added (without a vocabulary id) if new. */
static asacl_status intern(bpe_tokenizer *t, const char *s, size_t n, int32_t *sym)
{
    size_t slot = find_slot(t, s, n);
    if (t->sym_slot[slot] >= 0) {
        *sym = t->sym_slot[slot];
        return ASACL_OK;
    }
    if (t->n_sym >= INT32_MAX - 1 || n >= UINT32_MAX)
        return rt_fail(ASACL_ERR_FORMAT, "more BPE symbols than ids can number");
    if (t->n_sym == t->sym_cap) {
        size_t cap = t->sym_cap ? 2 * t->sym_cap : 1024;
        size_t *off = realloc(t->sym_off, cap * sizeof *off);
        if (off) t->sym_off = off;
        uint32_t *len = off ? realloc(t->sym_len, cap * sizeof *len) : NULL;
        if (len) t->sym_len = len;
        int32_t *id = len ? realloc(t->sym_id, cap * sizeof *id) : NULL;
        if (!id) return rt_fail(ASACL_ERR_OUT_OF_MEMORY, "storing %zu BPE symbols", cap);
        t->sym_id = id;
        t->sym_cap = cap;
    }
    if (t->chars_len + n + 1 > t->chars_cap) {
        size_t cap = t->chars_cap ? t->chars_cap : 1 << 16;
        while (t->chars_len + n + 1 > cap) cap *= 2;
        char *chars = realloc(t->chars, cap);
        if (!chars) return rt_fail(ASACL_ERR_OUT_OF_MEMORY, "storing BPE symbols (%zu bytes)", cap);
        t->chars = chars;
        t->chars_cap = cap;
    }
    *sym = (int32_t)t->n_sym++;
    t->sym_off[*sym] = t->chars_len;
    t->sym_len[*sym] = (uint32_t)n;
    t->sym_id[*sym] = -1;
    memcpy(t->chars + t->chars_len, s, n);
    t->chars[t->chars_len + n] = 0;
    t->chars_len += n + 1;
    if (2 * t->n_sym > t->sym_mask) return grow_table(t);
    t->sym_slot[slot] = *sym;
    return ASACL_OK;
}

/* Symbols 0-255: the characters of the bytes. */
static asacl_status intern_bytes(bpe_tokenizer *t)
{
    TRY(grow_table(t));
    for (int b = 0; b < 256; b++) {
        unsigned char u[4];
        int32_t sym;
        TRY(intern(t, (const char *)u, bpe_utf8_put(bpe_byte_char((unsigned char)b), u), &sym));
        if (sym != b) return rt_fail(ASACL_ERR_INVALID_ARG, "bytes_to_unicode is not one-to-one");
    }
    return ASACL_OK;
}

/* Why s[0..n) cannot be a token, or NULL. */
static const char *bad_text(const char *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        int32_t c;
        size_t len = wp_utf8_next(s + i, n - i, &c);
        if (c == 0) return "holds a NUL character";
        if (c == 0xFFFD && len == 1) return "is not valid UTF-8";
        i += len;
    }
    return NULL;
}

/* ---- vocab.json ---------------------------------------------------------------------- */

/* "path:line:column" of byte pos of text. */
static void where(const char *path, const char *text, size_t pos, char *buf, size_t cap)
{
    size_t line = 1, col = 1;
    for (size_t i = 0; i < pos; i++) {
        col++;
        if (text[i] == '\n') line++, col = 1;
    }
    snprintf(buf, cap, "%s:%zu:%zu", path, line, col);
}

static asacl_status read_vocab(bpe_tokenizer *t, const char *path)
{
    char *text = NULL;
    size_t size = 0;
    TRY(rt_read_file(path, &text, &size));
    /* Parsed here rather than with json_parse (base/json.h) to report a line number. */
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithLengthOpts(text, size, &end, 0);
    if (root && end)
        while (end < text + size && (*end == ' ' || *end == '\t' || *end == '\r' || *end == '\n'))
            end++;
    asacl_status st = ASACL_OK;
    if (!root || end != text + size) {
        char at[1200];
        where(path, text, end ? (size_t)(end - text) : 0, at, sizeof at);
        st = rt_fail(ASACL_ERR_FORMAT, "%s: %s", at,
                     root ? "text after the JSON object" : "not valid JSON here");
    } else if (!cJSON_IsObject(root)) {
        st = rt_fail(ASACL_ERR_FORMAT, "%s: expected a JSON object of token -> id", path);
    }
    size_t n = 0;
    int32_t *pairs = NULL; /* (id, symbol) per entry */
    if (st == ASACL_OK) {
        n = (size_t)cJSON_GetArraySize(root);
        pairs = malloc((2 * n + 1) * sizeof *pairs);
        if (!pairs) st = rt_fail(ASACL_ERR_OUT_OF_MEMORY, "reading %s", path);
    }
    size_t k = 0;
    int64_t max_id = -1;
    for (cJSON *e = st == ASACL_OK ? root->child : NULL; e && st == ASACL_OK; e = e->next, k++) {
        const char *tok = e->string, *why = bad_text(tok, strlen(tok));
        double v = e->valuedouble;
        int32_t sym = -1;
        if (why) {
            st = rt_fail(ASACL_ERR_FORMAT, "%s: entry %zu: the token %s", path, k + 1, why);
        } else if (!cJSON_IsNumber(e) || v != floor(v) || v < 0 || v > INT32_MAX - 1) {
            st = rt_fail(ASACL_ERR_FORMAT,
                         "%s: entry %zu (\"%.80s\"): expected an integer id from 0 to %d", path,
                         k + 1, tok, INT32_MAX - 1);
        } else if ((st = intern(t, tok, strlen(tok), &sym)) == ASACL_OK && t->sym_id[sym] >= 0) {
            st = rt_fail(ASACL_ERR_FORMAT, "%s: entry %zu: the token \"%.80s\" appears twice", path,
                         k + 1, tok);
        } else if (st == ASACL_OK) {
            t->sym_id[sym] = (int32_t)v;
            pairs[2 * k] = (int32_t)v;
            pairs[2 * k + 1] = sym;
            if (v > max_id) max_id = (int64_t)v;
        }
    }
    if (st == ASACL_OK && n == 0) st = rt_fail(ASACL_ERR_FORMAT, "%s: the vocabulary is empty", path);
    if (st == ASACL_OK) {
        t->n_ids = (size_t)max_id + 1;
        t->id_sym = malloc(t->n_ids * sizeof *t->id_sym);
        if (!t->id_sym) st = rt_fail(ASACL_ERR_OUT_OF_MEMORY, "reading %s", path);
    }
    if (st == ASACL_OK) memset(t->id_sym, 0xFF, t->n_ids * sizeof *t->id_sym);
    for (size_t i = 0; i < n && st == ASACL_OK; i++) {
        int32_t id = pairs[2 * i], sym = pairs[2 * i + 1];
        if (t->id_sym[id] >= 0)
            st = rt_fail(ASACL_ERR_FORMAT, "%s: \"%.80s\" and \"%.80s\" both have id %d", path,
                         sym_text(t, t->id_sym[id]), sym_text(t, sym), (int)id);
        else
            t->id_sym[id] = sym;
    }
    free(pairs);
    cJSON_Delete(root);
    free(text);
    return st;
}

/* ---- merges.txt ---------------------------------------------------------------------- */

static size_t merge_slot(const bpe_tokenizer *t, uint64_t key)
{
    size_t i = (size_t)((key * 0x9E3779B97F4A7C15u) >> 17) & t->mmask;
    while (t->mkey[i] != NO_KEY && t->mkey[i] != key) i = (i + 1) & t->mmask;
    return i;
}

/* The merge of the pair (a, b), or -1. */
static int32_t merge_of(const bpe_tokenizer *t, int32_t a, int32_t b)
{
    size_t i = merge_slot(t, (uint64_t)a << 32 | (uint32_t)b);
    return t->mkey[i] == NO_KEY ? -1 : (int32_t)i;
}

/* One line "a b" at rank: a, b and ab become symbols (the line is changed). */
static asacl_status add_merge(bpe_tokenizer *t, char *line, size_t len, int32_t rank,
                              const char *path, size_t line_no)
{
    char *sp = memchr(line, ' ', len);
    const char *why = bad_text(line, len);
    if (!why && (!sp || sp == line || sp == line + len - 1 || memchr(sp + 1, ' ', len - (size_t)(sp - line) - 1)))
        why = "is not two tokens separated by one space";
    if (why)
        return rt_fail(ASACL_ERR_FORMAT, "%s:%zu: the line \"%.80s\" %s", path, line_no, line, why);
    size_t la = (size_t)(sp - line), lb = len - la - 1;
    int32_t a, b, ab;
    TRY(intern(t, line, la, &a));
    TRY(intern(t, sp + 1, lb, &b));
    memmove(sp, sp + 1, lb);
    TRY(intern(t, line, la + lb, &ab));
    size_t i = merge_slot(t, (uint64_t)a << 32 | (uint32_t)b);
    t->mkey[i] = (uint64_t)a << 32 | (uint32_t)b;
    t->mrank[i] = rank; /* a repeated merge takes its last rank */
    t->mres[i] = ab;
    return ASACL_OK;
}

static asacl_status read_merges(bpe_tokenizer *t, const char *path)
{
    char *text = NULL;
    size_t size = 0;
    TRY(rt_read_file(path, &text, &size));
    size_t lines = 1;
    for (size_t i = 0; i < size; i++) lines += text[i] == '\n';
    size_t cap = 16;
    while (cap < 2 * lines) cap *= 2;
    t->mkey = malloc(cap * sizeof *t->mkey);
    t->mrank = malloc(cap * sizeof *t->mrank);
    t->mres = malloc(cap * sizeof *t->mres);
    asacl_status st = ASACL_OK;
    if (!t->mkey || !t->mrank || !t->mres) st = rt_fail(ASACL_ERR_OUT_OF_MEMORY, "reading %s", path);
    if (st == ASACL_OK) {
        memset(t->mkey, 0xFF, cap * sizeof *t->mkey);
        t->mmask = cap - 1;
    }
    char *p = text, *end = text + size;
    if (size >= 3 && !memcmp(p, "\xEF\xBB\xBF", 3)) p += 3;
    int32_t rank = 0;
    for (size_t line_no = 1; p < end && st == ASACL_OK; line_no++) {
        char *nl = memchr(p, '\n', (size_t)(end - p));
        char *e = nl ? nl : end;
        if (e > p && e[-1] == '\r') e--;
        *e = 0;
        size_t len = (size_t)(e - p);
        if (len > 0 && !(line_no == 1 && !strncmp(p, "#version", 8))) {
            if (rank == INT32_MAX) st = rt_fail(ASACL_ERR_FORMAT, "%s: too many merges", path);
            if (st == ASACL_OK) st = add_merge(t, p, len, rank++, path, line_no);
        }
        p = nl ? nl + 1 : end;
    }
    free(text);
    return st;
}

/* ---- loading ----------------------------------------------------------------------------- */

asacl_status bpe_load(const char *vocab_json, const char *merges_txt, int add_prefix_space,
                      bpe_tokenizer **out)
{
    if (!vocab_json || !merges_txt || !out)
        return rt_fail(ASACL_ERR_INVALID_ARG, "bpe_load: NULL argument");
    *out = NULL;
    bpe_tokenizer *t = calloc(1, sizeof *t);
    if (!t) return rt_fail(ASACL_ERR_OUT_OF_MEMORY, "loading %s", vocab_json);
    t->add_prefix_space = add_prefix_space;
    asacl_status st = intern_bytes(t);
    if (st == ASACL_OK) st = read_vocab(t, vocab_json);
    for (int k = 0; k < BPE_N_SPECIAL && st == ASACL_OK; k++) {
        const char *s = bpe_special_tokens[k];
        int32_t sym = find_sym(t, s, strlen(s));
        t->special[k] = sym >= 0 ? t->sym_id[sym] : -1;
        if (t->special[k] < 0 && k != BPE_MASK)
            st = rt_fail(ASACL_ERR_FORMAT,
                         "%s has no %s token (RoBERTa needs <s>, </s>, <pad> and <unk>)",
                         vocab_json, s);
    }
    if (st == ASACL_OK) st = read_merges(t, merges_txt);
    if (st != ASACL_OK) {
        bpe_free(t);
        return st;
    }
    *out = t;
    return ASACL_OK;
}

void bpe_free(bpe_tokenizer *t)
{
    if (!t) return;
    free(t->chars);
    free(t->sym_off);
    free(t->sym_len);
    free(t->sym_id);
    free(t->sym_slot);
    free(t->mkey);
    free(t->mrank);
    free(t->mres);
    free(t->id_sym);
    free(t);
}

int bpe_id(const bpe_tokenizer *t, const char *token)
{
    if (!t || !token) return -1;
    int32_t sym = find_sym(t, token, strlen(token));
    return sym < 0 ? -1 : t->sym_id[sym];
}

const char *bpe_token(const bpe_tokenizer *t, int id)
{
    if (!t || id < 0 || (size_t)id >= t->n_ids || t->id_sym[id] < 0) return NULL;
    return sym_text(t, t->id_sym[id]);
}

size_t bpe_vocab_size(const bpe_tokenizer *t) { return t ? t->n_ids : 0; }

/* ---- merging -------------------------------------------------------------------------------- */

/* Scratch space of one bpe_tokenize call, grown as pre-tokens need. */
typedef struct work {
    const bpe_tokenizer *t;
    int32_t *ids; /* the output */
    size_t n, cap;
    unsigned char *bytes; /* one pre-token's UTF-8 */
    int32_t *sym, *next, *prev, *pending;
    uint64_t *heap; /* (rank << 32 | position), a min-heap */
    size_t word_cap;
} work;

static asacl_status push_id(work *w, int32_t id)
{
    if (w->n == w->cap) {
        size_t cap = w->cap ? 2 * w->cap : 64;
        int32_t *ids = realloc(w->ids, cap * sizeof *ids);
        if (!ids) return rt_fail(ASACL_ERR_OUT_OF_MEMORY, "collecting %zu BPE tokens", cap);
        w->ids = ids;
        w->cap = cap;
    }
    w->ids[w->n++] = id;
    return ASACL_OK;
}

/* Room for a pre-token of n bytes: the heap holds the first n - 1 pairs
 * and at most two new ones for each of the n - 1 merges. */
static asacl_status reserve(work *w, size_t n)
{
    if (n <= w->word_cap) return ASACL_OK;
    if (n > INT32_MAX / 4)
        return rt_fail(ASACL_ERR_INVALID_ARG, "a word of %zu bytes is more than BPE can merge", n);
    size_t cap = w->word_cap ? w->word_cap : 256;
    while (cap < n) cap *= 2;
    free(w->bytes), free(w->sym), free(w->next), free(w->prev), free(w->pending), free(w->heap);
    w->bytes = malloc(cap);
    w->sym = malloc(cap * sizeof *w->sym);
    w->next = malloc(cap * sizeof *w->next);
    w->prev = malloc(cap * sizeof *w->prev);
    w->pending = malloc(2 * cap * sizeof *w->pending);
    w->heap = malloc(3 * cap * sizeof *w->heap);
    w->word_cap = cap;
    if (w->bytes && w->sym && w->next && w->prev && w->pending && w->heap) return ASACL_OK;
    w->word_cap = 0;
    return rt_fail(ASACL_ERR_OUT_OF_MEMORY, "merging a word of %zu bytes", n);
}

static void heap_push(uint64_t *h, size_t *n, uint64_t v)
{
    size_t i = (*n)++;
    for (; i > 0 && h[(i - 1) / 2] > v; i = (i - 1) / 2) h[i] = h[(i - 1) / 2];
    h[i] = v;
}

static uint64_t heap_pop(uint64_t *h, size_t *n)
{
    uint64_t top = h[0], v = h[--*n];
    size_t i = 0;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= *n) break;
        if (c + 1 < *n && h[c + 1] < h[c]) c++;
        if (h[c] >= v) break;
        h[i] = h[c];
        i = c;
    }
    h[i] = v;
    return top;
}

/* The rank of the pair that starts at symbol p (alive), -1 if it has none. */
static int32_t rank_at(const work *w, int32_t p, size_t n)
{
    if (w->next[p] >= (int32_t)n) return -1;
    int32_t m = merge_of(w->t, w->sym[p], w->sym[w->next[p]]);
    return m < 0 ? -1 : w->t->mrank[m];
}

static void push_pair(work *w, size_t *heap_n, int32_t p, size_t n)
{
    int32_t r = p >= 0 ? rank_at(w, p, n) : -1;
    if (r >= 0) heap_push(w->heap, heap_n, (uint64_t)r << 32 | (uint32_t)p);
}

/* BPE over w->bytes[0..n): the pair of lowest rank is merged everywhere,
 * left to right, before the next rank is looked at (as the slow tokenizer's
 * loop over min(pairs)). Pairs a merge creates wait in `pending` until the
 * current rank is done; heap entries whose pair has changed are skipped. */
static asacl_status merge_word(work *w, size_t n)
{
    const bpe_tokenizer *t = w->t;
    size_t heap_n = 0, n_pending = 0;
    for (size_t i = 0; i < n; i++) {
        w->sym[i] = w->bytes[i];
        w->next[i] = (int32_t)i + 1;
        w->prev[i] = (int32_t)i - 1;
    }
    for (size_t i = 0; i + 1 < n; i++) push_pair(w, &heap_n, (int32_t)i, n);
    int32_t cur = -1;
    for (;;) {
        if (heap_n == 0 || (int32_t)(w->heap[0] >> 32) != cur) {
            for (size_t k = 0; k < n_pending; k++)
                if (w->next[w->pending[k]] >= 0) push_pair(w, &heap_n, w->pending[k], n);
            n_pending = 0;
            if (heap_n == 0) break;
            cur = (int32_t)(w->heap[0] >> 32);
        }
        int32_t p = (int32_t)(heap_pop(w->heap, &heap_n) & 0xFFFFFFFF);
        if (w->next[p] < 0 || rank_at(w, p, n) != cur) continue; /* gone or changed */
        int32_t q = w->next[p];
        w->sym[p] = t->mres[merge_of(t, w->sym[p], w->sym[q])];
        w->next[p] = w->next[q];
        if (w->next[q] < (int32_t)n) w->prev[w->next[q]] = p;
        w->next[q] = -1; /* merged away */
        if (w->prev[p] >= 0) w->pending[n_pending++] = w->prev[p];
        w->pending[n_pending++] = p;
    }
    for (int32_t i = 0; i < (int32_t)n; i = w->next[i]) {
        int32_t id = t->sym_id[w->sym[i]];
        TRY(push_id(w, id >= 0 ? id : t->special[BPE_UNK]));
    }
    return ASACL_OK;
}

/* Pre-tokenises and merges cp[0..n) (text without special tokens). */
static asacl_status tokenize_span(work *w, const int32_t *cp, size_t n)
{
    for (size_t i = 0; i < n;) {
        size_t e = bpe_pretoken_end(cp, n, i), len = 0;
        TRY(reserve(w, 4 * (e - i)));
        for (; i < e; i++) len += bpe_utf8_put(cp[i], w->bytes + len);
        TRY(merge_word(w, len));
    }
    return ASACL_OK;
}

/* The special token (one the vocabulary has) that starts at cp[i], or -1. */
static int special_at(const bpe_tokenizer *t, const int32_t *cp, size_t n, size_t i)
{
    for (int k = 0; cp[i] == '<' && k < BPE_N_SPECIAL; k++) {
        const char *s = bpe_special_tokens[k];
        size_t len = strlen(s), j = 0;
        while (j < len && i + j < n && cp[i + j] == (unsigned char)s[j]) j++;
        if (j == len && t->special[k] >= 0) return k;
    }
    return -1;
}

asacl_status bpe_tokenize(const bpe_tokenizer *t, const char *text, int32_t **ids, size_t *n)
{
    if (!t || !text || !ids || !n) return rt_fail(ASACL_ERR_INVALID_ARG, "bpe_tokenize: NULL argument");
    size_t len = strlen(text), ncp = 0;
    int32_t *cp = malloc((len + 1) * sizeof *cp);
    if (!cp) return rt_fail(ASACL_ERR_OUT_OF_MEMORY, "decoding %zu bytes of text", len);
    for (size_t i = 0; i < len;) {
        i += bpe_utf8_next(text + i, len - i, &cp[ncp + 1]);
        ncp++;
    }
    /* cp[1..ncp] holds the text; cp[0] is the prefix space if there is one. */
    size_t start = 1;
    if (t->add_prefix_space && ncp > 0 && !bpe_is_py_space(cp[1])) {
        cp[0] = ' ';
        start = 0;
    }
    work w = {.t = t};
    asacl_status st = ASACL_OK;
    size_t end = ncp + 1, rest = start; /* rest: start of the text not yet tokenised */
    for (size_t i = start; i < end && st == ASACL_OK;) {
        int k = special_at(t, cp, end, i);
        if (k < 0) {
            i++;
            continue;
        }
        size_t stop = i;
        if (k == BPE_MASK) /* lstrip */
            while (stop > rest && bpe_is_py_space(cp[stop - 1])) stop--;
        st = tokenize_span(&w, cp + rest, stop - rest);
        if (st == ASACL_OK) st = push_id(&w, t->special[k]);
        i += strlen(bpe_special_tokens[k]);
        rest = i;
    }
    if (st == ASACL_OK) st = tokenize_span(&w, cp + rest, end - rest);
    free(cp);
    free(w.bytes), free(w.sym), free(w.next), free(w.prev), free(w.pending), free(w.heap);
    if (st != ASACL_OK) {
        free(w.ids);
        return st;
    }
    *ids = w.ids;
    *n = w.n;
    return ASACL_OK;
}

/* ---- model inputs ----------------------------------------------------------------------------- */

asacl_status bpe_encode(const bpe_tokenizer *t, const char *a, const char *b, int max_seq_len,
                        int32_t *ids, int32_t *segments, int *length)
{
    if (!t || !a || !ids || !segments || !length)
        return rt_fail(ASACL_ERR_INVALID_ARG, "bpe_encode: NULL argument");
    int n_special = b ? 4 : 2;
    if (max_seq_len < n_special)
        return rt_fail(ASACL_ERR_INVALID_ARG,
                       "max_seq_len %d cannot hold the %d special tokens of a %s", max_seq_len,
                       n_special, b ? "pair" : "single text");
    int32_t *va = NULL, *vb = NULL;
    size_t na = 0, nb = 0;
    asacl_status st = bpe_tokenize(t, a, &va, &na);
    if (st == ASACL_OK && b) st = bpe_tokenize(t, b, &vb, &nb);
    if (st != ASACL_OK) {
        free(va);
        return st;
    }
    truncate_longest_first(&na, &nb, (size_t)(max_seq_len - n_special));
    int k = 0;
    ids[k++] = t->special[BPE_BOS];
    for (size_t i = 0; i < na; i++) ids[k++] = va[i];
    ids[k++] = t->special[BPE_EOS];
    if (b) {
        ids[k++] = t->special[BPE_EOS];
        for (size_t i = 0; i < nb; i++) ids[k++] = vb[i];
        ids[k++] = t->special[BPE_EOS];
    }
    *length = k;
    for (int i = 0; i < max_seq_len; i++) segments[i] = 0;
    for (; k < max_seq_len; k++) ids[k] = t->special[BPE_PAD];
    free(va);
    free(vb);
    return ASACL_OK;
}
