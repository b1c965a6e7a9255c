/* test_bpe.c -- the byte-level BPE tokenizer: bytes_to_unicode, UTF-8
 * decoding, pre-tokens and merges derived by hand, errors for malformed
 * vocab.json and merges.txt, model inputs, and every case of
 * data/bpe/bpe_ref.tsv, which transformers' slow RobertaTokenizer produced
 * from data/bpe/vocab.json + merges.txt (tests/gen_bpe_ref.py). */
#define _POSIX_C_SOURCE 200809L
#include <cjson/cJSON.h>
#include <unistd.h>

#include "data/bpe.h"
#include "data/bpe_pretok.h"
#include "runtime/runtime.h"
#include "test_util.h"

#define BPE_DIR ASACL_TEST_DATA "/bpe"
#define VOCAB BPE_DIR "/vocab.json"
#define MERGES BPE_DIR "/merges.txt"

/* ---- helpers ------------------------------------------------------------------------ */

static void write_file(const char *path, const char *data)
{
    FILE *f = fopen(path, "wb");
    size_t n = strlen(data);
    if (!f || fwrite(data, 1, n, f) != n) {
        fprintf(stderr, "cannot write %s\n", path);
        exit(1);
    }
    fclose(f);
}

/* The ids of text (no <s> </s>) as space-separated numbers. */
static const char *ids_of(const bpe_tokenizer *t, const char *text)
{
    static char buf[8192];
    int32_t *ids = NULL;
    size_t n = 0;
    asacl_status st = bpe_tokenize(t, text, &ids, &n);
    if (st != ASACL_OK) {
        snprintf(buf, sizeof buf, "<%s: %s>", asacl_status_str(st), asacl_last_error());
        return buf;
    }
    size_t len = 0;
    buf[0] = 0;
    for (size_t i = 0; i < n && len < sizeof buf; i++)
        len += (size_t)snprintf(buf + len, sizeof buf - len, "%s%d", i ? " " : "", (int)ids[i]);
    free(ids);
    return buf;
}

#define EXPECT_IDS(t, text, want)                                                             \
    do {                                                                                      \
        const char *got_ = ids_of(t, text);                                                   \
        CHECK(!strcmp(got_, want), "ids of \"%s\": got \"%s\", want \"%s\"", text, got_, want); \
    } while (0)

/* The pre-tokens of text, each in [brackets]. */
static const char *pretokens(const char *text)
{
    static char buf[1024];
    int32_t cp[256];
    size_t n = 0, len = 0, nt = strlen(text);
    for (size_t i = 0; i < nt && n < 256; n++) i += bpe_utf8_next(text + i, nt - i, &cp[n]);
    for (size_t i = 0; i < n;) {
        size_t e = bpe_pretoken_end(cp, n, i);
        if (e <= i || e > n) return "<bad end>";
        buf[len++] = '[';
        for (; i < e; i++) len += bpe_utf8_put(cp[i], (unsigned char *)buf + len);
        buf[len++] = ']';
    }
    buf[len] = 0;
    return buf;
}

#define EXPECT_PRETOKENS(text, want)                                                               \
    do {                                                                                           \
        const char *got_ = pretokens(text);                                                        \
        CHECK(!strcmp(got_, want), "pre-tokens of \"%s\": got \"%s\", want \"%s\"", text, got_, \
              want);                                                                               \
    } while (0)

/* ---- the text side ------------------------------------------------------------------ */

