/* fuzz_wordpiece.c -- the WordPiece encoder (basic tokenization, Unicode
 * clean-up, NFC/NFD, special tokens, greedy longest match) over any bytes, with
 * the committed test vocabulary. Byte 0 picks lower-casing and the sequence
 * length; the rest is the text, or a pair split at its first tab. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "data/tokenizer.h"
#include "fuzz_util.h"
#include "fuzz_wordpiece_check.h"

static wp_tokenizer *vocab[2];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    int lower = data[0] & 1, pair = (data[0] >> 1) & 1, max_len = 3 + (data[0] >> 2);
    if (!vocab[lower] && wp_load(ASACL_FUZZ_VOCAB, lower, &vocab[lower]) != ASACL_OK)
        fuzz_fail(__FILE__, __LINE__, "wp_load", ASACL_FUZZ_VOCAB);
    char *text = fuzz_strdup(data + 1, size - 1);
    char *b = NULL;
    if (pair) {
        b = strchr(text, '\t');
        if (b) *b++ = 0;
        else b = text + strlen(text);
    }
    fuzz_check_encoding(vocab[lower], text, b, max_len);
    free(text);
    return 0;
}
