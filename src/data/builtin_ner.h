/* builtin_ner.h -- the built-in token-classification task (see
 * builtin_ner.c): NER-like sentences, no files needed. */
#ifndef ASACL_DATA_BUILTIN_NER_H
#define ASACL_DATA_BUILTIN_NER_H

#include <stdint.h>

#include "data/conll.h"

/* Its vocabulary (static strings, the BERT special tokens first); returns
 * the count, writing at most cap. */
size_t builtin_ner_vocab(const char **tokens, size_t cap);
/* n sentences of split "train", "dev" or "dev-shift" from seed, as a CoNLL
 * dataset with the classes O, B-PER, I-PER, B-LOC, I-LOC (ids 0-4). */
asacl_status builtin_ner_generate(const char *split, size_t n, uint64_t seed, conll_dataset *out);

#endif
