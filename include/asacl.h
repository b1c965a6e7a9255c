/*
 * asacl.h -- the public API of asacl, a C11 + OpenCL trainer for BERT-family
 * encoders with Adversarial Self-Attention (ASA).
 *
 * Conventions
 * - Every public name starts with asacl_ / ASACL_.
 * - Functions that can fail return an asacl_status; on failure a message that
 *   says what was being done (and, for OpenCL failures, which call and which
 *   CL error) is kept per thread: asacl_last_error().
 * - Handles are opaque; destroying NULL is a no-op.
 * - The library never exits and never prints; it logs only through the
 *   callback given to asacl_log_set().
 */
#ifndef ASACL_H
#define ASACL_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define ASACL_VERSION_MAJOR 0
#define ASACL_VERSION_MINOR 1
#define ASACL_VERSION_PATCH 0
#define ASACL_VERSION_NUM \
    ((ASACL_VERSION_MAJOR << 16) | (ASACL_VERSION_MINOR << 8) | ASACL_VERSION_PATCH)

/* ASACL_VERSION_NUM of the library actually linked (compare with the header). */
unsigned asacl_version(void);
const char *asacl_version_string(void);

/* ------------------------------------------------------------------------ */
/* Status codes. Append only: values are never renumbered or reused.        */

typedef enum asacl_status {
    ASACL_OK = 0,
    ASACL_ERR_INVALID_ARG = 1,   /* a caller passed a bad value */
    ASACL_ERR_OUT_OF_MEMORY = 2, /* a host or device allocation failed */
    ASACL_ERR_NO_PLATFORM = 3,   /* no OpenCL platform (no ICD / driver installed) */
    ASACL_ERR_NO_DEVICE = 4,     /* no device, or the device selection matched none */
    ASACL_ERR_OPENCL = 5,        /* an OpenCL call failed */
    ASACL_ERR_BUILD = 6,         /* a kernel program failed to compile */
    ASACL_ERR_IO = 7,            /* a file could not be read or written */
    ASACL_ERR_FORMAT = 8,        /* a file's contents are malformed */
    ASACL_ERR_PROFILE = 9,       /* a device profile is malformed */
    ASACL_ERR_UNSUPPORTED = 10,  /* the device lacks a needed capability */
    ASACL_ERR_TOO_LARGE = 11,    /* a buffer exceeds CL_DEVICE_MAX_MEM_ALLOC_SIZE */
    ASACL_ERR_NUMERIC = 12,      /* a NaN or infinity appeared */
    ASACL_ERR_INTERNAL = 13      /* a bug in asacl */
} asacl_status;

/* Static one-line description of a status code. */
const char *asacl_status_str(asacl_status status);

/* Detail of the last failure in the calling thread ("" if none). The text is
 * owned by the library and valid until the next failing call in this thread. */
const char *asacl_last_error(void);

/* ------------------------------------------------------------------------ */
/* Logging (process-wide). Without a callback the library is silent.        */

enum asacl_log_level {
    ASACL_LOG_ERROR = 0,
    ASACL_LOG_WARN = 1,
    ASACL_LOG_INFO = 2,
    ASACL_LOG_DEBUG = 3
};
typedef void (*asacl_log_fn)(int level, const char *message, void *user);
/* Messages with level <= max_level go to fn. fn == NULL turns logging off. */
void asacl_log_set(asacl_log_fn fn, void *user, int max_level);

/* ------------------------------------------------------------------------ */
/* Devices                                                                  */

typedef enum asacl_device_type {
    ASACL_DEVICE_CPU = 1,
    ASACL_DEVICE_GPU = 2,
    ASACL_DEVICE_ACCELERATOR = 4,
    ASACL_DEVICE_OTHER = 8
} asacl_device_type;

typedef struct asacl_device_info {
    size_t index;                /* flat index over all platforms */
    unsigned platform_index;     /* P of "P:D" */
    unsigned device_index;       /* D of "P:D" */
    char platform_name[128];
    char platform_version[128];
    char name[256];
    char vendor[128];            /* as the driver reports it */
    char vendor_id[32];          /* normalised: nvidia, amd, intel, arm, apple, ... */
    char driver_version[128];
    char device_version[128];
    char opencl_c_version[64];
    asacl_device_type type;
    unsigned compute_units;
    unsigned clock_mhz;
    uint64_t global_mem_bytes;
    uint64_t local_mem_bytes;
    uint64_t max_alloc_bytes;
    size_t max_work_group_size;
    int fp16;                    /* cl_khr_fp16 */
    int fp64;                    /* cl_khr_fp64 */
    char profile[256];           /* the device profile it would use (see devices/) */
} asacl_device_info;

