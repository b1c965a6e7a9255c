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
    const char *profile_path; /* NULL: $ASACL_PROFILE, else the best matching profile;
                                 "shipped:NAME" names one of devices/ */
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

/* Device time per kernel: with timing on, every kernel the library launches
 * carries an OpenCL profiling event and its device time is summed under its
 * name; calls into other libraries (CLBlast) are timed by the wall clock
 * around a finished queue. Switching on (again) clears the table. */
typedef struct asacl_kernel_time {
    char name[48];
    double seconds;
    long count;
} asacl_kernel_time;
asacl_status asacl_ctx_set_kernel_timing(asacl_ctx *ctx, int on);
/* Waits for the queue, then copies up to cap entries; *n gets the count. */
asacl_status asacl_ctx_kernel_times(asacl_ctx *ctx, asacl_kernel_time *out, size_t cap, size_t *n);
/* Bytes held in the library's device buffers now and at most so far. */
void asacl_ctx_memory(const asacl_ctx *ctx, uint64_t *live, uint64_t *peak);
/* Kernel launches the library has enqueued on the context, and the host
 * time they took: from the start of setting a kernel's arguments (and
 * resolving its handle) to the return of the enqueue. Calls into CLBlast
 * are not counted. */
typedef struct asacl_launch_stats {
    uint64_t launches;
    double host_seconds;
} asacl_launch_stats;
void asacl_ctx_launch_stats(const asacl_ctx *ctx, asacl_launch_stats *out);

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
/* Reads a Hugging Face BertConfig config.json (errors name the field). */
asacl_status asacl_model_config_read(const char *path, asacl_model_config *config);
/* ASACL_ERR_INVALID_ARG, with the offending field named, unless every field
 * is in range (hidden_size divisible by the heads, probabilities in [0,1), ...). */
asacl_status asacl_model_config_check(const asacl_model_config *config);

/* ------------------------------------------------------------------------ */
/* Models: a BERT encoder with a classifier head and, for ASA training, one  */
/* adversary per layer, with its parameters on the context's device.       */

typedef struct asacl_model asacl_model;

/* A fresh model with BERT's initialisation (N(0, initializer_range)
 * weights, zero biases, unit LayerNorm scales) drawn from seed. */
asacl_status asacl_model_create(asacl_ctx *ctx, const asacl_model_config *config,
                                int adversaries, uint64_t seed, asacl_model **model);

typedef struct asacl_load_options {
    int num_labels;       /* > 0: this many labels (a fresh classifier if it differs) */
    int adversaries;      /* include ASA adversaries (from the file, else fresh) */
    uint64_t seed;        /* for tensors the folder lacks */
    char id2label[ASACL_MAX_LABELS][64]; /* label names to set with num_labels ("" keeps) */
} asacl_load_options;

typedef struct asacl_load_report {
    unsigned loaded;       /* tensors read from the file */
    unsigned initialised;  /* tensors the file lacked, freshly initialised */
    unsigned ignored;      /* tensors of the file asacl does not use (e.g. MLM heads) */
    char initialised_names[512]; /* the first few of them, comma-separated */
} asacl_load_report;

void asacl_load_options_init(asacl_load_options *options);
/* Loads a model folder: config.json (a Hugging Face BertConfig) and
 * model.safetensors (Hugging Face tensor names; F32, F16 or BF16), as saved
 * by transformers for BertForSequenceClassification, BertModel or
 * BertForMaskedLM, or by asacl. report may be NULL. */
asacl_status asacl_model_load(asacl_ctx *ctx, const char *dir, const asacl_load_options *options,
                              asacl_model **model, asacl_load_report *report);
/* Writes config.json and model.safetensors (float32, Hugging Face names;
 * loadable by transformers' BertForSequenceClassification) into dir,
 * replacing it atomically (see asacl_trainer_save). The adversaries are not
 * part of an inference model. vocab (may be NULL): a vocab.txt to copy. */
asacl_status asacl_model_save(const asacl_model *model, const char *dir, const char *vocab);
void asacl_model_destroy(asacl_model *model);
const asacl_model_config *asacl_model_get_config(const asacl_model *model);
/* Parameters of the encoder and head (and of the adversaries, if any). */
size_t asacl_model_param_count(const asacl_model *model, int with_adversaries);

