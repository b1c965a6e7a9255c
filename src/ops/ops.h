/* ops.h -- host side of the kernels: one launcher per kernel entry point,
 * named after it (op_<kernel>). Each checks its arguments, picks the launch
 * geometry (from the device profile) and enqueues; none blocks.
 *
 * A device tensor is a buffer plus an element offset (no sub-buffers); n is
 * its element count where the launcher needs it. Weights and their gradients
 * live in the model's parameter and gradient buffers, so launchers that take
 * several weights require them to share one buffer.
 *
 * Forward: outputs first, then saved values, inputs, weights, sizes.
 * Backward: input gradients, weight gradients, output gradient, saved values,
 * sizes. Weight gradients always accumulate (+=); input gradients are
 * overwritten unless the launcher says otherwise. */
#ifndef ASACL_OPS_H
#define ASACL_OPS_H

#include "runtime/runtime.h"

typedef struct tensor {
    cl_mem buf;  /* the buffer that holds it */
    size_t off;  /* offset in elements */
    size_t n;    /* number of elements */
} tensor;

/* A sub-range of t: n elements from element `at`. */
static inline tensor tensor_at(tensor t, size_t at, size_t n)
{
    tensor r = {t.buf, t.off + at, n};
    return r;
}

/* Dropout stream (cl/dropout.h): Philox key = seed, counter = (off +
 * element, step, site). Every dropout site of a step has its own `site`;
 * off places the tensor's elements in the stream of a larger batch. */
typedef struct op_rng {
    cl_uint seed_lo, seed_hi, step, site;
    cl_ulong off;
} op_rng;

/* Sets the next two kernel arguments to (t.buf, t.off). */
void op_arg(rt_args *a, tensor t);
/* Sets the next two kernel arguments to (uint4 {seed_lo, seed_hi, step, site}, off). */
void rt_arg_rng(rt_args *a, op_rng r);
/* ASACL_ERR_INVALID_ARG unless n fits the kernels' 32-bit counts. */
asacl_status op_check_u32(const char *op, size_t n);

/* ---- vector.cl ---- */
asacl_status op_fill(asacl_ctx *ctx, tensor x, float value);        /* x = value */
asacl_status op_scale(asacl_ctx *ctx, tensor x, float alpha);       /* x *= alpha */
asacl_status op_axpy(asacl_ctx *ctx, tensor y, tensor x, float alpha); /* y += alpha x */

/* ---- dropout.cl ---- */
/* y = x * factor (y may alias x); also the backward: dx = dy * factor. */
asacl_status op_dropout_forward(asacl_ctx *ctx, tensor y, tensor x, float p, op_rng rng);

/* ---- embedding.cl ---- */
/* out[N, D] = word[ids] + pos[p] + type[segs] (ids, segs: int [N]), with
 * p = posids[n] (int [N], RoBERTa) or, when posids.n is 0, n % T (BERT). */
asacl_status op_embedding_forward(asacl_ctx *ctx, tensor out, tensor ids, tensor segs,
                                  tensor posids, tensor word, tensor pos, tensor type, size_t N,
                                  size_t T, size_t D);
/* Word-row groups of a batch, built on the host (embedding_group) and
 * uploaded: order [N] token positions sorted by id (padding left out),
 * starts [n_uniq + 1], uniq [n_uniq] ids. */
typedef struct embedding_groups {
    tensor order, starts, uniq;
    size_t n_uniq;
} embedding_groups;
/* Fills order/starts/uniq (host arrays of N, N + 1, N ints) from ids [N]
 * (each in [0, vocab)), skipping pad_id; count is scratch of vocab + 1 ints.
 * Returns the number of distinct ids. */
size_t embedding_group(const int *ids, size_t N, int pad_id, int *order, int *starts, int *uniq,
                       int *count, size_t vocab);
/* dword += scatter(dx), dtype += by segment, dpos += the sum over the
 * batch at position t, or with pos_groups (explicit position ids, grouped
 * like the word ids) += scatter(dx) by position id. */
asacl_status op_embedding_backward(asacl_ctx *ctx, tensor dword, tensor dpos, tensor dtype,
                                   tensor dx, tensor segs, const embedding_groups *g,
                                   const embedding_groups *pos_groups, size_t B, size_t T,
                                   size_t D, size_t n_types);

/* ---- layernorm.cl ---- */
/* y = LN(x) over rows of D; mean, rstd [N] saved. */
asacl_status op_layernorm_forward(asacl_ctx *ctx, tensor y, tensor mean, tensor rstd, tensor x,
                                  tensor gamma, tensor beta, size_t N, size_t D, float eps);
