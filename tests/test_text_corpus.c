/* test_text_corpus.c -- the streamed text corpus (src/data/text_corpus.c)
 * against an independent, whole-file reference of its packing rule written
 * here (lines split at "\n", "\r" stripped, whitespace lines as boundaries,
 * each line tokenised whole), for many sequence lengths and buffer sizes down
 * to the minimum (where long lines are cut into pieces); resume from every
 * position; the held-out split; hand-checked sequences; and the errors. */
#include <stdint.h>

#include "base/base.h"
#include "data/text_corpus.h"
#include "data/tokenizer.h"
#include "test_util.h"

#define DATA ASACL_TEST_DATA "/text/"
#define MAXLEN 64
#define MAXSEQ 512

static wp_tokenizer *tok;

typedef struct seqs {
    int32_t ids[MAXSEQ][MAXLEN];
    int len[MAXSEQ];
    uint64_t doc[MAXSEQ];
    text_corpus_pos after[MAXSEQ]; /* position after sequence i (reader only) */
    size_t n;
} seqs;

static seqs want, got, again;

static int is_ws(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; }

/* The reference: the packing rule of text_corpus.h on whole files (lines
 * tokenised whole, a document's tokens cut into blocks of max_seq_len - 2). */
static void ref_pack(const char *const *paths, size_t np, int L, seqs *out)
{
    int32_t cls = wp_id(tok, "[CLS]"), sep = wp_id(tok, "[SEP]"), pad = wp_id(tok, "[PAD]");
    size_t room = (size_t)L - 2;
    out->n = 0;
    uint64_t doc = 0;
    int doc_open = 0;
    int32_t cur[MAXLEN];
    size_t len = 0;
#define EMIT()                                                                  \
    do {                                                                        \
        if (len) {                                                              \
            if (out->n == MAXSEQ) {                                             \
                fprintf(stderr, "more than %d sequences: raise MAXSEQ\n", MAXSEQ);  \
                exit(1);                                                        \
            }                                                                   \
            int32_t *s = out->ids[out->n];                                      \
            s[0] = cls;                                                         \
            memcpy(s + 1, cur, len * sizeof *cur);                              \
            s[len + 1] = sep;                                                   \
            for (size_t q = len + 2; q < (size_t)L; q++) s[q] = pad;            \
            out->len[out->n] = (int)len + 2;                                    \
            out->doc[out->n++] = doc;                                           \
            len = 0;                                                            \
        }                                                                       \
    } while (0)
    for (size_t f = 0; f < np; f++) {
        char *text;
        size_t size;
        REQUIRE_OK(rt_read_file(paths[f], &text, &size));
        char *s = text;
        if (size >= 3 && !memcmp(s, "\xEF\xBB\xBF", 3)) s += 3;
        while (*s) {
            char *nl = strchr(s, '\n');
            size_t n = nl ? (size_t)(nl - s) : strlen(s);
            char *line = s;
            s = nl ? nl + 1 : s + n;
            line[n] = 0;
            if (n && line[n - 1] == '\r') line[--n] = 0;
            size_t k = 0;
            while (k < n && is_ws(line[k])) k++;
            if (k == n) { /* a boundary */
                EMIT();
                if (doc_open) doc++;
                doc_open = 0;
                continue;
            }
            doc_open = 1;
            int32_t *ids;
            size_t m;
            REQUIRE_OK(wp_tokenize(tok, line, &ids, &m));
            for (size_t at = 0; at < m; at++) { /* one token at a time */
                cur[len++] = ids[at];
                if (len == room) EMIT();
            }
            free(ids);
        }
        EMIT();
        if (doc_open) doc++;
        doc_open = 0;
        free(text);
    }
#undef EMIT
}

static void keep_split(const seqs *all, double frac, uint64_t seed, int valid, seqs *out)
{
    out->n = 0;
    for (size_t i = 0; i < all->n; i++) {
        if (text_corpus_held_out(seed, frac, all->doc[i]) != valid) continue;
        memcpy(out->ids[out->n], all->ids[i], sizeof all->ids[i]);
        out->len[out->n] = all->len[i];
        out->doc[out->n++] = all->doc[i];
    }
}

/* One pass of a reader (from where it stands) into out. */
static void read_pass(text_corpus *c, int L, seqs *out)
{
    out->n = 0;
    for (;;) {
        int len;
        int32_t ids[MAXLEN];
        asacl_status st = text_corpus_next(c, ids, &len);
        CHECK(st == ASACL_OK, "text_corpus_next: %s", asacl_last_error());
        if (st != ASACL_OK || len == 0 || out->n == MAXSEQ) break;
        memcpy(out->ids[out->n], ids, (size_t)L * sizeof *ids);
        out->len[out->n] = len;
        text_corpus_tell(c, &out->after[out->n]);
        out->n++;
    }
}

