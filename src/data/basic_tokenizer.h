/* basic_tokenizer.h -- BERT's basic tokenisation (steps 2-6 of tokenizer.h):
 * clean-up, CJK spacing, NFC, whitespace split, lower-casing and accent
 * stripping, punctuation split. WordPiece (tokenizer.c) consumes its words. */
#ifndef ASACL_DATA_BASIC_TOKENIZER_H
#define ASACL_DATA_BASIC_TOKENIZER_H

#include <stddef.h>
#include <stdint.h>

#include "asacl.h"

/* Hugging Face's special tokens of BERT, in this order; never split. */
enum { WP_UNK, WP_SEP, WP_PAD, WP_CLS, WP_MASK, WP_N_SPECIAL };
extern const char *const wp_special_tokens[WP_N_SPECIAL];

/* Decodes the UTF-8 sequence at s (n > 0 bytes left) into *cp and returns
 * its length. An invalid or truncated sequence decodes as U+FFFD over one
 * byte (so a length of 1 with U+FFFD marks invalid input). */
size_t wp_utf8_next(const char *s, size_t n, int32_t *cp);

/* Receives one word: valid UTF-8, len bytes, not NUL-terminated. A failure
 * status stops the tokenisation and is returned by wp_basic_tokenize. */
typedef asacl_status (*wp_word_fn)(const char *word, size_t len, void *user);

/* Splits len bytes of text (any bytes; invalid UTF-8 is dropped) into words,
 * calling fn for each in order. */
asacl_status wp_basic_tokenize(const char *text, size_t len, int do_lower_case, wp_word_fn fn,
                               void *user);

/* Transformers' truncation "longest_first" of a pair: one token at a time
 * off the longer text (off b on a tie) until na + nb <= room. */
void truncate_longest_first(size_t *na, size_t *nb, size_t room);

#endif /* ASACL_DATA_BASIC_TOKENIZER_H */
