/* api.c -- the public training API (include/asacl.h): trainers over public
 * models, and training checkpoints. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <float.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "io/folder.h"
#include "model/folder_params.h"
#include "model/api.h"
#include "train/api.h"
#include "train/loader.h"
#include "train/trainer.h"


void asacl_train_options_init(asacl_train_options *o)
{
    if (!o) return;
    train_opts d;
    train_opts_default(&d);
    *o = d.pub;
}

asacl_status asacl_trainer_create(asacl_model *am, const asacl_train_options *o,
                                  asacl_trainer **out)
{
    if (!am || !o || !out) return rt_fail(ASACL_ERR_INVALID_ARG, "asacl_trainer_create: NULL argument");
    *out = NULL;
    if (o->max_batch == 0 || o->max_seq_len < 2 || o->total_steps < 1)
        return rt_fail(ASACL_ERR_INVALID_ARG, "training options: max_batch %zu, max_seq_len %zu "
                       "and total_steps %ld must be positive (max_seq_len >= 2)",
                       o->max_batch, o->max_seq_len, o->total_steps);
    if (o->tau < 0 || !(o->lr >= 0) || o->warmup_ratio < 0 || o->warmup_ratio > 1)
        return rt_fail(ASACL_ERR_INVALID_ARG, "training options: tau %g, lr %g, warmup ratio %g "
                       "out of range", (double)o->tau, (double)o->lr, (double)o->warmup_ratio);
    if (o->max_seq_len > (size_t)am->m.cfg.max_position_embeddings)
        return rt_fail(ASACL_ERR_INVALID_ARG, "training options: max_seq_len %zu exceeds the "
                       "model's max_position_embeddings %d", o->max_seq_len,
                       am->m.cfg.max_position_embeddings);
    if (o->padding != ASACL_PADDING_MAX_LENGTH && o->padding != ASACL_PADDING_LONGEST)
        return rt_fail(ASACL_ERR_INVALID_ARG, "training options: padding %d unknown", (int)o->padding);
    train_opts to;
    train_opts_default(&to);
    to.pub = *o;
    asacl_trainer *t = calloc(1, sizeof *t);
    if (!t) return rt_fail(ASACL_ERR_OUT_OF_MEMORY, "creating a trainer");
    /* -1: the reference's semantics for the model (additive for RoBERTa). */
    am->m.additive_masks = o->additive_masks >= 0 ? o->additive_masks : am->m.layout.roberta;
    t->model = am;
    asacl_status st = trainer_create(&am->m, &to, &t->t);
    if (st != ASACL_OK) {
        free(t);
        return st;
    }
    *out = t;
    return ASACL_OK;
}

void asacl_trainer_destroy(asacl_trainer *t)
{
    if (!t) return;
    trainer_destroy(&t->t);
    free(t);
}

long asacl_trainer_steps_done(const asacl_trainer *t) { return t ? t->t.step : 0; }

void asacl_trainer_set_timing(asacl_trainer *t, int on)
{
    if (!t) return;
    t->t.timing = on;
    memset(t->t.phase_s, 0, sizeof t->t.phase_s);
    t->t.comm_s = t->t.wait_s = 0;
    t->t.comm_steps = 0;
    t->t.timed_steps = 0;
}

void asacl_trainer_get_timing(const asacl_trainer *t, asacl_step_timing *out)
{
    if (!t || !out) return;
    out->steps = t->t.timed_steps;
    out->clean_forward = t->t.phase_s[PHASE_CLEAN_FORWARD];
    out->adversarial_forward = t->t.phase_s[PHASE_ADV_FORWARD];
    out->losses = t->t.phase_s[PHASE_LOSSES];
    out->backward = t->t.phase_s[PHASE_BACKWARD];
    out->optimizer = t->t.phase_s[PHASE_OPTIMIZER];
    out->allreduce = t->t.comm_s;
    out->allreduce_wait = t->t.wait_s;
    out->allreduce_steps = t->t.comm_steps;
    out->allreduce_bytes = trainer_allreduce_bytes(&t->t);
}

asacl_status asacl_trainer_step(asacl_trainer *t, const asacl_batch *b, asacl_step_stats *stats)
{
    if (!t || !b) return rt_fail(ASACL_ERR_INVALID_ARG, "asacl_trainer_step: NULL argument");
    return trainer_step(&t->t, b, stats);
}

/* ---- checkpoints ------------------------------------------------------------ */

