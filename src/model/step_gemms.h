/* step_gemms.h -- every matrix product one training step issues, as the
 * model issues it (model/linear.c, attention.c, asa.c): the one list that
 * the trainer reserves GEMM scratch from, asacl tune times per shape class
 * and asacl bench gemm measures. */
#ifndef ASACL_MODEL_STEP_GEMMS_H
#define ASACL_MODEL_STEP_GEMMS_H

#include "gemm/gemm.h"

/* One product of the training step as the model issues it: `batch` strided
 * products (batched = 1: through gemm_batched), and for the per-head
 * attention products a two-level batch of `calls` sequences x `batch` heads
 * in one launch (gemm_batched2). Operand X of sequence i, entry j starts at
 * ox + i*cx + j*sx. */
typedef struct step_gemm {
    char role[40];
    gemm_shape s;
    float alpha, beta;
    int batched, tiny;  /* tiny: launch-bound (the pooler and classifier) */
    int asa;            /* issued by ASA steps only (the adversaries) */
    size_t batch, calls;
    size_t lda, ldb, ldc;
    size_t oa, ob, oc; /* base offsets */
    size_t sa, sb, sc; /* batch strides */
    size_t ca, cb, cc; /* offsets between sequences (the outer level) */
} step_gemm;

#define STEP_GEMMS_MAX 40

typedef struct step_gemm_list {
    step_gemm p[STEP_GEMMS_MAX];
    size_t n;
} step_gemm_list;

/* The products of a step of config c at batch B x T. */
void step_gemms(const asacl_model_config *c, size_t B, size_t T, step_gemm_list *l);

#endif
