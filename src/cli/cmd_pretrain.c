/* cmd_pretrain.c -- asacl pretrain: masked-language-model pre-training
 * (asa-spec 11) of a BERT from scratch (--config, --vocab) or continued from
 * a model folder (--model), on plain-text files streamed from disk; ASA by
 * default. Writes metrics.jsonl, best/ (lowest held-out MLM loss) and a
 * resumable checkpoint/ into --out, each a BertForMaskedLM folder. */
#define _GNU_SOURCE
#include <cjson/cJSON.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/progress.h"

#define MAX_FILES 64

typedef struct settings {
    char config[1024], vocab[1024], model[1024], out[1024], resume[1024];
    char text[MAX_FILES][1024], valid[MAX_FILES][1024];
    int n_text, n_valid, batch, max_len, log_every, eval_every, save_every, cased, verbose;
    int allreduce_overlap;
    long steps, max_steps, valid_batches;
    double valid_fraction;
    asacl_train_options o;
    const char *device;
} settings;

static void help(void)
{
    printf(
        "usage: asacl pretrain --text FILE... (--config NAME --vocab FILE | --model DIR) [options]\n\n"
        "Pre-trains a BERT by masked-language modelling (BERT's 15%% of the real tokens,\n"
        "80/10/10 [MASK]/random/unchanged, drawn from the seed and step) with Adversarial\n"
        "Self-Attention: both passes of a step see the same masked input. Text files hold\n"
        "one sentence or paragraph per line, blank lines between documents; they are\n"
        "streamed, never loaded whole, and packed into sequences of --max-seq-len tokens\n"
        "within documents.\n\n"
        "model:\n"
        "  --config NAME|FILE   from scratch: a named size (%s) or a config.json\n"
        "  --vocab FILE         from scratch: the WordPiece vocab.txt (needs [MASK])\n"
        "  --model DIR          continue from a BERT folder (its vocab.txt; a plain BertModel\n"
        "                       folder gets a fresh MLM head)\n"
        "  --cased              keep case and accents (default: lower-case)\n"
        "data:\n"
        "  --text FILE          training text (repeat for several files, up to %d)\n"
        "  --valid FILE         held-out text (repeatable); default: --valid-fraction of the\n"
        "                       training documents, left out of training\n"
        "  --valid-fraction X   share of documents held out without --valid (default 0.01)\n"
        "  --valid-batches N    batches per evaluation (default: all the held-out text)\n"
        "  --max-seq-len N      tokens per sequence, [CLS]/[SEP] included (default 128)\n"
        "training:\n"
        "  --steps N            updates, the schedule's length (default 1000)\n"
        "  --max-steps N        stop after N updates (the schedule still spans --steps)\n"
        "  --batch-size N       sequences per step (default 32)\n"
        "  --grad-accum N       run each step's batch as N micro-batches (the same objective:\n"
        "                       the MLM mean over the whole step's positions; less memory)\n"
        "  --lr X               peak learning rate (default 1e-4)\n"
        "  --warmup-ratio X     linear warm-up fraction of the steps (default 0.06)\n"
        "  --weight-decay X     AdamW decoupled weight decay (default 0.01)\n"
        "  --max-grad-norm X    clip the gradient norm (default: no clipping)\n"
        "  --seed N             initialisation, masking, dropout and the held-out split (42)\n"
        "ASA:\n"
        "  --tau X              kept-unit penalty (default 0.5)\n"
        "  --no-asa             plain masked-LM pre-training (no adversarial pass)\n"
        "output:\n"
        "  --out DIR            metrics.jsonl, best/, checkpoint/ (default asacl-pretrain)\n"
        "  --log-every N        a metrics line every N steps (default 20)\n"
        "  --eval-every N       held-out MLM loss every N steps (default: at the end)\n"
        "  --save-every N       resumable checkpoint every N steps (default: at the end)\n"
        "  --resume DIR         continue from a checkpoint with its settings (only --max-steps,\n"
        "                       --device, --allreduce and -v apply); results match an\n"
        "                       uninterrupted run\n"
        "  --device SPEC        device: flat index, P:D or part of a name\n"
        "several devices:       mpirun -np N asacl pretrain ... (README \"Several devices\")\n"
        CLI_ALLREDUCE_HELP
        "  -v, --verbose        log what the runtime does\n"
        "  -h, --help           this help\n",
        asacl_config_names(), MAX_FILES);
}

static int positive(const char *opt, const char *arg, double lo, double hi, double *out)
{
    if (!cli_number(arg, out) || !(*out >= lo && *out <= hi))
        return cli_usage_error("pretrain", "%s: expected a number in [%g, %g], got '%s'", opt, lo, hi,
                               arg);
    return 0;
}

