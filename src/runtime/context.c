/* context.c -- asacl_ctx: one device, its context and in-order queue, its
 * profile, the cache settings and the programs built so far. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime.h"

void asacl_ctx_options_init(asacl_ctx_options *o)
{
    if (!o) return;
    memset(o, 0, sizeof *o);
    o->cache = -1;
}

static asacl_status open_device(asacl_ctx *ctx, const rt_device_ref *ref)
{
    cl_int err;
    cl_context_properties props[] = {CL_CONTEXT_PLATFORM, (cl_context_properties)ref->platform,
                                     0};
    ctx->platform = ref->platform;
    ctx->device = ref->device;
    ctx->context = clCreateContext(props, 1, &ref->device, NULL, NULL, &err);
    CL_TRY(err, "creating an OpenCL context on %s", ctx->info.name);
    ctx->queue = clCreateCommandQueue(ctx->context, ref->device, CL_QUEUE_PROFILING_ENABLE, &err);
    CL_TRY(err, "creating a command queue on %s", ctx->info.name);
    return ASACL_OK;
}

asacl_status asacl_ctx_create(const asacl_ctx_options *options, asacl_ctx **out)
{
    if (!out) return rt_fail(ASACL_ERR_INVALID_ARG, "asacl_ctx_create: NULL output");
    *out = NULL;
    asacl_ctx_options defaults;
    if (!options) {
        asacl_ctx_options_init(&defaults);
        options = &defaults;
    }
    const char *spec = options->device ? options->device : getenv("ASACL_DEVICE");

    asacl_device_info *list = NULL;
    rt_device_ref *refs = NULL;
    size_t count = 0, index = 0;
    TRY(rt_devices_enumerate(&list, &refs, &count));
    asacl_status st = asacl_device_match(list, count, spec, &index);
    asacl_ctx *ctx = NULL;
    if (st != ASACL_OK) goto fail;

    ctx = calloc(1, sizeof *ctx);
    if (ctx && !(ctx->mem = calloc(1, sizeof *ctx->mem))) {
        free(ctx);
        ctx = NULL;
    }
    if (ctx) ctx->mem->refs = 1;
    if (!ctx) {
        st = rt_fail(ASACL_ERR_OUT_OF_MEMORY, "creating a context");
        goto fail;
    }
    ctx->info = list[index];
    st = rt_profile_find(&ctx->info, options->profile_path, &ctx->profile);
    if (st != ASACL_OK) goto fail;
    snprintf(ctx->info.profile, sizeof ctx->info.profile, "%s", ctx->profile.source);
    rt_cache_configure(&ctx->cache, options);
    st = open_device(ctx, &refs[index]);
    if (st != ASACL_OK) goto fail;
    rt_log(ASACL_LOG_INFO, "device %zu (%u:%u) %s [%s], profile %s, cache %s",
           ctx->info.index, ctx->info.platform_index, ctx->info.device_index, ctx->info.name,
           ctx->info.platform_name, ctx->profile.source,
           ctx->cache.enabled ? ctx->cache.dir : "off");
    free(list);
    free(refs);
    *out = ctx;
    return ASACL_OK;
fail:
    free(list);
    free(refs);
    asacl_ctx_destroy(ctx);
    return st;
}

void asacl_ctx_destroy(asacl_ctx *ctx)
{
    if (!ctx) return;
    if (ctx->queue) clFinish(ctx->queue);
    asacl_ctx_set_kernel_timing(ctx, 0);
    rt_buffer_release(&ctx->scratch);
    if (ctx->gemm_free) ctx->gemm_free(ctx->gemm);
    for (size_t i = 0; i < ctx->n_programs; i++) {
        rt_program *p = &ctx->programs[i];
        for (size_t k = 0; k < p->n_kernels; k++) clReleaseKernel(p->kernels[k].kernel);
        if (p->program) clReleaseProgram(p->program);
    }
    free(ctx->programs);
    if (ctx->queue) clReleaseCommandQueue(ctx->queue);
    if (ctx->context) clReleaseContext(ctx->context);
    rt_memstat_release(ctx->mem);
    free(ctx);
}

const asacl_device_info *asacl_ctx_device(const asacl_ctx *ctx) { return ctx ? &ctx->info : NULL; }

const char *asacl_ctx_profile(const asacl_ctx *ctx) { return ctx ? ctx->profile.source : NULL; }

const char *asacl_ctx_cache_dir(const asacl_ctx *ctx)
{
    return ctx && ctx->cache.enabled ? ctx->cache.dir : NULL;
}

asacl_status asacl_ctx_finish(asacl_ctx *ctx)
{
    if (!ctx) return rt_fail(ASACL_ERR_INVALID_ARG, "asacl_ctx_finish: NULL context");
    CL_TRY(clFinish(ctx->queue), "waiting for the device queue");
    return ASACL_OK;
}
