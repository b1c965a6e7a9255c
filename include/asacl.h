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

/* Marks the library's exported functions: everything else inside it is
 * hidden (the shared library exports asacl_* only, and so does the static
 * one, whose internal symbols are made local when it is built). */
#if defined(__GNUC__) || defined(__clang__)
#define ASACL_API __attribute__((visibility("default")))
#else
#define ASACL_API
#endif

#define ASACL_VERSION_MAJOR 0
#define ASACL_VERSION_MINOR 1
#define ASACL_VERSION_PATCH 0
#define ASACL_VERSION_NUM \
    ((ASACL_VERSION_MAJOR << 16) | (ASACL_VERSION_MINOR << 8) | ASACL_VERSION_PATCH)

/* ASACL_VERSION_NUM of the library actually linked (compare with the header). */
ASACL_API unsigned asacl_version(void);
ASACL_API const char *asacl_version_string(void);

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
    ASACL_ERR_UNSUPPORTED = 10,  /* the device lacks a needed capability, or the build an
                                    optional part (cairo, for pictures) */
    ASACL_ERR_TOO_LARGE = 11,    /* a buffer exceeds CL_DEVICE_MAX_MEM_ALLOC_SIZE */
    ASACL_ERR_NUMERIC = 12,      /* a NaN or infinity appeared */
    ASACL_ERR_INTERNAL = 13      /* a bug in asacl */
} asacl_status;

/* Static one-line description of a status code. */
ASACL_API const char *asacl_status_str(asacl_status status);

/* Detail of the last failure in the calling thread ("" if none). The text is
 * owned by the library and valid until the next failing call in this thread. */
ASACL_API const char *asacl_last_error(void);

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
ASACL_API void asacl_log_set(asacl_log_fn fn, void *user, int max_level);

/* ------------------------------------------------------------------------ */
/* Small utilities for front ends.                                          */

/* Monotonic seconds (for timing and progress). */
ASACL_API double asacl_now(void);
/* mkdir -p; ASACL_ERR_IO with the folder named on failure. */
ASACL_API asacl_status asacl_mkdirs(const char *path);

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
ASACL_API asacl_status asacl_devices_query(asacl_device_info **list, size_t *count);
ASACL_API void asacl_devices_free(asacl_device_info *list);

/* Picks a device from list by spec:
 *   "P:D"      platform P, device D (both from 0)
 *   "N"        flat index N
 *   otherwise  the first device whose name contains spec (case-insensitive)
 *   NULL, ""   the first GPU, else the first device
 * No match: ASACL_ERR_NO_DEVICE, with the devices there are in the message. */
ASACL_API asacl_status asacl_device_match(const asacl_device_info *list, size_t count,
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

ASACL_API void asacl_ctx_options_init(asacl_ctx_options *options);
ASACL_API asacl_status asacl_ctx_create(const asacl_ctx_options *options, asacl_ctx **ctx);
ASACL_API void asacl_ctx_destroy(asacl_ctx *ctx);
ASACL_API const asacl_device_info *asacl_ctx_device(const asacl_ctx *ctx);
/* Where the profile in use came from ("shipped:<file>", "user:<path>", ...). */
ASACL_API const char *asacl_ctx_profile(const asacl_ctx *ctx);
/* Blocks until all queued device work is done. */
ASACL_API asacl_status asacl_ctx_finish(asacl_ctx *ctx);

/* Kernel programs (one per .cl file of cl/, embedded in the library). */
ASACL_API size_t asacl_program_count(void);
ASACL_API const char *asacl_program_name(size_t i);

typedef struct asacl_build_stats {
    unsigned built;          /* programs compiled from source */
    unsigned cache_hits;     /* programs loaded from the binary cache */
    unsigned cache_rejected; /* cache entries found corrupt or unusable (then rebuilt) */
    unsigned cache_written;  /* cache entries written */
    double seconds;          /* wall time spent building or loading programs */
} asacl_build_stats;

/* Builds (or loads from the cache) one program by name; *from_cache tells
 * which (may be NULL). Building an already built program does nothing. */
ASACL_API asacl_status asacl_ctx_build_program(asacl_ctx *ctx, const char *name, int *from_cache);
/* Builds every program. */
ASACL_API asacl_status asacl_ctx_build_all(asacl_ctx *ctx);
ASACL_API void asacl_ctx_build_stats(const asacl_ctx *ctx, asacl_build_stats *stats);
/* The cache directory in use, or NULL when the cache is off. */
ASACL_API const char *asacl_ctx_cache_dir(const asacl_ctx *ctx);

/* Device time per kernel: with timing on, every kernel the library launches
 * carries an OpenCL profiling event and its device time is summed under its
 * name; calls into other libraries (CLBlast) are timed by the wall clock
 * around a finished queue. Switching on (again) clears the table. */
typedef struct asacl_kernel_time {
    char name[48];
    double seconds;
    long count;
} asacl_kernel_time;
ASACL_API asacl_status asacl_ctx_set_kernel_timing(asacl_ctx *ctx, int on);
/* Waits for the queue, then copies up to cap entries; *n gets the count. */
ASACL_API asacl_status asacl_ctx_kernel_times(asacl_ctx *ctx, asacl_kernel_time *out, size_t cap, size_t *n);
/* Bytes held in the library's device buffers now and at most so far. */
ASACL_API void asacl_ctx_memory(const asacl_ctx *ctx, uint64_t *live, uint64_t *peak);
/* Kernel launches the library has enqueued on the context, and the host
 * time they took: from the start of setting a kernel's arguments (and
 * resolving its handle) to the return of the enqueue. Calls into CLBlast
 * are not counted. */
typedef struct asacl_launch_stats {
    uint64_t launches;
    double host_seconds;
} asacl_launch_stats;
ASACL_API void asacl_ctx_launch_stats(const asacl_ctx *ctx, asacl_launch_stats *out);

/* ------------------------------------------------------------------------ */
/* Model configuration: the fields of Hugging Face's BertConfig (or
 * RobertaConfig) that matter. */

#define ASACL_MAX_LABELS 32

/* config.json's model_type. RoBERTa differs from BERT in: position ids
 * padding_idx + 1 + the running count of non-pad tokens (pads get
 * padding_idx = pad_token_id, a row that gets no gradient); one token type;
 * the head dropout -> dense -> tanh -> dropout -> out_proj on <s> (no
 * pooler); tensor names roberta.*, classifier.dense.*, classifier.out_proj.*;
 * ASA training defaults to additive masks (asa-spec 7 and 10). */
typedef enum asacl_model_type {
    ASACL_MODEL_BERT = 0,
    ASACL_MODEL_ROBERTA = 1
} asacl_model_type;

/* What the model is trained for: its head, its loss and its metrics
 * (asa-spec 5 and 10). Append only. */
typedef enum asacl_task_kind {
    ASACL_TASK_SEQUENCE = 0, /* sequence classification (num_labels >= 2) or regression (1):
                                BERT's pooler + classifier on [CLS] (RoBERTa: its
                                classification head on <s>); BertForSequenceClassification */
    ASACL_TASK_TOKEN = 1,    /* token classification (NER, POS): dropout + classifier [C, D] on
                                every token, no pooler; BertForTokenClassification */
    ASACL_TASK_CHOICE = 2,   /* multiple choice: every (example, choice) pair is a sequence;
                                pooler + dropout + a one-output classifier score it, the scores
                                of an example's n choices are its logits [n];
                                BertForMultipleChoice (num_labels is 1: one score) */
    ASACL_TASK_MLM = 3       /* masked-language-model pre-training (asa-spec 11):
                                BertForMaskedLM's head (cls.predictions: dense -> GELU ->
                                LayerNorm -> decoder tied to the word embeddings + bias) at the
                                chosen positions only; num_labels is unused. A batch's
                                token_labels are its MLM labels: the original id at a chosen
                                position, ASACL_TOKEN_IGNORE elsewhere (without them the trainer
                                masks the batch itself, asa-spec 11) */
} asacl_task_kind;

/* "sequence", "token", "choice", "mlm"; NULL for an unknown kind. */
ASACL_API const char *asacl_task_kind_name(int kind);

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
    int model_type;                     /* asacl_model_type, ASACL_MODEL_BERT by default */
    int task;                           /* asacl_task_kind (config.json's architectures),
                                           ASACL_TASK_SEQUENCE by default */
} asacl_model_config;

