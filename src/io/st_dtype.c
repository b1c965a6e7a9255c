/* st_dtype.c -- safetensors element types and their conversion to float32. */
#include <string.h>

#include "io/safetensors.h"
#include "base/base.h"

static const struct {
    const char *name;
    size_t size;
} dtypes[ST_DTYPE_COUNT] = {
    [ST_F32] = {"F32", 4}, [ST_F16] = {"F16", 2}, [ST_BF16] = {"BF16", 2},
    [ST_F64] = {"F64", 8}, [ST_I64] = {"I64", 8}, [ST_I32] = {"I32", 4},
    [ST_I16] = {"I16", 2}, [ST_I8] = {"I8", 1},   [ST_U64] = {"U64", 8},
    [ST_U32] = {"U32", 4}, [ST_U16] = {"U16", 2}, [ST_U8] = {"U8", 1},
    [ST_BOOL] = {"BOOL", 1},
};

const char *st_dtype_name(st_dtype dtype)
{
    return (unsigned)dtype < ST_DTYPE_COUNT ? dtypes[dtype].name : "?";
}

size_t st_dtype_size(st_dtype dtype)
{
    return (unsigned)dtype < ST_DTYPE_COUNT ? dtypes[dtype].size : 0;
}

int st_dtype_parse(const char *name)
{
    for (int i = 0; i < ST_DTYPE_COUNT; i++)
        if (!strcmp(name, dtypes[i].name)) return i;
    return -1;
}

size_t st_numel(const st_tensor *t)
{
    return (t->end - t->begin) / st_dtype_size(t->dtype);
}

const void *st_data(const st_file *f, const st_tensor *t)
{
    return f->data + t->begin;
}

static float f32_from_bits(uint32_t bits)
{
    float f;
    memcpy(&f, &bits, sizeof f);
    return f;
}

float st_f16_to_f32(uint16_t h)
{
    uint32_t sign = (uint32_t)(h >> 15) << 31, exp = (h >> 10) & 0x1f, mant = h & 0x3ff;
    if (exp == 0) { /* zero or subnormal: mant * 2^-24, exact in float32 */
        float v = (float)mant * 0x1p-24f;
        return sign ? -v : v;
    }
    if (exp == 31) /* infinity, or NaN with its payload kept and made quiet */
        return f32_from_bits(sign | 0x7f800000u | (mant << 13) | (mant ? 0x400000u : 0));
    return f32_from_bits(sign | ((exp + 127 - 15) << 23) | (mant << 13));
}

float st_bf16_to_f32(uint16_t h)
{
    return f32_from_bits((uint32_t)h << 16);
}

/* Little-endian loads, independent of the host's byte order. */
static uint64_t le_load(const unsigned char *p, size_t size)
{
    uint64_t v = 0;
    for (size_t i = size; i-- > 0;) v = v << 8 | p[i];
    return v;
}

asacl_status st_to_f32(const st_file *f, const st_tensor *t, float *dst)
{
    const unsigned char *p = f->data + t->begin;
    size_t n = st_numel(t), size = st_dtype_size(t->dtype);
    switch (t->dtype) {
    case ST_F32:
        for (size_t i = 0; i < n; i++) dst[i] = f32_from_bits((uint32_t)le_load(p + 4 * i, 4));
        return ASACL_OK;
    case ST_F16:
        for (size_t i = 0; i < n; i++) dst[i] = st_f16_to_f32((uint16_t)le_load(p + 2 * i, 2));
        return ASACL_OK;
    case ST_BF16:
        for (size_t i = 0; i < n; i++) dst[i] = st_bf16_to_f32((uint16_t)le_load(p + 2 * i, 2));
        return ASACL_OK;
    case ST_F64:
        for (size_t i = 0; i < n; i++) {
            uint64_t bits = le_load(p + size * i, size);
            double d;
            memcpy(&d, &bits, sizeof d);
            dst[i] = (float)d;
        }
        return ASACL_OK;
    default:
        return rt_fail(ASACL_ERR_INVALID_ARG,
                       "%s: tensor '%s' is %s; only F32, F16, BF16 and F64 convert to float32",
                       f->path, t->name, st_dtype_name(t->dtype));
    }
}
