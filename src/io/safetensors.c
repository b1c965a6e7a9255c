/* safetensors.c -- reads and validates a safetensors file (format: safetensors.h). */
#define _POSIX_C_SOURCE 200809L /* strdup */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/json.h"
#include "io/safetensors.h"
#include "base/base.h"

#define MAX_JSON_INT 9007199254740992.0 /* 2^53: larger JSON numbers are not exact */

/* A JSON number that is a non-negative integer, exactly. */
static int json_uint(const cJSON *item, uint64_t *v)
{
    if (!cJSON_IsNumber(item)) return 0;
    double d = item->valuedouble;
    if (!(d >= 0 && d <= MAX_JSON_INT) || d != (double)(uint64_t)d) return 0;
    *v = (uint64_t)d;
    return 1;
}

static void format_shape(const st_tensor *t, char *buf, size_t cap)
{
    size_t len = (size_t)snprintf(buf, cap, "[");
    for (int i = 0; i < t->ndim && len < cap; i++)
        len += (size_t)snprintf(buf + len, cap - len, "%s%" PRId64, i ? ", " : "", t->shape[i]);
    if (len < cap) snprintf(buf + len, cap - len, "]");
}

static asacl_status parse_metadata(const char *path, const cJSON *m, st_file *f)
{
    if (!cJSON_IsObject(m))
        return rt_fail(ASACL_ERR_FORMAT, "%s: \"__metadata__\" must be an object of strings", path);
    size_t n = (size_t)cJSON_GetArraySize(m);
    f->meta = calloc(2 * n + 1, sizeof *f->meta);
    if (!f->meta) return rt_fail(ASACL_ERR_OUT_OF_MEMORY, "reading %s", path);
    const cJSON *kv;
    cJSON_ArrayForEach(kv, m) {
        if (!cJSON_IsString(kv))
            return rt_fail(ASACL_ERR_FORMAT, "%s: \"__metadata__\" entry '%s' must be a string",
                           path, kv->string);
        char *k = strdup(kv->string), *v = strdup(kv->valuestring);
        f->meta[2 * f->n_meta] = k;
        f->meta[2 * f->n_meta + 1] = v;
        f->n_meta++;
        if (!k || !v) return rt_fail(ASACL_ERR_OUT_OF_MEMORY, "reading %s", path);
    }
    return ASACL_OK;
}

