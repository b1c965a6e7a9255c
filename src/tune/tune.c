/* tune.c -- asacl tune: searches the tunable parameters of the kernels on
 * one device and writes a device profile (the format of the JSON files in devices/).
 *
 * Each parameter is searched on its own, the others held at their best so
 * far: every candidate runs in a fresh context built from a candidate
 * profile, is checked against the result of the starting profile, and is
 * timed by the device (OpenCL profiling events, summed over repetitions).
 * Progress is written to the output profile after every parameter, so a run
 * that hits its budget resumes where it stopped.
 *
 * The candidates of each parameter are tune_ops.c's, unless the starting
 * profile gives its own under "tuning": {"space": {...}} (devices/README.md):
 * a list there replaces the built-in one ([] searches nothing), and with
 * "space_only": true only the listed parameters are searched. The GPU
 * profiles use it to search the tiled GEMM kernels and the backend choice
 * among all three. A candidate the GEMM layer refuses for this device
 * (ASACL_ERR_PROFILE: an invalid tile combination, too much local memory, a
 * work-group over the device's limit) is recorded as invalid and skipped. */
#define _POSIX_C_SOURCE 200809L
#include <cjson/cJSON.h>
#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "gemm/gemm.h"
#include "runtime/runtime.h"
#include "tune/tune.h"

void asacl_tune_options_init(asacl_tune_options *o)
{
    if (!o) return;
    memset(o, 0, sizeof *o);
    asacl_config_named("bench", &o->config, &o->batch, &o->seq_len);
    o->reps = 3;
}

static void say(const asacl_tune_options *o, const char *fmt, ...)
{
    if (!o->progress) return;
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    o->progress(line, o->user);
}

/* The default output: a file named after the device in dir, or in the
 * user's profile folder. */
static void default_output(const asacl_device_info *d, const char *dir, char *out, size_t cap)
{
    char slug[160], user[4096];
    size_t n = 0;
    for (const char *p = d->name; *p && n + 1 < sizeof slug; p++)
        if (isalnum((unsigned char)*p)) slug[n++] = (char)tolower((unsigned char)*p);
        else if (n && slug[n - 1] != '-') slug[n++] = '-';
    while (n && slug[n - 1] == '-') n--;
    slug[n] = 0;
    if (!(dir && *dir)) dir = rt_user_dir("config", "devices", user, sizeof user) ? user : ".";
    snprintf(out, cap, "%s/%s.json", dir, slug);
}

/* The kernels section of a context's profile, as JSON. */
static cJSON *kernels_of(const asacl_ctx *ctx)
{
    cJSON *k = cJSON_CreateObject();
    for (size_t i = 0; i < ctx->profile.n_defines; i++) {
        const rt_define *d = &ctx->profile.defines[i];
        cJSON *prog = cJSON_GetObjectItemCaseSensitive(k, d->program);
        if (!prog) prog = cJSON_AddObjectToObject(k, d->program);
        char *end;
        double v = strtod(d->value, &end);
        cJSON_DeleteItemFromObjectCaseSensitive(prog, d->name);
        if (*end == 0) cJSON_AddNumberToObject(prog, d->name, v);
        else cJSON_AddStringToObject(prog, d->name, d->value);
    }
    return k;
}

static void set_param(cJSON *kernels, const char *program, const char *name, double v)
{
    cJSON *prog = cJSON_GetObjectItemCaseSensitive(kernels, program);
    if (!prog) prog = cJSON_AddObjectToObject(kernels, program);
    cJSON_DeleteItemFromObjectCaseSensitive(prog, name);
    cJSON_AddNumberToObject(prog, name, v);
}

static long kernel_param(cJSON *kernels, const char *program, const char *name, long fallback)
{
    cJSON *v = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(kernels, program), name);
    return cJSON_IsNumber(v) ? (long)v->valuedouble : fallback;
}

/* Puts candidate v of p into kernels. The own GEMM's vector width is
 * compared at an equal register budget: a narrower vector gets
 * proportionally more rows (TILE_RM), so that VW 8 is not judged by a tile
 * half the size of VW 16's; TILE_RM, searched next, then settles the rows at
 * the chosen width. Returns the TILE_RM it set, or 0. */
