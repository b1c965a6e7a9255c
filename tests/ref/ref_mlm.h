/* ref_mlm.h -- double-precision reference of BertForMaskedLM's head at the
 * chosen positions (src/model/mlm_head.h), written from its equations:
 * g = h[pos]; pre = g Wd^T + bd; act = gelu(pre); t = LN(act);
 * logits = t E^T + bias. */
#ifndef ASACL_REF_MLM_H
#define ASACL_REF_MLM_H

#include <stddef.h>
#include <stdint.h>

typedef struct ref_mlm_params {
    const double *dense_w, *dense_b, *ln_w, *ln_b, *bias, *word; /* [D,D] [D] [D] [D] [V] [V,D] */
} ref_mlm_params;

typedef struct ref_mlm_grads {
    double *dense_w, *dense_b, *ln_w, *ln_b, *bias, *word; /* accumulated */
} ref_mlm_grads;

/* logits [M, V]; act, t (optional) [M, D] the saved activations. */
void ref_mlm_head_forward(double *logits, double *act, double *t, const ref_mlm_params *p,
                          const double *h, const int32_t *pos, size_t M, size_t D, size_t V,
                          double eps);
/* From dlogits [M, V]: g += the parameter gradients; dh [rows, D] += the
 * gradient at the positions. */
void ref_mlm_head_backward(ref_mlm_grads *g, double *dh, const double *dlogits,
                           const ref_mlm_params *p, const double *h, const int32_t *pos, size_t M,
                           size_t D, size_t V, double eps);
/* mean_m CE(z_m, y_m) + (zq ? sum_m symKL(z_m, zq_m) / B : 0); dz, dzq
 * (optional) its gradients (overwritten). */
double ref_mlm_loss(const double *z, const double *zq, const int32_t *y, size_t M, size_t V,
                    size_t B, double *dz, double *dzq);

#endif
