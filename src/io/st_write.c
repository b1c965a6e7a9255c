/* st_write.c -- writes a safetensors file (format: safetensors.h). */
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "io/safetensors.h"
#include "base/base.h"

#define MAX_JSON_INT ((uint64_t)1 << 53) /* offsets beyond this are not exact in JSON numbers */

/* The item's byte size, or an ASACL_ERR_INVALID_ARG naming what is wrong. */
static asacl_status item_bytes(const char *path, const st_write_item *it, uint64_t *bytes)
{
    if (!it->name || !*it->name || !strcmp(it->name, "__metadata__"))
        return rt_fail(ASACL_ERR_INVALID_ARG, "writing %s: bad tensor name '%s'", path,
                       it->name ? it->name : "(null)");
    if ((unsigned)it->dtype >= ST_DTYPE_COUNT)
        return rt_fail(ASACL_ERR_INVALID_ARG, "writing %s: tensor '%s': unknown dtype %d", path,
                       it->name, (int)it->dtype);
    if (it->ndim < 0 || it->ndim > ST_MAX_DIMS || (it->ndim && !it->shape))
        return rt_fail(ASACL_ERR_INVALID_ARG,
                       "writing %s: tensor '%s': %d dimensions (0 to %d allowed)", path, it->name,
                       it->ndim, ST_MAX_DIMS);
    uint64_t n = st_dtype_size(it->dtype);
    for (int i = 0; i < it->ndim; i++) {
        uint64_t d = (uint64_t)it->shape[i];
        if (it->shape[i] < 0 || (d && n > MAX_JSON_INT / d))
            return rt_fail(ASACL_ERR_INVALID_ARG, "writing %s: tensor '%s': bad shape[%d] = %lld",
                           path, it->name, i, (long long)it->shape[i]);
        n *= d;
    }
    if (n && !it->data)
        return rt_fail(ASACL_ERR_INVALID_ARG, "writing %s: tensor '%s' has no data", path,
                       it->name);
    *bytes = n;
    return ASACL_OK;
}

static int add_tensor(cJSON *root, const st_write_item *it, uint64_t begin, uint64_t end)
{
    cJSON *o = cJSON_AddObjectToObject(root, it->name);
    if (!o || !cJSON_AddStringToObject(o, "dtype", st_dtype_name(it->dtype))) return 0;
    cJSON *shape = cJSON_AddArrayToObject(o, "shape");
    cJSON *offsets = cJSON_AddArrayToObject(o, "data_offsets");
    if (!shape || !offsets) return 0;
    for (int i = 0; i < it->ndim; i++)
        if (!cJSON_AddItemToArray(shape, cJSON_CreateNumber((double)it->shape[i]))) return 0;
    return cJSON_AddItemToArray(offsets, cJSON_CreateNumber((double)begin)) &&
           cJSON_AddItemToArray(offsets, cJSON_CreateNumber((double)end));
}

/* The JSON header, unpadded, into *text; *data_bytes the size of the data buffer. */
static asacl_status build_header(const char *path, const st_write_item *items, size_t n,
                                 const char *const *kv, char **text, uint64_t *data_bytes)
{
    cJSON *root = cJSON_CreateObject();
    asacl_status st = ASACL_OK;
    int ok = root != NULL;
    if (ok && kv) {
        cJSON *meta = cJSON_AddObjectToObject(root, "__metadata__");
        ok = meta != NULL;
        for (size_t i = 0; ok && st == ASACL_OK && kv[i]; i += 2) {
            if (!kv[i + 1])
                st = rt_fail(ASACL_ERR_INVALID_ARG, "writing %s: metadata key '%s' has no value",
                             path, kv[i]);
            else
                ok = cJSON_AddStringToObject(meta, kv[i], kv[i + 1]) != NULL;
        }
    }
    uint64_t pos = 0;
    for (size_t i = 0; ok && st == ASACL_OK && i < n; i++) {
        uint64_t bytes = 0;
        st = item_bytes(path, &items[i], &bytes);
        for (size_t j = 0; st == ASACL_OK && j < i; j++)
            if (!strcmp(items[j].name, items[i].name))
                st = rt_fail(ASACL_ERR_INVALID_ARG, "writing %s: tensor '%s' given twice", path,
                             items[i].name);
        if (st == ASACL_OK && pos + bytes > MAX_JSON_INT)
            st = rt_fail(ASACL_ERR_INVALID_ARG, "writing %s: the tensors exceed 2^53 bytes", path);
        if (st == ASACL_OK) ok = add_tensor(root, &items[i], pos, pos + bytes);
        pos += bytes;
    }
    *text = ok && st == ASACL_OK ? cJSON_PrintUnformatted(root) : NULL;
    cJSON_Delete(root);
    if (st == ASACL_OK && !*text) st = rt_fail(ASACL_ERR_OUT_OF_MEMORY, "writing %s", path);
    *data_bytes = pos;
    return st;
}

/* Copies n elements of `size` bytes into little-endian order. */
static void copy_le(unsigned char *dst, const unsigned char *src, size_t n, size_t size)
{
    const uint16_t one = 1;
    if (*(const unsigned char *)&one == 1) {
        memcpy(dst, src, n * size);
        return;
    }
    for (size_t i = 0; i < n; i++)
        for (size_t b = 0; b < size; b++) dst[i * size + b] = src[i * size + size - 1 - b];
}

asacl_status st_write(const char *path, const st_write_item *items, size_t n,
                      const char *const *metadata_kv)
{
    if (!path || (n && !items)) return rt_fail(ASACL_ERR_INVALID_ARG, "st_write: NULL argument");
    char *header = NULL;
    uint64_t data_bytes = 0;
    TRY(build_header(path, items, n, metadata_kv, &header, &data_bytes));
    size_t hlen = strlen(header), padded = (hlen + 7) / 8 * 8;
    if (data_bytes > SIZE_MAX - 8 - padded) {
        free(header);
        return rt_fail(ASACL_ERR_INVALID_ARG, "writing %s: the tensors do not fit in memory", path);
    }
    size_t total = 8 + padded + (size_t)data_bytes;
    unsigned char *buf = malloc(total);
    if (!buf) {
        free(header);
        return rt_fail(ASACL_ERR_OUT_OF_MEMORY, "writing %s (%zu bytes)", path, total);
    }
    for (int i = 0; i < 8; i++) buf[i] = (unsigned char)((uint64_t)padded >> (8 * i));
    memcpy(buf + 8, header, hlen);
    memset(buf + 8 + hlen, ' ', padded - hlen);
    free(header);
    unsigned char *p = buf + 8 + padded;
    for (size_t i = 0; i < n; i++) {
        size_t size = st_dtype_size(items[i].dtype), count = 1;
        for (int d = 0; d < items[i].ndim; d++) count *= (size_t)items[i].shape[d];
        if (count) copy_le(p, items[i].data, count, size);
        p += count * size;
    }
    asacl_status st = rt_write_file_atomic(path, buf, total);
    free(buf);
    return st;
}
