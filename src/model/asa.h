/* asa.h -- the per-layer adversaries of Adversarial Self-Attention
 * (asa-spec section 4): scores from the layer's input (held constant), the
 * mask and the bias that replaces the padding bias, and the backward with
 * gradient reversal into the adversary's own parameters only. */
#ifndef ASACL_MODEL_ASA_H
#define ASACL_MODEL_ASA_H

#include "model/model.h"

/* Layer l of the adversarial pass: adv_qk, adv_scores (A), adv_mask (M) and
 * adv_bias (G) from x, the hidden state entering the layer. */
asacl_status asa_forward(model *m, pass_arena *a, const batch_dev *bt, size_t l, tensor x);
/* From g->dbias = sum_h dS' of layer l's attention: the adversary's
 * gradients (accumulated into m->grads), with the kept-unit penalty
 * tau^2 / B per unit. Nothing flows into x. */
asacl_status asa_backward(model *m, pass_arena *a, grad_ws *g, const batch_dev *bt, size_t l,
                          tensor x, float tau2_over_b);
/* kept[0] += sum of M over every (b, i, j) * scale (the kept-unit count);
 * masked[0] = masked real (query, key) pairs of layer l. scratch >= 2*B*T. */
asacl_status asa_stats(model *m, pass_arena *a, const batch_dev *bt, size_t l, tensor kept,
                       float scale, tensor masked, tensor scratch);

#endif
