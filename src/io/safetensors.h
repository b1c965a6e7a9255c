/* safetensors.h -- the safetensors tensor file format, as Hugging Face writes it:
 *   8 bytes   N, the header length, unsigned little-endian
 *   N bytes   JSON object: name -> {"dtype": "F32", "shape": [..], "data_offsets": [b, e]},
 *             plus an optional "__metadata__" object of strings; may end in spaces
 *   the rest  the data buffer: each tensor row-major, little-endian, in bytes [b, e)
 * The reader accepts only files whose tensors tile the data buffer exactly. */
#ifndef ASACL_IO_SAFETENSORS_H
#define ASACL_IO_SAFETENSORS_H

#include <stddef.h>
#include <stdint.h>

#include "asacl.h"

#define ST_MAX_DIMS 8
#define ST_MAX_HEADER ((uint64_t)100 << 20) /* larger headers are rejected */

typedef enum st_dtype {
    ST_F32, ST_F16, ST_BF16, ST_F64,
    ST_I64, ST_I32, ST_I16, ST_I8,
    ST_U64, ST_U32, ST_U16, ST_U8, ST_BOOL,
    ST_DTYPE_COUNT
} st_dtype;

const char *st_dtype_name(st_dtype dtype); /* "F32", ... */
size_t st_dtype_size(st_dtype dtype);      /* bytes per element */
/* The dtype named `name` ("BF16"), or -1 when there is none. */
int st_dtype_parse(const char *name);

typedef struct st_tensor {
    char *name;
    st_dtype dtype;
    int ndim;                    /* 0 for a scalar */
    int64_t shape[ST_MAX_DIMS];
    size_t begin, end;           /* byte range in the data buffer */
} st_tensor;

typedef struct st_file {
    char *path;
    st_tensor *tensors;          /* sorted by name */
    size_t n;
    char **meta;                 /* "__metadata__": key0, value0, key1, value1, ... */
    size_t n_meta;               /* number of key/value pairs */
    const unsigned char *data;   /* the data buffer (inside image) */
    size_t data_size;
    char *image;                 /* the whole file */
} st_file;

/* Reads and validates a whole file. On failure (ASACL_ERR_IO unreadable,
 * ASACL_ERR_FORMAT malformed, naming the file, tensor and field) *out is empty. */
asacl_status st_open(const char *path, st_file *out);
void st_close(st_file *f);
/* The tensor called name, or NULL. */
const st_tensor *st_find(const st_file *f, const char *name);
/* The value of a "__metadata__" key, or NULL. */
const char *st_metadata(const st_file *f, const char *key);
/* Number of elements of a tensor. */
size_t st_numel(const st_tensor *t);
/* The tensor's bytes as stored (little-endian). */
const void *st_data(const st_file *f, const st_tensor *t);
/* Converts an F32, F16, BF16 or F64 tensor to st_numel(t) floats. F16 and BF16
 * convert exactly (subnormals, infinities and NaN payloads included; F16
 * signalling NaNs come out quiet, as IEEE conversion has it); F64 rounds to
 * nearest. Any other dtype: ASACL_ERR_INVALID_ARG. */
asacl_status st_to_f32(const st_file *f, const st_tensor *t, float *dst);
float st_f16_to_f32(uint16_t h);
float st_bf16_to_f32(uint16_t h);

/* ---- writer ------------------------------------------------------------------ */

typedef struct st_write_item {
    const char *name;
    st_dtype dtype;
    int ndim;
    const int64_t *shape;
    const void *data;            /* row-major, host byte order */
} st_write_item;

/* Writes the tensors, laid out in the order given, atomically. metadata_kv is
 * NULL or "key", "value", ..., NULL and becomes "__metadata__" (Hugging Face
 * transformers wants {"format": "pt"}). The header is padded with spaces to a
 * multiple of 8 bytes, as the safetensors library does. */
asacl_status st_write(const char *path, const st_write_item *items, size_t n,
                      const char *const *metadata_kv);

#endif /* ASACL_IO_SAFETENSORS_H */
