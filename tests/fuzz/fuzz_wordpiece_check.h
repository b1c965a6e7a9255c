/* fuzz_wordpiece_check.h -- what the WordPiece encoder promises for any text,
 * checked by fuzz_vocab.c and fuzz_wordpiece.c. */
#ifndef ASACL_FUZZ_WORDPIECE_CHECK_H
#define ASACL_FUZZ_WORDPIECE_CHECK_H

#include "data/tokenizer.h"

/* Tokenizes and encodes a (and the pair a, b when b is not NULL) with
 * max_seq_len; checks that every id is in the vocabulary, that the input
 * starts with [CLS], ends in [SEP] and fits, segments are 0 then 1, and the
 * rest is [PAD] with segment 0. */
void fuzz_check_encoding(const wp_tokenizer *t, const char *a, const char *b, int max_seq_len);

#endif
