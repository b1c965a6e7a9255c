/* cmd_predict.c -- asacl predict: labels and probabilities for sentences
 * read from a file or standard input, one example per line ("text" or
 * "text_a<TAB>text_b"). */
#define _GNU_SOURCE
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/model_data.h"

static void help(void)
{
    printf("usage: asacl predict --model DIR [FILE | -] [options]\n\n"
           "Reads one example per line from FILE or standard input (- or nothing):\n"
           "a sentence, or two separated by a tab. Prints, per line, the predicted\n"
           "label and the probability of every label (tab-separated; the first line\n"
           "is a header), or the predicted value for a one-output regression model.\n\n"
           "  --model DIR        the model folder (config.json, model.safetensors, vocab.txt)\n"
           "  --max-seq-len N    tokens per example (default 128, or the model's positions if fewer)\n"
           "  --cased            keep case and accents\n"
           "  --device SPEC      device: flat index, P:D or part of a name\n"
           "  -h, --help         this help\n");
}

int cmd_predict(int argc, char **argv)
{
    enum { O_MODEL = 256, O_LEN, O_CASED, O_DEVICE };
    static const struct option opts[] = {{"model", 1, 0, O_MODEL}, {"max-seq-len", 1, 0, O_LEN},
                                         {"cased", 0, 0, O_CASED}, {"device", 1, 0, O_DEVICE},
                                         {"help", 0, 0, 'h'}, {0, 0, 0, 0}};
    const char *dir = NULL, *device = NULL, *input = "-";
    double len = 0;
    int cased = 0, c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case O_MODEL: dir = optarg; break;
        case O_LEN:
            if (!cli_number(optarg, &len) || len < 3)
                return cli_usage_error("predict", "--max-seq-len: expected a number >= 3, got '%s'", optarg);
            break;
        case O_CASED: cased = 1; break;
        case O_DEVICE: device = optarg; break;
        case 'h': help(); return CLI_OK;
        default: return cli_usage_error("predict", "unknown option");
        }
    }
    if (optind < argc) input = argv[optind++];
    if (optind < argc) return cli_usage_error("predict", "unexpected argument '%s'", argv[optind]);
    if (!dir) return cli_usage_error("predict", "--model DIR is required");
    cli_log_init(0);
    FILE *in = strcmp(input, "-") ? fopen(input, "r") : stdin;
    if (!in) {
        fprintf(stderr, "asacl predict: cannot open %s\n", input);
        return CLI_FAIL;
    }
    cli_model m;
    asacl_status st = cli_model_open(&m, device, dir, cased);
    if (st == ASACL_OK) cli_clamp_len(&m, &len);
    const asacl_model_config *cfg = st == ASACL_OK ? asacl_model_get_config(m.model) : NULL;
    size_t L = (size_t)len, C = cfg ? (size_t)cfg->num_labels : 1;
    int32_t *ids = malloc(L * sizeof *ids), *segs = malloc(L * sizeof *segs);
    float z[ASACL_MAX_LABELS];
    if (st == ASACL_OK) {
        if (C == 1) printf("value\n");
        else {
            printf("label");
            for (size_t k = 0; k < C; k++)
                printf("\tp_%s", cfg->id2label[k][0] ? cfg->id2label[k] : "?");
            printf("\n");
        }
    }
    char *line = NULL;
    size_t cap = 0, lineno = 0;
    ssize_t n;
    while (st == ASACL_OK && (n = getline(&line, &cap, in)) >= 0) {
        lineno++;
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r')) line[--n] = 0;
        char *b = strchr(line, '\t');
        if (b) *b++ = 0;
        int length;
        st = asacl_tokenizer_encode(m.tok, line, b, (int)L, ids, segs, &length);
        asacl_batch bt = {1, (size_t)length, ids, segs, &length, NULL, NULL, NULL, 0};
        if (st == ASACL_OK) st = asacl_model_predict(m.model, &bt, z);
        if (st != ASACL_OK) break;
        if (C == 1) {
            printf("%.6g\n", (double)z[0]);
            continue;
        }
        float mx = z[0], sum = 0;
        size_t best = 0;
        for (size_t k = 1; k < C; k++) if (z[k] > mx) mx = z[k], best = k;
        for (size_t k = 0; k < C; k++) sum += expf(z[k] - mx);
        printf("%s", cfg->id2label[best][0] ? cfg->id2label[best] : "?");
        for (size_t k = 0; k < C; k++) printf("\t%.6f", (double)(expf(z[k] - mx) / sum));
        printf("\n");
    }
    if (st != ASACL_OK && lineno) fprintf(stderr, "asacl predict: at %s:%zu\n", input, lineno);
    free(line);
    free(ids);
    free(segs);
    if (in != stdin) fclose(in);
    cli_model_close(&m);
    return st == ASACL_OK ? CLI_OK : cli_error(st);
}
