/* test_safetensors.c -- the safetensors reader and writer (src/io/): exact bytes
 * written, round trips of every dtype, F16/BF16 conversion of special values,
 * and every validation failure of the reader and the writer. */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <unistd.h>

#include "io/safetensors.h"
#include "test_util.h"

static char dir[512];

static const char *tmp(const char *name)
{
    static char buf[4][1024];
    static int next;
    char *p = buf[next++ % 4];
    snprintf(p, sizeof buf[0], "%s/%s", dir, name);
    return p;
}

static unsigned char *slurp(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    REQUIRE_OK(f ? ASACL_OK : ASACL_ERR_IO);
    static unsigned char buf[1 << 16];
    *size = fread(buf, 1, sizeof buf, f);
    fclose(f);
    return buf;
}

static uint32_t f32_bits(float f)
{
    uint32_t u;
    memcpy(&u, &f, 4);
    return u;
}

static uint64_t le(const void *p, size_t size)
{
    const unsigned char *b = p;
    uint64_t v = 0;
    for (size_t i = size; i-- > 0;) v = v << 8 | b[i];
    return v;
}

/* ---- conversion ---------------------------------------------------------------- */

/* Input bits -> the float32 bits IEEE 754 conversion gives (worked out by hand). */
static const uint16_t f16_in[] = {0x0000, 0x8000, 0x0001, 0x03FF, 0x0400, 0x3C00, 0xC000,
                                  0x3555, 0x7BFF, 0x7C00, 0xFC00, 0x7E00, 0x7C01, 0xFE3F};
static const uint32_t f16_out[] = {
    0x00000000, 0x80000000, /* +0, -0 */
    0x33800000,             /* smallest subnormal 2^-24 */
    0x387FC000,             /* largest subnormal 1023 * 2^-24 */
    0x38800000,             /* smallest normal 2^-14 */
    0x3F800000, 0xC0000000, /* 1, -2 */
    0x3EAAA000,             /* 0.333251953125 */
    0x477FE000,             /* 65504, the largest finite */
    0x7F800000, 0xFF800000, /* +inf, -inf */
    0x7FC00000,             /* quiet NaN */
    0x7FC02000,             /* signalling NaN, payload 1: comes out quiet */
    0xFFC7E000,             /* negative NaN, payload 0x23F */
};
static const uint16_t bf16_in[] = {0x0000, 0x8000, 0x0001, 0x807F, 0x3F80, 0x7F7F,
                                   0x7F80, 0xFF80, 0x7FC0, 0xFFC1};
static const uint32_t bf16_out[] = {0x00000000, 0x80000000, 0x00010000, 0x807F0000, 0x3F800000,
                                    0x7F7F0000, 0x7F800000, 0xFF800000, 0x7FC00000, 0xFFC10000};
#define N16 (sizeof f16_in / sizeof *f16_in)
#define NB16 (sizeof bf16_in / sizeof *bf16_in)

static void test_conversion(void)
{
    CHECK(st_f16_to_f32(0x0001) == 0x1p-24f, "f16 0x0001 -> %a", (double)st_f16_to_f32(0x0001));
    CHECK(st_f16_to_f32(0x03FF) == 0x3FFp-24f, "f16 0x03ff -> %a", (double)st_f16_to_f32(0x03FF));
    CHECK(st_f16_to_f32(0x7BFF) == 65504.0f, "f16 0x7bff -> %g", (double)st_f16_to_f32(0x7BFF));
    CHECK(st_bf16_to_f32(0x0001) == 0x1p-133f, "bf16 0x0001 -> %a", (double)st_bf16_to_f32(0x0001));

    /* The same values through a file: written, read back, converted. */
    const double f64_in[] = {1.0 / 3.0, -2.5, 1e300, 1e-50};
    const uint32_t f64_out[] = {0x3EAAAAAB, 0xC0200000, 0x7F800000, 0x00000000};
    int64_t n16 = N16, nb16 = NB16, n64 = 4;
    st_write_item items[] = {{"h", ST_F16, 1, &n16, f16_in},
                             {"b", ST_BF16, 1, &nb16, bf16_in},
                             {"d", ST_F64, 1, &n64, f64_in}};
    const char *path = tmp("conv.safetensors");
    REQUIRE_OK(st_write(path, items, 3, NULL));
    st_file f;
    REQUIRE_OK(st_open(path, &f));
    float out[32];
    const st_tensor *h = st_find(&f, "h"), *b = st_find(&f, "b"), *d = st_find(&f, "d");
    REQUIRE_OK(h && b && d ? ASACL_OK : ASACL_ERR_INTERNAL);
    CHECK_OK(st_to_f32(&f, h, out));
    for (size_t i = 0; i < N16; i++)
        CHECK(f32_bits(out[i]) == f16_out[i], "f16 %04x -> %08x, expected %08x", f16_in[i],
              f32_bits(out[i]), f16_out[i]);
    CHECK_OK(st_to_f32(&f, b, out));
    for (size_t i = 0; i < NB16; i++)
        CHECK(f32_bits(out[i]) == bf16_out[i], "bf16 %04x -> %08x, expected %08x", bf16_in[i],
              f32_bits(out[i]), bf16_out[i]);
    CHECK_OK(st_to_f32(&f, d, out));
    for (int i = 0; i < 4; i++)
        CHECK(f32_bits(out[i]) == f64_out[i], "f64 %g -> %08x, expected %08x", f64_in[i],
              f32_bits(out[i]), f64_out[i]);
    st_close(&f);
    unlink(path);
}

