/* fit.c -- a whole training run (include/asacl.h asacl_fit): steps over the
 * training loader epoch after epoch, a metrics.jsonl line every log_every
 * steps, evaluation on the dev loaders (the first one's main metric picks
 * best/), resumable checkpoints and summary.json. The run's own state (the
 * best so far) travels in the checkpoint's run text under "fit", so a
 * resumed run ends as an uninterrupted one would. In a data-parallel run
 * every rank steps; rank 0 alone evaluates and writes (metrics, best/,
 * checkpoint/, summary.json, the report), each file replaced atomically. */
#define _POSIX_C_SOURCE 200809L
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "base/json.h"
#include "model/api.h"
#include "train/api.h"
#include "train/loader.h"
#include "train/task.h"

void asacl_fit_options_init(asacl_fit_options *o)
{
    if (!o) return;
    memset(o, 0, sizeof *o);
    o->epochs = 3;
    o->log_every = 20;
}

typedef struct fit_run {
    asacl_trainer *t;
    asacl_loader *train;
    const asacl_fit_options *o;
    asacl_fit_result *r;
    FILE *metrics;
    int num_labels;
    int writer; /* rank 0 */
    int task;   /* the model's asacl_task_kind */
} fit_run;

static void path_in(const fit_run *f, const char *name, char *out, size_t cap)
{
    snprintf(out, cap, "%s/%s", f->o->out_dir, name);
}

static void metrics_line(fit_run *f, const char *line)
{
    if (!f->metrics) return;
    fprintf(f->metrics, "%s\n", line);
    fflush(f->metrics);
}

static void notify(const fit_run *f, const asacl_fit_progress *p)
{
    if (f->o->progress) f->o->progress(p, f->o->user);
}

/* The metrics as the JSON of an eval line / of the checkpoint's state. */
static void metrics_json(cJSON *j, const asacl_metrics *m, int num_labels)
{
    cJSON_AddNumberToObject(j, "n", (double)m->n);
    if (m->task == ASACL_TASK_TOKEN) {
        cJSON_AddStringToObject(j, "task", "token");
        cJSON_AddNumberToObject(j, "tokens", (double)m->tokens);
        cJSON_AddNumberToObject(j, "accuracy", m->accuracy);
        cJSON_AddNumberToObject(j, "token_precision", m->token_precision);
        cJSON_AddNumberToObject(j, "token_recall", m->token_recall);
        cJSON_AddNumberToObject(j, "token_f1", m->token_f1);
        cJSON_AddNumberToObject(j, "entity_precision", m->entity_precision);
        cJSON_AddNumberToObject(j, "entity_recall", m->entity_recall);
        cJSON_AddNumberToObject(j, "entity_f1", m->entity_f1);
    } else if (m->task == ASACL_TASK_CHOICE) {
        cJSON_AddStringToObject(j, "task", "choice");
        cJSON_AddNumberToObject(j, "accuracy", m->accuracy);
    } else if (num_labels == 1) {
        cJSON_AddNumberToObject(j, "pearson", m->pearson);
        cJSON_AddNumberToObject(j, "spearman", m->spearman);
        cJSON_AddNumberToObject(j, "mse", m->mse);
    } else {
        cJSON_AddNumberToObject(j, "accuracy", m->accuracy);
        cJSON_AddNumberToObject(j, "f1", m->f1);
        cJSON_AddNumberToObject(j, "mcc", m->mcc);
    }
}

static double num(const cJSON *j, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, key);
    return cJSON_IsNumber(v) ? v->valuedouble : 0.0;
}

static void metrics_from_json(const cJSON *j, asacl_metrics *m)
{
    double n = num(j, "n");
    m->n = n >= 0 && n < 1e15 ? (size_t)n : 0;
    m->accuracy = num(j, "accuracy");
    m->f1 = num(j, "f1");
    m->mcc = num(j, "mcc");
    m->pearson = num(j, "pearson");
    m->spearman = num(j, "spearman");
    m->mse = num(j, "mse");
    const cJSON *task = cJSON_GetObjectItemCaseSensitive(j, "task");
    m->task = cJSON_IsString(task) && !strcmp(task->valuestring, "token")    ? ASACL_TASK_TOKEN
              : cJSON_IsString(task) && !strcmp(task->valuestring, "choice") ? ASACL_TASK_CHOICE
                                                                             : ASACL_TASK_SEQUENCE;
    double tokens = num(j, "tokens");
    m->tokens = tokens >= 0 && tokens < 1e15 ? (size_t)tokens : 0;
    m->token_precision = num(j, "token_precision");
    m->token_recall = num(j, "token_recall");
    m->token_f1 = num(j, "token_f1");
    m->entity_precision = num(j, "entity_precision");
    m->entity_recall = num(j, "entity_recall");
    m->entity_f1 = num(j, "entity_f1");
}