static void test_bytes_to_unicode(void)
{
    CHECK(bpe_byte_char('!') == '!' && bpe_byte_char('A') == 'A' && bpe_byte_char('~') == '~',
          "printable ASCII stands for itself");
    CHECK(bpe_byte_char(0xA1) == 0xA1 && bpe_byte_char(0xAC) == 0xAC && bpe_byte_char(0xAE) == 0xAE &&
              bpe_byte_char(0xFF) == 0xFF,
          "Latin-1 printables stand for themselves");
    /* The 68 others in order: 0x00-0x20 (33), 0x7F-0xA0 (34), 0xAD. */
    CHECK(bpe_byte_char(0x00) == 0x100 && bpe_byte_char(' ') == 0x120 &&
              bpe_byte_char('\n') == 0x10A && bpe_byte_char(0x7F) == 0x121 &&
              bpe_byte_char(0xA0) == 0x142 && bpe_byte_char(0xAD) == 0x143,
          "unprintable bytes: %x %x %x %x %x %x", bpe_byte_char(0), bpe_byte_char(' '),
          bpe_byte_char('\n'), bpe_byte_char(0x7F), bpe_byte_char(0xA0), bpe_byte_char(0xAD));
    int seen[0x144] = {0}, dup = 0;
    for (int b = 0; b < 256; b++) {
        int32_t c = bpe_byte_char((unsigned char)b);
        if (c < 0x21 || c >= 0x144 || seen[c]++) dup++;
    }
    CHECK(dup == 0, "one character for each byte, none of them below '!'");
}

static void test_utf8(void)
{
    struct {
        const char *s;
        int32_t want[4];
        size_t lens[4];
    } cases[] = {
        {"a", {'a'}, {1}},
        {"\xC3\xA9", {0xE9}, {2}},
        {"\xE4\xB8\xAD", {0x4E2D}, {3}},
        {"\xF0\x9F\x98\x80", {0x1F600}, {4}},
        {"\xEF\xBF\xBD", {0xFFFD}, {3}},           /* a real U+FFFD */
        {"\xE2\x82x", {0xFFFD, 'x'}, {2, 1}},      /* truncated: one U+FFFD for two bytes */
        {"\xF0\x9F\x98", {0xFFFD}, {3}},           /* truncated at the end */
        {"\xC3", {0xFFFD}, {1}},
        {"\xED\xA0\x80", {0xFFFD, 0xFFFD, 0xFFFD}, {1, 1, 1}}, /* surrogate: ED cannot take A0 */
        {"\xC0\xAF", {0xFFFD, 0xFFFD}, {1, 1}},    /* overlong: C0 starts nothing */
        {"\xE0\x80\xAF", {0xFFFD, 0xFFFD, 0xFFFD}, {1, 1, 1}},
        {"\xF4\x90\x80\x80", {0xFFFD, 0xFFFD, 0xFFFD, 0xFFFD}, {1, 1, 1, 1}},
        {"\xFF\x80", {0xFFFD, 0xFFFD}, {1, 1}},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        const char *s = cases[k].s;
        size_t n = strlen(s), i = 0;
        for (int j = 0; i < n; j++) {
            int32_t c;
            size_t len = bpe_utf8_next(s + i, n - i, &c);
            CHECK(j < 4 && c == cases[k].want[j] && len == cases[k].lens[j],
                  "case %zu char %d: U+%04X over %zu bytes", k, j, (unsigned)c, len);
            if (j >= 4) break;
            i += len;
        }
    }
    unsigned char out[4];
    CHECK(bpe_utf8_put(0x1F600, out) == 4 && !memcmp(out, "\xF0\x9F\x98\x80", 4), "encode 4 bytes");
    CHECK(bpe_utf8_put(0x120, out) == 2 && !memcmp(out, "\xC4\xA0", 2), "encode Ġ");
}

static void test_classes(void)
{
    const int32_t space[] = {'\t', '\n', 0x0B, 0x0C, '\r', ' ', 0x85, 0xA0, 0x1680, 0x2000, 0x200A,
                             0x2028, 0x2029, 0x202F, 0x205F, 0x3000};
    for (size_t i = 0; i < sizeof space / sizeof space[0]; i++)
        CHECK(bpe_is_space(space[i]) && bpe_is_py_space(space[i]), "U+%04X is \\s",
              (unsigned)space[i]);
    const int32_t not_space[] = {0x1C, 0x1F, 0x200B, 0xFEFF, 0x180E, 'a', 0, 0x08};
    for (size_t i = 0; i < sizeof not_space / sizeof not_space[0]; i++)
        CHECK(!bpe_is_space(not_space[i]), "U+%04X is not \\s", (unsigned)not_space[i]);
    CHECK(bpe_is_py_space(0x1C) && bpe_is_py_space(0x1F) && !bpe_is_py_space(0x200B),
          "str.isspace adds U+001C-U+001F only");
}

