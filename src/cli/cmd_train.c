/* cmd_train.c -- asacl train: fine-tune a Hugging Face BERT folder on GLUE,
 * CoNLL or multiple-choice files, or (no --train) train a small BERT from
 * scratch on a built-in toy task; ASA by default. Writes metrics.jsonl, the best dev model and a
 * resumable checkpoint into --out. */
#define _GNU_SOURCE
#include <cjson/cJSON.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/progress.h"

#define BUILTIN_TRAIN 4000
#define BUILTIN_DEV 1000

typedef struct settings {
    char model[1024], train[1024], dev[1024], task[32], out[1024], resume[1024];
    int builtin, epochs, batch, max_len, log_every, eval_every, save_every, cased, verbose;
    int grad_accum, time_phases, allreduce_overlap;
    asacl_padding padding;
    long max_steps, train_size, dev_size;
    asacl_train_options o;
    const char *device;
} settings;

static void help(void)
{
    printf(
        "usage: asacl train [options]\n\n"
        "Trains a BERT classifier with Adversarial Self-Attention (ASA). With no\n"
        "--train it trains a small BERT from scratch on the built-in task (no files\n"
        "needed) and reports accuracy on its two dev splits.\n\n"
        "data and model:\n"
        "  --model DIR          Hugging Face BERT folder (config.json, model.safetensors,\n"
        "                       vocab.txt) to fine-tune; needed with --train\n"
        "  --train FILE         training TSV (GLUE format)     --dev FILE  dev TSV\n"
        "  --task NAME          sequence tasks (GLUE TSV): sst2 cola mrpc qnli rte mnli qqp\n"
        "                       stsb tsv (default sst2); token classification (CoNLL files):\n"
        "                       ner pos; multiple choice: swag (CSV) dream (JSON)\n"
        "                       hellaswag (JSONL) choice (asacl's JSONL). Without --train:\n"
        "                       the built-in toy of the task's family (ner, pos: NER toy;\n"
        "                       swag ... choice: 4-choice toy; else the sentence task)\n"
        "  --max-seq-len N      tokens per example, [CLS]/[SEP] included (default 128;\n"
        "                       built-in task 40)\n"
        "  --padding MODE       max_length (default: every batch padded to --max-seq-len,\n"
        "                       as the reference trains) or longest (each batch padded to\n"
        "                       its longest sequence: cheaper, but under ASA a different\n"
        "                       objective -- see README)\n"
        "  --cased              keep case and accents (default: lower-case, uncased vocab)\n"
        "  --train-size N, --dev-size N   built-in task sizes (default %d, %d)\n"
        "training:\n"
        "  --epochs N           passes over the training set (default 3)\n"
        "  --batch-size N       examples per step (default 32): the global batch, cut into\n"
        "                       ranks x --grad-accum equal shards (it must divide)\n"
        "  --grad-accum N       run each batch as N micro-batches on the device, summing\n"
        "                       their gradients: the same objective in less memory (default 1)\n"
        "  --lr X               peak learning rate (default 2e-5; built-in task 1e-3)\n"
        "  --warmup-ratio X     linear warm-up fraction of the steps (default 0.06)\n"
        "  --weight-decay X     AdamW decoupled weight decay (default 0.01)\n"
        "  --max-grad-norm X    clip the gradient norm (default: no clipping)\n"
        "  --seed N             data order, dropout and initialisation (default 42)\n"
        "  --max-steps N        stop after N steps (the schedule still spans all epochs)\n"
        "ASA:\n"
        "  --tau X              kept-unit penalty: larger means fewer masked units (default 0.5)\n"
        "  --no-asa             plain fine-tuning: the same code path minus the adversarial pass\n"
        "  --asa-mask-mode M    replace or additive (default: replace for BERT, additive\n"
        "                       for RoBERTa, as the reference)\n"
        "output:\n"
        "  --out DIR            where metrics.jsonl, best/ and checkpoint/ go (default asacl-out)\n"
        "  --log-every N        log every N steps (default 20)\n"
        "  --eval-every N       evaluate on dev every N steps (default: each epoch end)\n"
        "  --save-every N       write the resumable checkpoint every N steps (default: each epoch end)\n"
        "  --resume DIR         continue from a checkpoint with its settings (only --max-steps,\n"
        "                       --device, --allreduce and -v apply); results match an\n"
        "                       uninterrupted run\n"
        "  --device SPEC        device: flat index, P:D or part of a name; under mpirun a\n"
        "                       comma list, one entry per local rank (also ASACL_DEVICE);\n"
        "                       default there: the Nth device of the first GPU's (else the\n"
        "                       first device's) type for local rank N\n"
        "several devices:       mpirun -np N asacl train ... (README \"Several devices\")\n"
        CLI_ALLREDUCE_HELP
        "  --time-phases        wait for the device after each phase of a step and print\n"
        "                       where the time went (slightly slower; under mpirun it also\n"
        "                       tells waiting for the slowest rank from the all-reduce)\n"
        "  -v, --verbose        log what the runtime does\n"
        "  -h, --help           this help\n",
        BUILTIN_TRAIN, BUILTIN_DEV);
}