/* ---- writer ------------------------------------------------------------------------ */

static void test_exact_bytes(void)
{
    const float v[2] = {1.0f, -2.5f};
    int64_t shape = 2;
    st_write_item item = {"a", ST_F32, 1, &shape, v};
    const char *meta[] = {"format", "pt", NULL};
    const char *path = tmp("exact.safetensors");
    REQUIRE_OK(st_write(path, &item, 1, meta));
    const char *json = "{\"__metadata__\":{\"format\":\"pt\"},"
                       "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}";
    size_t jl = strlen(json), padded = (jl + 7) / 8 * 8;
    unsigned char want[256] = {(unsigned char)padded};
    memcpy(want + 8, json, jl);
    memset(want + 8 + jl, ' ', padded - jl);
    const unsigned char data[8] = {0x00, 0x00, 0x80, 0x3F, 0x00, 0x00, 0x20, 0xC0};
    memcpy(want + 8 + padded, data, 8);
    size_t size;
    const unsigned char *got = slurp(path, &size);
    CHECK(jl % 8 != 0, "the example should need padding (header %zu bytes)", jl);
    CHECK(size == 16 + padded && !memcmp(got, want, size), "file bytes differ (size %zu, want %zu)",
          size, 16 + padded);
    unlink(path);
}

static void test_round_trip(void)
{
    const float f32[6] = {0.5f, -1.25f, 3e-38f, 1e38f, -0.0f, 7.0f};
    const int64_t i64[3] = {INT64_MIN, -1, INT64_MAX};
    const int32_t i32[2] = {INT32_MIN, 123456789};
    const int16_t i16[2] = {-32768, 32767};
    const int8_t i8[2] = {-128, 127};
    const uint8_t u8[3] = {0, 200, 255}, flags[3] = {1, 0, 1};
    const double f64[2] = {0.1, -1e-300};
    const float scalar = 42.0f;
    const int64_t s23[] = {2, 3}, s3[] = {3}, s2[] = {2}, s03[] = {0, 3};
    st_write_item items[] = {
        {"w.f32", ST_F32, 2, s23, f32},  {"i64", ST_I64, 1, s3, i64},  {"i32", ST_I32, 1, s2, i32},
        {"i16", ST_I16, 1, s2, i16},     {"i8", ST_I8, 1, s2, i8},     {"u8", ST_U8, 1, s3, u8},
        {"bool", ST_BOOL, 1, s3, flags}, {"f64", ST_F64, 1, s2, f64},  {"scalar", ST_F32, 0, NULL, &scalar},
        {"empty", ST_F32, 2, s03, NULL}, {"name with \"quotes\" and \\", ST_U8, 1, s2, u8},
    };
    size_t n = sizeof items / sizeof *items;
    const char *meta[] = {"format", "pt", "note", "caf\xc3\xa9 \"x\"", NULL};
    const char *path = tmp("round.safetensors");
    REQUIRE_OK(st_write(path, items, n, meta));

    size_t size;
    const unsigned char *raw = slurp(path, &size);
    uint64_t hlen = le(raw, 8);
    CHECK(hlen % 8 == 0 && hlen < size, "header length %llu", (unsigned long long)hlen);

    st_file f;
    REQUIRE_OK(st_open(path, &f));
    CHECK(f.n == n, "%zu tensors, expected %zu", f.n, n);
    CHECK(f.n_meta == 2, "%zu metadata entries", f.n_meta);
    CHECK(st_metadata(&f, "format") && !strcmp(st_metadata(&f, "format"), "pt"), "format metadata");
    CHECK(st_metadata(&f, "note") && !strcmp(st_metadata(&f, "note"), meta[3]), "note metadata");
    CHECK(st_metadata(&f, "other") == NULL, "absent metadata key found");
    CHECK(st_find(&f, "missing") == NULL, "absent tensor found");
    CHECK(f.data_size == 24 + 24 + 8 + 4 + 2 + 3 + 3 + 16 + 4 + 0 + 2, "data size %zu", f.data_size);
    for (size_t i = 1; i < f.n; i++)
        CHECK(strcmp(f.tensors[i - 1].name, f.tensors[i].name) < 0, "tensors not sorted by name");
    size_t pos = 0;
    for (size_t i = 0; i < n; i++) {
        const st_tensor *t = st_find(&f, items[i].name);
        CHECK(t != NULL, "tensor '%s' missing", items[i].name);
        if (!t) continue;
        size_t esize = st_dtype_size(items[i].dtype), numel = 1;
        for (int d = 0; d < items[i].ndim; d++) numel *= (size_t)items[i].shape[d];
        CHECK(t->dtype == items[i].dtype && t->ndim == items[i].ndim, "'%s': dtype %s ndim %d",
              t->name, st_dtype_name(t->dtype), t->ndim);
        for (int d = 0; d < t->ndim && d < items[i].ndim; d++)
            CHECK(t->shape[d] == items[i].shape[d], "'%s' shape[%d] = %lld", t->name, d,
                  (long long)t->shape[d]);
        CHECK(t->begin == pos && t->end == pos + numel * esize && st_numel(t) == numel,
              "'%s' at [%zu, %zu), expected [%zu, %zu)", t->name, t->begin, t->end, pos,
              pos + numel * esize);
        const unsigned char *got = st_data(&f, t);
        for (size_t e = 0; e < numel; e++) {
            uint64_t want = 0;
            memcpy(&want, (const unsigned char *)items[i].data + e * esize, esize); /* LE host */
            CHECK(le(got + e * esize, esize) == want, "'%s'[%zu] differs", t->name, e);
        }
        pos += numel * esize;
    }
    float out[6];
    CHECK_OK(st_to_f32(&f, st_find(&f, "w.f32"), out));
    CHECK(!memcmp(out, f32, sizeof out), "F32 values differ");
    CHECK_OK(st_to_f32(&f, st_find(&f, "scalar"), out));
    CHECK(out[0] == 42.0f, "scalar %g", (double)out[0]);
    CHECK(st_to_f32(&f, st_find(&f, "i64"), out) == ASACL_ERR_INVALID_ARG &&
              strstr(asacl_last_error(), "tensor 'i64' is I64"),
          "I64 to float: %s", asacl_last_error());
    st_close(&f);
    CHECK(f.tensors == NULL && f.n == 0, "st_close leaves the struct empty");
    st_close(&f); /* twice is harmless */
    unlink(path);

    /* No tensors and no metadata: an 8-byte "{}" header, space padded. */
    path = tmp("empty.safetensors");
    REQUIRE_OK(st_write(path, NULL, 0, NULL));
    raw = slurp(path, &size);
    CHECK(size == 16 && le(raw, 8) == 8 && !memcmp(raw + 8, "{}      ", 8), "empty file layout");
    REQUIRE_OK(st_open(path, &f));
    CHECK(f.n == 0 && f.n_meta == 0 && f.data_size == 0, "empty file contents");
    st_close(&f);
    unlink(path);
}

