/* token_labels.c -- words to WordPiece or byte-level BPE tokens with labels on first pieces
 * (see token_labels.h). */
#include <stdlib.h>
#include <string.h>

#include "data/basic_tokenizer.h"
#include "data/token_labels.h"
#include "base/base.h"

/* The pieces of one word, from either tokenizer. */
typedef asacl_status (*word_pieces)(const void *t, const char *word, int32_t **ids, size_t *n);

static asacl_status wp_pieces(const void *t, const char *word, int32_t **ids, size_t *n)
{
    return wp_tokenize(t, word, ids, n);
}

/* RoBERTa's words as transformers' fast tokenizer splits them with
 * is_split_into_words=True and add_prefix_space=True: each word on its own
 * with a space before it ("Ġword"). */
static asacl_status bpe_pieces(const void *t, const char *word, int32_t **ids, size_t *n)
{
    size_t len = strlen(word);
    char *spaced = malloc(len + 2);
    if (!spaced) return rt_fail(ASACL_ERR_OUT_OF_MEMORY, "encoding a word");
    spaced[0] = ' ';
    memcpy(spaced + 1, word, len + 1);
    asacl_status st = bpe_tokenize(t, spaced, ids, n);
    free(spaced);
    return st;
}

static asacl_status encode_words(word_pieces pieces, const void *t, int cls, int sep, int pad,
                                 const char *const *words, const int *labels, size_t n_words,
                                 int max_seq_len, int32_t *ids, int32_t *segments,
                                 int32_t *token_labels, int32_t *word_first, int *length,
                                 size_t *n_cut)
{
    if (!t || (!words && n_words) || !ids || !segments || !token_labels || !length)
        return rt_fail(ASACL_ERR_INVALID_ARG, "encoding words: NULL argument");
    if (max_seq_len < 2)
        return rt_fail(ASACL_ERR_INVALID_ARG,
                       "max_seq_len %d cannot hold [CLS] and [SEP]", max_seq_len);
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
        TRY(pieces(t, words[w], &piece, &n));
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

asacl_status wp_encode_words(const wp_tokenizer *t, const char *const *words, const int *labels,
                             size_t n_words, int max_seq_len, int32_t *ids, int32_t *segments,
                             int32_t *token_labels, int32_t *word_first, int *length,
                             size_t *n_cut)
{
    if (!t) return rt_fail(ASACL_ERR_INVALID_ARG, "wp_encode_words: NULL argument");
    return encode_words(wp_pieces, t, wp_id(t, wp_special_tokens[WP_CLS]),
                        wp_id(t, wp_special_tokens[WP_SEP]), wp_id(t, wp_special_tokens[WP_PAD]),
                        words, labels, n_words, max_seq_len, ids, segments, token_labels,
                        word_first, length, n_cut);
}

asacl_status bpe_encode_words(const bpe_tokenizer *t, const char *const *words, const int *labels,
                              size_t n_words, int max_seq_len, int32_t *ids, int32_t *segments,
                              int32_t *token_labels, int32_t *word_first, int *length,
                              size_t *n_cut)
{
    if (!t) return rt_fail(ASACL_ERR_INVALID_ARG, "bpe_encode_words: NULL argument");
    return encode_words(bpe_pieces, t, bpe_id(t, bpe_special_tokens[BPE_BOS]),
                        bpe_id(t, bpe_special_tokens[BPE_EOS]), bpe_id(t, bpe_special_tokens[BPE_PAD]),
                        words, labels, n_words, max_seq_len, ids, segments, token_labels,
                        word_first, length, n_cut);
}
