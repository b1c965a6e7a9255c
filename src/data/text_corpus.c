/* text_corpus.c -- streamed plain-text corpora packed into [CLS] ... [SEP]
 * sequences (see text_corpus.h). One buffer per corpus; a piece (a line, or
 * part of a long one) always starts at the front of the buffer, so where a
 * long line is cut depends only on the file's bytes and the buffer size, and
 * a seek re-reads exactly the piece it left. */
#define _POSIX_C_SOURCE 200809L /* fseeko, strdup */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "base/base.h"
#include "data/text_corpus.h"

struct text_corpus {
    char **paths;
    size_t n_paths;
    const wp_tokenizer *tok;
    text_corpus_opts o;
    int32_t cls, sep, pad;
    /* the file being read: buf[start, end) holds its bytes from buf_off on */
    FILE *f;
    size_t fi;
    char *buf, *piece;
    size_t cap, start, end;
    uint64_t buf_off, line;
    int eof, mid_line;
    int line_text; /* the line being read has had a non-space byte */
    /* the piece whose tokens are being packed */
    int32_t *pend;
    size_t n_pend, pend_pos;
    uint64_t pend_off, pend_line;
    int pend_mid;
    /* documents and passes */
    uint64_t doc, sequences, epoch;
    int doc_open;
};

/* A piece of text; a blank line; only whitespace, part of a longer line
 * (ignored); the end of a file; the end of the last file. */
enum { PIECE_TEXT, PIECE_BLANK, PIECE_SPACE, PIECE_FILE_END, PIECE_PASS_END };

int text_corpus_held_out(uint64_t seed, double valid_fraction, uint64_t d)
{
    if (!(valid_fraction > 0.0)) return 0;
    uint64_t s = seed ^ (0x9e3779b97f4a7c15ull * (d + 1));
    double u = (double)(rt_splitmix64(&s) >> 11) * (1.0 / 9007199254740992.0);
    return u < valid_fraction;
}

static int selected(const text_corpus *c, uint64_t d)
{
    if (c->o.split == TEXT_SPLIT_ALL) return 1;
    return text_corpus_held_out(c->o.seed, c->o.valid_fraction, d) ==
           (c->o.split == TEXT_SPLIT_VALID);
}

static int is_space(unsigned char b)
{
    return b == ' ' || b == '\t' || b == '\r' || b == '\v' || b == '\f' || b == '\n';
}

static void close_file(text_corpus *c)
{
    if (c->f) fclose(c->f);
    c->f = NULL;
    c->start = c->end = 0;
    c->eof = 0;
}

static void drop_pending(text_corpus *c)
{
    free(c->pend);
    c->pend = NULL;
    c->n_pend = c->pend_pos = 0;
}

/* Fills the buffer behind its data; sets eof at the end of the file. */
static asacl_status fill(text_corpus *c)
{
    if (c->start) {
        memmove(c->buf, c->buf + c->start, c->end - c->start);
        c->end -= c->start;
        c->start = 0;
    }
    size_t n = fread(c->buf + c->end, 1, c->cap - c->end, c->f);
    if (n == 0) {
        if (ferror(c->f))
            return rt_fail(ASACL_ERR_IO, "%s:%llu: read error", c->paths[c->fi],
                           (unsigned long long)c->line);
        c->eof = 1;
    }
    c->end += n;
    return ASACL_OK;
}

static asacl_status open_file(text_corpus *c)
{
    const char *path = c->paths[c->fi];
    c->f = fopen(path, "rb");
    if (!c->f) return rt_fail(ASACL_ERR_IO, "%s: cannot open", path);
    if (c->buf_off && fseeko(c->f, (off_t)c->buf_off, SEEK_SET) != 0) {
        close_file(c);
        return rt_fail(ASACL_ERR_IO, "%s: cannot seek to byte %llu", path,
                       (unsigned long long)c->buf_off);
    }
    if (c->buf_off == 0) { /* a UTF-8 byte-order mark */
        while (c->end < 3 && !c->eof) TRY(fill(c));
        if (c->end >= 3 && !memcmp(c->buf, "\xEF\xBB\xBF", 3)) {
            c->start = 3;
            c->buf_off = 3;
        }
    }
    return ASACL_OK;
}

