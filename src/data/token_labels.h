/* token_labels.h -- WordPiece encoding of a sentence given as words, with
 * word labels moved onto tokens for token classification (asa-spec 10), as
 * the reference does (run_tok_clas.py convert_examples_to_features: a fast
 * tokenizer with is_split_into_words=True, padding="max_length",
 * truncation=True, then labels through word_ids()):
 *
 *   [CLS] pieces(word 0) pieces(word 1) ... [SEP] [PAD] ...
 *
 * Each word is tokenised on its own (wp_tokenize: basic tokenisation, then
 * WordPiece), so a word such as "U.S." gives several pieces. A word's label
 * goes to its first piece; its other pieces, [CLS], [SEP] and padding get
 * TOKEN_IGNORE. Too long input keeps the first max_seq_len - 2 pieces: the
 * words cut off (and any word whose pieces are all cut) get no token, so
 * they count neither in the loss nor in the metrics, as in the reference. A
 * word that tokenises to nothing (only characters the clean-up removes) gets
 * no token either. */
#ifndef ASACL_DATA_TOKEN_LABELS_H
#define ASACL_DATA_TOKEN_LABELS_H

#include <stddef.h>
#include <stdint.h>

#include "data/bpe.h"
#include "data/tokenizer.h"

#define TOKEN_IGNORE (-100) /* the label of a token outside the loss (torch's ignore_index) */

/* Encodes n_words words. labels: n_words class ids (>= 0), or NULL (every
 * token label TOKEN_IGNORE; a label < 0 also gives TOKEN_IGNORE). ids,
 * segments (all 0) and token_labels have room for max_seq_len entries;
 * past *length they hold [PAD], 0, TOKEN_IGNORE. word_first (n_words
 * entries, may be NULL) gets the position of each word's first piece, or -1
 * for a word without a token. *n_cut (may be NULL) counts those words.
 * max_seq_len below 2 is ASACL_ERR_INVALID_ARG. */
asacl_status wp_encode_words(const wp_tokenizer *t, const char *const *words, const int *labels,
                             size_t n_words, int max_seq_len, int32_t *ids, int32_t *segments,
                             int32_t *token_labels, int32_t *word_first, int *length,
                             size_t *n_cut);

/* The same for RoBERTa's byte-level BPE: "<s> pieces(w0) pieces(w1) ...
 * </s> <pad> ...", each word encoded on its own with a space before it, as
 * transformers' RobertaTokenizerFast with is_split_into_words=True and
 * add_prefix_space=True (what token classification with RoBERTa needs). */
asacl_status bpe_encode_words(const bpe_tokenizer *t, const char *const *words, const int *labels,
                              size_t n_words, int max_seq_len, int32_t *ids, int32_t *segments,
                              int32_t *token_labels, int32_t *word_first, int *length,
                              size_t *n_cut);

#endif /* ASACL_DATA_TOKEN_LABELS_H */