/* OUT/report.html from the run folder's files; a failure is logged, never
 * stops the run. */
static void refresh_report(const fit_run *f)
{
    if (asacl_report_write(f->o->out_dir) != ASACL_OK)
        rt_log(ASACL_LOG_WARN, "%s/report.html: %s", f->o->out_dir, asacl_last_error());
}

/* OUT/settings.json: the caller's settings, the training options, the device
 * and the profile -- what the report shows of a run. */
static void write_settings(const fit_run *f)
{
    const asacl_train_options *o = &f->t->t.o.pub;
    cJSON *j = f->o->run ? cJSON_Parse(f->o->run) : NULL;
    if (!cJSON_IsObject(j)) {
        cJSON_Delete(j);
        j = cJSON_CreateObject();
    }
    asacl_ctx *ctx = f->t->model->m.ctx;
    cJSON_DeleteItemFromObjectCaseSensitive(j, "fit");
    cJSON_AddStringToObject(j, "device", asacl_ctx_device(ctx)->name);
    cJSON_AddStringToObject(j, "profile", asacl_ctx_profile(ctx));
    cJSON_AddBoolToObject(j, "asa", o->asa);
    cJSON_AddNumberToObject(j, "tau", o->tau);
    cJSON_AddStringToObject(j, "asa_mask_mode", f->t->model->m.additive_masks ? "additive" : "replace");
    cJSON_AddNumberToObject(j, "lr", o->lr);
    cJSON_AddNumberToObject(j, "weight_decay", o->weight_decay);
    cJSON_AddNumberToObject(j, "warmup_ratio", o->warmup_ratio);
    cJSON_AddNumberToObject(j, "total_steps", (double)o->total_steps);
    cJSON_AddNumberToObject(j, "seed", (double)o->seed);
    cJSON_AddStringToObject(j, "padding", asacl_padding_name(o->padding));
    char *text = json_print(j);
    char path[4200];
    path_in(f, "settings.json", path, sizeof path);
    if (!text || rt_write_file_atomic(path, text, strlen(text)) != ASACL_OK)
        rt_log(ASACL_LOG_WARN, "cannot write %s", path);
    free(text);
    cJSON_Delete(j);
}

static asacl_status evaluate(fit_run *f, long step, long epoch)
{
    asacl_fit_result *r = f->r;
    asacl_model *am = f->t->model;
    int improved = 0;
    for (size_t d = 0; d < f->o->n_dev; d++) {
        asacl_metrics m;
        TRY(asacl_evaluate(am, f->o->dev[d], &m, NULL));
        r->last[d] = m;
        char line[512];
        if (m.task == ASACL_TASK_TOKEN)
            snprintf(line, sizeof line, "{\"eval\": \"%s\", \"step\": %ld, \"epoch\": %ld, "
                     "\"n\": %zu, \"tokens\": %zu, \"token_f1\": %.6f, \"token_precision\": %.6f, "
                     "\"token_recall\": %.6f, \"entity_f1\": %.6f, \"entity_precision\": %.6f, "
                     "\"entity_recall\": %.6f, \"accuracy\": %.6f}",
                     f->o->dev_name[d], step, epoch, m.n, m.tokens, m.token_f1, m.token_precision,
                     m.token_recall, m.entity_f1, m.entity_precision, m.entity_recall, m.accuracy);
        else if (m.task == ASACL_TASK_CHOICE)
            snprintf(line, sizeof line, "{\"eval\": \"%s\", \"step\": %ld, \"epoch\": %ld, "
                     "\"n\": %zu, \"accuracy\": %.6f}", f->o->dev_name[d], step, epoch, m.n,
                     m.accuracy);
        else if (f->num_labels == 1)
            snprintf(line, sizeof line, "{\"eval\": \"%s\", \"step\": %ld, \"epoch\": %ld, "
                     "\"n\": %zu, \"pearson\": %.6f, \"spearman\": %.6f, \"mse\": %.6f}",
                     f->o->dev_name[d], step, epoch, m.n, m.pearson, m.spearman, m.mse);
        else
            snprintf(line, sizeof line, "{\"eval\": \"%s\", \"step\": %ld, \"epoch\": %ld, "
                     "\"n\": %zu, \"accuracy\": %.6f, \"f1\": %.6f, \"mcc\": %.6f}",
                     f->o->dev_name[d], step, epoch, m.n, m.accuracy, m.f1, m.mcc);
        metrics_line(f, line);
        double v;
        r->metric = asacl_metrics_main(&m, f->num_labels, &v);
        if (d == 0 && (r->best_step < 0 || v > r->best)) {
            r->best = v;
            r->best_step = step;
            improved = 1;
        }
        asacl_fit_progress p = {.step = step, .epoch = epoch, .eval_name = f->o->dev_name[d],
                                .eval = &r->last[d], .improved = improved && d == 0};
        if (d == 0 && improved) { /* best/ before anyone hears of it */
            for (size_t k = 0; k < f->o->n_dev; k++) r->at_best[k] = r->last[k];
            char dir[4200];
            path_in(f, "best", dir, sizeof dir);
            /* the other dev sets are not evaluated yet: at_best fills in below */
            TRY(asacl_model_save(am, dir, f->o->vocab));
        } else if (improved) {
            r->at_best[d] = m;
        }
        notify(f, &p);
    }
    refresh_report(f);
    return ASACL_OK;
}

