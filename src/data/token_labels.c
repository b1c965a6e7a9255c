/* token_labels.c -- words to WordPiece tokens with labels on first pieces
 * (see token_labels.h). */
#include <stdlib.h>

#include "data/basic_tokenizer.h"
#include "data/token_labels.h"
#include "base/base.h"

asacl_status wp_encode_words(const wp_tokenizer *t, const char *const *words, const int *labels,
                             size_t n_words, int max_seq_len, int32_t *ids, int32_t *segments,
                             int32_t *token_labels, int32_t *word_first, int *length,
                             size_t *n_cut)
{
    if (!t || (!words && n_words) || !ids || !segments || !token_labels || !length)
        return rt_fail(ASACL_ERR_INVALID_ARG, "wp_encode_words: NULL argument");
    if (max_seq_len < 2)
        return rt_fail(ASACL_ERR_INVALID_ARG,
                       "max_seq_len %d cannot hold [CLS] and [SEP]", max_seq_len);
    int cls = wp_id(t, wp_special_tokens[WP_CLS]), sep = wp_id(t, wp_special_tokens[WP_SEP]);
    int pad = wp_id(t, wp_special_tokens[WP_PAD]);
    int k = 0, room = max_seq_len - 1; /* positions before the final [SEP] */
    size_t cut = 0;
    ids[k] = cls;
    segments[k] = 0;
    token_labels[k++] = TOKEN_IGNORE;
    for (size_t w = 0; w < n_words; w++) {
        if (word_first) word_first[w] = -1;
        if (k == room) { /* truncated: no room left */
            cut++;
            continue;
        }
        int32_t *piece = NULL;
        size_t n = 0;
        TRY(wp_tokenize(t, words[w], &piece, &n));
        if (n == 0) cut++;
        for (size_t i = 0; i < n && k < room; i++) {
            if (i == 0 && word_first) word_first[w] = k;
            ids[k] = piece[i];
            segments[k] = 0;
            token_labels[k++] = i == 0 && labels && labels[w] >= 0 ? labels[w] : TOKEN_IGNORE;
        }
        free(piece);
    }
    ids[k] = sep;
    segments[k] = 0;
    token_labels[k++] = TOKEN_IGNORE;
    *length = k;
    for (; k < max_seq_len; k++) {
        ids[k] = pad;
        segments[k] = 0;
        token_labels[k] = TOKEN_IGNORE;
    }
    if (n_cut) *n_cut = cut;
    return ASACL_OK;
}
