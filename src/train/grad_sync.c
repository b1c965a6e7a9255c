/* grad_sync.c -- see grad_sync.h. */
#include <stdlib.h>
#include <string.h>

#include "train/grad_sync.h"

static int by_offset(const void *a, const void *b)
{
    const grad_range *x = a, *y = b;
    return x->off < y->off ? -1 : x->off > y->off;
}

/* Layer l's ranges (weights, biases, adversary weights and biases), in
 * r[0, 4); returns how many. */
static size_t layer_ranges(const param_layout *pl, size_t l, size_t D, size_t F, grad_range *r)
{
    const layer_params *p = &pl->layers[l];
    size_t n = 0;
    r[n++] = (grad_range){p->qkv_w, p->f2_w + D * F - p->qkv_w};
    r[n++] = (grad_range){p->qkv_b, p->ln2_b + D - p->qkv_b};
    if (pl->adversaries) {
        r[n++] = (grad_range){p->adv_w, 2 * D * D};
        r[n++] = (grad_range){p->adv_b, 2 * D};
    }
    return n;
}

asacl_status grad_plan_build(const param_layout *pl, const asacl_model_config *c, size_t min_floats,
                             grad_plan *out)
{
    memset(out, 0, sizeof *out);
    size_t L = (size_t)c->num_hidden_layers, D = (size_t)c->hidden_size,
           F = (size_t)c->intermediate_size;
    if (!L) return rt_fail(ASACL_ERR_INVALID_ARG, "grad_plan_build: a model without layers");
    size_t cap = 8 * L + 1; /* 4 per layer, the complement at most one more than those */
    grad_range *r = calloc(cap, sizeof *r), *sorted = calloc(4 * L, sizeof *sorted);
    grad_bucket *b = calloc(L + 1, sizeof *b);
    if (!r || !sorted || !b) {
        free(r);
        free(sorted);
        free(b);
        return rt_fail(ASACL_ERR_OUT_OF_MEMORY, "the all-reduce buckets");
    }
    size_t nr = 0, nb = 0;
    grad_bucket *cur = NULL;
    for (size_t l = L; l-- > 0;) { /* the order the backward finishes the layers */
        if (!cur) {
            cur = &b[nb++];
            cur->r0 = nr;
        }
        size_t k = layer_ranges(pl, l, D, F, r + nr);
        for (size_t i = 0; i < k; i++) cur->floats += r[nr + i].n;
        nr += k;
        cur->nr += k;
        if (cur->floats >= min_floats || l == 0) {
            cur->after = (long)l;
            cur = NULL;
        }
    }
    /* the last bucket: whatever no layer holds (embeddings, head, alignment gaps) */
    memcpy(sorted, r, nr * sizeof *r);
    qsort(sorted, nr, sizeof *sorted, by_offset);
    grad_bucket *last = &b[nb++];
    last->r0 = nr;
    last->after = -1;
    size_t at = 0;
    for (size_t i = 0; i <= nr; i++) {
        size_t end = i < nr ? sorted[i].off : pl->total;
        if (end > at) {
            r[last->r0 + last->nr++] = (grad_range){at, end - at};
            last->floats += end - at;
        }
        if (i < nr && sorted[i].off + sorted[i].n > at) at = sorted[i].off + sorted[i].n;
    }
    free(sorted);
    out->r = r;
    out->nr = nr + last->nr;
    out->b = b;
    out->nb = nb;
    return ASACL_OK;
}

void grad_plan_free(grad_plan *p)
{
    if (!p) return;
    free(p->r);
    free(p->b);
    memset(p, 0, sizeof *p);
}

asacl_status grad_sync_create(model *m, const asacl_dist *d, float *host, grad_sync *gs)
{
    memset(gs, 0, sizeof *gs);
    gs->ctx = m->ctx;
    gs->grads = m->grads;
    gs->host = host;
    gs->total = m->layout.total;
    TRY(grad_plan_build(&m->layout, &m->cfg, GRAD_BUCKET_MIN, &gs->plan));
    size_t pieces = 0;
    for (size_t i = 0; i < gs->plan.nr; i++) pieces += dist_sum_pieces(gs->plan.r[i].n);
    asacl_status st = dist_sums_create(d, pieces, &gs->sums);
    if (st == ASACL_OK && !(gs->ev = calloc(gs->plan.nb, sizeof *gs->ev)))
        st = rt_fail(ASACL_ERR_OUT_OF_MEMORY, "the all-reduce buckets' events");
    if (st != ASACL_OK) grad_sync_destroy(gs);
    return st;
}

int grad_sync_destroy(grad_sync *gs)
{
    if (!gs) return 0;
    for (size_t k = 0; gs->ev && k < gs->plan.nb; k++) rt_event_release(&gs->ev[k]);
    free(gs->ev);
    int kept = dist_sums_destroy(gs->sums);
    grad_plan_free(&gs->plan);
    memset(gs, 0, sizeof *gs);
    return kept;
}

/* Queues bucket k's downloads, an event on the last. */
static asacl_status queue_bucket(grad_sync *gs, size_t k)
{
    const grad_bucket *b = &gs->plan.b[k];
    for (size_t i = 0; i < b->nr; i++) {
        const grad_range *r = &gs->plan.r[b->r0 + i];
        cl_event ev = NULL;
        TRY(rt_download_async(gs->ctx, gs->grads, r->off, r->n, gs->host + r->off, &ev));
        if (i + 1 < b->nr) rt_event_release(&ev); /* the queue is in order: the last tells */
        else gs->ev[k] = ev;
    }
    gs->queued = k + 1;
    return ASACL_OK;
}

asacl_status grad_sync_layer_done(void *user, size_t l)
{
    grad_sync *gs = user;
    if (gs->queued < gs->plan.nb && gs->plan.b[gs->queued].after == (long)l)
        return queue_bucket(gs, gs->queued);
    return ASACL_OK;
}

asacl_status grad_sync_finish(grad_sync *gs)
{
    while (gs->queued < gs->plan.nb) TRY(queue_bucket(gs, gs->queued));
    double device_done = rt_now();
    for (; gs->started < gs->plan.nb; gs->started++) {
        size_t k = gs->started;
        const grad_bucket *b = &gs->plan.b[k];
        TRY(rt_event_wait(gs->ev[k])); /* the earlier sums wait meanwhile; MPI moves on below */
        rt_event_release(&gs->ev[k]);
        if (k + 1 == gs->plan.nb) device_done = rt_now(); /* the last download: after the backward */
        for (size_t i = 0; i < b->nr; i++) {
            const grad_range *r = &gs->plan.r[b->r0 + i];
            TRY(dist_sums_start_f32(gs->sums, gs->host + r->off, r->n));
        }
        TRY(dist_sums_progress(gs->sums));
    }
    TRY(dist_sums_wait(gs->sums));
    gs->queued = gs->started = 0;
    TRY(rt_upload(gs->ctx, gs->grads, 0, gs->total, gs->host));
    gs->exposed_s = rt_now() - device_done;
    return ASACL_OK;
}