static int parse(int argc, char **argv, settings *s)
{
    enum { O_MODEL = 256, O_TRAIN, O_DEV, O_TASK, O_EPOCHS, O_BATCH, O_LR, O_MAXLEN, O_SEED, O_TAU,
           O_NOASA, O_MODE, O_DEVICE, O_OUT, O_LOG, O_EVAL, O_SAVE, O_WARM, O_WD, O_CLIP, O_RESUME,
           O_CASED, O_TSIZE, O_DSIZE, O_MAXSTEPS, O_PADDING, O_ACCUM, O_PHASES, O_ALLREDUCE };
    static const struct option opts[] = {
        {"model", 1, 0, O_MODEL}, {"train", 1, 0, O_TRAIN}, {"dev", 1, 0, O_DEV},
        {"task", 1, 0, O_TASK}, {"epochs", 1, 0, O_EPOCHS}, {"batch-size", 1, 0, O_BATCH},
        {"lr", 1, 0, O_LR}, {"max-seq-len", 1, 0, O_MAXLEN}, {"seed", 1, 0, O_SEED},
        {"tau", 1, 0, O_TAU}, {"no-asa", 0, 0, O_NOASA}, {"asa-mask-mode", 1, 0, O_MODE},
        {"device", 1, 0, O_DEVICE}, {"out", 1, 0, O_OUT}, {"log-every", 1, 0, O_LOG},
        {"eval-every", 1, 0, O_EVAL}, {"save-every", 1, 0, O_SAVE}, {"warmup-ratio", 1, 0, O_WARM},
        {"weight-decay", 1, 0, O_WD}, {"max-grad-norm", 1, 0, O_CLIP}, {"resume", 1, 0, O_RESUME},
        {"cased", 0, 0, O_CASED}, {"train-size", 1, 0, O_TSIZE}, {"dev-size", 1, 0, O_DSIZE},
        {"max-steps", 1, 0, O_MAXSTEPS}, {"padding", 1, 0, O_PADDING}, {"grad-accum", 1, 0, O_ACCUM}, {"time-phases", 0, 0, O_PHASES}, {"allreduce", 1, 0, O_ALLREDUCE}, {"verbose", 0, 0, 'v'}, {"help", 0, 0, 'h'}, {0, 0, 0, 0}};
    int lr_set = 0, len_set = 0, c, rc;
    optind = 1;
    while ((c = getopt_long(argc, argv, "vh", opts, NULL)) != -1) {
        double x = 0;
        switch (c) {
        case O_MODEL: snprintf(s->model, sizeof s->model, "%s", optarg); break;
        case O_TRAIN: snprintf(s->train, sizeof s->train, "%s", optarg); break;
        case O_DEV: snprintf(s->dev, sizeof s->dev, "%s", optarg); break;
        case O_TASK: snprintf(s->task, sizeof s->task, "%s", optarg); break;
        case O_OUT: snprintf(s->out, sizeof s->out, "%s", optarg); break;
        case O_RESUME: snprintf(s->resume, sizeof s->resume, "%s", optarg); break;
        case O_DEVICE: s->device = optarg; break;
        case O_NOASA: s->o.asa = 0; break;
        case O_CASED: s->cased = 1; break;
        case O_PHASES: s->time_phases = 1; break;
        case 'v': s->verbose = 1; break;
        case 'h': help(); return -1;
        case O_PADDING:
            if (asacl_padding_parse(optarg, &s->padding) != ASACL_OK)
                return cli_usage_error("train", "--padding: expected max_length or longest, got '%s'", optarg);
            break;
        case O_ALLREDUCE:
            if ((rc = cli_allreduce_mode("train", optarg, &s->allreduce_overlap))) return rc;
            break;
        case O_MODE:
            if (!strcmp(optarg, "replace")) s->o.additive_masks = 0;
            else if (!strcmp(optarg, "additive")) s->o.additive_masks = 1;
            else return cli_usage_error("train", "--asa-mask-mode: expected replace or additive, got '%s'", optarg);
            break;
        default:
            if (c == '?') return cli_usage_error("train", "unknown option");
            if (!cli_number(optarg, &x))
                return cli_usage_error("train", "%s: expected a number, got '%s'", argv[optind - 1], optarg);
            switch (c) {
            case O_EPOCHS: s->epochs = (int)x; break;
            case O_BATCH: s->batch = (int)x; break;
            case O_LR: s->o.lr = (float)x; lr_set = 1; break;
            case O_MAXLEN: s->max_len = (int)x; len_set = 1; break;
            case O_SEED: s->o.seed = (uint64_t)x; break;
            case O_TAU: s->o.tau = (float)x; break;
            case O_LOG: s->log_every = (int)x; break;
            case O_EVAL: s->eval_every = (int)x; break;
            case O_SAVE: s->save_every = (int)x; break;
            case O_WARM: s->o.warmup_ratio = (float)x; break;
            case O_WD: s->o.weight_decay = (float)x; break;
            case O_CLIP: s->o.max_grad_norm = (float)x; break;
            case O_TSIZE: s->train_size = (long)x; break;
            case O_DSIZE: s->dev_size = (long)x; break;
            case O_MAXSTEPS: s->max_steps = (long)x; break;
            case O_ACCUM: s->grad_accum = (int)x; break;
            }
        }
    }
    if (optind < argc) return cli_usage_error("train", "unexpected argument '%s'", argv[optind]);
    s->builtin = !s->train[0];
    if (s->builtin && (s->model[0] || s->dev[0]))
        return cli_usage_error("train", "--model and --dev need --train (without --train asacl "
                               "trains on its built-in task)");
    if (!s->builtin && !s->model[0])
        return cli_usage_error("train", "--train needs --model DIR (a Hugging Face BERT folder)");
    if (s->builtin && !lr_set) s->o.lr = 1e-3f;
    if (s->builtin && !len_set) s->max_len = 40;
    if (asacl_task_of_name(s->task) < 0)
        return cli_usage_error("train", "--task %s: expected sst2 cola mrpc qnli rte mnli qqp stsb "
                               "tsv ner pos swag dream hellaswag choice", s->task);
    if (s->epochs < 1 || s->batch < 1 || s->max_len < 3 || s->log_every < 1 || s->eval_every < 0 ||
        s->save_every < 0 || s->train_size < 1 || s->dev_size < 1 || s->max_steps < 0)
        return cli_usage_error("train", "epochs, batch size, max-seq-len (>= 3), log-every and sizes "
                               "must be positive");
    if (s->o.tau < 0) return cli_usage_error("train", "--tau must be >= 0");
    if (s->grad_accum < 1) return cli_usage_error("train", "--grad-accum must be >= 1");
    return 0;
}

