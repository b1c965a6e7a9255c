/* report.c -- RUN_DIR/report.html (asacl_report_write): one self-contained
 * page from the run folder's files alone -- settings.json (shown key by
 * key, whatever keys it has), summary.json, metrics.jsonl -- with the curves
 * as a PNG inside the page (base64), so it opens with no network and no
 * other file. Each file is optional: a run still training has no summary
 * yet, and the page says so. */
#define _POSIX_C_SOURCE 200809L /* gmtime_r */
#include <cjson/cJSON.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "runtime/runtime.h"
#include "viz/viz.h"

typedef struct out_buf {
    char *s;
    size_t n, cap;
    int failed;
} out_buf;

static void put_n(out_buf *b, const char *s, size_t n)
{
    if (b->failed) return;
    if (b->n + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 65536;
        while (cap < b->n + n + 1) cap *= 2;
        char *p = realloc(b->s, cap);
        if (!p) {
            b->failed = 1;
            return;
        }
        b->s = p;
        b->cap = cap;
    }
    memcpy(b->s + b->n, s, n);
    b->n += n;
    b->s[b->n] = 0;
}

static void put(out_buf *b, const char *s) { put_n(b, s, strlen(s)); }

static void putf(out_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void putf(out_buf *b, const char *fmt, ...)
{
    char tmp[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n > 0) put_n(b, tmp, (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1);
}

/* Text as HTML: & < > " escaped. */
static void put_text(out_buf *b, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&': put(b, "&amp;"); break;
        case '<': put(b, "&lt;"); break;
        case '>': put(b, "&gt;"); break;
        case '"': put(b, "&quot;"); break;
        default: put_n(b, s, 1);
        }
    }
}

static void put_base64(out_buf *b, const unsigned char *d, size_t n)
{
    static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    char q[4];
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned)d[i] << 16 | (i + 1 < n ? (unsigned)d[i + 1] << 8 : 0) |
                     (i + 2 < n ? d[i + 2] : 0);
        q[0] = a[v >> 18 & 63];
        q[1] = a[v >> 12 & 63];
        q[2] = i + 1 < n ? a[v >> 6 & 63] : '=';
        q[3] = i + 2 < n ? a[v & 63] : '=';
        put_n(b, q, 4);
    }
}

/* A JSON value as table text: strings as they are, the rest as JSON. */
static void put_value(out_buf *b, const cJSON *v)
{
    if (cJSON_IsString(v)) {
        put_text(b, v->valuestring);
        return;
    }
    if (cJSON_IsNumber(v)) {
        putf(b, "%.6g", v->valuedouble);
        return;
    }
    char *t = cJSON_PrintUnformatted(v);
    if (t) put_text(b, t);
    free(t);
}

/* A file of the run folder as JSON (NULL when absent or not JSON; *bad says which). */
static cJSON *read_json(const char *dir, const char *file, int *bad)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", dir, file);
    *bad = 0;
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fclose(f);
    char *text = NULL;
    size_t n = 0;
    if (rt_read_file(path, &text, &n) != ASACL_OK) {
        *bad = 1;
        return NULL;
    }
    cJSON *j = cJSON_Parse(text);
    free(text);
    if (!cJSON_IsObject(j)) {
        cJSON_Delete(j);
        *bad = 1;
        return NULL;
    }
    return j;
}

static void table_of(out_buf *b, const cJSON *obj, const char *skip_prefix)
{
    put(b, "<table>\n");
    const cJSON *v;
    cJSON_ArrayForEach(v, obj)
    {
        if (skip_prefix && !strncmp(v->string, skip_prefix, strlen(skip_prefix))) continue;
        put(b, "<tr><th>");
        put_text(b, v->string);
        put(b, "</th><td>");
        put_value(b, v);
        put(b, "</td></tr>\n");
    }
    put(b, "</table>\n");
}

