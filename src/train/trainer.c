/* trainer.c -- the training step (see trainer.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/asa.h"
#include "model/linear.h"
#include "model/step_gemms.h"
#include "model/head.h"
#include "train/dist.h"
#include "train/task.h"
#include "train/trainer.h"

void train_opts_default(train_opts *o)
{
    memset(o, 0, sizeof *o);
    o->pub.asa = 1;
    o->pub.additive_masks = -1; /* the model's own: additive for RoBERTa (asa-spec 10) */
    o->pub.tau = 0.5f;
    o->pub.lr = 2e-5f;
    o->pub.weight_decay = 0.01f;
    o->beta1 = 0.9f;
    o->beta2 = 0.999f;
    o->eps = 1e-8f;
    o->pub.warmup_ratio = 0.06f;
    o->pub.total_steps = 1;
    o->pub.seed = 42;
    o->pub.max_batch = 32;
    o->pub.max_seq_len = 128;
}

double train_lr(const train_opts *o, long s)
{
    double total = (double)o->pub.total_steps, w = o->pub.warmup_ratio * total;
    if ((double)s < w) return o->pub.lr * (double)s / fmax(1.0, w);
    return o->pub.lr * fmax(0.0, (total - (double)s) / fmax(1.0, total - w));
}

/* Every GEMM shape of a step (model/step_gemms.h), reserved before the
 * first one; the strided-batched products need no reservation. */
static asacl_status reserve(trainer *t)
{
    static step_gemm_list l; /* large, and only read here */
    step_gemms(&t->m->cfg, t->clean.B, t->o.pub.max_seq_len, &l);
    for (size_t i = 0; i < l.n; i++) {
        const step_gemm *p = &l.p[i];
        if (p->batched || (p->asa && !t->o.pub.asa)) continue;
        TRY(gemm_reserve(t->m->ctx, p->s, p->lda, p->ldb, p->ldc));
    }
    return ASACL_OK;
}

