/* ref_mlm.c -- see ref_mlm.h. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ref/ref_loss.h"
#include "ref/ref_mlm.h"
#include "ref/ref_ops.h"

/* pre = g Wd^T + bd with g = h[pos]; returns pre [M, D] (malloc'd). */
static double *transform_pre(const ref_mlm_params *p, const double *h, const int32_t *pos,
                             size_t M, size_t D)
{
    double *pre = malloc(M * D * sizeof *pre);
    for (size_t m = 0; m < M; m++)
        for (size_t o = 0; o < D; o++) {
            double s = p->dense_b[o];
            for (size_t i = 0; i < D; i++) s += h[(size_t)pos[m] * D + i] * p->dense_w[o * D + i];
            pre[m * D + o] = s;
        }
    return pre;
}

void ref_mlm_head_forward(double *logits, double *act_out, double *t_out, const ref_mlm_params *p,
                          const double *h, const int32_t *pos, size_t M, size_t D, size_t V,
                          double eps)
{
    double *pre = transform_pre(p, h, pos, M, D);
    double *act = malloc(M * D * sizeof *act), *t = malloc(M * D * sizeof *t),
           *mean = malloc(M * sizeof *mean), *rstd = malloc(M * sizeof *rstd);
    for (size_t i = 0; i < M * D; i++) act[i] = ref_gelu(pre[i]);
    ref_layernorm_forward(t, mean, rstd, act, p->ln_w, p->ln_b, M, D, eps);
    for (size_t m = 0; m < M; m++)
        for (size_t v = 0; v < V; v++) {
            double s = p->bias[v];
            for (size_t d = 0; d < D; d++) s += t[m * D + d] * p->word[v * D + d];
            logits[m * V + v] = s;
        }
    if (act_out) memcpy(act_out, act, M * D * sizeof *act);
    if (t_out) memcpy(t_out, t, M * D * sizeof *t);
    free(pre);
    free(act);
    free(t);
    free(mean);
    free(rstd);
}

void ref_mlm_head_backward(ref_mlm_grads *g, double *dh, const double *dlogits,
                           const ref_mlm_params *p, const double *h, const int32_t *pos, size_t M,
                           size_t D, size_t V, double eps)
{
    double *pre = transform_pre(p, h, pos, M, D);
    double *act = malloc(M * D * sizeof *act), *t = malloc(M * D * sizeof *t),
           *mean = malloc(M * sizeof *mean), *rstd = malloc(M * sizeof *rstd),
           *dt = calloc(M * D, sizeof *dt), *dact = malloc(M * D * sizeof *dact);
    for (size_t i = 0; i < M * D; i++) act[i] = ref_gelu(pre[i]);
    ref_layernorm_forward(t, mean, rstd, act, p->ln_w, p->ln_b, M, D, eps);
    for (size_t m = 0; m < M; m++)
        for (size_t v = 0; v < V; v++) {
            double dl = dlogits[m * V + v];
            g->bias[v] += dl;
            for (size_t d = 0; d < D; d++) {
                g->word[v * D + d] += dl * t[m * D + d];
                dt[m * D + d] += dl * p->word[v * D + d];
            }
        }
    ref_layernorm_backward(dact, g->ln_w, g->ln_b, dt, act, p->ln_w, M, D, eps);
    for (size_t m = 0; m < M; m++)
        for (size_t o = 0; o < D; o++) {
            double dp = dact[m * D + o] * ref_gelu_grad(pre[m * D + o]);
            g->dense_b[o] += dp;
            for (size_t i = 0; i < D; i++) {
                g->dense_w[o * D + i] += dp * h[(size_t)pos[m] * D + i];
                dh[(size_t)pos[m] * D + i] += dp * p->dense_w[o * D + i];
            }
        }
    free(pre);
    free(act);
    free(t);
    free(mean);
    free(rstd);
    free(dt);
    free(dact);
}

double ref_mlm_loss(const double *z, const double *zq, const int32_t *y, size_t M, size_t V,
                    size_t B, double *dz, double *dzq)
{
    double ce = 0.0;
    for (size_t m = 0; m < M; m++) {
        ce += ref_cross_entropy(z + m * V, V, y[m], dz ? dz + m * V : NULL) / (double)M;
        if (dz)
            for (size_t v = 0; v < V; v++) dz[m * V + v] /= (double)M;
    }
    if (!zq) return ce;
    double *kz = dz ? malloc(M * V * sizeof *kz) : NULL;
    double kl = ref_symmetric_kl(z, zq, M, V, 1.0 / (double)B, kz, dzq);
    if (dz)
        for (size_t i = 0; i < M * V; i++) dz[i] += kz[i];
    free(kz);
    return ce + kl;
}
