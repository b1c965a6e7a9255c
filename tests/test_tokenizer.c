/* test_tokenizer.c -- the WordPiece tokenizer: vocabulary loading and its
 * errors, hand-derived word pieces for each rule, model inputs with
 * truncation, and every case of data/tokenizer_ref.tsv, which Hugging Face's
 * BertTokenizer produced (tests/gen_tokenizer_ref.py). */
#define _POSIX_C_SOURCE 200809L
#include <unistd.h>

#include "data/tokenizer.h"
#include "runtime/runtime.h"
#include "test_util.h"

#define VOCAB ASACL_TEST_DATA "/vocab_small.txt"

/* ---- helpers --------------------------------------------------------------------- */

/* The word pieces of text as tokens joined by spaces. */
static const char *pieces(const wp_tokenizer *t, const char *text)
{
    static char buf[4096];
    int32_t *ids = NULL;
    size_t n = 0;
    buf[0] = 0;
    asacl_status st = wp_tokenize(t, text, &ids, &n);
    if (st != ASACL_OK) {
        snprintf(buf, sizeof buf, "<%s: %s>", asacl_status_str(st), asacl_last_error());
        return buf;
    }
    size_t len = 0;
    for (size_t i = 0; i < n; i++) {
        const char *tok = wp_token(t, ids[i]);
        len += (size_t)snprintf(buf + len, sizeof buf - len, "%s%s", i ? " " : "",
                                tok ? tok : "<bad id>");
        if (len >= sizeof buf) break;
    }
    free(ids);
    return buf;
}

#define EXPECT_PIECES(t, text, want)                                                               \
    do {                                                                                           \
        const char *got_ = pieces(t, text);                                                        \
        CHECK(!strcmp(got_, want), "pieces of \"%s\": got \"%s\", want \"%s\"", text, got_, want); \
    } while (0)

/* "a ##a ##a ..." with n pieces. */
static const char *a_pieces(int n)
{
    static char buf[1024];
    size_t len = 0;
    for (int i = 0; i < n; i++)
        len += (size_t)snprintf(buf + len, sizeof buf - len, i ? " ##a" : "a");
    return buf;
}

static void write_file(const char *path, const char *data, size_t size)
{
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(data, 1, size, f) != size) {
        fprintf(stderr, "cannot write %s\n", path);
        exit(1);
    }
    fclose(f);
}

/* Loading `data` as a vocabulary must fail with `want` and a message that
 * contains `needle`. */
static void expect_vocab_error(const char *dir, const char *data, size_t size, asacl_status want,
                               const char *needle)
{
    char path[512];
    snprintf(path, sizeof path, "%s/vocab.txt", dir);
    write_file(path, data, size);
    wp_tokenizer *t = (wp_tokenizer *)1;
    asacl_status st = wp_load(path, 1, &t);
    CHECK(st == want, "vocab %s: got %s, want %s", needle, asacl_status_str(st),
          asacl_status_str(want));
    CHECK(strstr(asacl_last_error(), needle), "message \"%s\" lacks \"%s\"", asacl_last_error(),
          needle);
    CHECK(t == NULL, "*out is NULL after a failure");
    unlink(path);
}

/* ---- vocabulary -------------------------------------------------------------------- */

