/* ref_ops.c -- double-precision references (see ref_ops.h). */
#include "ref_ops.h"

#include <Random123/philox.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

double ref_uniform(ref_rng *r)
{
    /* xorshift64* */
    r->s ^= r->s >> 12;
    r->s ^= r->s << 25;
    r->s ^= r->s >> 27;
    uint64_t v = r->s * 2685821657736338717ull;
    return (double)(v >> 11) / 9007199254740992.0 * 2.0 - 1.0;
}

void ref_fill(ref_rng *r, double *x, size_t n, double scale)
{
    for (size_t i = 0; i < n; i++) x[i] = scale * ref_uniform(r);
}

void ref_to_float(const double *x, float *y, size_t n)
{
    for (size_t i = 0; i < n; i++) y[i] = (float)x[i];
}

void ref_to_double(const float *x, double *y, size_t n)
{
    for (size_t i = 0; i < n; i++) y[i] = x[i];
}

void ref_fd_grad(ref_scalar_fn f, void *user, double *x, size_t n, double h, double *grad)
{
    for (size_t i = 0; i < n; i++) {
        double x0 = x[i];
        x[i] = x0 + h;
        double fp = f(x, user);
        x[i] = x0 - h;
        double fm = f(x, user);
        x[i] = x0;
        grad[i] = (fp - fm) / (2 * h);
    }
}

double ref_dropout_factor(uint32_t seed_lo, uint32_t seed_hi, uint32_t step, uint32_t site,
                          double p, uint64_t i)
{
    if (p <= 0) return 1.0;
    uint64_t g = i >> 2;
    philox4x32_ctr_t c = {{(uint32_t)g, (uint32_t)(g >> 32), step, site}};
    philox4x32_key_t k = {{seed_lo, seed_hi}};
    philox4x32_ctr_t r = philox4x32(c, k);
    double u = (double)(r.v[i & 3] >> 8) / 16777216.0;
    /* The kernels compare in float and scale by the float 1 / (1 - p). */
    return u >= (float)p ? (double)(1.0f / (1.0f - (float)p)) : 0.0;
}

void ref_layernorm_forward(double *y, double *mean, double *rstd, const double *x,
                           const double *gamma, const double *beta, size_t N, size_t D,
                           double eps)
{
    for (size_t n = 0; n < N; n++) {
        const double *xr = x + n * D;
        double mu = 0, var = 0;
        for (size_t c = 0; c < D; c++) mu += xr[c];
        mu /= (double)D;
        for (size_t c = 0; c < D; c++) var += (xr[c] - mu) * (xr[c] - mu);
        var /= (double)D;
        double r = 1.0 / sqrt(var + eps);
        for (size_t c = 0; c < D; c++) y[n * D + c] = (xr[c] - mu) * r * gamma[c] + beta[c];
        if (mean) mean[n] = mu;
        if (rstd) rstd[n] = r;
    }
}

void ref_layernorm_backward(double *dx, double *dgamma, double *dbeta, const double *dy,
                            const double *x, const double *gamma, size_t N, size_t D, double eps)
{
    double *xhat = malloc(D * sizeof *xhat);
    for (size_t n = 0; n < N; n++) {
        const double *xr = x + n * D, *dr = dy + n * D;
        double mu = 0, var = 0;
        for (size_t c = 0; c < D; c++) mu += xr[c];
        mu /= (double)D;
        for (size_t c = 0; c < D; c++) var += (xr[c] - mu) * (xr[c] - mu);
        var /= (double)D;
        double r = 1.0 / sqrt(var + eps), m1 = 0, m2 = 0;
        for (size_t c = 0; c < D; c++) {
            xhat[c] = (xr[c] - mu) * r;
            double g = gamma[c] * dr[c];
            m1 += g;
            m2 += g * xhat[c];
            if (dgamma) dgamma[c] += dr[c] * xhat[c];
            if (dbeta) dbeta[c] += dr[c];
        }
        m1 /= (double)D;
        m2 /= (double)D;
        for (size_t c = 0; c < D; c++)
            dx[n * D + c] = r * (gamma[c] * dr[c] - m1 - xhat[c] * m2);
    }
    free(xhat);
}

void ref_residual_layernorm_forward(double *y, double *res, const double *resid, const double *x,
                                    const double *gamma, const double *beta, const double *bias,
                                    const double *factor, size_t N, size_t D, double eps)
{
    for (size_t n = 0; n < N; n++)
        for (size_t c = 0; c < D; c++) {
            size_t i = n * D + c;
            res[i] = resid[i] + factor[i] * (x[i] + bias[c]);
        }
    ref_layernorm_forward(y, NULL, NULL, res, gamma, beta, N, D, eps);
}

void ref_residual_layernorm_backward(double *dres, double *dbranch, double *dgamma,
                                     double *dbeta, double *dbias, const double *dy,
                                     const double *res, const double *gamma,
                                     const double *factor, size_t N, size_t D, double eps)
{
    ref_layernorm_backward(dres, dgamma, dbeta, dy, res, gamma, N, D, eps);
    for (size_t n = 0; n < N; n++)
        for (size_t c = 0; c < D; c++) {
            size_t i = n * D + c;
            dbranch[i] = factor[i] * dres[i];
            if (dbias) dbias[c] += dbranch[i];
        }
}

double ref_gelu(double x) { return 0.5 * x * (1.0 + erf(x / sqrt(2.0))); }