/* bert-base-uncased's values with num_labels = 2. */
ASACL_API void asacl_model_config_default(asacl_model_config *config);
/* Reads a Hugging Face BertConfig config.json (errors name the field). */
ASACL_API asacl_status asacl_model_config_read(const char *path, asacl_model_config *config);
/* ASACL_ERR_INVALID_ARG, with the offending field named, unless every field
 * is in range (hidden_size divisible by the heads, probabilities in [0,1), ...). */
ASACL_API asacl_status asacl_model_config_check(const asacl_model_config *config);

/* Named shapes for benchmarks, tuning and the built-in task: a config (the
 * defaults above with these sizes) and the batch it is measured at.
 *   bench   4 layers, hidden 256, 4 heads, FFN 1024, B 32, T 128
 *   tiny    2 layers, hidden 64, 4 heads, FFN 128, B 16, T 32 (the built-in task's model)
 *   minilm  6 layers, hidden 384, 12 heads, FFN 1536, B 32, T 64 (MiniLM-L6-H384)
 *   base    BERT-base: 12 layers, hidden 768, 12 heads, FFN 3072, B 32, T 128
 *   roberta-base  RoBERTa-base: base's sizes, vocab 50265, 514 positions, B 32, T 128
 * spec may also be a config.json path (then B 32, T 128). batch, seq_len may be NULL. */
ASACL_API asacl_status asacl_config_named(const char *spec, asacl_model_config *config, size_t *batch,
                                size_t *seq_len);
/* "bench, tiny, minilm, base, roberta-base" */
ASACL_API const char *asacl_config_names(void);

/* ------------------------------------------------------------------------ */
/* Models: a BERT encoder with a classifier head and, for ASA training, one  */
/* adversary per layer, with its parameters on the context's device.       */

typedef struct asacl_model asacl_model;

/* A fresh model with BERT's initialisation (N(0, initializer_range)
 * weights, zero biases, unit LayerNorm scales) drawn from seed. */
ASACL_API asacl_status asacl_model_create(asacl_ctx *ctx, const asacl_model_config *config,
                                int adversaries, uint64_t seed, asacl_model **model);

typedef struct asacl_load_options {
    int num_labels;       /* > 0: this many labels (a fresh classifier if it differs) */
    int adversaries;      /* include ASA adversaries (from the file, else fresh) */
    uint64_t seed;        /* for tensors the folder lacks */
    char id2label[ASACL_MAX_LABELS][64]; /* label names to set with num_labels ("" keeps) */
    int task;             /* asacl_task_kind to load the folder as (its head is then made
                             fresh, as transformers does, if the folder's is another);
                             -1 (default): the folder's own (config.json architectures) */
} asacl_load_options;

typedef struct asacl_load_report {
    unsigned loaded;       /* tensors read from the file */
    unsigned initialised;  /* tensors the file lacked, freshly initialised */
    unsigned ignored;      /* tensors of the file asacl does not use (e.g. MLM heads) */
    char initialised_names[512]; /* the first few of them, comma-separated */
} asacl_load_report;

ASACL_API void asacl_load_options_init(asacl_load_options *options);
/* Loads a model folder: config.json (a Hugging Face BertConfig, or a
 * RobertaConfig: model_type roberta) and model.safetensors (Hugging Face
 * tensor names; F32, F16 or BF16), as saved by transformers for
 * BertForSequenceClassification, BertModel, BertForMaskedLM,
 * RobertaForSequenceClassification, RobertaModel or RobertaForMaskedLM, or
 * by asacl. report may be NULL. */
