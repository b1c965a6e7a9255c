/* metrics.c -- see metrics.h. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli/metrics.h"

static double pearson(const double *x, const double *y, size_t n)
{
    double mx = 0, my = 0, sxy = 0, sxx = 0, syy = 0;
    for (size_t i = 0; i < n; i++) {
        mx += x[i] / (double)n;
        my += y[i] / (double)n;
    }
    for (size_t i = 0; i < n; i++) {
        sxy += (x[i] - mx) * (y[i] - my);
        sxx += (x[i] - mx) * (x[i] - mx);
        syy += (y[i] - my) * (y[i] - my);
    }
    return sxx > 0 && syy > 0 ? sxy / sqrt(sxx * syy) : 0.0;
}

static const double *sort_key;
static int by_key(const void *a, const void *b)
{
    double x = sort_key[*(const size_t *)a], y = sort_key[*(const size_t *)b];
    return (x > y) - (x < y);
}

/* Ranks with ties averaged. */
static void ranks(const double *x, size_t n, double *r, size_t *idx)
{
    for (size_t i = 0; i < n; i++) idx[i] = i;
    sort_key = x;
    qsort(idx, n, sizeof *idx, by_key);
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j + 1 < n && x[idx[j + 1]] == x[idx[i]]) j++;
        for (size_t k = i; k <= j; k++) r[idx[k]] = 0.5 * (double)(i + j) + 1;
        i = j + 1;
    }
}

asacl_status cli_evaluate(asacl_model *m, const cli_encoded *e, size_t batch, int C,
                          cli_metrics *out, float *logits_out)
{
    memset(out, 0, sizeof *out);
    out->n = e->n;
    cli_batch_buf buf = {0};
    size_t *idx = malloc(batch * sizeof *idx);
    float *z = malloc(batch * (size_t)C * sizeof *z);
    double *pred = malloc((e->n + 1) * sizeof *pred), *gold = malloc((e->n + 1) * sizeof *gold);
    asacl_status st = ASACL_OK;
    if (!idx || !z || !pred || !gold || !cli_batch_buf_init(&buf, batch, e->max_len))
        st = ASACL_ERR_OUT_OF_MEMORY;
    size_t tp = 0, fp = 0, fn = 0, tn = 0, right = 0;
    for (size_t b0 = 0; st == ASACL_OK && b0 < e->n; b0 += batch) {
        size_t nb = e->n - b0 < batch ? e->n - b0 : batch;
        for (size_t k = 0; k < nb; k++) idx[k] = b0 + k;
        asacl_batch bt;
        cli_make_batch(e, idx, nb, &buf, &bt);
        st = asacl_model_predict(m, &bt, z);
        for (size_t k = 0; st == ASACL_OK && k < nb; k++) {
            size_t i = b0 + k;
            if (logits_out) memcpy(logits_out + i * (size_t)C, z + k * (size_t)C, (size_t)C * sizeof *z);
            if (C == 1) {
                pred[i] = z[k];
                gold[i] = e->targets[i];
                continue;
            }
            int best = 0;
            for (int c = 1; c < C; c++) best = z[k * (size_t)C + (size_t)c] > z[k * (size_t)C + (size_t)best] ? c : best;
            int y = e->labels[i];
            right += best == y;
            tp += best == 1 && y == 1;
            fp += best == 1 && y != 1;
            fn += best != 1 && y == 1;
            tn += best != 1 && y != 1;
        }
    }
    if (st == ASACL_OK && e->n > 0) {
        if (C == 1) {
            double *rp = malloc(e->n * sizeof *rp), *rg = malloc(e->n * sizeof *rg);
            size_t *ix = malloc(e->n * sizeof *ix);
            out->pearson = pearson(pred, gold, e->n);
            for (size_t i = 0; i < e->n; i++) out->mse += (pred[i] - gold[i]) * (pred[i] - gold[i]) / (double)e->n;
            if (rp && rg && ix) {
                ranks(pred, e->n, rp, ix);
                ranks(gold, e->n, rg, ix);
                out->spearman = pearson(rp, rg, e->n);
            }
            free(rp);
            free(rg);
            free(ix);
        } else {
            out->accuracy = (double)right / (double)e->n;
            out->f1 = tp ? 2.0 * (double)tp / (double)(2 * tp + fp + fn) : 0.0;
            double den = sqrt((double)(tp + fp) * (double)(tp + fn) * (double)(tn + fp) * (double)(tn + fn));
            out->mcc = den > 0 ? ((double)tp * (double)tn - (double)fp * (double)fn) / den : 0.0;
        }
    }
    cli_batch_buf_free(&buf);
    free(idx);
    free(z);
    free(pred);
    free(gold);
    return st;
}

const char *cli_main_metric(int num_labels, const cli_metrics *m, double *value)
{
    if (num_labels == 1) {
        *value = m->pearson;
        return "pearson";
    }
    *value = m->accuracy;
    return "accuracy";
}