#define EXPECT_WRITE_FAIL(items, n, meta, want, fragment)                                     \
    do {                                                                                      \
        asacl_status st_ = st_write(tmp("w.safetensors"), items, n, meta);                    \
        CHECK(st_ == (want) && strstr(asacl_last_error(), fragment),                          \
              "st_write gave %s '%s', expected %s with '%s'", asacl_status_str(st_),          \
              asacl_last_error(), asacl_status_str(want), fragment);                          \
        CHECK(access(tmp("w.safetensors"), F_OK) != 0, "a failed write left a file");         \
    } while (0)

static void test_write_errors(void)
{
    const float v[4] = {0};
    const int64_t s2[] = {2}, neg[] = {-1}, s9[9] = {1, 1, 1, 1, 1, 1, 1, 1, 1};
    st_write_item dup[] = {{"x", ST_F32, 1, s2, v}, {"x", ST_F32, 1, s2, v}};
    EXPECT_WRITE_FAIL(dup, 2, NULL, ASACL_ERR_INVALID_ARG, "tensor 'x' given twice");
    st_write_item meta_name = {"__metadata__", ST_F32, 1, s2, v};
    EXPECT_WRITE_FAIL(&meta_name, 1, NULL, ASACL_ERR_INVALID_ARG, "bad tensor name '__metadata__'");
    st_write_item no_name = {"", ST_F32, 1, s2, v};
    EXPECT_WRITE_FAIL(&no_name, 1, NULL, ASACL_ERR_INVALID_ARG, "bad tensor name ''");
    st_write_item bad_dtype = {"x", (st_dtype)99, 1, s2, v};
    EXPECT_WRITE_FAIL(&bad_dtype, 1, NULL, ASACL_ERR_INVALID_ARG, "tensor 'x': unknown dtype 99");
    st_write_item many = {"x", ST_F32, 9, s9, v};
    EXPECT_WRITE_FAIL(&many, 1, NULL, ASACL_ERR_INVALID_ARG, "tensor 'x': 9 dimensions");
    st_write_item negative = {"x", ST_F32, 1, neg, v};
    EXPECT_WRITE_FAIL(&negative, 1, NULL, ASACL_ERR_INVALID_ARG, "tensor 'x': bad shape[0] = -1");
    st_write_item no_data = {"x", ST_F32, 1, s2, NULL};
    EXPECT_WRITE_FAIL(&no_data, 1, NULL, ASACL_ERR_INVALID_ARG, "tensor 'x' has no data");
    const char *odd[] = {"format", NULL};
    st_write_item ok = {"x", ST_F32, 1, s2, v};
    EXPECT_WRITE_FAIL(&ok, 1, odd, ASACL_ERR_INVALID_ARG, "metadata key 'format' has no value");
    asacl_status st = st_write(tmp("no/such/folder/x.safetensors"), &ok, 1, NULL);
    CHECK(st == ASACL_ERR_IO && strstr(asacl_last_error(), "no/such/folder/x.safetensors"),
          "write into a missing folder: %s %s", asacl_status_str(st), asacl_last_error());
}

