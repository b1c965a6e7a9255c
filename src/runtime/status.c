/* status.c -- status codes, the per-thread last error, logging. */
#include <stdio.h>
#include <string.h>

#include "runtime.h"

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

asacl_status rt_cl_fail(cl_int err, const char *call, const char *fmt, ...)
{
    char what[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    /* Keep only the function name of the call expression. */
    size_t n = strcspn(call, "(");
    asacl_status st = (err == CL_OUT_OF_RESOURCES || err == CL_OUT_OF_HOST_MEMORY ||
                       err == CL_MEM_OBJECT_ALLOCATION_FAILURE)
                          ? ASACL_ERR_OUT_OF_MEMORY
                          : ASACL_ERR_OPENCL;
    return rt_fail(st, "%.*s failed with %s (%d) while %s", (int)n, call,
                   rt_cl_error_name(err), (int)err, what);
}

const char *rt_cl_error_name(cl_int err)
{
    switch (err) {
#define E(x) case x: return #x;
    E(CL_SUCCESS) E(CL_DEVICE_NOT_FOUND) E(CL_DEVICE_NOT_AVAILABLE)
    E(CL_COMPILER_NOT_AVAILABLE) E(CL_MEM_OBJECT_ALLOCATION_FAILURE)
    E(CL_OUT_OF_RESOURCES) E(CL_OUT_OF_HOST_MEMORY) E(CL_PROFILING_INFO_NOT_AVAILABLE)
    E(CL_MEM_COPY_OVERLAP) E(CL_IMAGE_FORMAT_MISMATCH) E(CL_IMAGE_FORMAT_NOT_SUPPORTED)
    E(CL_BUILD_PROGRAM_FAILURE) E(CL_MAP_FAILURE) E(CL_MISALIGNED_SUB_BUFFER_OFFSET)
    E(CL_EXEC_STATUS_ERROR_FOR_EVENTS_IN_WAIT_LIST) E(CL_COMPILE_PROGRAM_FAILURE)
    E(CL_LINKER_NOT_AVAILABLE) E(CL_LINK_PROGRAM_FAILURE) E(CL_DEVICE_PARTITION_FAILED)
    E(CL_KERNEL_ARG_INFO_NOT_AVAILABLE) E(CL_INVALID_VALUE) E(CL_INVALID_DEVICE_TYPE)
    E(CL_INVALID_PLATFORM) E(CL_INVALID_DEVICE) E(CL_INVALID_CONTEXT)
    E(CL_INVALID_QUEUE_PROPERTIES) E(CL_INVALID_COMMAND_QUEUE) E(CL_INVALID_HOST_PTR)
    E(CL_INVALID_MEM_OBJECT) E(CL_INVALID_IMAGE_FORMAT_DESCRIPTOR) E(CL_INVALID_IMAGE_SIZE)
    E(CL_INVALID_SAMPLER) E(CL_INVALID_BINARY) E(CL_INVALID_BUILD_OPTIONS)
    E(CL_INVALID_PROGRAM) E(CL_INVALID_PROGRAM_EXECUTABLE) E(CL_INVALID_KERNEL_NAME)
    E(CL_INVALID_KERNEL_DEFINITION) E(CL_INVALID_KERNEL) E(CL_INVALID_ARG_INDEX)
    E(CL_INVALID_ARG_VALUE) E(CL_INVALID_ARG_SIZE) E(CL_INVALID_KERNEL_ARGS)
    E(CL_INVALID_WORK_DIMENSION) E(CL_INVALID_WORK_GROUP_SIZE) E(CL_INVALID_WORK_ITEM_SIZE)
    E(CL_INVALID_GLOBAL_OFFSET) E(CL_INVALID_EVENT_WAIT_LIST) E(CL_INVALID_EVENT)
    E(CL_INVALID_OPERATION) E(CL_INVALID_GL_OBJECT) E(CL_INVALID_BUFFER_SIZE)
    E(CL_INVALID_MIP_LEVEL) E(CL_INVALID_GLOBAL_WORK_SIZE) E(CL_INVALID_PROPERTY)
    E(CL_INVALID_IMAGE_DESCRIPTOR) E(CL_INVALID_COMPILER_OPTIONS)
    E(CL_INVALID_LINKER_OPTIONS) E(CL_INVALID_DEVICE_PARTITION_COUNT)
#undef E
    case -1001: return "CL_PLATFORM_NOT_FOUND_KHR";
    default: return "CL_UNKNOWN_ERROR";
    }
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
