/* folder_params.h -- a model's parameter layout <-> the files of a model folder:
 *   config.json           Hugging Face BertConfig (config_json.h)
 *   model.safetensors     the encoder and head under Hugging Face names
 *   trainer_state.safetensors   (training checkpoints) the adversaries and
 *                         AdamW's moments
 * Names are mapped through hf_names.h, so folders saved by transformers for
 * BertModel, BertForMaskedLM or BertForSequenceClassification load. */
#ifndef ASACL_MODEL_FOLDER_PARAMS_H
#define ASACL_MODEL_FOLDER_PARAMS_H

#include "io/safetensors.h"
#include "model/params.h"

/* What reading parameters found. */
typedef struct folder_read {
    unsigned char *have;   /* per layout entry: filled from the file */
    unsigned loaded, ignored;
} folder_read;

/* Fills values (in layout order) with every tensor of f that the layout
 * has, converting F16/BF16/F64 to float; shapes must match, except that
 * tensors listed by skip_mismatch (a name prefix, may be NULL) are left out
 * when their shape differs (a new classifier). Marks them in r->have. */
asacl_status folder_read_params(const st_file *f, const param_layout *pl, float *values,
                                const char *skip_mismatch, folder_read *r);

/* Writes model.safetensors with the layout's tensors whose names pass
 * keep() (NULL: all), F32, {"format": "pt"} metadata, atomically. */
asacl_status folder_write_params(const char *path, const param_layout *pl, const float *values,
                                 int (*keep)(const char *name), const char *const *extra_meta);

/* 1 for the encoder and head, 0 for the adversaries. */
int folder_is_inference_tensor(const char *name);

#endif