/* dx (+)= LN'(dy) (accumulate selects +=); dgamma, dbeta += ... */
asacl_status op_layernorm_backward(asacl_ctx *ctx, tensor dx, tensor dgamma, tensor dbeta,
                                   tensor dy, tensor x, tensor mean, tensor rstd, tensor gamma,
                                   size_t N, size_t D, int accumulate);

/* Fused (one pass over memory; the unfused ops above and residual.c,
 * dropout.c and bias.c are their reference):
 *   res = resid + dropout(x + bias), y = LN(res); mean, rstd [N] saved.
 * res may alias x, not resid. gamma, beta, bias share one buffer. */
asacl_status op_residual_layernorm_forward(asacl_ctx *ctx, tensor y, tensor mean, tensor rstd,
                                           tensor res, tensor resid, tensor x, tensor gamma,
                                           tensor beta, tensor bias, size_t N, size_t D,
                                           float eps, float p, op_rng rng);
/* Its backward from dy (gradient of y): dres = LN'(dy) (overwritten; the
 * residual branch's gradient), dbranch = dropout(dres) (overwritten; the
 * gradient of x + bias); dgamma, dbeta, dbias += their column sums. No two
 * of dres, dbranch, dy alias; the three parameter gradients share a buffer. */
asacl_status op_residual_layernorm_backward(asacl_ctx *ctx, tensor dres, tensor dbranch,
                                            tensor dgamma, tensor dbeta, tensor dbias, tensor dy,
                                            tensor res, tensor mean, tensor rstd, tensor gamma,
                                            size_t N, size_t D, float p, op_rng rng);

/* ---- gelu.cl ---- */
/* pre += bias (in place, kept), act = gelu(pre); pre, act [N, F]. */
asacl_status op_gelu_forward(asacl_ctx *ctx, tensor act, tensor pre, tensor bias, size_t N,
                             size_t F);
/* dpre = dact * gelu'(pre) (dpre may alias dact). */
asacl_status op_gelu_backward(asacl_ctx *ctx, tensor dpre, tensor dact, tensor pre, size_t n);
/* Fused with the bias gradient: dpre = dact * gelu'(pre) over [N, F]
 * (dpre may alias dact) and dbias [F] += its column sums; the same sums, in
 * the same order, as op_gelu_backward then op_bias_backward. */
asacl_status op_gelu_bias_backward(asacl_ctx *ctx, tensor dpre, tensor dbias, tensor dact,
                                   tensor pre, size_t N, size_t F);

/* ---- bias.cl ---- */
/* y[r, :C] += bias for R rows of stride ldy. */
asacl_status op_bias_forward(asacl_ctx *ctx, tensor y, size_t ldy, tensor bias, size_t R,
                             size_t C);
/* dbias += column sums of dy [R, C] (row stride ldy). */
asacl_status op_bias_backward(asacl_ctx *ctx, tensor dbias, tensor dy, size_t ldy, size_t R,
                              size_t C);

/* ---- residual.cl ---- */
/* out = resid + dropout(y + bias) over R x C (out may alias resid). */
asacl_status op_residual_forward(asacl_ctx *ctx, tensor out, tensor resid, tensor y, tensor bias,
                                 size_t R, size_t C, float p, op_rng rng);
/* dy = dropout(dout) (the residual branch's gradient is dout itself). */
asacl_status op_residual_backward(asacl_ctx *ctx, tensor dy, tensor dout, float p, op_rng rng);

/* ---- pooler.cl ---- */
/* y = tanh(y + bias), in place over B x D. */
asacl_status op_pooler_forward(asacl_ctx *ctx, tensor y, tensor bias, size_t B, size_t D);
/* dpre = dy * (1 - y^2) (dpre may alias dy). */
asacl_status op_pooler_backward(asacl_ctx *ctx, tensor dpre, tensor dy, tensor y, size_t n);

/* ---- loss.cl ---- */
/* loss[B] per row: cross-entropy of logits z [B, C] against labels (int [B]). */
asacl_status op_cross_entropy_forward(asacl_ctx *ctx, tensor loss, tensor z, tensor labels,
                                      size_t B, size_t C);
/* dz (+)= scale * dloss/dz. */
asacl_status op_cross_entropy_backward(asacl_ctx *ctx, tensor dz, tensor z, tensor labels,
                                       size_t B, size_t C, float scale, int accumulate);
/* right[B] = 1 where the argmax of z's row is the label, else 0. */
asacl_status op_accuracy_forward(asacl_ctx *ctx, tensor right, tensor z, tensor labels, size_t B,
                                 size_t C);
