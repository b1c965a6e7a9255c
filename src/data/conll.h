/* conll.h -- reader for CoNLL-style token files (NER such as CoNLL-2003 and
 * WNUT-2017, POS tagging): the input of token classification (asa-spec 10).
 *
 * Format: one word per line, fields separated by spaces or tabs; the word is
 * the first field and its label the last (CoNLL-2003's "EU NNP B-NP B-ORG",
 * WNUT's "Paris\tB-location"); a blank line (or one of only spaces and tabs)
 * ends a sentence; a line starting with "-DOCSTART" ends a sentence and is
 * otherwise skipped, as the reference's readers do (run_tok_clas.py
 * ConllProcessor/WnutProcessor._read_csv). CRLF line ends, a missing final
 * newline, a UTF-8 BOM and several blank lines in a row are accepted.
 *
 * Labels: read from the training file (labels == NULL), the classes are its
 * labels in order of first appearance, except that "O", when present, is
 * moved to id 0 (the class the reference's F1 leaves out). A dev or test file
 * is read with the training file's list; a label outside it is an error.
 * Files without labels (has_labels == 0: text to predict) take the first
 * field of each line as the word, and every label is -1.
 *
 * Errors: ASACL_ERR_IO for a missing or unreadable file; ASACL_ERR_FORMAT
 * naming path:line and what was expected for: a NUL byte, a word line with
 * one field when labels are wanted, an unknown label, a label longer than
 * CONLL_LABEL_CAP - 1 bytes, more than CONLL_MAX_LABELS classes, a file
 * with no word at all. ASACL_ERR_INVALID_ARG for a bad label list. */
#ifndef ASACL_DATA_CONLL_H
#define ASACL_DATA_CONLL_H

#include <stddef.h>

#include "asacl.h"

#define CONLL_MAX_LABELS 256 /* classes; more points at a wrong label column */
#define CONLL_LABEL_CAP 64   /* bytes of a label name, with its NUL */

typedef struct conll_sentence {
    const char *const *words; /* n words (NUL-terminated, valid until conll_free) */
    const int *labels;        /* n class ids; -1 each without labels */
    size_t n;
    size_t line; /* line of its first word, from 1 */
} conll_sentence;

typedef struct conll_dataset {
    conll_sentence *sent;
    size_t n;       /* sentences */
    size_t n_words; /* words over all sentences */
    int has_labels;
    int num_labels;                       /* classes (0 without labels) */
    char (*labels)[CONLL_LABEL_CAP];      /* num_labels class names by id */
    /* storage */
    char *text_;
    const char **words_;
    int *ids_;
} conll_dataset;

/* Reads path into *out (zeroed after a failure). labels (num_labels names)
 * fix the classes, as for a dev file; NULL takes them from the file. */
asacl_status conll_read(const char *path, const char *const *labels, int num_labels,
                        int has_labels, conll_dataset *out);
void conll_free(conll_dataset *d);

#endif /* ASACL_DATA_CONLL_H */
