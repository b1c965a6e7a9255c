/* folder_params.c -- see folder_params.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/hf_names.h"
#include "model/folder_params.h"
#include "runtime/runtime.h"

int folder_is_inference_tensor(const char *name) { return strstr(name, ".adversary.") == NULL; }

static long entry_index(const param_layout *pl, const char *name)
{
    for (size_t i = 0; i < pl->count; i++)
        if (!strcmp(pl->entries[i].name, name)) return (long)i;
    return -1;
}

asacl_status folder_read_params(const st_file *f, const param_layout *pl, float *values,
                                const char *skip_mismatch, folder_read *r)
{
    for (size_t i = 0; i < f->n; i++) {
        const st_tensor *t = &f->tensors[i];
        char name[HF_NAME_MAX];
        int kind = hf_canonical_name_model(t->name, pl->roberta, name, sizeof name);
        long e = kind == HF_NAME_MAPPED ? entry_index(pl, name) : -1;
        if (e < 0) {
            /* Known-but-unused tensors, and the adversaries of a model loaded
             * without them, are skipped; so is anything unknown, with a note. */
            if (kind == HF_NAME_UNKNOWN)
                rt_log(ASACL_LOG_INFO, "%s: tensor %s is not part of a %s classifier; ignored",
                       f->path, t->name, pl->roberta ? "RoBERTa" : "BERT");
            r->ignored++;
            continue;
        }
        const param_entry *pe = &pl->entries[e];
        int shape_ok = (pe->cols == 1 && t->ndim == 1 && (size_t)t->shape[0] == pe->rows) ||
                       (pe->cols > 1 && t->ndim == 2 && (size_t)t->shape[0] == pe->rows &&
                        (size_t)t->shape[1] == pe->cols);
        if (!shape_ok) {
            if (skip_mismatch && !strncmp(name, skip_mismatch, strlen(skip_mismatch))) {
                r->ignored++;
                continue;
            }
            char want[64], got[96] = "";
            if (pe->cols > 1) snprintf(want, sizeof want, "[%zu, %zu]", pe->rows, pe->cols);
            else snprintf(want, sizeof want, "[%zu]", pe->rows);
            for (int d = 0; d < t->ndim; d++)
                snprintf(got + strlen(got), sizeof got - strlen(got), "%s%lld", d ? ", " : "",
                         (long long)t->shape[d]);
            return rt_fail(ASACL_ERR_FORMAT,
                           "%s: tensor %s has shape [%s] but config.json implies %s",
                           f->path, t->name, got, want);
        }
        if (t->dtype != ST_F32 && t->dtype != ST_F16 && t->dtype != ST_BF16 && t->dtype != ST_F64)
            return rt_fail(ASACL_ERR_FORMAT, "%s: tensor %s is %s; expected F32, F16, BF16 or F64",
                           f->path, t->name, st_dtype_name(t->dtype));
        if (r->have[e])
            return rt_fail(ASACL_ERR_FORMAT, "%s: two tensors map to %s (one of them %s)", f->path,
                           name, t->name);
        TRY(st_to_f32(f, t, values + pe->off));
        r->have[e] = 1;
        r->loaded++;
    }
    return ASACL_OK;
}

asacl_status folder_write_params(const char *path, const param_layout *pl, const float *values,
                                 int (*keep)(const char *name), const char *const *extra_meta)
{
    st_write_item *items = calloc(pl->count ? pl->count : 1, sizeof *items);
    int64_t *shapes = calloc(2 * (pl->count ? pl->count : 1), sizeof *shapes);
    if (!items || !shapes) {
        free(items);
        free(shapes);
        return rt_fail(ASACL_ERR_OUT_OF_MEMORY, "writing %s", path);
    }
    size_t n = 0;
    for (size_t i = 0; i < pl->count; i++) {
        const param_entry *e = &pl->entries[i];
        if (keep && !keep(e->name)) continue;
        shapes[2 * n] = (int64_t)e->rows;
        shapes[2 * n + 1] = (int64_t)e->cols;
        items[n].name = e->name;
        items[n].dtype = ST_F32;
        items[n].ndim = e->cols > 1 ? 2 : 1;
        items[n].shape = shapes + 2 * n;
        items[n].data = values + e->off;
        n++;
    }
    const char *meta[16] = {"format", "pt"};
    size_t k = 2;
    for (size_t i = 0; extra_meta && extra_meta[i] && k + 2 < 16; i += 2) {
        meta[k++] = extra_meta[i];
        meta[k++] = extra_meta[i + 1];
    }
    meta[k] = NULL;
    asacl_status st = st_write(path, items, n, meta);
    free(items);
    free(shapes);
    return st;
}