asacl_status trainer_create(model *m, const train_opts *o, trainer *t)
{
    memset(t, 0, sizeof *t);
    t->m = m;
    t->o = *o;
    size_t L = (size_t)m->cfg.num_hidden_layers, T = o->pub.max_seq_len;
    if (L > ASACL_MAX_LAYERS)
        return rt_fail(ASACL_ERR_INVALID_ARG, "more than %d layers", ASACL_MAX_LAYERS);
    if (o->pub.asa && !m->layout.adversaries)
        return rt_fail(ASACL_ERR_INVALID_ARG, "ASA training needs a model with adversaries");
    int world = asacl_dist_size(o->pub.dist);
    t->accum = o->pub.grad_accum ? o->pub.grad_accum : 1;
    t->shards = t->accum * (size_t)world;
    if (t->shards > 0x8000 || t->shards > o->pub.max_batch)
        return rt_fail(ASACL_ERR_INVALID_ARG, "%d ranks x %zu micro-batches: %zu shards of a batch "
                       "of %zu (at most the batch and 32768)", world, t->accum, t->shards,
                       o->pub.max_batch);
    t->task = task_for(m->cfg.task);
    if (!t->task) return rt_fail(ASACL_ERR_INVALID_ARG, "unknown task kind %d", m->cfg.task);
    if (m->cfg.task == ASACL_TASK_CHOICE && o->pub.max_choices < 2)
        return rt_fail(ASACL_ERR_INVALID_ARG, "a multiple-choice model needs max_choices (2 or more "
                       "choices per example) in the training options");
    t->nc = m->cfg.task == ASACL_TASK_CHOICE ? o->pub.max_choices : 1;
    int mlm = m->cfg.task == ASACL_TASK_MLM;
    if (t->shards > 1 && o->pub.asa && m->cfg.num_labels == 1 && m->cfg.task == ASACL_TASK_SEQUENCE)
        return rt_fail(ASACL_ERR_UNSUPPORTED, "ASA on a one-output model: its symmetric KL is a "
                       "softmax over the whole batch (asa-spec 5.3), which micro-batches and ranks "
                       "cannot split; use one process and --grad-accum 1");
    /* sequences per shard: examples x choices */
    size_t B = (o->pub.max_batch + t->shards - 1) / t->shards * t->nc;
    asacl_status st = model_enable_training(m);
    if (st == ASACL_OK) st = arena_create(m, B, T, 0, &t->clean);
    if (st == ASACL_OK && o->pub.asa) st = arena_create(m, B, T, 1, &t->adv);
    if (st == ASACL_OK) st = grad_ws_create(m, B, T, o->pub.asa, &t->g);
    if (st == ASACL_OK) st = batch_create(m, B, T, &t->batch);
    /* the losses' row scratch: a row per token, enough for every task (the MLM
     * losses: the three results, then 2 per position) */
    size_t Mcap = mlm ? model_head(m)->logit_rows(B, T) : 0;
    size_t R = B * T > 2 * Mcap + 64 ? B * T : 2 * Mcap + 64, ns = 64 + ASACL_MAX_LAYERS, total = ns + 2 * R + 2 * B * T + REDUCE_PARTIALS;
    if (st == ASACL_OK) st = rt_buffer_create(m->ctx, total * sizeof(float), "loss scalars", &t->sbuf);
    if (st == ASACL_OK) {
        tensor s = {t->sbuf, 0, total};
        t->scalars = tensor_at(s, 0, ns);
        t->rows = tensor_at(s, ns, R);
        t->kl_rows = tensor_at(s, ns + R, R);
        t->stat_rows = tensor_at(s, ns + 2 * R, 2 * B * T);
        t->partial = tensor_at(s, ns + 2 * R + 2 * B * T, REDUCE_PARTIALS);
        st = op_fill(m->ctx, s, 0.0f);
    }
    if (st == ASACL_OK && world > 1 && !(t->host_g = malloc(m->layout.total * sizeof *t->host_g)))
        st = rt_fail(ASACL_ERR_OUT_OF_MEMORY, "the gradient's host copy (%zu floats)", m->layout.total);
    if (st == ASACL_OK && world > 1 && o->pub.allreduce_overlap) {
        st = grad_sync_create(m, o->pub.dist, t->host_g, &t->sync);
        t->overlap = st == ASACL_OK;
        if (t->overlap)
            rt_log(ASACL_LOG_INFO, "the all-reduce overlaps the backward: %zu buckets of the %zu "
                   "floats, the top layers' first", t->sync.plan.nb, m->layout.total);
    }
    if (st == ASACL_OK) st = reserve(t);
    if (st == ASACL_OK) { /* the partial sums of the column reductions */
        size_t S, chunk, D = (size_t)m->cfg.hidden_size, F = (size_t)m->cfg.intermediate_size;
        size_t widest = 3 * D > F ? 3 * D : F;
        if ((size_t)m->cfg.type_vocab_size * D > widest) widest = (size_t)m->cfg.type_vocab_size * D;
        op_column_chunks(B * T, &S, &chunk);
        size_t need = S * widest, heads = (size_t)m->cfg.num_attention_heads * B * T * T;
        if (o->pub.asa && heads > need) need = heads; /* the adversarial pass's bias gradient */
        size_t head = mlm ? mlm_head_scratch_floats(Mcap, D, (size_t)m->cfg.vocab_size) : 0;
        if (head > need) need = head; /* the MLM head's column sums */
        cl_mem scratch;
        st = rt_scratch(m->ctx, need, &scratch);
    }
    size_t BT = o->pub.max_batch * T;
    if (st == ASACL_OK && mlm &&
        (!(t->mlm_ids = malloc(BT * sizeof(int32_t))) || !(t->mlm_labels = malloc(BT * sizeof(int32_t))) ||
         !(t->mlm_pos = malloc(BT * sizeof(int32_t))) || !(t->mlm_tgt = malloc(BT * sizeof(int32_t)))))
        st = rt_fail(ASACL_ERR_OUT_OF_MEMORY, "the masking buffers (%zu tokens)", BT);
    if (st == ASACL_OK) { /* everything a run allocates exists now: does it fit? */
        char what[160];
        snprintf(what, sizeof what, "training with batches of %zu x %zu tokens (parameters, "
                 "gradients and AdamW moments %.1f MiB, the rest activations and workspace)",
                 B, T, (double)(4 * m->layout.total * sizeof(float)) / 1048576.0);
        st = rt_memory_commit(m->ctx, what);
    }
    if (st != ASACL_OK) trainer_destroy(t);
    return st;
}