/* The settings as JSON, kept in checkpoints for --resume. */
static char *settings_json(const settings *s)
{
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "model", s->model);
    cJSON_AddStringToObject(j, "train", s->train);
    cJSON_AddStringToObject(j, "dev", s->dev);
    cJSON_AddStringToObject(j, "task", s->task);
    cJSON_AddStringToObject(j, "out", s->out);
    cJSON_AddNumberToObject(j, "epochs", s->epochs);
    cJSON_AddNumberToObject(j, "batch_size", s->batch);
    cJSON_AddNumberToObject(j, "max_seq_len", s->max_len);
    cJSON_AddNumberToObject(j, "cased", s->cased);
    cJSON_AddNumberToObject(j, "log_every", s->log_every);
    cJSON_AddNumberToObject(j, "eval_every", s->eval_every);
    cJSON_AddNumberToObject(j, "save_every", s->save_every);
    cJSON_AddNumberToObject(j, "train_size", (double)s->train_size);
    cJSON_AddNumberToObject(j, "dev_size", (double)s->dev_size);
    cJSON_AddNumberToObject(j, "max_steps", (double)s->max_steps);
    cJSON_AddStringToObject(j, "padding", asacl_padding_name(s->padding));
    cJSON_AddNumberToObject(j, "grad_accum", s->grad_accum);
    cJSON_AddNumberToObject(j, "ranks", asacl_dist_size(s->o.dist));
    char *text = cJSON_PrintUnformatted(j);
    cJSON_Delete(j);
    return text;
}