/* Length of the UTF-8 sequence a lead byte starts (1 for invalid bytes). */
static size_t utf8_len(unsigned char b)
{
    return b < 0xC0 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : b < 0xF8 ? 4 : 1;
}

/* Where to cut a full buffer with no line end: after its last whitespace,
 * else before a character it does not hold whole. */
static size_t cut_point(const unsigned char *b, size_t n)
{
    for (size_t i = n; i > 0; i--)
        if (is_space(b[i - 1])) return i;
    for (size_t k = n; k > 0 && k + 4 > n; k--) {
        unsigned char x = b[k - 1];
        if ((x & 0xC0) != 0x80) /* the last lead byte */
            return k - 1 + utf8_len(x) <= n || k == 1 ? n : k - 1;
    }
    return n;
}

/* The next piece. PIECE_TEXT: c->piece holds it (NUL-terminated), *off,
 * *line, *mid say where it starts. */
static asacl_status read_piece(text_corpus *c, int *kind, uint64_t *off, uint64_t *line,
                               int *mid)
{
    if (c->fi >= c->n_paths) {
        *kind = PIECE_PASS_END;
        return ASACL_OK;
    }
    if (!c->f) TRY(open_file(c));
    for (;;) {
        char *s = c->buf + c->start;
        size_t have = c->end - c->start;
        char *nl = memchr(s, '\n', have);
        size_t len, used;
        int ends_line;
        if (nl) {
            len = (size_t)(nl - s);
            used = len + 1;
            ends_line = 1;
        } else if (!c->eof && (c->start > 0 || c->end < c->cap)) {
            TRY(fill(c));
            continue;
        } else if (have == 0) {
            close_file(c);
            c->fi++;
            c->buf_off = 0;
            c->line = 1;
            c->mid_line = 0;
            *kind = PIECE_FILE_END;
            return ASACL_OK;
        } else if (c->eof) { /* the last line, without a line end */
            len = used = have;
            ends_line = 1;
        } else { /* a full buffer and no line end */
            len = used = cut_point((const unsigned char *)s, have);
            ends_line = 0;
        }
        if (memchr(s, 0, len))
            return rt_fail(ASACL_ERR_FORMAT,
                           "%s:%llu: NUL byte in the text (expected UTF-8 text; is the file "
                           "UTF-16 or binary?)",
                           c->paths[c->fi], (unsigned long long)c->line);
        *off = c->buf_off;
        *line = c->line;
        *mid = c->mid_line;
        size_t n = len;
        if (ends_line && n && s[n - 1] == '\r') n--;
        size_t k = 0;
        while (k < n && is_space((unsigned char)s[k])) k++;
        memcpy(c->piece, s, n);
        c->piece[n] = 0;
        if (!c->mid_line) c->line_text = 0;
        if (k < n) c->line_text = 1;
        *kind = k < n ? PIECE_TEXT : ends_line && !c->line_text ? PIECE_BLANK : PIECE_SPACE;
        c->start += used;
        c->buf_off += used;
        if (ends_line) c->line++;
        c->mid_line = !ends_line;
        return ASACL_OK;
    }
}

static asacl_status tokenize_piece(text_corpus *c, uint64_t off, uint64_t line, int mid)
{
    drop_pending(c);
    asacl_status st = wp_tokenize(c->tok, c->piece, &c->pend, &c->n_pend);
    if (st != ASACL_OK) {
        rt_error_context("%s:%llu", c->paths[c->fi < c->n_paths ? c->fi : 0],
                         (unsigned long long)line);
        return st;
    }
    c->pend_pos = 0;
    c->pend_off = off;
    c->pend_line = line;
    c->pend_mid = mid;
    return ASACL_OK;
}