void trainer_destroy(trainer *t)
{
    if (!t) return;
    arena_destroy(&t->clean);
    arena_destroy(&t->adv);
    grad_ws_destroy(&t->g);
    batch_destroy(&t->batch);
    rt_buffer_release(&t->sbuf);
    /* sums left in flight by a failed step keep their host copy */
    if (t->overlap && grad_sync_destroy(&t->sync)) t->host_g = NULL;
    t->overlap = 0;
    free(t->host_g);
    t->host_g = NULL;
    free(t->mlm_ids);
    free(t->mlm_labels);
    free(t->mlm_pos);
    free(t->mlm_tgt);
    t->mlm_ids = t->mlm_labels = t->mlm_pos = t->mlm_tgt = NULL;
}

static tensor scalar(const trainer *t, size_t i) { return tensor_at(t->scalars, i, 1); }

/* The task's loss and vloss (task.h: gradients into both passes' dlogits),
 * then what every task shares: the kept units over the step's sequences
 * (rloss) and the masked fractions. */
static asacl_status losses(trainer *t, size_t global_b, float share)
{
    model *m = t->m;
    asacl_ctx *ctx = m->ctx;
    const batch_dev *bt = &t->batch;
    size_t C = model_logit_cols(m), rows = model_logit_rows_of(m, bt) * C;
    task_loss_io io = {ctx, bt, C, 1.0f / (float)global_b, share, t->o.pub.asa,
                       tensor_at(t->clean.logits, 0, rows), tensor_at(t->clean.dlogits, 0, rows),
                       tensor_at(t->adv.logits, 0, t->o.pub.asa ? rows : 0),
                       tensor_at(t->adv.dlogits, 0, t->o.pub.asa ? rows : 0), scalar(t, S_TASK),
                       scalar(t, S_VLOSS), scalar(t, S_CORRECT), t->rows, t->kl_rows,
                       scalar(t, S_COUNT)};
    TRY(t->task->losses(&io));
    if (!t->o.pub.asa) return op_fill(ctx, tensor_at(t->scalars, S_VLOSS, 2), 0.0f);
    /* the whole step's sequences, over all shards */
    float inv_seq = 1.0f / (float)(global_b * bt->n_choices);
    TRY(op_fill(ctx, scalar(t, S_RLOSS), 0.0f));
    for (size_t l = 0; l < (size_t)m->cfg.num_hidden_layers; l++)
        TRY(asa_stats(m, &t->adv, bt, l, scalar(t, S_RLOSS), inv_seq, scalar(t, S_MASKED0 + l),
                      t->stat_rows));
    return ASACL_OK;
}

/* A step's sums over its shards: the scalars S_TASK .. S_MASKED0 + L - 1
 * and, after them, the real (query, key) pairs. */
#define N_SUMS (S_MASKED0 + ASACL_MAX_LAYERS + 1)

size_t trainer_allreduce_bytes(const trainer *t)
{
    return asacl_dist_size(t->o.pub.dist) > 1 ? t->m->layout.total * sizeof(float) + N_SUMS * sizeof(double) : 0;
}

static asacl_status add_scalars(trainer *t, double *sum)
{
    size_t L = (size_t)t->m->cfg.num_hidden_layers;
    float s[S_MASKED0 + ASACL_MAX_LAYERS];
    TRY(rt_download(t->m->ctx, t->sbuf, t->scalars.off, S_MASKED0 + L, s));
    for (size_t i = 0; i < S_MASKED0 + L; i++) sum[i] += s[i];
    sum[S_MASKED0 + L] += (double)t->batch.real_pairs;
    return ASACL_OK;
}

static void fill_result(const trainer *t, const double *s, asacl_step_stats *r)
{
    size_t L = (size_t)t->m->cfg.num_hidden_layers;
    double pairs = s[S_MASKED0 + L];
    memset(r, 0, sizeof *r);
    r->task = s[S_TASK];
    r->vloss = s[S_VLOSS];
    r->rloss = s[S_RLOSS];
    r->loss = r->task + r->vloss;
    r->total = r->loss + (double)t->o.pub.tau * t->o.pub.tau * r->rloss;
    r->correct = t->m->cfg.num_labels > 1 || t->m->cfg.task != ASACL_TASK_SEQUENCE ? (int)s[S_CORRECT] : 0;
    for (size_t l = 0; l < L && t->o.pub.asa; l++)
        r->masked_fraction[l] = pairs > 0 ? s[S_MASKED0 + l] / pairs : 0;
}