ASACL_API asacl_status asacl_model_load(asacl_ctx *ctx, const char *dir, const asacl_load_options *options,
                              asacl_model **model, asacl_load_report *report);
/* Writes config.json and model.safetensors (float32, Hugging Face names;
 * loadable by transformers' BertForSequenceClassification, or
 * RobertaForSequenceClassification for a RoBERTa model) into dir,
 * replacing it atomically (see asacl_trainer_save). The adversaries are not
 * part of an inference model. vocab (may be NULL): a vocab.txt to copy, or
 * for RoBERTa a vocab.json, copied with the merges.txt beside it. */
ASACL_API asacl_status asacl_model_save(const asacl_model *model, const char *dir, const char *vocab);
ASACL_API void asacl_model_destroy(asacl_model *model);
ASACL_API const asacl_model_config *asacl_model_get_config(const asacl_model *model);
/* Parameters of the encoder and head (and of the adversaries, if any). */
ASACL_API size_t asacl_model_param_count(const asacl_model *model, int with_adversaries);

/* The label of a token outside the loss and the metrics (torch's ignore_index). */
#define ASACL_TOKEN_IGNORE (-100)

/* A batch of encoded sequences, row-major [B, T]: tokens at positions
 * >= lengths[b] are padding. labels for classification, targets for one
 * label (regression); either may be NULL when not needed.
 * Token classification: token_labels [B * T] (row-major like ids), a class
 * id or ASACL_TOKEN_IGNORE ([CLS], [SEP], padding, sub-words after a
 * word's first); labels unused.
 * Multiple choice (n_choices >= 2): B examples of n_choices sequences each,
 * so ids and segments hold B * n_choices rows of T (row b * n_choices + k is
 * choice k of example b), lengths B * n_choices entries and labels B (the
 * right choice of each example). n_choices 0 (or 1): one sequence per example. */
typedef struct asacl_batch {
    size_t B, T;
    const int32_t *ids, *segments, *lengths, *labels;
    const float *targets;
    const int32_t *token_labels;
    size_t n_choices;
} asacl_batch;

/* Logits of the clean pass with dropout off (evaluation, prediction); the
 * adversaries play no part: [B * num_labels] for sequence classification,
 * [B * T * num_labels] for token classification (T the batch's T),
 * [B * n_choices] choice scores for multiple choice. */
ASACL_API asacl_status asacl_model_predict(asacl_model *model, const asacl_batch *batch, float *logits);

/* ------------------------------------------------------------------------ */
/* Tokenizer: BERT WordPiece over a vocab.txt, or byte-level BPE (RoBERTa,  */
/* GPT-2) over vocab.json + merges.txt; one handle for both.                */

typedef struct asacl_tokenizer asacl_tokenizer;

ASACL_API asacl_status asacl_tokenizer_load(const char *vocab_path, int do_lower_case,
                                  asacl_tokenizer **tokenizer);
ASACL_API asacl_status asacl_tokenizer_from_tokens(const char *const *tokens, size_t n, int do_lower_case,
                                         asacl_tokenizer **tokenizer);
/* Byte-level BPE as transformers' RobertaTokenizer; vocab.json must hold
 * <s> <pad> </s> <unk> (and may hold <mask>). add_prefix_space: a space goes
 * before a text that does not start with whitespace (RoBERTa: 0). */
ASACL_API asacl_status asacl_tokenizer_load_bpe(const char *vocab_json, const char *merges_txt,
                                      int add_prefix_space, asacl_tokenizer **tokenizer);
/* The tokenizer of a model folder: with vocab.json there, byte-level BPE
 * over vocab.json + merges.txt (RoBERTa, no prefix space); else WordPiece
 * over vocab.txt (BERT; do_lower_case applies). vocab_file (may be NULL; cap
 * bytes): the vocabulary file read, for asacl_model_save. */
ASACL_API asacl_status asacl_tokenizer_load_folder(const char *dir, int do_lower_case,
                                         asacl_tokenizer **tokenizer, char *vocab_file, size_t cap);
ASACL_API void asacl_tokenizer_destroy(asacl_tokenizer *tokenizer);
ASACL_API size_t asacl_tokenizer_vocab_size(const asacl_tokenizer *tokenizer); /* largest id + 1 */
/* The id of a token ("[PAD]", "<pad>"), -1 if the vocabulary lacks it. */
ASACL_API int asacl_tokenizer_token_id(const asacl_tokenizer *tokenizer, const char *token);
/* Writes a WordPiece vocabulary as vocab.txt (one token per line),
 * atomically; a BPE tokenizer is ASACL_ERR_INVALID_ARG (copy its files). */
ASACL_API asacl_status asacl_tokenizer_save(const asacl_tokenizer *tokenizer, const char *path);
/* WordPiece: [CLS] a [SEP] (b [SEP]), segments 0 then 1 after the first
 * [SEP]; BPE: <s> a </s> (</s> b </s>), segments 0. Longest-first
 * truncation to max_len; ids and segments need room for max_len; the rest
 * is the pad token / 0. */
ASACL_API asacl_status asacl_tokenizer_encode(const asacl_tokenizer *tokenizer, const char *a,
                                    const char *b, int max_len, int32_t *ids, int32_t *segments,
                                    int *length);

/* Token classification's encoding of a sentence given as words:
 * "[CLS] pieces(word 0) pieces(word 1) ... [SEP]", each word tokenised on
 * its own (byte-level BPE: "<s> ... </s>", each word with a space before it,
 * as transformers' add_prefix_space=True); word_first[w] (n_words entries) gets the position
 * of word w's first piece, -1 for a word cut off by max_len or without a
 * piece. ids and segments (all 0) need room for max_len. */
