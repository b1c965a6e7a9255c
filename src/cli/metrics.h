/* metrics.h -- evaluation of a model on an encoded dataset: accuracy, F1
 * (binary), Matthews correlation, and Pearson/Spearman for regression. */
#ifndef ASACL_CLI_METRICS_H
#define ASACL_CLI_METRICS_H

#include "cli/encode.h"

typedef struct cli_metrics {
    size_t n;
    double accuracy, f1, mcc;        /* classification (f1, mcc: two labels) */
    double pearson, spearman, mse;   /* regression */
} cli_metrics;

/* Runs the model over e in batches of `batch` (dropout off). logits, when
 * not NULL, receives [n * num_labels]. */
asacl_status cli_evaluate(asacl_model *m, const cli_encoded *e, size_t batch, int num_labels,
                          cli_metrics *out, float *logits);
/* The metric a task is judged by, as text ("accuracy", ...), and its value. */
const char *cli_main_metric(int num_labels, const cli_metrics *m, double *value);

#endif