#define STATE_FILE "trainer_state.safetensors"
#define STATE_FORMAT "asacl-trainer-state"
#define STATE_VERSION "2" /* 2: padding, the loader's options and position */

static int not_inference(const char *name) { return !folder_is_inference_tensor(name); }

/* The state's metadata: key/value text pairs, NULL-terminated. */
typedef struct state_meta {
    const char *kv[2 * 32 + 1];
    char text[32][64];
    size_t n;
} state_meta;

static void meta_put(state_meta *sm, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void meta_put(state_meta *sm, const char *key, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(sm->text[sm->n], sizeof sm->text[sm->n], fmt, ap);
    va_end(ap);
    sm->kv[2 * sm->n] = key;
    sm->kv[2 * sm->n + 1] = sm->text[sm->n];
    sm->kv[2 * ++sm->n] = NULL;
}

static asacl_status write_state(const asacl_trainer *t, const char *path, const asacl_loader *l,
                                const char *run)
{
    const model *m = t->t.m;
    const param_layout *pl = &m->layout;
    size_t n = pl->total;
    float *p = malloc(n * sizeof *p), *mm = malloc(n * sizeof *mm), *vv = malloc(n * sizeof *vv);
    asacl_status st = ASACL_OK;
    if (!p || !mm || !vv) st = rt_fail(ASACL_ERR_OUT_OF_MEMORY, "writing a checkpoint");
    if (st == ASACL_OK) st = rt_download(m->ctx, m->params, 0, n, p);
    if (st == ASACL_OK) st = rt_download(m->ctx, m->adam_m, 0, n, mm);
    if (st == ASACL_OK) st = rt_download(m->ctx, m->adam_v, 0, n, vv);
    if (st == ASACL_OK) {
        const asacl_train_options *o = &t->t.o.pub;
        state_meta sm;
        sm.n = 0;
        meta_put(&sm, "format", "%s", STATE_FORMAT);
        meta_put(&sm, "version", "%s", STATE_VERSION);
        meta_put(&sm, "step", "%ld", t->t.step);
        meta_put(&sm, "seed", "%" PRIu64, o->seed);
        meta_put(&sm, "layout_total", "%zu", n);
        meta_put(&sm, "asa", "%d", o->asa);
        meta_put(&sm, "additive_masks", "%d", m->additive_masks);
        meta_put(&sm, "tau", "%.9g", (double)o->tau);
        meta_put(&sm, "lr", "%.9g", (double)o->lr);
        meta_put(&sm, "weight_decay", "%.9g", (double)o->weight_decay);
        meta_put(&sm, "warmup_ratio", "%.9g", (double)o->warmup_ratio);
        meta_put(&sm, "max_grad_norm", "%.9g", (double)o->max_grad_norm);
        meta_put(&sm, "total_steps", "%ld", o->total_steps);
        meta_put(&sm, "max_batch", "%zu", o->max_batch);
        meta_put(&sm, "max_seq_len", "%zu", o->max_seq_len);
        meta_put(&sm, "padding", "%s", asacl_padding_name(o->padding));
        meta_put(&sm, "max_choices", "%zu", o->max_choices);
        /* informative: a resume on another split trains the same objective, not the same bits */
        meta_put(&sm, "grad_accum", "%zu", t->t.accum);
        meta_put(&sm, "shards", "%zu", t->t.shards);
        if (l) {
            asacl_data_position pos = asacl_loader_position(l);
            meta_put(&sm, "epoch", "%ld", pos.epoch);
            meta_put(&sm, "index", "%ld", pos.index);
            meta_put(&sm, "loader_examples", "%zu", l->n);
            meta_put(&sm, "loader_batch_size", "%zu", l->o.batch_size);
            meta_put(&sm, "loader_max_seq_len", "%zu", l->o.max_seq_len);
            meta_put(&sm, "loader_padding", "%s", asacl_padding_name(l->o.padding));
            meta_put(&sm, "loader_shuffle", "%d", l->o.shuffle);
            meta_put(&sm, "loader_seed", "%" PRIu64, l->o.seed);
        }
        meta_put(&sm, "run", "%s", ""); /* set below: the caller's text may be long */
        sm.kv[2 * sm.n - 1] = run ? run : "";
        const char *const *meta = sm.kv;
        /* The adversaries under their names, the moments as flat buffers. */
        size_t na = 0;
        for (size_t i = 0; i < pl->count; i++) na += not_inference(pl->entries[i].name);
        st_write_item *items = calloc(na + 2, sizeof *items);
        int64_t *shapes = calloc(2 * (na + 2), sizeof *shapes);
        if (!items || !shapes) st = rt_fail(ASACL_ERR_OUT_OF_MEMORY, "writing a checkpoint");
        size_t k = 0;
        for (size_t i = 0; st == ASACL_OK && i < pl->count; i++) {
            const param_entry *e = &pl->entries[i];
            if (!not_inference(e->name)) continue;
            shapes[2 * k] = (int64_t)e->rows;
            shapes[2 * k + 1] = (int64_t)e->cols;
            items[k] = (st_write_item){e->name, ST_F32, e->cols > 1 ? 2 : 1, shapes + 2 * k,
                                       p + e->off};
            k++;
        }
        if (st == ASACL_OK) {
            int64_t *flat = shapes + 2 * na; /* [n] */
            flat[0] = (int64_t)n;
            items[k++] = (st_write_item){"optimizer.exp_avg", ST_F32, 1, flat, mm};
            items[k++] = (st_write_item){"optimizer.exp_avg_sq", ST_F32, 1, flat, vv};
            st = st_write(path, items, k, meta);
        }
        free(items);
        free(shapes);
    }
    free(p);
    free(mm);
    free(vv);
    return st;
}

typedef struct save_job {
    const asacl_trainer *t;
    const asacl_loader *loader;
    const char *vocab, *run;
} save_job;

static asacl_status write_checkpoint(const char *tmp, void *user)
{
    save_job *j = user;
    char path[4200];
    TRY(model_write_folder(j->t->model, tmp, j->vocab));
    snprintf(path, sizeof path, "%s/%s", tmp, STATE_FILE);
    return write_state(j->t, path, j->loader, j->run);
}

asacl_status asacl_trainer_save(const asacl_trainer *t, const char *dir,
                                const asacl_loader *loader, const char *vocab, const char *run)
{
    if (!t || !dir) return rt_fail(ASACL_ERR_INVALID_ARG, "asacl_trainer_save: NULL argument");
    save_job j = {t, loader, vocab, run};
    asacl_status st = folder_replace(dir, write_checkpoint, &j);
    if (st != ASACL_OK) rt_error_context("saving the checkpoint %s", dir);
    return st;
}

/* The numbers of the metadata and their ranges, checked when a state is
 * opened, so that meta_num's conversions are always in range. */
static const struct state_key {
    const char *key;
    double lo, hi;
    int integer;
} state_keys[] = {
    {"step", 0, 1e15, 1},          {"seed", 0, 0, 2},              {"layout_total", 0, 1e15, 1},
    {"asa", 0, 1, 1},
    {"additive_masks", 0, 1, 1},   {"tau", 0, FLT_MAX, 0},         {"lr", 0, FLT_MAX, 0},
    {"weight_decay", -FLT_MAX, FLT_MAX, 0},                         {"warmup_ratio", 0, 1, 0},
    {"max_grad_norm", 0, FLT_MAX, 0}, {"total_steps", 1, 1e15, 1}, {"max_batch", 1, 1e9, 1},
    {"max_seq_len", 2, 1e9, 1},
};

static asacl_status check_state_key(const st_file *f, const char *path, const struct state_key *k)
{
    const char *v = st_metadata(f, k->key);
    if (!v) return rt_fail(ASACL_ERR_FORMAT, "%s: metadata lacks \"%s\"", path, k->key);
    char *end = NULL;
    int ok;
    if (k->integer == 2) { /* a 64-bit seed: decimal digits only */
        errno = 0;
        (void)strtoull(v, &end, 10);
        ok = *v >= '0' && *v <= '9' && errno == 0 && !*end;
    } else {
        double x = strtod(v, &end);
        ok = *v && !*end && x >= k->lo && x <= k->hi && (!k->integer || x == floor(x));
    }
    if (ok) return ASACL_OK;
    if (k->integer == 2)
        return rt_fail(ASACL_ERR_FORMAT, "%s: metadata \"%s\" must be a 64-bit unsigned integer, "
                       "found \"%.40s\"", path, k->key, v);
    return rt_fail(ASACL_ERR_FORMAT, "%s: metadata \"%s\" must be %s in [%.9g, %.9g], found \"%.40s\"",
                   path, k->key, k->integer ? "an integer" : "a number", k->lo, k->hi, v);
}

static asacl_status open_state(const char *dir, st_file *f)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", dir, STATE_FILE);
    TRY(st_open(path, f));
    const char *fmt = st_metadata(f, "format"), *ver = st_metadata(f, "version");
    if (!fmt || strcmp(fmt, STATE_FORMAT) != 0 || !ver || strcmp(ver, STATE_VERSION) != 0) {
        int v1 = ver && !strcmp(ver, "1"); /* before st_close frees the metadata */
        st_close(f);
        return rt_fail(ASACL_ERR_FORMAT, "%s: not an asacl trainer state of version %s%s", path,
                       STATE_VERSION, v1 ? " (version 1 came from an older asacl, which padded "
                       "batches differently; start the run again)" : "");
    }
    /* The loader's part is there when the checkpoint was saved with one. */
    static const struct state_key loader_keys[] = {
        {"epoch", 0, 1e15, 1},            {"index", 0, 1e15, 1},
        {"loader_examples", 0, 1e15, 1},  {"loader_batch_size", 1, 1e9, 1},
        {"loader_max_seq_len", 3, 1e9, 1}, {"loader_shuffle", 0, 1, 1},
        {"loader_seed", 0, 0, 2},
    };
    int with_loader = st_metadata(f, "loader_examples") != NULL;
    asacl_padding pad;
    for (size_t i = 0; i < sizeof state_keys / sizeof state_keys[0]; i++) {
        asacl_status st = check_state_key(f, path, &state_keys[i]);
        for (size_t k = 0; st == ASACL_OK && with_loader && i == 0 &&
                           k < sizeof loader_keys / sizeof loader_keys[0]; k++)
            st = check_state_key(f, path, &loader_keys[k]);
        if (st == ASACL_OK && i == 0) {
            const char *names[2] = {"padding", with_loader ? "loader_padding" : "padding"};
            for (int k = 0; k < 2 && st == ASACL_OK; k++)
                if (asacl_padding_parse(st_metadata(f, names[k]), &pad) != ASACL_OK)
                    st = rt_fail(ASACL_ERR_FORMAT, "%s: metadata \"%s\" must be max_length or "
                                 "longest", path, names[k]);
        }
        if (st != ASACL_OK) {
            st_close(f);
            return st;
        }
    }
    return ASACL_OK;
}

