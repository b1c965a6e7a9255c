/* builtin.h -- the built-in task (see builtin.c): no files needed. */
#ifndef ASACL_DATA_BUILTIN_H
#define ASACL_DATA_BUILTIN_H

#include <stdint.h>

#include "data/glue.h"

/* Its vocabulary (static strings); returns the count. */
size_t builtin_vocab(const char **tokens, size_t cap);
/* n examples of split "train", "dev" or "dev-shift" from seed. */
asacl_status builtin_generate(const char *split, size_t n, uint64_t seed, glue_dataset *out);

#endif