/* loss[B] = (z - target)^2 for one output. */
asacl_status op_mse_forward(asacl_ctx *ctx, tensor loss, tensor z, tensor target, size_t B);
asacl_status op_mse_backward(asacl_ctx *ctx, tensor dz, tensor z, tensor target, size_t B,
                             float scale, int accumulate);

/* ASA's symmetric KL (cl/loss.cl): loss[R] per row of width W between
 * softmax(z) and softmax(zq). */
asacl_status op_symmetric_kl_forward(asacl_ctx *ctx, tensor loss, tensor z, tensor zq, size_t R,
                                     size_t W);
/* dz += scale * dloss/dz; dzq = scale * dloss/dzq. */
asacl_status op_symmetric_kl_backward(asacl_ctx *ctx, tensor dz, tensor dzq, tensor z, tensor zq,
                                      size_t R, size_t W, float scale);

/* Token classification (asa-spec 10) over N = B*T rows of z [N, C]: a row
 * is labelled when 0 <= labels[r] < C (the ignore index -100 and any other
 * value leave it out). Multiple choice needs no op: the scores [B*n, 1] are
 * the logits [B, n] as they lie (cross_entropy and symmetric_kl with
 * B rows of width n); the token-level vloss is symmetric_kl over R = B*T
 * rows of width C, summed with scale 1/B (padding rows included).
 * loss[N] = the row's cross-entropy, valid[N] = 1 for labelled rows (both 0
 * for ignored ones). */
asacl_status op_token_cross_entropy_forward(asacl_ctx *ctx, tensor loss, tensor valid, tensor z,
                                            tensor labels, size_t N, size_t C);
/* count[0] = sum(valid); out[0] (+)= scale * sum(loss) / max(1, count). */
asacl_status op_token_loss_mean(asacl_ctx *ctx, tensor out, tensor count, tensor loss,
                                tensor valid, size_t N, float scale, int accumulate);
/* dz (+)= scale * dloss_r/dz / max(1, count[0]) on labelled rows; ignored
 * rows get exactly 0 (kept as they are when accumulating). */
asacl_status op_token_cross_entropy_backward(asacl_ctx *ctx, tensor dz, tensor z, tensor labels,
                                             tensor count, size_t N, size_t C, float scale,
                                             int accumulate);
/* right[N] = 1 where a labelled row's argmax is its label, else 0. */
asacl_status op_token_accuracy_forward(asacl_ctx *ctx, tensor right, tensor z, tensor labels,
                                       size_t N, size_t C);

/* ---- reduce.cl ---- */
/* Column sums over R rows run in two stages: S chunks of `chunk` rows
 * each give partial sums (in rt_scratch), which reduce_columns adds up in a
 * fixed order. The split depends on R only: results repeat bit for bit. */
void op_column_chunks(size_t R, size_t *S, size_t *chunk);
/* out[c] += sum_s partial[s * ld + c], c < C. */
asacl_status op_reduce_columns(asacl_ctx *ctx, tensor out, tensor partial, size_t ld, size_t C,
                               size_t S);
/* The same over three segments of W columns (partial rows of ld >= 3W),
 * each added into its own output; the outputs share one buffer. */
asacl_status op_reduce_columns3(asacl_ctx *ctx, tensor out0, tensor out1, tensor out2,
                                tensor partial, size_t ld, size_t W, size_t S);
/* out[0] (+)= scale * sum(x) for small x (one work-group). */
asacl_status op_reduce_sum(asacl_ctx *ctx, tensor out, tensor x, float scale, int accumulate);
/* out[0] = sum(x^2) over any length, through `partial` (>= REDUCE_PARTIALS floats). */
#define REDUCE_PARTIALS 256
asacl_status op_reduce_sumsq(asacl_ctx *ctx, tensor out, tensor x, tensor partial);
/* scalars[norm] = sqrt(scalars[norm]); scalars[coef] = min(1, max_norm / (norm + 1e-6)). */
asacl_status op_clip_coefficient(asacl_ctx *ctx, tensor scalars, size_t norm_idx,
                                 size_t coef_idx, float max_norm);

/* ---- adamw.cl ---- */
typedef struct adamw_hparams {
    float lr, weight_decay, beta1, beta2, eps;
    long step; /* t = 1, 2, ... */
} adamw_hparams;
/* One AdamW step over params/grads/m/v (four buffers of one layout),
 * elements [off, off + n); decay applies below element decay_end. When
 * coef_idx >= 0, gradients are scaled by scalars[coef_idx]. */
asacl_status op_adamw_update(asacl_ctx *ctx, cl_mem params, cl_mem grads, cl_mem m, cl_mem v,
                             size_t off, size_t n, size_t decay_end, adamw_hparams h,
                             tensor scalars, long coef_idx);