static int parse(int argc, char **argv, settings *s)
{
    enum { O_CONFIG = 256, O_VOCAB, O_MODEL, O_TEXT, O_VALID, O_VFRAC, O_VBATCH, O_LEN, O_STEPS,
           O_MAXSTEPS, O_BATCH, O_LR, O_WARM, O_WD, O_CLIP, O_SEED, O_TAU, O_NOASA, O_OUT, O_LOG,
           O_EVAL, O_SAVE, O_RESUME, O_DEVICE, O_CASED, O_ACCUM, O_ALLREDUCE };
    static const struct option opts[] = {
        {"config", 1, 0, O_CONFIG}, {"vocab", 1, 0, O_VOCAB}, {"model", 1, 0, O_MODEL},
        {"text", 1, 0, O_TEXT}, {"valid", 1, 0, O_VALID}, {"valid-fraction", 1, 0, O_VFRAC},
        {"valid-batches", 1, 0, O_VBATCH}, {"max-seq-len", 1, 0, O_LEN}, {"steps", 1, 0, O_STEPS},
        {"max-steps", 1, 0, O_MAXSTEPS}, {"batch-size", 1, 0, O_BATCH}, {"lr", 1, 0, O_LR},
        {"warmup-ratio", 1, 0, O_WARM}, {"weight-decay", 1, 0, O_WD}, {"max-grad-norm", 1, 0, O_CLIP},
        {"seed", 1, 0, O_SEED}, {"tau", 1, 0, O_TAU}, {"no-asa", 0, 0, O_NOASA}, {"out", 1, 0, O_OUT},
        {"log-every", 1, 0, O_LOG}, {"eval-every", 1, 0, O_EVAL}, {"save-every", 1, 0, O_SAVE},
        {"resume", 1, 0, O_RESUME}, {"device", 1, 0, O_DEVICE}, {"cased", 0, 0, O_CASED},
        {"grad-accum", 1, 0, O_ACCUM}, {"allreduce", 1, 0, O_ALLREDUCE},
        {"verbose", 0, 0, 'v'}, {"help", 0, 0, 'h'}, {0, 0, 0, 0}};
    int c, rc;
    optind = 1;
    while ((c = getopt_long(argc, argv, "vh", opts, NULL)) != -1) {
        double x = 0;
        switch (c) {
        case O_CONFIG: snprintf(s->config, sizeof s->config, "%s", optarg); break;
        case O_VOCAB: snprintf(s->vocab, sizeof s->vocab, "%s", optarg); break;
        case O_MODEL: snprintf(s->model, sizeof s->model, "%s", optarg); break;
        case O_OUT: snprintf(s->out, sizeof s->out, "%s", optarg); break;
        case O_RESUME: snprintf(s->resume, sizeof s->resume, "%s", optarg); break;
        case O_TEXT:
        case O_VALID: {
            int *n = c == O_TEXT ? &s->n_text : &s->n_valid;
            if (*n == MAX_FILES) return cli_usage_error("pretrain", "more than %d text files", MAX_FILES);
            snprintf(c == O_TEXT ? s->text[*n] : s->valid[*n], sizeof s->text[0], "%s", optarg);
            (*n)++;
            break;
        }
        case O_DEVICE: s->device = optarg; break;
        case O_NOASA: s->o.asa = 0; break;
        case O_CASED: s->cased = 1; break;
        case O_ALLREDUCE:
            if ((rc = cli_allreduce_mode("pretrain", optarg, &s->allreduce_overlap))) return rc;
            break;
        case 'v': s->verbose = 1; break;
        case 'h': help(); return -1;
        case '?': return cli_usage_error("pretrain", "unknown option");
        default:
            if (c == O_VFRAC && (rc = positive("--valid-fraction", optarg, 1e-9, 0.999999, &x))) return rc;
            if (c == O_LR && (rc = positive("--lr", optarg, 0, 10, &x))) return rc;
            if (c == O_WARM && (rc = positive("--warmup-ratio", optarg, 0, 1, &x))) return rc;
            if (c == O_WD && (rc = positive("--weight-decay", optarg, 0, 10, &x))) return rc;
            if (c == O_CLIP && (rc = positive("--max-grad-norm", optarg, 0, 1e9, &x))) return rc;
            if (c == O_TAU && (rc = positive("--tau", optarg, 0, 1e6, &x))) return rc;
            if (c == O_SEED && (rc = positive("--seed", optarg, 0, 1.8e19, &x))) return rc;
            if ((c == O_VBATCH || c == O_MAXSTEPS) && (rc = positive(c == O_VBATCH ? "--valid-batches" : "--max-steps", optarg, 0, 1e12, &x))) return rc;
            if ((c == O_LEN || c == O_STEPS || c == O_BATCH || c == O_LOG || c == O_EVAL || c == O_SAVE ||
                 c == O_ACCUM) &&
                (rc = positive("a count option", optarg, c == O_EVAL || c == O_SAVE ? 0 : 1, 1e9, &x)))
                return rc;
            switch (c) {
            case O_VFRAC: s->valid_fraction = x; break;
            case O_VBATCH: s->valid_batches = (long)x; break;
            case O_LEN: s->max_len = (int)x; break;
            case O_STEPS: s->steps = (long)x; break;
            case O_MAXSTEPS: s->max_steps = (long)x; break;
            case O_BATCH: s->batch = (int)x; break;
            case O_LR: s->o.lr = (float)x; break;
            case O_WARM: s->o.warmup_ratio = (float)x; break;
            case O_WD: s->o.weight_decay = (float)x; break;
            case O_CLIP: s->o.max_grad_norm = (float)x; break;
            case O_SEED: s->o.seed = (uint64_t)x; break;
            case O_TAU: s->o.tau = (float)x; break;
            case O_LOG: s->log_every = (int)x; break;
            case O_EVAL: s->eval_every = (int)x; break;
            case O_SAVE: s->save_every = (int)x; break;
            case O_ACCUM: s->o.grad_accum = (size_t)x; break;
            default: return cli_usage_error("pretrain", "unknown option");
            }
        }
    }
    if (optind < argc) return cli_usage_error("pretrain", "unexpected argument '%s'", argv[optind]);
    if (s->resume[0]) return 0;
    if (!s->n_text) return cli_usage_error("pretrain", "--text FILE is required");
    if (!s->model[0] && (!s->config[0] || !s->vocab[0]))
        return cli_usage_error("pretrain", "give --model DIR, or --config and --vocab to start from scratch");
    if (s->model[0] && (s->config[0] || s->vocab[0]))
        return cli_usage_error("pretrain", "--model takes its config and vocabulary from the folder");
    return 0;
}

