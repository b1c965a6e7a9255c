/* pretrain.c -- a masked-LM pre-training run (include/asacl.h
 * asacl_pretrain, asa-spec 11): batches streamed from plain-text files
 * (data/text_corpus.h), masked by the trainer from (seed, step)
 * (data/mlm_mask.h), a metrics.jsonl line every log_every steps, held-out
 * MLM loss, accuracy and pseudo-perplexity, best/ by the held-out loss and
 * resumable checkpoints that keep the corpus position.
 *
 * Choices (README): the held-out text is masked like training text but
 * from the batch's index (step k for the k-th batch), so every evaluation
 * scores the same positions; pseudo-perplexity is exp of the mean
 * cross-entropy over those positions (the perplexity of BERT's masked
 * predictions, not the pseudo-log-likelihood that masks each token in
 * turn). */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "base/json.h"
#include "data/dataset.h"
#include "data/mlm_mask.h"
#include "data/text_corpus.h"
#include "model/api.h"
#include "train/api.h"

void asacl_pretrain_options_init(asacl_pretrain_options *o)
{
    if (!o) return;
    memset(o, 0, sizeof *o);
    o->valid_fraction = 0.01;
    o->log_every = 20;
}

/* The trainer's masking from the tokenizer's special ids and its seed. */
static asacl_status set_masking(asacl_trainer *t, const asacl_tokenizer *tok)
{
    if (!t || !tok) return rt_fail(ASACL_ERR_INVALID_ARG, "masked-LM training: NULL argument");
    if (t->t.m->cfg.task != ASACL_TASK_MLM)
        return rt_fail(ASACL_ERR_INVALID_ARG, "masked-LM training needs a model of task mlm, not %s",
                       asacl_task_kind_name(t->t.m->cfg.task));
    if (!tok->wp)
        return rt_fail(ASACL_ERR_UNSUPPORTED, "masked-LM training reads text with a WordPiece "
                       "vocabulary (vocab.txt), not byte-level BPE");
    TRY(mlm_mask_defaults(tok->wp, t->t.o.pub.seed, &t->t.o.mlm));
    if ((size_t)t->t.o.mlm.vocab_size > (size_t)t->t.m->cfg.vocab_size)
        return rt_fail(ASACL_ERR_INVALID_ARG, "the vocabulary has %d tokens, the model %d",
                       (int)t->t.o.mlm.vocab_size, t->t.m->cfg.vocab_size);
    t->t.o.mlm.vocab_size = t->t.m->cfg.vocab_size; /* random replacements: the model's ids */
    return ASACL_OK;
}

static asacl_status open_corpus(const asacl_trainer *t, const asacl_tokenizer *tok,
                                const char *const *paths, size_t n, int split, double fraction,
                                text_corpus **out)
{
    text_corpus_opts co = {(int)t->t.o.pub.max_seq_len, (text_split)split, fraction,
                           t->t.o.pub.seed, 0};
    return text_corpus_open(paths, n, tok->wp, &co, out);
}

/* A batch of B sequences [B, T] from c (its next ones; *got of them, 0 at
 * the end of a pass). */
static asacl_status read_batch(text_corpus *c, size_t B, size_t T, int32_t *ids, int32_t *lens,
                               size_t *got)
{
    *got = 0;
    for (size_t b = 0; b < B; b++) {
        int len = 0;
        TRY(text_corpus_next(c, ids + b * T, &len));
        if (!len) break;
        lens[b] = len;
        (*got)++;
    }
    return ASACL_OK;
}

typedef struct buffers {
    int32_t *ids, *segs, *lens, *masked, *labels, *pos, *tgt;
} buffers;

static void buffers_free(buffers *b)
{
    free(b->ids);
    free(b->segs);
    free(b->lens);
    free(b->masked);
    free(b->labels);
    free(b->pos);
    free(b->tgt);
    memset(b, 0, sizeof *b);
}

static asacl_status buffers_make(size_t B, size_t T, buffers *b)
{
    memset(b, 0, sizeof *b);
    size_t N = B * T;
    b->ids = malloc(N * sizeof *b->ids);
    b->segs = calloc(N, sizeof *b->segs);
    b->lens = malloc(B * sizeof *b->lens);
    b->masked = malloc(N * sizeof *b->masked);
    b->labels = malloc(N * sizeof *b->labels);
    b->pos = malloc(N * sizeof *b->pos);
    b->tgt = malloc(N * sizeof *b->tgt);
    if (!b->ids || !b->segs || !b->lens || !b->masked || !b->labels || !b->pos || !b->tgt) {
        buffers_free(b);
        return rt_fail(ASACL_ERR_OUT_OF_MEMORY, "batch buffers of %zu tokens", N);
    }
    return ASACL_OK;
}

