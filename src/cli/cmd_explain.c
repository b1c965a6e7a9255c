/* cmd_explain.c -- asacl explain: what a model attends to for one sentence
 * (every layer's attention as a heat map over its word pieces) and, with a
 * training checkpoint, what the adversary masks in the same input. */
#define _GNU_SOURCE
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

static void help(void)
{
    printf("usage: asacl explain --model DIR [--adversary CHECKPOINT] \"a sentence\" [\"second\"]\n"
           "                     [--out FILE.png] [--layer N] [--head H] [--format png|tsv]\n\n"
           "Runs the sentence (or pair) through the model's clean pass with dropout off\n"
           "and draws, for each layer, the attention probabilities (mean over heads) as a\n"
           "heat map: rows are the query word pieces, columns the keys. With a training\n"
           "checkpoint (a checkpoint/ folder of asacl train, with ASA) the adversary's\n"
           "mask M of the adversarial pass for the same input is drawn beside it: kept\n"
           "and masked (query, key) units and the fraction masked.\n\n"
           "  --model DIR          model folder (config.json, model.safetensors, vocab.txt),\n"
           "                       e.g. OUT/best or OUT/checkpoint of asacl train\n"
           "  --adversary CKPT     training checkpoint whose adversaries to use (may be DIR)\n"
           "  --layer N            only layer N (default: every layer)\n"
           "  --head H             head H instead of the mean over heads\n"
           "  --out FILE           the picture (default explain.png); with --format tsv the\n"
           "                       matrices go there instead of standard output\n"
           "  --format png|tsv     png (default; needs cairo) or the raw matrices as TSV\n"
           "  --max-seq-len N      cut the input to N word pieces (default 128)\n"
           "  --cased              keep case and accents\n"
           "  --device SPEC        device: flat index, P:D or part of a name\n"
           "  -h, --help           this help\n");
}

typedef struct explain_args {
    const char *model, *adversary, *out, *device, *a, *b;
    int layer, head, tsv, cased, max_len;
} explain_args;

static int parse(int argc, char **argv, explain_args *x)
{
    enum { O_MODEL = 256, O_ADV, O_LAYER, O_HEAD, O_OUT, O_FORMAT, O_LEN, O_CASED, O_DEVICE };
    static const struct option opts[] = {
        {"model", 1, 0, O_MODEL}, {"adversary", 1, 0, O_ADV}, {"layer", 1, 0, O_LAYER},
        {"head", 1, 0, O_HEAD}, {"out", 1, 0, O_OUT}, {"format", 1, 0, O_FORMAT},
        {"max-seq-len", 1, 0, O_LEN}, {"cased", 0, 0, O_CASED}, {"device", 1, 0, O_DEVICE},
        {"help", 0, 0, 'h'}, {0, 0, 0, 0}};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        double v;
        switch (c) {
        case O_MODEL: x->model = optarg; break;
        case O_ADV: x->adversary = optarg; break;
        case O_OUT: x->out = optarg; break;
        case O_DEVICE: x->device = optarg; break;
        case O_CASED: x->cased = 1; break;
        case O_FORMAT:
            if (!strcmp(optarg, "tsv")) x->tsv = 1;
            else if (strcmp(optarg, "png") != 0)
                return cli_usage_error("explain", "--format: expected png or tsv, got '%s'", optarg);
            break;
        case O_LAYER: case O_HEAD: case O_LEN:
            if (!cli_number(optarg, &v) || v < 0 || v != floor(v) || v > 1e6)
                return cli_usage_error("explain", "%s: expected a whole number >= 0, got '%s'",
                                       argv[optind - 1], optarg);
            if (c == O_LAYER) x->layer = (int)v;
            else if (c == O_HEAD) x->head = (int)v;
            else x->max_len = (int)v;
            break;
        case 'h': help(); return -1;
        default: return cli_usage_error("explain", "unknown option");
        }
    }
    if (optind < argc) x->a = argv[optind++];
    if (optind < argc) x->b = argv[optind++];
    if (optind < argc) return cli_usage_error("explain", "unexpected argument '%s'", argv[optind]);
    if (!x->model) return cli_usage_error("explain", "--model DIR is required");
    if (!x->a || !*x->a) return cli_usage_error("explain", "expected a sentence to explain");
    if (x->max_len < 3) return cli_usage_error("explain", "--max-seq-len must be at least 3");
    return 0;
}