/* ---- reader validation ------------------------------------------------------------------ */

/* Writes the 8-byte length hlen, the header text and data_size bytes 0, 1, 2, ... */
static const char *write_raw(uint64_t hlen, const char *header, size_t data_size)
{
    const char *path = tmp("bad.safetensors");
    FILE *f = fopen(path, "wb");
    REQUIRE_OK(f ? ASACL_OK : ASACL_ERR_IO);
    for (int i = 0; i < 8; i++) fputc((int)(hlen >> (8 * i)) & 0xff, f);
    fputs(header, f);
    for (size_t i = 0; i < data_size; i++) fputc((int)(i & 0xff), f);
    fclose(f);
    return path;
}

/* st_open of that file fails with ASACL_ERR_FORMAT and a message holding the
 * file's path and the fragment. */
static void expect_bad_(int line, uint64_t hlen, const char *header, size_t data_size,
                        const char *fragment)
{
    const char *path = write_raw(hlen, header, data_size);
    st_file f;
    memset(&f, 0x5a, sizeof f);
    asacl_status st = st_open(path, &f);
    const char *msg = asacl_last_error();
    CHECK(st == ASACL_ERR_FORMAT && strstr(msg, path) && strstr(msg, fragment),
          "(line %d) header %s: got %s '%s', expected '%s'", line, header, asacl_status_str(st),
          msg, fragment);
    CHECK(f.tensors == NULL && f.image == NULL && f.n == 0, "(line %d) failed open left data", line);
    if (st == ASACL_OK) st_close(&f);
}
#define EXPECT_BAD(header, data_size, fragment) \
    expect_bad_(__LINE__, strlen(header), header, data_size, fragment)