/* A batch of encoded sequences, row-major [B, T]: tokens at positions
 * >= lengths[b] are padding. labels for classification, targets for one
 * label (regression); either may be NULL when not needed. */
typedef struct asacl_batch {
    size_t B, T;
    const int32_t *ids, *segments, *lengths, *labels;
    const float *targets;
} asacl_batch;

/* Logits [B * num_labels] of the clean pass with dropout off (evaluation,
 * prediction); the adversaries play no part. */
asacl_status asacl_model_predict(asacl_model *model, const asacl_batch *batch, float *logits);

/* ------------------------------------------------------------------------ */
/* Tokenizer: BERT WordPiece over a vocab.txt.                              */

typedef struct asacl_tokenizer asacl_tokenizer;

asacl_status asacl_tokenizer_load(const char *vocab_path, int do_lower_case,
                                  asacl_tokenizer **tokenizer);
asacl_status asacl_tokenizer_from_tokens(const char *const *tokens, size_t n, int do_lower_case,
                                         asacl_tokenizer **tokenizer);
void asacl_tokenizer_destroy(asacl_tokenizer *tokenizer);
size_t asacl_tokenizer_vocab_size(const asacl_tokenizer *tokenizer);
/* Writes the vocabulary as vocab.txt (one token per line), atomically. */
asacl_status asacl_tokenizer_save(const asacl_tokenizer *tokenizer, const char *path);
/* [CLS] a [SEP] (b [SEP]), longest-first truncation to max_len; ids and
 * segments need room for max_len; the rest is [PAD] / 0. */
asacl_status asacl_tokenizer_encode(const asacl_tokenizer *tokenizer, const char *a,
                                    const char *b, int max_len, int32_t *ids, int32_t *segments,
                                    int *length);

/* ------------------------------------------------------------------------ */
/* Datasets: GLUE-format TSV files, users' own TSV, and the built-in task.  */

typedef struct asacl_dataset asacl_dataset;

/* Reads a TSV file for task (sst2 cola mrpc qnli rte mnli qqp stsb tsv).
 * labels (may be NULL): the class names in id order to use instead of the
 * task's own, e.g. the train file's or a model's id2label. */
asacl_status asacl_dataset_read(const char *path, const char *task, const char *const *labels,
                                int num_labels, asacl_dataset **dataset);
/* The built-in task (see README): "train", "dev" (distributed like train)
 * or "dev-shift" (the spurious keyword carries no information); n
 * examples, generated deterministically from seed. */
asacl_status asacl_dataset_builtin(const char *split, size_t n, uint64_t seed,
                                   asacl_dataset **dataset);
/* The built-in task's vocabulary (a lower-cased WordPiece vocabulary). */
asacl_status asacl_builtin_tokenizer(asacl_tokenizer **tokenizer);
void asacl_dataset_destroy(asacl_dataset *dataset);
size_t asacl_dataset_size(const asacl_dataset *dataset);
int asacl_dataset_num_labels(const asacl_dataset *dataset);   /* 1: regression */
const char *asacl_dataset_label_name(const asacl_dataset *dataset, int label);
int asacl_dataset_has_labels(const asacl_dataset *dataset);
/* Example i: texts (b NULL for single sentences), class id (-1 none) or
 * regression target, and its line in the file (0 for generated data). */
asacl_status asacl_dataset_get(const asacl_dataset *dataset, size_t i, const char **a,
                               const char **b, int *label, float *target, size_t *line);

/* ------------------------------------------------------------------------ */
/* Training (asa-spec section 5).                                           */

typedef struct asacl_train_options {
    int asa;                /* 1: ASA (default); 0: plain fine-tuning */
    int additive_masks;     /* asa-spec 7 instead of "replace" semantics */
    float tau;              /* kept-unit penalty, default 0.5 */
    float lr;               /* peak learning rate, default 2e-5 */
    float weight_decay;     /* 0.01 */
    float warmup_ratio;     /* 0.06 */
    float max_grad_norm;    /* <= 0 (default): no clipping */
    long total_steps;       /* length of the schedule */
    uint64_t seed;          /* dropout stream (and data order, for callers) */
    size_t max_batch;       /* largest B */
    size_t max_seq_len;     /* largest T */
} asacl_train_options;