static void test_pretokens(void)
{
    EXPECT_PRETOKENS("Hello world", "[Hello][ world]");
    EXPECT_PRETOKENS("Hello, world!", "[Hello][,][ world][!]");
    EXPECT_PRETOKENS("it's they're I'M", "[it]['s][ they]['re][ I]['][M]");
    EXPECT_PRETOKENS("'sup ''s ?'s", "['s][up][ ''][s][ ?'][s]");
    EXPECT_PRETOKENS("abc123def 42", "[abc][123][def][ 42]");
    EXPECT_PRETOKENS("a  b", "[a][ ][ b]");
    EXPECT_PRETOKENS("a   b  ", "[a][  ][ b][  ]");
    EXPECT_PRETOKENS("a\n b", "[a][\n][ b]");
    EXPECT_PRETOKENS("a \nb", "[a][ ][\n][b]");
    EXPECT_PRETOKENS("a\n\nb", "[a][\n][\n][b]");
    EXPECT_PRETOKENS("a\tb", "[a][\t][b]");
    EXPECT_PRETOKENS(" ", "[ ]");
    EXPECT_PRETOKENS("x \xC2\xA0y", "[x][ ][\xC2\xA0][y]"); /* NBSP is \s, but only ' ' joins */
    EXPECT_PRETOKENS("caf\xC3\xA9 e\xCC\x81", "[caf\xC3\xA9][ e][\xCC\x81]"); /* Mn is not L */
    EXPECT_PRETOKENS("\xE4\xB8\xAD\xE5\x9B\xBD\xE4\xBA\xBA x\xC2\xB2",
                     "[\xE4\xB8\xAD\xE5\x9B\xBD\xE4\xBA\xBA][ x][\xC2\xB2]"); /* ² is No */
    EXPECT_PRETOKENS("\x1C" "a \x1F", "[\x1C][a][ \x1F]"); /* U+001C is not \s */
    EXPECT_PRETOKENS("!? \xF0\x9F\x98\x80\xF0\x9F\x98\x80", "[!?][ \xF0\x9F\x98\x80\xF0\x9F\x98\x80]");
}

/* ---- merges on a hand-made vocabulary --------------------------------------------------- */

static void test_hand_vocab(const char *dir)
{
    char vocab[512], merges[512];
    snprintf(vocab, sizeof vocab, "%s/vocab.json", dir);
    snprintf(merges, sizeof merges, "%s/merges.txt", dir);
    write_file(vocab, "{\"<s>\":0,\"<pad>\":1,\"</s>\":2,\"<unk>\":3,\"a\":4,\"b\":5,\"ab\":6,"
                      "\"aba\":7,\"aa\":8,\"\\u0120\":9,\"\\u0120a\":10}");
    /* Not in training order: "ab a" ranks before "a b", which makes "ab".
     * CRLF, no final newline. */
    write_file(merges, "#version: 0.2\r\nab a\r\na b\r\na a\r\n\xC4\xA0 a");
    bpe_tokenizer *t = NULL;
    REQUIRE_OK(bpe_load(vocab, merges, 0, &t));
    CHECK(bpe_vocab_size(t) == 11, "vocab size %zu", bpe_vocab_size(t));
    CHECK(bpe_id(t, "\xC4\xA0" "a") == 10 && bpe_id(t, "<unk>") == 3 && bpe_id(t, "<mask>") == -1 &&
              bpe_id(t, "ba") == -1,
          "ids");
    CHECK(!strcmp(bpe_token(t, 6), "ab") && bpe_token(t, 11) == NULL && bpe_token(t, -1) == NULL,
          "tokens");
    /* The slow RobertaTokenizer (transformers 4.57) gives these: all of one
     * rank merge left to right before the next rank is looked at. */
    EXPECT_IDS(t, "abab", "6 6"); /* a b everywhere, then (ab, ab) has no rank; not "aba b" */
    EXPECT_IDS(t, "ababab", "6 6 6");
    EXPECT_IDS(t, "aaa", "8 4"); /* left to right, no overlap */
    EXPECT_IDS(t, "aaaa", "8 8");
    EXPECT_IDS(t, "aab", "4 6"); /* a b (rank 1) before a a (rank 2) */
    EXPECT_IDS(t, " a a", "10 10");
    EXPECT_IDS(t, "abc", "6 3"); /* c is not in the vocabulary: <unk> */
    EXPECT_IDS(t, "", "");
    /* Without <mask> in the vocabulary the text "<mask>" is not special. */
    int32_t *ids = NULL;
    size_t n = 0;
    CHECK_OK(bpe_tokenize(t, "<mask>", &ids, &n));
    CHECK(n == 6, "<mask> without a <mask> token: %zu ids", n);
    free(ids);
    bpe_free(t);
    unlink(vocab);
    unlink(merges);
}