static void test_read_errors(void)
{
    const char *path = tmp("short.safetensors");
    FILE *f = fopen(path, "wb");
    fputs("abcde", f);
    fclose(f);
    st_file sf;
    asacl_status st = st_open(path, &sf);
    CHECK(st == ASACL_ERR_FORMAT && strstr(asacl_last_error(), "5 bytes is too short"),
          "short file: %s", asacl_last_error());
    unlink(path);
    st = st_open(tmp("does-not-exist.safetensors"), &sf);
    CHECK(st == ASACL_ERR_IO && strstr(asacl_last_error(), "does-not-exist.safetensors"),
          "missing file: %s %s", asacl_status_str(st), asacl_last_error());

    expect_bad_(__LINE__, (uint64_t)200 << 20, "{}", 0, "header length 209715200 exceeds the limit");
    expect_bad_(__LINE__, 1000, "{}", 6, "header length 1000 runs past the end of the 16-byte file");
    EXPECT_BAD("{\"a\":", 0, "the header is not valid JSON");
    EXPECT_BAD("{} x", 0, "the header is not valid JSON (error at byte 3)");
    EXPECT_BAD("[1, 2]", 0, "the header is not a JSON object");
    EXPECT_BAD("{\"__metadata__\": 3}", 0, "\"__metadata__\" must be an object of strings");
    EXPECT_BAD("{\"__metadata__\": {\"format\": 1}}", 0, "\"__metadata__\" entry 'format' must be a string");
    EXPECT_BAD("{\"__metadata__\": {}, \"__metadata__\": {}}", 0, "\"__metadata__\" appears twice");
    EXPECT_BAD("{\"a\": 5}", 0, "tensor 'a': expected an object with dtype, shape and data_offsets");
    EXPECT_BAD("{\"a\": {\"shape\": [1], \"data_offsets\": [0, 4]}}", 4,
               "tensor 'a': \"dtype\" must be a string");
    EXPECT_BAD("{\"a\": {\"dtype\": \"F17\", \"shape\": [1], \"data_offsets\": [0, 4]}}", 4,
               "tensor 'a': unknown dtype 'F17'");
    EXPECT_BAD("{\"a\": {\"dtype\": \"F32\", \"shape\": 1, \"data_offsets\": [0, 4]}}", 4,
               "tensor 'a': \"shape\" must be an array of non-negative integers");
    EXPECT_BAD("{\"a\": {\"dtype\": \"F32\", \"shape\": [-1], \"data_offsets\": [0, 4]}}", 4,
               "tensor 'a': shape[0] must be a non-negative integer");
    EXPECT_BAD("{\"a\": {\"dtype\": \"F32\", \"shape\": [2, 1.5], \"data_offsets\": [0, 4]}}", 4,
               "tensor 'a': shape[1] must be a non-negative integer");
    EXPECT_BAD("{\"a\": {\"dtype\": \"F32\", \"shape\": [1,1,1,1,1,1,1,1,1], \"data_offsets\": [0, 4]}}",
               4, "tensor 'a': 9 dimensions, at most 8 supported");
    EXPECT_BAD("{\"a\": {\"dtype\": \"F32\", \"shape\": [1]}}", 4,
               "tensor 'a': \"data_offsets\" must be [begin, end]");
    EXPECT_BAD("{\"a\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [4]}}", 4,
               "tensor 'a': \"data_offsets\" must be [begin, end]");
    EXPECT_BAD("{\"a\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0, \"4\"]}}", 4,
               "tensor 'a': \"data_offsets\" must be [begin, end]");
    EXPECT_BAD("{\"a\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [4, 0]}}", 4,
               "tensor 'a': data_offsets [4, 0] end before they begin");
    EXPECT_BAD("{\"a\": {\"dtype\": \"F32\", \"shape\": [4], \"data_offsets\": [0, 16]}}", 8,
               "tensor 'a': data_offsets [0, 16] run past the 8-byte data buffer");
    EXPECT_BAD("{\"a\": {\"dtype\": \"F32\", \"shape\": [3], \"data_offsets\": [0, 8]}}", 8,
               "tensor 'a': data_offsets [0, 8] hold 8 bytes, but F32 shape [3] needs 12");
    EXPECT_BAD("{\"a\": {\"dtype\": \"BF16\", \"shape\": [2, 3], \"data_offsets\": [0, 8]}}", 8,
               "tensor 'a': data_offsets [0, 8] hold 8 bytes, but BF16 shape [2, 3] needs 12");
    EXPECT_BAD("{\"a\": {\"dtype\": \"F32\", \"shape\": [4294967296, 4294967296], \"data_offsets\": [0, 0]}}",
               0, "tensor 'a': shape [4294967296, 4294967296] is too large");
    EXPECT_BAD("{\"a\": {\"dtype\": \"F32\", \"shape\": [2147483648, 2147483648], \"data_offsets\": [0, 0]}}",
               0, "tensor 'a': shape [2147483648, 2147483648] is too large");
    EXPECT_BAD("{\"a\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, 8]},"
               " \"b\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [4, 12]}}", 12,
               "tensors 'a' [0, 8] and 'b' [4, 12] overlap");
    EXPECT_BAD("{\"b\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [8, 12]},"
               " \"a\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0, 4]}}", 12,
               "data bytes [4, 8) belong to no tensor (a gap before 'b')");
    EXPECT_BAD("{\"a\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [4, 8]}}", 8,
               "data bytes [0, 4) belong to no tensor (a gap before 'a')");
    EXPECT_BAD("{\"a\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0, 4]}}", 8,
               "4 trailing bytes: the tensors cover 4 of the 8-byte data buffer");
    EXPECT_BAD("{}", 3, "3 trailing bytes");
    EXPECT_BAD("{\"a\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0, 4]},"
               " \"a\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [4, 8]}}", 8,
               "duplicate tensor name 'a'");
    unlink(tmp("bad.safetensors"));
}

