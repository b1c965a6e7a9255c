/* bpe_pretok.h -- the text side of byte-level BPE (GPT-2, RoBERTa): UTF-8
 * decoding as Python's bytes.decode("utf-8", "replace"), the character
 * classes of the pre-tokenisation pattern, the pattern itself, and the map
 * from bytes to the printable characters that byte-level vocabularies use.
 * bpe.c does the merges and the special tokens.
 *
 * The pattern, as transformers' RobertaTokenizer writes it for the Python
 * regex module:
 *     's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
 * found leftmost-first over code points, here without a regex library:
 * \p{L} and \p{N} are the general categories L* and N* from utf8proc, \s is
 * the Unicode White_Space property (what the regex module matches: \t-\r,
 * space, U+0085, U+00A0, U+1680, U+2000-U+200A, U+2028, U+2029, U+202F,
 * U+205F, U+3000; not U+001C-U+001F, which Python's str.isspace adds). */
#ifndef ASACL_DATA_BPE_PRETOK_H
#define ASACL_DATA_BPE_PRETOK_H

#include <stddef.h>
#include <stdint.h>

#include "asacl.h"

/* Decodes the UTF-8 sequence at s (n > 0 bytes left) into *cp and returns
 * the bytes used. Invalid input becomes one U+FFFD for each maximal subpart
 * (Unicode's "substitution of maximal subparts", which CPython follows): a
 * lead byte with the valid continuation bytes that follow it, or a single
 * byte that can start nothing (0x80-0xC1, 0xF5-0xFF). So "\xE2\x82x" is
 * U+FFFD "x", and "\xED\xA0\x80" (a surrogate) three U+FFFD. */
size_t bpe_utf8_next(const char *s, size_t n, int32_t *cp);
/* Writes the UTF-8 form of the scalar value c (at most 4 bytes); returns
 * its length. */
size_t bpe_utf8_put(int32_t c, unsigned char *out);

int bpe_is_space(int32_t c);    /* \s of the pattern: White_Space */
int bpe_is_py_space(int32_t c); /* Python's str.isspace: White_Space and U+001C-U+001F */

/* The end of the pre-token that starts at cp[i] (i < n), as the pattern
 * finds it; pre-tokens cover the text without gaps. */
size_t bpe_pretoken_end(const int32_t *cp, size_t n, size_t i);

/* The character that stands for byte b in a byte-level vocabulary (GPT-2's
 * bytes_to_unicode): the printable bytes ! to ~, U+00A1 to U+00AC and U+00AE
 * to U+00FF stand for themselves; the other 68 bytes, in increasing order,
 * take U+0100 to U+0143 (so the space is U+0120 "Ġ"). */
int32_t bpe_byte_char(unsigned char b);

#endif /* ASACL_DATA_BPE_PRETOK_H */
