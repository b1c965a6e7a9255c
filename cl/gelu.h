/* gelu.h -- the standard normal distribution function of the erf-form GELU
 * and GELU's derivative, for cl/gelu.cl and the GEMM's GELU epilogues
 * (cl/gemm.cl), so that both compute the same floats:
 *   gelu(x) = x Phi(x),  Phi(x) = (1 + erf(x / sqrt 2)) / 2 = erfc(-x / sqrt 2) / 2
 * Phi comes from erfc with fractional error below 1.2e-7 everywhere
 * (the Chebyshev fit of Numerical Recipes' erfcc): one exp and a polynomial,
 * which vectorises where a device's built-in erf may not (PoCL's erf ran
 * 15x slower than exp here), and keeps its relative accuracy for large
 * negative x, where 1 + erf(x) cancels. */
#ifndef ASACL_GELU_H
#define ASACL_GELU_H

#define INV_SQRT2 0.70710678118654752f
#define INV_SQRT_2PI 0.39894228040143268f

/* Defines T NAME(T x) = Phi(x) for T float or a float vector type. */
#define NORMAL_CDF_FN(T, NAME)                              \
    static inline T NAME(T x)                               \
    {                                                       \
        T z = x * INV_SQRT2;                                \
        T a = fabs(z);                                      \
        T t = 1.0f / (1.0f + 0.5f * a);                     \
        T p = -0.82215223f + t * 0.17087277f;               \
        p = 1.48851587f + t * p;                            \
        p = -1.13520398f + t * p;                           \
        p = 0.27886807f + t * p;                            \
        p = -0.18628806f + t * p;                           \
        p = 0.09678418f + t * p;                            \
        p = 0.37409196f + t * p;                            \
        p = 1.00002368f + t * p;                            \
        p = -1.26551223f + t * p;                           \
        T c = 0.5f * (t * exp(-a * a + p)); /* erfc(|z|) / 2 */ \
        return select(c, 1.0f - c, z >= 0.0f);              \
    }

/* Defines T NAME(T x) = gelu'(x) = Phi(x) + x phi(x), with CDF an
 * NORMAL_CDF_FN of T. */
#define GELU_GRAD_FN(T, NAME, CDF)                                  \
    static inline T NAME(T x)                                       \
    {                                                               \
        return CDF(x) + x * INV_SQRT_2PI * exp(-0.5f * x * x);      \
    }

#endif