static int settings_from_json(settings *s, const char *text)
{
    cJSON *j = cJSON_Parse(text);
    if (!j) return 0;
#define STR(key, field)                                                      \
    do {                                                                     \
        cJSON *v = cJSON_GetObjectItem(j, key);                              \
        if (cJSON_IsString(v)) snprintf(field, sizeof field, "%s", v->valuestring); \
    } while (0)
#define NUM(key, field, type)                                  \
    do {                                                       \
        cJSON *v = cJSON_GetObjectItem(j, key);                \
        if (cJSON_IsNumber(v) && fabs(v->valuedouble) < 1e9)   \
            field = (type)v->valuedouble; /* never out of range */ \
    } while (0)
    STR("model", s->model);
    STR("train", s->train);
    STR("dev", s->dev);
    STR("task", s->task);
    STR("out", s->out);
    NUM("epochs", s->epochs, int);
    NUM("batch_size", s->batch, int);
    NUM("max_seq_len", s->max_len, int);
    NUM("cased", s->cased, int);
    NUM("log_every", s->log_every, int);
    NUM("eval_every", s->eval_every, int);
    NUM("save_every", s->save_every, int);
    NUM("train_size", s->train_size, long);
    NUM("dev_size", s->dev_size, long);
    NUM("max_steps", s->max_steps, long);
    NUM("grad_accum", s->grad_accum, int);
    char padding[32] = "max_length";
    STR("padding", padding);
    if (asacl_padding_parse(padding, &s->padding) != ASACL_OK) {
        cJSON_Delete(j);
        return 0;
    }
#undef STR
#undef NUM
    cJSON_Delete(j);
    s->builtin = !s->train[0];
    return 1;
}

/* The built-in task's model: the named config "tiny" (2 layers, hidden 64,
 * 4 heads, FFN 128), small enough to train in seconds on a CPU. */
static asacl_status builtin_config(asacl_model_config *c, size_t vocab, int max_len, int kind,
                                   const asacl_dataset *train)
{
    TRY_CLI(asacl_config_named("tiny", c, NULL, NULL));
    c->vocab_size = (int)vocab;
    c->max_position_embeddings = max_len > 64 ? max_len : 64;
    c->task = kind;
    c->num_labels = kind == ASACL_TASK_SEQUENCE ? 2 : asacl_dataset_num_labels(train);
    if (kind == ASACL_TASK_SEQUENCE) {
        snprintf(c->id2label[0], sizeof c->id2label[0], "negative");
        snprintf(c->id2label[1], sizeof c->id2label[1], "positive");
    }
    for (int i = 0; kind == ASACL_TASK_TOKEN && i < c->num_labels && i < ASACL_MAX_LABELS; i++)
        snprintf(c->id2label[i], sizeof c->id2label[i], "%s", asacl_dataset_label_name(train, i));
    return ASACL_OK;
}

/* The built-in toy of a task kind (asacl_dataset_builtin_task). */
static const char *toy_name(int kind)
{
    return kind == ASACL_TASK_TOKEN ? "ner" : kind == ASACL_TASK_CHOICE ? "choice" : "sequence";
}

