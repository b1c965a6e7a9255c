/* fuzz_bpe.c -- the byte-level BPE encoder on any text, with the committed
 * test vocabulary (tests/data/bpe). The first byte picks the prefix-space
 * rule, max_seq_len and whether the rest is split into a pair at its first
 * NUL. Promise: every id is in the vocabulary, the sequence starts with <s>
 * and ends with </s>, fits max_seq_len, and the rest is <pad>. (The files
 * vocab.json and merges.txt are read by the same cJSON / line code the
 * unit test breaks in 21 ways; this target stresses the encoder.) */
#include <stdlib.h>
#include <string.h>

#include "data/bpe.h"
#include "fuzz_util.h"

static bpe_tokenizer *tok[2];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    int prefix = data[0] & 1, pair = (data[0] >> 1) & 1, len = 4 + (data[0] >> 2) % 60;
    if (!tok[prefix] && bpe_load(ASACL_FUZZ_BPE "/vocab.json", ASACL_FUZZ_BPE "/merges.txt", prefix,
                                 &tok[prefix]) != ASACL_OK)
        fuzz_fail(__FILE__, __LINE__, "bpe_load", "the test vocabulary loads");
    char *text = fuzz_strdup(data + 1, size - 1); /* a NUL inside ends a, starts b */
    const char *b = NULL;
    size_t a_len = strlen(text);
    if (pair && a_len + 1 < size - 1) b = text + a_len + 1;
    int32_t ids[64], segs[64];
    int n = 0;
    asacl_status st = bpe_encode(tok[prefix], text, b, len, ids, segs, &n);
    if (st == ASACL_OK) {
        size_t v = bpe_vocab_size(tok[prefix]);
        int pad = bpe_id(tok[prefix], "<pad>");
        FUZZ_CHECK(n >= 2 && n <= len, "the sequence fits max_seq_len");
        FUZZ_CHECK(ids[0] == bpe_id(tok[prefix], "<s>"), "it starts with <s>");
        FUZZ_CHECK(ids[n - 1] == bpe_id(tok[prefix], "</s>"), "it ends with </s>");
        for (int i = 0; i < len; i++) {
            FUZZ_CHECK(ids[i] >= 0 && (size_t)ids[i] < v, "ids in the vocabulary");
            FUZZ_CHECK(segs[i] == 0, "RoBERTa has one segment");
            if (i >= n) FUZZ_CHECK(ids[i] == pad, "<pad> after the sequence");
        }
    } else {
        fuzz_check_message();
    }
    free(text);
    return 0;
}