void asacl_train_options_init(asacl_train_options *options);

#define ASACL_MAX_LAYERS 64

typedef struct asacl_step_stats {
    double task, vloss, rloss;   /* asa-spec 5.3; vloss and rloss 0 without ASA */
    double total;                /* task + vloss + tau^2 rloss */
    double loss;                 /* the loss to report: task + vloss */
    double lr;                   /* learning rate of this update */
    double grad_norm;            /* before clipping (only when clipping) */
    double masked_fraction[ASACL_MAX_LAYERS]; /* per layer, real (query, key) pairs */
    int correct;                 /* right answers of the clean pass on this batch (classification) */
} asacl_step_stats;

typedef struct asacl_trainer asacl_trainer;

/* The model must have adversaries for ASA training. The trainer keeps a
 * pointer to the model, which must outlive it. */
asacl_status asacl_trainer_create(asacl_model *model, const asacl_train_options *options,
                                  asacl_trainer **trainer);
void asacl_trainer_destroy(asacl_trainer *trainer);
/* One step: forward(s), backward(s), AdamW. stats may be NULL. */
asacl_status asacl_trainer_step(asacl_trainer *trainer, const asacl_batch *batch,
                                asacl_step_stats *stats);
long asacl_trainer_steps_done(const asacl_trainer *trainer);

/* Where step time goes: with timing on, each step waits for the device
 * after each phase (slightly slower) and the phases' wall times add up. */
typedef struct asacl_step_timing {
    long steps;
    double clean_forward, adversarial_forward, losses, backward, optimizer; /* seconds */
} asacl_step_timing;
void asacl_trainer_set_timing(asacl_trainer *trainer, int on);
void asacl_trainer_get_timing(const asacl_trainer *trainer, asacl_step_timing *timing);

/* Where the data loader stands, saved with a checkpoint. */
typedef struct asacl_data_position {
    long epoch;
    long index;        /* next example of the epoch's order */
} asacl_data_position;

/* A training checkpoint: the model folder (config.json, model.safetensors,
 * vocab.txt when given) plus trainer_state.safetensors (adversaries, AdamW
 * moments, step, seed, data position, options, and `run`, a caller's JSON
 * text such as its command-line settings; may be NULL). The folder is
 * replaced atomically: whenever the process stops, it holds the old
 * checkpoint or the new one, never a mix. */
asacl_status asacl_trainer_save(const asacl_trainer *trainer, const char *dir,
                                const asacl_data_position *position, const char *vocab,
                                const char *run);
/* The options a checkpoint was trained with and its `run` text (malloc'd,
 * NULL if none; free with free()), to create the trainer to resume. */
asacl_status asacl_checkpoint_info(const char *dir, asacl_train_options *options, char **run);
/* Restores a checkpoint into a trainer created with the checkpoint's
 * options for a model loaded from it; continuing gives the results of an
 * uninterrupted run on the same device. */
asacl_status asacl_trainer_resume(asacl_trainer *trainer, const char *dir,
                                  asacl_data_position *position);

/* ------------------------------------------------------------------------ */
/* Tuning: the kernels' parameters searched on one device, at the shapes of  */
/* a model configuration and batch, written as a device profile.           */

typedef struct asacl_tune_options {
    const char *device;           /* selection spec; NULL: as asacl_ctx_create */
    double budget_seconds;        /* stop after about this long (0: no limit); resumable */
    asacl_model_config config;    /* shapes: hidden, heads, FFN, layers */
    size_t batch, seq_len;
    int reps;                     /* timed repetitions per candidate (3) */
    const char *output;           /* profile to write; NULL: <output_dir>/<device>.json */
    const char *output_dir;       /* NULL: the user's folder, $XDG_CONFIG_HOME/asacl/devices */
    void (*progress)(const char *line, void *user); /* may be NULL */
    void *user;
} asacl_tune_options;

/* The bench shapes: 4 layers, hidden 256, 4 heads, FFN 1024, B 32, T 128. */
void asacl_tune_options_init(asacl_tune_options *options);
/* Runs (or resumes) the search; `written` (may be NULL) gets the path. */
asacl_status asacl_tune(const asacl_tune_options *options, char *written, size_t cap);

#ifdef __cplusplus
}
#endif
#endif /* ASACL_H */