/* When timing, waits for the device and adds the time since *mark to
 * phase p. */
static asacl_status phase_done(trainer *t, int p, double *mark)
{
    if (!t->timing) return ASACL_OK;
    TRY(asacl_ctx_finish(t->m->ctx));
    double now = rt_now();
    t->phase_s[p] += now - *mark;
    *mark = now;
    return ASACL_OK;
}

/* One shard: forward(s), losses scaled by the whole batch's 1/B, backward
 * accumulating into m->grads. sync (NULL: none) follows the clean
 * backward layer by layer: the step's last, which finishes the gradients
 * (the adversarial backward runs before it). */
static asacl_status shard_step(trainer *t, const asacl_batch *b, size_t global_b, float share,
                               size_t example0, grad_sync *sync, double *mark)
{
    model *m = t->m;
    /* asa-spec 2: under max_length padding every batch runs at T = max_seq_len;
     * under longest padding every shard keeps the whole batch's T. */
    size_t T = t->o.pub.padding == ASACL_PADDING_MAX_LENGTH ? t->o.pub.max_seq_len : b->T;
    TRY(batch_upload(m, &t->batch, b, T));
    pass_opts clean = {.train = 1, .pass = 0, .seed = t->o.pub.seed, .step = (uint32_t)t->step,
                       .example0 = example0, .embeddings_shared = t->o.pub.asa,
                       .layer_done = sync ? grad_sync_layer_done : NULL, .layer_done_user = sync};
    pass_opts adv = {.train = 1, .pass = 1, .asa = 1, .seed = t->o.pub.seed,
                     .step = (uint32_t)t->step, .example0 = example0, .embeddings_from = &t->clean};
    TRY(model_forward(m, &t->clean, &t->batch, &clean));
    TRY(phase_done(t, PHASE_CLEAN_FORWARD, mark));
    if (t->o.pub.asa) TRY(model_forward(m, &t->adv, &t->batch, &adv));
    TRY(phase_done(t, PHASE_ADV_FORWARD, mark));
    TRY(losses(t, global_b, share));
    TRY(phase_done(t, PHASE_LOSSES, mark));
    if (t->o.pub.asa) { /* the penalty's gradient: tau^2 over the step's sequences */
        float tau2_over_b = t->o.pub.tau * t->o.pub.tau / (float)(global_b * t->batch.n_choices);
        TRY(model_backward(m, &t->adv, &t->g, &t->batch, &adv, tau2_over_b));
    }
    TRY(model_backward(m, &t->clean, &t->g, &t->batch, &clean, 0.0f));
    return phase_done(t, PHASE_BACKWARD, mark);
}

/* Examples [lo, hi) of b as a batch of their own (same T). */
static asacl_batch slice(const asacl_batch *b, size_t lo, size_t hi)
{
    asacl_batch s = *b;
    size_t nc = b->n_choices > 1 ? b->n_choices : 1; /* sequences per example */
    s.B = hi - lo;
    s.ids = b->ids + lo * nc * b->T;
    s.segments = b->segments ? b->segments + lo * nc * b->T : NULL;
    s.lengths = b->lengths + lo * nc;
    s.labels = b->labels ? b->labels + lo : NULL;
    s.targets = b->targets ? b->targets + lo : NULL;
    s.token_labels = b->token_labels ? b->token_labels + lo * b->T : NULL;
    return s;
}