/* ---- attention.cl (fused) and softmax.cl (plain path) ----
 * qkv [B*T, 3D] rows [q | k | v]; context [B*T, D]; the bias is read as
 * bias[b*sb + i*si + j] (padding vector: sb = T, si = 0; mask bias [B,T,T]:
 * sb = T*T, si = T). See cl/attention.h. */
typedef struct attn_desc {
    size_t B, T, H, D;
    tensor bias;
    size_t sb, si;
    int additive;  /* 0: replace semantics (asa-spec 3); 1: additive (7) */
    float p;       /* dropout on the probabilities */
    op_rng rng;
} attn_desc;

/* Sets the arguments all attention and softmax kernels end with. */
void op_attn_args(rt_args *a, const attn_desc *d);
/* out [B*T, D] = softmax(S') P-dropout V; stats [2*B*H*T] (row max and
 * 1/sum) saved for the backward. */
asacl_status op_attention_forward(asacl_ctx *ctx, tensor out, tensor stats, tensor qkv,
                                  const attn_desc *d);
/* dqkv [B*T, 3D] (overwritten); dbias [B,T,T] = sum_h dS' when dbias.n > 0
 * (through H*B*T*T floats of rt_scratch); dsum [B*H*T] is scratch. */
asacl_status op_attention_backward(asacl_ctx *ctx, tensor dqkv, tensor dbias, tensor dout,
                                   tensor out, tensor stats, tensor dsum, tensor qkv,
                                   const attn_desc *d);
/* probs [B,H,T,T]: scores in, probabilities out; pdrop = probs * dropout. */
asacl_status op_softmax_forward(asacl_ctx *ctx, tensor probs, tensor pdrop, const attn_desc *d);
/* ds [B,H,T,T]: dL/dPdrop in, dS out; dbias as op_attention_backward. */
asacl_status op_softmax_backward(asacl_ctx *ctx, tensor ds, tensor dbias, tensor probs,
                                 const attn_desc *d);

/* ---- mlm.cl: the masked-language-model head (asa-spec 11) ----
 * M chosen positions pos (int [M], flat indices b*T + t into the hidden
 * states [B*T, D], distinct), logits z [M, V] over the vocabulary, labels
 * (int [M]) the original ids. The row ops give each row a work-group of
 * MLM_WG work-items (loss.cl's ops give a row one work-item, made for a few
 * classes). The transform (dense + GELU + LayerNorm) and the tied decoder
 * reuse linear_forward/backward, op_gelu_forward, op_gelu_bias_backward,
 * op_layernorm_forward/backward and op_bias_forward/backward
 * (src/model/mlm_head.c). */
/* out [M, D] = h[pos[m], :]. */
asacl_status op_mlm_gather_forward(asacl_ctx *ctx, tensor out, tensor h, tensor pos, size_t M,
                                   size_t D);
/* dh[pos[m], :] += dg [M, D] (a scatter-add; rows not chosen are untouched). */
asacl_status op_mlm_gather_backward(asacl_ctx *ctx, tensor dh, tensor dg, tensor pos, size_t M,
                                    size_t D);
/* loss [M] per row: logsumexp(z_m) - z_m[y_m] (NaN for a label outside [0, V)). */
asacl_status op_mlm_cross_entropy_forward(asacl_ctx *ctx, tensor loss, tensor z, tensor labels,
                                          size_t M, size_t V);
/* dz (+)= scale * dloss_m/dz (scale 1/M for the mean over the positions). */
asacl_status op_mlm_cross_entropy_backward(asacl_ctx *ctx, tensor dz, tensor z, tensor labels,
                                           size_t M, size_t V, float scale, int accumulate);
/* right [M] = 1 where the row's argmax (the first on ties) is its label. */
asacl_status op_mlm_accuracy_forward(asacl_ctx *ctx, tensor right, tensor z, tensor labels,
                                     size_t M, size_t V);
/* loss [M] = 1/2 [KL(q||p) + KL(p||q)] per row, p = softmax(z), q = softmax(zq). */
asacl_status op_mlm_symmetric_kl_forward(asacl_ctx *ctx, tensor loss, tensor z, tensor zq,
                                         size_t M, size_t V);
/* dz += scale * dloss/dz; dzq = scale * dloss/dzq (scale 1/B: vloss). */
asacl_status op_mlm_symmetric_kl_backward(asacl_ctx *ctx, tensor dz, tensor dzq, tensor z,
                                          tensor zq, size_t M, size_t V, float scale);

#endif