static void test_vocab(const wp_tokenizer *t)
{
    CHECK(wp_vocab_size(t) == 104, "vocab size %zu", wp_vocab_size(t));
    CHECK(wp_id(t, "[PAD]") == 0 && wp_id(t, "[UNK]") == 1 && wp_id(t, "[CLS]") == 2 &&
              wp_id(t, "[SEP]") == 3 && wp_id(t, "[MASK]") == 4,
          "special ids");
    CHECK(wp_id(t, "##aff") == 19 && wp_id(t, "中") == 39 && wp_id(t, "##👩") == 73,
          "ids are line numbers from 0");
    CHECK(wp_id(t, "the") == 99, "a repeated token takes its last line: %d", wp_id(t, "the"));
    CHECK(!strcmp(wp_token(t, 5), "the") && !strcmp(wp_token(t, 99), "the"),
          "both lines of a repeated token keep their text");
    CHECK(wp_id(t, "aff") == -1 && wp_id(t, "") == -1 && wp_id(t, "##") == -1, "absent tokens");
    CHECK(wp_token(t, -1) == NULL && wp_token(t, 104) == NULL, "ids out of range");

    /* A vocabulary of 30k tokens is found by hashing: every id comes back. */
    enum { BIG = 30000 };
    static char text[BIG][16];
    static const char *toks[BIG];
    for (int i = 0; i < BIG; i++) {
        snprintf(text[i], sizeof text[i], "%s%d", i % 2 ? "##" : "w", i);
        toks[i] = text[i];
    }
    toks[0] = "[PAD]", toks[1] = "[UNK]", toks[2] = "[CLS]", toks[3] = "[SEP]";
    wp_tokenizer *big = NULL;
    REQUIRE_OK(wp_from_tokens(toks, BIG, 1, &big));
    int bad = 0;
    for (int i = 0; i < BIG; i++) bad += wp_id(big, toks[i]) != i;
    CHECK(bad == 0, "%d of %d ids wrong", bad, BIG);
    CHECK(wp_id(big, "[MASK]") == -1, "no [MASK] in this list");
    EXPECT_PIECES(big, "w10 w105 w1234", "w10 w10 ##5 w1234");
    /* Without a [MASK] token, "[MASK]" is still one word (never split, as in
     * Hugging Face), which no piece matches. */
    EXPECT_PIECES(big, "[MASK]", "[UNK]");
    wp_free(big);
}

static void test_vocab_files(void)
{
    char dir[] = "/tmp/asacl-test-tokenizer-XXXXXX";
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        exit(1);
    }
    /* CRLF, a BOM, no final newline, an empty line. */
    char path[512];
    snprintf(path, sizeof path, "%s/crlf.txt", dir);
    const char crlf[] = "\xEF\xBB\xBF[PAD]\r\n[UNK]\r\n\r\n[CLS]\r\n[SEP]\r\nhello";
    write_file(path, crlf, sizeof crlf - 1);
    wp_tokenizer *t = NULL;
    REQUIRE_OK(wp_load(path, 1, &t));
    CHECK(wp_vocab_size(t) == 6, "6 lines: %zu", wp_vocab_size(t));
    CHECK(wp_id(t, "[PAD]") == 0 && wp_id(t, "[UNK]") == 1 && wp_id(t, "") == 2 &&
              wp_id(t, "[CLS]") == 3 && wp_id(t, "hello") == 5,
          "CRLF lines, BOM skipped, empty token");
    wp_free(t);
    unlink(path);

    const char base[] = "[PAD]\n[UNK]\n[CLS]\n[SEP]\n";
    expect_vocab_error(dir, "", 0, ASACL_ERR_FORMAT, "is empty");
    expect_vocab_error(dir, "\xEF\xBB\xBF", 3, ASACL_ERR_FORMAT, "is empty");
    expect_vocab_error(dir, "[PAD]\n[CLS]\n[SEP]\n", 18, ASACL_ERR_FORMAT, "has no [UNK] token");
    expect_vocab_error(dir, "[UNK]\n[CLS]\n[SEP]\n", 18, ASACL_ERR_FORMAT, "has no [PAD] token");
    expect_vocab_error(dir, "[UNK]\n[PAD]\n[SEP]\n", 18, ASACL_ERR_FORMAT, "has no [CLS] token");
    expect_vocab_error(dir, "[UNK]\n[CLS]\n[PAD]\n", 18, ASACL_ERR_FORMAT, "has no [SEP] token");
    char buf[64];
    snprintf(buf, sizeof buf, "%sab\xC3(\n", base);
    expect_vocab_error(dir, buf, strlen(buf), ASACL_ERR_FORMAT,
                       "vocab.txt:5: the token is not valid UTF-8");
    memcpy(buf, base, sizeof base - 1);
    memcpy(buf + sizeof base - 1, "x\0y\n", 4);
    expect_vocab_error(dir, buf, sizeof base - 1 + 4, ASACL_ERR_FORMAT,
                       "vocab.txt:5: NUL byte in the token");
    snprintf(buf, sizeof buf, "%sok\n\xED\xA0\x80\n", base); /* a surrogate */
    expect_vocab_error(dir, buf, strlen(buf), ASACL_ERR_FORMAT,
                       "vocab.txt:6: the token is not valid UTF-8");
    snprintf(buf, sizeof buf, "%s\xF4\x90\x80\x80\n", base); /* above U+10FFFF */
    expect_vocab_error(dir, buf, strlen(buf), ASACL_ERR_FORMAT,
                       "vocab.txt:5: the token is not valid UTF-8");

    /* Missing file, and a folder. */
    snprintf(path, sizeof path, "%s/absent.txt", dir);
    t = (wp_tokenizer *)1;
    CHECK(wp_load(path, 1, &t) == ASACL_ERR_IO && t == NULL, "missing file is an I/O error");
    CHECK(strstr(asacl_last_error(), "absent.txt"), "message names the file: %s",
          asacl_last_error());
    CHECK(wp_load(dir, 1, &t) == ASACL_ERR_IO, "a folder is an I/O error");
    CHECK(wp_load(NULL, 1, &t) == ASACL_ERR_INVALID_ARG, "NULL path");
    rmdir(dir);

    /* In-memory lists. */
    const char *ok[] = {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "hi", "##s"};
    REQUIRE_OK(wp_from_tokens(ok, 6, 1, &t));
    EXPECT_PIECES(t, "His", "hi ##s");
    wp_free(t);
    CHECK(wp_from_tokens(ok + 1, 5, 1, &t) == ASACL_ERR_INVALID_ARG, "list without [PAD]");
    CHECK(strstr(asacl_last_error(), "the token list has no [PAD] token"), "message: %s",
          asacl_last_error());
    const char *null_tok[] = {"[PAD]", NULL};
    CHECK(wp_from_tokens(null_tok, 2, 1, &t) == ASACL_ERR_INVALID_ARG, "NULL token");
    CHECK(wp_from_tokens(ok, 0, 1, &t) == ASACL_ERR_INVALID_ARG, "empty list");
}

