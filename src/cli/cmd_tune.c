/* cmd_tune.c -- asacl tune: per-device autotuning into a device profile. */
#define _GNU_SOURCE
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

static void help(void)
{
    printf("usage: asacl tune [--budget SECONDS] [--config NAME] [options]\n\n"
           "Searches the kernels' tunable parameters (work-group sizes, GEMM tiles) on\n"
           "the selected device at the shapes of a training step, checks every\n"
           "candidate's result against the starting profile's, times it with OpenCL\n"
           "profiling events, and writes a device profile with the best values and\n"
           "every measurement. asacl loads it automatically for this device from then\n"
           "on ('asacl devices' shows which profile applies). A run stopped by its\n"
           "budget resumes where it stopped.\n\n"
           "  --budget S      stop after about S seconds (default: no limit)\n"
           "  --config C      the shapes to tune for -- the best values depend on them:\n"
           "                  bench (4 layers, hidden 256, 4 heads, FFN 1024; the default),\n"
           "                  tiny (2, 64, 4, 128), base (BERT-base), or a config.json\n"
           "  --batch N, --seq-len N   batch shape (default 32 x 128; tiny 16 x 32)\n"
           "  --out FILE      write the profile here instead of\n"
           "                  $XDG_CONFIG_HOME/asacl/devices/<device>.json\n"
           "  --install DIR   write it into a repository's devices/ folder DIR\n"
           "  --reps N        timed repetitions per candidate (default 3)\n"
           "  --device SPEC   device: flat index, P:D or part of a name\n"
           "  -h, --help      this help\n");
}

static void show(const char *line, void *user)
{
    (void)user;
    fprintf(stderr, "%s\n", line);
}

int cmd_tune(int argc, char **argv)
{
    enum { O_BUDGET = 256, O_CONFIG, O_OUT, O_INSTALL, O_REPS, O_DEVICE, O_BATCH, O_LEN };
    static const struct option opts[] = {
        {"budget", 1, 0, O_BUDGET}, {"config", 1, 0, O_CONFIG}, {"out", 1, 0, O_OUT},
        {"install", 1, 0, O_INSTALL}, {"reps", 1, 0, O_REPS}, {"device", 1, 0, O_DEVICE},
        {"batch", 1, 0, O_BATCH}, {"seq-len", 1, 0, O_LEN}, {"help", 0, 0, 'h'}, {0, 0, 0, 0}};
    double batch = 0, len = 0;
    asacl_tune_options o;
    asacl_tune_options_init(&o);
    o.progress = show;
    const char *install = NULL;
    double x;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case O_BUDGET:
        case O_REPS:
        case O_BATCH:
        case O_LEN:
            if (!cli_number(optarg, &x) || x < (c == O_BUDGET ? 0 : 1))
                return cli_usage_error("tune", "%s: expected a number, got '%s'", argv[optind - 1], optarg);
            if (c == O_BUDGET) o.budget_seconds = x;
            else if (c == O_REPS) o.reps = (int)x;
            else if (c == O_BATCH) batch = x;
            else len = x;
            break;
        case O_CONFIG:
        {
            asacl_status st = asacl_config_named(optarg, &o.config, &o.batch, &o.seq_len);
            if (st != ASACL_OK) return cli_error(st);
        }
            break;
        case O_OUT: o.output = optarg; break;
        case O_INSTALL: install = optarg; break;
        case O_DEVICE: o.device = optarg; break;
        case 'h': help(); return CLI_OK;
        default: return cli_usage_error("tune", "unknown option");
        }
    }
    if (optind < argc) return cli_usage_error("tune", "unexpected argument '%s'", argv[optind]);
    if (batch > 0) o.batch = (size_t)batch;
    if (len > 0) o.seq_len = (size_t)len;
    cli_log_init(0);
    o.output_dir = install; /* the repository layout: devices/<device>.json */
    char written[1200];
    asacl_status st = asacl_tune(&o, written, sizeof written);
    if (st != ASACL_OK) return cli_error(st);
    printf("wrote %s\n", written);
    return CLI_OK;
}
