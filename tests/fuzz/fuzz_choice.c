/* fuzz_choice.c -- the multiple-choice formats (SWAG CSV, DREAM JSON,
 * HellaSwag JSONL, our JSONL) through choice_read; the first byte picks the
 * format and the flag. Promise: a file that reads has examples with the same
 * number of choices (2..CHOICE_MAX), a context and every choice's second
 * segment present, and labels inside the choices (or -1 without labels). */
#include <stdint.h>

#include "data/choice.h"
#include "fuzz_util.h"

static const char *const formats[] = {"swag", "dream", "hellaswag", "jsonl"};
static const char *const names[] = {"data.csv", "data.json", "data.jsonl", "data.jsonl"};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    unsigned f = data[0] % 4;
    int flags = data[0] & 4 ? CHOICE_ALL_QUESTIONS : 0;
    const char *path = fuzz_file(names[f], data + 1, size - 1);
    choice_dataset d;
    if (choice_read(path, formats[f], flags, &d) != ASACL_OK) {
        fuzz_check_message();
        return 0;
    }
    FUZZ_CHECK(d.n > 0, "a file that reads has examples");
    FUZZ_CHECK(d.n_choices >= 1 && d.n_choices <= CHOICE_MAX, "choices in range");
    for (size_t i = 0; i < d.n; i++) {
        const choice_example *e = &d.ex[i];
        FUZZ_CHECK(e->context != NULL, "a context");
        for (int k = 0; k < d.n_choices; k++) FUZZ_CHECK(e->second[k] != NULL, "every choice");
        if (d.has_labels)
            FUZZ_CHECK(e->label >= 0 && e->label < d.n_choices, "a label inside the choices");
        else
            FUZZ_CHECK(e->label == -1, "no label without labels");
    }
    choice_free(&d);
    return 0;
}
