/* fuzz_vocab.c -- vocab.txt through wp_load, then the WordPiece encoder with
 * that vocabulary over the file's own text (its lines are the tokens, so the
 * greedy longest match gets exercised). Promise: a vocabulary that loads has
 * [UNK] [CLS] [SEP] [PAD], maps every id back to a token whose id is at least
 * as high (duplicates map to the last line), and encodes any text. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "data/tokenizer.h"
#include "fuzz_util.h"
#include "fuzz_wordpiece_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_file("vocab.txt", data, size);
    wp_tokenizer *t = NULL;
    asacl_status st = wp_load(path, (int)(size & 1), &t);
    if (st != ASACL_OK) {
        fuzz_check_message();
        return 0;
    }
    FUZZ_CHECK(wp_id(t, "[UNK]") >= 0 && wp_id(t, "[CLS]") >= 0 && wp_id(t, "[SEP]") >= 0 &&
                   wp_id(t, "[PAD]") >= 0,
               "the special tokens are there");
    size_t n = wp_vocab_size(t);
    FUZZ_CHECK(n > 0, "a vocabulary that loads is not empty");
    for (size_t i = 0; i < n; i++) {
        const char *tok = wp_token(t, (int)i);
        FUZZ_CHECK(tok != NULL, "every id has a token");
        FUZZ_CHECK(wp_id(t, tok) >= (int)i, "a token maps to its last line");
    }
    FUZZ_CHECK(wp_token(t, (int)n) == NULL && wp_token(t, -1) == NULL, "no token outside");
    /* The text is the file, up to 2 KiB (a long text only repeats the work). */
    char *text = fuzz_strdup(data, size < 2048 ? size : 2048);
    fuzz_check_encoding(t, text, NULL, 64);
    fuzz_check_encoding(t, text, text + strlen(text) / 2, 32);
    free(text);
    wp_free(t);
    return 0;
}