static long apply_candidate(cJSON *kernels, const tune_param *p, long v)
{
    long rm = 0;
    if (!strcmp(p->program, "gemm") && !strcmp(p->name, "TILE_VW")) {
        long vw = kernel_param(kernels, "gemm", "TILE_VW", 16);
        long rows = kernel_param(kernels, "gemm", "TILE_RM", 0);
        if (rows > 0 && v > 0) {
            rm = rows * vw / v;
            rm = rm < 1 ? 1 : rm > 16 ? 16 : rm;
            set_param(kernels, "gemm", "TILE_RM", (double)rm);
        }
    }
    set_param(kernels, p->program, p->name, (double)v);
    return rm;
}

static asacl_status write_json(const char *path, cJSON *doc)
{
    char *text = cJSON_Print(doc);
    if (!text) return rt_fail(ASACL_ERR_OUT_OF_MEMORY, "writing %s", path);
    char dir[1024];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    asacl_status st = ASACL_OK;
    if (slash) {
        *slash = 0;
        st = rt_mkdirs(dir);
    }
    if (st == ASACL_OK) st = rt_write_file_atomic(path, text, strlen(text));
    free(text);
    return st;
}

/* A profile document for this device with the given kernels section. */
static cJSON *profile_doc(const asacl_device_info *d, cJSON *kernels, cJSON *tuning)
{
    cJSON *doc = cJSON_CreateObject();
    cJSON_AddNumberToObject(doc, "asacl_profile", 1);
    cJSON *id = cJSON_AddObjectToObject(doc, "identity");
    cJSON_AddStringToObject(id, "platform", d->platform_name);
    cJSON_AddStringToObject(id, "name", d->name);
    cJSON_AddBoolToObject(doc, "tuned", 1);
    char desc[512];
    snprintf(desc, sizeof desc, "Measured by asacl tune %s on %s (driver %s).",
             asacl_version_string(), d->name, d->driver_version);
    cJSON_AddStringToObject(doc, "description", desc);
    cJSON_AddItemReferenceToObject(doc, "kernels", kernels);
    if (tuning) cJSON_AddItemReferenceToObject(doc, "tuning", tuning);
    return doc;
}

/* Device seconds of the kernels timed since timing was switched on. */
static asacl_status timed_seconds(asacl_ctx *ctx, double *seconds)
{
    asacl_kernel_time k[64];
    size_t n = 0;
    TRY(asacl_ctx_kernel_times(ctx, k, 64, &n));
    *seconds = 0;
    for (size_t i = 0; i < n; i++) *seconds += k[i].seconds;
    return ASACL_OK;
}

/* Runs one benchmark under a profile given as a kernels section: device
 * seconds per repetition (at least o->reps of them, and enough for about
 * 0.1 s of device time, so short kernels are timed as well as long ones),
 * and the check values. */
/* A fresh context on the device under a candidate kernels section
 * (written to the temporary profile file tmp). */
static asacl_status candidate_ctx(const asacl_device_info *d, cJSON *kernels, const char *tmp,
                                  asacl_ctx **ctx)
{
    cJSON *doc = profile_doc(d, kernels, NULL);
    asacl_status st = write_json(tmp, doc);
    cJSON_Delete(doc);
    if (st != ASACL_OK) return st;
    asacl_ctx_options co;
    asacl_ctx_options_init(&co);
    char spec[32];
    snprintf(spec, sizeof spec, "%zu", d->index);
    co.device = spec;
    co.profile_path = tmp;
    return asacl_ctx_create(&co, ctx);
}

static asacl_status measure(const asacl_tune_options *o, const asacl_device_info *d,
                            cJSON *kernels, const tune_param *p, const tune_shape *s,
                            const char *tmp, double *seconds, float *check)
{
    asacl_ctx *ctx = NULL;
    TRY(candidate_ctx(d, kernels, tmp, &ctx));
    asacl_status st;
    /* One repetition on fresh data gives the values to check (the timed
     * runs repeat a step, and some steps accumulate), and builds. */
    float scratch[TUNE_CHECK_VALUES];
    st = p->bench(ctx, s, 1, check, TUNE_CHECK_VALUES);
    double one = 0;
    if (st == ASACL_OK) st = asacl_ctx_set_kernel_timing(ctx, 1);
    if (st == ASACL_OK) st = p->bench(ctx, s, 1, scratch, TUNE_CHECK_VALUES);
    if (st == ASACL_OK) st = timed_seconds(ctx, &one);
    int reps = o->reps;
    if (one > 0 && reps < 0.1 / one) reps = 0.1 / one > 200 ? 200 : (int)(0.1 / one) + 1;
    if (st == ASACL_OK) st = asacl_ctx_set_kernel_timing(ctx, 1); /* clears the table */
    if (st == ASACL_OK) st = p->bench(ctx, s, reps, scratch, TUNE_CHECK_VALUES);
    if (st == ASACL_OK) st = timed_seconds(ctx, seconds);
    *seconds /= reps;
    asacl_ctx_destroy(ctx);
    return st;
}

