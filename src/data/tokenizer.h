/* tokenizer.h -- BERT WordPiece tokenizer, faithful to Hugging Face's
 * BertTokenizer (the slow Python one, BertTokenizerLegacy in transformers 5)
 * and Google's tokenization.py.
 *
 * Text to word pieces, in order:
 *  1. Special tokens ([UNK] [SEP] [PAD] [CLS] [MASK], those in the vocabulary)
 *     written in the text are split off first and kept whole, as Hugging Face
 *     does for added tokens; the text between them goes through 2-7.
 *  2. Clean-up: U+0000, U+FFFD and characters of the categories C* (control,
 *     format, unassigned, private use) are removed, except \t \n \r, which
 *     are whitespace like the categories Zs, Zl and Zp.
 *  3. CJK ideographs (BERT's ranges) get a space on either side.
 *  4. NFC, then the text is split at whitespace. A word that is a special
 *     token is kept whole.
 *  5. Uncased (do_lower_case): lower-case (Python's str.lower, final sigma
 *     included), NFD, then combining marks (Mn) are dropped.
 *  6. Each punctuation character (ASCII 33-47, 58-64, 91-96, 123-126 and the
 *     categories P*) becomes a word of its own.
 *  7. WordPiece: greedy longest-match-first with "##" continuations; a word
 *     of more than 100 code points, or one with no full segmentation, is a
 *     single [UNK].
 *
 * Invalid UTF-8 (overlong forms, lone continuation bytes, truncated
 * sequences, UTF-16 surrogates, code points above U+10FFFF, bytes 0xF8-0xFF):
 * each invalid byte decodes to U+FFFD, which step 2 removes, so invalid bytes
 * vanish and the text around them joins ("ab\xFFcd" is "abcd"). This is what
 * Python's bytes.decode("utf-8", "replace") followed by BertTokenizer gives.
 *
 * Deliberate differences from Hugging Face: a duplicate vocabulary line keeps
 * its id for wp_token() (Hugging Face maps it to [UNK]), the text "[MASK]" is
 * not special when the vocabulary lacks [MASK] (Hugging Face would give it a
 * new id past the vocabulary), and Unicode data come from utf8proc, whose
 * Unicode version may differ from Python's for newly assigned characters.
 */
#ifndef ASACL_DATA_TOKENIZER_H
#define ASACL_DATA_TOKENIZER_H

#include <stddef.h>
#include <stdint.h>

#include "asacl.h"

typedef struct wp_tokenizer wp_tokenizer;

#define WP_MAX_WORD_CHARS 100 /* longer words are [UNK] */

/* Loads a vocab.txt: one token per line, id = line number from 0; a trailing
 * \r\n or \n ends a line, an empty line is the token "", a UTF-8 BOM is
 * skipped. A token on several lines maps to its last id, as in Hugging Face.
 * ASACL_ERR_IO: unreadable; ASACL_ERR_FORMAT: empty, invalid UTF-8 or NUL
 * in a line, or no [UNK], [CLS], [SEP] or [PAD]. */
asacl_status wp_load(const char *vocab_path, int do_lower_case, wp_tokenizer **out);
/* The same from n token strings (id = index); the strings are copied.
 * A missing special token is ASACL_ERR_INVALID_ARG. */
asacl_status wp_from_tokens(const char *const *tokens, size_t n, int do_lower_case,
                            wp_tokenizer **out);
void wp_free(wp_tokenizer *t);

/* The id of a token, -1 if absent. */
int wp_id(const wp_tokenizer *t, const char *token);
/* The token of an id, NULL outside [0, wp_vocab_size). */
const char *wp_token(const wp_tokenizer *t, int id);
size_t wp_vocab_size(const wp_tokenizer *t);

/* Word-piece ids of text without special tokens added; *ids is malloc'd
 * (NULL when *n is 0), the caller frees it. */
asacl_status wp_tokenize(const wp_tokenizer *t, const char *text, int32_t **ids, size_t *n);

/* Model input for one text (b NULL): [CLS] a [SEP], or a pair:
 * [CLS] a [SEP] b [SEP]; segments are 0 up to and including the first [SEP],
 * then 1. Too long input is cut to max_seq_len tokens as Hugging Face's
 * truncation="longest_first": one token at a time from the end of the longer
 * text, from b when both are as long. ids and segments have room for
 * max_seq_len entries; past *length they are filled with [PAD] and 0.
 * max_seq_len below 2 (single) or 3 (pair), which cannot hold the special
 * tokens, is ASACL_ERR_INVALID_ARG. */
asacl_status wp_encode(const wp_tokenizer *t, const char *a, const char *b, int max_seq_len,
                       int32_t *ids, int32_t *segments, int *length);

#endif /* ASACL_DATA_TOKENIZER_H */