/* One T x T matrix as TSV with the word pieces as row and column names. */
static void tsv_matrix(FILE *f, const char *caption, const float *m, const char *const *tok,
                       size_t T)
{
    fprintf(f, "# %s\nquery\\key", caption);
    for (size_t j = 0; j < T; j++) fprintf(f, "\t%s", tok[j]);
    fprintf(f, "\n");
    for (size_t i = 0; i < T; i++) {
        fprintf(f, "%s", tok[i]);
        for (size_t j = 0; j < T; j++) fprintf(f, "\t%.6g", m[i * T + j]);
        fprintf(f, "\n");
    }
    fprintf(f, "\n");
}

static asacl_status write_tsv(const explain_args *x, const asacl_attention *a,
                              const char *const *tok, FILE *f)
{
    size_t T = a->T;
    float *map = malloc(T * T * sizeof *map);
    asacl_status st = map ? ASACL_OK : ASACL_ERR_OUT_OF_MEMORY;
    for (size_t l = 0; l < a->L && st == ASACL_OK; l++) {
        if (x->layer >= 0 && (size_t)x->layer != l) continue;
        char cap[200];
        if ((st = asacl_attention_map(a, (int)l, x->head, map)) != ASACL_OK) break;
        if (x->head < 0) snprintf(cap, sizeof cap, "layer %zu attention, mean of %zu heads "
                                  "(rows: queries, columns: keys)", l, a->H);
        else snprintf(cap, sizeof cap, "layer %zu attention, head %d (rows: queries, columns: "
                      "keys)", l, x->head);
        tsv_matrix(f, cap, map, tok, T);
        if (!a->mask) continue;
        snprintf(cap, sizeof cap, "layer %zu adversary's mask M (1 kept, 0 masked, 0.5 A = 0): "
                 "%.4f masked", l, a->masked_fraction[l]);
        tsv_matrix(f, cap, a->mask + l * T * T, tok, T);
    }
    free(map);
    return st;
}

static void print_summary(const asacl_attention *a, const asacl_model_config *c,
                          const char *const *tok)
{
    FILE *f = stderr;
    fprintf(f, "word pieces (%zu):", a->T);
    for (size_t i = 0; i < a->T; i++) fprintf(f, " %s", tok[i]);
    fprintf(f, "\n");
    if (a->num_labels > 1) {
        double mx = a->logits[0], s = 0;
        int best = 0;
        for (int k = 1; k < a->num_labels; k++)
            if (a->logits[k] > mx) mx = a->logits[k], best = k;
        for (int k = 0; k < a->num_labels; k++) s += exp(a->logits[k] - mx);
        fprintf(f, "prediction: %s (p = %.3f)\n", c->id2label[best][0] ? c->id2label[best] : "?",
                1.0 / s);
    } else {
        fprintf(f, "prediction: %.4f\n", a->logits[0]);
    }
    if (a->mask) {
        fprintf(f, "masked fraction per layer:");
        for (size_t l = 0; l < a->L; l++) fprintf(f, " %.3f", a->masked_fraction[l]);
        fprintf(f, "\n");
    }
}