typedef struct run {
    settings s;
    asacl_ctx *ctx;
    asacl_tokenizer *tok;
    asacl_dataset *train, *dev[2];
    asacl_loader *ltrain, *ldev[2];
    const char *dev_name[2];
    int n_dev, num_labels, kind, n_choices;
    asacl_model *model;
    asacl_trainer *trainer;
    char vocab[1200];
    progress bar;
} run;

static asacl_status load_data(run *r)
{
    settings *s = &r->s;
    r->kind = asacl_task_of_name(s->task);
    if (s->builtin) {
        const char *toy = toy_name(r->kind);
        TRY_CLI(asacl_builtin_task_tokenizer(toy, &r->tok));
        TRY_CLI(asacl_dataset_builtin_task(toy, "train", (size_t)s->train_size, s->o.seed, &r->train));
        TRY_CLI(asacl_dataset_builtin_task(toy, "dev", (size_t)s->dev_size, s->o.seed, &r->dev[0]));
        TRY_CLI(asacl_dataset_builtin_task(toy, "dev-shift", (size_t)s->dev_size, s->o.seed, &r->dev[1]));
        r->dev_name[0] = "dev";
        r->dev_name[1] = "dev-shift";
        r->n_dev = 2;
    } else {
        TRY_CLI(asacl_tokenizer_load_folder(s->model, !s->cased, &r->tok, r->vocab, sizeof r->vocab));
        TRY_CLI(asacl_dataset_read(s->train, s->task, NULL, 0, &r->train));
        if (s->dev[0]) {
            const char *names[ASACL_MAX_LABELS];
            int nl = asacl_dataset_num_labels(r->train);
            if (nl > ASACL_MAX_LABELS) {
                fprintf(stderr, "asacl train: %s has %d labels; asacl models take at most %d\n",
                        s->train, nl, ASACL_MAX_LABELS);
                return ASACL_ERR_FORMAT;
            }
            for (int i = 0; i < nl; i++) names[i] = asacl_dataset_label_name(r->train, i);
            TRY_CLI(asacl_dataset_read(s->dev, s->task, nl > 1 ? names : NULL, nl, &r->dev[0]));
            r->dev_name[0] = "dev";
            r->n_dev = 1;
        }
    }
    if (asacl_dataset_size(r->train) == 0 || !asacl_dataset_has_labels(r->train)) {
        fprintf(stderr, "asacl train: %s has no labelled examples\n", s->train);
        return ASACL_ERR_FORMAT;
    }
    r->num_labels = asacl_dataset_num_labels(r->train);
    r->n_choices = asacl_dataset_num_choices(r->train);
    if (r->num_labels > ASACL_MAX_LABELS) {
        fprintf(stderr, "asacl train: %d labels; asacl models take at most %d\n", r->num_labels,
                ASACL_MAX_LABELS);
        return ASACL_ERR_FORMAT;
    }
    for (int d = 0; d < r->n_dev; d++)
        if (asacl_dataset_num_choices(r->dev[d]) != r->n_choices) {
            fprintf(stderr, "asacl train: the training file has %d choices per example, %s %d\n",
                    r->n_choices, s->dev, asacl_dataset_num_choices(r->dev[d]));
            return ASACL_ERR_FORMAT;
        }
    asacl_loader_options lo;
    asacl_loader_options_init(&lo);
    lo.batch_size = (size_t)s->batch;
    lo.max_seq_len = (size_t)s->max_len;
    lo.padding = s->padding;
    lo.seed = s->o.seed;
    TRY_CLI(asacl_loader_create(r->train, r->tok, &lo, &r->ltrain));
    lo.shuffle = 0; /* evaluation pads each batch to its longest sequence, in file order */
    for (int d = 0; d < r->n_dev; d++) TRY_CLI(asacl_loader_create(r->dev[d], r->tok, &lo, &r->ldev[d]));
    return ASACL_OK;
}

