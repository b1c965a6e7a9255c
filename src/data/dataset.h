/* dataset.h -- what stands behind the public asacl_dataset and
 * asacl_tokenizer handles, for the loader (train/loader.c): one data set
 * of one of the three task kinds, and a WordPiece or BPE tokenizer. */
#ifndef ASACL_DATA_DATASET_H
#define ASACL_DATA_DATASET_H

#include "data/bpe.h"
#include "data/choice.h"
#include "data/conll.h"
#include "data/glue.h"
#include "data/tokenizer.h"

struct asacl_tokenizer {
    wp_tokenizer *wp;   /* one of the two */
    bpe_tokenizer *bpe;
};

struct asacl_dataset {
    int task;               /* asacl_task_kind: which of the three holds the data */
    glue_dataset g;         /* ASACL_TASK_SEQUENCE */
    conll_dataset c;        /* ASACL_TASK_TOKEN */
    choice_dataset ch;      /* ASACL_TASK_CHOICE */
    int token_first_class;  /* token F1 counts classes from this one on: 1 leaves "O" out (NER),
                               0 counts every class (POS) */
};

#endif
