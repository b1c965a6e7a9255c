/* launch.c -- kernel handles resolved once per context, setting kernel
 * arguments and enqueueing kernels, with a count of launches and their
 * host time. */
#include <stdlib.h>
#include <string.h>

#include "runtime.h"

void rt_args_begin(rt_args *a, cl_kernel kernel)
{
    a->kernel = kernel;
    a->next = 0;
    a->err = CL_SUCCESS;
    a->err_index = 0;
    a->id = -1;
    a->begin = rt_now();
}

static const struct {
    const char *program, *kernel;
} KERNELS[RTK_COUNT] = {
#define RT_KERNEL_ROW(program, kernel) {#program, #kernel},
    RT_KERNEL_LIST(RT_KERNEL_ROW)
#undef RT_KERNEL_ROW
};

const char *rt_kernel_name(rt_kernel_id id)
{
    return id >= 0 && id < RTK_COUNT ? KERNELS[id].kernel : "?";
}

const rt_kslot *rt_slot(const asacl_ctx *ctx, rt_kernel_id id) { return &ctx->kslots[id]; }

long rt_slot_param(asacl_ctx *ctx, rt_kernel_id id, const char *name, long fallback)
{
    rt_kslot *s = &ctx->kslots[id];
    if (!s->param_read) {
        s->param = rt_param(ctx, KERNELS[id].program, name, fallback);
        s->param_read = 1;
    }
    return s->param;
}

static asacl_status resolve(asacl_ctx *ctx, rt_kernel_id id)
{
    rt_kslot *s = &ctx->kslots[id];
    cl_kernel k;
    TRY(rt_kernel(ctx, KERNELS[id].program, KERNELS[id].kernel, &k));
    size_t wg[3] = {0, 0, 0};
    CL_TRY(clGetKernelWorkGroupInfo(k, ctx->device, CL_KERNEL_COMPILE_WORK_GROUP_SIZE, sizeof wg,
                                    wg, NULL),
           "reading the work-group size of kernel %s", KERNELS[id].kernel);
    if (wg[0]) {
        s->local = wg[0];
        s->compiled_local = 1;
    } else {
        long w = rt_param(ctx, KERNELS[id].program, "WGS", 64);
        s->local = w > 0 ? (size_t)w : 64;
        if (s->local > ctx->info.max_work_group_size) s->local = ctx->info.max_work_group_size;
        s->compiled_local = 0;
    }
    s->kernel = k;
    return ASACL_OK;
}

asacl_status rt_begin(asacl_ctx *ctx, rt_args *a, rt_kernel_id id)
{
    double t0 = rt_now();
    if (!ctx->kslots[id].kernel) TRY(resolve(ctx, id));
    rt_args_begin(a, ctx->kslots[id].kernel);
    a->id = (int)id;
    a->begin = t0;
    return ASACL_OK;
}

static void set(rt_args *a, size_t size, const void *value)
{
    cl_int e = clSetKernelArg(a->kernel, a->next, size, value);
    if (e != CL_SUCCESS && a->err == CL_SUCCESS) {
        a->err = e;
        a->err_index = a->next;
    }
    a->next++;
}

void rt_arg_mem(rt_args *a, cl_mem m) { set(a, sizeof m, &m); }
void rt_arg_u64(rt_args *a, cl_ulong v) { set(a, sizeof v, &v); }
void rt_arg_u32(rt_args *a, cl_uint v) { set(a, sizeof v, &v); }
void rt_arg_i32(rt_args *a, cl_int v) { set(a, sizeof v, &v); }
void rt_arg_i64(rt_args *a, cl_long v) { set(a, sizeof v, &v); }
void rt_arg_f32(rt_args *a, cl_float v) { set(a, sizeof v, &v); }
void rt_arg_local(rt_args *a, size_t bytes) { set(a, bytes, NULL); }

