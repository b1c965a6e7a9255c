/* main.c -- asacl <command>: dispatch, help and version. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

typedef struct command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} command;

static const command commands[] = {
    {"train", cmd_train, "train a classifier with ASA (no arguments: the built-in task)"},
    {"pretrain", cmd_pretrain, "masked-language-model pre-training with ASA on plain text"},
    {"eval", cmd_eval, "evaluate a model folder on a labelled TSV file"},
    {"predict", cmd_predict, "print labels and probabilities for sentences"},
    {"explain", cmd_explain, "draw a sentence's attention maps and the adversary's masks"},
    {"plot", cmd_plot, "draw training curves of run folders, overlaid"},
    {"devices", cmd_devices, "list OpenCL devices and the profile each would use"},
    {"kernels", cmd_kernels, "build every kernel program for a device (fills the cache)"},
    {"tune", cmd_tune, "autotune the kernels for a device into a device profile"},
    {"bench", cmd_bench, "benchmarks: bench train, bench gemm"},
};
#define N_COMMANDS (sizeof commands / sizeof commands[0])

static void usage(FILE *f)
{
    fprintf(f,
            "asacl %s -- train BERT encoders with Adversarial Self-Attention on OpenCL\n\n"
            "usage: asacl <command> [options]     (asacl <command> --help for details)\n\n"
            "commands:\n",
            asacl_version_string());
    for (size_t i = 0; i < N_COMMANDS; i++)
        fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(f, "\nenvironment:\n"
               "  ASACL_DEVICE      device: flat index, P:D, or part of its name\n"
               "  ASACL_CACHE_DIR   program binary cache (default $XDG_CACHE_HOME/asacl)\n"
               "  ASACL_CACHE=0     do not use the program binary cache\n"
               "  ASACL_PROFILE     device profile JSON to use instead of the best match\n"
               "  ASACL_LOG         error | warn | info | debug (default warn)\n");
}

int cli_error(asacl_status st)
{
    const char *detail = asacl_last_error();
    fprintf(stderr, "asacl: error: %s%s%s\n", asacl_status_str(st), *detail ? ": " : "",
            detail);
    return CLI_FAIL;
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "asacl %s: ", cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n(see 'asacl %s --help')\n", cmd);
    return CLI_USAGE;
}

int cli_number(const char *s, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || *end || errno) return 0;
    *out = v;
    return 1;
}

static void log_to_stderr(int level, const char *msg, void *user)
{
    (void)user;
    static const char *names[] = {"error", "warning", "info", "debug"};
    fprintf(stderr, "asacl: %s: %s\n", names[level < 0 ? 0 : level > 3 ? 3 : level], msg);
}

void cli_log_init(int verbose)
{
    int level = ASACL_LOG_WARN;
    const char *env = getenv("ASACL_LOG");
    if (env) {
        if (!strcmp(env, "error")) level = ASACL_LOG_ERROR;
        else if (!strcmp(env, "info")) level = ASACL_LOG_INFO;
        else if (!strcmp(env, "debug")) level = ASACL_LOG_DEBUG;
    }
    if (verbose && level < ASACL_LOG_INFO) level = ASACL_LOG_INFO;
    asacl_log_set(log_to_stderr, NULL, level);
}

const char *cli_bytes(unsigned long long n, char *buf, unsigned cap)
{
    static const char *units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    double v = (double)n;
    int u = 0;
    while (v >= 1024 && u < 4) {
        v /= 1024;
        u++;
    }
    snprintf(buf, cap, u ? "%.1f %s" : "%.0f %s", v, units[u]);
    return buf;
}

int main(int argc, char **argv)
{
    if (asacl_version() != ASACL_VERSION_NUM) {
        fprintf(stderr, "asacl: error: header version %d does not match library version %u\n",
                ASACL_VERSION_NUM, asacl_version());
        return CLI_FAIL;
    }
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
        !strcmp(argv[1], "help")) {
        if (argc >= 3 && !strcmp(argv[1], "help")) {
            char *sub[] = {argv[2], "--help", NULL};
            for (size_t i = 0; i < N_COMMANDS; i++)
                if (!strcmp(commands[i].name, argv[2])) return commands[i].run(2, sub);
        }
        usage(stdout);
        return argc < 2 ? CLI_USAGE : CLI_OK;
    }
    if (!strcmp(argv[1], "--version")) {
        printf("asacl %s\n", asacl_version_string());
        return CLI_OK;
    }
    for (size_t i = 0; i < N_COMMANDS; i++)
        if (!strcmp(commands[i].name, argv[1])) return commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "asacl: unknown command '%s'\n\n", argv[1]);
    usage(stderr);
    return CLI_USAGE;
}
