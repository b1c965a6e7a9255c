/* status.c -- status codes, the per-thread last error, logging, version. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base/base.h"

#define STR_(x) #x
#define STR(x) STR_(x)

unsigned asacl_version(void) { return ASACL_VERSION_NUM; }

const char *asacl_version_string(void)
{
    return STR(ASACL_VERSION_MAJOR) "." STR(ASACL_VERSION_MINOR) "." STR(ASACL_VERSION_PATCH);
}

const char *asacl_status_str(asacl_status status)
{
    switch (status) {
    case ASACL_OK: return "success";
    case ASACL_ERR_INVALID_ARG: return "invalid argument";
    case ASACL_ERR_OUT_OF_MEMORY: return "out of memory";
    case ASACL_ERR_NO_PLATFORM: return "no OpenCL platform";
    case ASACL_ERR_NO_DEVICE: return "no matching OpenCL device";
    case ASACL_ERR_OPENCL: return "OpenCL error";
    case ASACL_ERR_BUILD: return "kernel build failed";
    case ASACL_ERR_IO: return "input/output error";
    case ASACL_ERR_FORMAT: return "malformed file";
    case ASACL_ERR_PROFILE: return "malformed device profile";
    case ASACL_ERR_UNSUPPORTED: return "unsupported by the device or this build";
    case ASACL_ERR_TOO_LARGE: return "buffer larger than the device allows";
    case ASACL_ERR_NUMERIC: return "non-finite value";
    case ASACL_ERR_INTERNAL: return "internal error";
    }
    return "unknown status";
}

/* ---- last error ------------------------------------------------------------- */

#define ERR_CAP 8192
static _Thread_local char last_error[ERR_CAP];

const char *asacl_last_error(void) { return last_error; }

asacl_status rt_fail(asacl_status status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(last_error, sizeof last_error, fmt, ap);
    va_end(ap);
    rt_log(ASACL_LOG_DEBUG, "error: %s", last_error);
    return status;
}

void rt_error_context(const char *fmt, ...)
{
    char prefix[1024], old[ERR_CAP];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof prefix, fmt, ap);
    va_end(ap);
    memcpy(old, last_error, sizeof old);
    size_t n = strlen(prefix);
    if (n > ERR_CAP / 2) n = ERR_CAP / 2;
    memcpy(last_error, prefix, n);
    memcpy(last_error + n, ": ", 2);
    size_t m = strlen(old);
    if (m > ERR_CAP - n - 3) m = ERR_CAP - n - 3;
    memcpy(last_error + n + 2, old, m);
    last_error[n + 2 + m] = 0;
}

/* ---- logging ------------------------------------------------------------------ */

static asacl_log_fn log_fn;
static void *log_user;
static int log_max = -1;

void asacl_log_set(asacl_log_fn fn, void *user, int max_level)
{
    log_fn = fn;
    log_user = user;
    log_max = fn ? max_level : -1;
}

void rt_log(int level, const char *fmt, ...)
{
    if (!log_fn || level > log_max) return;
    char msg[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    log_fn(level, msg, log_user);
}