/* The bytes that ids stand for, appended to out (at most cap bytes);
 * returns the length, or -1 for an id without a token. */
static long decode(const bpe_tokenizer *t, const int32_t *ids, size_t n, char *out, size_t cap)
{
    int inverse[0x144];
    for (int b = 0; b < 256; b++) inverse[bpe_byte_char((unsigned char)b)] = b;
    size_t len = 0;
    for (size_t i = 0; i < n; i++) {
        const char *tok = bpe_token(t, ids[i]);
        if (!tok) return -1;
        for (size_t j = 0, m = strlen(tok); j < m;) {
            int32_t c;
            j += bpe_utf8_next(tok + j, m - j, &c);
            if (c >= 0x144 || len >= cap) return -1;
            out[len++] = (char)inverse[c];
        }
    }
    return (long)len;
}

/* A very long word is merged in O(n log n): a quadratic merge would take
 * far beyond ctest's timeout here, this takes a fraction of a second. The
 * ids must spell the word again. */
static void test_long_word(const bpe_tokenizer *t)
{
    enum { N = 400000 };
    char *text = malloc(N + 1), *back = malloc(N);
    uint32_t x = 1;
    for (int i = 0; i < N; i++) {
        x = x * 1103515245u + 12345u;
        text[i] = "thequickbrownfox"[(x >> 16) % 16];
    }
    text[N] = 0;
    int32_t *ids = NULL;
    size_t n = 0;
    CHECK_OK(bpe_tokenize(t, text, &ids, &n));
    long len = decode(t, ids, n, back, N);
    CHECK(len == N && !memcmp(back, text, N), "the ids of a %d-byte word spell it again", N);
    CHECK(n > 0 && n < N - N / 10, "%zu ids for %d bytes: merges happened", n, N);
    free(ids);
    free(text);
    free(back);
}

/* ---- errors -------------------------------------------------------------------------- */

static void expect_error(const char *dir, const char *vocab_text, const char *merges_text,
                         asacl_status want, const char *needle)
{
    char vocab[512], merges[512];
    snprintf(vocab, sizeof vocab, "%s/vocab.json", dir);
    snprintf(merges, sizeof merges, "%s/merges.txt", dir);
    write_file(vocab, vocab_text);
    write_file(merges, merges_text);
    bpe_tokenizer *t = (bpe_tokenizer *)1;
    asacl_status st = bpe_load(vocab, merges, 0, &t);
    CHECK(st == want, "%s: got %s, want %s", needle, asacl_status_str(st), asacl_status_str(want));
    CHECK(strstr(asacl_last_error(), needle), "message \"%s\" lacks \"%s\"", asacl_last_error(),
          needle);
    CHECK(t == NULL, "*out is NULL after a failure");
    unlink(vocab);
    unlink(merges);
}