/* ---- word pieces, derived by hand from vocab_small.txt --------------------------------- */

static void test_uncased(const wp_tokenizer *t)
{
    EXPECT_PIECES(t, "The Quick BROWN fox", "the quick brown fox");
    EXPECT_PIECES(t, "Café Déjà vu", "cafe deja vu");
    EXPECT_PIECES(t, "Cafe\xCC\x81 De\xCC\x81ja\xCC\x80", "cafe deja"); /* decomposed */
    EXPECT_PIECES(t, "hello,world!", "hello , world !");
    EXPECT_PIECES(t, "don't", "don ' t");
    EXPECT_PIECES(t, "a+b=x $20 ^`~", "a + [UNK] = x $ 20 ^ ` ~");
    EXPECT_PIECES(t, "x~y|x{a}", "x ~ y [UNK] x [UNK] a [UNK]");
    EXPECT_PIECES(t, "hello！world，the", "hello ！ world ， the"); /* fullwidth Po */
    EXPECT_PIECES(t, "unaffable", "un ##aff ##able");
    EXPECT_PIECES(t, "played playing plays helloworld 2024",
                  "play ##ed play ##ing play ##s hello ##world 20 ##24");
    EXPECT_PIECES(t, "xyzzy unaffx", "[UNK] [UNK]"); /* un ##aff then nothing: one [UNK] */
    EXPECT_PIECES(t, "x×y 20€", "[UNK] [UNK]");      /* symbols other than ASCII join words */

    /* The 100-character limit counts code points after accent stripping. */
    char word[512];
    memset(word, 'a', 101);
    word[100] = 0;
    EXPECT_PIECES(t, word, a_pieces(100));
    word[100] = 'a', word[101] = 0;
    EXPECT_PIECES(t, word, "[UNK]");
    for (int i = 0; i < 100; i++) memcpy(word + 2 * i, "\xC3\x84", 2); /* Ä */
    word[200] = 0;
    EXPECT_PIECES(t, word, a_pieces(100));

    /* CJK gets spaces; Hangul and kana are not CJK and decompose. */
    EXPECT_PIECES(t, "中国人你好", "中 国 人 你 好");
    EXPECT_PIECES(t, "hello中国world", "hello 中 国 world");
    EXPECT_PIECES(t, "한국", "ᄒ ##ᅡ ##ᆫ ##ᄀ ##ᅮ ##ᆨ");
    EXPECT_PIECES(t, "がっこう", "かっこう");

    /* Lower-casing as Python does it, then accents (Mn) dropped. */
    EXPECT_PIECES(t, "ΟΔΟΣ ΣΑΣ", "οδος σας"); /* final sigma */
    /* Case-ignorable characters (' .) are skipped when looking for letters. */
    EXPECT_PIECES(t, "Σ -Σ ΑΣ. ΑΣ'Α Α'Σ", "σ - σ ας . ασ ' [UNK] [UNK] ' ς");
    EXPECT_PIECES(t, "Ελληνικά Привет, мир! Мой", "ελληνικα привет , мир ! мои");
    EXPECT_PIECES(t, "straße İstanbul Łódź", "straße istanbul łodz");
    EXPECT_PIECES(t, "مَرْحَبًا שָׁלוֹם สวัสดี नमस्ते Tiếng", "مرحبا שלום สวสด नमसत tieng");
    EXPECT_PIECES(t, "\xCC\x81 x\xCC\x81", "x"); /* a lone combining mark vanishes */

    /* Clean-up: whitespace splits, control and format characters vanish. */
    EXPECT_PIECES(t, "a\tthe\nfox\rhello\xC2\xA0world\xE3\x80\x80the\xE2\x80\xA8quick",
                  "a the fox hello world the quick");
    EXPECT_PIECES(t, "hel\x01lo wor\x0bld the\x7fquick", "hello world [UNK]");
    /* Soft hyphen, ZWSP, BOM and ZWJ are Cf; the variation selector VS16 is Mn. */
    EXPECT_PIECES(t, "co\xC2\xADop hel\xE2\x80\x8Blo \xEF\xBB\xBFthe 👨\xE2\x80\x8D👩 ❤\xEF\xB8\x8F",
                  "coop hello the 👨 ##👩 ❤");
    EXPECT_PIECES(t, "hel\xEE\x80\x80lo", "hello"); /* private use */
    EXPECT_PIECES(t, "😀 🙂", "😀 [UNK]");
    EXPECT_PIECES(t, "", "");
    EXPECT_PIECES(t, " \t\n ", "");

    /* Special tokens stay whole; lower-case look-alikes do not. */
    EXPECT_PIECES(t, "hello [MASK] world [SEP]x[CLS]", "hello [MASK] world [SEP] x [CLS]");
    EXPECT_PIECES(t, "[cls] [unk] [UNK]", "[ cls ] [ [UNK] ] [UNK]");
    EXPECT_PIECES(t, "[SE\xE2\x80\x8BP]", "[SEP]"); /* whole again once the ZWSP is gone */

    /* Invalid UTF-8: every invalid byte vanishes. */
    EXPECT_PIECES(t, "hel\xFFlo", "hello");
    EXPECT_PIECES(t, "hel\x80lo wor\xBFld", "hello world");              /* lone continuations */
    EXPECT_PIECES(t, "hel\xC0\xAFlo", "hello");                          /* overlong "/" */
    EXPECT_PIECES(t, "hel\xE0\x80\xAFlo", "hello");                      /* overlong, 3 bytes */
    EXPECT_PIECES(t, "hel\xE2\x82lo", "hello");                          /* truncated */
    EXPECT_PIECES(t, "hel\xED\xA0\x80lo", "hello");                      /* a surrogate */
    EXPECT_PIECES(t, "hel\xF4\x90\x80\x80lo", "hello");                  /* above U+10FFFF */
    EXPECT_PIECES(t, "hel\xF8\x88\x80\x80\x80lo \xFC\xFE\xFF", "hello"); /* 0xF8-0xFF */
    EXPECT_PIECES(t, "中\xFF国 the\xF0\x9F\x98", "中 国 the");           /* truncated at the end */
}

