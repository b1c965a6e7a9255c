/* api.h -- what stands behind the public asacl_model handle, for the other
 * layers that implement the public API (training, checkpoints). */
#ifndef ASACL_MODEL_API_H
#define ASACL_MODEL_API_H

#include "model/model.h"

struct asacl_model {
    model m;
    pass_arena eval;      /* evaluation buffers, grown on demand */
    batch_dev eval_batch;
};

/* The parameters to the host (malloc'd). */
asacl_status model_download(const asacl_model *m, float **values);
/* config.json + model.safetensors (encoder and head) + vocab.txt copy, into
 * an existing folder. */
asacl_status model_write_folder(const asacl_model *m, const char *dir, const char *vocab);
asacl_status model_copy_file(const char *from, const char *to);

#endif
