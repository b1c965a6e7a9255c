/* cmd_eval.c -- asacl eval: a model folder's metrics on a labelled file. */
#define _GNU_SOURCE
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/model_data.h"

static void help(void)
{
    printf("usage: asacl eval --model DIR --data FILE [--task NAME] [options]\n\n"
           "Evaluates a model folder (config.json, model.safetensors, vocab.txt) on a\n"
           "labelled file, clean pass only (dropout off, no adversaries), and\n"
           "prints accuracy, F1 and Matthews correlation (Pearson and Spearman for\n"
           "one-output regression; token F1 and entity P/R/F1 for token\n"
           "classification; accuracy for multiple choice).\n\n"
           "  --model DIR        the model folder (e.g. asacl-out/best)\n"
           "  --data FILE        a file of --task's format, or builtin:dev / builtin:dev-shift\n"
           "                     (the built-in toy of the model's task kind)\n"
           "  --task NAME        sst2 cola mrpc qnli rte mnli qqp stsb tsv (default sst2);\n"
           "                     token models: ner (token F1 without O, the default) or pos\n"
           "                     (every class); multiple-choice models: swag dream\n"
           "                     hellaswag choice (asacl's JSONL, the default)\n"
           "  --max-seq-len N    tokens per example (default 128, or the model's positions if fewer)\n"
           "  --batch-size N     examples per forward pass (default 64)\n"
           "  --seed N           seed of the built-in task's data (default 42)\n"
           "  --size N           built-in task examples (default 1000)\n"
           "  --cased            keep case and accents\n"
           "  --mlm              masked-LM evaluation of a pre-trained folder (asacl pretrain's\n"
           "                     best/ or checkpoint/, or a BertForMaskedLM folder) on plain\n"
           "                     text (--data FILE, packed as asacl pretrain packs it): the MLM\n"
           "                     loss (mean cross-entropy over the masked positions), accuracy\n"
           "                     and pseudo-perplexity exp(loss); positions chosen as BERT does\n"
           "                     (15%%, 80/10/10) from --seed with batch k masked as step k, so\n"
           "                     the same --seed, --batch-size and --max-seq-len score the same\n"
           "                     positions (asacl pretrain's held-out evaluation)\n"
           "  --device SPEC      device: flat index, P:D or part of a name\n"
           "  -h, --help         this help\n");
}

/* --mlm: the folder as a masked-LM model (its cls.predictions head must be
 * there), through a trainer without ASA (the evaluation buffers). */
static int eval_mlm(const char *dir, const char *data, size_t len, size_t batch, uint64_t seed,
                    int cased, const char *device)
{
    asacl_ctx_options co;
    asacl_ctx_options_init(&co);
    co.device = device ? device : getenv("ASACL_DEVICE");
    asacl_ctx *ctx = NULL;
    asacl_tokenizer *tok = NULL;
    asacl_model *model = NULL;
    asacl_trainer *t = NULL;
    asacl_status st = asacl_ctx_create(&co, &ctx);
    if (st == ASACL_OK) st = asacl_tokenizer_load_folder(dir, !cased, &tok, NULL, 0);
    asacl_load_options lo;
    asacl_load_options_init(&lo);
    lo.task = ASACL_TASK_MLM;
    asacl_load_report rep;
    if (st == ASACL_OK) st = asacl_model_load(ctx, dir, &lo, &model, &rep);
    if (st == ASACL_OK && rep.initialised) {
        fprintf(stderr, "asacl eval --mlm: %s has no masked-LM head (missing %s)\n", dir,
                rep.initialised_names);
        st = ASACL_ERR_FORMAT;
    }
    if (st == ASACL_OK) {
        const asacl_model_config *c = asacl_model_get_config(model);
        if (!len) len = 128;
        if (len > (size_t)c->max_position_embeddings) len = (size_t)c->max_position_embeddings;
        asacl_train_options o;
        asacl_train_options_init(&o);
        o.asa = 0;
        o.seed = seed;
        o.max_batch = batch;
        o.max_seq_len = len;
        st = asacl_trainer_create(model, &o, &t);
    }
    asacl_mlm_metrics m;
    if (st == ASACL_OK) st = asacl_mlm_evaluate(t, tok, &data, 1, 0, 0.0, 0, &m);
    if (st == ASACL_OK)
        printf("model %s on %s (%zu sequences of %zu tokens, %s)\nmlm loss %.4f  accuracy %.4f  "
               "pseudo-perplexity %.4f over %zu masked positions\n", dir, data, m.sequences, len,
               asacl_ctx_device(ctx)->name, m.loss, m.accuracy, m.pseudo_perplexity, m.positions);
    asacl_trainer_destroy(t);
    asacl_model_destroy(model);
    asacl_tokenizer_destroy(tok);
    asacl_ctx_destroy(ctx);
    return st == ASACL_OK ? CLI_OK : cli_error(st);
}