ASACL_API asacl_status asacl_tokenizer_encode_words(const asacl_tokenizer *tokenizer,
                                                    const char *const *words, size_t n_words,
                                                    int max_len, int32_t *ids, int32_t *segments,
                                                    int32_t *word_first, int *length);

/* ------------------------------------------------------------------------ */
/* Datasets: GLUE-format TSV files, users' own TSV, and the built-in task.  */

typedef struct asacl_dataset asacl_dataset;

/* Reads a data file for task:
 *   sst2 cola mrpc qnli rte mnli qqp stsb tsv   GLUE-format TSV (sequence tasks)
 *   ner pos conll       CoNLL-style token files (one "word ... label" line per
 *                       word, a blank line between sentences; token classification)
 *   swag dream hellaswag choice   multiple choice: SWAG CSV, DREAM JSON,
 *                       HellaSwag JSONL, asacl's own JSONL ({"context",
 *                       "question", "choices", "label"}; README)
 * labels (may be NULL): the class names in id order to use instead of the
 * file's own, e.g. the train file's or a model's id2label. */
ASACL_API asacl_status asacl_dataset_read(const char *path, const char *task, const char *const *labels,
                                int num_labels, asacl_dataset **dataset);
/* The built-in task (see README): "train", "dev" (distributed like train)
 * or "dev-shift" (the spurious keyword carries no information); n
 * examples, generated deterministically from seed. */
ASACL_API asacl_status asacl_dataset_builtin(const char *split, size_t n, uint64_t seed,
                                   asacl_dataset **dataset);
/* The built-in task's vocabulary (a lower-cased WordPiece vocabulary). */
ASACL_API asacl_status asacl_builtin_tokenizer(asacl_tokenizer **tokenizer);
/* The built-in toy of a task family: task "sequence" (the task above),
 * "ner" (token classification: O, B-PER, I-PER, B-LOC, I-LOC) or "choice"
 * (4 choices); splits and seed as above. */
ASACL_API asacl_status asacl_dataset_builtin_task(const char *task, const char *split, size_t n,
                                                  uint64_t seed, asacl_dataset **dataset);
ASACL_API asacl_status asacl_builtin_task_tokenizer(const char *task, asacl_tokenizer **tokenizer);
/* The task kind a data-set name reads as (asacl_task_kind), -1 if unknown. */
ASACL_API int asacl_task_of_name(const char *task);
ASACL_API void asacl_dataset_destroy(asacl_dataset *dataset);
ASACL_API size_t asacl_dataset_size(const asacl_dataset *dataset);
ASACL_API int asacl_dataset_num_labels(const asacl_dataset *dataset);   /* 1: regression */
ASACL_API const char *asacl_dataset_label_name(const asacl_dataset *dataset, int label);
ASACL_API int asacl_dataset_has_labels(const asacl_dataset *dataset);
/* Example i: texts (b NULL for single sentences), class id (-1 none) or
 * regression target, and its line in the file (0 for generated data). */
ASACL_API asacl_status asacl_dataset_get(const asacl_dataset *dataset, size_t i, const char **a,
                               const char **b, int *label, float *target, size_t *line);
/* The data set's task kind (asacl_task_kind). */
ASACL_API int asacl_dataset_task(const asacl_dataset *dataset);
/* Choices per example (multiple choice), else 0. */
ASACL_API int asacl_dataset_num_choices(const asacl_dataset *dataset);
/* Token classification: sentence i's words and their class ids (-1 without
 * labels). For a multiple-choice set asacl_dataset_get gives the context in
 * a and choice 0's second segment in b; asacl_dataset_choice gives them all. */
ASACL_API asacl_status asacl_dataset_words(const asacl_dataset *dataset, size_t i,
                                           const char *const **words, const int **labels,
                                           size_t *n);
ASACL_API asacl_status asacl_dataset_choice(const asacl_dataset *dataset, size_t i,
                                            const char **context, const char *const **second,
                                            int *label);

/* ------------------------------------------------------------------------ */
/* Data loader: a dataset tokenised once, a seeded order per epoch, batches  */
/* padded as asked, and the position a checkpoint resumes from.             */

/* How a batch is padded (asa-spec 2). The reference pads every sequence to
 * max_seq_len, and under ASA that is part of the objective: the kept-unit
 * penalty counts all T x T units (padding rows included) and an all-masked
 * row is uniform over all T positions. ASACL_PADDING_LONGEST pads a batch
 * only to its longest sequence: cheaper, but under ASA a different
 * objective; it gives the same logits wherever no adversary is involved
 * (evaluation, prediction, plain training up to rounding). */
typedef enum asacl_padding {
    ASACL_PADDING_MAX_LENGTH = 0, /* T = max_seq_len in every batch (default) */
    ASACL_PADDING_LONGEST = 1     /* T = the batch's longest sequence (opt-in) */
} asacl_padding;

/* "max_length" / "longest" <-> the enum (as transformers' tokenizers name them). */
ASACL_API const char *asacl_padding_name(asacl_padding padding);
ASACL_API asacl_status asacl_padding_parse(const char *name, asacl_padding *padding);

typedef struct asacl_loader asacl_loader;

typedef struct asacl_loader_options {
    size_t batch_size;     /* examples per batch (32); the last batch of an epoch may be smaller */
    size_t max_seq_len;    /* tokens per example, [CLS]/[SEP] included (128) */
    asacl_padding padding; /* ASACL_PADDING_MAX_LENGTH */
    int shuffle;           /* 1 (default): a permutation of the examples per epoch from seed;
                              0: file order */
    uint64_t seed;         /* 42 */
} asacl_loader_options;

/* Where a loader stands: the next batch starts at example `index` of
 * epoch `epoch`'s order. */
typedef struct asacl_data_position {
    long epoch;
    long index;
} asacl_data_position;