static int same(const seqs *a, const seqs *b, int L, const char *what)
{
    if (a->n != b->n) {
        CHECK(a->n == b->n, "%s: %zu sequences, want %zu", what, a->n, b->n);
        return 0;
    }
    for (size_t i = 0; i < a->n; i++) {
        int eq = a->len[i] == b->len[i] && !memcmp(a->ids[i], b->ids[i], (size_t)L * sizeof(int32_t));
        CHECK(eq, "%s: sequence %zu differs (length %d, want %d)", what, i, a->len[i], b->len[i]);
        if (!eq) return 0;
    }
    return 1;
}

static text_corpus *open_c(const char *const *paths, size_t np, int L, size_t buf, text_split sp,
                           double frac, uint64_t seed)
{
    text_corpus_opts o = {.max_seq_len = L, .split = sp, .valid_fraction = frac, .seed = seed,
                          .buffer_bytes = buf};
    text_corpus *c = NULL;
    REQUIRE_OK(text_corpus_open(paths, np, tok, &o, &c));
    return c;
}

static void test_against_reference(void)
{
    /* a: BOM, CRLF, whitespace-only lines; b: LF, no final line end;
     * c: invalid UTF-8, a line of invalid bytes only, controls, long lines */
    const char *paths[] = {DATA "corpus_a.txt", DATA "corpus_b.txt", DATA "corpus_c.txt"};
    static const int lens[] = {3, 4, 5, 7, 12, 16, 64};
    static const size_t bufs[] = {16, 17, 23, 40, 0};
    size_t configs = 0, resumes = 0;
    for (size_t li = 0; li < sizeof lens / sizeof *lens; li++) {
        int L = lens[li];
        ref_pack(paths, 3, L, &want);
        CHECK(want.n > 10, "the reference packs %zu sequences at length %d", want.n, L);
        for (size_t bi = 0; bi < sizeof bufs / sizeof *bufs; bi++) {
            char what[96];
            snprintf(what, sizeof what, "max_seq_len %d, buffer %zu", L, bufs[bi]);
            text_corpus *c = open_c(paths, 3, L, bufs[bi], TEXT_SPLIT_ALL, 0, 0);
            read_pass(c, L, &got);
            configs++;
            if (!same(&got, &want, L, what)) {
                text_corpus_close(c);
                continue;
            }
            /* a second pass after rewind is the same */
            CHECK_OK(text_corpus_rewind(c));
            read_pass(c, L, &again);
            same(&again, &want, L, what);
            text_corpus_pos p;
            text_corpus_tell(c, &p);
            CHECK(p.epoch == 1, "%s: epoch %llu after one rewind", what, (unsigned long long)p.epoch);
            text_corpus_close(c);
            /* resume from the position after every sequence, in a fresh reader */
            for (size_t k = 0; k < got.n; k++) {
                text_corpus *r = open_c(paths, 3, L, bufs[bi], TEXT_SPLIT_ALL, 0, 0);
                CHECK_OK(text_corpus_seek(r, &got.after[k]));
                read_pass(r, L, &again);
                resumes++;
                size_t rest = got.n - k - 1;
                int ok = again.n == rest;
                for (size_t i = 0; ok && i < rest; i++)
                    ok = again.len[i] == got.len[k + 1 + i] &&
                         !memcmp(again.ids[i], got.ids[k + 1 + i], (size_t)L * sizeof(int32_t));
                CHECK(ok, "%s: resumed after sequence %zu: %zu sequences, want %zu (or different)",
                      what, k, again.n, rest);
                text_corpus_close(r);
            }
        }
    }
    printf("  %zu reader configurations equal the whole-file reference; %zu resumes exact\n",
           configs, resumes);
}