asacl_status text_corpus_open(const char *const *paths, size_t n, const wp_tokenizer *tok,
                              const text_corpus_opts *o, text_corpus **out)
{
    *out = NULL;
    if (!paths || !n || !tok || !o) return rt_fail(ASACL_ERR_INVALID_ARG, "text corpus: no files");
    if (o->max_seq_len < 3)
        return rt_fail(ASACL_ERR_INVALID_ARG,
                       "text corpus: max_seq_len %d cannot hold [CLS], a token and [SEP]",
                       o->max_seq_len);
    if (!(o->valid_fraction >= 0.0 && o->valid_fraction < 1.0))
        return rt_fail(ASACL_ERR_INVALID_ARG,
                       "text corpus: held-out fraction %g (expected 0 <= f < 1)", o->valid_fraction);
    if (o->split != TEXT_SPLIT_ALL && o->split != TEXT_SPLIT_TRAIN && o->split != TEXT_SPLIT_VALID)
        return rt_fail(ASACL_ERR_INVALID_ARG, "text corpus: unknown split %d", (int)o->split);
    if (o->split == TEXT_SPLIT_VALID && o->valid_fraction == 0.0)
        return rt_fail(ASACL_ERR_INVALID_ARG, "text corpus: a held-out split of fraction 0");
    size_t cap = o->buffer_bytes ? o->buffer_bytes : TEXT_CORPUS_BUFFER_DEFAULT;
    if (cap < TEXT_CORPUS_BUFFER_MIN)
        return rt_fail(ASACL_ERR_INVALID_ARG, "text corpus: buffer of %zu bytes (at least %d)",
                       cap, TEXT_CORPUS_BUFFER_MIN);
    for (size_t i = 0; i < n; i++) {
        FILE *f = fopen(paths[i], "rb");
        if (!f) return rt_fail(ASACL_ERR_IO, "%s: cannot open", paths[i]);
        fclose(f);
    }
    text_corpus *c = calloc(1, sizeof *c);
    if (!c) return rt_fail(ASACL_ERR_OUT_OF_MEMORY, "text corpus");
    c->paths = calloc(n, sizeof *c->paths);
    c->buf = malloc(cap);
    c->piece = malloc(cap + 1);
    int ok = c->paths && c->buf && c->piece;
    for (size_t i = 0; ok && i < n; i++) ok = (c->paths[i] = strdup(paths[i])) != NULL;
    c->n_paths = n;
    if (!ok) {
        text_corpus_close(c);
        return rt_fail(ASACL_ERR_OUT_OF_MEMORY, "text corpus");
    }
    c->tok = tok;
    c->o = *o;
    c->o.buffer_bytes = cap;
    c->cap = cap;
    c->cls = wp_id(tok, "[CLS]");
    c->sep = wp_id(tok, "[SEP]");
    c->pad = wp_id(tok, "[PAD]");
    c->line = 1;
    *out = c;
    return ASACL_OK;
}

void text_corpus_close(text_corpus *c)
{
    if (!c) return;
    close_file(c);
    drop_pending(c);
    for (size_t i = 0; c->paths && i < c->n_paths; i++) free(c->paths[i]);
    free(c->paths);
    free(c->buf);
    free(c->piece);
    free(c);
}

static void finish(const text_corpus *c, int32_t *ids, size_t len, int *length)
{
    int L = c->o.max_seq_len;
    if (len) {
        ids[0] = c->cls;
        ids[len + 1] = c->sep;
        len += 2;
    }
    for (size_t i = len; i < (size_t)L; i++) ids[i] = c->pad;
    *length = (int)len;
}