ASACL_API void asacl_loader_options_init(asacl_loader_options *options);
/* Tokenises every example of dataset with tokenizer (the loader keeps its
 * own copy; both may be destroyed afterwards). */
ASACL_API asacl_status asacl_loader_create(const asacl_dataset *dataset, const asacl_tokenizer *tokenizer,
                                 const asacl_loader_options *options, asacl_loader **loader);
ASACL_API void asacl_loader_destroy(asacl_loader *loader);
ASACL_API size_t asacl_loader_size(const asacl_loader *loader);            /* examples */
ASACL_API long asacl_loader_batches_per_epoch(const asacl_loader *loader);
ASACL_API const asacl_loader_options *asacl_loader_get_options(const asacl_loader *loader);
/* The next batch in the epoch's order (epochs follow one another without
 * end). The batch points into the loader and stays valid until the next
 * call; tokens counts its real (non-padding) tokens (may be NULL). */
ASACL_API asacl_status asacl_loader_next(asacl_loader *loader, asacl_batch *batch, size_t *tokens);
ASACL_API asacl_data_position asacl_loader_position(const asacl_loader *loader);
/* Continues from a position (as asacl_loader_position returned it). */
ASACL_API asacl_status asacl_loader_seek(asacl_loader *loader, const asacl_data_position *position);
/* Token classification: the token position of each word's first piece in
 * example i (-1 for a word cut off by max_seq_len or without a piece);
 * *first points into the loader. */
ASACL_API asacl_status asacl_loader_words(const asacl_loader *loader, size_t i, const int32_t **first,
                                          size_t *n_words);

/* ------------------------------------------------------------------------ */
/* Evaluation: the clean pass (dropout off) over every example in order.    */

typedef struct asacl_metrics {
    size_t n;                        /* examples */
    double accuracy, f1, mcc;        /* classification (f1 and mcc of class 1: two labels) */
    double pearson, spearman, mse;   /* one-output regression */
    int task;                        /* asacl_task_kind measured */
    /* Token classification (asa-spec 10): tokens = labelled tokens; token
     * micro P/R/F1 over the classes from token_first_class on (1: "O", class
     * 0, left out, the reference's NER metric; 0: every class, POS, where F1
     * equals the accuracy); entity P/R/F1 over BIO spans (seqeval's default
     * mode). accuracy is the token accuracy. */
    size_t tokens;
    int token_first_class;
    double token_precision, token_recall, token_f1;
    double entity_precision, entity_recall, entity_f1;
} asacl_metrics;

/* Runs model over loader's examples in file order, padding each batch to
 * its longest sequence (no adversary plays a part, so this gives the
 * logits of any padding). logits (may be NULL): [size * num_labels]. */
ASACL_API asacl_status asacl_evaluate(asacl_model *model, asacl_loader *loader, asacl_metrics *metrics,
                            float *logits);
/* The metric a task is judged by and its value: "accuracy" (sequence
 * classification, multiple choice), "pearson" (one-output regression),
 * "token_f1" (token classification, the reference's metric). num_labels
 * matters only for sequence tasks (metrics->task). */
ASACL_API const char *asacl_metrics_main(const asacl_metrics *metrics, int num_labels, double *value);

/* ------------------------------------------------------------------------ */
/* Training (asa-spec section 5).                                           */

/* Data-parallel training over MPI: one process per device, each taking its
 * share of every batch; one all-reduce of the gradient and the step's scalars
 * per step. Built only when CMake found MPI (asacl_dist_available). */
typedef struct asacl_dist asacl_dist;
ASACL_API int asacl_dist_available(void);
/* MPI_Init (MPI_THREAD_FUNNELED) and the world's ranks; ASACL_ERR_UNSUPPORTED
 * in a build without MPI. */
ASACL_API asacl_status asacl_dist_init(int *argc, char ***argv, asacl_dist **dist);
ASACL_API int asacl_dist_rank(const asacl_dist *dist);       /* 0 for NULL */
ASACL_API int asacl_dist_size(const asacl_dist *dist);       /* 1 for NULL */
ASACL_API int asacl_dist_local_rank(const asacl_dist *dist); /* rank among this host's ranks */
/* Stops every rank (MPI_Abort) with exit code code; nothing without MPI. */
ASACL_API void asacl_dist_abort(asacl_dist *dist, int code);
ASACL_API void asacl_dist_finalize(asacl_dist *dist);

typedef struct asacl_train_options {
    int asa;                /* 1: ASA (default); 0: plain fine-tuning */
    int additive_masks;     /* 1: asa-spec 7 (S' = S + G, no attention dropout); 0: "replace"
                               (section 3); -1 (default): the reference's choice for the
                               model, additive for RoBERTa (section 10), replace for BERT */
    float tau;              /* kept-unit penalty, default 0.5 */
    float lr;               /* peak learning rate, default 2e-5 */
    float weight_decay;     /* 0.01 */
    float warmup_ratio;     /* 0.06 */
    float max_grad_norm;    /* <= 0 (default): no clipping */
    long total_steps;       /* length of the schedule */
    uint64_t seed;          /* dropout stream (and data order, for callers) */
    size_t max_batch;       /* largest B */
    size_t max_seq_len;     /* largest T; with ASACL_PADDING_MAX_LENGTH every batch's T */
    asacl_padding padding;  /* ASACL_PADDING_MAX_LENGTH (default, the reference's objective) */
    size_t grad_accum;      /* micro-batches per step (0 or 1: the whole batch at once); the
                               batch of a step is cut into world * grad_accum contiguous shards
                               (README "Several devices") with every 1/B of the batch */
    asacl_dist *dist;       /* the processes training together (asacl_dist_init); NULL: this
                               one alone. Not saved in checkpoints */
    size_t max_choices;     /* multiple choice: choices per example (every batch's n_choices
                               is at most this; the arenas hold max_batch x max_choices
                               sequences); 0 otherwise */
    int allreduce_overlap;  /* with several ranks: 1 sums the gradient over the ranks bucket by
                               bucket while the backward pass goes on, the top layers' first;
                               0 (default): the whole buffer after the whole backward. The
                               same results either way. Not saved in checkpoints */
} asacl_train_options;

