/* timing.c -- device time per kernel name (see runtime.h) and the public
 * switches for it and for the memory counters. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime.h"

#define TIMING_NAMES 256
#define TIMING_PENDING 4096

typedef struct rt_timing {
    asacl_kernel_time items[TIMING_NAMES];
    size_t n;
    struct {
        size_t item;
        cl_event ev;
    } pending[TIMING_PENDING];
    size_t n_pending;
} rt_timing;

static size_t item_for(rt_timing *t, const char *name)
{
    for (size_t i = 0; i < t->n; i++)
        if (!strcmp(t->items[i].name, name)) return i;
    if (t->n == TIMING_NAMES) return TIMING_NAMES - 1; /* the last slot collects the rest */
    snprintf(t->items[t->n].name, sizeof t->items[0].name, "%s", name);
    return t->n++;
}

/* Waits for the queue and adds every pending event's device time. */
static asacl_status flush(asacl_ctx *ctx)
{
    rt_timing *t = ctx->timing;
    if (!t || !t->n_pending) return ASACL_OK;
    CL_TRY(clFinish(ctx->queue), "waiting for timed kernels");
    for (size_t i = 0; i < t->n_pending; i++) {
        cl_ulong a = 0, b = 0;
        cl_event ev = t->pending[i].ev;
        if (clGetEventProfilingInfo(ev, CL_PROFILING_COMMAND_START, sizeof a, &a, NULL) == CL_SUCCESS &&
            clGetEventProfilingInfo(ev, CL_PROFILING_COMMAND_END, sizeof b, &b, NULL) == CL_SUCCESS &&
            b >= a) {
            asacl_kernel_time *k = &t->items[t->pending[i].item];
            k->seconds += 1e-9 * (double)(b - a);
            k->count++;
        }
        clReleaseEvent(ev);
    }
    t->n_pending = 0;
    return ASACL_OK;
}

asacl_status rt_timing_event(asacl_ctx *ctx, const char *name, cl_event ev)
{
    rt_timing *t = ctx->timing;
    if (t->n_pending == TIMING_PENDING) {
        asacl_status st = flush(ctx);
        if (st != ASACL_OK) {
            clReleaseEvent(ev);
            return st;
        }
    }
    char labelled[sizeof t->items[0].name];
    if (ctx->timing_label) {
        snprintf(labelled, sizeof labelled, "%s [%s]", name, ctx->timing_label);
        name = labelled;
    }
    t->pending[t->n_pending].item = item_for(t, name);
    t->pending[t->n_pending++].ev = ev;
    return ASACL_OK;
}

void rt_timing_label(asacl_ctx *ctx, const char *label) { ctx->timing_label = label; }

double rt_timed_begin(asacl_ctx *ctx)
{
    if (!ctx->timing || flush(ctx) != ASACL_OK) return 0;
    return rt_now();
}

asacl_status rt_timed_end(asacl_ctx *ctx, const char *name, double begin)
{
    if (!ctx->timing || begin == 0) return ASACL_OK;
    CL_TRY(clFinish(ctx->queue), "timing %s", name);
    asacl_kernel_time *k = &ctx->timing->items[item_for(ctx->timing, name)];
    k->seconds += rt_now() - begin;
    k->count++;
    return ASACL_OK;
}

asacl_status asacl_ctx_set_kernel_timing(asacl_ctx *ctx, int on)
{
    if (!ctx) return rt_fail(ASACL_ERR_INVALID_ARG, "asacl_ctx_set_kernel_timing: NULL context");
    if (on && !ctx->timing) {
        ctx->timing = calloc(1, sizeof *ctx->timing);
        if (!ctx->timing) return rt_fail(ASACL_ERR_OUT_OF_MEMORY, "kernel timing");
    } else if (!on && ctx->timing) {
        asacl_status st = flush(ctx);
        free(ctx->timing);
        ctx->timing = NULL;
        return st;
    } else if (on) {
        TRY(flush(ctx));
        ctx->timing->n = 0;
    }
    return ASACL_OK;
}

asacl_status asacl_ctx_kernel_times(asacl_ctx *ctx, asacl_kernel_time *out, size_t cap, size_t *n)
{
    if (!ctx || !n) return rt_fail(ASACL_ERR_INVALID_ARG, "asacl_ctx_kernel_times: NULL argument");
    *n = 0;
    if (!ctx->timing) return ASACL_OK;
    TRY(flush(ctx));
    for (size_t i = 0; i < ctx->timing->n && i < cap; i++) out[i] = ctx->timing->items[i];
    *n = ctx->timing->n < cap ? ctx->timing->n : cap;
    return ASACL_OK;
}

void asacl_ctx_memory(const asacl_ctx *ctx, uint64_t *live, uint64_t *peak)
{
    if (live) *live = ctx ? (uint64_t)ctx->mem->live : 0;
    if (peak) *peak = ctx ? (uint64_t)ctx->mem->peak : 0;
}