/* A masked-LM batch without labels, masked for this step (see trainer_step). */
static asacl_status mask_batch(trainer *t, const asacl_batch *b, asacl_batch *out)
{
    *out = *b;
    if (t->m->cfg.task != ASACL_TASK_MLM || b->token_labels) return ASACL_OK;
    if (!t->o.mlm.vocab_size)
        return rt_fail(ASACL_ERR_INVALID_ARG, "a masked-LM batch without labels and no masking "
                       "options (train_opts.mlm)");
    if (b->B * b->T > t->o.pub.max_batch * t->o.pub.max_seq_len)
        return rt_fail(ASACL_ERR_INVALID_ARG, "a batch of %zu x %zu tokens (the trainer takes %zu x "
                       "%zu)", b->B, b->T, t->o.pub.max_batch, t->o.pub.max_seq_len);
    size_t M = 0, N = b->B * b->T;
    TRY(mlm_mask_batch(&t->o.mlm, b->ids, b->B, b->T, (uint32_t)t->step, 0, t->mlm_ids, t->mlm_pos,
                       t->mlm_tgt, NULL, &M));
    for (size_t i = 0; i < N; i++) t->mlm_labels[i] = ASACL_TOKEN_IGNORE;
    for (size_t k = 0; k < M; k++) t->mlm_labels[t->mlm_pos[k]] = t->mlm_tgt[k];
    out->ids = t->mlm_ids;
    out->token_labels = t->mlm_labels;
    return ASACL_OK;
}

asacl_status trainer_loss_and_grad(trainer *t, const asacl_batch *bin, asacl_step_stats *r)
{
    model *m = t->m;
    asacl_batch masked;
    TRY(mask_batch(t, bin, &masked));
    const asacl_batch *b = &masked;
    const asacl_dist *d = t->o.pub.dist;
    double mark = rt_now(), sums[N_SUMS] = {0};
    size_t K = t->shards, rank = (size_t)asacl_dist_rank(d);
    if (b->B < 1 || b->B > t->o.pub.max_batch)
        return rt_fail(ASACL_ERR_INVALID_ARG, "a batch of %zu examples (the trainer takes 1 to %zu)",
                       b->B, t->o.pub.max_batch);
    if (b->n_choices > t->nc)
        return rt_fail(ASACL_ERR_INVALID_ARG, "a batch of %zu choices per example (the trainer "
                       "takes at most %zu: max_choices)", b->n_choices, t->nc);
    int C = m->cfg.num_labels;
    size_t counted = t->task->counted(b, C); /* what the task loss averages over */
    TRY(op_fill(m->ctx, model_g(m, 0, m->layout.total), 0.0f));
    size_t last = t->accum; /* the last micro-batch with examples: its backward overlaps */
    for (size_t a = 0; a < t->accum; a++) {
        size_t k = rank * t->accum + a;
        if ((k + 1) * b->B / K > k * b->B / K) last = a;
    }
    for (size_t a = 0; a < t->accum; a++) {
        size_t k = rank * t->accum + a, lo = k * b->B / K, hi = (k + 1) * b->B / K;
        if (hi == lo) continue; /* a short last batch leaves some shards empty */
        asacl_batch sb = slice(b, lo, hi);
        /* one shard: exactly 1, so a whole batch divides as the reference does */
        float share = K == 1 ? 1.0f : counted ? (float)((double)t->task->counted(&sb, C) / (double)counted) : 0.0f;
        /* dropout streams count sequences: a choice example is n of them */
        int overlapped = t->overlap && a == last;
        TRY(shard_step(t, &sb, b->B, share, lo * (b->n_choices > 1 ? b->n_choices : 1),
                       overlapped ? &t->sync : NULL, &mark));
        /* a blocking read, which would wait for the backward: after the sums */
        if (!overlapped) TRY(add_scalars(t, sums));
    }
    if (asacl_dist_size(d) > 1) {
        /* after: the download would wait for the backward anyway */
        if (!t->overlap) TRY(asacl_ctx_finish(m->ctx));
        double w0 = rt_now();
        if (t->timing) TRY(dist_barrier(d)); /* to tell waiting for the others from the sums */
        double c0 = rt_now();
        t->wait_s += c0 - w0;
        mark = c0;
        size_t n = m->layout.total;
        if (t->overlap) {
            /* the buckets' sums while the device finishes the backward; the
             * scalars were final before it (the backward leaves them) */
            TRY(grad_sync_finish(&t->sync));
            c0 = rt_now() - t->sync.exposed_s;
            if (last < t->accum) TRY(add_scalars(t, sums));
        } else {
            TRY(rt_download(m->ctx, m->grads, 0, n, t->host_g));
            TRY(dist_allreduce_f32(d, t->host_g, n));
            TRY(rt_upload(m->ctx, m->grads, 0, n, t->host_g));
        }
        TRY(dist_allreduce_f64(d, sums, N_SUMS));
        t->comm_s += rt_now() - c0;
        t->comm_steps++;
        TRY(phase_done(t, PHASE_ALLREDUCE, &mark));
    }
    if (r) {
        fill_result(t, sums, r);
        r->counted = (int)counted;
    }
    return ASACL_OK;
}

