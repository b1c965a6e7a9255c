/* cmd_predict.c -- asacl predict: labels and probabilities for sentences
 * read from a file or standard input, one example per line ("text" or
 * "text_a<TAB>text_b"); for token classification a label per word of each
 * line; for multiple choice the chosen index and the choices' probabilities
 * of each example of a multiple-choice file. */
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
           "is a header), or the predicted value for a one-output regression model.\n"
           "A token-classification model reads one sentence per line (words split at\n"
           "whitespace) and prints each word and its label, tab-separated, a blank\n"
           "line after each sentence (CoNLL style). A multiple-choice model reads a\n"
           "file of --task's format (labels optional) and prints, per example, the\n"
           "chosen index (from 0) and the probability of every choice.\n\n"
           "  --task NAME        multiple choice: swag dream hellaswag choice (default choice)\n"
           "  --model DIR        the model folder (config.json, model.safetensors, vocab.txt)\n"
           "  --max-seq-len N    tokens per example (default 128, or the model's positions if fewer)\n"
           "  --cased            keep case and accents\n"
           "  --device SPEC      device: flat index, P:D or part of a name\n"
           "  -h, --help         this help\n");
}

/* Softmax of z[0, n) into p; the argmax. */
static size_t softmax(const float *z, size_t n, double *p)
{
    size_t best = 0;
    for (size_t k = 1; k < n; k++) best = z[k] > z[best] ? k : best;
    double sum = 0;
    for (size_t k = 0; k < n; k++) sum += p[k] = exp((double)z[k] - (double)z[best]);
    for (size_t k = 0; k < n; k++) p[k] /= sum;
    return best;
}

/* Multiple choice: every example of a file of format task, in order. */
static asacl_status predict_choice(cli_model *m, const char *input, const char *task, size_t L)
{
    asacl_dataset *d = NULL;
    asacl_loader *l = NULL;
    asacl_status st = asacl_dataset_read(strcmp(input, "-") ? input : "/dev/stdin", task, NULL, 0, &d);
    asacl_loader_options lo;
    asacl_loader_options_init(&lo);
    lo.max_seq_len = L;
    lo.shuffle = 0;
    lo.padding = ASACL_PADDING_LONGEST;
    if (st == ASACL_OK) st = asacl_loader_create(d, m->tok, &lo, &l);
    size_t n = asacl_loader_size(l), nc = (size_t)asacl_dataset_num_choices(d);
    float *z = malloc(lo.batch_size * (nc ? nc : 1) * sizeof *z);
    double p[64];
    if (st == ASACL_OK && (!z || nc > 64)) st = ASACL_ERR_OUT_OF_MEMORY;
    if (st == ASACL_OK) {
        printf("choice");
        for (size_t k = 0; k < nc; k++) printf("\tp_%zu", k);
        printf("\n");
    }
    for (size_t done = 0; st == ASACL_OK && done < n;) {
        asacl_batch bt;
        st = asacl_loader_next(l, &bt, NULL);
        if (st == ASACL_OK) st = asacl_model_predict(m->model, &bt, z);
        for (size_t b = 0; st == ASACL_OK && b < bt.B; b++) {
            size_t best = softmax(z + b * nc, nc, p);
            printf("%zu", best);
            for (size_t k = 0; k < nc; k++) printf("\t%.6f", p[k]);
            printf("\n");
        }
        done += bt.B;
    }
    free(z);
    asacl_loader_destroy(l);
    asacl_dataset_destroy(d);
    return st;
}

/* Token classification: the words of one line and a label each. */
static asacl_status predict_words(cli_model *m, char *line, size_t L, int32_t *ids, int32_t *segs)
{
    const asacl_model_config *cfg = asacl_model_get_config(m->model);
    size_t C = (size_t)cfg->num_labels, n = 0, cap = 0;
    const char **words = NULL;
    for (char *w = strtok(line, " \t"); w; w = strtok(NULL, " \t")) {
        if (n == cap) {
            cap = cap ? 2 * cap : 32;
            const char **nw = realloc(words, cap * sizeof *nw);
            if (!nw) {
                free(words);
                return ASACL_ERR_OUT_OF_MEMORY;
            }
            words = nw;
        }
        words[n++] = w;
    }
    int32_t *first = malloc((n ? n : 1) * sizeof *first);
    float *z = malloc(L * C * sizeof *z);
    int length = 0;
    asacl_status st = first && z ? ASACL_OK : ASACL_ERR_OUT_OF_MEMORY;
    if (st == ASACL_OK)
        st = asacl_tokenizer_encode_words(m->tok, words, n, (int)L, ids, segs, first, &length);
    asacl_batch bt = {1, (size_t)length, ids, segs, &length, NULL, NULL, NULL, 0};
    if (st == ASACL_OK) st = asacl_model_predict(m->model, &bt, z);
    for (size_t w = 0; st == ASACL_OK && w < n; w++) {
        /* a word cut off by --max-seq-len (or without a piece) gets no label: "-" */
        const char *label = "-";
        if (first[w] >= 0) {
            size_t best = 0;
            const float *zt = z + (size_t)first[w] * C;
            for (size_t c = 1; c < C; c++) best = zt[c] > zt[best] ? c : best;
            label = cfg->id2label[best][0] ? cfg->id2label[best] : "?";
        }
        printf("%s\t%s\n", words[w], label);
    }
    if (st == ASACL_OK) printf("\n");
    free(words);
    free(first);
    free(z);
    return st;
}

int cmd_predict(int argc, char **argv)
{
    enum { O_MODEL = 256, O_LEN, O_CASED, O_DEVICE, O_TASK };
    static const struct option opts[] = {{"model", 1, 0, O_MODEL}, {"max-seq-len", 1, 0, O_LEN},
                                         {"cased", 0, 0, O_CASED}, {"device", 1, 0, O_DEVICE},
                                         {"task", 1, 0, O_TASK}, {"help", 0, 0, 'h'}, {0, 0, 0, 0}};
    const char *dir = NULL, *device = NULL, *input = "-", *task = "choice";
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
        case O_TASK: task = optarg; break;
        case 'h': help(); return CLI_OK;
        default: return cli_usage_error("predict", "unknown option");
        }
    }
    if (optind < argc) input = argv[optind++];
    if (optind < argc) return cli_usage_error("predict", "unexpected argument '%s'", argv[optind]);
    if (!dir) return cli_usage_error("predict", "--model DIR is required");
    cli_log_init(0);
    if (asacl_task_of_name(task) != ASACL_TASK_CHOICE)
        return cli_usage_error("predict", "--task %s: expected swag, dream, hellaswag or choice", task);
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
    int kind = cfg ? cfg->task : ASACL_TASK_SEQUENCE;
    if (st == ASACL_OK && kind == ASACL_TASK_CHOICE) {
        if (in != stdin) fclose(in);
        in = NULL;
        st = predict_choice(&m, input, task, L);
    } else if (st == ASACL_OK && kind == ASACL_TASK_SEQUENCE) {
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
    while (st == ASACL_OK && in && (n = getline(&line, &cap, in)) >= 0) {
        lineno++;
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r')) line[--n] = 0;
        if (kind == ASACL_TASK_TOKEN) {
            st = predict_words(&m, line, L, ids, segs);
            continue;
        }
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
    if (in && in != stdin) fclose(in);
    cli_model_close(&m);
    return st == ASACL_OK ? CLI_OK : cli_error(st);
}