/* Whether, under these kernels, any GEMM class runs on CLBlast. */
static int uses_clblast(const asacl_device_info *d, cJSON *kernels, const char *tmp)
{
    asacl_ctx *ctx = NULL;
    if (candidate_ctx(d, kernels, tmp, &ctx) != ASACL_OK) return 1;
    int any = 0;
    for (int c = 0; c < GEMM_CLASS_COUNT; c++) {
        gemm_choice ch;
        if (gemm_choose(ctx, (gemm_class)c, &ch) == ASACL_OK) any |= ch.backend == GEMM_BACKEND_CLBLAST;
    }
    asacl_ctx_destroy(ctx);
    return any;
}

/* The candidates of p on this device: the starting profile's space where it
 * names p, else the built-in list (none with space_only); -1 ends them. */
static void candidates(const rt_profile *prof, const tune_param *p, long *out)
{
    size_t n = 0;
    const rt_space *sp = NULL;
    for (size_t i = 0; i < prof->n_space; i++)
        if (!strcmp(prof->space[i].program, p->program) && !strcmp(prof->space[i].name, p->name))
            sp = &prof->space[i];
    if (sp)
        for (size_t i = 0; i < sp->n; i++) out[n++] = sp->values[i];
    else if (!prof->space_only)
        for (size_t i = 0; p->values[i] >= 0; i++) out[n++] = p->values[i];
    out[n] = -1;
}

/* Every parameter the profile's space names must be one asacl tune knows. */
static asacl_status check_space(const rt_profile *prof)
{
    for (size_t i = 0; i < prof->n_space; i++) {
        const tune_param *p = tune_params;
        while (p->name && (strcmp(p->program, prof->space[i].program) ||
                           strcmp(p->name, prof->space[i].name)))
            p++;
        if (!p->name)
            return rt_fail(ASACL_ERR_PROFILE,
                           "device profile %s: tuning.space.%s.%s: asacl tune has no such "
                           "parameter (devices/README.md lists them)",
                           prof->source, prof->space[i].program, prof->space[i].name);
    }
    return ASACL_OK;
}

/* The space as JSON, for the record in the profile written. */
static void space_json(const rt_profile *prof, cJSON *tuning)
{
    cJSON_DeleteItemFromObject(tuning, "space");
    cJSON_DeleteItemFromObject(tuning, "space_only");
    if (prof->n_space == 0 && !prof->space_only) return;
    cJSON *sp = cJSON_AddObjectToObject(tuning, "space");
    for (size_t i = 0; i < prof->n_space; i++) {
        char key[80];
        snprintf(key, sizeof key, "%s.%s", prof->space[i].program, prof->space[i].name);
        cJSON *list = cJSON_AddArrayToObject(sp, key);
        for (size_t k = 0; k < prof->space[i].n; k++)
            cJSON_AddItemToArray(list, cJSON_CreateNumber((double)prof->space[i].values[k]));
    }
    if (prof->space_only) cJSON_AddBoolToObject(tuning, "space_only", 1);
}

static int close_enough(const float *a, const float *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        double d = fabs((double)a[i] - (double)b[i]);
        if (!(d <= 1e-4 + 1e-3 * fabs((double)b[i]))) return 0;
    }
    return 1;
}

