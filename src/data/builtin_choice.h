/* builtin_choice.h -- the built-in multiple-choice task (see
 * builtin_choice.c): no files needed. */
#ifndef ASACL_DATA_BUILTIN_CHOICE_H
#define ASACL_DATA_BUILTIN_CHOICE_H

#include <stdint.h>

#include "data/choice.h"

#define BUILTIN_CHOICES 4 /* choices per example */

/* Its vocabulary (static strings, the BERT special tokens first); returns
 * the count, writing at most cap. */
size_t builtin_choice_vocab(const char **tokens, size_t cap);
/* n examples of split "train", "dev" or "dev-shift" from seed, with
 * BUILTIN_CHOICES choices each. */
asacl_status builtin_choice_generate(const char *split, size_t n, uint64_t seed,
                                     choice_dataset *out);

#endif
