/* bpe.h -- byte-level BPE tokenizer (GPT-2, RoBERTa), faithful to the slow
 * Python RobertaTokenizer of transformers 4 (the one with bpe_ranks;
 * transformers 5 keeps only the fast one).
 *
 * Text to ids, in order:
 *  1. Decoding: the bytes are read as UTF-8, each maximal invalid subpart
 *     becoming U+FFFD (Python's bytes.decode("utf-8", "replace")); nothing
 *     is normalised or removed.
 *  2. add_prefix_space: a space goes in front of a text that is not empty
 *     and does not start with a character of Python's str.isspace.
 *  3. Special tokens written in the text (<s> </s> <unk> <pad> <mask>, those
 *     the vocabulary has) are split off and kept whole; <mask> also takes
 *     the whitespace (str.isspace) before it, as its AddedToken(lstrip=True)
 *     does. The text between them goes through 4-6.
 *  4. Pre-tokenisation by GPT-2's pattern (bpe_pretok.h).
 *  5. Each pre-token's UTF-8 bytes become the characters of bytes_to_unicode,
 *     and the pair of adjacent symbols with the lowest rank in merges.txt is
 *     merged, every occurrence of it left to right, until no pair has a rank.
 *  6. Each resulting symbol is looked up in vocab.json; one that is not
 *     there is <unk>.
 * Model input: <s> a </s>, or a pair <s> a </s> </s> b </s>; segments are
 * all 0; too long input is cut as truncation="longest_first" (one token at a
 * time from the end of the longer text, from b on a tie).
 *
 * Merging keeps the candidate pairs of a word in a heap ordered by (rank,
 * position), and applies all occurrences of one rank before looking at the
 * next: O(n log n) for a pre-token of n bytes, with the slow tokenizer's
 * result even for merge lists whose order is not the order of training.
 *
 * The fast (Rust) tokenizer agrees on the ids of each text alone without
 * the prefix space, but not in the rest: its prefix space goes before every
 * piece between special tokens that does not start with " ", an empty
 * text b is no pair to it, longest_first cuts a on a tie, and merge lists
 * out of training order merge differently (tests/gen_bpe_ref.py counts this).
 *
 * Deliberate differences from transformers: a vocabulary without <mask>
 * does not treat the text "<mask>" as special (transformers would add it as
 * a new token past the vocabulary); merges.txt is read as the fast tokenizer
 * reads it: a first line starting with "#version" is skipped (the slow one
 * skips the first line whatever it is, and drops a last line that lacks its
 * newline), empty lines are skipped, any other line must be two tokens
 * separated by one space (the slow one ignores such lines, the fast one
 * fails); a token or id that vocab.json names twice is an error; a single
 * text that must lose all its tokens to fit is cut to <s> </s> (as the fast
 * tokenizer and transformers 5 do; transformers 4 logs an error and returns
 * it uncut, longer than max_seq_len); Unicode
 * categories come from utf8proc, whose Unicode version may be older than
 * the regex module's for newly assigned characters. */
#ifndef ASACL_DATA_BPE_H
#define ASACL_DATA_BPE_H

#include <stddef.h>
#include <stdint.h>

#include "asacl.h"

typedef struct bpe_tokenizer bpe_tokenizer;

/* The special tokens, in this order. */
enum { BPE_BOS, BPE_PAD, BPE_EOS, BPE_UNK, BPE_MASK, BPE_N_SPECIAL };
extern const char *const bpe_special_tokens[BPE_N_SPECIAL]; /* "<s>" "<pad>" "</s>" "<unk>" "<mask>" */

/* Loads vocab.json (a JSON object of token -> id, ids distinct integers in
 * [0, 2^31 - 1)) and merges.txt (see above; rank = order in the file, a
 * repeated merge taking its last rank as in both transformers tokenizers).
 * ASACL_ERR_IO: unreadable; ASACL_ERR_FORMAT: malformed (the message gives
 * file:line, or the vocabulary entry), or no <s>, </s>, <pad> or <unk>. */
asacl_status bpe_load(const char *vocab_json, const char *merges_txt, int add_prefix_space,
                      bpe_tokenizer **out);
void bpe_free(bpe_tokenizer *t);

/* The id of a token, -1 if absent. */
int bpe_id(const bpe_tokenizer *t, const char *token);
/* The token of an id (byte-level characters), NULL for an id no token has. */
const char *bpe_token(const bpe_tokenizer *t, int id);
/* The largest id + 1. */
size_t bpe_vocab_size(const bpe_tokenizer *t);

/* Ids of text without <s> and </s> added; *ids is malloc'd (NULL when *n
 * is 0), the caller frees it. */
asacl_status bpe_tokenize(const bpe_tokenizer *t, const char *text, int32_t **ids, size_t *n);

/* Model input, as wp_encode (tokenizer.h) but with RoBERTa's special
 * tokens: ids and segments have room for max_seq_len entries; past *length
 * they are <pad> and 0. max_seq_len below 2 (single) or 4 (pair) is
 * ASACL_ERR_INVALID_ARG. */
asacl_status bpe_encode(const bpe_tokenizer *t, const char *a, const char *b, int max_seq_len,
                        int32_t *ids, int32_t *segments, int *length);

#endif /* ASACL_DATA_BPE_H */