ASACL_API void asacl_train_options_init(asacl_train_options *options);

#define ASACL_MAX_LAYERS 64

typedef struct asacl_step_stats {
    double task, vloss, rloss;   /* asa-spec 5.3; vloss and rloss 0 without ASA */
    double total;                /* task + vloss + tau^2 rloss */
    double loss;                 /* the loss to report: task + vloss */
    double lr;                   /* learning rate of this update */
    double grad_norm;            /* before clipping (only when clipping) */
    double masked_fraction[ASACL_MAX_LAYERS]; /* per layer, real (query, key) pairs */
    int correct;                 /* right answers of the clean pass on this batch (classification) */
    int counted;                 /* what correct counts over: examples, or for token
                                    classification labelled tokens */
} asacl_step_stats;

typedef struct asacl_trainer asacl_trainer;

/* The model must have adversaries for ASA training. The trainer keeps a
 * pointer to the model, which must outlive it. */
ASACL_API asacl_status asacl_trainer_create(asacl_model *model, const asacl_train_options *options,
                                  asacl_trainer **trainer);
ASACL_API void asacl_trainer_destroy(asacl_trainer *trainer);
/* One step: forward(s), backward(s), AdamW. stats may be NULL. */
ASACL_API asacl_status asacl_trainer_step(asacl_trainer *trainer, const asacl_batch *batch,
                                asacl_step_stats *stats);
ASACL_API long asacl_trainer_steps_done(const asacl_trainer *trainer);

/* Where step time goes: with timing on, each step waits for the device
 * after each phase (slightly slower) and the phases' wall times add up. */
typedef struct asacl_step_timing {
    long steps;
    double clean_forward, adversarial_forward, losses, backward, optimizer; /* seconds */
    /* A data-parallel run measures its all-reduce on every step, timing on
     * or off: the gradient's trip to the host, the sums, the trip back. */
    double allreduce;            /* seconds in all (with timing on, after a barrier; with
                                    allreduce_overlap, only the part after the device has
                                    finished the backward) */
    double allreduce_wait;       /* with timing on: seconds waiting at that barrier for the
                                    slowest rank */
    long allreduce_steps;
    size_t allreduce_bytes;      /* per step: the gradient buffer and the step's scalars */
} asacl_step_timing;
ASACL_API void asacl_trainer_set_timing(asacl_trainer *trainer, int on);
ASACL_API void asacl_trainer_get_timing(const asacl_trainer *trainer, asacl_step_timing *timing);

/* A training checkpoint: the model folder (config.json, model.safetensors,
 * vocab.txt when given) plus trainer_state.safetensors (adversaries, AdamW
 * moments, step, seed, options, the loader's options and position when
 * loader is not NULL, and `run`, a caller's JSON text such as its
 * command-line settings; may be NULL). The folder is replaced atomically:
 * whenever the process stops, it holds the old checkpoint or the new one,
 * never a mix. */
ASACL_API asacl_status asacl_trainer_save(const asacl_trainer *trainer, const char *dir,
                                const asacl_loader *loader, const char *vocab, const char *run);
/* The options a checkpoint was trained with and its `run` text (malloc'd,
 * NULL if none; free with free()), to create the trainer to resume. */
ASACL_API asacl_status asacl_checkpoint_info(const char *dir, asacl_train_options *options, char **run);
/* Restores a checkpoint into a trainer created with the checkpoint's
 * options for a model loaded from it, and moves loader (may be NULL; else
 * created with the options it had when saved, which are checked) to where
 * the run stood; continuing gives the results of an uninterrupted run on
 * the same device. */
ASACL_API asacl_status asacl_trainer_resume(asacl_trainer *trainer, const char *dir, asacl_loader *loader);

/* ------------------------------------------------------------------------ */
/* A whole run: epochs of steps over a loader, evaluation on dev loaders,   */
/* the best model, resumable checkpoints, metrics.jsonl and summary.json.   */

#define ASACL_MAX_DEV 4

typedef struct asacl_fit_progress {
    long step, total;                /* steps done; where this run stops */
    long epoch;
    const asacl_step_stats *stats;   /* the step just made (NULL for an evaluation) */
    int logged;                      /* this step wrote a log line to metrics.jsonl */
    double mean_loss;                /* task + vloss averaged since the last log line */
    double train_accuracy;           /* clean-pass accuracy since the last log line (-1: regression) */
    double tokens_per_second;        /* real tokens */
    const char *eval_name;           /* an evaluation: the dev set's name, else NULL */
    const asacl_metrics *eval;       /* ... and its metrics */
    int improved;                    /* ... which made a new best (best/ was written) */
} asacl_fit_progress;

typedef struct asacl_fit_options {
    long epochs;                     /* 3 */
    long max_steps;                  /* > 0: stop after this many steps in all (the schedule
                                        still spans all epochs) */
    long log_every;                  /* a metrics.jsonl line every N steps (20) */
    long eval_every;                 /* evaluate every N steps; 0 (default): at each epoch end */
    long save_every;                 /* checkpoint every N steps; 0 (default): at each epoch end */
    const char *out_dir;             /* metrics.jsonl, best/, checkpoint/, summary.json */
    const char *vocab;               /* a vocab.txt copied into best/ and checkpoint/ (may be NULL) */
    const char *run;                 /* the caller's settings as a JSON object text, kept in
                                        checkpoints (asacl_checkpoint_info returns it with a
                                        "fit" member added); may be NULL */
    const char *resume_dir;          /* a checkpoint written by asacl_fit: continue from it */
    asacl_loader *dev[ASACL_MAX_DEV];  /* evaluation sets (the first picks best/) */
    const char *dev_name[ASACL_MAX_DEV];
    size_t n_dev;
    void (*progress)(const asacl_fit_progress *progress, void *user); /* may be NULL */
    void *user;
} asacl_fit_options;