static asacl_status make_model(run *r, const char *from)
{
    settings *s = &r->s;
    if (s->builtin && !from) {
        asacl_model_config c;
        TRY_CLI(builtin_config(&c, asacl_tokenizer_vocab_size(r->tok), s->max_len, r->kind, r->train));
        TRY_CLI(asacl_model_create(r->ctx, &c, s->o.asa, s->o.seed, &r->model));
    } else {
        asacl_load_options lo;
        asacl_load_options_init(&lo);
        lo.adversaries = s->o.asa;
        lo.seed = s->o.seed;
        lo.num_labels = r->num_labels;
        lo.task = r->kind; /* a plain BertModel folder gets this task's head, fresh */
        for (int i = 0; r->kind != ASACL_TASK_CHOICE && i < r->num_labels && i < ASACL_MAX_LABELS; i++) {
            const char *name = asacl_dataset_label_name(r->train, i);
            snprintf(lo.id2label[i], sizeof lo.id2label[i], "%s", name ? name : "");
        }
        asacl_load_report rep;
        TRY_CLI(asacl_model_load(r->ctx, from ? from : s->model, &lo, &r->model, &rep));
        if (!from)
            fprintf(stderr, "loaded %s as %s: %u tensors; freshly initialised %u (%s)%s\n", s->model,
                    asacl_task_kind_name(r->kind),
                    rep.loaded, rep.initialised, rep.initialised ? rep.initialised_names : "none",
                    rep.ignored ? "; some tensors of the file were not used" : "");
    }
    const asacl_model_config *c = asacl_model_get_config(r->model);
    if (c->num_labels != r->num_labels) {
        fprintf(stderr, "asacl train: the model has %d labels, the data %d\n", c->num_labels,
                r->num_labels);
        return ASACL_ERR_INVALID_ARG;
    }
    if (s->max_len > c->max_position_embeddings) {
        fprintf(stderr, "asacl train: --max-seq-len %d exceeds the model's max_position_embeddings %d\n",
                s->max_len, c->max_position_embeddings);
        return ASACL_ERR_INVALID_ARG;
    }
    return ASACL_OK;
}

/* What asacl_fit reports: the bar or periodic lines, and evaluations. */
static void on_progress(const asacl_fit_progress *p, void *user)
{
    run *r = user;
    if (p->eval) {
        double v;
        const char *name = asacl_metrics_main(p->eval, r->num_labels, &v);
        progress_note("step %ld: %s %s %.4f", p->step, p->eval_name, name, v);
        return;
    }
    progress_update(&r->bar, p->step, p->mean_loss, p->train_accuracy, p->tokens_per_second);
    if (!p->logged || r->bar.tty) return;
    const asacl_step_stats *ss = p->stats;
    char masked[256] = "";
    int L = asacl_model_get_config(r->model)->num_hidden_layers;
    for (int l = 0; r->s.o.asa && l < L && strlen(masked) < 200; l++)
        snprintf(masked + strlen(masked), sizeof masked - strlen(masked), "%s%.3f",
                 l ? " " : "  masked ", ss->masked_fraction[l]);
    progress_note("step %ld/%ld  loss %.4f (task %.4f vloss %.4f rloss %.1f total %.4f)%s  lr %.3g",
                  p->step, p->total, p->mean_loss, ss->task, ss->vloss, ss->rloss, ss->total,
                  masked, ss->lr);
}

