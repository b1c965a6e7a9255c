/* program.c -- building OpenCL programs (through the binary cache) and
 * looking up their kernels. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime.h"

/* Options every program is built with. Never the fast-relaxed-math or
 * finite-math-only options: masks use -10000 and training must see NaN. */
#define BASE_OPTIONS "-cl-std=CL1.2"
#define LOG_HEAD 6000

size_t asacl_program_count(void) { return rt_cl_program_count; }

const char *asacl_program_name(size_t i)
{
    return i < rt_cl_program_count ? rt_cl_programs[i].name : NULL;
}

static asacl_status build_failed(asacl_ctx *ctx, cl_program prog, cl_int err, const char *file,
                                 const char *options)
{
    size_t n = 0;
    char *log = NULL;
    if (clGetProgramBuildInfo(prog, ctx->device, CL_PROGRAM_BUILD_LOG, 0, NULL, &n) ==
            CL_SUCCESS &&
        n > 0) {
        log = calloc(1, n + 1);
        if (log) clGetProgramBuildInfo(prog, ctx->device, CL_PROGRAM_BUILD_LOG, n, log, NULL);
    }
    asacl_status st = rt_fail(ASACL_ERR_BUILD,
                              "building kernel file %s for %s failed with %s (options: %s)\n"
                              "build log:\n%.*s%s",
                              file, ctx->info.name, rt_cl_error_name(err), options, LOG_HEAD,
                              log && *log ? log : "(empty)",
                              log && strlen(log) > LOG_HEAD ? "\n[... log truncated]" : "");
    free(log);
    return st;
}

static asacl_status try_binary(asacl_ctx *ctx, const unsigned char *bin, size_t size,
                               const char *options, cl_program *out)
{
    cl_int err, bin_status = CL_SUCCESS;
    cl_program p = clCreateProgramWithBinary(ctx->context, 1, &ctx->device, &size, &bin,
                                             &bin_status, &err);
    if (err != CL_SUCCESS || bin_status != CL_SUCCESS) {
        if (p) clReleaseProgram(p);
        return ASACL_ERR_BUILD;
    }
    err = clBuildProgram(p, 1, &ctx->device, options, NULL, NULL);
    if (err != CL_SUCCESS) {
        clReleaseProgram(p);
        return ASACL_ERR_BUILD;
    }
    *out = p;
    return ASACL_OK;
}

static asacl_status store_binary(asacl_ctx *ctx, cl_program p, const char *key)
{
    size_t size = 0;
    CL_TRY(clGetProgramInfo(p, CL_PROGRAM_BINARY_SIZES, sizeof size, &size, NULL),
           "reading a program binary's size");
    if (size == 0) return ASACL_OK; /* the driver offers no binary */
    unsigned char *bin = malloc(size);
    if (!bin) return rt_fail(ASACL_ERR_OUT_OF_MEMORY, "reading a program binary");
    cl_int err = clGetProgramInfo(p, CL_PROGRAM_BINARIES, sizeof bin, &bin, NULL);
    asacl_status st = err == CL_SUCCESS ? rt_cache_store(ctx, key, bin, size)
                                        : rt_cl_fail(err, "clGetProgramInfo",
                                                     "reading a program binary");
    free(bin);
    return st;
}

asacl_status rt_program_build(asacl_ctx *ctx, const char *file, const char *source,
                              const char *options, cl_program *program, int *from_cache)
{
    double t0 = rt_now();
    char key[65];
    rt_cache_key(ctx, source, options, key);
    *program = NULL;
    if (from_cache) *from_cache = 0;

    unsigned char *bin = NULL;
    size_t bin_size = 0;
    TRY(rt_cache_load(ctx, key, &bin, &bin_size));
    if (bin) {
        asacl_status st = try_binary(ctx, bin, bin_size, options, program);
        free(bin);
        if (st == ASACL_OK) {
            ctx->stats.cache_hits++;
            ctx->stats.seconds += rt_now() - t0;
            if (from_cache) *from_cache = 1;
            rt_log(ASACL_LOG_DEBUG, "program %s: loaded from cache %s/%s.bin", file,
                   ctx->cache.dir, key);
            return ASACL_OK;
        }
        ctx->stats.cache_rejected++;
        rt_log(ASACL_LOG_WARN, "program %s: cached binary rejected by the driver; rebuilding",
               file);
    }

    cl_int err;
    size_t len = strlen(source);
    cl_program p = clCreateProgramWithSource(ctx->context, 1, &source, &len, &err);
    CL_TRY(err, "creating program %s", file);
    err = clBuildProgram(p, 1, &ctx->device, options, NULL, NULL);
    if (err != CL_SUCCESS) {
        asacl_status st = build_failed(ctx, p, err, file, options);
        clReleaseProgram(p);
        return st;
    }
    ctx->stats.built++;
    rt_log(ASACL_LOG_DEBUG, "program %s: built from source (%.2f s)", file, rt_now() - t0);
    if (ctx->cache.enabled && store_binary(ctx, p, key) != ASACL_OK)
        rt_log(ASACL_LOG_WARN, "program %s: not cached: %s", file, asacl_last_error());
    ctx->stats.seconds += rt_now() - t0;
    *program = p;
    return ASACL_OK;
}