typedef struct asacl_fit_result {
    long steps;                      /* updates done in all */
    double seconds, tokens;          /* of this run (since it started or resumed) */
    long best_step;                  /* -1 without dev sets */
    const char *metric;              /* "accuracy" or "pearson" */
    double best;                     /* the first dev set's metric at best_step */
    asacl_metrics last[ASACL_MAX_DEV], at_best[ASACL_MAX_DEV];
} asacl_fit_result;

ASACL_API void asacl_fit_options_init(asacl_fit_options *options);
/* Trains until the epochs (or max_steps) are done. The trainer's options
 * set the schedule: total_steps should be epochs * batches per epoch. */
ASACL_API asacl_status asacl_fit(asacl_trainer *trainer, asacl_loader *train, const asacl_fit_options *options,
                       asacl_fit_result *result);

/* ------------------------------------------------------------------------ */
/* Masked-LM pre-training (asa-spec 11): a model of task ASACL_TASK_MLM,    */
/* a WordPiece vocabulary with [MASK], plain-text files (one sentence or    */
/* paragraph per line, blank lines between documents), streamed and packed  */
/* into sequences [CLS] ... [SEP] of the trainer's max_seq_len.             */

typedef struct asacl_mlm_metrics {
    double loss;              /* mean cross-entropy over the chosen positions */
    double accuracy;          /* share of chosen positions whose argmax is the original token */
    double pseudo_perplexity; /* exp(loss): the perplexity of the masked positions */
    size_t positions, sequences;
} asacl_mlm_metrics;

/* Held-out text: every document of the files (split 0), or the documents
 * not held out (1) / held out (2) by valid_fraction from the trainer's
 * seed. Each batch of max_batch sequences is masked as in training, from
 * the trainer's seed with the batch's index as the step, so every call
 * masks the same positions; clean pass, dropout off. max_batches 0: all. */
ASACL_API asacl_status asacl_mlm_evaluate(asacl_trainer *trainer, const asacl_tokenizer *tokenizer,
                                          const char *const *paths, size_t n, int split,
                                          double valid_fraction, size_t max_batches,
                                          asacl_mlm_metrics *out);

typedef struct asacl_pretrain_progress {
    long step, total;
    const asacl_step_stats *stats; /* the step just made (NULL for an evaluation) */
    double mean_loss;              /* mlm + vloss since the last progress call */
    double mean_accuracy;          /* MLM accuracy of the clean pass since then */
    double tokens_per_second;      /* real tokens */
    const asacl_mlm_metrics *eval; /* an evaluation's result, else NULL */
    int improved;                  /* ... which made a new best (best/ was written) */
} asacl_pretrain_progress;

typedef struct asacl_pretrain_options {
    const char *const *text;   /* training files */
    size_t n_text;
    const char *const *valid;  /* held-out files; none: valid_fraction of text's documents */
    size_t n_valid;
    double valid_fraction;     /* 0.01 */
    size_t valid_batches;      /* batches per evaluation; 0 (default): all of the held-out text */
    long max_steps;            /* > 0: stop after this many steps in all (the schedule stays
                                  the trainer's total_steps) */
    long log_every;            /* a metrics.jsonl line every N steps (20) */
    long eval_every;           /* evaluate every N steps; 0 (default): at the end */
    long save_every;           /* checkpoint every N steps; 0 (default): at the end */
    const char *out_dir;       /* metrics.jsonl, best/, checkpoint/ */
    const char *vocab;         /* vocab.txt copied into best/ and checkpoint/ */
    const char *run;           /* the caller's settings (a JSON object text), kept in checkpoints */
    const char *resume_dir;    /* a checkpoint written by asacl_pretrain: continue from it */
    void (*progress)(const asacl_pretrain_progress *progress, void *user); /* may be NULL */
    void *user;
} asacl_pretrain_options;

ASACL_API void asacl_pretrain_options_init(asacl_pretrain_options *options);
/* Trains until the trainer's total_steps (or max_steps): batches of
 * max_batch sequences from the training text, pass after pass, each masked
 * from (seed, step) (BERT's 15%, 80/10/10); both passes of an ASA step see
 * the same input. Checkpoints keep the corpus position, so a resumed run
 * gives an uninterrupted run's results. best/ holds the model of the lowest
 * held-out MLM loss. */
ASACL_API asacl_status asacl_pretrain(asacl_trainer *trainer, const asacl_tokenizer *tokenizer,
                                      const asacl_pretrain_options *options);

/* ------------------------------------------------------------------------ */
/* Benchmarks: every matrix product of one training step, timed.            */

typedef struct asacl_gemm_bench_row {
    char role[40];             /* "qkv forward", "attn QK^T", ... */
    size_t m, n, k;
    char op[3];                /* NN NT TN TT */
    size_t batch, calls;       /* strided products per call, calls in a row */
    int launch_bound;          /* tiny products (pooler, classifier) */
    int profile_own;           /* the device profile runs it on asacl's own kernels (else CLBlast) */
    double gflops_own, gflops_clblast, gflops_host; /* host: 0 without a host baseline */
    double diff_own, diff_clblast, tolerance;       /* max |x - ref| / (1 + |ref|) */
    int ok;                    /* every result within tolerance of the reference */
    double gflops_tiled, diff_tiled; /* asacl's tiled (GPU-style) kernels, the profile's tiles */
    int profile_backend;       /* what the profile runs it on: 0 CLBlast, 1 own, 2 tiled */
    double own_over_host;      /* speed of the own kernels over the host baseline's: the median,
                                  over repetitions, of the ratio of the two times of one
                                  repetition, which run back to back (0 without a host) */
} asacl_gemm_bench_row;