static void test_split(void)
{
    const char *paths[] = {DATA "corpus_a.txt", DATA "corpus_b.txt"};
    const int L = 12;
    ref_pack(paths, 2, L, &want);
    size_t docs = (size_t)want.doc[want.n - 1] + 1;
    CHECK(docs == 19, "%zu documents in the two files, want 4 + 15 (counted by hand)", docs);
    double frac = 0.3;
    uint64_t seed = 11;
    size_t held = 0;
    for (uint64_t d = 0; d < docs; d++) held += (size_t)text_corpus_held_out(seed, frac, d);
    CHECK(held > 0 && held < docs, "%zu of %zu documents held out", held, docs);
    static seqs wt, wv;
    keep_split(&want, frac, seed, 0, &wt);
    keep_split(&want, frac, seed, 1, &wv);
    text_corpus *c = open_c(paths, 2, L, 20, TEXT_SPLIT_TRAIN, frac, seed);
    read_pass(c, L, &got);
    same(&got, &wt, L, "training split");
    text_corpus_close(c);
    c = open_c(paths, 2, L, 0, TEXT_SPLIT_VALID, frac, seed);
    read_pass(c, L, &got);
    same(&got, &wv, L, "held-out split");
    text_corpus_close(c);
    CHECK(wt.n + wv.n == want.n, "train %zu + valid %zu sequences != all %zu", wt.n, wv.n, want.n);
    /* the share over many documents is the fraction (binomial, 5 sigma) */
    size_t n = 100000, k = 0;
    for (uint64_t d = 0; d < n; d++) k += (size_t)text_corpus_held_out(seed, frac, d);
    double sd = sqrt(n * frac * (1 - frac));
    CHECK(fabs((double)k - n * frac) < 5 * sd, "%zu of %zu held out, want %.0f +- %.0f", k, n,
          n * frac, 5 * sd);
    /* another seed holds out other documents */
    size_t diff = 0;
    for (uint64_t d = 0; d < 1000; d++)
        diff += text_corpus_held_out(seed, frac, d) != text_corpus_held_out(seed + 1, frac, d);
    CHECK(diff > 300, "seeds 11 and 12 differ on %zu of 1000 documents", diff);
    printf("  split: %zu train + %zu held-out sequences of %zu, %zu/%zu documents held out; "
           "%zu of %zu over 1e5 documents\n", wt.n, wv.n, want.n, held, docs, k, n);
}

static int id(const char *t) { return wp_id(tok, t); }

static void test_by_hand(void)
{
    /* "the quick brown fox\nhello world\n\n\nthis is a test\n" */
    const char *path = DATA "hand.txt";
    int C = id("[CLS]"), S = id("[SEP]"), P = id("[PAD]"), the = id("the"), q = id("quick"),
        br = id("brown"), fox = id("fox"), he = id("hello"), wo = id("world"), th = id("this"),
        is = id("is"), a = id("a"), te = id("test");
    /* length 8: the first document fills one sequence exactly */
    int32_t w8[2][8] = {{C, the, q, br, fox, he, wo, S}, {C, th, is, a, te, S, P, P}};
    /* length 6: the first document's 6 tokens fill one and a half */
    int32_t w6[3][6] = {{C, the, q, br, fox, S}, {C, he, wo, S, P, P}, {C, th, is, a, te, S}};
    /* length 5: blocks of 3 tokens, the line break no boundary */
    int32_t w5[4][5] = {{C, the, q, br, S}, {C, fox, he, wo, S}, {C, th, is, a, S}, {C, te, S, P, P}};
    struct {
        int L;
        size_t n;
        const int32_t *w;
    } cases[] = {{8, 2, &w8[0][0]}, {6, 3, &w6[0][0]}, {5, 4, &w5[0][0]}};
    for (size_t k = 0; k < 3; k++) {
        int L = cases[k].L;
        text_corpus *c = open_c(&path, 1, L, 0, TEXT_SPLIT_ALL, 0, 0);
        read_pass(c, L, &got);
        CHECK(got.n == cases[k].n, "by hand, length %d: %zu sequences, want %zu", L, got.n,
              cases[k].n);
        for (size_t i = 0; i < got.n && i < cases[k].n; i++)
            CHECK(!memcmp(got.ids[i], cases[k].w + i * (size_t)L, (size_t)L * sizeof(int32_t)),
                  "by hand, length %d: sequence %zu differs", L, i);
        text_corpus_close(c);
    }
}