static asacl_status fit(run *r)
{
    settings *s = &r->s;
    asacl_fit_options fo;
    asacl_fit_options_init(&fo);
    fo.epochs = s->epochs;
    fo.max_steps = s->max_steps;
    fo.log_every = s->log_every;
    fo.eval_every = s->eval_every;
    fo.save_every = s->save_every;
    fo.out_dir = s->out;
    fo.vocab = r->vocab;
    fo.resume_dir = s->resume[0] ? s->resume : NULL;
    for (int d = 0; d < r->n_dev; d++) {
        fo.dev[d] = r->ldev[d];
        fo.dev_name[d] = r->dev_name[d];
    }
    fo.n_dev = (size_t)r->n_dev;
    int quiet = asacl_dist_rank(s->o.dist) > 0; /* rank 0 reports and writes */
    fo.progress = quiet ? NULL : on_progress;
    fo.user = r;
    char *json = settings_json(s);
    fo.run = json;
    long total = asacl_loader_batches_per_epoch(r->ltrain) * s->epochs;
    if (!quiet)
        progress_start(&r->bar, s->max_steps > 0 && s->max_steps < total ? s->max_steps : total,
                       s->log_every);
    asacl_fit_result res;
    asacl_trainer_set_timing(r->trainer, s->time_phases);
    asacl_status st = asacl_fit(r->trainer, r->ltrain, &fo, &res);
    if (!quiet) progress_end(&r->bar);
    free(json);
    if (st != ASACL_OK || quiet) return st;
    printf("\nsummary (%s, %s, %s padding, %ld steps, %.1f s, %.0f tokens/s)\n",
           asacl_ctx_device(r->ctx)->name, s->o.asa ? "ASA" : "no ASA",
           asacl_padding_name(s->padding), res.steps, res.seconds,
           res.seconds > 0 ? res.tokens / res.seconds : 0);
    for (int d = 0; d < r->n_dev; d++) {
        double v, b;
        const char *name = asacl_metrics_main(&res.last[d], r->num_labels, &v);
        asacl_metrics_main(&res.at_best[d], r->num_labels, &b);
        printf("  %-10s %s %.4f at the end, %.4f at the best dev step (%ld)\n", r->dev_name[d],
               name, v, b, res.best_step);
        if (res.last[d].task == ASACL_TASK_TOKEN)
            printf("  %-10s entity precision %.4f recall %.4f F1 %.4f at the end; token accuracy "
                   "%.4f over %zu labelled tokens\n", "", res.last[d].entity_precision,
                   res.last[d].entity_recall, res.last[d].entity_f1, res.last[d].accuracy,
                   res.last[d].tokens);
    }
    if (r->n_dev) printf("  best model: %s/best\n", s->out);
    asacl_step_timing tm;
    asacl_trainer_get_timing(r->trainer, &tm);
    if (tm.steps > 0)
        printf("  per step: clean forward %.1f ms, adversarial forward %.1f, losses %.1f, backward "
               "%.1f, optimizer %.1f; waiting for the slowest rank %.1f\n",
               1000 * tm.clean_forward / tm.steps, 1000 * tm.adversarial_forward / tm.steps,
               1000 * tm.losses / tm.steps, 1000 * tm.backward / tm.steps,
               1000 * tm.optimizer / tm.steps, 1000 * tm.allreduce_wait / tm.steps);
    if (tm.allreduce_steps > 0)
        printf("  %d ranks: %.1f ms per step, of which the all-reduce of %zu bytes (gradient "
               "and scalars, through the host) %.2f ms%s\n", asacl_dist_size(s->o.dist),
               1000 * res.seconds / (double)res.steps, tm.allreduce_bytes,
               1000 * tm.allreduce / (double)tm.allreduce_steps,
               s->o.allreduce_overlap ? " after the backward (the rest overlapped with it)" : "");
    return ASACL_OK;
}

static int train(run *r, int argc, char **argv);

static int train_body(void *user, asacl_dist *dist, int argc, char **argv)
{
    run *r = user;
    r->s.o.dist = dist;
    return train(r, argc, argv);
}

int cmd_train(int argc, char **argv)
{
    static run r;
    memset(&r, 0, sizeof r);
    return cli_with_ranks("train", argc, argv, train_body, &r);
}

