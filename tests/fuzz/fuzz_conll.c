/* fuzz_conll.c -- CoNLL-style token files through conll_read. The first byte
 * says whether the file has labels. Promise: a file that reads has sentences
 * of at least one non-empty word, labels inside the classes (or -1 without
 * labels), "O" as class 0 when present, and line numbers inside the file. */
#include <stdint.h>
#include <string.h>

#include "data/conll.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    int has_labels = !(data[0] & 1);
    const char *path = fuzz_file("train.conll", data + 1, size - 1);
    size_t lines = 1;
    for (size_t i = 1; i < size; i++) lines += data[i] == '\n';
    conll_dataset d;
    if (conll_read(path, NULL, 0, has_labels, &d) != ASACL_OK) {
        fuzz_check_message();
        return 0;
    }
    FUZZ_CHECK(d.n > 0, "a file that reads has sentences");
    for (int c = 1; c < d.num_labels; c++)
        FUZZ_CHECK(strcmp(d.labels[c], "O") != 0, "\"O\" can only be class 0");
    size_t words = 0;
    for (size_t s = 0; s < d.n; s++) {
        const conll_sentence *e = &d.sent[s];
        FUZZ_CHECK(e->n > 0, "a sentence has words");
        FUZZ_CHECK(e->line >= 1 && e->line <= lines, "a line number inside the file");
        for (size_t w = 0; w < e->n; w++) {
            FUZZ_CHECK(e->words[w] && *e->words[w], "a non-empty word");
            if (d.has_labels)
                FUZZ_CHECK(e->labels[w] >= 0 && e->labels[w] < d.num_labels, "a label inside the classes");
            else
                FUZZ_CHECK(e->labels[w] == -1, "no label without labels");
        }
        words += e->n;
    }
    FUZZ_CHECK(words == d.n_words, "n_words counts every word");
    conll_free(&d);
    return 0;
}