static void test_long_words(void)
{
    /* 100 x's, then 50 é's (2 bytes each), no whitespace, with a buffer of
     * 17: the x run is cut every 17 bytes, the é run every 16 (a cut at 17
     * would split a character, which must not happen) */
    const char *path = DATA "long_word.txt";
    wp_tokenizer *uncased = tok;
    REQUIRE_OK(wp_load(ASACL_TEST_DATA "/vocab_small.txt", 0, &tok)); /* cased: é stays é */
    text_corpus *c = open_c(&path, 1, 64, 17, TEXT_SPLIT_ALL, 0, 0);
    read_pass(c, 64, &got);
    text_corpus_close(c);
    CHECK(got.n == 1, "%zu sequences, want 1", got.n);
    int unk = id("[UNK]"), e = id("é"), ce = id("##é");
    size_t n_unk = 0, n_e = 0, n_ce = 0;
    for (int t = 1; t + 1 < got.len[0]; t++) {
        int32_t x = got.ids[0][t];
        n_unk += x == unk;
        n_e += x == e;
        n_ce += x == ce;
    }
    /* x*17 is one word of 17 x's: "x" then no "##x" in the vocabulary -> [UNK];
     * 100 = 5*17 + 15 -> 6 pieces; 50 é = 6 pieces of 8 + 2 -> 7 words */
    CHECK(n_unk == 6, "%zu [UNK] for the x run, want 6", n_unk);
    CHECK(n_e == 7 && n_ce == 43, "é run: %zu é + %zu ##é, want 7 + 43 (no character lost)", n_e,
          n_ce);
    CHECK(got.len[0] == 2 + 6 + 50 + 2, "length %d, want 60", got.len[0]);
    wp_free(tok);
    tok = uncased;
}

static void test_errors(void)
{
    const char *nul = DATA "nul.txt", *blank = DATA "blank.txt", *missing = DATA "missing.txt";
    text_corpus *c = open_c(&nul, 1, 16, 0, TEXT_SPLIT_ALL, 0, 0);
    int len;
    int32_t ids[16];
    asacl_status st = text_corpus_next(c, ids, &len);
    CHECK(st == ASACL_OK && len == 6, "the first document of nul.txt reads (%d tokens, want 6)", len);
    st = text_corpus_next(c, ids, &len);
    CHECK(st == ASACL_ERR_FORMAT && strstr(asacl_last_error(), "nul.txt:4: NUL byte"),
          "a NUL byte: %s: %s", asacl_status_str(st), asacl_last_error());
    text_corpus_close(c);
    c = open_c(&blank, 1, 16, 0, TEXT_SPLIT_ALL, 0, 0);
    st = text_corpus_next(c, ids, &len);
    CHECK(st == ASACL_ERR_FORMAT && strstr(asacl_last_error(), "no text"), "blank lines only: %s",
          asacl_last_error());
    text_corpus_close(c);
    text_corpus_opts o = {.max_seq_len = 16};
    st = text_corpus_open(&missing, 1, tok, &o, &c);
    CHECK(st == ASACL_ERR_IO && strstr(asacl_last_error(), "missing.txt"), "missing file: %s",
          asacl_last_error());
    o.max_seq_len = 2;
    st = text_corpus_open(&blank, 1, tok, &o, &c);
    CHECK(st == ASACL_ERR_INVALID_ARG, "max_seq_len 2: %s", asacl_status_str(st));
    o.max_seq_len = 16;
    o.valid_fraction = 1.0;
    st = text_corpus_open(&blank, 1, tok, &o, &c);
    CHECK(st == ASACL_ERR_INVALID_ARG, "fraction 1: %s", asacl_status_str(st));
    o.valid_fraction = 0;
    o.buffer_bytes = 8;
    st = text_corpus_open(&blank, 1, tok, &o, &c);
    CHECK(st == ASACL_ERR_INVALID_ARG, "buffer 8: %s", asacl_status_str(st));
    /* a position from another buffer size, or past the files */
    const char *a = DATA "corpus_a.txt";
    c = open_c(&a, 1, 16, 32, TEXT_SPLIT_ALL, 0, 0);
    CHECK_OK(text_corpus_next(c, ids, &len));
    text_corpus_pos p;
    text_corpus_tell(c, &p);
    text_corpus_close(c);
    c = open_c(&a, 1, 16, 64, TEXT_SPLIT_ALL, 0, 0);
    CHECK(text_corpus_seek(c, &p) == ASACL_ERR_INVALID_ARG, "seek with another buffer size");
    p.buffer_bytes = 64;
    p.file = 5;
    CHECK(text_corpus_seek(c, &p) == ASACL_ERR_INVALID_ARG, "seek past the files");
    /* a position inside a piece that is not text there */
    p.file = 0;
    p.offset = 3;
    p.skip = 1000;
    st = text_corpus_seek(c, &p);
    CHECK(st == ASACL_ERR_FORMAT && strstr(asacl_last_error(), "corpus_a.txt"),
          "seek to a piece with fewer tokens: %s", asacl_last_error());
    text_corpus_close(c);
}

int main(void)
{
    REQUIRE_OK(wp_load(ASACL_TEST_DATA "/vocab_small.txt", 1, &tok));
    test_by_hand();
    test_against_reference();
    test_split();
    test_long_words();
    test_errors();
    wp_free(tok);
    return test_finish("test_text_corpus");
}
