/* runs.c -- a run folder's metrics.jsonl as series for the curves (viz.h).
 * Training lines: {"step", "task", "vloss", "lr", "masked_fraction": [...],
 * ...}; evaluation lines: {"eval": SPLIT, "step", "accuracy" | "pearson",
 * ...}. Unknown keys are ignored, so the file may grow fields. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/runtime.h"
#include "viz/viz.h"

/* Appends (x, y); a point at or before the last x first drops the points
 * from x on (a resumed run rewrites its history from its checkpoint). */
static int series_add(viz_series *s, double x, double y)
{
    while (s->n > 0 && s->x[s->n - 1] >= x) s->n--;
    if (s->n == s->cap) {
        size_t cap = s->cap ? 2 * s->cap : 64;
        double *nx = realloc(s->x, cap * sizeof *nx);
        if (!nx) return 0;
        s->x = nx;
        double *ny = realloc(s->y, cap * sizeof *ny);
        if (!ny) return 0;
        s->y = ny;
        s->cap = cap;
    }
    s->x[s->n] = x;
    s->y[s->n] = y;
    s->n++;
    return 1;
}

static void series_free(viz_series *s)
{
    free(s->x);
    free(s->y);
    memset(s, 0, sizeof *s);
}

void viz_run_free(viz_run *r)
{
    if (!r) return;
    series_free(&r->task);
    series_free(&r->vloss);
    series_free(&r->lr);
    for (size_t l = 0; l < ASACL_MAX_LAYERS; l++) series_free(&r->masked[l]);
    for (size_t k = 0; k < VIZ_MAX_SPLITS; k++) series_free(&r->eval[k]);
    memset(r, 0, sizeof *r);
}

static int number(const cJSON *o, const char *key, double *v)
{
    const cJSON *x = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!cJSON_IsNumber(x)) return 0;
    *v = x->valuedouble;
    return 1;
}

static int add_if(viz_series *s, const cJSON *o, const char *key, double step)
{
    double v;
    return !number(o, key, &v) || series_add(s, step, v);
}

static int eval_line(viz_run *r, const cJSON *o, const char *split, double step)
{
    size_t k = 0;
    while (k < r->n_splits && strcmp(r->split[k], split) != 0) k++;
    if (k == r->n_splits) {
        if (k == VIZ_MAX_SPLITS) return 1; /* more splits than drawn: ignored */
        snprintf(r->split[k], sizeof r->split[k], "%s", split);
        r->n_splits++;
    }
    static const char *metrics[] = {"accuracy", "pearson", "mcc", "f1"};
    for (size_t i = 0; i < sizeof metrics / sizeof metrics[0]; i++) {
        double v;
        if (!number(o, metrics[i], &v)) continue;
        if (!r->metric[k][0]) snprintf(r->metric[k], sizeof r->metric[k], "%s", metrics[i]);
        if (strcmp(r->metric[k], metrics[i]) != 0) continue;
        return series_add(&r->eval[k], step, v);
    }
    return 1;
}

static int train_line(viz_run *r, const cJSON *o, double step)
{
    double vl = 0;
    if (number(o, "vloss", &vl) && vl != 0) r->any_asa = 1;
    if (!add_if(&r->task, o, "task", step) || !add_if(&r->vloss, o, "vloss", step) ||
        !add_if(&r->lr, o, "lr", step))
        return 0;
    const cJSON *mf = cJSON_GetObjectItemCaseSensitive(o, "masked_fraction");
    size_t l = 0;
    const cJSON *v;
    cJSON_ArrayForEach(v, mf)
    {
        if (l == ASACL_MAX_LAYERS) break;
        if (!cJSON_IsNumber(v)) continue;
        if (v->valuedouble != 0) r->any_asa = 1;
        if (!series_add(&r->masked[l], step, v->valuedouble)) return 0;
        l++;
    }
    if (l > r->layers) r->layers = l;
    return 1;
}

asacl_status viz_run_read(const char *dir, const char *name, viz_run *r)
{
    memset(r, 0, sizeof *r);
    if (name) snprintf(r->name, sizeof r->name, "%s", name);
    else {
        /* the folder's own name, trailing slashes aside */
        size_t n = strlen(dir);
        while (n > 1 && dir[n - 1] == '/') n--;
        size_t b = n;
        while (b > 0 && dir[b - 1] != '/') b--;
        snprintf(r->name, sizeof r->name, "%.*s", (int)(n - b), dir + b);
    }
    char path[4200];
    snprintf(path, sizeof path, "%s/metrics.jsonl", dir);
    FILE *probe = fopen(path, "rb");
    if (!probe) return ASACL_OK;
    fclose(probe);
    char *text = NULL;
    size_t size = 0;
    TRY(rt_read_file(path, &text, &size));
    asacl_status st = ASACL_OK;
    size_t lineno = 0;
    for (char *line = text; st == ASACL_OK && line < text + size;) {
        char *end = memchr(line, '\n', (size_t)(text + size - line));
        lineno++;
        if (!end) break; /* unfinished last line */
        *end = 0;
        char *p = line;
        line = end + 1;
        while (*p == ' ' || *p == '\t' || *p == '\r') p++;
        if (!*p) continue;
        cJSON *o = cJSON_Parse(p);
        double step;
        if (!cJSON_IsObject(o) || !number(o, "step", &step)) {
            st = rt_fail(ASACL_ERR_FORMAT, "%s:%zu: expected a JSON object with a \"step\"", path,
                         lineno);
        } else {
            const cJSON *ev = cJSON_GetObjectItemCaseSensitive(o, "eval");
            int ok = cJSON_IsString(ev) ? eval_line(r, o, ev->valuestring, step)
                                        : train_line(r, o, step);
            if (!ok) st = rt_fail(ASACL_ERR_OUT_OF_MEMORY, "reading %s", path);
        }
        cJSON_Delete(o);
    }
    free(text);
    if (st != ASACL_OK) viz_run_free(r);
    return st;
}