/* All OpenCL devices of all platforms. *list is freed with asacl_devices_free.
 * No platform at all: ASACL_ERR_NO_PLATFORM; platforms but no device:
 * ASACL_OK with *count == 0. */
asacl_status asacl_devices_query(asacl_device_info **list, size_t *count);
void asacl_devices_free(asacl_device_info *list);

/* Picks a device from list by spec:
 *   "P:D"      platform P, device D (both from 0)
 *   "N"        flat index N
 *   otherwise  the first device whose name contains spec (case-insensitive)
 *   NULL, ""   the first GPU, else the first device
 * No match: ASACL_ERR_NO_DEVICE, with the devices there are in the message. */
asacl_status asacl_device_match(const asacl_device_info *list, size_t count,
                                const char *spec, size_t *index);

/* ------------------------------------------------------------------------ */
/* Context: one device, one in-order queue, kernel programs built on demand. */

typedef struct asacl_ctx asacl_ctx;

typedef struct asacl_ctx_options {
    const char *device;       /* selection spec; NULL: $ASACL_DEVICE, else default */
    int cache;                /* program binary cache: 1 on, 0 off, -1 from $ASACL_CACHE (default on) */
    const char *cache_dir;    /* NULL: $ASACL_CACHE_DIR, $XDG_CACHE_HOME/asacl, ~/.cache/asacl */
    const char *profile_path; /* NULL: $ASACL_PROFILE, else the best matching profile */
} asacl_ctx_options;

void asacl_ctx_options_init(asacl_ctx_options *options);
asacl_status asacl_ctx_create(const asacl_ctx_options *options, asacl_ctx **ctx);
void asacl_ctx_destroy(asacl_ctx *ctx);
const asacl_device_info *asacl_ctx_device(const asacl_ctx *ctx);
/* Where the profile in use came from ("shipped:<file>", "user:<path>", ...). */
const char *asacl_ctx_profile(const asacl_ctx *ctx);
/* Blocks until all queued device work is done. */
asacl_status asacl_ctx_finish(asacl_ctx *ctx);

/* Kernel programs (one per .cl file of cl/, embedded in the library). */
size_t asacl_program_count(void);
const char *asacl_program_name(size_t i);

typedef struct asacl_build_stats {
    unsigned built;          /* programs compiled from source */
    unsigned cache_hits;     /* programs loaded from the binary cache */
    unsigned cache_rejected; /* cache entries found corrupt or unusable (then rebuilt) */
    unsigned cache_written;  /* cache entries written */
    double seconds;          /* wall time spent building or loading programs */
} asacl_build_stats;

/* Builds (or loads from the cache) one program by name; *from_cache tells
 * which (may be NULL). Building an already built program does nothing. */
asacl_status asacl_ctx_build_program(asacl_ctx *ctx, const char *name, int *from_cache);
/* Builds every program. */
asacl_status asacl_ctx_build_all(asacl_ctx *ctx);
void asacl_ctx_build_stats(const asacl_ctx *ctx, asacl_build_stats *stats);
/* The cache directory in use, or NULL when the cache is off. */
const char *asacl_ctx_cache_dir(const asacl_ctx *ctx);

/* ------------------------------------------------------------------------ */
/* Model configuration: the fields of Hugging Face's BertConfig that matter. */

#define ASACL_MAX_LABELS 32

typedef struct asacl_model_config {
    int vocab_size;                     /* 30522 */
    int hidden_size;                    /* D, 768 */
    int num_hidden_layers;              /* L, 12 */
    int num_attention_heads;            /* H, 12 */
    int intermediate_size;              /* F, 3072 */
    int max_position_embeddings;        /* 512 */
    int type_vocab_size;                /* 2 */
    int num_labels;                     /* C, 2; 1 means regression (MSE) */
    int pad_token_id;                   /* 0: its embedding row gets no gradient */
    float hidden_dropout_prob;          /* 0.1 */
    float attention_probs_dropout_prob; /* 0.1 */
    float layer_norm_eps;               /* 1e-12 */
    float initializer_range;            /* 0.02: std of the normal weight init */
    /* Label names (config.json id2label), "" when absent. */
    char id2label[ASACL_MAX_LABELS][64];
} asacl_model_config;

/* bert-base-uncased's values with num_labels = 2. */
void asacl_model_config_default(asacl_model_config *config);
/* ASACL_ERR_INVALID_ARG, with the offending field named, unless every field
 * is in range (hidden_size divisible by the heads, probabilities in [0,1), ...). */
asacl_status asacl_model_config_check(const asacl_model_config *config);

#ifdef __cplusplus
}
#endif
#endif /* ASACL_H */
