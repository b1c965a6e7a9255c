/* glue.h -- readers for GLUE-format TSV files (the files the benchmark
 * distributes; the column conventions of Hugging Face's
 * transformers/data/processors/glue.py) and for users' own TSV files.
 *
 * Tasks (case-insensitive), their text and label columns and class ids:
 *   sst2 (sst-2)  sentence / label                          "0" "1"
 *   cola          sentence / label; train and dev have no header:
 *                 source, label, original label, sentence   "0" "1"
 *   mrpc          #1 String, #2 String / Quality            "0" "1"
 *   qnli          question, sentence / label                "entailment" "not_entailment"
 *   rte           sentence1, sentence2 / label              "entailment" "not_entailment"
 *   mnli          sentence1, sentence2 / gold_label         "contradiction" "entailment" "neutral"
 *   qqp           question1, question2 / is_duplicate       "0" "1"
 *   stsb (sts-b)  sentence1, sentence2 / score (a float)    regression
 *   tsv           sentence, or sentence1 and sentence2 (also text, text_a, text_b) / label;
 *                 classes are the labels in order of first appearance
 * Columns are found by their header names (in any case); a text column the header lacks
 * falls back to its position in GLUE's train/dev files. A file whose header
 * lacks the label column (GLUE's test files) has no labels: every label is -1.
 *
 * Files are not quoted CSV: quotes are ordinary characters. CRLF line ends, a
 * missing final newline, a UTF-8 BOM and blank lines are accepted. Errors:
 * ASACL_ERR_IO for a missing or unreadable file (or a folder);
 * ASACL_ERR_FORMAT, naming path:line and the problem, for an empty file, a
 * header without examples, a line over GLUE_MAX_LINE bytes, a missing
 * column, an empty text, an unknown label, a score that is not a number, or
 * more than ASACL_MAX_LABELS classes; ASACL_ERR_INVALID_ARG for an unknown
 * task, listing the known ones.
 */
#ifndef ASACL_DATA_GLUE_H
#define ASACL_DATA_GLUE_H

#include <stddef.h>

#include "asacl.h"

#define GLUE_MAX_LINE (1 << 20) /* bytes in one line, without its line end */
#define GLUE_LABEL_CAP 64       /* bytes of a label name, with its NUL */

typedef struct glue_example {
    const char *a; /* first text */
    const char *b; /* second text; NULL for single-text tasks */
    int label;     /* class id; -1 without labels and for regression */
    float target;  /* regression target (STS-B score); 0 otherwise */
    size_t line;   /* line in the file, from 1 */
} glue_example;

typedef struct glue_dataset {
    glue_example *ex;
    size_t n;
    int is_pair;                                   /* examples have b */
    int is_regression;                             /* STS-B: target, not label */
    int has_labels;                                /* 0 for test files */
    int num_labels;                                /* classes; 1 for regression */
    char labels[ASACL_MAX_LABELS][GLUE_LABEL_CAP]; /* class names by id */
    char *text_;                                   /* the file; the texts point into it */
} glue_dataset;

/* Reads path as task into *out (zeroed after a failure). labels, when not
 * NULL, are the class names in id order instead of the task's own (or, for
 * "tsv", of the labels in order of first appearance): pass the train file's
 * labels when reading its dev file. A regression task takes no labels. */
asacl_status glue_read(const char *path, const char *task, const char *const *labels,
                       int num_labels, glue_dataset *out);
void glue_free(glue_dataset *d);

/* "sst2, cola, mrpc, qnli, rte, mnli, qqp, stsb, tsv" */
const char *glue_task_names(void);
/* 1 if name (or its alias) is one of them. */
int glue_task_known(const char *name);

#endif /* ASACL_DATA_GLUE_H */
