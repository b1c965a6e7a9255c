/* basic_tokenizer.h -- BERT's basic tokenisation (steps 2-6 of tokenizer.h):
 * clean-up, CJK spacing, NFC, whitespace split, lower-casing and accent
 * stripping, punctuation split. WordPiece (tokenizer.c) consumes its words. */
#ifndef ASACL_DATA_BASIC_TOKENIZER_H
#define ASACL_DATA_BASIC_TOKENIZER_H

#include <stddef.h>

#include "asacl.h"

/* Receives one word: valid UTF-8, len bytes, not NUL-terminated. A failure
 * status stops the tokenisation and is returned by wp_basic_tokenize. */
typedef asacl_status (*wp_word_fn)(const char *word, size_t len, void *user);

/* Splits len bytes of text (any bytes; invalid UTF-8 is dropped) into words,
 * calling fn for each in order. */
asacl_status wp_basic_tokenize(const char *text, size_t len, int do_lower_case, wp_word_fn fn,
                               void *user);

#endif /* ASACL_DATA_BASIC_TOKENIZER_H */