asacl_status asacl_mlm_evaluate(asacl_trainer *t, const asacl_tokenizer *tok, const char *const *paths,
                                size_t n, int split, double valid_fraction, size_t max_batches,
                                asacl_mlm_metrics *out)
{
    if (!out || !paths || !n) return rt_fail(ASACL_ERR_INVALID_ARG, "asacl_mlm_evaluate: no text");
    memset(out, 0, sizeof *out);
    TRY(set_masking(t, tok));
    size_t B = t->t.o.pub.max_batch, T = t->t.o.pub.max_seq_len;
    text_corpus *c = NULL;
    TRY(open_corpus(t, tok, paths, n, split, valid_fraction, &c));
    buffers bf;
    asacl_status st = buffers_make(B, T, &bf);
    double ce = 0;
    size_t right = 0, positions = 0;
    for (size_t k = 0; st == ASACL_OK && (!max_batches || k < max_batches); k++) {
        size_t got = 0;
        st = read_batch(c, B, T, bf.ids, bf.lens, &got);
        if (st != ASACL_OK || !got) break;
        size_t M = 0;
        st = mlm_mask_batch(&t->t.o.mlm, bf.ids, got, T, (uint32_t)k, 0, bf.masked, bf.pos, bf.tgt,
                            NULL, &M);
        for (size_t i = 0; i < got * T; i++) bf.labels[i] = ASACL_TOKEN_IGNORE;
        for (size_t i = 0; i < M; i++) bf.labels[bf.pos[i]] = bf.tgt[i];
        asacl_batch b = {got, T, bf.masked, bf.segs, bf.lens, NULL, NULL, bf.labels, 0};
        if (st == ASACL_OK) st = trainer_mlm_eval(&t->t, &b, &ce, &right, &positions);
        out->sequences += got;
    }
    if (st == ASACL_OK && !positions)
        st = rt_fail(ASACL_ERR_FORMAT, "%s: no held-out text to evaluate (no position masked)",
                     paths[0]);
    if (st == ASACL_OK) {
        out->positions = positions;
        out->loss = ce / (double)positions;
        out->accuracy = (double)right / (double)positions;
        out->pseudo_perplexity = exp(out->loss);
    }
    buffers_free(&bf);
    text_corpus_close(c);
    return st;
}

/* ---- the run ---------------------------------------------------------------- */

typedef struct run {
    asacl_trainer *t;
    const asacl_tokenizer *tok;
    const asacl_pretrain_options *o;
    text_corpus *train;
    FILE *metrics;
    double best_loss;
    long best_step;
    int writer; /* rank 0 (or the process alone) evaluates and writes */
} run;

static void path_in(const run *r, const char *name, char *out, size_t cap)
{
    snprintf(out, cap, "%s/%s", r->o->out_dir, name);
}

static void metrics_line(run *r, const char *line)
{
    if (!r->metrics) return;
    fprintf(r->metrics, "%s\n", line);
    fflush(r->metrics);
}

/* The checkpoint's run text: the caller's settings, the corpus position and
 * the best so far. */
static char *run_text(const run *r)
{
    text_corpus_pos p;
    text_corpus_tell(r->train, &p);
    cJSON *j = r->o->run ? cJSON_Parse(r->o->run) : NULL;
    if (!j) j = cJSON_CreateObject();
    cJSON *pt = cJSON_CreateObject();
    char buf[512];
    snprintf(buf, sizeof buf, "%llu %llu %llu %llu %llu %llu %llu %llu %llu %llu",
             (unsigned long long)p.epoch, (unsigned long long)p.file, (unsigned long long)p.offset,
             (unsigned long long)p.line, (unsigned long long)p.skip, (unsigned long long)p.mid_line,
             (unsigned long long)p.doc, (unsigned long long)p.doc_open,
             (unsigned long long)p.sequences, (unsigned long long)p.buffer_bytes);
    cJSON_AddStringToObject(pt, "corpus", buf);
    cJSON_AddNumberToObject(pt, "best_loss", r->best_loss);
    cJSON_AddNumberToObject(pt, "best_step", (double)r->best_step);
    cJSON_DeleteItemFromObjectCaseSensitive(j, "pretrain");
    cJSON_AddItemToObject(j, "pretrain", pt);
    char *text = cJSON_PrintUnformatted(j);
    cJSON_Delete(j);
    return text;
}