static int train(run *r, int argc, char **argv)
{
    settings *s = &r->s;
    asacl_dist *dist = s->o.dist;
    int rank = asacl_dist_rank(dist), world = asacl_dist_size(dist);
    asacl_train_options_init(&s->o);
    s->o.dist = dist;
    snprintf(s->task, sizeof s->task, "sst2");
    snprintf(s->out, sizeof s->out, "asacl-out");
    s->epochs = 3;
    s->batch = 32;
    s->max_len = 128;
    s->log_every = 20;
    s->train_size = BUILTIN_TRAIN;
    s->dev_size = BUILTIN_DEV;
    s->padding = ASACL_PADDING_MAX_LENGTH;
    s->grad_accum = 1;
    s->allreduce_overlap = s->o.allreduce_overlap;
    int rc = parse(argc, argv, s);
    if (rc) return rc < 0 ? CLI_OK : rc;
    cli_log_init(s->verbose);

    asacl_status st = ASACL_OK;
    if (s->resume[0]) {
        /* The checkpoint's settings win, except where to stop this time. */
        long max_steps = s->max_steps;
        char *run_json = NULL;
        st = asacl_checkpoint_info(s->resume, &s->o, &run_json);
        s->o.dist = dist;
        if (st != ASACL_OK) return cli_error(st);
        int ok = run_json && settings_from_json(s, run_json);
        free(run_json);
        if (!ok) {
            fprintf(stderr, "asacl train: %s was not written by asacl train (no settings)\n", s->resume);
            return CLI_FAIL;
        }
        s->max_steps = max_steps;
    }
    s->o.padding = s->padding;
    s->o.grad_accum = (size_t)s->grad_accum;
    s->o.allreduce_overlap = s->allreduce_overlap; /* this run's choice, also when resuming */
    int shards = world * s->grad_accum;
    if (s->batch % shards)
        return cli_usage_error("train", "--batch-size %d does not divide into %d ranks x %d "
                               "micro-batches (--grad-accum) = %d equal shards", s->batch, world,
                               s->grad_accum, shards);

    char detail[160];
    snprintf(detail, sizeof detail, "%d examples per step here in %d micro-batch(es), all-reduce %s",
             s->batch / world, s->grad_accum, s->allreduce_overlap ? "overlapped" : "after the backward");
    if (cli_rank_context("train", s->device, dist, detail, &r->ctx) != CLI_OK) return CLI_FAIL;
    if ((st = load_data(r)) == ASACL_OK) {
        if (s->builtin) snprintf(r->vocab, sizeof r->vocab, "%s/vocab.txt", s->out);
        st = asacl_mkdirs(s->out);
        if (st == ASACL_OK && s->builtin && rank == 0) st = asacl_tokenizer_save(r->tok, r->vocab);
    }
    if (st == ASACL_OK) st = make_model(r, s->resume[0] ? s->resume : NULL);
    if (st == ASACL_OK) {
        s->o.total_steps = asacl_loader_batches_per_epoch(r->ltrain) * s->epochs;
        s->o.max_batch = (size_t)s->batch;
        s->o.max_seq_len = (size_t)s->max_len;
        s->o.max_choices = (size_t)r->n_choices;
        st = asacl_trainer_create(r->model, &s->o, &r->trainer);
    }
    if (st == ASACL_OK && rank > 0) {
        st = fit(r);
    } else if (st == ASACL_OK) {
        const asacl_model_config *c = asacl_model_get_config(r->model);
        fprintf(stderr, "%s %s on %s: %zu examples, %d layers, hidden %d, %zu parameters%s; %s, "
                "%s padding\n", s->resume[0] ? "resuming" : "training",
                s->builtin ? (r->kind == ASACL_TASK_SEQUENCE ? "the built-in task" : r->kind == ASACL_TASK_TOKEN
                                  ? "the built-in NER toy" : "the built-in choice toy") : s->task, asacl_ctx_device(r->ctx)->name,
                asacl_loader_size(r->ltrain), c->num_hidden_layers, c->hidden_size,
                asacl_model_param_count(r->model, 0), s->o.asa ? " + adversaries" : "",
                s->o.asa ? "ASA" : "no ASA", asacl_padding_name(s->padding));
        st = fit(r);
    }
    asacl_trainer_destroy(r->trainer);
    asacl_model_destroy(r->model);
    asacl_loader_destroy(r->ltrain);
    for (int d = 0; d < 2; d++) {
        asacl_loader_destroy(r->ldev[d]);
        asacl_dataset_destroy(r->dev[d]);
    }
    asacl_dataset_destroy(r->train);
    asacl_tokenizer_destroy(r->tok);
    asacl_ctx_destroy(r->ctx);
    if (st != ASACL_OK && world > 1) fprintf(stderr, "asacl train: rank %d: ", rank);
    return st == ASACL_OK ? CLI_OK : cli_error(st);
}