/* A host baseline (e.g. cblas_sgemm): C = alpha op(A) op(B) + beta C,
 * row-major, as BLAS defines it. */
typedef void (*asacl_host_gemm)(int trans_a, int trans_b, int m, int n, int k, float alpha,
                                const float *a, int lda, const float *b, int ldb, float beta,
                                float *c, int ldc, void *user);

typedef struct asacl_gemm_bench_options {
    int repeat;                /* timed repetitions per implementation (10); the median counts */
    asacl_host_gemm host;      /* may be NULL; when given it is the reference, else CLBlast */
    void *host_user;
    void (*row)(const asacl_gemm_bench_row *row, void *user); /* each product as it is done */
    void *user;
} asacl_gemm_bench_options;

/* Every product of a training step of config at batch x seq_len: checked
 * against the reference, then timed round-robin on the own kernels, CLBlast
 * and the host baseline (wall clock from the first enqueue to clFinish). */
ASACL_API asacl_status asacl_bench_gemm(asacl_ctx *ctx, const asacl_model_config *config,
                                        size_t batch, size_t seq_len,
                                        const asacl_gemm_bench_options *options);

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
ASACL_API void asacl_tune_options_init(asacl_tune_options *options);
/* Runs (or resumes) the search; `written` (may be NULL) gets the path. */
ASACL_API asacl_status asacl_tune(const asacl_tune_options *options, char *written, size_t cap);


/* ------------------------------------------------------------------------ */
/* Explaining a prediction: what the attention looks at and what the        */
/* adversary masks, for one input (asa-spec sections 1 and 4).             */

/* The word piece of a token id, NULL outside the vocabulary. */
ASACL_API const char *asacl_tokenizer_token(const asacl_tokenizer *tokenizer, int32_t id);

/* Reads the adversaries of a training checkpoint (its
 * trainer_state.safetensors) into a model loaded with adversaries
 * (asacl_load_options.adversaries), and takes the checkpoint's mask
 * semantics (replace or additive). The encoder and head stay as loaded, so
 * a model folder (e.g. best/) can be explained with the adversaries of a
 * checkpoint of the same run. */
ASACL_API asacl_status asacl_model_load_adversaries(asacl_model *model, const char *checkpoint_dir);

typedef struct asacl_attention {
    size_t T, L, H;     /* tokens (one sequence, no padding), layers, heads */
    float *probs;       /* [L][H][T][T]: row i = query i's softmax over keys j,
                           clean pass, dropout off */
    float *mask;        /* [L][T][T]: the adversary's M in the adversarial pass with
                           dropout off (1 kept, 0 masked, 0.5 where A == 0); NULL
                           when not asked for */
    double masked_fraction[ASACL_MAX_LAYERS]; /* per layer: 1 - mean of M */
    float logits[ASACL_MAX_LABELS];           /* the clean pass's logits */
    int num_labels;
} asacl_attention;

/* Runs one encoded sequence (ids and segments of `length` tokens, as
 * asacl_tokenizer_encode gives them; segments may be NULL) through the clean
 * pass and, when with_mask (the model needs adversaries), the adversarial
 * pass, both with dropout off, and keeps every layer's attention
 * probabilities and masks between its real tokens. padded_length (0: none)
 * pads the sequence as training did (its max_seq_len, asa-spec 2), which
 * matters to the adversarial pass where a whole row is masked. Free *out
 * with asacl_attention_free. */
ASACL_API asacl_status asacl_model_attention(asacl_model *model, const int32_t *ids, const int32_t *segments,
                                   size_t length, size_t padded_length, int with_mask,
                                   asacl_attention *out);
ASACL_API void asacl_attention_free(asacl_attention *attention);
/* The T x T map of layer `layer`: head `head`, or the mean over heads when
 * head < 0. ASACL_ERR_INVALID_ARG for a layer or head out of range. */
ASACL_API asacl_status asacl_attention_map(const asacl_attention *attention, int layer, int head,
                                 float *map);

/* ------------------------------------------------------------------------ */
/* Pictures and reports (PNG through cairo). Built without cairo, the       */
/* drawing calls return ASACL_ERR_UNSUPPORTED with a message saying to      */
/* install libcairo2-dev and rebuild.                                       */

/* 1 when the library was built with cairo. */
ASACL_API int asacl_have_cairo(void);

typedef struct asacl_explain_options {
    int layer;               /* < 0: every layer, one row each */
    int head;                /* < 0: the mean over heads */
    const char *title;       /* above the figure (the sentence); may be NULL */
} asacl_explain_options;

ASACL_API void asacl_explain_options_init(asacl_explain_options *options);
/* Draws the attention maps as heat maps with the word pieces (tokens[0..T))
 * on both axes and a colour scale, and, when attention->mask is set, the
 * adversary's mask beside each (kept / masked units) with its masked
 * fraction; writes a PNG. */
ASACL_API asacl_status asacl_explain_png(const asacl_attention *attention, const char *const *tokens,
                               const asacl_explain_options *options, const char *png_path);

/* Training curves of one or more runs (folders written by asacl train,
 * read from their metrics.jsonl), overlaid with a legend: loss (task and
 * vloss), the dev metric, the learning rate and the masked fraction per
 * layer, one panel each. labels (may be NULL): a legend name per run
 * (default: the folder's name). */
ASACL_API asacl_status asacl_plot_runs(const char *const *run_dirs, size_t n, const char *const *labels,
                             const char *png_path);

/* Writes RUN_DIR/report.html from the run folder's files alone
 * (metrics.jsonl, summary.json, settings.json; each optional): the
 * settings, device and profile, a summary table, the curves as an
 * embedded PNG and the best dev scores. One self-contained file (no
 * network). Without cairo the page is written without the curves and says
 * why. Replaced atomically. */
ASACL_API asacl_status asacl_report_write(const char *run_dir);

#ifdef __cplusplus
}
#endif
#endif /* ASACL_H */