asacl_status text_corpus_next(text_corpus *c, int32_t *ids, int *length)
{
    size_t room = (size_t)c->o.max_seq_len - 2, len = 0;
    *length = 0;
    for (;;) {
        if (c->pend_pos < c->n_pend) {
            size_t left = c->n_pend - c->pend_pos, take = left < room - len ? left : room - len;
            memcpy(ids + 1 + len, c->pend + c->pend_pos, take * sizeof *ids);
            c->pend_pos += take;
            len += take;
            if (len == room) break;
            continue;
        }
        int kind, mid;
        uint64_t off, line;
        TRY(read_piece(c, &kind, &off, &line, &mid));
        if (kind == PIECE_PASS_END) {
            if (!len && !c->sequences) {
                const char *which = c->o.split == TEXT_SPLIT_VALID ? " in the held-out split"
                                    : c->o.split == TEXT_SPLIT_TRAIN ? " in the training split"
                                                                     : "";
                return rt_fail(ASACL_ERR_FORMAT, "%s%s: no text%s (expected lines of text)",
                               c->paths[0], c->n_paths > 1 ? " and the other files" : "", which);
            }
            break;
        }
        if (kind == PIECE_FILE_END || kind == PIECE_BLANK) {
            if (c->doc_open) c->doc++;
            c->doc_open = 0;
            if (len) break;
            continue;
        }
        if (kind == PIECE_SPACE) continue;
        c->doc_open = 1;
        if (!selected(c, c->doc)) continue;
        TRY(tokenize_piece(c, off, line, mid));
    }
    finish(c, ids, len, length);
    if (len) c->sequences++;
    return ASACL_OK;
}

asacl_status text_corpus_rewind(text_corpus *c)
{
    close_file(c);
    drop_pending(c);
    c->fi = 0;
    c->buf_off = 0;
    c->line = 1;
    c->mid_line = 0;
    c->doc = 0;
    c->doc_open = 0;
    c->sequences = 0;
    c->epoch++;
    return ASACL_OK;
}

void text_corpus_tell(const text_corpus *c, text_corpus_pos *p)
{
    memset(p, 0, sizeof *p);
    p->epoch = c->epoch;
    p->file = c->fi;
    if (c->pend_pos < c->n_pend) {
        p->offset = c->pend_off;
        p->line = c->pend_line;
        p->mid_line = (uint64_t)c->pend_mid;
        p->skip = c->pend_pos;
    } else {
        p->offset = c->buf_off;
        p->line = c->line;
        p->mid_line = (uint64_t)c->mid_line;
    }
    p->doc = c->doc;
    p->doc_open = (uint64_t)c->doc_open;
    p->sequences = c->sequences;
    p->buffer_bytes = c->cap;
}

asacl_status text_corpus_seek(text_corpus *c, const text_corpus_pos *p)
{
    if (p->buffer_bytes != c->cap || p->file > c->n_paths || p->mid_line > 1 ||
        p->doc_open > 1 || p->line == 0 || (p->file == c->n_paths && (p->offset || p->skip)))
        return rt_fail(ASACL_ERR_INVALID_ARG,
                       "text corpus: a saved position that does not fit these files or this "
                       "buffer (file %llu of %zu, buffer %llu bytes, here %zu)",
                       (unsigned long long)p->file, c->n_paths,
                       (unsigned long long)p->buffer_bytes, c->cap);
    close_file(c);
    drop_pending(c);
    c->epoch = p->epoch;
    c->fi = (size_t)p->file;
    c->buf_off = p->offset;
    c->line = p->line;
    c->mid_line = (int)p->mid_line;
    c->line_text = c->mid_line; /* a position inside a line follows its text */
    c->doc = p->doc;
    c->doc_open = (int)p->doc_open;
    c->sequences = p->sequences;
    if (!p->skip) return ASACL_OK;
    int kind, mid;
    uint64_t off, line;
    TRY(read_piece(c, &kind, &off, &line, &mid));
    if (kind == PIECE_TEXT) TRY(tokenize_piece(c, off, line, mid));
    if (kind != PIECE_TEXT || p->skip > c->n_pend)
        return rt_fail(ASACL_ERR_FORMAT,
                       "%s:%llu: the saved position (byte %llu, %llu tokens used) does not match "
                       "the file (changed since?)",
                       c->paths[p->file], (unsigned long long)p->line,
                       (unsigned long long)p->offset, (unsigned long long)p->skip);
    c->pend_pos = (size_t)p->skip;
    return ASACL_OK;
}
