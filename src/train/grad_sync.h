/* grad_sync.h -- the gradient's all-reduce overlapped with the backward
 * pass (asacl_train_options.allreduce_overlap). The gradient buffer is cut
 * into buckets in the order the backward finishes them: the top layers'
 * gradients first (each layer's weights, biases and adversary, grouped
 * until a bucket holds GRAD_BUCKET_MIN floats), and last everything else
 * (the embeddings and the head, which the backward finishes at its end).
 * During the step's last backward a bucket's downloads are queued as soon
 * as its lowest layer is queued; grad_sync_finish then waits for each
 * bucket in turn, starts its sum (MPI_Iallreduce on the host copy) and
 * lets the earlier ones advance, so the sums of the upper layers run while
 * the device computes the lower ones. Every rank has the same buckets and
 * starts their sums in the same order. */
#ifndef ASACL_TRAIN_GRAD_SYNC_H
#define ASACL_TRAIN_GRAD_SYNC_H

#include "model/model.h"
#include "train/dist.h"

/* Floats a bucket collects before it closes (128 KiB): below that the
 * fixed costs of a bucket (a download command, an event, a request) are
 * not worth a piece of its own. A layer of the built-in task's model holds
 * about 41,700; of BERT-base, 7.1 M. */
#define GRAD_BUCKET_MIN ((size_t)1 << 15)

typedef struct grad_range {
    size_t off, n; /* floats of the gradient buffer */
} grad_range;

typedef struct grad_bucket {
    size_t r0, nr; /* its ranges: plan.r[r0, r0 + nr) */
    size_t floats;
    long after;    /* ready once layer `after`'s backward is queued; -1: the last bucket (the
                      embeddings and the head: ready when the whole backward is) */
} grad_bucket;

typedef struct grad_plan {
    grad_range *r;
    size_t nr;
    grad_bucket *b;
    size_t nb;
} grad_plan;

/* The buckets of the layout of config c, closing a bucket of layers once
 * it holds min_floats. The ranges of all buckets are disjoint and cover
 * [0, pl->total) exactly. */
asacl_status grad_plan_build(const param_layout *pl, const asacl_model_config *c, size_t min_floats,
                             grad_plan *out);
void grad_plan_free(grad_plan *p);

typedef struct grad_sync {
    grad_plan plan;
    asacl_ctx *ctx;
    cl_mem grads;
    float *host;       /* the host copy, [total] floats (the trainer's) */
    size_t total;      /* the layout's floats */
    dist_sums *sums;
    cl_event *ev;      /* per bucket: its last download */
    size_t queued;     /* buckets [0, queued) have their downloads queued */
    size_t started;    /* ... [0, started) their sums started */
    double exposed_s;  /* the last finish: seconds after the device was done with the backward */
} grad_sync;

asacl_status grad_sync_create(model *m, const asacl_dist *d, float *host, grad_sync *gs);
/* Returns 1 when sums were left in flight (a failed step): gs->host must
 * then stay allocated. */
int grad_sync_destroy(grad_sync *gs);
/* pass_opts.layer_done of the step's last backward (user: the grad_sync):
 * queues the downloads of the bucket that layer l completes. It starts no
 * sum, so a rank may still meet the others in another collective (the
 * trainer's timing barrier) before grad_sync_finish. */
asacl_status grad_sync_layer_done(void *user, size_t l);
/* Queues the downloads still to queue (all of them when no backward
 * called grad_sync_layer_done), sums every bucket over the ranks and
 * uploads the summed gradient; the next step starts afresh. */
asacl_status grad_sync_finish(grad_sync *gs);

#endif