int cmd_eval(int argc, char **argv)
{
    enum { O_MODEL = 256, O_DATA, O_TASK, O_LEN, O_BATCH, O_SEED, O_SIZE, O_CASED, O_DEVICE, O_MLM };
    static const struct option opts[] = {
        {"model", 1, 0, O_MODEL}, {"data", 1, 0, O_DATA}, {"task", 1, 0, O_TASK},
        {"max-seq-len", 1, 0, O_LEN}, {"batch-size", 1, 0, O_BATCH}, {"seed", 1, 0, O_SEED},
        {"size", 1, 0, O_SIZE}, {"cased", 0, 0, O_CASED}, {"device", 1, 0, O_DEVICE},
        {"mlm", 0, 0, O_MLM}, {"help", 0, 0, 'h'}, {0, 0, 0, 0}};
    const char *dir = NULL, *data = NULL, *task = NULL, *device = NULL;
    double len = 0, batch = 64, seed = 42, size = 1000;
    int cased = 0, mlm = 0, c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        double *num = c == O_LEN ? &len : c == O_BATCH ? &batch : c == O_SEED ? &seed : c == O_SIZE ? &size : NULL;
        if (num && !cli_number(optarg, num))
            return cli_usage_error("eval", "%s: expected a number, got '%s'", argv[optind - 1], optarg);
        switch (c) {
        case O_MODEL: dir = optarg; break;
        case O_DATA: data = optarg; break;
        case O_TASK: task = optarg; break;
        case O_CASED: cased = 1; break;
        case O_MLM: mlm = 1; break;
        case O_DEVICE: device = optarg; break;
        case 'h': help(); return CLI_OK;
        case O_LEN: case O_BATCH: case O_SEED: case O_SIZE: break;
        default: return cli_usage_error("eval", "unknown option");
        }
    }
    if (optind < argc) return cli_usage_error("eval", "unexpected argument '%s'", argv[optind]);
    if (!dir || !data) return cli_usage_error("eval", "--model and --data are required");
    if ((len != 0 && len < 3) || batch < 1 || size < 1) return cli_usage_error("eval", "sizes must be positive");
    cli_log_init(0);
    if (mlm) return eval_mlm(dir, data, (size_t)len, (size_t)batch, (uint64_t)seed, cased, device);

    cli_model m;
    asacl_dataset *d = NULL;
    asacl_loader *l = NULL;
    asacl_status st = cli_model_open(&m, device, dir, cased);
    if (st == ASACL_OK) cli_clamp_len(&m, &len);
    if (st == ASACL_OK) st = cli_model_data(&m, data, task, (size_t)size, (uint64_t)seed, &d);
    if (st == ASACL_OK && !asacl_dataset_has_labels(d)) {
        fprintf(stderr, "asacl eval: %s has no labels (a GLUE test file?); use asacl predict\n", data);
        st = ASACL_ERR_INVALID_ARG;
    }
    if (st == ASACL_OK) {
        asacl_loader_options lo;
        asacl_loader_options_init(&lo);
        lo.batch_size = (size_t)batch;
        lo.max_seq_len = (size_t)len;
        lo.shuffle = 0;
        st = asacl_loader_create(d, m.tok, &lo, &l);
    }
    asacl_metrics r;
    const asacl_model_config *cfg = m.model ? asacl_model_get_config(m.model) : NULL;
    if (st == ASACL_OK) st = asacl_evaluate(m.model, l, &r, NULL);
    if (st == ASACL_OK) {
        printf("model %s on %s (%zu examples, %s)\n", dir, data, r.n, asacl_ctx_device(m.ctx)->name);
        if (cfg->task == ASACL_TASK_TOKEN)
            printf("token_f1 %.4f (precision %.4f recall %.4f, %s)  entity f1 %.4f (precision %.4f "
                   "recall %.4f)  token accuracy %.4f over %zu labelled tokens\n", r.token_f1,
                   r.token_precision, r.token_recall, r.token_first_class ? "O left out" : "every class",
                   r.entity_f1, r.entity_precision, r.entity_recall, r.accuracy, r.tokens);
        else if (cfg->task == ASACL_TASK_CHOICE)
            printf("accuracy %.4f\n", r.accuracy);
        else if (cfg->num_labels == 1)
            printf("pearson %.4f  spearman %.4f  mse %.4f\n", r.pearson, r.spearman, r.mse);
        else if (cfg->num_labels == 2)
            printf("accuracy %.4f  f1 %.4f  mcc %.4f\n", r.accuracy, r.f1, r.mcc);
        else
            printf("accuracy %.4f\n", r.accuracy);
    }
    asacl_loader_destroy(l);
    asacl_dataset_destroy(d);
    cli_model_close(&m);
    return st == ASACL_OK ? CLI_OK : cli_error(st);
}