static asacl_status save_checkpoint(run *r)
{
    if (!r->writer) return ASACL_OK;
    char path[4200], *text = run_text(r);
    if (!text) return rt_fail(ASACL_ERR_OUT_OF_MEMORY, "the checkpoint's run text");
    path_in(r, "checkpoint", path, sizeof path);
    asacl_status st = asacl_trainer_save(r->t, path, NULL, r->o->vocab, text);
    free(text);
    return st;
}

static asacl_status resume(run *r)
{
    const char *dir = r->o->resume_dir;
    asacl_train_options o;
    char *text = NULL;
    TRY(asacl_checkpoint_info(dir, &o, &text));
    cJSON *j = text ? cJSON_Parse(text) : NULL;
    free(text);
    const cJSON *pt = cJSON_GetObjectItemCaseSensitive(j, "pretrain");
    const cJSON *cp = cJSON_GetObjectItemCaseSensitive(pt, "corpus");
    const cJSON *bl = cJSON_GetObjectItemCaseSensitive(pt, "best_loss");
    const cJSON *bs = cJSON_GetObjectItemCaseSensitive(pt, "best_step");
    unsigned long long v[10];
    asacl_status st = ASACL_OK;
    if (!cJSON_IsString(cp) || !cJSON_IsNumber(bl) || !cJSON_IsNumber(bs) ||
        sscanf(cp->valuestring, "%llu %llu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1],
               &v[2], &v[3], &v[4], &v[5], &v[6], &v[7], &v[8], &v[9]) != 10)
        st = rt_fail(ASACL_ERR_FORMAT, "%s: not a pre-training checkpoint (its run has no "
                     "pretrain.corpus position)", dir);
    if (st == ASACL_OK) {
        text_corpus_pos p = {v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9]};
        r->best_loss = bl->valuedouble;
        r->best_step = (long)bs->valuedouble;
        st = asacl_trainer_resume(r->t, dir, NULL);
        if (st == ASACL_OK) st = text_corpus_seek(r->train, &p);
    }
    cJSON_Delete(j);
    return st;
}

static asacl_status evaluate(run *r, long step, long total)
{
    const asacl_pretrain_options *o = r->o;
    if (!r->writer) return ASACL_OK; /* the other ranks go on to the next step's all-reduce */
    asacl_mlm_metrics m;
    if (o->n_valid)
        TRY(asacl_mlm_evaluate(r->t, r->tok, o->valid, o->n_valid, 0, 0.0, o->valid_batches, &m));
    else
        TRY(asacl_mlm_evaluate(r->t, r->tok, o->text, o->n_text, 2, o->valid_fraction,
                               o->valid_batches, &m));
    int improved = r->best_step < 0 || m.loss < r->best_loss;
    if (improved) {
        r->best_loss = m.loss;
        r->best_step = step;
        char path[4200];
        path_in(r, "best", path, sizeof path);
        TRY(asacl_model_save(r->t->model, path, o->vocab));
    }
    char line[512];
    snprintf(line, sizeof line, "{\"step\": %ld, \"valid_loss\": %.6f, \"valid_accuracy\": %.4f, "
             "\"valid_pseudo_perplexity\": %.4f, \"valid_positions\": %zu, \"best_step\": %ld}",
             step, m.loss, m.accuracy, m.pseudo_perplexity, m.positions, r->best_step);
    metrics_line(r, line);
    if (o->progress) {
        asacl_pretrain_progress p = {step, total, NULL, 0, 0, 0, &m, improved};
        o->progress(&p, o->user);
    }
    return ASACL_OK;
}

