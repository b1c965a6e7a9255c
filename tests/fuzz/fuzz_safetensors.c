/* fuzz_safetensors.c -- safetensors files (model.safetensors of downloaded
 * model folders) through st_open, st_find, st_metadata and st_to_f32.
 * Promise: every tensor of a file that opens lies inside the data buffer, has
 * a size matching its shape and dtype, and can be found by its name; float
 * tensors convert. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"
#include "io/safetensors.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    st_file f;
    asacl_status st = st_open(fuzz_file("model.safetensors", data, size), &f);
    if (st != ASACL_OK) {
        fuzz_check_message();
        return 0;
    }
    for (size_t i = 0; i < f.n; i++) {
        const st_tensor *t = &f.tensors[i];
        FUZZ_CHECK(t->begin <= t->end && t->end <= f.data_size, "a tensor lies inside the data");
        FUZZ_CHECK(t->end - t->begin == st_numel(t) * st_dtype_size(t->dtype),
                   "a tensor's bytes match its shape");
        FUZZ_CHECK(st_find(&f, t->name) == t, "a tensor is found by its name");
        if (t->dtype == ST_F32 || t->dtype == ST_F16 || t->dtype == ST_BF16 || t->dtype == ST_F64) {
            size_t n = st_numel(t);
            float *dst = malloc((n ? n : 1) * sizeof *dst);
            FUZZ_CHECK(dst != NULL, "tensors in a small file are small");
            FUZZ_CHECK(st_to_f32(&f, t, dst) == ASACL_OK, "float tensors convert");
            free(dst);
        }
    }
    for (size_t i = 0; i < f.n_meta; i++)
        FUZZ_CHECK(st_metadata(&f, f.meta[2 * i]) != NULL, "metadata keys are found");
    st_close(&f);
    return 0;
}
