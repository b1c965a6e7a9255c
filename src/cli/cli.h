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

int cmd_devices(int argc, char **argv);
int cmd_kernels(int argc, char **argv);

#endif
