/* cli.h -- helpers shared by the asacl commands. Only the CLI prints and exits. */
#ifndef ASACL_CLI_H
#define ASACL_CLI_H

#include "asacl.h"

/* Exit codes of every command. */
enum { CLI_OK = 0, CLI_FAIL = 1, CLI_USAGE = 2 };

/* Prints "asacl: error: <status>: <detail>" to stderr and returns CLI_FAIL. */
int cli_error(asacl_status st);
/* Prints "asacl <cmd>: <msg>" and a hint to use --help; returns CLI_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Routes library logs to stderr; the level comes from $ASACL_LOG (error, warn,
 * info, debug; default warn) unless verbose raises it to info. */
void cli_log_init(int verbose);
/* Formats a byte count as "1.5 GiB". */
const char *cli_bytes(unsigned long long n, char *buf, unsigned cap);

/* Returns from the calling function when expr fails. */
#define TRY_CLI(expr)                              \
    do {                                           \
        asacl_status try_cli_ = (expr);            \
        if (try_cli_ != ASACL_OK) return try_cli_; \
    } while (0)

/* Parses a whole string as a number; 0 if it is not one. */
int cli_number(const char *s, double *out);

/* Runs body: alone, or under mpirun (or another MPI launcher, told by its
 * environment) as one rank after joining the others; a failing rank says so
 * and stops every rank. Returns body's exit code. */
int cli_with_ranks(const char *cmd, int argc, char **argv,
                   int (*body)(void *user, asacl_dist *dist, int argc, char **argv), void *user);
/* The context of this rank (the process alone: the --device / ASACL_DEVICE
 * choice): entry `local` of a comma list, or by default the local-th device
 * of the first GPU's (else the first device's) type, opened; with several ranks says
 * "rank r of N (local l): <device>, <detail>". CLI_OK, or CLI_FAIL after
 * saying why (naming the rank). */
int cli_rank_context(const char *cmd, const char *device, asacl_dist *dist, const char *detail,
                     asacl_ctx **ctx);

/* --allreduce MODE: overlap (1) or after (0) into *overlap; else a usage
 * error of cmd (returned). */
int cli_allreduce_mode(const char *cmd, const char *mode, int *overlap);
/* The help text of --allreduce, the same for train and pretrain. */
#define CLI_ALLREDUCE_HELP                                                                 \
    "  --allreduce MODE     under mpirun: after (default: the gradient summed over the\n"   \
    "                       ranks after the whole backward pass) or overlap (bucket by\n"   \
    "                       bucket while the backward goes on, the top layers' first);\n"  \
    "                       the same results either way\n"

int cmd_devices(int argc, char **argv);
int cmd_kernels(int argc, char **argv);
int cmd_train(int argc, char **argv);
int cmd_pretrain(int argc, char **argv);
int cmd_eval(int argc, char **argv);
int cmd_predict(int argc, char **argv);
int cmd_bench(int argc, char **argv);
int cmd_tune(int argc, char **argv);
int cmd_explain(int argc, char **argv);
int cmd_plot(int argc, char **argv);

#endif