/* The caller's run text with the run's own state under "fit". */
static char *run_text(const fit_run *f)
{
    cJSON *j = f->o->run ? cJSON_Parse(f->o->run) : NULL;
    if (!cJSON_IsObject(j)) {
        cJSON_Delete(j);
        j = cJSON_CreateObject();
    }
    cJSON_DeleteItemFromObjectCaseSensitive(j, "fit");
    cJSON *fit = cJSON_AddObjectToObject(j, "fit");
    cJSON_AddNumberToObject(fit, "best", f->r->best);
    cJSON_AddNumberToObject(fit, "best_step", (double)f->r->best_step);
    cJSON *bm = cJSON_AddArrayToObject(fit, "at_best");
    for (size_t d = 0; d < f->o->n_dev; d++) {
        cJSON *m = cJSON_CreateObject();
        metrics_json(m, &f->r->at_best[d], f->num_labels);
        cJSON_AddItemToArray(bm, m);
    }
    char *text = cJSON_PrintUnformatted(j);
    cJSON_Delete(j);
    return text;
}

static asacl_status save_checkpoint(fit_run *f)
{
    char dir[4200];
    path_in(f, "checkpoint", dir, sizeof dir);
    char *text = run_text(f);
    if (!text) return rt_fail(ASACL_ERR_OUT_OF_MEMORY, "writing a checkpoint");
    asacl_status st = asacl_trainer_save(f->t, dir, f->train, f->o->vocab, text);
    free(text);
    return st;
}

/* Restores the trainer, the loader and the best-so-far of a checkpoint. */
static asacl_status resume(fit_run *f)
{
    asacl_train_options ignored;
    char *text = NULL;
    TRY(asacl_checkpoint_info(f->o->resume_dir, &ignored, &text));
    asacl_status st = asacl_trainer_resume(f->t, f->o->resume_dir, f->train);
    cJSON *j = st == ASACL_OK && text ? cJSON_Parse(text) : NULL;
    const cJSON *fit = cJSON_GetObjectItemCaseSensitive(j, "fit");
    if (st == ASACL_OK && !cJSON_IsObject(fit))
        st = rt_fail(ASACL_ERR_FORMAT, "%s: not written by asacl_fit (its run text has no "
                     "\"fit\" state)", f->o->resume_dir);
    if (st == ASACL_OK) {
        f->r->best = num(fit, "best");
        double bs = num(fit, "best_step"); /* range-checked before the conversion */
        f->r->best_step = bs >= -1 && bs < 1e15 ? (long)bs : -1;
        const cJSON *m;
        size_t d = 0;
        cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(fit, "at_best"))
        {
            if (d < ASACL_MAX_DEV) metrics_from_json(m, &f->r->at_best[d++]);
        }
    }
    cJSON_Delete(j);
    free(text);
    return st;
}