/* The settings a checkpoint keeps (asacl_pretrain adds the corpus position). */
static char *settings_json(const settings *s)
{
    cJSON *j = cJSON_CreateObject(), *t = cJSON_AddArrayToObject(j, "text"),
          *v = cJSON_AddArrayToObject(j, "valid");
    for (int i = 0; i < s->n_text; i++) cJSON_AddItemToArray(t, cJSON_CreateString(s->text[i]));
    for (int i = 0; i < s->n_valid; i++) cJSON_AddItemToArray(v, cJSON_CreateString(s->valid[i]));
    cJSON_AddNumberToObject(j, "valid_fraction", s->valid_fraction);
    cJSON_AddNumberToObject(j, "valid_batches", (double)s->valid_batches);
    cJSON_AddNumberToObject(j, "log_every", s->log_every);
    cJSON_AddNumberToObject(j, "eval_every", s->eval_every);
    cJSON_AddNumberToObject(j, "save_every", s->save_every);
    cJSON_AddNumberToObject(j, "cased", s->cased);
    cJSON_AddStringToObject(j, "out", s->out);
    char *text = cJSON_PrintUnformatted(j);
    cJSON_Delete(j);
    return text;
}

static int num(const cJSON *j, const char *k, double *out)
{
    const cJSON *x = cJSON_GetObjectItemCaseSensitive(j, k);
    if (!cJSON_IsNumber(x)) return 0;
    *out = x->valuedouble;
    return 1;
}

static int files(const cJSON *j, const char *k, char dst[][1024], int *n)
{
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(j, k), *e;
    if (!cJSON_IsArray(a)) return 0;
    *n = 0;
    cJSON_ArrayForEach(e, a)
    {
        if (!cJSON_IsString(e) || *n == MAX_FILES) return 0;
        snprintf(dst[(*n)++], 1024, "%s", e->valuestring);
    }
    return 1;
}