static const char *string_of(const cJSON *a, const cJSON *b, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(a, key);
    if (!cJSON_IsString(v)) v = cJSON_GetObjectItemCaseSensitive(b, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static void device_section(out_buf *b, const cJSON *settings, const cJSON *summary)
{
    const char *dev = string_of(settings, summary, "device"),
               *prof = string_of(settings, summary, "profile");
    put(b, "<h2>Device and profile</h2>\n<table>\n<tr><th>device</th><td>");
    put_text(b, dev ? dev : "not recorded");
    put(b, "</td></tr>\n<tr><th>profile</th><td>");
    put_text(b, prof ? prof : "not recorded");
    put(b, "</td></tr>\n</table>\n");
}

/* Per split: the best value of its metric and where, and the last. */
static void scores_section(out_buf *b, const viz_run *r)
{
    put(b, "<h2>Best dev scores</h2>\n");
    if (!r->n_splits) {
        put(b, "<p>No evaluation yet.</p>\n");
        return;
    }
    put(b, "<table>\n<tr><th>split</th><th>metric</th><th>best</th><th>at step</th>"
           "<th>last</th><th>at step</th><th>evaluations</th></tr>\n");
    for (size_t k = 0; k < r->n_splits; k++) {
        const viz_series *s = &r->eval[k];
        if (!s->n) continue;
        size_t best = 0;
        for (size_t j = 1; j < s->n; j++)
            if (s->y[j] > s->y[best]) best = j;
        put(b, "<tr><td>");
        put_text(b, r->split[k]);
        put(b, "</td><td>");
        put_text(b, r->metric[k]);
        putf(b, "</td><td>%.4f</td><td>%.0f</td><td>%.4f</td><td>%.0f</td><td>%zu</td></tr>\n",
             s->y[best], s->x[best], s->y[s->n - 1], s->x[s->n - 1], s->n);
    }
    put(b, "</table>\n<p class=\"note\">The best row of the first split is the step whose model "
           "is saved as <code>best/</code>; the other splits are shown at their own best.</p>\n");
}

static asacl_status curves_section(out_buf *b, const viz_run *r)
{
    put(b, "<h2>Curves</h2>\n");
    if (!asacl_have_cairo()) {
        put(b, "<p>");
        put_text(b, VIZ_NO_CAIRO);
        put(b, ".</p>\n");
        return ASACL_OK;
    }
    unsigned char *png;
    size_t n;
    TRY(curves_png(r, 1, &png, &n));
    put(b, "<img alt=\"training curves\" src=\"data:image/png;base64,");
    put_base64(b, png, n);
    put(b, "\">\n");
    free(png);
    return ASACL_OK;
}

static const char *const STYLE =
    "body{font-family:'DejaVu Sans',sans-serif;max-width:1240px;margin:1.5em auto;"
    "padding:0 1em;color:#222}h1{font-size:1.5em}h2{font-size:1.15em;margin-top:1.6em}"
    "table{border-collapse:collapse}th,td{border:1px solid #ccc;padding:3px 9px;"
    "text-align:left;font-size:.92em}th{background:#f3f3f3}img{max-width:100%}"
    ".note{color:#666;font-size:.88em}";

asacl_status asacl_report_write(const char *dir)
{
    if (!dir) return rt_fail(ASACL_ERR_INVALID_ARG, "asacl_report_write: NULL argument");
    int bad_settings, bad_summary;
    cJSON *settings = read_json(dir, "settings.json", &bad_settings);
    cJSON *summary = read_json(dir, "summary.json", &bad_summary);
    viz_run run;
    asacl_status st = viz_run_read(dir, NULL, &run);
    out_buf b = {0};
    if (st == ASACL_OK) {
        put(&b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>asacl run ");
        put_text(&b, run.name);
        putf(&b, "</title>\n<style>%s</style>\n</head>\n<body>\n<h1>asacl run ", STYLE);
        put_text(&b, run.name);
        put(&b, "</h1>\n<p>");
        long last = run.task.n ? (long)run.task.x[run.task.n - 1] : 0;
        putf(&b, "%s after %ld steps", summary ? "Finished" : "In progress", last);
        if (!run.task.n) put(&b, " (no metrics.jsonl yet)");
        time_t now = time(NULL);
        struct tm tm;
        char when[64] = "";
        if (gmtime_r(&now, &tm)) strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S UTC", &tm);
        /* ASA or not: as the run's files say, else as its metrics show */
        const cJSON *asa = cJSON_GetObjectItemCaseSensitive(summary, "asa");
        if (!asa) asa = cJSON_GetObjectItemCaseSensitive(settings, "asa");
        int with = cJSON_IsBool(asa) ? cJSON_IsTrue(asa)
                   : cJSON_IsNumber(asa) ? asa->valuedouble != 0 : run.any_asa;
        putf(&b, "; %s ASA; page written %s.</p>\n",
             with ? "with" : (asa || run.task.n ? "without" : "unknown whether"), when);
        device_section(&b, settings, summary);
        put(&b, "<h2>Summary</h2>\n");
        if (summary) table_of(&b, summary, NULL);
        else put(&b, bad_summary ? "<p>summary.json is not a JSON object.</p>\n"
                                 : "<p>No summary.json yet (written when training ends).</p>\n");
        scores_section(&b, &run);
        st = curves_section(&b, &run);
        put(&b, "<h2>Settings</h2>\n");
        if (settings) table_of(&b, settings, NULL);
        else put(&b, bad_settings ? "<p>settings.json is not a JSON object.</p>\n"
                                  : "<p>No settings.json in the run folder.</p>\n");
        put(&b, "</body>\n</html>\n");
        if (b.failed && st == ASACL_OK) st = rt_fail(ASACL_ERR_OUT_OF_MEMORY, "writing %s/report.html", dir);
    }
    if (st == ASACL_OK) {
        char path[4200];
        snprintf(path, sizeof path, "%s/report.html", dir);
        st = rt_write_file_atomic(path, b.s, b.n);
    }
    free(b.s);
    viz_run_free(&run);
    cJSON_Delete(settings);
    cJSON_Delete(summary);
    return st;
}