static double meta_num(const st_file *f, const char *key) { return strtod(st_metadata(f, key), NULL); }

asacl_status asacl_checkpoint_info(const char *dir, asacl_train_options *o, char **run)
{
    if (!dir || !o) return rt_fail(ASACL_ERR_INVALID_ARG, "asacl_checkpoint_info: NULL argument");
    st_file f;
    TRY(open_state(dir, &f));
    asacl_train_options_init(o);
    o->asa = (int)meta_num(&f, "asa");
    o->additive_masks = (int)meta_num(&f, "additive_masks");
    o->tau = (float)meta_num(&f, "tau");
    o->lr = (float)meta_num(&f, "lr");
    o->weight_decay = (float)meta_num(&f, "weight_decay");
    o->warmup_ratio = (float)meta_num(&f, "warmup_ratio");
    o->max_grad_norm = (float)meta_num(&f, "max_grad_norm");
    o->total_steps = (long)meta_num(&f, "total_steps");
    o->seed = strtoull(st_metadata(&f, "seed"), NULL, 10);
    o->max_batch = (size_t)meta_num(&f, "max_batch");
    o->max_seq_len = (size_t)meta_num(&f, "max_seq_len");
    asacl_status st = asacl_padding_parse(st_metadata(&f, "padding"), &o->padding);
    const char *mc = st_metadata(&f, "max_choices"); /* absent before multiple choice: 0 */
    double nmc = mc ? strtod(mc, NULL) : 0;
    o->max_choices = nmc >= 0 && nmc <= 1e6 ? (size_t)nmc : 0;
    if (run) {
        const char *r = st_metadata(&f, "run");
        *run = r && *r ? strdup(r) : NULL;
        if (r && *r && !*run) st = rt_fail(ASACL_ERR_OUT_OF_MEMORY, "reading a checkpoint");
    }
    st_close(&f);
    return st;
}