asacl_status trainer_step(trainer *t, const asacl_batch *b, asacl_step_stats *r)
{
    model *m = t->m;
    asacl_ctx *ctx = m->ctx;
    asacl_step_stats own;
    asacl_step_stats *res = r ? r : &own;
    TRY(trainer_loss_and_grad(t, b, res));
    double mark = rt_now();
    long coef = -1;
    if (t->o.pub.max_grad_norm > 0) {
        TRY(op_reduce_sumsq(ctx, scalar(t, S_GNORM), model_g(m, 0, m->layout.total), t->partial));
        TRY(op_clip_coefficient(ctx, t->scalars, S_GNORM, S_CLIP, t->o.pub.max_grad_norm));
        coef = S_CLIP;
    }
    double lr = train_lr(&t->o, t->step);
    adamw_hparams h = {(float)lr, t->o.pub.weight_decay, t->o.beta1, t->o.beta2, t->o.eps, t->step + 1};
    TRY(op_adamw_update(ctx, m->params, m->grads, m->adam_m, m->adam_v, 0, m->layout.total,
                        m->layout.decay_end, h, t->scalars, coef));
    TRY(phase_done(t, PHASE_OPTIMIZER, &mark));
    t->timed_steps += t->timing;
    t->step++;
    if (t->o.pub.max_grad_norm > 0) {
        float gn;
        TRY(rt_download(ctx, t->sbuf, t->scalars.off + S_GNORM, 1, &gn));
        res->grad_norm = gn;
    }
    res->lr = lr;
    return ASACL_OK;
}

asacl_status trainer_eval(trainer *t, const asacl_batch *b, float *logits)
{
    model *m = t->m;
    TRY(batch_upload(m, &t->batch, b, b->T));
    pass_opts o = {.train = 0, .seed = t->o.pub.seed};
    TRY(model_forward(m, &t->clean, &t->batch, &o));
    size_t rows = model_logit_rows_of(m, &t->batch);
    return rt_download(m->ctx, t->clean.logits.buf, t->clean.logits.off,
                       rows * model_logit_cols(m), logits);
}

asacl_status trainer_mlm_eval(trainer *t, const asacl_batch *b, double *ce_sum, size_t *right,
                              size_t *positions)
{
    model *m = t->m;
    if (m->cfg.task != ASACL_TASK_MLM || !b->token_labels)
        return rt_fail(ASACL_ERR_INVALID_ARG, "trainer_mlm_eval: a masked-LM model and labels");
    /* in pieces the arenas hold: a shard's sequences, with micro-batches */
    for (size_t lo = 0, step = t->clean.B; lo < b->B; lo += step) {
        asacl_batch sb = slice(b, lo, lo + step < b->B ? lo + step : b->B);
        TRY(batch_upload(m, &t->batch, &sb, sb.T));
        pass_opts o = {.train = 0, .seed = t->o.pub.seed};
        TRY(model_forward(m, &t->clean, &t->batch, &o));
        size_t M = t->batch.n_mlm, V = (size_t)m->cfg.vocab_size;
        tensor out = tensor_at(t->rows, 0, 3), scratch = tensor_at(t->rows, 64, 2 * M);
        TRY(mlm_head_loss_forward(m->ctx, out, scratch, tensor_at(t->clean.logits, 0, M * V),
                                  tensor_at(t->clean.logits, 0, 0), t->batch.mlm_labels, M, V,
                                  t->batch.B));
        float r[3];
        TRY(rt_download(m->ctx, t->rows.buf, t->rows.off, 3, r));
        *ce_sum += (double)r[0] * (double)M;
        *right += (size_t)lround((double)r[2] * (double)M);
        *positions += M;
    }
    return ASACL_OK;
}
