/* choice.h -- readers for multiple-choice data (asa-spec 10: DREAM, SWAG,
 * HellaSwag) and for users' own JSONL files.
 *
 * Every example becomes a context (the first segment) and, per choice, a
 * second segment, encoded "[CLS] context [SEP] second [SEP]" (wp_encode).
 * The second segment follows the reference (run_multi_cho.py,
 * convert_examples_to_features): when the question contains "_" (a cloze
 * question) it is the question with every "_" replaced by the choice, else
 * question + " " + choice. Formats (names case-insensitive):
 *
 *   swag       SWAG's CSV (train.csv, val.csv, test.csv of the official
 *              release and of Hugging Face's "swag" data set: [an unnamed
 *              index column,] video-id, fold-ind, startphrase, sent1, sent2,
 *              gold-source, ending0..ending3, label). Columns are found by
 *              name: context = sent1, question = sent2, choices =
 *              ending0..3, label (absent in test.csv: no labels). Quoted
 *              CSV as Python's csv module reads a file opened in text mode
 *              ("" inside quotes is a quote; a quoted field may hold line
 *              ends, a CRLF in it reads as LF).
 *   dream      DREAM's JSON (train.json, dev.json, test.json): a list of
 *              [dialogue lines, questions, id], each question
 *              {"question", "choice": [3 strings], "answer"}; context = the
 *              lines joined by " ", label = the index of the answer among
 *              the choices. The reference uses only the FIRST question of
 *              each dialogue (line[1][0]); so does this reader unless
 *              CHOICE_ALL_QUESTIONS is set (then every question is an
 *              example).
 *   hellaswag  HellaSwag's JSONL (hellaswag_{train,val,test}.jsonl): one
 *              object per line with "ctx", "endings" (4 strings), "label"
 *              (absent in test: no labels); the reference's question is
 *              "_", so the second segment is the ending itself.
 *   jsonl      our own JSONL: one object per line,
 *              {"context": "...", "question": "...", "choices": ["...", ...],
 *               "label": 0}
 *              "question" may be left out (the second segment is then the
 *              choice alone), "label" (a 0-based choice index) too: a file
 *              without any label is unlabelled; a file with labels on some
 *              lines only is an error.
 * Every example of a file must have the same number of choices (2 to
 * CHOICE_MAX). Labels, where given, are integers (or, as the reference's
 * label maps allow, strings of digits) in [0, n_choices).
 *
 * Errors: ASACL_ERR_IO for a missing or unreadable file; ASACL_ERR_FORMAT
 * naming path:line and what was expected, for invalid JSON or CSV, a
 * missing or mistyped field or column, an empty context or choice, a wrong
 * number of choices, a bad label. (For DREAM's single JSON document the
 * line is where the offending dialogue starts.) ASACL_ERR_INVALID_ARG for an
 * unknown format, listing the known ones. */
#ifndef ASACL_DATA_CHOICE_H
#define ASACL_DATA_CHOICE_H

#include <stddef.h>

#include "asacl.h"

#define CHOICE_MAX 16              /* choices per example */
#define CHOICE_ALL_QUESTIONS 1     /* flag: every DREAM question, not only the first */

typedef struct choice_example {
    const char *context;             /* first segment */
    const char *second[CHOICE_MAX];  /* second segment of each choice */
    int label;                       /* index of the right choice; -1 without labels */
    size_t line;                     /* line in the file, from 1 */
} choice_example;

typedef struct choice_dataset {
    choice_example *ex;
    size_t n;
    int n_choices; /* the same for every example */
    int has_labels;
    void *pool_; /* the strings */
    size_t cap_; /* room in ex */
} choice_dataset;

/* Reads path in format (see above) into *out (zeroed after a failure);
 * flags: CHOICE_ALL_QUESTIONS or 0. */
asacl_status choice_read(const char *path, const char *format, int flags, choice_dataset *out);
void choice_free(choice_dataset *d);
/* Appends one example to d (start from a zeroed dataset; choice_free frees
 * it), building the second segments by the rule above: question may be NULL
 * (the choice alone); label -1 for none. Checks as the readers do, with
 * errors naming source:line. For generated data (builtin_choice.c). */
asacl_status choice_add(choice_dataset *d, const char *source, size_t line, const char *context,
                        const char *question, const char *const *choices, int n, int label);

/* "swag, dream, hellaswag, jsonl" */
const char *choice_format_names(void);

#endif /* ASACL_DATA_CHOICE_H */
