/* fuzz_wordpiece_check.c -- see fuzz_wordpiece_check.h. */
#include "fuzz_wordpiece_check.h"

#include <stdlib.h>

#include "fuzz_util.h"

void fuzz_check_encoding(const wp_tokenizer *t, const char *a, const char *b, int max_seq_len)
{
    int n_vocab = (int)wp_vocab_size(t);
    int32_t *ids = NULL;
    size_t n = 0;
    FUZZ_CHECK(wp_tokenize(t, a, &ids, &n) == ASACL_OK, "any text tokenizes");
    for (size_t i = 0; i < n; i++) FUZZ_CHECK(ids[i] >= 0 && ids[i] < n_vocab, "ids in the vocabulary");
    free(ids);

    int32_t *in = malloc((size_t)max_seq_len * sizeof *in);
    int32_t *seg = malloc((size_t)max_seq_len * sizeof *seg);
    FUZZ_CHECK(in && seg, "memory");
    int len = -1;
    FUZZ_CHECK(wp_encode(t, a, b, max_seq_len, in, seg, &len) == ASACL_OK, "any text encodes");
    int cls = wp_id(t, "[CLS]"), sep = wp_id(t, "[SEP]"), pad = wp_id(t, "[PAD]");
    FUZZ_CHECK(len >= (b ? 3 : 2) && len <= max_seq_len, "the length fits");
    FUZZ_CHECK(in[0] == cls && in[len - 1] == sep, "[CLS] ... [SEP]");
    int in_b = 0;
    for (int i = 0; i < max_seq_len; i++) {
        if (i < len) {
            FUZZ_CHECK(in[i] >= 0 && in[i] < n_vocab, "ids in the vocabulary");
            FUZZ_CHECK(seg[i] == 0 || seg[i] == 1, "segments are 0 or 1");
            if (seg[i] == 1 && !in_b) {
                FUZZ_CHECK(i > 0 && in[i - 1] == sep, "the second segment follows a [SEP]");
                in_b = 1;
            }
            FUZZ_CHECK(seg[i] == 1 || !in_b, "segment 0, then 1");
        } else {
            FUZZ_CHECK(in[i] == pad && seg[i] == 0, "[PAD] with segment 0 after the input");
        }
    }
    FUZZ_CHECK(in_b == (b != NULL), "a second segment exactly for pairs");
    free(in);
    free(seg);
}
