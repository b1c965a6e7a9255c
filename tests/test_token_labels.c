/* test_token_labels.c -- words to WordPiece tokens with labels on first
 * pieces (src/data/token_labels.c) against Hugging Face's fast tokenizer
 * with is_split_into_words and the reference's label rule
 * (tests/gen_token_labels_ref.py -> tests/data/tasks/token_labels_expected.json);
 * and RoBERTa's byte-level BPE (bpe_encode_words) against transformers'
 * RobertaTokenizerFast(add_prefix_space=True) with is_split_into_words on
 * the tiny RoBERTa folder's vocabulary (ids and word_ids() printed by
 * transformers 4.44.2, written below). */
#include <cjson/cJSON.h>

#include "data/token_labels.h"
#include "test_util.h"

static void ints(const cJSON *a, int32_t *out, int n)
{
    for (int i = 0; i < n; i++) out[i] = cJSON_GetArrayItem(a, i)->valueint;
}

int main(void)
{
    wp_tokenizer *lower = NULL, *cased = NULL;
    REQUIRE_OK(wp_load(ASACL_TEST_DATA "/vocab_small.txt", 1, &lower));
    REQUIRE_OK(wp_load(ASACL_TEST_DATA "/vocab_small.txt", 0, &cased));
    char *text = NULL;
    size_t size = 0;
    REQUIRE_OK(rt_read_file(ASACL_TEST_DATA "/tasks/token_labels_expected.json", &text, &size));
    cJSON *cases = cJSON_Parse(text);
    CHECK(cJSON_GetArraySize(cases) == 12, "cases");
    int ci = 0;
    const cJSON *c;
    cJSON_ArrayForEach(c, cases)
    {
        const cJSON *jw = cJSON_GetObjectItem(c, "words");
        int nw = cJSON_GetArraySize(jw), T = cJSON_GetObjectItem(c, "max_len")->valueint;
        const char *words[16];
        int labels[16];
        int32_t want_ids[64], want_lab[64], want_first[16], ids[64], seg[64], lab[64], first[16];
        for (int i = 0; i < nw; i++) {
            words[i] = cJSON_GetArrayItem(jw, i)->valuestring;
            labels[i] = cJSON_GetArrayItem(cJSON_GetObjectItem(c, "labels"), i)->valueint;
        }
        ints(cJSON_GetObjectItem(c, "ids"), want_ids, T);
        ints(cJSON_GetObjectItem(c, "token_labels"), want_lab, T);
        ints(cJSON_GetObjectItem(c, "word_first"), want_first, nw);
        int want_len = cJSON_GetObjectItem(c, "length")->valueint, len = -1;
        size_t cut = 99, want_cut = 0;
        for (int i = 0; i < nw; i++) want_cut += want_first[i] < 0;
        const wp_tokenizer *t = cJSON_IsTrue(cJSON_GetObjectItem(c, "lower")) ? lower : cased;
        memset(ids, 0x7f, sizeof ids);
        CHECK_OK(wp_encode_words(t, words, labels, (size_t)nw, T, ids, seg, lab, first, &len, &cut));
        CHECK(len == want_len, "case %d: length %d, want %d", ci, len, want_len);
        CHECK(cut == want_cut, "case %d: %zu words without a token, want %zu", ci, cut, want_cut);
        for (int k = 0; k < T; k++) {
            CHECK(ids[k] == want_ids[k], "case %d token %d: id %d, want %d", ci, k, ids[k],
                  want_ids[k]);
            CHECK(lab[k] == want_lab[k], "case %d token %d: label %d, want %d", ci, k, lab[k],
                  want_lab[k]);
            CHECK(seg[k] == 0, "case %d token %d: segment %d", ci, k, seg[k]);
        }
        for (int i = 0; i < nw; i++)
            CHECK(first[i] == want_first[i], "case %d word %d: first token %d, want %d", ci, i,
                  first[i], want_first[i]);
        /* without labels: the same tokens, every label ignored */
        CHECK_OK(wp_encode_words(t, words, NULL, (size_t)nw, T, ids, seg, lab, NULL, &len, NULL));
        for (int k = 0; k < T; k++)
            CHECK(ids[k] == want_ids[k] && lab[k] == TOKEN_IGNORE, "case %d unlabelled", ci);
        ci++;
    }
    int32_t ids[4], seg[4], lab[4];
    int len;
    const char *w[1] = {"the"};
    CHECK(wp_encode_words(lower, w, NULL, 1, 1, ids, seg, lab, NULL, &len, NULL) ==
              ASACL_ERR_INVALID_ARG,
          "max_seq_len 1");
    /* BPE: input_ids and the first position of each word (from word_ids()). */
    bpe_tokenizer *bpe = NULL;
    REQUIRE_OK(bpe_load(ASACL_TEST_DATA "/hf/roberta_cls/vocab.json",
                        ASACL_TEST_DATA "/hf/roberta_cls/merges.txt", 0, &bpe));
    static const char *const w1[] = {"Hello", "world", "U.S.", "na\xc3\xafve"};
    static const int32_t want1[] = {0, 731, 1062, 82, 478, 593, 481, 17, 54, 17, 306, 68, 131, 111, 394, 2};
    static const int32_t first1[] = {1, 4, 6, 10};
    static const char *const w2[] = {"the", "cat", "sat", "on", "the", "mat", "."};
    static const int32_t want2[] = {0, 273, 274, 275, 264, 275, 379, 273, 300, 275, 1150, 2};
    static const int32_t first2[] = {1, 2, 4, 6, 7, 8, 10};
    const struct {
        const char *const *w;
        size_t nw;
        const int32_t *ids, *first;
        int n;
    } bc[2] = {{w1, 4, want1, first1, 16}, {w2, 7, want2, first2, 12}};
    for (int c = 0; c < 2; c++) {
        int32_t bi[20], bs[20], bl[20], bf[8];
        int labels[8];
        for (size_t k = 0; k < bc[c].nw; k++) labels[k] = (int)k % 3;
        CHECK_OK(bpe_encode_words(bpe, bc[c].w, labels, bc[c].nw, 20, bi, bs, bl, bf, &len, NULL));
        CHECK(len == bc[c].n, "bpe case %d: length %d, transformers %d", c, len, bc[c].n);
        int same = 1;
        for (int k = 0; k < bc[c].n && k < len; k++) same &= bi[k] == bc[c].ids[k] && bs[k] == 0;
        for (int k = len; k < 20; k++) same &= bi[k] == 1 && bl[k] == TOKEN_IGNORE; /* <pad> */
        CHECK(same, "bpe case %d: ids equal transformers'", c);
        for (size_t k = 0; k < bc[c].nw; k++) {
            CHECK(bf[k] == bc[c].first[k], "bpe case %d word %zu: first piece %d, transformers %d", c,
                  k, bf[k], bc[c].first[k]);
            CHECK(bl[bc[c].first[k]] == labels[k], "bpe case %d word %zu: label on its first piece", c, k);
        }
        int labelled = 0;
        for (int k = 0; k < len; k++) labelled += bl[k] != TOKEN_IGNORE;
        CHECK(labelled == (int)bc[c].nw, "bpe case %d: only first pieces labelled", c);
    }
    /* cut at 6: <s> + 4 pieces + </s>; the words after are cut off */
    int32_t bi[6], bs[6], bl[6], bf[4];
    size_t cut = 0;
    CHECK_OK(bpe_encode_words(bpe, w1, NULL, 4, 6, bi, bs, bl, bf, &len, &cut));
    CHECK(len == 6 && bi[5] == 2 && bf[0] == 1 && bf[1] == 4 && bf[2] == -1 && bf[3] == -1 && cut == 2,
          "bpe truncation: length %d, cut %zu", len, cut);
    bpe_free(bpe);
    cJSON_Delete(cases);
    free(text);
    wp_free(lower);
    wp_free(cased);
    return test_finish("test_token_labels");
}
