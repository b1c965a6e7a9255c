/* ref_loss.h -- double-precision references of the token-classification and
 * token-level ASA losses (asa-spec 10), written from the formulas. */
#ifndef ASACL_REF_LOSS_H
#define ASACL_REF_LOSS_H

#include <stddef.h>

/* Mean cross-entropy of z [N, C] over the rows with 0 <= labels[r] < C
 * (0 when there is none); dz (optional) = its gradient (ignored rows 0);
 * *count (optional) = the labelled rows. */
double ref_token_cross_entropy(const double *z, const int *labels, size_t N, size_t C, double *dz,
                               size_t *count);
/* scale * sum_r 1/2 [KL(q_r||p_r) + KL(p_r||q_r)], p = softmax(z_r),
 * q = softmax(zq_r), rows of width W; dz, dzq (optional) its gradients. */
double ref_symmetric_kl(const double *z, const double *zq, size_t R, size_t W, double scale,
                        double *dz, double *dzq);

#endif
