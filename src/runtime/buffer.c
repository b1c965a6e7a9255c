/* buffer.c -- device buffer allocation and host<->device copies (blocking, and
 * one non-blocking download with its event). */
#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "runtime.h"

/* What a buffer's destructor callback needs: the context's counters
 * (shared, reference-counted: a buffer may outlive its context) and its size.
 * The callback must not query the buffer itself: NVIDIA's driver crashes on
 * clGetMemObjectInfo from inside a destructor callback. */
typedef struct buffer_note {
    rt_memstat *stat;
    size_t bytes;
} buffer_note;

void rt_memstat_release(rt_memstat *m)
{
    if (m && --m->refs == 0) free(m);
}

static void CL_CALLBACK buffer_gone(cl_mem mem, void *user)
{
    (void)mem;
    buffer_note *n = user;
    n->stat->live -= (long long)n->bytes;
    rt_memstat_release(n->stat);
    free(n);
}

asacl_status rt_buffer_create(asacl_ctx *ctx, size_t bytes, const char *what, cl_mem *out)
{
    *out = NULL;
    if (bytes == 0) bytes = 4;
    if (ctx->info.max_alloc_bytes && bytes > ctx->info.max_alloc_bytes)
        return rt_fail(ASACL_ERR_TOO_LARGE,
                       "%s needs one buffer of %zu bytes but %s allows at most %llu "
                       "(CL_DEVICE_MAX_MEM_ALLOC_SIZE); use a smaller model or batch",
                       what, bytes, ctx->info.name,
                       (unsigned long long)ctx->info.max_alloc_bytes);
    cl_int err;
    *out = clCreateBuffer(ctx->context, CL_MEM_READ_WRITE, bytes, NULL, &err);
    CL_TRY(err, "allocating %zu bytes for %s", bytes, what);
    /* One fill at creation makes the memory real on drivers that commit it
     * lazily (PoCL, most GPU drivers), so a shortage shows when the buffers
     * are made (rt_memory_commit), never in the middle of training. */
    static const cl_uint zero = 0;
    err = clEnqueueFillBuffer(ctx->queue, *out, &zero, bytes % 4 ? 1 : 4, 0, bytes, 0, NULL, NULL);
    if (err != CL_SUCCESS) rt_buffer_release(out);
    CL_TRY(err, "filling the %zu bytes of %s once", bytes, what);
    buffer_note *n = malloc(sizeof *n);
    if (!n) return ASACL_OK; /* the buffer works; it just goes uncounted */
    n->stat = ctx->mem;
    n->bytes = bytes;
    n->stat->refs++;
    if (clSetMemObjectDestructorCallback(*out, buffer_gone, n) != CL_SUCCESS) {
        rt_memstat_release(n->stat);
        free(n);
        return ASACL_OK;
    }
    long long live = (ctx->mem->live += (long long)bytes);
    for (long long peak = ctx->mem->peak;
         live > peak && !atomic_compare_exchange_weak(&ctx->mem->peak, &peak, live);)
        ;
    return ASACL_OK;
}

void rt_buffer_release(cl_mem *m)
{
    if (*m) clReleaseMemObject(*m);
    *m = NULL;
}

asacl_status rt_upload_bytes(asacl_ctx *ctx, cl_mem m, size_t off, size_t bytes, const void *src)
{
    if (bytes == 0) return ASACL_OK;
    CL_TRY(clEnqueueWriteBuffer(ctx->queue, m, CL_TRUE, off, bytes, src, 0, NULL, NULL),
           "copying %zu bytes to the device", bytes);
    return ASACL_OK;
}

asacl_status rt_download_bytes(asacl_ctx *ctx, cl_mem m, size_t off, size_t bytes, void *dst)
{
    if (bytes == 0) return ASACL_OK;
    CL_TRY(clEnqueueReadBuffer(ctx->queue, m, CL_TRUE, off, bytes, dst, 0, NULL, NULL),
           "copying %zu bytes from the device", bytes);
    return ASACL_OK;
}

asacl_status rt_upload(asacl_ctx *ctx, cl_mem m, size_t off, size_t count, const float *src)
{
    return rt_upload_bytes(ctx, m, off * sizeof(float), count * sizeof(float), src);
}