static void test_errors(const char *dir)
{
    const char *ok_vocab = "{\"<s>\":0,\"<pad>\":1,\"</s>\":2,\"<unk>\":3,\"a\":4,\"b\":5}\n";
    const char *ok_merges = "#version: 0.2\na b\n";

    /* vocab.json */
    expect_error(dir, "{\"<s>\":0,\n\"<pad>\":1,\n\"</s>\" 2}", ok_merges, ASACL_ERR_FORMAT,
                 "vocab.json:3:8: not valid JSON here");
    expect_error(dir, "{\"<s>\":0} {}", ok_merges, ASACL_ERR_FORMAT,
                 "vocab.json:1:11: text after the JSON object");
    expect_error(dir, "", ok_merges, ASACL_ERR_FORMAT, "vocab.json:1:1: not valid JSON here");
    expect_error(dir, "[\"<s>\"]", ok_merges, ASACL_ERR_FORMAT,
                 "vocab.json: expected a JSON object of token -> id");
    expect_error(dir, "{}", ok_merges, ASACL_ERR_FORMAT, "vocab.json: the vocabulary is empty");
    expect_error(dir, "{\"<s>\":0,\"<pad>\":\"1\"}", ok_merges, ASACL_ERR_FORMAT,
                 "vocab.json: entry 2 (\"<pad>\"): expected an integer id from 0 to 2147483646");
    expect_error(dir, "{\"<s>\":0,\"<pad>\":1.5}", ok_merges, ASACL_ERR_FORMAT,
                 "entry 2 (\"<pad>\"): expected an integer id");
    expect_error(dir, "{\"<s>\":-1}", ok_merges, ASACL_ERR_FORMAT,
                 "entry 1 (\"<s>\"): expected an integer id");
    expect_error(dir, "{\"<s>\":3e9}", ok_merges, ASACL_ERR_FORMAT,
                 "entry 1 (\"<s>\"): expected an integer id");
    expect_error(dir, "{\"<s>\":0,\"x\":1,\"x\":2}", ok_merges, ASACL_ERR_FORMAT,
                 "vocab.json: entry 3: the token \"x\" appears twice");
    expect_error(dir, "{\"<s>\":0,\"x\":1,\"y\":1}", ok_merges, ASACL_ERR_FORMAT,
                 "vocab.json: \"x\" and \"y\" both have id 1");
    expect_error(dir, "{\"<s>\":0,\"x\xC3(\":1}", ok_merges, ASACL_ERR_FORMAT,
                 "vocab.json: entry 2: the token is not valid UTF-8");
    expect_error(dir, "{\"<s>\":0,\"<pad>\":1,\"</s>\":2}", ok_merges, ASACL_ERR_FORMAT,
                 "vocab.json has no <unk> token");
    expect_error(dir, "{\"<pad>\":1,\"</s>\":2,\"<unk>\":3}", ok_merges, ASACL_ERR_FORMAT,
                 "vocab.json has no <s> token");

    /* merges.txt */
    expect_error(dir, ok_vocab, "#version: 0.2\na b\nab\n", ASACL_ERR_FORMAT,
                 "merges.txt:3: the line \"ab\" is not two tokens separated by one space");
    expect_error(dir, ok_vocab, "#version: 0.2\na b c\n", ASACL_ERR_FORMAT,
                 "merges.txt:2: the line \"a b c\" is not two tokens");
    expect_error(dir, ok_vocab, "a b\n a\n", ASACL_ERR_FORMAT,
                 "merges.txt:2: the line \" a\" is not two tokens");
    expect_error(dir, ok_vocab, "a b\r\na \r\n", ASACL_ERR_FORMAT,
                 "merges.txt:2: the line \"a \" is not two tokens");
    expect_error(dir, ok_vocab, "a  b\n", ASACL_ERR_FORMAT, "merges.txt:1: the line \"a  b\"");
    expect_error(dir, ok_vocab, "#version: 0.2\n\na b\nx\xFF y\n", ASACL_ERR_FORMAT,
                 "merges.txt:4: the line \"x\xFF y\" is not valid UTF-8");

    /* Files that are fine: a header-less list, a BOM, empty lines, no merges. */
    char vocab[512], merges[512];
    snprintf(vocab, sizeof vocab, "%s/vocab.json", dir);
    snprintf(merges, sizeof merges, "%s/merges.txt", dir);
    const char *fine[] = {"a b", "\xEF\xBB\xBF#version: 0.2\n\na b\n\n", "", "#version: 0.2\n"};
    for (size_t i = 0; i < 4; i++) {
        write_file(vocab, ok_vocab);
        write_file(merges, fine[i]);
        bpe_tokenizer *t = NULL;
        CHECK_OK(bpe_load(vocab, merges, 0, &t));
        if (t) EXPECT_IDS(t, "ab", i < 2 ? "3" : "4 5"); /* "ab" is not in the vocabulary */
        bpe_free(t);
    }

    /* Missing files, folders, NULL. */
    bpe_tokenizer *t = (bpe_tokenizer *)1;
    char absent[512];
    snprintf(absent, sizeof absent, "%s/absent.json", dir);
    CHECK(bpe_load(absent, MERGES, 0, &t) == ASACL_ERR_IO && t == NULL, "missing vocab.json");
    CHECK(strstr(asacl_last_error(), "absent.json"), "message names the file: %s", asacl_last_error());
    CHECK(bpe_load(VOCAB, absent, 0, &t) == ASACL_ERR_IO && t == NULL, "missing merges.txt");
    CHECK(bpe_load(dir, MERGES, 0, &t) == ASACL_ERR_IO, "a folder");
    CHECK(bpe_load(NULL, MERGES, 0, &t) == ASACL_ERR_INVALID_ARG, "NULL path");
    unlink(vocab);
    unlink(merges);
}