/* Hand-made files the reader must accept: whitespace after the JSON, unknown
 * keys in an entry, zero-sized tensors sharing an offset, listing out of order. */
static void test_read_accepts(void)
{
    const char *hdr = "{\"z\": {\"dtype\": \"I8\", \"shape\": [3], \"data_offsets\": [4, 7], \"x\": 1},"
                      " \"e1\": {\"dtype\": \"F32\", \"shape\": [0], \"data_offsets\": [4, 4]},"
                      " \"e2\": {\"dtype\": \"F64\", \"shape\": [5, 0], \"data_offsets\": [4, 4]},"
                      " \"a\": {\"dtype\": \"U16\", \"shape\": [2], \"data_offsets\": [0, 4]}} \n\t ";
    const char *path = write_raw(strlen(hdr), hdr, 7);
    st_file f;
    REQUIRE_OK(st_open(path, &f));
    CHECK(f.n == 4 && !strcmp(f.tensors[0].name, "a") && !strcmp(f.tensors[3].name, "z"),
          "%zu tensors, sorted", f.n);
    const st_tensor *z = st_find(&f, "z");
    CHECK(z && z->dtype == ST_I8 && z->begin == 4 && st_numel(z) == 3 &&
              !memcmp(st_data(&f, z), "\x04\x05\x06", 3), "tensor z");
    const st_tensor *a = st_find(&f, "a");
    CHECK(a && a->dtype == ST_U16 && le(st_data(&f, a), 2) == 0x0100, "tensor a");
    st_close(&f);
    unlink(path);
}

static void test_dtype_names(void)
{
    for (int i = 0; i < ST_DTYPE_COUNT; i++)
        CHECK(st_dtype_parse(st_dtype_name((st_dtype)i)) == i, "dtype %d name %s", i,
              st_dtype_name((st_dtype)i));
    CHECK(st_dtype_size(ST_BF16) == 2 && st_dtype_size(ST_F64) == 8 && st_dtype_size(ST_BOOL) == 1 &&
              st_dtype_size(ST_U32) == 4, "dtype sizes");
    CHECK(st_dtype_parse("f32") == -1 && st_dtype_parse("") == -1, "dtype names are case-sensitive");
}

int main(void)
{
    const char *t = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/asacl-st-XXXXXX", t && *t ? t : "/tmp");
    REQUIRE_OK(mkdtemp(dir) ? ASACL_OK : ASACL_ERR_IO);
    test_dtype_names();
    test_conversion();
    test_exact_bytes();
    test_round_trip();
    test_write_errors();
    test_read_errors();
    test_read_accepts();
    rmdir(dir);
    return test_finish("test_safetensors");
}