static void write_summary(fit_run *f)
{
    const asacl_fit_result *r = f->r;
    const asacl_train_options *o = &f->t->t.o.pub;
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "device", asacl_ctx_device(f->t->model->m.ctx)->name);
    cJSON_AddBoolToObject(j, "asa", o->asa);
    cJSON_AddNumberToObject(j, "tau", o->tau);
    cJSON_AddStringToObject(j, "padding", asacl_padding_name(o->padding));
    cJSON_AddNumberToObject(j, "seed", (double)o->seed);
    cJSON_AddNumberToObject(j, "steps", (double)r->steps);
    cJSON_AddNumberToObject(j, "seconds", r->seconds);
    cJSON_AddNumberToObject(j, "tokens_per_second", r->seconds > 0 ? r->tokens / r->seconds : 0);
    cJSON_AddNumberToObject(j, "best_step", (double)r->best_step);
    cJSON_AddStringToObject(j, "profile", asacl_ctx_profile(f->t->model->m.ctx));
    for (size_t d = 0; d < f->o->n_dev; d++) {
        double v, b;
        const char *name = asacl_metrics_main(&r->last[d], f->num_labels, &v);
        asacl_metrics_main(&r->at_best[d], f->num_labels, &b);
        char key[160];
        snprintf(key, sizeof key, "%s_%s_final", f->o->dev_name[d], name);
        cJSON_AddNumberToObject(j, key, v);
        snprintf(key, sizeof key, "%s_%s_at_best", f->o->dev_name[d], name);
        cJSON_AddNumberToObject(j, key, b);
        if (r->last[d].task == ASACL_TASK_TOKEN) { /* what NER users compare, too */
            const asacl_metrics *fm = &r->last[d], *bm = &r->at_best[d];
            const char *what[3] = {"entity_precision", "entity_recall", "entity_f1"};
            double fin[3] = {fm->entity_precision, fm->entity_recall, fm->entity_f1},
                   best[3] = {bm->entity_precision, bm->entity_recall, bm->entity_f1};
            for (int k = 0; k < 3; k++) {
                snprintf(key, sizeof key, "%s_%s_final", f->o->dev_name[d], what[k]);
                cJSON_AddNumberToObject(j, key, fin[k]);
                snprintf(key, sizeof key, "%s_%s_at_best", f->o->dev_name[d], what[k]);
                cJSON_AddNumberToObject(j, key, best[k]);
            }
        }
    }
    char *text = json_print(j);
    char path[4200];
    path_in(f, "summary.json", path, sizeof path);
    if (text) rt_write_file_atomic(path, text, strlen(text));
    free(text);
    cJSON_Delete(j);
}

/* One metrics.jsonl line for a logged step (spaced as Python's json.dumps). */
static void log_step(fit_run *f, const asacl_fit_progress *p)
{
    const asacl_step_stats *ss = p->stats;
    const asacl_train_options *o = &f->t->t.o.pub;
    char line[2048];
    int k = snprintf(line, sizeof line,
                     "{\"step\": %ld, \"epoch\": %ld, \"loss\": %.6f, \"task\": %.6f, "
                     "\"vloss\": %.6f, \"rloss\": %.4f, \"total\": %.6f, \"lr\": %.6g, "
                     "\"train_accuracy\": %.4f, \"tokens_per_second\": %.1f, "
                     "\"masked_fraction\": [",
                     p->step, p->epoch, p->mean_loss, ss->task, ss->vloss, ss->rloss, ss->total,
                     ss->lr, p->train_accuracy, p->tokens_per_second);
    int L = f->t->model->m.cfg.num_hidden_layers;
    for (int l = 0; l < L && l < ASACL_MAX_LAYERS && k < (int)sizeof line - 16; l++)
        k += snprintf(line + k, sizeof line - (size_t)k, "%s%.4f", l ? ", " : "",
                      o->asa ? ss->masked_fraction[l] : 0.0);
    snprintf(line + k, sizeof line - (size_t)k, "]}");
    metrics_line(f, line);
}