static void test_cased(const wp_tokenizer *t)
{
    EXPECT_PIECES(t, "The Quick fox", "The [UNK] fox");
    EXPECT_PIECES(t, "Café Déjà vu", "Café Déjà vu");
    EXPECT_PIECES(t, "Cafe\xCC\x81", "Café"); /* NFC composes */
    EXPECT_PIECES(t, "ΟΔΟΣ Привет Tiếng", "[UNK] [UNK] [UNK]");
    EXPECT_PIECES(t, "नमस्ते 한국 ❤\xEF\xB8\x8F", "नमस्ते 한국 [UNK]");
    EXPECT_PIECES(t, "hello,world! don't", "hello , world ! don ' t");
    EXPECT_PIECES(t, "[MASK] [cls]", "[MASK] [ cls ]");
    /* 60 two-byte characters: under the limit, which counts characters. */
    char word[256] = "";
    for (int i = 0; i < 60; i++) strcat(word, "\xC3\xA9");
    const char *got = pieces(t, word);
    CHECK(!strncmp(got, "é ##é ##é", 11) && strlen(got) == 2 + 59 * 5,
          "60 x é: %.40s... (%zu bytes)", got, strlen(got));
}

/* ---- model inputs -------------------------------------------------------------------- */

static void expect_encoding(const wp_tokenizer *t, const char *a, const char *b, int max_len,
                            const int32_t *want_ids, const int32_t *want_seg, int want_len)
{
    int32_t ids[64], seg[64];
    int len = -1;
    memset(ids, 0x55, sizeof ids);
    memset(seg, 0x55, sizeof seg);
    CHECK_OK(wp_encode(t, a, b, max_len, ids, seg, &len));
    CHECK(len == want_len, "\"%s\" / \"%s\" to %d: length %d, want %d", a, b ? b : "-", max_len,
          len, want_len);
    for (int i = 0; i < max_len && len == want_len; i++) {
        int32_t wi = i < want_len ? want_ids[i] : 0, ws = i < want_len ? want_seg[i] : 0;
        CHECK(ids[i] == wi && seg[i] == ws, "\"%s\" / \"%s\" [%d]: id %d seg %d, want %d %d", a,
              b ? b : "-", i, ids[i], seg[i], wi, ws);
    }
    CHECK(ids[max_len] == 0x55555555, "nothing written past max_seq_len");
}

