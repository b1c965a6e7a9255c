/* tune.h -- the autotuner's internals: benchmarks of kernels at the shapes
 * of a model configuration, each run under a candidate device profile. */
#ifndef ASACL_TUNE_H
#define ASACL_TUNE_H

#include "asacl.h"

/* The shapes the benchmarks use (from the model config and batch). */
typedef struct tune_shape {
    size_t B, T, D, H, F, L;
    size_t params; /* parameters of the model (AdamW's length) */
} tune_shape;

/* One benchmark: runs `reps` times on ctx (timing on), and fills out[n]
 * with a few result values to check a candidate against the reference. */
typedef asacl_status (*tune_bench_fn)(asacl_ctx *ctx, const tune_shape *s, int reps, float *out,
                                      size_t n);

typedef struct tune_param {
    const char *program;   /* the kernel file whose profile section it is */
    const char *name;      /* the -D / profile parameter */
    long values[12];       /* candidates, ending with -1 */
    long fallback;         /* the value when the profile says nothing (-1: derived) */
    int work_group;        /* a work-group size: values over the device's limit are skipped */
    tune_bench_fn bench;
} tune_param;

/* The parameters asacl tune searches (tune_ops.c), NULL-terminated by name. */
extern const tune_param tune_params[];

#define TUNE_CHECK_VALUES 64

#endif