/* The loader must be what it was when the checkpoint was written. */
static asacl_status check_loader(const st_file *f, const char *dir, const asacl_loader *l)
{
    if (!st_metadata(f, "loader_examples"))
        return rt_fail(ASACL_ERR_INVALID_ARG, "%s was saved without a data loader; resume it "
                       "without one", dir);
    char want[6][64];
    snprintf(want[0], 64, "%zu", l->n);
    snprintf(want[1], 64, "%zu", l->o.batch_size);
    snprintf(want[2], 64, "%zu", l->o.max_seq_len);
    snprintf(want[3], 64, "%s", asacl_padding_name(l->o.padding));
    snprintf(want[4], 64, "%d", l->o.shuffle);
    snprintf(want[5], 64, "%" PRIu64, l->o.seed);
    static const char *keys[6] = {"loader_examples", "loader_batch_size", "loader_max_seq_len",
                                  "loader_padding", "loader_shuffle", "loader_seed"};
    for (int i = 0; i < 6; i++) {
        const char *had = st_metadata(f, keys[i]);
        if (!had || strcmp(had, want[i]) != 0)
            return rt_fail(ASACL_ERR_INVALID_ARG, "%s: the data loader differs from the run's: %s "
                           "was %s, is %s", dir, keys[i] + 7, had ? had : "(missing)", want[i]);
    }
    return ASACL_OK;
}