static asacl_status loop(run *r)
{
    asacl_trainer *t = r->t;
    const asacl_pretrain_options *o = r->o;
    size_t B = t->t.o.pub.max_batch, T = t->t.o.pub.max_seq_len;
    long total = t->t.o.pub.total_steps, stop = o->max_steps > 0 && o->max_steps < total ? o->max_steps : total;
    buffers bf;
    TRY(buffers_make(B, T, &bf));
    asacl_status st = ASACL_OK;
    double sum_loss = 0, tokens = 0, t0 = rt_now();
    size_t right = 0, counted = 0;
    long n = 0;
    while (st == ASACL_OK && t->t.step < stop) {
        size_t got = 0;
        st = read_batch(r->train, B, T, bf.ids, bf.lens, &got);
        if (st == ASACL_OK && got < B) { /* the pass ended: the rest from the next one */
            st = text_corpus_rewind(r->train);
            size_t more = 0;
            if (st == ASACL_OK)
                st = read_batch(r->train, B - got, T, bf.ids + got * T, bf.lens + got, &more);
            got += more;
            if (st == ASACL_OK && got < B)
                st = rt_fail(ASACL_ERR_FORMAT, "%s: fewer than %zu sequences of training text "
                             "(one batch)", o->text[0], B);
        }
        if (st != ASACL_OK) break;
        asacl_batch b = {B, T, bf.ids, bf.segs, bf.lens, NULL, NULL, NULL, 0};
        asacl_step_stats s;
        st = trainer_step(&t->t, &b, &s);
        if (st != ASACL_OK) break;
        long step = t->t.step;
        for (size_t i = 0; i < B; i++) tokens += bf.lens[i];
        sum_loss += s.loss;
        right += (size_t)s.correct;
        counted += (size_t)s.counted;
        n++;
        int log = o->log_every > 0 && (step % o->log_every == 0 || step == stop);
        if (log) {
            double sec = rt_now() - t0, tps = sec > 0 ? tokens / sec : 0,
                   acc = counted ? (double)right / (double)counted : 0;
            char line[2048];
            int k = snprintf(line, sizeof line,
                             "{\"step\": %ld, \"loss\": %.6f, \"mlm\": %.6f, \"vloss\": %.6f, "
                             "\"rloss\": %.4f, \"total\": %.6f, \"lr\": %.6g, \"mlm_accuracy\": %.4f, "
                             "\"tokens_per_second\": %.1f, \"masked_fraction\": [",
                             step, sum_loss / (double)n, s.task, s.vloss, s.rloss, s.total, s.lr, acc,
                             tps);
            int L = t->t.m->cfg.num_hidden_layers;
            for (int l = 0; l < L && l < ASACL_MAX_LAYERS && k < (int)sizeof line - 16; l++)
                k += snprintf(line + k, sizeof line - (size_t)k, "%s%.4f", l ? ", " : "",
                              t->t.o.pub.asa ? s.masked_fraction[l] : 0.0);
            snprintf(line + k, sizeof line - (size_t)k, "]}");
            metrics_line(r, line);
            if (o->progress) {
                asacl_pretrain_progress p = {step, stop, &s, sum_loss / (double)n, acc, tps, NULL, 0};
                o->progress(&p, o->user);
            }
            sum_loss = 0;
            right = counted = 0;
            n = 0;
        }
        if (o->eval_every > 0 && step % o->eval_every == 0 && step != stop) st = evaluate(r, step, stop);
        if (st == ASACL_OK && o->save_every > 0 && step % o->save_every == 0 && step != stop)
            st = save_checkpoint(r);
    }
    if (st == ASACL_OK) st = evaluate(r, t->t.step, stop);
    if (st == ASACL_OK) st = save_checkpoint(r);
    buffers_free(&bf);
    return st;
}

asacl_status asacl_pretrain(asacl_trainer *t, const asacl_tokenizer *tok, const asacl_pretrain_options *o)
{
    if (!t || !tok || !o || !o->text || !o->n_text || !o->out_dir)
        return rt_fail(ASACL_ERR_INVALID_ARG, "asacl_pretrain: the trainer, tokenizer, text files and "
                       "output folder are required");
    if (!o->n_valid && !(o->valid_fraction > 0 && o->valid_fraction < 1))
        return rt_fail(ASACL_ERR_INVALID_ARG, "asacl_pretrain: held-out text needs validation files "
                       "or a fraction in (0, 1), not %g", o->valid_fraction);
    TRY(set_masking(t, tok));
    run r = {t, tok, o, NULL, NULL, 0, -1, asacl_dist_rank(t->t.o.pub.dist) == 0};
    TRY(rt_mkdirs(o->out_dir));
    TRY(open_corpus(t, tok, o->text, o->n_text, o->n_valid ? 0 : 1, o->n_valid ? 0 : o->valid_fraction,
                    &r.train));
    asacl_status st = o->resume_dir ? resume(&r) : ASACL_OK;
    char path[4200];
    path_in(&r, "metrics.jsonl", path, sizeof path);
    if (st == ASACL_OK && r.writer && !(r.metrics = fopen(path, o->resume_dir ? "a" : "w")))
        rt_log(ASACL_LOG_WARN, "cannot write %s", path);
    if (st == ASACL_OK) st = loop(&r);
    if (r.metrics) fclose(r.metrics);
    text_corpus_close(r.train);
    return st;
}