static void test_encode(const wp_tokenizer *t)
{
    /* [CLS]=2 [SEP]=3 the=99 quick=6 brown=7 fox=8 hello=9 world=10 !=12 [UNK]=1 */
    expect_encoding(t, "the quick brown fox", NULL, 10, (int32_t[]){2, 99, 6, 7, 8, 3},
                    (int32_t[]){0, 0, 0, 0, 0, 0}, 6);
    expect_encoding(t, "the quick brown fox", "hello world", 12,
                    (int32_t[]){2, 99, 6, 7, 8, 3, 9, 10, 3},
                    (int32_t[]){0, 0, 0, 0, 0, 0, 1, 1, 1}, 9);
    expect_encoding(t, "", "", 3, (int32_t[]){2, 3, 3}, (int32_t[]){0, 0, 1}, 3);
    /* Single: cut at the end. */
    expect_encoding(t, "the quick brown fox", NULL, 5, (int32_t[]){2, 99, 6, 7, 3},
                    (int32_t[]){0, 0, 0, 0, 0}, 5);
    expect_encoding(t, "the quick brown fox", NULL, 2, (int32_t[]){2, 3}, (int32_t[]){0, 0}, 2);
    /* Pairs of 3 and 3 into 4: the tie takes from b, then a is longer. */
    expect_encoding(t, "the quick brown", "hello world !", 7, (int32_t[]){2, 99, 6, 3, 9, 10, 3},
                    (int32_t[]){0, 0, 0, 0, 1, 1, 1}, 7);
    expect_encoding(t, "the quick brown", "hello world !", 6, (int32_t[]){2, 99, 6, 3, 9, 3},
                    (int32_t[]){0, 0, 0, 0, 1, 1}, 6);
    /* 5 and 2 into 3: a goes down to 2, then the tie takes from b. */
    expect_encoding(t, "the quick brown fox jumps", "hello world", 6,
                    (int32_t[]){2, 99, 6, 3, 9, 3}, (int32_t[]){0, 0, 0, 0, 1, 1}, 6);
    /* 1 and 4 into 4: b loses one. */
    expect_encoding(t, "hello", "the quick brown fox", 7, (int32_t[]){2, 9, 3, 99, 6, 7, 3},
                    (int32_t[]){0, 0, 0, 1, 1, 1, 1}, 7);
    expect_encoding(t, "the quick brown fox", "hello", 3, (int32_t[]){2, 3, 3},
                    (int32_t[]){0, 0, 1}, 3);

    int32_t ids[4], seg[4];
    int len;
    CHECK(wp_encode(t, "x", NULL, 1, ids, seg, &len) == ASACL_ERR_INVALID_ARG, "single into 1");
    CHECK(strstr(asacl_last_error(), "max_seq_len 1 cannot hold the 2 special tokens"),
          "message: %s", asacl_last_error());
    CHECK(wp_encode(t, "x", "y", 2, ids, seg, &len) == ASACL_ERR_INVALID_ARG, "pair into 2");
    CHECK(strstr(asacl_last_error(), "max_seq_len 2 cannot hold the 3 special tokens of a pair"),
          "message: %s", asacl_last_error());
    CHECK(wp_encode(t, NULL, NULL, 4, ids, seg, &len) == ASACL_ERR_INVALID_ARG, "NULL text");
}