static int settings_from_json(settings *s, const char *text)
{
    cJSON *j = cJSON_Parse(text);
    double f, vb, le, ee, se, cs;
    int ok = j && files(j, "text", s->text, &s->n_text) && files(j, "valid", s->valid, &s->n_valid) &&
             num(j, "valid_fraction", &f) && num(j, "valid_batches", &vb) && num(j, "log_every", &le) &&
             num(j, "eval_every", &ee) && num(j, "save_every", &se) && num(j, "cased", &cs);
    if (ok) {
        s->valid_fraction = f;
        s->valid_batches = (long)vb;
        s->log_every = (int)le;
        s->eval_every = (int)ee;
        s->save_every = (int)se;
        s->cased = (int)cs;
        /* a resumed run goes on writing where it wrote (as asacl train's) */
        const cJSON *o = cJSON_GetObjectItemCaseSensitive(j, "out");
        if (cJSON_IsString(o)) snprintf(s->out, sizeof s->out, "%s", o->valuestring);
    }
    cJSON_Delete(j);
    return ok;
}

typedef struct run {
    settings s;
    asacl_ctx *ctx;
    asacl_tokenizer *tok;
    asacl_model *model;
    asacl_trainer *trainer;
    char vocab[4096];
    progress bar;
} run;

static void on_progress(const asacl_pretrain_progress *p, void *user)
{
    run *r = user;
    if (p->eval) {
        progress_note("step %ld: held-out MLM loss %.4f, accuracy %.4f, pseudo-perplexity %.2f "
                      "(%zu positions)%s", p->step, p->eval->loss, p->eval->accuracy,
                      p->eval->pseudo_perplexity, p->eval->positions, p->improved ? "  [best]" : "");
        return;
    }
    progress_update(&r->bar, p->step, p->mean_loss, p->mean_accuracy, p->tokens_per_second);
    const asacl_step_stats *s = p->stats;
    progress_note("step %ld/%ld  loss %.4f (mlm %.4f vloss %.4f rloss %.1f)  mlm accuracy %.4f  "
                  "lr %.3g  %.0f tokens/s", p->step, p->total, p->mean_loss, s->task, s->vloss,
                  s->rloss, p->mean_accuracy, s->lr, p->tokens_per_second);
}

static asacl_status make_model(run *r)
{
    settings *s = &r->s;
    const char *from = s->resume[0] ? s->resume : s->model[0] ? s->model : NULL;
    if (from) {
        TRY_CLI(asacl_tokenizer_load_folder(from, !s->cased, &r->tok, r->vocab, sizeof r->vocab));
        asacl_load_options lo;
        asacl_load_options_init(&lo);
        lo.adversaries = s->o.asa;
        lo.seed = s->o.seed;
        lo.task = ASACL_TASK_MLM; /* a BertModel folder gets a fresh MLM head */
        asacl_load_report rep;
        TRY_CLI(asacl_model_load(r->ctx, from, &lo, &r->model, &rep));
        if (!s->resume[0])
            fprintf(stderr, "loaded %s for masked-LM pre-training: %u tensors; freshly initialised "
                    "%u (%s)\n", from, rep.loaded, rep.initialised,
                    rep.initialised ? rep.initialised_names : "none");
        return ASACL_OK;
    }
    snprintf(r->vocab, sizeof r->vocab, "%s", s->vocab);
    TRY_CLI(asacl_tokenizer_load(s->vocab, !s->cased, &r->tok));
    asacl_model_config c;
    TRY_CLI(asacl_config_named(s->config, &c, NULL, NULL));
    c.vocab_size = (int)asacl_tokenizer_vocab_size(r->tok);
    c.task = ASACL_TASK_MLM;
    if (c.max_position_embeddings < s->max_len) c.max_position_embeddings = s->max_len;
    return asacl_model_create(r->ctx, &c, s->o.asa, s->o.seed, &r->model);
}

static int pretrain(run *r, asacl_dist *dist, int argc, char **argv);

static int pretrain_body(void *user, asacl_dist *dist, int argc, char **argv)
{
    return pretrain(user, dist, argc, argv);
}

/* Under mpirun: one process per device, rank 0 writing (see asacl train). */
int cmd_pretrain(int argc, char **argv)
{
    static run rr;
    memset(&rr, 0, sizeof rr);
    return cli_with_ranks("pretrain", argc, argv, pretrain_body, &rr);
}