static long find_source(const char *name)
{
    for (size_t i = 0; i < rt_cl_program_count; i++)
        if (!strcmp(rt_cl_programs[i].name, name)) return (long)i;
    return -1;
}

/* The build of `source` with `defines`, made (and built) on first use. */
static asacl_status get_program(asacl_ctx *ctx, size_t source, const char *defines,
                                rt_program **out, int *from_cache)
{
    if (from_cache) *from_cache = -1; /* already built */
    for (size_t i = 0; i < ctx->n_programs; i++)
        if (ctx->programs[i].source == source && !strcmp(ctx->programs[i].defines, defines)) {
            *out = &ctx->programs[i];
            return ASACL_OK;
        }
    if (strlen(defines) >= sizeof ctx->programs[0].defines)
        return rt_fail(ASACL_ERR_INTERNAL, "build defines too long: %s", defines);
    if (ctx->n_programs == ctx->cap_programs) {
        size_t cap = ctx->cap_programs ? 2 * ctx->cap_programs : 32;
        rt_program *p = realloc(ctx->programs, cap * sizeof *p);
        if (!p) return rt_fail(ASACL_ERR_OUT_OF_MEMORY, "growing the program table");
        ctx->programs = p;
        ctx->cap_programs = cap;
    }
    const rt_embedded *src = &rt_cl_programs[source];
    char options[2048] = BASE_OPTIONS;
    rt_profile_options(&ctx->profile, src->name, options, sizeof options);
    if (*defines) {
        size_t n = strlen(options);
        snprintf(options + n, sizeof options - n, " %s", defines);
    }
    rt_program *p = &ctx->programs[ctx->n_programs];
    memset(p, 0, sizeof *p);
    p->source = source;
    snprintf(p->defines, sizeof p->defines, "%s", defines);
    TRY(rt_program_build(ctx, src->path, src->data, options, &p->program, from_cache));
    ctx->n_programs++;
    *out = p;
    return ASACL_OK;
}

asacl_status asacl_ctx_build_program(asacl_ctx *ctx, const char *name, int *from_cache)
{
    if (!ctx || !name) return rt_fail(ASACL_ERR_INVALID_ARG, "asacl_ctx_build_program: NULL argument");
    long i = find_source(name);
    if (i < 0) return rt_fail(ASACL_ERR_INVALID_ARG, "no kernel program named '%s'", name);
    rt_program *p;
    return get_program(ctx, (size_t)i, "", &p, from_cache);
}

asacl_status asacl_ctx_build_all(asacl_ctx *ctx)
{
    if (!ctx) return rt_fail(ASACL_ERR_INVALID_ARG, "asacl_ctx_build_all: NULL context");
    for (size_t i = 0; i < rt_cl_program_count; i++)
        TRY(asacl_ctx_build_program(ctx, rt_cl_programs[i].name, NULL));
    return ASACL_OK;
}

void asacl_ctx_build_stats(const asacl_ctx *ctx, asacl_build_stats *stats)
{
    if (ctx && stats) *stats = ctx->stats;
}

asacl_status rt_kernel_ex(asacl_ctx *ctx, const char *program, const char *defines,
                          const char *kernel, cl_kernel *out)
{
    long i = find_source(program);
    if (i < 0) return rt_fail(ASACL_ERR_INTERNAL, "no kernel program named '%s'", program);
    rt_program *p;
    TRY(get_program(ctx, (size_t)i, defines ? defines : "", &p, NULL));
    for (size_t k = 0; k < p->n_kernels; k++)
        if (!strcmp(p->kernels[k].name, kernel)) {
            *out = p->kernels[k].kernel;
            return ASACL_OK;
        }
    if (p->n_kernels == RT_MAX_KERNELS)
        return rt_fail(ASACL_ERR_INTERNAL, "program %s: more than %d kernels", program,
                       RT_MAX_KERNELS);
    cl_int err;
    cl_kernel k = clCreateKernel(p->program, kernel, &err);
    CL_TRY(err, "creating kernel %s of %s", kernel, rt_cl_programs[i].path);
    snprintf(p->kernels[p->n_kernels].name, sizeof p->kernels[0].name, "%s", kernel);
    p->kernels[p->n_kernels++].kernel = k;
    *out = k;
    return ASACL_OK;
}

asacl_status rt_kernel(asacl_ctx *ctx, const char *program, const char *kernel, cl_kernel *out)
{
    return rt_kernel_ex(ctx, program, "", kernel, out);
}