double ref_gelu_grad(double x)
{
    return 0.5 * (1.0 + erf(x / sqrt(2.0))) + x * exp(-0.5 * x * x) / sqrt(2.0 * 3.14159265358979323846);
}

double ref_cross_entropy(const double *z, size_t C, int y, double *dz)
{
    double m = z[0], s = 0;
    for (size_t c = 1; c < C; c++) m = z[c] > m ? z[c] : m;
    for (size_t c = 0; c < C; c++) s += exp(z[c] - m);
    double lse = m + log(s);
    if (dz)
        for (size_t c = 0; c < C; c++) dz[c] = exp(z[c] - lse) - (c == (size_t)y ? 1.0 : 0.0);
    return lse - z[y];
}

/* Scores of row (b, h, i) after the bias, into s[T]. */
static void attn_scores(double *s, const double *qkv, const ref_attn *a, size_t b, size_t h,
                        size_t i)
{
    size_t d = a->D / a->H, ld = 3 * a->D;
    const double *q = qkv + (b * a->T + i) * ld + h * d;
    for (size_t j = 0; j < a->T; j++) {
        const double *k = qkv + (b * a->T + j) * ld + a->D + h * d;
        double dot = 0;
        for (size_t c = 0; c < d; c++) dot += q[c] * k[c];
        dot /= sqrt((double)d);
        double g = a->bias[b * a->sb + i * a->si + j];
        s[j] = a->mode == 0 ? (g >= 0 ? dot : 0.0) + g : dot + g;
    }
}

static double attn_drop(const ref_attn *a, size_t b, size_t h, size_t i, size_t j)
{
    uint64_t e = a->off + (((uint64_t)b * a->H + h) * a->T + i) * a->T + j;
    return ref_dropout_factor(a->seed_lo, a->seed_hi, a->step, a->site, a->p, e);
}

static void softmax(double *p, const double *s, size_t T)
{
    double m = s[0], z = 0;
    for (size_t j = 1; j < T; j++) m = s[j] > m ? s[j] : m;
    for (size_t j = 0; j < T; j++) z += (p[j] = exp(s[j] - m));
    for (size_t j = 0; j < T; j++) p[j] /= z;
}

void ref_attention_forward(double *ctx, double *probs, const double *qkv, const ref_attn *a)
{
    size_t T = a->T, d = a->D / a->H, ld = 3 * a->D;
    double *s = malloc(T * sizeof *s), *p = malloc(T * sizeof *p);
    for (size_t b = 0; b < a->B; b++)
        for (size_t h = 0; h < a->H; h++)
            for (size_t i = 0; i < T; i++) {
                attn_scores(s, qkv, a, b, h, i);
                softmax(p, s, T);
                if (probs) memcpy(probs + ((b * a->H + h) * T + i) * T, p, T * sizeof *p);
                double *o = ctx + (b * T + i) * a->D + h * d;
                for (size_t c = 0; c < d; c++) o[c] = 0;
                for (size_t j = 0; j < T; j++) {
                    double w = p[j] * attn_drop(a, b, h, i, j);
                    const double *v = qkv + (b * T + j) * ld + 2 * a->D + h * d;
                    for (size_t c = 0; c < d; c++) o[c] += w * v[c];
                }
            }
    free(s);
    free(p);
}

void ref_attention_backward(double *dqkv, double *dbias, const double *dctx, const double *qkv,
                            const ref_attn *a)
{
    size_t T = a->T, d = a->D / a->H, ld = 3 * a->D;
    double scale = 1.0 / sqrt((double)d);
    double *s = malloc(T * sizeof *s), *p = malloc(T * sizeof *p), *dp = malloc(T * sizeof *dp);
    memset(dqkv, 0, a->B * T * ld * sizeof *dqkv);
    for (size_t b = 0; b < a->B; b++)
        for (size_t h = 0; h < a->H; h++)
            for (size_t i = 0; i < T; i++) {
                attn_scores(s, qkv, a, b, h, i);
                softmax(p, s, T);
                const double *go = dctx + (b * T + i) * a->D + h * d;
                double dot_pd = 0;
                for (size_t j = 0; j < T; j++) {
                    double m = attn_drop(a, b, h, i, j);
                    const double *v = qkv + (b * T + j) * ld + 2 * a->D + h * d;
                    double *dv = dqkv + (b * T + j) * ld + 2 * a->D + h * d;
                    double g = 0;
                    for (size_t c = 0; c < d; c++) {
                        g += go[c] * v[c];
                        dv[c] += p[j] * m * go[c];
                    }
                    dp[j] = g * m; /* d loss / d P[i, j] (before dropout) */
                    dot_pd += p[j] * dp[j];
                }
                const double *q = qkv + (b * T + i) * ld + h * d;
                double *dq = dqkv + (b * T + i) * ld + h * d;
                for (size_t j = 0; j < T; j++) {
                    double ds_biased = p[j] * (dp[j] - dot_pd); /* dS' */
                    size_t bi = b * a->sb + i * a->si + j;
                    double ds = a->mode == 0 && a->bias[bi] < 0 ? 0.0 : ds_biased;
                    if (dbias) dbias[(b * T + i) * T + j] += ds_biased;
                    const double *k = qkv + (b * T + j) * ld + a->D + h * d;
                    double *dk = dqkv + (b * T + j) * ld + a->D + h * d;
                    for (size_t c = 0; c < d; c++) {
                        dq[c] += ds * scale * k[c];
                        dk[c] += ds * scale * q[c];
                    }
                }
            }
    free(s);
    free(p);
    free(dp);
}
