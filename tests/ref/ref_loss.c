/* ref_loss.c -- see ref_loss.h. */
#include <math.h>
#include <stdlib.h>

#include "ref/ref_loss.h"

static void log_softmax(const double *z, size_t W, double *out)
{
    double m = z[0], s = 0;
    for (size_t c = 1; c < W; c++) m = z[c] > m ? z[c] : m;
    for (size_t c = 0; c < W; c++) s += exp(z[c] - m);
    for (size_t c = 0; c < W; c++) out[c] = z[c] - m - log(s);
}

double ref_token_cross_entropy(const double *z, const int *labels, size_t N, size_t C, double *dz,
                               size_t *count)
{
    double *lp = malloc(C * sizeof *lp), sum = 0;
    size_t n = 0;
    for (size_t r = 0; r < N; r++) n += labels[r] >= 0 && (size_t)labels[r] < C;
    for (size_t r = 0; r < N; r++) {
        int y = labels[r];
        int on = y >= 0 && (size_t)y < C;
        log_softmax(z + r * C, C, lp);
        if (on) sum -= lp[y];
        for (size_t c = 0; dz && c < C; c++)
            dz[r * C + c] = on ? (exp(lp[c]) - (c == (size_t)y ? 1.0 : 0.0)) / (double)n : 0.0;
    }
    free(lp);
    if (count) *count = n;
    return n ? sum / (double)n : 0.0;
}

double ref_symmetric_kl(const double *z, const double *zq, size_t R, size_t W, double scale,
                        double *dz, double *dzq)
{
    double *a = malloc(W * sizeof *a), *b = malloc(W * sizeof *b), total = 0;
    for (size_t r = 0; r < R; r++) {
        log_softmax(z + r * W, W, a);
        log_softmax(zq + r * W, W, b);
        double kl_pq = 0, kl_qp = 0;
        for (size_t c = 0; c < W; c++) {
            kl_pq += exp(a[c]) * (a[c] - b[c]);
            kl_qp += exp(b[c]) * (b[c] - a[c]);
        }
        total += 0.5 * (kl_pq + kl_qp);
        /* d/dz_c of KL(p||q) = p_c (log p_c - log q_c - KL(p||q)); of KL(q||p) = p_c - q_c */
        for (size_t c = 0; c < W; c++) {
            double p = exp(a[c]), q = exp(b[c]);
            if (dz) dz[r * W + c] = scale * 0.5 * (p * (a[c] - b[c] - kl_pq) + (p - q));
            if (dzq) dzq[r * W + c] = scale * 0.5 * (q * (b[c] - a[c] - kl_qp) + (q - p));
        }
    }
    free(a);
    free(b);
    return scale * total;
}
