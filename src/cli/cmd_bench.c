/* cmd_bench.c -- asacl bench train: the training step's speed with ASA and
 * without, side by side in one run (steps alternate between the two), and
 * where the time goes. */
#define _GNU_SOURCE
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/bench.h"
#include "cli/cli.h"

static void help(void)
{
    printf("usage: asacl bench train [--config NAME] [--steps N] [options]\n\n"
           "Times training steps of a freshly initialised model on random full-length\n"
           "batches, with ASA and with --no-asa (under the tuned and the untuned\n"
           "profile), alternating them all in one run, and\n"
           "prints ms per step, tokens per second, the ASA / plain ratio, and the\n"
           "split of a step between clean forward, adversarial forward, losses,\n"
           "backward and optimizer (from separate steps that wait for the device\n"
           "after each phase).\n\n"
           "  --config NAME   bench (4 layers, hidden 256, 4 heads, FFN 1024, B 32, T 128;\n"
           "                  the default), tiny (2, 64, 4, 128, B 16, T 32), minilm (6, 384,\n"
           "                  12, 1536, B 32, T 64), base (BERT-base, B 32, T 128),\n"
           "                  roberta-base (RoBERTa-base: base's sizes, vocab 50265, B 32,\n"
           "                  T 128), or a config.json (B 32, T 128)\n"
           "  --batch N, --seq-len N   override B and T (the padded length)\n"
           "  --real-len N    real tokens per sequence (default: T, full-length batches)\n"
           "  --padding MODE  max_length (default: every batch at T) or longest (at the\n"
           "                  longest real length): what `asacl train --padding` picks\n"
           "  --steps N       timed steps per mode (default 5), after --warmup N (default 2)\n"
           "  --baseline P    also run every mode under profile P, alternating with the\n"
           "                  profile asacl picks, and report the speed-up (default\n"
           "                  shipped:default.json, the untuned built-in values; skipped\n"
           "                  when it is the picked profile)\n"
           "  --mlm           also time masked-LM pre-training steps (asacl pretrain's\n"
           "                  step: 15%% of the tokens chosen, BertForMaskedLM's head at\n"
           "                  them) of the same model and shape, with ASA and without,\n"
           "                  alternating with the fine-tuning steps, under the picked\n"
           "                  profile (no baseline); the per-kernel split marks the\n"
           "                  vocabulary-sized products [vocab]\n"
           "  --device SPEC   device: flat index, P:D or part of a name\n"
           "  -h, --help      this help\n");
}

typedef struct mode {
    const char *name;
    const char *group;        /* "chosen", "baseline" or "mlm" */
    asacl_ctx *ctx;           /* its context: the profile it runs under */
    int asa, mlm;
    const asacl_batch *batch; /* what it trains on */
    asacl_model *model;
    asacl_trainer *trainer;
    double seconds;
    long steps;
    asacl_step_timing timing;
    uint64_t memory;          /* device bytes its model, trainer and buffers hold */
    asacl_launch_stats launches; /* of its timed steps */
} mode;

/* Multiply-adds of one step, times 2: the dense layers, attention's two
 * batched products, and for ASA the adversaries; the backward costs twice
 * the forward, except the adversary's query and key layers, whose input is a
 * constant (asa-spec 4): their backward is the weight gradient alone, while
 * A = AQ AK^T has both input gradients. (Recomputation inside the fused
 * attention backward is not counted: this is the model's work, not the
 * kernels'.) */
static double step_flops(const asacl_model_config *c, size_t B, size_t T, int asa, size_t masked)
{
    double D = c->hidden_size, F = c->intermediate_size, N = (double)(B * T), L = c->num_hidden_layers;
    double layer = 2 * N * (4 * D * D + 2 * D * F) + 2 * 2 * N * (double)T * D;
    double adversary = 2 * (2 * N * 2 * D * D) + 3 * (2 * N * (double)T * D);
    /* the MLM head: dense D x D and the decoder D x V at the chosen positions */
    double head = 2 * (double)masked * (D * D + D * (double)c->vocab_size);
    double pass = L * layer + head;
    return 3 * (asa ? 2 * pass : pass) + (asa ? L * adversary : 0);
}

