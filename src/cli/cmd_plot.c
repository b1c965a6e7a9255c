/* cmd_plot.c -- asacl plot: training curves of one or more run folders
 * (their metrics.jsonl), overlaid, as a PNG. */
#define _GNU_SOURCE
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

static void help(void)
{
    printf("usage: asacl plot RUN_DIR... [--out FILE.png] [--label NAME]...\n\n"
           "Draws the training curves of the run folders written by asacl train\n"
           "(from their metrics.jsonl), one colour per run, one panel each for the\n"
           "loss (task and vloss), the dev metric (every dev split), the learning\n"
           "rate and the masked fraction per layer. Compare ASA with plain training:\n"
           "  asacl train --out asa && asacl train --no-asa --out plain\n"
           "  asacl plot asa plain --out asa-vs-plain.png\n\n"
           "  --out FILE.png     where to write (default curves.png)\n"
           "  --label NAME       legend name of the next run, in order (default: the\n"
           "                     folder's name); give it once per run or not at all\n"
           "  -h, --help         this help\n");
}

int cmd_plot(int argc, char **argv)
{
    enum { O_OUT = 256, O_LABEL };
    static const struct option opts[] = {
        {"out", 1, 0, O_OUT}, {"label", 1, 0, O_LABEL}, {"help", 0, 0, 'h'}, {0, 0, 0, 0}};
    const char *out = "curves.png";
    const char **labels = calloc((size_t)argc + 1, sizeof *labels);
    if (!labels) return CLI_FAIL;
    size_t n_labels = 0;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case O_OUT: out = optarg; break;
        case O_LABEL: labels[n_labels++] = optarg; break;
        case 'h': help(); free(labels); return CLI_OK;
        default: free(labels); return cli_usage_error("plot", "unknown option");
        }
    }
    size_t n = (size_t)(argc - optind);
    int rc = CLI_OK;
    if (n == 0) rc = cli_usage_error("plot", "expected one or more run folders");
    else if (n_labels && n_labels != n)
        rc = cli_usage_error("plot", "%zu --label for %zu runs: give one per run or none",
                             n_labels, n);
    if (rc == CLI_OK) {
        cli_log_init(0);
        asacl_status st = asacl_plot_runs((const char *const *)argv + optind, n,
                                          n_labels ? labels : NULL, out);
        if (st != ASACL_OK) rc = cli_error(st);
        else printf("wrote %s (%zu run%s)\n", out, n, n == 1 ? "" : "s");
    }
    free(labels);
    return rc;
}
