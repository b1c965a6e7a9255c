/* ref_ops.h -- plain-C, double-precision references of the kernels, written
 * from the formulas (not from the kernels), for the device tests; the
 * backward references are themselves checked against central finite
 * differences of the forward ones. Row-major shapes, as the kernels. */
#ifndef ASACL_REF_OPS_H
#define ASACL_REF_OPS_H

#include <stddef.h>
#include <stdint.h>

/* ---- random test data ---- */
typedef struct ref_rng {
    uint64_t s;
} ref_rng;
double ref_uniform(ref_rng *r);                    /* [-1, 1) */
void ref_fill(ref_rng *r, double *x, size_t n, double scale);
void ref_to_float(const double *x, float *y, size_t n);
void ref_to_double(const float *x, double *y, size_t n);

/* ---- central finite differences ----
 * grad[i] = (f(x + h e_i) - f(x - h e_i)) / 2h for i in idx[0..k) (all if idx NULL). */
typedef double (*ref_scalar_fn)(const double *x, void *user);
void ref_fd_grad(ref_scalar_fn f, void *user, double *x, size_t n, double h, double *grad);

/* ---- dropout (the kernels' Philox stream, cl/dropout.h) ---- */
double ref_dropout_factor(uint32_t seed_lo, uint32_t seed_hi, uint32_t step, uint32_t site,
                          double p, uint64_t i);

/* ---- layers ---- */
void ref_layernorm_forward(double *y, double *mean, double *rstd, const double *x,
                           const double *gamma, const double *beta, size_t N, size_t D,
                           double eps);
/* dx = LN'(dy); dgamma, dbeta accumulate. */
void ref_layernorm_backward(double *dx, double *dgamma, double *dbeta, const double *dy,
                            const double *x, const double *gamma, size_t N, size_t D, double eps);
/* res = resid + factor * (x + bias[c]), y = LN(res) (the fused
 * residual_layernorm; factor [N*D] holds the dropout factors). */
void ref_residual_layernorm_forward(double *y, double *res, const double *resid, const double *x,
                                    const double *gamma, const double *beta, const double *bias,
                                    const double *factor, size_t N, size_t D, double eps);
/* dres = LN'(dy), dbranch = factor * dres; dgamma, dbeta, dbias accumulate. */
void ref_residual_layernorm_backward(double *dres, double *dbranch, double *dgamma,
                                     double *dbeta, double *dbias, const double *dy,
                                     const double *res, const double *gamma,
                                     const double *factor, size_t N, size_t D, double eps);
double ref_gelu(double x);
double ref_gelu_grad(double x);
/* Cross-entropy of z [C] against label y; dz = softmax - onehot (optional). */
double ref_cross_entropy(const double *z, size_t C, int y, double *dz);

/* ---- attention (asa-spec sections 1-3) ----
 * qkv [B*T, 3D] rows [q | k | v], head h at columns h*d; bias G read as
 * bias[b*sb + i*si + j]; mode 0 "replace" S' = S*[G>=0] + G, 1 "additive".
 * Attention dropout p with site/step as cl/dropout.h; element index
 * off + ((b*H + h)*T + i)*T + j. ctx [B*T, D]; probs (optional) [B,H,T,T]. */
typedef struct ref_attn {
    size_t B, T, H, D;
    const double *bias;
    size_t sb, si;
    int mode;
    double p;
    uint32_t seed_lo, seed_hi, step, site;
    uint64_t off;
} ref_attn;
void ref_attention_forward(double *ctx, double *probs, const double *qkv, const ref_attn *a);
/* dqkv = d(sum dctx . ctx)/dqkv; dbias (optional, [B,T,T]) += sum over heads of dS'. */
void ref_attention_backward(double *dqkv, double *dbias, const double *dctx, const double *qkv,
                            const ref_attn *a);

#endif