static asacl_status explain(const explain_args *x, FILE *tsv, asacl_model *m,
                            asacl_tokenizer *tok)
{
    const asacl_model_config *c = asacl_model_get_config(m);
    int cap = x->max_len < c->max_position_embeddings ? x->max_len : c->max_position_embeddings;
    int32_t *ids = malloc((size_t)cap * sizeof *ids), *segs = malloc((size_t)cap * sizeof *segs);
    const char **names = malloc((size_t)cap * sizeof *names);
    asacl_attention a = {0};
    asacl_status st = ids && segs && names ? ASACL_OK : ASACL_ERR_OUT_OF_MEMORY;
    int len = 0;
    if (st == ASACL_OK) st = asacl_tokenizer_encode(tok, x->a, x->b, cap, ids, segs, &len);
    /* the adversarial pass sees the input padded as in training */
    size_t padded = 0;
    asacl_train_options to;
    if (st == ASACL_OK && x->adversary && asacl_checkpoint_info(x->adversary, &to, NULL) == ASACL_OK &&
        to.max_seq_len >= (size_t)len && to.max_seq_len <= (size_t)c->max_position_embeddings)
        padded = to.max_seq_len;
    if (st == ASACL_OK)
        st = asacl_model_attention(m, ids, segs, (size_t)len, padded, x->adversary != NULL, &a);
    for (int i = 0; st == ASACL_OK && i < len; i++) {
        names[i] = asacl_tokenizer_token(tok, ids[i]);
        if (!names[i]) names[i] = "?";
    }
    /* --layer and --head in range (the library's message says which) */
    float *probe = st == ASACL_OK ? malloc((size_t)len * (size_t)len * sizeof *probe) : NULL;
    if (st == ASACL_OK && !probe) st = ASACL_ERR_OUT_OF_MEMORY;
    if (st == ASACL_OK) st = asacl_attention_map(&a, x->layer >= 0 ? x->layer : 0, x->head, probe);
    free(probe);
    if (st == ASACL_OK) print_summary(&a, c, names);
    if (st == ASACL_OK && x->tsv) st = write_tsv(x, &a, names, tsv);
    if (st == ASACL_OK && !x->tsv) {
        asacl_explain_options o;
        asacl_explain_options_init(&o);
        o.layer = x->layer;
        o.head = x->head;
        char title[400];
        snprintf(title, sizeof title, "\"%.160s%s\"%s%.160s%s%s", x->a, strlen(x->a) > 160 ? "..." : "",
                 x->b ? " / \"" : "", x->b ? x->b : "", x->b ? "\"" : "",
                 x->adversary ? "  (with the adversary's mask)" : "");
        o.title = title;
        const char *out = x->out ? x->out : "explain.png";
        st = asacl_explain_png(&a, names, &o, out);
        if (st == ASACL_OK) printf("wrote %s\n", out);
    }
    asacl_attention_free(&a);
    free(ids);
    free(segs);
    free(names);
    return st;
}

int cmd_explain(int argc, char **argv)
{
    explain_args x = {.layer = -1, .head = -1, .max_len = 128};
    int rc = parse(argc, argv, &x);
    if (rc) return rc < 0 ? CLI_OK : rc;
    cli_log_init(0);
    if (!x.tsv && !asacl_have_cairo()) { /* say so before any work */
        fprintf(stderr, "asacl explain: (--format tsv works without cairo)\n");
        return cli_error(asacl_explain_png(NULL, NULL, NULL, x.out ? x.out : "explain.png"));
    }
    FILE *tsv = x.tsv && x.out ? fopen(x.out, "w") : stdout;
    if (!tsv) {
        fprintf(stderr, "asacl explain: cannot write %s\n", x.out);
        return CLI_FAIL;
    }
    asacl_ctx_options co;
    asacl_ctx_options_init(&co);
    co.device = x.device;
    asacl_ctx *ctx = NULL;
    asacl_tokenizer *tok = NULL;
    asacl_model *m = NULL;
    char vocab[4200];
    snprintf(vocab, sizeof vocab, "%s/vocab.txt", x.model);
    asacl_status st = asacl_ctx_create(&co, &ctx);
    if (st == ASACL_OK) st = asacl_tokenizer_load(vocab, !x.cased, &tok);
    if (st == ASACL_OK) {
        asacl_load_options lo;
        asacl_load_options_init(&lo);
        lo.adversaries = x.adversary != NULL;
        st = asacl_model_load(ctx, x.model, &lo, &m, NULL);
    }
    if (st == ASACL_OK && x.adversary) st = asacl_model_load_adversaries(m, x.adversary);
    if (st == ASACL_OK) st = explain(&x, tsv, m, tok);
    rc = st == ASACL_OK ? CLI_OK : cli_error(st);
    if (tsv != stdout && fclose(tsv) != 0 && rc == CLI_OK) {
        fprintf(stderr, "asacl explain: cannot write %s\n", x.out);
        rc = CLI_FAIL;
    }
    asacl_model_destroy(m);
    asacl_tokenizer_destroy(tok);
    asacl_ctx_destroy(ctx);
    return rc;
}
