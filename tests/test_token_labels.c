/* test_token_labels.c -- words to WordPiece tokens with labels on first
 * pieces (src/data/token_labels.c) against Hugging Face's fast tokenizer
 * with is_split_into_words and the reference's label rule
 * (tests/gen_token_labels_ref.py -> tests/data/tasks/token_labels_expected.json). */
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
    cJSON_Delete(cases);
    free(text);
    wp_free(lower);
    wp_free(cased);
    return test_finish("test_token_labels");
}
