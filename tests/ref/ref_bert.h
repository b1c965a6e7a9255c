/* ref_bert.h -- the whole model and ASA step in double precision on the
 * host, written from asa-spec sections 1-5 with the kernels' dropout stream,
 * as the reference for device tests (forward values and, by central finite
 * differences, gradients). Parameters are a double array in the library's
 * layout (model/params.h) -- the layout locates tensors, the arithmetic here
 * is independent of the device code. */
#ifndef ASACL_REF_BERT_H
#define ASACL_REF_BERT_H

#include <stdint.h>

#include "model/params.h"

typedef struct ref_model {
    const asacl_model_config *cfg;
    const param_layout *pl;
    const double *p;
    int additive; /* asa-spec 7 */
} ref_model;

typedef struct ref_batch {
    size_t B, T;
    const int *ids, *segs, *lens, *labels;
    const double *targets;
} ref_batch;

/* What a pass leaves behind (arrays owned by the caller, NULL to skip). */
typedef struct ref_pass_out {
    double *logits;   /* [B*C] */
    double **x_in;    /* per layer [B*T*D]: the layer input */
    double **A, **M;  /* per layer [B*T*T], adversarial pass */
} ref_pass_out;

typedef struct ref_pass {
    int train, pass, asa;
    uint64_t seed;
    uint32_t step;
    const double *const *G; /* per layer [B*T*T]: a fixed bias instead of the
                               adversary's (finite differences); NULL: computed */
} ref_pass;

void ref_bert_forward(const ref_model *m, const ref_batch *b, const ref_pass *o, ref_pass_out *out);

/* The step's losses (asa-spec 5.3) from the two passes' logits and masks. */
typedef struct ref_losses {
    double task, vloss, rloss, total;
} ref_losses;
/* zq, M may be NULL for plain fine-tuning. M: per layer [B*T*T]. */
ref_losses ref_bert_losses(const ref_model *m, const ref_batch *b, const double *z,
                           const double *zq, double *const *M, double tau);

#endif
