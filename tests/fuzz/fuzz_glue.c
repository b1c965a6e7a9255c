/* fuzz_glue.c -- GLUE-format and users' own TSV files through glue_read.
 * The first byte picks the task, the rest is the file. Promise: every example
 * of a file that reads has a non-empty first text (and second, for pair
 * tasks), a label inside the classes (or -1 without labels), and a line
 * number inside the file. */
#include <stdint.h>
#include <string.h>

#include "data/glue.h"
#include "fuzz_util.h"

static const char *const tasks[] = {"sst2", "cola", "mrpc", "qnli", "rte",
                                    "mnli", "qqp",  "stsb", "tsv"};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    const char *task = tasks[data[0] % (sizeof tasks / sizeof tasks[0])];
    const char *path = fuzz_file("data.tsv", data + 1, size - 1);
    size_t lines = 1;
    for (size_t i = 1; i < size; i++) lines += data[i] == '\n';
    glue_dataset d;
    asacl_status st = glue_read(path, task, NULL, 0, &d);
    if (st != ASACL_OK) {
        fuzz_check_message();
        return 0;
    }
    FUZZ_CHECK(d.n > 0, "a file that reads has examples");
    FUZZ_CHECK(d.num_labels >= (d.has_labels ? 1 : 0) && d.num_labels <= ASACL_MAX_LABELS,
               "classes in range");
    for (size_t i = 0; i < d.n; i++) {
        const glue_example *e = &d.ex[i];
        FUZZ_CHECK(e->a && *e->a, "a first text");
        FUZZ_CHECK(!d.is_pair || (e->b && *e->b), "a second text for pair tasks");
        FUZZ_CHECK(d.is_pair || !e->b, "no second text for single-text tasks");
        if (d.has_labels && !d.is_regression)
            FUZZ_CHECK(e->label >= 0 && e->label < d.num_labels, "a label inside the classes");
        else
            FUZZ_CHECK(e->label == -1, "no label without labels");
        FUZZ_CHECK(e->line >= 1 && e->line <= lines, "a line number inside the file");
    }
    glue_free(&d);
    return 0;
}