/* ---- the Hugging Face reference ------------------------------------------------------- */

/* Undoes gen_tokenizer_ref.py's escapes in place. */
static void unescape(char *s)
{
    char *o = s;
    for (; *s; s++) {
        if (*s != '\\') {
            *o++ = *s;
            continue;
        }
        s++;
        if (*s == 'x') {
            char hex[3] = {s[1], s[2], 0};
            *o++ = (char)strtol(hex, NULL, 16);
            s += 2;
        } else {
            *o++ = *s == 't' ? '\t' : *s == 'n' ? '\n' : *s == 'r' ? '\r' : *s;
        }
    }
    *o = 0;
}

/* Parses space-separated integers; returns how many. */
static int parse_ints(const char *s, int32_t *v, int cap)
{
    int n = 0;
    char *end;
    for (long x = strtol(s, &end, 10); end != s && n < cap; x = strtol(s, &end, 10)) {
        v[n++] = (int32_t)x;
        s = end;
    }
    return n;
}

#define MAX_REF 256 /* the longest max_len of a reference case */

/* v[0..n) as text, for messages. */
static const char *join(const int32_t *v, int n, char buf[2048])
{
    size_t len = 0;
    buf[0] = 0;
    for (int i = 0; i < n && len < 2000; i++)
        len += (size_t)snprintf(buf + len, 2048 - len, "%s%d", i ? " " : "", (int)v[i]);
    return buf;
}

static void test_reference(wp_tokenizer *const tok[2])
{
    char *data = NULL;
    REQUIRE_OK(rt_read_file(ASACL_TEST_DATA "/tokenizer_ref.tsv", &data, NULL));
    int cases = 0, line_no = 0;
    for (char *line = strtok(data, "\n"); line; line = strtok(NULL, "\n")) {
        line_no++;
        if (line[0] == '#') continue;
        char *f[6];
        int nf = 0;
        for (char *p = line; nf < 6; p++) {
            f[nf++] = p;
            p = strchr(p, '\t');
            if (!p) break;
            *p = 0;
        }
        if (nf != 6) {
            CHECK(0, "tokenizer_ref.tsv:%d: %d fields", line_no, nf);
            continue;
        }
        int lower = atoi(f[0]), max_len = atoi(f[1]);
        int32_t want_ids[MAX_REF], want_seg[MAX_REF], ids[MAX_REF], seg[MAX_REF];
        int n_ids = parse_ints(f[4], want_ids, MAX_REF),
            n_seg = parse_ints(f[5], want_seg, MAX_REF);
        int no_b = !strcmp(f[3], "\\N");
        unescape(f[2]);
        unescape(f[3]);
        int len = 0;
        asacl_status st = max_len <= MAX_REF ? wp_encode(tok[lower != 0], f[2], no_b ? NULL : f[3],
                                                         max_len, ids, seg, &len)
                                             : ASACL_ERR_INVALID_ARG;
        int same = st == ASACL_OK && len == n_ids && n_ids == n_seg;
        for (int i = 0; same && i < len; i++) same = ids[i] == want_ids[i] && seg[i] == want_seg[i];
        char got_s[2048], want_s[2048];
        CHECK(same, "tokenizer_ref.tsv:%d (lower=%d, \"%s\"): %s; ids %s, want %s", line_no, lower,
              f[2], asacl_status_str(st), join(ids, len, got_s), join(want_ids, n_ids, want_s));
        cases++;
    }
    CHECK(cases >= 100, "only %d reference cases", cases);
    printf("  %d reference cases from Hugging Face\n", cases);
    free(data);
}

int main(void)
{
    wp_tokenizer *tok[2] = {NULL, NULL}; /* cased, uncased */
    REQUIRE_OK(wp_load(VOCAB, 0, &tok[0]));
    REQUIRE_OK(wp_load(VOCAB, 1, &tok[1]));
    test_vocab(tok[1]);
    test_vocab_files();
    test_uncased(tok[1]);
    test_cased(tok[0]);
    test_encode(tok[1]);
    test_reference(tok);
    wp_free(tok[0]);
    wp_free(tok[1]);
    wp_free(NULL);
    return test_finish("test_tokenizer");
}