/* ---- model inputs through the public handle ------------------------------------------ */

static void test_public(void)
{
    asacl_tokenizer *tok = NULL;
    REQUIRE_OK(asacl_tokenizer_load_bpe(VOCAB, MERGES, 0, &tok));
    CHECK(asacl_tokenizer_vocab_size(tok) == 2000, "vocab size %zu", asacl_tokenizer_vocab_size(tok));
    CHECK(asacl_tokenizer_token_id(tok, "<s>") == 0 && asacl_tokenizer_token_id(tok, "<pad>") == 1 &&
              asacl_tokenizer_token_id(tok, "</s>") == 2 &&
              asacl_tokenizer_token_id(tok, "<unk>") == 3 &&
              asacl_tokenizer_token_id(tok, "<mask>") == 1999 &&
              asacl_tokenizer_token_id(tok, "[PAD]") == -1,
          "special ids");
    CHECK(asacl_tokenizer_save(tok, "/tmp/never-written.txt") == ASACL_ERR_INVALID_ARG,
          "a BPE vocabulary is not saved as vocab.txt");

    int32_t ids[16], seg[16];
    int len = -1;
    memset(ids, 0x55, sizeof ids);
    memset(seg, 0x55, sizeof seg);
    CHECK_OK(asacl_tokenizer_encode(tok, "Hello world", NULL, 10, ids, seg, &len));
    /* Hello world is 0 [Hello] [ world] 2 in the reference; the rest <pad>. */
    CHECK(len >= 4 && ids[0] == 0 && ids[len - 1] == 2, "<s> ... </s>: length %d", len);
    for (int i = 0; i < 10; i++)
        CHECK(seg[i] == 0 && (i < len || ids[i] == 1), "[%d]: id %d seg %d", i, ids[i], seg[i]);
    CHECK(ids[10] == 0x55555555 && seg[10] == 0x55555555, "nothing written past max_len");
    /* A single text that cannot fit at all is cut to <s> </s> (transformers 5
     * and the fast tokenizer; transformers 4 logs an error and returns it uncut). */
    CHECK_OK(asacl_tokenizer_encode(tok, "The quick brown fox", NULL, 2, ids, seg, &len));
    CHECK(len == 2 && ids[0] == 0 && ids[1] == 2, "cut to <s> </s>: %d %d %d", len, ids[0], ids[1]);
    CHECK_OK(asacl_tokenizer_encode(tok, "The quick", "brown fox", 4, ids, seg, &len));
    CHECK(len == 4 && ids[0] == 0 && ids[1] == 2 && ids[2] == 2 && ids[3] == 2,
          "pair cut to <s> </s> </s> </s>");
    CHECK(asacl_tokenizer_encode(tok, "x", NULL, 1, ids, seg, &len) == ASACL_ERR_INVALID_ARG,
          "single into 1");
    CHECK(strstr(asacl_last_error(), "max_seq_len 1 cannot hold the 2 special tokens"), "message: %s",
          asacl_last_error());
    CHECK(asacl_tokenizer_encode(tok, "x", "y", 3, ids, seg, &len) == ASACL_ERR_INVALID_ARG,
          "pair into 3");
    CHECK(strstr(asacl_last_error(), "max_seq_len 3 cannot hold the 4 special tokens of a pair"),
          "message: %s", asacl_last_error());
    asacl_tokenizer_destroy(tok);

    tok = (asacl_tokenizer *)1;
    CHECK(asacl_tokenizer_load_bpe(VOCAB, ASACL_TEST_DATA "/absent.txt", 0, &tok) == ASACL_ERR_IO,
          "public load reports the failure");
    CHECK(asacl_tokenizer_load_bpe(NULL, MERGES, 0, &tok) == ASACL_ERR_INVALID_ARG, "NULL path");
}