static int pretrain(run *r, asacl_dist *dist, int argc, char **argv)
{
    settings *s = &r->s;
    int rank = asacl_dist_rank(dist), world = asacl_dist_size(dist);
    asacl_train_options_init(&s->o);
    s->o.lr = 1e-4f;
    snprintf(s->out, sizeof s->out, "asacl-pretrain");
    s->batch = 32;
    s->max_len = 128;
    s->steps = 1000;
    s->log_every = 20;
    s->valid_fraction = 0.01;
    s->allreduce_overlap = s->o.allreduce_overlap;
    int rc = parse(argc, argv, s);
    if (rc) return rc < 0 ? CLI_OK : rc;
    cli_log_init(s->verbose);
    asacl_status st = ASACL_OK;
    if (s->resume[0]) { /* the checkpoint's settings, except where to stop */
        long max_steps = s->max_steps;
        char *run_json = NULL;
        if ((st = asacl_checkpoint_info(s->resume, &s->o, &run_json)) != ASACL_OK) return cli_error(st);
        int ok = run_json && settings_from_json(s, run_json);
        free(run_json);
        if (!ok) {
            fprintf(stderr, "asacl pretrain: %s was not written by asacl pretrain (no settings)\n",
                    s->resume);
            return CLI_FAIL;
        }
        s->max_steps = max_steps;
    } else {
        s->o.total_steps = s->steps;
        s->o.max_batch = (size_t)s->batch;
        s->o.max_seq_len = (size_t)s->max_len;
    }
    s->o.dist = dist;
    s->o.allreduce_overlap = s->allreduce_overlap; /* this run's choice, also when resuming */
    s->max_len = (int)s->o.max_seq_len;
    size_t accum = s->o.grad_accum ? s->o.grad_accum : 1, shards = (size_t)world * accum;
    if (s->o.max_batch % shards)
        return cli_usage_error("pretrain", "--batch-size %zu does not divide into %d ranks x %zu "
                               "micro-batches (--grad-accum) = %zu equal shards", s->o.max_batch,
                               world, accum, shards);
    char detail[160];
    snprintf(detail, sizeof detail, "%zu sequences per step here in %zu micro-batch(es), all-reduce %s",
             s->o.max_batch / (size_t)world, accum, s->allreduce_overlap ? "overlapped" : "after the backward");
    if (cli_rank_context("pretrain", s->device, dist, detail, &r->ctx) != CLI_OK) return CLI_FAIL;
    st = asacl_mkdirs(s->out);
    if (st == ASACL_OK) st = make_model(r);
    if (st == ASACL_OK) st = asacl_trainer_create(r->model, &s->o, &r->trainer);
    char *json = st == ASACL_OK ? settings_json(s) : NULL;
    if (st == ASACL_OK) {
        const asacl_model_config *c = asacl_model_get_config(r->model);
        if (rank == 0)
            fprintf(stderr, "%s masked-LM pre-training on %s: %d layers, hidden %d, vocabulary %d, "
                "%zu parameters%s; %s, %ld steps of %zu x %zu tokens\n",
                s->resume[0] ? "resuming" : "starting", asacl_ctx_device(r->ctx)->name,
                c->num_hidden_layers, c->hidden_size, c->vocab_size,
                asacl_model_param_count(r->model, 0), s->o.asa ? " + adversaries" : "",
                s->o.asa ? "ASA" : "no ASA", s->o.total_steps, s->o.max_batch, s->o.max_seq_len);
        const char *text[MAX_FILES], *valid[MAX_FILES];
        for (int i = 0; i < s->n_text; i++) text[i] = s->text[i];
        for (int i = 0; i < s->n_valid; i++) valid[i] = s->valid[i];
        asacl_pretrain_options po;
        asacl_pretrain_options_init(&po);
        po.text = text;
        po.n_text = (size_t)s->n_text;
        po.valid = valid;
        po.n_valid = (size_t)s->n_valid;
        po.valid_fraction = s->valid_fraction;
        po.valid_batches = (size_t)s->valid_batches;
        po.max_steps = s->max_steps;
        po.log_every = s->log_every;
        po.eval_every = s->eval_every;
        po.save_every = s->save_every;
        po.out_dir = s->out;
        po.vocab = r->vocab;
        po.run = json;
        po.resume_dir = s->resume[0] ? s->resume : NULL;
        po.progress = rank == 0 ? on_progress : NULL; /* rank 0 reports and writes */
        po.user = r;
        long total = s->o.total_steps;
        progress_start(&r->bar, s->max_steps > 0 && s->max_steps < total ? s->max_steps : total,
                       s->log_every);
        st = asacl_pretrain(r->trainer, r->tok, &po);
        progress_end(&r->bar);
        if (st == ASACL_OK && rank == 0) fprintf(stderr, "wrote %s/checkpoint, %s/best, %s/metrics.jsonl\n", s->out, s->out, s->out);
    }
    free(json);
    asacl_trainer_destroy(r->trainer);
    asacl_model_destroy(r->model);
    asacl_tokenizer_destroy(r->tok);
    asacl_ctx_destroy(r->ctx);
    return st == ASACL_OK ? CLI_OK : cli_error(st);
}