static int by_time(const void *a, const void *b)
{
    double x = ((const asacl_kernel_time *)a)->seconds, y = ((const asacl_kernel_time *)b)->seconds;
    return (x < y) - (x > y);
}

/* Per-kernel device time of `steps` more steps of one mode. */
static asacl_status kernel_breakdown(asacl_ctx *ctx, mode *m, const asacl_batch *bt, int steps)
{
    asacl_kernel_time k[256];
    size_t n = 0;
    TRY_CLI(asacl_ctx_set_kernel_timing(ctx, 1));
    for (int i = 0; i < steps; i++) TRY_CLI(asacl_trainer_step(m->trainer, bt, NULL));
    TRY_CLI(asacl_ctx_kernel_times(ctx, k, 256, &n));
    TRY_CLI(asacl_ctx_set_kernel_timing(ctx, 0));
    qsort(k, n, sizeof k[0], by_time);
    double total = 0;
    for (size_t i = 0; i < n; i++) total += k[i].seconds;
    printf("\nper-kernel device time, %s (%d steps; ms per step, share, launches per step):\n",
           m->name, steps);
    for (size_t i = 0; i < n && i < 16; i++)
        printf("  %-32s %9.2f  %5.1f%%  %5.0f\n", k[i].name, 1000 * k[i].seconds / steps,
               100 * k[i].seconds / total, (double)k[i].count / steps);
    if (n > 16) printf("  (%zu more)\n", n - 16);
    return ASACL_OK;
}

