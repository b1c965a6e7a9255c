/* base.h -- the layer under everything else, with no OpenCL in it: status
 * and the per-thread last error, logging, the clock, files (whole-file
 * reads, atomic writes, folders, the user's XDG folders) and a seeded
 * generator. data/ and io/ need nothing more; runtime/ builds on it. */
#ifndef ASACL_BASE_H
#define ASACL_BASE_H

#include <stddef.h>
#include <stdint.h>

#include "asacl.h"

/* ---- errors (status.c) ---------------------------------------------------- */

/* Records a formatted message as the thread's last error and returns status. */
asacl_status rt_fail(asacl_status status, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Prefixes the thread's last error with more context ("while X: <old>"). */
void rt_error_context(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Propagates a failing asacl_status. */
#define TRY(expr)                                    \
    do {                                             \
        asacl_status try_st_ = (expr);               \
        if (try_st_ != ASACL_OK) return try_st_;     \
    } while (0)

/* ---- logging (status.c) ----------------------------------------------------- */

void rt_log(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ---- host utilities (files.c) ----------------------------------------------- */

double rt_now(void);                          /* monotonic seconds */
int rt_strcasestr(const char *hay, const char *needle); /* case-insensitive substring */
/* Reads a whole file; *data is malloc'd and NUL-terminated. */
asacl_status rt_read_file(const char *path, char **data, size_t *size);
/* Writes a file atomically: temporary file in the same folder, fsync, rename. */
asacl_status rt_write_file_atomic(const char *path, const void *data, size_t size);
/* mkdir -p; returns ASACL_ERR_IO on failure. */
asacl_status rt_mkdirs(const char *path);
/* The user's folder of a kind, with "/asacl" appended and then sub (may be
 * NULL or ""): kind "config" is $XDG_CONFIG_HOME, else ~/.config; "cache"
 * is $XDG_CACHE_HOME, else ~/.cache (the XDG base-directory rules). 0 when
 * neither the variable nor $HOME is set. */
int rt_user_dir(const char *kind, const char *sub, char *out, size_t cap);

/* ---- a seeded generator (files.c) --------------------------------------------- */

/* splitmix64: the next 64 random bits of state *s. */
uint64_t rt_splitmix64(uint64_t *s);

#endif /* ASACL_BASE_H */