asacl_status rt_download(asacl_ctx *ctx, cl_mem m, size_t off, size_t count, float *dst)
{
    return rt_download_bytes(ctx, m, off * sizeof(float), count * sizeof(float), dst);
}

asacl_status rt_download_async(asacl_ctx *ctx, cl_mem m, size_t off, size_t count, float *dst,
                               cl_event *done)
{
    *done = NULL;
    CL_TRY(clEnqueueReadBuffer(ctx->queue, m, CL_FALSE, off * sizeof(float), count * sizeof(float),
                               dst, 0, NULL, done),
           "queueing a copy of %zu floats from the device", count);
    CL_TRY(clFlush(ctx->queue), "submitting a copy of %zu floats from the device", count);
    return ASACL_OK;
}

asacl_status rt_event_done(cl_event ev, int *done)
{
    cl_int s = CL_COMPLETE;
    *done = 1;
    if (!ev) return ASACL_OK;
    CL_TRY(clGetEventInfo(ev, CL_EVENT_COMMAND_EXECUTION_STATUS, sizeof s, &s, NULL),
           "asking whether a device command is done");
    if (s < 0) return rt_cl_fail(s, "clGetEventInfo", "a device command that failed");
    *done = s == CL_COMPLETE;
    return ASACL_OK;
}

asacl_status rt_event_wait(cl_event ev)
{
    if (ev) CL_TRY(clWaitForEvents(1, &ev), "waiting for a device command");
    return ASACL_OK;
}

void rt_event_release(cl_event *ev)
{
    if (*ev) clReleaseEvent(*ev);
    *ev = NULL;
}

asacl_status rt_scratch(asacl_ctx *ctx, size_t n, cl_mem *out)
{
    if (n > ctx->scratch_floats) {
        rt_buffer_release(&ctx->scratch);
        ctx->scratch_floats = 0;
        TRY(rt_buffer_create(ctx, n * sizeof(float), "scratch for partial sums", &ctx->scratch));
        ctx->scratch_floats = n;
    }
    *out = ctx->scratch;
    return ASACL_OK;
}

/* ---- the device-memory budget ------------------------------------------------ */

#define MIB(b) ((double)(b) / 1048576.0)

asacl_status rt_device_memory(const asacl_ctx *ctx, uint64_t *bytes, const char **source)
{
    *bytes = ctx->info.global_mem_bytes;
    *source = "CL_DEVICE_GLOBAL_MEM_SIZE";
    const char *env = getenv("ASACL_DEVICE_MEMORY");
    if (!env || !*env) return ASACL_OK;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(env, &end, 10);
    int shift = *end == 'K' ? 10 : *end == 'M' ? 20 : *end == 'G' ? 30 : 0;
    if (shift) end++;
    if (errno || end == env || *end || *env == '-' || v == 0 || v > (UINT64_MAX >> shift))
        return rt_fail(ASACL_ERR_INVALID_ARG,
                       "ASACL_DEVICE_MEMORY=%s: expected a number of bytes, optionally with "
                       "K, M or G (1G = 2^30 bytes)", env);
    v <<= shift;
    if (!*bytes || v < *bytes) {
        *bytes = v;
        *source = "ASACL_DEVICE_MEMORY";
    }
    return ASACL_OK;
}

asacl_status rt_memory_commit(asacl_ctx *ctx, const char *what)
{
    uint64_t have;
    const char *source;
    TRY(rt_device_memory(ctx, &have, &source));
    long long need = ctx->mem->live;
    if (have && need > 0 && (uint64_t)need > have)
        return rt_fail(ASACL_ERR_OUT_OF_MEMORY,
                       "%s needs %.1f MiB of device memory, but %s allows %.1f MiB (%s); "
                       "use a smaller batch, sequence length or model",
                       what, MIB(need), ctx->info.name, MIB(have), source);
    cl_int err = clFinish(ctx->queue);
    if (err != CL_SUCCESS)
        return rt_fail(ASACL_ERR_OUT_OF_MEMORY,
                       "%s: %s could not provide the %.1f MiB of device memory it needs (%s "
                       "while filling its buffers once; the device allows %.1f MiB by %s); "
                       "use a smaller batch, sequence length or model",
                       what, ctx->info.name, MIB(need), rt_cl_error_name(err), MIB(have), source);
    return ASACL_OK;
}
