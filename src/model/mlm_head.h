/* mlm_head.h -- Hugging Face BertForMaskedLM's head (cls.predictions) on
 * explicit tensors, for masked-language-model pre-training (asa-spec 11):
 *
 *   g      = h[pos]                        [M, D]  the chosen positions only
 *   pre    = g Wd^T + bd                   transform.dense
 *   act    = gelu(pre)                     (erf form, BERT's "gelu")
 *   t      = LayerNorm(act)                transform.LayerNorm (eps: the model's)
 *   logits = t E^T + bias                  [M, V]  decoder tied to the word
 *                                          embeddings E, its own bias
 *
 * The logits exist only at the M chosen positions, never B x T x V. The
 * decoder's gradient dlogits^T t is added to E's gradient tensor, the one
 * the embedding lookup also adds to: one gradient for both uses (as torch's
 * tied Parameter). The head has no dropout (BertOnlyMLMHead has none).
 *
 * Losses (asa-spec 5 and 11), from the clean logits z and, in an ASA step,
 * the adversarial logits z' at the same positions with the same labels:
 *   mlm   = mean over the M positions of cross-entropy(z_m, y_m)
 *           (CrossEntropyLoss over the labels that are not -100)
 *   vloss = sum over the M positions of 1/2 [KL(q||p) + KL(p||q)], p, q the
 *           softmax of z_m and z'_m over the vocabulary, divided by B
 * The wiring of one step: mlm_head_forward for each pass, then
 * mlm_head_loss_forward (losses) and mlm_head_loss_backward (dz, dz'), then
 * mlm_head_backward for each pass, each adding into the same parameter
 * gradients and into its pass's gradient of the hidden states. */
#ifndef ASACL_MODEL_MLM_HEAD_H
#define ASACL_MODEL_MLM_HEAD_H

#include "ops/ops.h"

/* The head's parameters, or their gradients (same shapes). ln_w and ln_b
 * lie in one buffer (op_layernorm_forward/backward require it). */
typedef struct mlm_head_tensors {
    tensor dense_w; /* [D, D] cls.predictions.transform.dense.weight ([out, in]) */
    tensor dense_b; /* [D]    cls.predictions.transform.dense.bias */
    tensor ln_w;    /* [D]    cls.predictions.transform.LayerNorm.weight */
    tensor ln_b;    /* [D]    cls.predictions.transform.LayerNorm.bias */
    tensor bias;    /* [V]    cls.predictions.bias (= cls.predictions.decoder.bias) */
    tensor word;    /* [V, D] bert.embeddings.word_embeddings.weight (the decoder) */
} mlm_head_tensors;

/* One pass's activations at up to M rows (the backward reads them). */
typedef struct mlm_head_acts {
    tensor g, pre, act, t; /* [M, D] each */
    tensor mean, rstd;     /* [M] */
    tensor logits;         /* [M, V] */
} mlm_head_acts;

/* Scratch of the backward: three [M, D] tensors (dt, dact, dg). */
typedef struct mlm_head_scratch {
    tensor dt, dact, dg;
} mlm_head_scratch;

typedef struct mlm_head_shape {
    size_t M, D, V;
    float eps; /* LayerNorm eps (layer_norm_eps, 1e-12 for BERT) */
} mlm_head_shape;

/* ASACL_ERR_INVALID_ARG unless the M positions are distinct and inside
 * [0, rows) and the labels inside [0, V) (host arrays, checked before they
 * are uploaded: the kernels rely on both). */
asacl_status mlm_head_check_positions(const int32_t *pos, const int32_t *labels, size_t M,
                                      size_t rows, size_t V);

/* Floats of rt_scratch the backward's column sums use at M rows (reserve
 * before a training loop, with the model's own need, so nothing is
 * allocated inside it). The head's products are linear_forward/backward
 * of [M, D] x [D, D] (transform.dense) and [M, D] x [V, D] (the decoder):
 * two add_linear entries of model/step_gemms.c, at the largest M. */
size_t mlm_head_scratch_floats(size_t M, size_t D, size_t V);

/* a->logits [M, V] from the hidden states h [rows, D] at pos (int [M]). */
asacl_status mlm_head_forward(asacl_ctx *ctx, const mlm_head_tensors *p, const mlm_head_acts *a,
                              tensor h, tensor pos, mlm_head_shape s);

/* From dlogits [M, V]: the parameter gradients g (dense, LayerNorm, bias,
 * word) += their gradients; dh [rows, D] += the gradient at pos (a
 * scatter-add: other rows untouched). dlogits is not changed. */
asacl_status mlm_head_backward(asacl_ctx *ctx, const mlm_head_tensors *p,
                               const mlm_head_tensors *g, const mlm_head_acts *a,
                               const mlm_head_scratch *w, tensor dh, tensor dlogits, tensor pos,
                               mlm_head_shape s);

/* The losses of a step: out[0] = mlm (the mean cross-entropy of z),
 * out[1] = vloss (0 when zq.n is 0: no adversarial pass), out[2] = the
 * accuracy of z (share of positions whose argmax is the label); rows is
 * scratch of 2M floats. B: sequences in the batch. */
asacl_status mlm_head_loss_forward(asacl_ctx *ctx, tensor out, tensor rows, tensor z, tensor zq,
                                   tensor labels, size_t M, size_t V, size_t B);
/* dz = d(share * mlm + vloss)/dz (overwritten); dzq = dvloss/dz'
 * (overwritten) when zq.n > 0. share: the part of a step's chosen positions
 * these M are (1 for a whole batch; a micro-batch's or rank's M / the
 * step's), so that the shards' gradients add up to the step's mean. */
asacl_status mlm_head_loss_backward(asacl_ctx *ctx, tensor dz, tensor dzq, tensor z, tensor zq,
                                    tensor labels, size_t M, size_t V, size_t B, float share);

#endif /* ASACL_MODEL_MLM_HEAD_H */