/* ---- the transformers reference ------------------------------------------------------------- */

/* Undoes gen_bpe_ref.py's escapes in place. */
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

#define MAX_REF 8192 /* the longest max_len of a reference case */

static void test_reference(void)
{
    asacl_tokenizer *tok[2] = {NULL, NULL};
    REQUIRE_OK(asacl_tokenizer_load_bpe(VOCAB, MERGES, 0, &tok[0]));
    REQUIRE_OK(asacl_tokenizer_load_bpe(VOCAB, MERGES, 1, &tok[1]));
    char *data = NULL;
    REQUIRE_OK(rt_read_file(BPE_DIR "/bpe_ref.tsv", &data, NULL));
    static int32_t want_ids[MAX_REF + 1], want_seg[MAX_REF + 1], ids[MAX_REF + 1], seg[MAX_REF + 1];
    int cases = 0, bad = 0, line_no = 0;
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
            CHECK(0, "bpe_ref.tsv:%d: %d fields", line_no, nf);
            continue;
        }
        int prefix = atoi(f[0]), max_len = atoi(f[1]);
        if ((prefix != 0 && prefix != 1) || max_len < 2 || max_len > MAX_REF) {
            CHECK(0, "bpe_ref.tsv:%d: bad add_prefix_space or max_len", line_no);
            continue;
        }
        int pair = strcmp(f[3], "\\N") != 0;
        unescape(f[2]);
        if (pair) unescape(f[3]);
        int nw = parse_ints(f[4], want_ids, MAX_REF + 1), ns = parse_ints(f[5], want_seg, MAX_REF + 1);
        int len = -1;
        ids[max_len] = seg[max_len] = 0x55555555;
        asacl_status st =
            asacl_tokenizer_encode(tok[prefix], f[2], pair ? f[3] : NULL, max_len, ids, seg, &len);
        cases++;
        int same = st == ASACL_OK && len == nw && ns == nw && ids[max_len] == 0x55555555;
        for (int i = 0; same && i < len; i++) same = ids[i] == want_ids[i] && seg[i] == want_seg[i];
        for (int i = len; same && i < max_len; i++) same = ids[i] == 1 && seg[i] == 0;
        if (!same) {
            bad++;
            fprintf(stderr, "bpe_ref.tsv:%d (add_prefix_space %d, max_len %d, \"%.60s\"): %s, "
                    "length %d, want %d\n", line_no, prefix, max_len, f[2],
                    st == ASACL_OK ? "differs" : asacl_last_error(), len, nw);
            for (int i = 0; i < len && i < nw; i++)
                if (ids[i] != want_ids[i]) {
                    fprintf(stderr, "  first difference at %d: %d, want %d\n", i, ids[i], want_ids[i]);
                    break;
                }
        }
    }
    CHECK(cases >= 600, "only %d reference cases", cases);
    CHECK(bad == 0, "%d of %d reference cases differ", bad, cases);
    printf("bpe reference: %d cases, %d mismatches\n", cases, bad);
    free(data);
    asacl_tokenizer_destroy(tok[0]);
    asacl_tokenizer_destroy(tok[1]);
}