/* Records "<path>: tensor '<name>': <message>" as ASACL_ERR_FORMAT. */
static asacl_status bad_tensor(const char *path, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static asacl_status bad_tensor(const char *path, const char *name, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return rt_fail(ASACL_ERR_FORMAT, "%s: tensor '%s': %s", path, name, msg);
}

/* One header entry into t (t->name already set); checks it against the data buffer. */
static asacl_status parse_entry(const char *path, const cJSON *e, size_t data_size, st_tensor *t)
{
    const char *name = t->name;
    if (!cJSON_IsObject(e))
        return bad_tensor(path, name, "expected an object with dtype, shape and data_offsets");
    const cJSON *dtype = cJSON_GetObjectItemCaseSensitive(e, "dtype");
    if (!cJSON_IsString(dtype)) return bad_tensor(path, name, "\"dtype\" must be a string");
    int dt = st_dtype_parse(dtype->valuestring);
    if (dt < 0)
        return bad_tensor(path, name, "unknown dtype '%s' (expected F32, F16, BF16, F64, I64, "
                          "I32, I16, I8, U64, U32, U16, U8 or BOOL)", dtype->valuestring);
    t->dtype = (st_dtype)dt;

    const cJSON *shape = cJSON_GetObjectItemCaseSensitive(e, "shape");
    if (!cJSON_IsArray(shape))
        return bad_tensor(path, name, "\"shape\" must be an array of non-negative integers");
    int ndim = cJSON_GetArraySize(shape);
    if (ndim > ST_MAX_DIMS)
        return bad_tensor(path, name, "%d dimensions, at most %d supported", ndim, ST_MAX_DIMS);
    t->ndim = ndim;
    uint64_t numel = 1;
    int overflow = 0;
    for (int i = 0; i < ndim; i++) {
        uint64_t d;
        if (!json_uint(cJSON_GetArrayItem(shape, i), &d))
            return bad_tensor(path, name, "shape[%d] must be a non-negative integer", i);
        t->shape[i] = (int64_t)d;
        if (d && numel > UINT64_MAX / d) overflow = 1;
        numel *= d;
    }
    uint64_t esize = st_dtype_size(t->dtype);
    overflow |= numel > UINT64_MAX / esize;
    uint64_t bytes = numel * esize;

    const cJSON *offsets = cJSON_GetObjectItemCaseSensitive(e, "data_offsets");
    uint64_t b, end;
    if (!cJSON_IsArray(offsets) || cJSON_GetArraySize(offsets) != 2 ||
        !json_uint(cJSON_GetArrayItem(offsets, 0), &b) ||
        !json_uint(cJSON_GetArrayItem(offsets, 1), &end))
        return bad_tensor(path, name,
                          "\"data_offsets\" must be [begin, end], two non-negative integers");
    char sh[256];
    format_shape(t, sh, sizeof sh);
    if (end < b)
        return bad_tensor(path, name,
                          "data_offsets [%" PRIu64 ", %" PRIu64 "] end before they begin", b, end);
    if (end > data_size)
        return bad_tensor(path, name,
                          "data_offsets [%" PRIu64 ", %" PRIu64 "] run past the %zu-byte data "
                          "buffer", b, end, data_size);
    if (overflow) return bad_tensor(path, name, "shape %s is too large", sh);
    if (end - b != bytes)
        return bad_tensor(path, name,
                          "data_offsets [%" PRIu64 ", %" PRIu64 "] hold %" PRIu64 " bytes, but %s "
                          "shape %s needs %" PRIu64, b, end, end - b, st_dtype_name(t->dtype), sh,
                          bytes);
    t->begin = (size_t)b;
    t->end = (size_t)end;
    return ASACL_OK;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(((const st_tensor *)a)->name, ((const st_tensor *)b)->name);
}

static int by_offset(const void *a, const void *b)
{
    const st_tensor *x = *(const st_tensor *const *)a, *y = *(const st_tensor *const *)b;
    if (x->begin != y->begin) return x->begin < y->begin ? -1 : 1;
    return (x->end > y->end) - (x->end < y->end);
}

/* The tensors must tile [0, data_size) with neither gaps nor overlaps. */
static asacl_status check_layout(const char *path, const st_file *f)
{
    const st_tensor **order = malloc((f->n ? f->n : 1) * sizeof *order);
    if (!order) return rt_fail(ASACL_ERR_OUT_OF_MEMORY, "reading %s", path);
    for (size_t i = 0; i < f->n; i++) order[i] = &f->tensors[i];
    qsort(order, f->n, sizeof *order, by_offset);
    asacl_status st = ASACL_OK;
    size_t pos = 0;
    const st_tensor *prev = NULL; /* the tensor that ends at pos */
    for (size_t i = 0; i < f->n && st == ASACL_OK; i++) {
        const st_tensor *t = order[i];
        if (t->begin < pos)
            st = rt_fail(ASACL_ERR_FORMAT,
                         "%s: tensors '%s' [%zu, %zu] and '%s' [%zu, %zu] overlap", path,
                         prev->name, prev->begin, prev->end, t->name, t->begin, t->end);
        else if (t->begin > pos)
            st = rt_fail(ASACL_ERR_FORMAT,
                         "%s: data bytes [%zu, %zu) belong to no tensor (a gap before '%s')",
                         path, pos, t->begin, t->name);
        if (t->end > t->begin) prev = t;
        pos = t->end;
    }
    if (st == ASACL_OK && pos != f->data_size)
        st = rt_fail(ASACL_ERR_FORMAT,
                     "%s: %zu trailing bytes: the tensors cover %zu of the %zu-byte data buffer",
                     path, f->data_size - pos, pos, f->data_size);
    free(order);
    return st;
}

static asacl_status parse_header(const char *path, const cJSON *root, st_file *f)
{
    size_t n = 0;
    const cJSON *e;
    cJSON_ArrayForEach(e, root) n += strcmp(e->string, "__metadata__") != 0;
    f->tensors = calloc(n ? n : 1, sizeof *f->tensors);
    if (!f->tensors) return rt_fail(ASACL_ERR_OUT_OF_MEMORY, "reading %s", path);
    int have_meta = 0;
    cJSON_ArrayForEach(e, root) {
        if (!strcmp(e->string, "__metadata__")) {
            if (have_meta++)
                return rt_fail(ASACL_ERR_FORMAT, "%s: \"__metadata__\" appears twice", path);
            TRY(parse_metadata(path, e, f));
            continue;
        }
        st_tensor *t = &f->tensors[f->n++];
        if (!(t->name = strdup(e->string)))
            return rt_fail(ASACL_ERR_OUT_OF_MEMORY, "reading %s", path);
        TRY(parse_entry(path, e, f->data_size, t));
    }
    qsort(f->tensors, f->n, sizeof *f->tensors, by_name);
    for (size_t i = 1; i < f->n; i++)
        if (!strcmp(f->tensors[i - 1].name, f->tensors[i].name))
            return rt_fail(ASACL_ERR_FORMAT, "%s: duplicate tensor name '%s'", path,
                           f->tensors[i].name);
    return check_layout(path, f);
}

static asacl_status parse_file(const char *path, size_t size, st_file *f)
{
    const unsigned char *img = (const unsigned char *)f->image;
    if (size < 8)
        return rt_fail(ASACL_ERR_FORMAT,
                       "%s: %zu bytes is too short for a safetensors file (it starts with an "
                       "8-byte header length)", path, size);
    uint64_t hlen = 0;
    for (int i = 7; i >= 0; i--) hlen = hlen << 8 | img[i];
    if (hlen > ST_MAX_HEADER)
        return rt_fail(ASACL_ERR_FORMAT,
                       "%s: header length %" PRIu64 " exceeds the limit of %" PRIu64
                       " bytes (not a safetensors file?)", path, hlen, ST_MAX_HEADER);
    if (hlen > size - 8)
        return rt_fail(ASACL_ERR_FORMAT,
                       "%s: header length %" PRIu64 " runs past the end of the %zu-byte file", path,
                       hlen, size);
    f->data = img + 8 + hlen;
    f->data_size = size - 8 - (size_t)hlen;
    char what[4200];
    snprintf(what, sizeof what, "%s: the header", path);
    cJSON *root = NULL;
    TRY(json_parse(f->image + 8, (size_t)hlen, what, &root));
    asacl_status st = cJSON_IsObject(root)
        ? parse_header(path, root, f)
        : rt_fail(ASACL_ERR_FORMAT, "%s: the header is not a JSON object", path);
    cJSON_Delete(root);
    return st;
}

asacl_status st_open(const char *path, st_file *out)
{
    if (!path || !out) return rt_fail(ASACL_ERR_INVALID_ARG, "st_open: NULL argument");
    memset(out, 0, sizeof *out);
    size_t size = 0;
    TRY(rt_read_file(path, &out->image, &size));
    out->path = strdup(path);
    asacl_status st = out->path ? parse_file(path, size, out)
                                : rt_fail(ASACL_ERR_OUT_OF_MEMORY, "reading %s", path);
    if (st != ASACL_OK) st_close(out);
    return st;
}

void st_close(st_file *f)
{
    if (!f) return;
    for (size_t i = 0; i < f->n; i++) free(f->tensors[i].name);
    for (size_t i = 0; i < 2 * f->n_meta; i++) free(f->meta[i]);
    free(f->tensors);
    free(f->meta);
    free(f->image);
    free(f->path);
    memset(f, 0, sizeof *f);
}

const st_tensor *st_find(const st_file *f, const char *name)
{
    st_tensor key = {.name = (char *)name};
    return f->n ? bsearch(&key, f->tensors, f->n, sizeof key, by_name) : NULL;
}

const char *st_metadata(const st_file *f, const char *key)
{
    for (size_t i = 0; i < f->n_meta; i++)
        if (!strcmp(f->meta[2 * i], key)) return f->meta[2 * i + 1];
    return NULL;
}