asacl_status asacl_trainer_resume(asacl_trainer *t, const char *dir, asacl_loader *loader)
{
    if (!t || !dir) return rt_fail(ASACL_ERR_INVALID_ARG, "asacl_trainer_resume: NULL argument");
    model *m = t->t.m;
    const param_layout *pl = &m->layout;
    st_file f;
    TRY(open_state(dir, &f));
    asacl_status st = ASACL_OK;
    size_t n = pl->total;
    if (loader) st = check_loader(&f, dir, loader);
    if (st == ASACL_OK && ((size_t)meta_num(&f, "layout_total") != n ||
                           strtoull(st_metadata(&f, "seed"), NULL, 10) != t->t.o.pub.seed ||
                           strcmp(st_metadata(&f, "padding"), asacl_padding_name(t->t.o.pub.padding))))
        st = rt_fail(ASACL_ERR_INVALID_ARG, "%s: the checkpoint's model shape, seed or padding differs from "
                     "this trainer's (create it from asacl_checkpoint_info)", dir);
    float *values = malloc(n * sizeof *values), *mom = malloc(n * sizeof *mom);
    folder_read r = {calloc(pl->count, 1), 0, 0};
    if (st == ASACL_OK && (!values || !mom || !r.have))
        st = rt_fail(ASACL_ERR_OUT_OF_MEMORY, "resuming %s", dir);
    if (st == ASACL_OK) {
        memset(values, 0, n * sizeof *values);
        char path[4200];
        snprintf(path, sizeof path, "%s/model.safetensors", dir);
        st_file mf;
        st = st_open(path, &mf);
        if (st == ASACL_OK) {
            st = folder_read_params(&mf, pl, values, NULL, &r);
            st_close(&mf);
        }
    }
    if (st == ASACL_OK) st = folder_read_params(&f, pl, values, NULL, &r);
    for (size_t i = 0; st == ASACL_OK && i < pl->count; i++)
        if (!r.have[i])
            st = rt_fail(ASACL_ERR_FORMAT, "checkpoint %s lacks %s", dir, pl->entries[i].name);
    if (st == ASACL_OK) st = rt_upload(m->ctx, m->params, 0, n, values);
    const char *mom_names[2] = {"optimizer.exp_avg", "optimizer.exp_avg_sq"};
    cl_mem mom_bufs[2] = {m->adam_m, m->adam_v};
    for (int k = 0; k < 2 && st == ASACL_OK; k++) {
        const st_tensor *tt = st_find(&f, mom_names[k]);
        if (!tt || tt->dtype != ST_F32 || st_numel(tt) != n)
            st = rt_fail(ASACL_ERR_FORMAT, "%s/%s: %s missing or not F32 [%zu]", dir, STATE_FILE,
                         mom_names[k], n);
        if (st == ASACL_OK) st = st_to_f32(&f, tt, mom);
        if (st == ASACL_OK) st = rt_upload(m->ctx, mom_bufs[k], 0, n, mom);
    }
    if (st == ASACL_OK) {
        t->t.step = (long)meta_num(&f, "step");
        if (loader) {
            asacl_data_position pos = {(long)meta_num(&f, "epoch"), (long)meta_num(&f, "index")};
            st = asacl_loader_seek(loader, &pos);
        }
    }
    free(values);
    free(mom);
    free(r.have);
    st_close(&f);
    return st;
}