static asacl_status loop(fit_run *f)
{
    const asacl_fit_options *o = f->o;
    long per_epoch = asacl_loader_batches_per_epoch(f->train), total = per_epoch * o->epochs;
    long stop = o->max_steps > 0 && o->max_steps < total ? o->max_steps : total;
    long step = asacl_trainer_steps_done(f->t), since_log = 0;
    double t0 = rt_now(), acc_loss = 0, acc_correct = 0, acc_seen = 0;
    asacl_status st = ASACL_OK;
    while (st == ASACL_OK && step < stop && asacl_loader_position(f->train).epoch < o->epochs) {
        long epoch = asacl_loader_position(f->train).epoch;
        asacl_batch bt;
        size_t tokens;
        TRY(asacl_loader_next(f->train, &bt, &tokens));
        asacl_step_stats ss;
        TRY(asacl_trainer_step(f->t, &bt, &ss));
        step++;
        f->r->tokens += (double)tokens;
        acc_loss += ss.loss;
        acc_correct += ss.correct;
        acc_seen += (double)ss.counted; /* examples, or labelled tokens */
        since_log++;
        int epoch_end = asacl_loader_position(f->train).index == 0;
        asacl_fit_progress p = {.step = step, .total = stop, .epoch = epoch, .stats = &ss,
                                .mean_loss = acc_loss / (double)since_log,
                                .train_accuracy = f->num_labels > 1 || f->task != ASACL_TASK_SEQUENCE
                                                      ? acc_correct / (acc_seen > 0 ? acc_seen : 1)
                                                      : -1,
                                .tokens_per_second = f->r->tokens / (rt_now() - t0 + 1e-9)};
        p.logged = step % o->log_every == 0 || step == stop || step == 1;
        if (p.logged) log_step(f, &p);
        notify(f, &p);
        if (p.logged) {
            since_log = 0;
            acc_loss = acc_correct = acc_seen = 0;
        }
        if (f->writer && o->n_dev && ((o->eval_every && step % o->eval_every == 0) ||
                         (!o->eval_every && epoch_end) || step == stop))
            st = evaluate(f, step, epoch);
        if (st == ASACL_OK && f->writer && ((o->save_every && step % o->save_every == 0) ||
                               (!o->save_every && epoch_end) || step == stop))
            st = save_checkpoint(f);
    }
    f->r->steps = step;
    f->r->seconds = rt_now() - t0;
    return st;
}

asacl_status asacl_fit(asacl_trainer *t, asacl_loader *train, const asacl_fit_options *o,
                       asacl_fit_result *r)
{
    if (!t || !train || !o || !r || !o->out_dir)
        return rt_fail(ASACL_ERR_INVALID_ARG, "asacl_fit: NULL argument (out_dir is required)");
    if (o->epochs < 1 || o->log_every < 1 || o->eval_every < 0 || o->save_every < 0 ||
        o->max_steps < 0 || o->n_dev > ASACL_MAX_DEV)
        return rt_fail(ASACL_ERR_INVALID_ARG, "fit options: epochs %ld, log_every %ld, eval_every "
                       "%ld, save_every %ld, max_steps %ld or %zu dev sets out of range",
                       o->epochs, o->log_every, o->eval_every, o->save_every, o->max_steps, o->n_dev);
    if (asacl_loader_size(train) == 0)
        return rt_fail(ASACL_ERR_INVALID_ARG, "asacl_fit: the training loader has no examples");
    memset(r, 0, sizeof *r);
    r->best_step = -1;
    const asacl_model_config *cfg = asacl_model_get_config(t->model);
    r->metric = cfg->task != ASACL_TASK_SEQUENCE ? t->t.task->metric
                : cfg->num_labels == 1           ? "pearson"
                                                 : "accuracy";
    fit_run f = {t, train, o, r, NULL, cfg->num_labels, asacl_dist_rank(t->t.o.pub.dist) == 0,
                 cfg->task};
    TRY(rt_mkdirs(o->out_dir));
    if (o->resume_dir) TRY(resume(&f));
    char path[4200];
    path_in(&f, "metrics.jsonl", path, sizeof path);
    if (f.writer) {
        f.metrics = fopen(path, o->resume_dir ? "a" : "w");
        if (!f.metrics) rt_log(ASACL_LOG_WARN, "cannot write %s", path);
        write_settings(&f);
    }
    asacl_status st = loop(&f);
    if (f.metrics) fclose(f.metrics);
    if (st == ASACL_OK && f.writer) {
        write_summary(&f);
        refresh_report(&f);
    }
    return st;
}