static int bench_train(int argc, char **argv)
{
    enum { O_CONFIG = 256, O_STEPS, O_WARMUP, O_DEVICE, O_BATCH, O_LEN, O_BASELINE, O_REAL, O_PAD,
           O_MLM };
    static const struct option opts[] = {
        {"config", 1, 0, O_CONFIG}, {"steps", 1, 0, O_STEPS}, {"warmup", 1, 0, O_WARMUP},
        {"device", 1, 0, O_DEVICE}, {"batch", 1, 0, O_BATCH}, {"seq-len", 1, 0, O_LEN},
        {"baseline", 1, 0, O_BASELINE}, {"real-len", 1, 0, O_REAL}, {"padding", 1, 0, O_PAD},
        {"mlm", 0, 0, O_MLM}, {"help", 0, 0, 'h'}, {0, 0, 0, 0}};
    const char *config = "bench", *device = NULL, *baseline = "shipped:default.json";
    double steps = 5, warmup = 2, batch = 0, len = 0, real = 0;
    asacl_padding padding = ASACL_PADDING_MAX_LENGTH;
    int c, mlm = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        double *num = c == O_STEPS ? &steps : c == O_WARMUP ? &warmup : c == O_BATCH ? &batch
                    : c == O_LEN ? &len : c == O_REAL ? &real : NULL;
        if (num && !cli_number(optarg, num))
            return cli_usage_error("bench train", "%s: expected a number, got '%s'", argv[optind - 1], optarg);
        if (c == O_CONFIG) config = optarg;
        else if (c == O_DEVICE) device = optarg;
        else if (c == O_BASELINE) baseline = optarg;
        else if (c == O_MLM) mlm = 1;
        else if (c == O_PAD) {
            if (asacl_padding_parse(optarg, &padding) != ASACL_OK)
                return cli_usage_error("bench train", "--padding: expected max_length or longest");
        } else if (c == 'h') {
            help();
            return CLI_OK;
        } else if (!num) return cli_usage_error("bench train", "unknown option");
    }
    if (optind < argc) return cli_usage_error("bench train", "unexpected argument '%s'", argv[optind]);
    asacl_model_config cfg;
    size_t B, T;
    asacl_status st = asacl_config_named(config, &cfg, &B, &T);
    if (st != ASACL_OK) return cli_error(st);
    if (steps < 1 || warmup < 0) return cli_usage_error("bench train", "--steps must be >= 1");
    if (batch > 0) B = (size_t)batch;
    if (len > 1) T = (size_t)len;
    size_t R = real > 0 ? (size_t)real : T;
    if (R < 2 || R > T) return cli_usage_error("bench train", "--real-len must be in [2, T]");
    cli_log_init(0);

    /* Two contexts on one device: the profile asacl picks (tuned, where a
     * tuned profile matches) and the baseline (untuned defaults). */
    asacl_ctx *ctx[2] = {NULL, NULL};
    asacl_ctx_options co;
    asacl_ctx_options_init(&co);
    co.device = device;
    st = asacl_ctx_create(&co, &ctx[0]);
    if (st != ASACL_OK) return cli_error(st);
    int n_ctx = 1;
    if (!mlm && strcmp(asacl_ctx_profile(ctx[0]), baseline) != 0) {
        co.profile_path = baseline;
        st = asacl_ctx_create(&co, &ctx[1]);
        if (st != ASACL_OK) {
            asacl_ctx_destroy(ctx[0]);
            return cli_error(st);
        }
        n_ctx = 2;
    }
    /* Room for T positions (RoBERTa's start after padding_idx). */
    size_t positions = T + (cfg.model_type == ASACL_MODEL_ROBERTA ? (size_t)cfg.pad_token_id + 1 : 0);
    if ((size_t)cfg.max_position_embeddings < positions) cfg.max_position_embeddings = (int)positions;

    /* One random batch: R real tokens per sequence, padded to T (max_length)
     * or to R (longest). */
    int32_t *ids = malloc(B * T * sizeof *ids), *segs = calloc(B * T, sizeof *segs),
            *lens = malloc(B * sizeof *lens), *labels = malloc(B * sizeof *labels);
    int32_t *mlm_ids = malloc(B * T * sizeof *mlm_ids), *mlm_labels = malloc(B * T * sizeof *mlm_labels);
    if (!ids || !segs || !lens || !labels || !mlm_ids || !mlm_labels) {
        free(ids), free(segs), free(lens), free(labels), free(mlm_ids), free(mlm_labels);
        for (int k = 0; k < n_ctx; k++) asacl_ctx_destroy(ctx[k]);
        fprintf(stderr, "asacl: error: out of host memory for the batch\n");
        return CLI_FAIL;
    }
    uint64_t s = 12345;
    for (size_t i = 0; i < B * T; i++) {
        s = s * 6364136223846793005ull + 1442695040888963407ull;
        ids[i] = 1000 + (int32_t)((s >> 33) % 20000);
    }
    for (size_t b = 0; b < B; b++) {
        lens[b] = (int32_t)R;
        labels[b] = (int32_t)(b % 2);
    }
    size_t Tb = padding == ASACL_PADDING_LONGEST ? R : T;
    for (size_t b = 0; b < B; b++) /* rows of Tb: the first R real, then the pad token */
        for (size_t t = 0; t < Tb; t++) ids[b * Tb + t] = t < R ? ids[b * T + t] : cfg.pad_token_id;
    asacl_batch bt = {B, Tb, ids, segs, lens, labels, NULL, NULL, 0};

    /* Modes: ASA and no ASA under each context, then (--mlm) the masked-LM
     * steps of the same model and shape; the trainer chooses the masked
     * positions itself (no token_labels in the batch). */
    /* The masked-LM batch: the same tokens, round(15%) of each sequence's
     * real ones chosen as asacl pretrain chooses how many (a fixed
     * pseudo-random pick of which, by selection sampling: a step's cost
     * depends on how many, not which), replaced by [MASK] (id 103 in BERT's
     * vocabularies, 50264 in RoBERTa's) and labelled with the original id. */
    int32_t mask_id = cfg.model_type == ASACL_MODEL_ROBERTA ? 50264 : 103;
    if (mask_id >= cfg.vocab_size) mask_id = cfg.vocab_size - 1;
    size_t want = (size_t)nearbyint(0.15 * (double)R);
    if (want < 1) want = 1;
    for (size_t b = 0; b < B; b++)
        for (size_t t = 0, left = want; t < Tb; t++) {
            size_t i = b * Tb + t;
            s = s * 6364136223846793005ull + 1442695040888963407ull;
            int chosen = t < R && (double)(s >> 11) * 0x1p-53 * (double)(R - t) < (double)left;
            left -= (size_t)chosen;
            mlm_ids[i] = chosen ? mask_id : ids[i];
            mlm_labels[i] = chosen ? ids[i] : ASACL_TOKEN_IGNORE;
        }
    asacl_batch mlm_bt = bt;
    mlm_bt.ids = mlm_ids;
    mlm_bt.labels = NULL;
    mlm_bt.token_labels = mlm_labels;

    mode modes[4];
    int n_modes = 2 * n_ctx + (mlm ? 2 : 0);
    memset(modes, 0, sizeof modes);
    asacl_model_config mlm_cfg = cfg;
    mlm_cfg.task = ASACL_TASK_MLM;
    size_t masked = 0; /* positions an MLM step chooses: 15% of the real tokens */
    for (int k = 0; k < n_modes && st == ASACL_OK; k++) {
        mode *m = &modes[k];
        m->mlm = mlm && k >= 2;
        m->ctx = ctx[m->mlm ? 0 : k / 2];
        m->asa = k % 2 == 0;
        m->group = m->mlm ? "mlm" : k < 2 ? "chosen" : "baseline";
        m->name = m->mlm ? (m->asa ? "MLM ASA" : "MLM no ASA") : m->asa ? "ASA" : "no ASA";
        asacl_train_options o;
        asacl_train_options_init(&o);
        o.asa = m->asa;
        o.lr = 1e-5f;
        o.total_steps = 1000000;
        o.max_batch = B;
        o.max_seq_len = T;
        o.padding = padding;
        uint64_t before, after;
        asacl_ctx_memory(m->ctx, &before, NULL);
        st = asacl_model_create(m->ctx, m->mlm ? &mlm_cfg : &cfg, o.asa, 42, &m->model);
        if (st == ASACL_OK) st = asacl_trainer_create(m->model, &o, &m->trainer);
        asacl_step_stats first;
        m->batch = m->mlm ? &mlm_bt : &bt;
        if (st == ASACL_OK) st = asacl_trainer_step(m->trainer, m->batch, &first); /* GEMM scratch too */
        if (st == ASACL_OK && m->mlm) masked = (size_t)first.counted;
        asacl_ctx_memory(m->ctx, &after, NULL);
        m->memory = after - before;
    }
    const asacl_device_info *dev = asacl_ctx_device(ctx[0]);
    if (st == ASACL_OK) {
        printf("device   %s (%s)\n", dev->name, dev->platform_name);
        printf("config   %s: %d layers, hidden %d, %d heads, FFN %d, batch %zu x %zu tokens "
               "(%zu real, %s padding), %zu parameters (+ %zu in adversaries)\n",
               config, cfg.num_hidden_layers, cfg.hidden_size, cfg.num_attention_heads,
               cfg.intermediate_size, B, T, R, asacl_padding_name(padding), asacl_model_param_count(modes[1].model, 0),
               asacl_model_param_count(modes[0].model, 1) - asacl_model_param_count(modes[0].model, 0));
        printf("profile  %s%s%s\n", asacl_ctx_profile(ctx[0]), n_ctx > 1 ? "; baseline " : "",
               n_ctx > 1 ? asacl_ctx_profile(ctx[1]) : "");
        fprintf(stderr, "warming up (%d steps per mode; kernels compile on first use)...\n", (int)warmup);
    }
    for (int w = 0; w < (int)warmup && st == ASACL_OK; w++)
        for (int k = 0; k < n_modes && st == ASACL_OK; k++)
            st = asacl_trainer_step(modes[k].trainer, modes[k].batch, NULL);
    /* Timed steps, alternating the modes; then the same with phase timing. */
    for (int i = 0; i < (int)steps && st == ASACL_OK; i++)
        for (int k = 0; k < n_modes && st == ASACL_OK; k++) {
            asacl_launch_stats l0, l1;
            asacl_ctx_launch_stats(modes[k].ctx, &l0);
            double t0 = asacl_now();
            asacl_step_stats ss;
            st = asacl_trainer_step(modes[k].trainer, modes[k].batch, &ss); /* reads scalars: waits */
            modes[k].seconds += asacl_now() - t0;
            modes[k].steps++;
            asacl_ctx_launch_stats(modes[k].ctx, &l1);
            modes[k].launches.launches += l1.launches - l0.launches;
            modes[k].launches.host_seconds += l1.host_seconds - l0.host_seconds;
        }
    for (int k = 0; k < n_modes && st == ASACL_OK; k++) asacl_trainer_set_timing(modes[k].trainer, 1);
    for (int i = 0; i < (int)steps && st == ASACL_OK; i++)
        for (int k = 0; k < n_modes && st == ASACL_OK; k++)
            st = asacl_trainer_step(modes[k].trainer, modes[k].batch, NULL);
    if (st == ASACL_OK) {
        printf("\n%-8s %-9s %9s %10s %8s %9s   %s\n", "profile", "mode", "ms/step", "tokens/s",
               "GFLOPS", "memory", "per step: clean fwd | adv fwd | losses | backward | optimizer (ms)");
        for (int k = 0; k < n_modes; k++) {
            mode *m = &modes[k];
            asacl_trainer_get_timing(m->trainer, &m->timing);
            double ms = 1000 * m->seconds / (double)m->steps, n = (double)m->timing.steps;
            char mem[32];
            printf("%-8s %-9s %9.1f %10.0f %8.1f %9s   %9.1f | %7.1f | %6.1f | %8.1f | %9.1f\n",
                   m->group, m->name, ms, (double)(B * R) / (ms / 1000),
                   step_flops(&cfg, B, Tb, m->asa, m->mlm ? masked : 0) / (ms * 1e6), cli_bytes(m->memory, mem, sizeof mem),
                   1000 * m->timing.clean_forward / n, 1000 * m->timing.adversarial_forward / n,
                   1000 * m->timing.losses / n, 1000 * m->timing.backward / n,
                   1000 * m->timing.optimizer / n);
        }
        uint64_t peak = 0;
        for (int k = 0; k < n_ctx; k++) {
            uint64_t p;
            asacl_ctx_memory(ctx[k], NULL, &p);
            peak += p;
        }
        char pk[32];
        printf("peak device memory of the run (every mode held at once): %s\n", cli_bytes(peak, pk, sizeof pk));
        printf("kernel launches per step (host time per launch):");
        for (int k = 0; k < n_modes; k++) {
            const mode *m = &modes[k];
            double n = (double)m->launches.launches;
            printf("%s %s%s %.0f (%.1f us)", k ? "," : "", k < 2 || m->mlm ? "" : "baseline ", m->name,
                   n / (double)m->steps, n > 0 ? 1e6 * m->launches.host_seconds / n : 0.0);
        }
        printf("\n");
#define MS(k) (modes[k].seconds / (double)modes[k].steps)
        printf("\nASA / no-ASA step time: %.2f  (%ld timed steps each, alternating)\n", MS(0) / MS(1),
               modes[0].steps);
        if (n_ctx > 1)
            printf("speed-up of the chosen profile over the baseline: ASA %.2fx, no ASA %.2fx\n",
                   MS(2) / MS(0), MS(3) / MS(1));
        if (mlm)
            printf("masked-LM / fine-tuning step time: ASA %.2f, no ASA %.2f (%zu positions "
                   "chosen of %zu tokens; MLM ASA / no ASA %.2f)\n",
                   MS(2) / MS(0), MS(3) / MS(1), masked, B * R, MS(2) / MS(3));
#undef MS
        for (int k = 0; k < n_modes && st == ASACL_OK; k++)
            if (k < 2 || modes[k].mlm)
                st = kernel_breakdown(modes[k].ctx, &modes[k], modes[k].batch, (int)steps < 3 ? (int)steps : 3);
    }
    for (int k = 0; k < n_modes; k++) {
        asacl_trainer_destroy(modes[k].trainer);
        asacl_model_destroy(modes[k].model);
    }
    free(ids);
    free(segs);
    free(lens);
    free(labels);
    free(mlm_ids);
    free(mlm_labels);
    for (int k = 0; k < n_ctx; k++) asacl_ctx_destroy(ctx[k]);
    return st == ASACL_OK ? CLI_OK : cli_error(st);
}

int cmd_bench(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        printf("usage: asacl bench train [options]   training step speed, ASA vs no ASA\n"
               "       asacl bench gemm [options]    our GEMM vs CLBlast vs OpenBLAS per shape\n"
               "       asacl bench <what> --help\n");
        return argc < 2 ? CLI_USAGE : CLI_OK;
    }
    if (!strcmp(argv[1], "train")) return bench_train(argc - 1, argv + 1);
    if (!strcmp(argv[1], "gemm")) return cmd_bench_gemm(argc - 1, argv + 1);
    return cli_usage_error("bench", "unknown benchmark '%s' (train, gemm)", argv[1]);
}