/* The tiny RoBERTa folder (tests/gen_roberta_folder.py) holds inputs that
 * transformers encoded from its own vocab.json + merges.txt: asacl encodes
 * the same texts to the same ids, padded with <pad>. */
static void test_roberta_folder(void)
{
    const char *dir = ASACL_TEST_DATA "/hf/roberta_cls";
    char vocab[512], merges[512];
    snprintf(vocab, sizeof vocab, "%s/vocab.json", dir);
    snprintf(merges, sizeof merges, "%s/merges.txt", dir);
    asacl_tokenizer *tok = NULL;
    REQUIRE_OK(asacl_tokenizer_load_bpe(vocab, merges, 0, &tok));
    char *text = NULL;
    size_t size = 0;
    REQUIRE_OK(rt_read_file(ASACL_TEST_DATA "/hf/roberta_cls_logits.json", &text, &size));
    cJSON *root = cJSON_ParseWithLength(text, size);
    cJSON *texts = cJSON_GetObjectItem(root, "texts"), *want = cJSON_GetObjectItem(root, "input_ids");
    int n = cJSON_GetArraySize(texts), rows = 0;
    CHECK(n == 4 && cJSON_GetArraySize(want) == n, "4 texts and 4 rows of ids");
    for (int r = 0; r < n && cJSON_GetArraySize(want) == n; r++) {
        cJSON *pair = cJSON_GetArrayItem(texts, r), *row = cJSON_GetArrayItem(want, r);
        const char *a = cJSON_GetStringValue(cJSON_GetArrayItem(pair, 0));
        const char *b = cJSON_GetStringValue(cJSON_GetArrayItem(pair, 1)); /* NULL for null */
        int T = cJSON_GetArraySize(row), len = 0, same = a != NULL && T <= 64;
        int32_t ids[64], seg[64];
        if (same) CHECK_OK(asacl_tokenizer_encode(tok, a, b, T, ids, seg, &len));
        for (int i = 0; same && i < T; i++)
            same = ids[i] == cJSON_GetArrayItem(row, i)->valueint && seg[i] == 0;
        CHECK(same, "row %d (\"%s\"): asacl's ids differ from transformers'", r, a ? a : "?");
        rows += same;
    }
    CHECK(rows == 4, "%d of 4 rows as transformers encoded them", rows);
    cJSON_Delete(root);
    free(text);
    asacl_tokenizer_destroy(tok);
}

int main(void)
{
    test_bytes_to_unicode();
    test_utf8();
    test_classes();
    test_pretokens();

    char dir[] = "/tmp/asacl-test-bpe-XXXXXX";
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    test_hand_vocab(dir);
    test_errors(dir);
    rmdir(dir);

    bpe_tokenizer *t = NULL;
    REQUIRE_OK(bpe_load(VOCAB, MERGES, 0, &t));
    test_long_word(t);
    bpe_free(t);

    test_public();
    test_reference();
    test_roberta_folder();
    return test_finish("test_bpe");
}