asacl_status asacl_tune(const asacl_tune_options *o, char *written, size_t cap)
{
    if (!o) return rt_fail(ASACL_ERR_INVALID_ARG, "asacl_tune: NULL options");
    TRY(asacl_model_config_check(&o->config));
    double t0 = rt_now();
    asacl_ctx_options co;
    asacl_ctx_options_init(&co);
    co.device = o->device;
    asacl_ctx *base = NULL;
    TRY(asacl_ctx_create(&co, &base));
    asacl_device_info dev = *asacl_ctx_device(base);
    rt_profile *start = malloc(sizeof *start); /* the starting profile: its space */
    if (!start) {
        asacl_ctx_destroy(base);
        return rt_fail(ASACL_ERR_OUT_OF_MEMORY, "asacl tune");
    }
    *start = base->profile;
    asacl_status sst = check_space(start);
    if (sst != ASACL_OK) {
        free(start);
        asacl_ctx_destroy(base);
        return sst;
    }
    char out[1024], tmp[1100];
    if (o->output && *o->output) snprintf(out, sizeof out, "%s", o->output);
    else default_output(&dev, o->output_dir, out, sizeof out);
    snprintf(tmp, sizeof tmp, "%s.candidate.%ld.json", out, (long)getpid());

    /* Resume from an earlier, unfinished run on this device. */
    cJSON *kernels = NULL, *tuning = NULL;
    char *old = NULL;
    if (access(out, R_OK) == 0 && rt_read_file(out, &old, NULL) == ASACL_OK) {
        cJSON *doc = cJSON_Parse(old);
        cJSON *id = doc ? cJSON_GetObjectItem(cJSON_GetObjectItem(doc, "identity"), "name") : NULL;
        if (cJSON_IsString(id) && !strcmp(id->valuestring, dev.name)) {
            kernels = cJSON_DetachItemFromObject(doc, "kernels");
            tuning = cJSON_DetachItemFromObject(doc, "tuning");
            say(o, "resuming the tuning in %s", out);
        }
        cJSON_Delete(doc);
        free(old);
    }
    if (!kernels) kernels = kernels_of(base);
    if (!tuning) tuning = cJSON_CreateObject();
    space_json(start, tuning);
    asacl_ctx_destroy(base);
    cJSON *meas = cJSON_GetObjectItem(tuning, "measurements");
    if (!meas) meas = cJSON_AddObjectToObject(tuning, "measurements");
    cJSON *done = cJSON_GetObjectItem(tuning, "done");
    if (!done) done = cJSON_AddArrayToObject(tuning, "done");
    cJSON_DeleteItemFromObject(tuning, "complete");
    cJSON_DeleteItemFromObject(tuning, "seconds");
    cJSON_DeleteItemFromObject(tuning, "date");
    cJSON_DeleteItemFromObject(tuning, "shape");
    time_t now = time(NULL);
    char date[32];
    strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
    cJSON_AddStringToObject(tuning, "date", date);
    cJSON *sh = cJSON_AddObjectToObject(tuning, "shape");
    const asacl_model_config *c = &o->config;
    tune_shape s = {o->batch, o->seq_len, (size_t)c->hidden_size,
                    (size_t)c->num_attention_heads, (size_t)c->intermediate_size,
                    (size_t)c->num_hidden_layers, 0};
    s.params = (size_t)c->num_hidden_layers * (12 * s.D * s.D + 2 * s.D * s.F) + 2 * 1024 * 1024;
    cJSON_AddNumberToObject(sh, "batch", (double)s.B);
    cJSON_AddNumberToObject(sh, "seq_len", (double)s.T);
    cJSON_AddNumberToObject(sh, "hidden", (double)s.D);
    cJSON_AddNumberToObject(sh, "heads", (double)s.H);
    cJSON_AddNumberToObject(sh, "intermediate", (double)s.F);

    asacl_status st = ASACL_OK;
    int out_of_time = 0, measured = 0; /* every run measures at least one candidate */
    for (const tune_param *p = tune_params; p->name && st == ASACL_OK && !out_of_time; p++) {
        char key[96];
        snprintf(key, sizeof key, "%s.%s", p->program, p->name);
        int already = 0;
        cJSON *it;
        cJSON_ArrayForEach(it, done) already |= cJSON_IsString(it) && !strcmp(it->valuestring, key);
        if (already) continue;
        long values[RT_SPACE_VALUES + 12];
        candidates(start, p, values);
        if (values[0] < 0) continue; /* not searched on this device */
        if (!strncmp(p->name, "CLBLAST_", 8) && !uses_clblast(&dev, kernels, tmp)) {
            say(o, "%-24s -> skipped: no GEMM class uses CLBlast on this device", key);
            cJSON_AddItemToArray(done, cJSON_CreateString(key));
            continue;
        }
        cJSON *m = cJSON_GetObjectItem(meas, key);
        if (!m) m = cJSON_AddObjectToObject(meas, key);
        /* The reference result: the profile as it stands. */
        float ref[TUNE_CHECK_VALUES], got[TUNE_CHECK_VALUES];
        double seconds;
        st = measure(o, &dev, kernels, p, &s, tmp, &seconds, ref);
        double incumbent = 1000 * seconds; /* the values as they stand */
        double best = INFINITY;
        long best_v = -1;
        for (int i = 0; values[i] >= 0 && st == ASACL_OK; i++) {
            long v = values[i];
            if (p->work_group && (size_t)v > dev.max_work_group_size) continue;
            char vk[32];
            snprintf(vk, sizeof vk, "%ld", v);
            cJSON *prev = cJSON_GetObjectItem(m, vk);
            if (prev) { /* measured before the run stopped */
                if (cJSON_IsNumber(prev) && prev->valuedouble < best) best = prev->valuedouble, best_v = v;
                continue;
            }
            if (measured && o->budget_seconds > 0 && rt_now() - t0 > o->budget_seconds) {
                out_of_time = 1;
                break;
            }
            measured++;
            cJSON *cand = cJSON_Duplicate(kernels, 1);
            long rm = apply_candidate(cand, p, v);
            st = measure(o, &dev, cand, p, &s, tmp, &seconds, got);
            cJSON_Delete(cand);
            if (st == ASACL_ERR_PROFILE) {
                /* a combination the GEMM layer refuses for this device */
                cJSON_AddStringToObject(m, vk, "invalid");
                say(o, "  %-22s %5ld  invalid here: %.400s", key, v, asacl_last_error());
                st = ASACL_OK;
                continue;
            }
            if (st == ASACL_ERR_BUILD || st == ASACL_ERR_OPENCL || st == ASACL_ERR_OUT_OF_MEMORY) {
                /* a value the device cannot run: record it and go on */
                cJSON_AddStringToObject(m, vk, asacl_status_str(st));
                say(o, "  %-22s %5ld  failed: %s", key, v, asacl_status_str(st));
                st = ASACL_OK;
                continue;
            }
            if (st != ASACL_OK) break;
            double ms = 1000 * seconds;
            if (!close_enough(got, ref, TUNE_CHECK_VALUES)) {
                cJSON_AddStringToObject(m, vk, "wrong result");
                say(o, "  %-22s %5ld  wrong result: rejected", key, v);
                continue;
            }
            cJSON_AddNumberToObject(m, vk, ms);
            if (rm) say(o, "  %-22s %5ld  %9.3f ms (with TILE_RM %ld)", key, v, ms, rm);
            else say(o, "  %-22s %5ld  %9.3f ms", key, v, ms);
            if (ms < best) best = ms, best_v = v;
        }
        if (st == ASACL_OK && !out_of_time && best_v >= 0) {
            /* One measurement each is noisy on a busy machine: time the
             * winner and the values as they stand once more, and switch only
             * for a clear (2%) gain over both measurements. */
            cJSON *cand = cJSON_Duplicate(kernels, 1);
            apply_candidate(cand, p, best_v);
            double again_best = 0, again_inc = 0;
            float scratch[TUNE_CHECK_VALUES];
            st = measure(o, &dev, cand, p, &s, tmp, &again_best, scratch);
            cJSON_Delete(cand);
            if (st == ASACL_OK) st = measure(o, &dev, kernels, p, &s, tmp, &again_inc, scratch);
            double b = 0.5 * (best + 1000 * again_best), in = 0.5 * (incumbent + 1000 * again_inc);
            if (st == ASACL_OK && b < 0.98 * in) {
                apply_candidate(kernels, p, best_v);
                say(o, "%-24s -> %ld (%.3f ms; %.3f ms before)", key, best_v, b, in);
            } else if (st == ASACL_OK) {
                say(o, "%-24s -> unchanged (%.3f ms; the best candidate, %ld, took %.3f ms)", key,
                    in, best_v, b);
            }
        }
        if (st == ASACL_OK && !out_of_time) cJSON_AddItemToArray(done, cJSON_CreateString(key));
        if (st == ASACL_OK) { /* keep what was learnt, whatever comes next */
            cJSON *doc = profile_doc(&dev, kernels, tuning);
            st = write_json(out, doc);
            cJSON_Delete(doc);
        }
    }
    unlink(tmp);
    if (st == ASACL_OK) {
        cJSON_AddBoolToObject(tuning, "complete", !out_of_time);
        cJSON_AddNumberToObject(tuning, "seconds", rt_now() - t0);
        cJSON *doc = profile_doc(&dev, kernels, tuning);
        st = write_json(out, doc);
        cJSON_Delete(doc);
        if (out_of_time) say(o, "budget spent: run asacl tune again to continue");
    }
    if (written) snprintf(written, cap, "%s", out);
    free(start);
    cJSON_Delete(kernels);
    cJSON_Delete(tuning);
    return st;
}