asacl_status rt_launch(asacl_ctx *ctx, const rt_args *a, const char *name, cl_uint dims,
                       const size_t *global, const size_t *local)
{
    if (a->err != CL_SUCCESS)
        return rt_cl_fail(a->err, "clSetKernelArg", "setting argument %u of kernel %s",
                          a->err_index, name);
    size_t g[3];
    for (cl_uint d = 0; d < dims; d++) {
        g[d] = global[d];
        if (local && local[d]) g[d] = (g[d] + local[d] - 1) / local[d] * local[d];
        if (g[d] == 0) return ASACL_OK; /* nothing to do */
    }
    cl_event ev = NULL;
    CL_TRY(clEnqueueNDRangeKernel(ctx->queue, a->kernel, dims, NULL, g, local, 0, NULL,
                                  ctx->timing ? &ev : NULL),
           "launching kernel %s", name);
    ctx->launches.launches++;
    ctx->launches.host_seconds += rt_now() - a->begin;
    return ev ? rt_timing_event(ctx, name, ev) : ASACL_OK;
}

asacl_status rt_run(asacl_ctx *ctx, const rt_args *a, cl_uint dims, const size_t *global,
                    const size_t *local)
{
    return rt_launch(ctx, a, rt_kernel_name((rt_kernel_id)a->id), dims, global, local);
}

asacl_status rt_run_1d(asacl_ctx *ctx, const rt_args *a, size_t n)
{
    const rt_kslot *s = &ctx->kslots[a->id];
    return rt_launch(ctx, a, rt_kernel_name((rt_kernel_id)a->id), 1, &n, &s->local);
}

asacl_status rt_run_groups(asacl_ctx *ctx, const rt_args *a, size_t groups)
{
    const rt_kslot *s = &ctx->kslots[a->id];
    if (!s->compiled_local)
        return rt_fail(ASACL_ERR_INTERNAL, "kernel %s has no reqd_work_group_size",
                       rt_kernel_name((rt_kernel_id)a->id));
    size_t global = groups * s->local;
    return rt_launch(ctx, a, rt_kernel_name((rt_kernel_id)a->id), 1, &global, &s->local);
}

void asacl_ctx_launch_stats(const asacl_ctx *ctx, asacl_launch_stats *out)
{
    if (!out) return;
    if (ctx)
        *out = ctx->launches;
    else
        out->launches = 0, out->host_seconds = 0;
}

asacl_status rt_launch_1d(asacl_ctx *ctx, const rt_args *a, const char *program,
                          const char *name, size_t n)
{
    size_t local = (size_t)rt_param(ctx, program, "WGS", 64);
    if (local > ctx->info.max_work_group_size) local = ctx->info.max_work_group_size;
    return rt_launch(ctx, a, name, 1, &n, &local);
}

asacl_status rt_launch_groups(asacl_ctx *ctx, const rt_args *a, const char *name, size_t groups)
{
    size_t wg[3] = {0, 0, 0};
    CL_TRY(clGetKernelWorkGroupInfo(a->kernel, ctx->device, CL_KERNEL_COMPILE_WORK_GROUP_SIZE,
                                    sizeof wg, wg, NULL),
           "reading the work-group size of kernel %s", name);
    if (wg[0] == 0)
        return rt_fail(ASACL_ERR_INTERNAL, "kernel %s has no reqd_work_group_size", name);
    size_t global = groups * wg[0];
    return rt_launch(ctx, a, name, 1, &global, wg);
}

long rt_param(const asacl_ctx *ctx, const char *program, const char *name, long fallback)
{
    for (size_t i = 0; i < ctx->profile.n_defines; i++) {
        const rt_define *d = &ctx->profile.defines[i];
        if (!strcmp(d->program, program) && !strcmp(d->name, name)) {
            char *end;
            long x = strtol(d->value, &end, 10);
            return *end == 0 ? x : fallback;
        }
    }
    return fallback;
}
