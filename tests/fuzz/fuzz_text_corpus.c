/* fuzz_text_corpus.c -- plain-text corpora through text_corpus (streamed,
 * packed). The first byte picks the sequence length (3..18) and the buffer
 * (16..79 bytes, so lines are cut into pieces), the second the held-out
 * fraction. Promise: every sequence is [CLS] ids [SEP] [PAD]... with ids
 * inside the vocabulary and a length inside max_seq_len; a pass ends; the
 * held-out and training splits together have as many sequences as the whole;
 * and resuming from any position gives the rest of the pass exactly. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "data/text_corpus.h"
#include "data/tokenizer.h"
#include "fuzz_util.h"

#define MAXSEQ 4096

static wp_tokenizer *tok;

typedef struct pass {
    int32_t *ids;
    text_corpus_pos *after;
    size_t n;
} pass;

/* Reads a pass; 0 when the corpus reports an error (checked for a message). */
static int read_pass(text_corpus *c, int L, pass *p)
{
    p->n = 0;
    int32_t cls = wp_id(tok, "[CLS]"), sep = wp_id(tok, "[SEP]"), pad = wp_id(tok, "[PAD]");
    for (;;) {
        int len;
        int32_t *ids = p->ids + p->n * (size_t)L;
        if (text_corpus_next(c, ids, &len) != ASACL_OK) {
            fuzz_check_message();
            return 0;
        }
        if (len == 0) {
            for (int t = 0; t < L; t++) FUZZ_CHECK(ids[t] == pad, "the end of a pass is padding");
            return 1;
        }
        FUZZ_CHECK(len >= 3 && len <= L, "a length inside max_seq_len");
        FUZZ_CHECK(ids[0] == cls && ids[len - 1] == sep, "[CLS] ... [SEP]");
        for (int t = 1; t < len - 1; t++)
            FUZZ_CHECK(ids[t] >= 0 && (size_t)ids[t] < wp_vocab_size(tok), "ids in the vocabulary");
        for (int t = len; t < L; t++) FUZZ_CHECK(ids[t] == pad, "padding after [SEP]");
        text_corpus_tell(c, &p->after[p->n]);
        FUZZ_CHECK(++p->n < MAXSEQ, "a pass of bounded length");
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2) return 0;
    if (!tok && wp_load(ASACL_FUZZ_VOCAB, 1, &tok) != ASACL_OK) abort();
    int L = 3 + data[0] % 16;
    size_t buf = 16 + (data[0] >> 4) * 4;
    double frac = (data[1] % 8) / 8.0;
    uint64_t seed = data[1] >> 3;
    const char *path = fuzz_file("corpus.txt", data + 2, size - 2);
    static int32_t ids_all[MAXSEQ * 18], ids_other[MAXSEQ * 18];
    static text_corpus_pos at_all[MAXSEQ], at_other[MAXSEQ];
    pass all = {ids_all, at_all, 0}, other = {ids_other, at_other, 0};
    text_corpus_opts o = {.max_seq_len = L, .buffer_bytes = buf, .valid_fraction = frac, .seed = seed};
    text_corpus *c;
    if (text_corpus_open(&path, 1, tok, &o, &c) != ASACL_OK) abort();
    int ok = read_pass(c, L, &all);
    text_corpus_close(c);
    if (!ok) return 0;
    /* resume after a sequence chosen by the input */
    if (all.n > 1) {
        size_t k = (size_t)data[size - 1] % (all.n - 1);
        if (text_corpus_open(&path, 1, tok, &o, &c) != ASACL_OK) abort();
        FUZZ_CHECK(text_corpus_seek(c, &all.after[k]) == ASACL_OK, "seek to a told position");
        FUZZ_CHECK(read_pass(c, L, &other), "the rest of the pass reads");
        FUZZ_CHECK(other.n == all.n - k - 1, "the rest of the pass has its sequences");
        FUZZ_CHECK(!memcmp(other.ids, all.ids + (k + 1) * (size_t)L,
                           other.n * (size_t)L * sizeof(int32_t)),
                   "a resumed pass continues exactly");
        text_corpus_close(c);
    }
    /* the two splits partition the sequences */
    if (frac > 0) {
        size_t parts = 0;
        for (int s = TEXT_SPLIT_TRAIN; s <= TEXT_SPLIT_VALID; s++) {
            o.split = (text_split)s;
            if (text_corpus_open(&path, 1, tok, &o, &c) != ASACL_OK) abort();
            if (read_pass(c, L, &other)) parts += other.n;
            text_corpus_close(c);
        }
        FUZZ_CHECK(parts == all.n, "training + held-out sequences = all sequences");
    }
    return 0;
}
