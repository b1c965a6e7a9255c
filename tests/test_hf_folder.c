/* test_hf_folder.c -- the io layer against files transformers and safetensors wrote
 * (tests/data/hf/, from tests/gen_hf_folders.py): every dtype, F16/BF16 weights
 * against their F32 originals and against torch's own conversion, the tensor
 * names of BertForSequenceClassification, BertModel and BertForMaskedLM, and a
 * model folder written back out (config.json + model.safetensors + vocab.txt).
 *
 *   test_hf_folder [DIR]   also writes that folder to DIR and keeps it, for
 *                          tests/check_hf_load.py */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <unistd.h>

#include "io/config_json.h"
#include "io/hf_names.h"
#include "io/safetensors.h"
#include "runtime/runtime.h"
#include "test_util.h"

#define HF ASACL_TEST_DATA "/hf/"

static uint32_t bits(float f)
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

static const st_tensor *need(const st_file *f, const char *name)
{
    const st_tensor *t = st_find(f, name);
    if (!t) {
        fprintf(stderr, "%s: tensor '%s' missing\n", f->path, name);
        exit(1);
    }
    return t;
}

/* Converts `name` and compares it bit for bit with the F32 tensor `ref_name`,
 * except that a NaN only has to be a NaN: torch turns every F16 NaN into
 * 0x7fffffff, where asacl keeps sign and payload (as the F16C instruction does;
 * test_safetensors checks those bits). */
static void check_exact(const st_file *f, const char *name, const st_file *rf, const char *ref_name)
{
    const st_tensor *t = need(f, name), *r = need(rf, ref_name);
    size_t n = st_numel(t);
    CHECK(r->dtype == ST_F32 && st_numel(r) == n, "%s: %zu values, reference %zu", name, n, st_numel(r));
    if (st_numel(r) != n) return;
    float *got = malloc(n * sizeof *got), *want = malloc(n * sizeof *want);
    CHECK_OK(st_to_f32(f, t, got));
    CHECK_OK(st_to_f32(rf, r, want));
    size_t bad = 0;
    for (size_t i = 0; i < n; i++)
        if (bits(got[i]) != bits(want[i]) && !(isnan(want[i]) && isnan(got[i])) && bad++ < 3)
            fprintf(stderr, "%s[%zu]: %08x, torch gives %08x\n", name, i, bits(got[i]), bits(want[i]));
    CHECK(bad == 0, "%s: %zu of %zu values differ from torch's conversion", name, bad, n);
    free(got);
    free(want);
}

static void test_dtypes(void)
{
    st_file f;
    REQUIRE_OK(st_open(HF "dtype_ref.safetensors", &f));
    CHECK(st_metadata(&f, "format") && !strcmp(st_metadata(&f, "format"), "pt"), "format metadata");
    CHECK(f.n == 18, "%zu tensors in dtype_ref", f.n);
    check_exact(&f, "f16.special", &f, "f16.special.as_f32");
    check_exact(&f, "bf16.special", &f, "bf16.special.as_f32");
    check_exact(&f, "f64.values", &f, "f64.values.as_f32");
    CHECK(need(&f, "f16.special")->dtype == ST_F16 && need(&f, "bf16.special")->dtype == ST_BF16 &&
              need(&f, "f64.values")->dtype == ST_F64, "float dtypes");

    static const struct {
        const char *name;
        st_dtype dtype;
        int64_t values[4];
    } ints[] = {
        {"i64", ST_I64, {-(INT64_C(1) << 62), -1, 0, 7}},
        {"i32", ST_I32, {INT32_MIN, 1, 2, INT32_MAX}},
        {"i16", ST_I16, {-32768, 32767}},
        {"i8", ST_I8, {-128, 5, 127}},
        {"u8", ST_U8, {0, 200, 255}},
        {"bool", ST_BOOL, {1, 0, 1}},
    };
    for (size_t i = 0; i < sizeof ints / sizeof *ints; i++) {
        const st_tensor *t = need(&f, ints[i].name);
        size_t size = st_dtype_size(t->dtype), n = st_numel(t);
        CHECK(t->dtype == ints[i].dtype, "%s: dtype %s", t->name, st_dtype_name(t->dtype));
        for (size_t e = 0; e < n && e < 4; e++) {
            uint64_t v = le((const char *)st_data(&f, t) + e * size, size);
            if (ints[i].dtype != ST_U8 && ints[i].dtype != ST_BOOL && size < 8 && v >> (8 * size - 1))
                v |= ~(uint64_t)0 << (8 * size); /* sign-extend */
            CHECK((int64_t)v == ints[i].values[e], "%s[%zu] = %lld", t->name, e, (long long)(int64_t)v);
        }
    }
    const st_tensor *i32 = need(&f, "i32"), *scalar = need(&f, "scalar"), *empty = need(&f, "empty");
    CHECK(i32->ndim == 2 && i32->shape[0] == 2 && i32->shape[1] == 2, "i32 shape");
    float s = 0;
    CHECK_OK(st_to_f32(&f, scalar, &s));
    CHECK(scalar->ndim == 0 && s == 1.5f, "scalar: ndim %d value %g", scalar->ndim, (double)s);
    CHECK(empty->ndim == 2 && empty->shape[0] == 0 && empty->shape[1] == 3 && st_numel(empty) == 0,
          "empty tensor");
    st_close(&f);
}

/* Every tensor of cls_f32 maps to itself; F16 and BF16 copies match it within
 * the dtype's rounding and exactly as torch converts them. */
static void test_cls(void)
{
    st_file f32, lo, ref;
    REQUIRE_OK(st_open(HF "cls_f32/model.safetensors", &f32));
    REQUIRE_OK(st_open(HF "dtype_ref.safetensors", &ref));
    CHECK(f32.n == 41, "cls_f32: %zu tensors", f32.n);
    CHECK(st_metadata(&f32, "format") && !strcmp(st_metadata(&f32, "format"), "pt"), "format pt");
    for (size_t i = 0; i < f32.n; i++) {
        char canon[HF_NAME_MAX];
        int k = hf_canonical_name(f32.tensors[i].name, canon, sizeof canon);
        CHECK(k == HF_NAME_MAPPED && !strcmp(canon, f32.tensors[i].name), "'%s' -> %d '%s'",
              f32.tensors[i].name, k, canon);
        CHECK(f32.tensors[i].dtype == ST_F32, "'%s' is %s", f32.tensors[i].name,
              st_dtype_name(f32.tensors[i].dtype));
    }
    static const struct {
        const char *name;
        int ndim;
        int64_t d0, d1;
    } shapes[] = {
        {"bert.embeddings.word_embeddings.weight", 2, 99, 32},
        {"bert.embeddings.position_embeddings.weight", 2, 64, 32},
        {"bert.embeddings.token_type_embeddings.weight", 2, 2, 32},
        {"bert.encoder.layer.1.attention.self.query.weight", 2, 32, 32},
        {"bert.encoder.layer.0.intermediate.dense.weight", 2, 37, 32},
        {"bert.encoder.layer.0.output.dense.weight", 2, 32, 37},
        {"bert.encoder.layer.1.output.LayerNorm.bias", 1, 32, 0},
        {"classifier.weight", 2, 3, 32},
        {"classifier.bias", 1, 3, 0},
    };
    for (size_t i = 0; i < sizeof shapes / sizeof *shapes; i++) {
        const st_tensor *t = need(&f32, shapes[i].name);
        CHECK(t->ndim == shapes[i].ndim && t->shape[0] == shapes[i].d0 &&
                  (t->ndim == 1 || t->shape[1] == shapes[i].d1),
              "%s: shape [%lld, %lld]", t->name, (long long)t->shape[0], (long long)t->shape[1]);
    }

    const char *dirs[] = {"cls_f16", "cls_bf16"};
    const st_dtype types[] = {ST_F16, ST_BF16};
    const double rel[] = {0x1p-11, 0x1p-8}, abs_sub[] = {0x1p-25, 0};
    for (int d = 0; d < 2; d++) {
        char path[1024];
        snprintf(path, sizeof path, HF "%s/model.safetensors", dirs[d]);
        REQUIRE_OK(st_open(path, &lo));
        CHECK(lo.n == f32.n, "%s: %zu tensors", dirs[d], lo.n);
        size_t subnormal = 0;
        for (size_t i = 0; i < f32.n; i++) {
            const st_tensor *a = &f32.tensors[i], *b = need(&lo, a->name);
            size_t n = st_numel(a);
            CHECK(b->dtype == types[d] && st_numel(b) == n, "%s %s: %s", dirs[d], a->name,
                  st_dtype_name(b->dtype));
            if (st_numel(b) != n) continue;
            float *x = malloc(n * sizeof *x), *y = malloc(n * sizeof *y);
            CHECK_OK(st_to_f32(&f32, a, x));
            CHECK_OK(st_to_f32(&lo, b, y));
            size_t bad = 0;
            for (size_t e = 0; e < n; e++) {
                /* Round to nearest: at most half a unit in the last place. */
                double err = fabs((double)y[e] - x[e]), tol = rel[d] * fabs(x[e]) + abs_sub[d];
                bad += !(err <= tol);
                subnormal += y[e] != 0 && fabsf(y[e]) < 0x1p-14f;
            }
            CHECK(bad == 0, "%s %s: %zu values off by more than half an ulp", dirs[d], a->name, bad);
            free(x);
            free(y);
        }
        if (types[d] == ST_F16) CHECK(subnormal > 0, "cls_f16 should hold F16 subnormals");
        for (int k = 0; k < 2; k++) {
            const char *w = k ? "classifier.weight" : "bert.encoder.layer.0.attention.self.query.weight";
            char ref_name[256];
            snprintf(ref_name, sizeof ref_name, "%s.%s.as_f32", dirs[d], w);
            check_exact(&lo, w, &ref, ref_name);
        }
        st_close(&lo);
    }
    st_close(&ref);
    st_close(&f32);
}

/* BertModel (no prefix, no classifier) and BertForMaskedLM (cls.predictions head --
 * the masked-LM layout's, its decoder the tied word embeddings -- no pooler). */
static void test_other_heads(void)
{
    st_file cls, f;
    REQUIRE_OK(st_open(HF "cls_f32/model.safetensors", &cls));
    const struct {
        const char *path;
        size_t tensors, ignored, mapped;
        int pooler;
    } heads[] = {{HF "bare/model.safetensors", 39, 0, 39, 1}, {HF "mlm/model.safetensors", 42, 0, 42, 0}};
    const st_tensor *we = st_find(&cls, "bert.embeddings.word_embeddings.weight");
    REQUIRE_OK(we && we->ndim == 2 ? ASACL_OK : ASACL_ERR_FORMAT);
    for (int h = 0; h < 2; h++) {
        REQUIRE_OK(st_open(heads[h].path, &f));
        size_t ignored = 0, mapped = 0, unknown = 0;
        int pooler = 0;
        for (size_t i = 0; i < f.n; i++) {
            char canon[HF_NAME_MAX];
            int k = hf_canonical_name(f.tensors[i].name, canon, sizeof canon);
            ignored += k == HF_NAME_IGNORED;
            unknown += k == HF_NAME_UNKNOWN;
            if (k != HF_NAME_MAPPED) continue;
            mapped++;
            pooler |= strstr(canon, "pooler") != NULL;
            if (!strncmp(canon, "cls.predictions.", 16)) { /* [V] for the bias, else [D, ...] */
                long long want = !strcmp(canon, "cls.predictions.bias") ? we->shape[0] : we->shape[1];
                CHECK(f.tensors[i].shape[0] == want, "%s: %s's first dimension %lld, want %lld",
                      heads[h].path, canon, (long long)f.tensors[i].shape[0], want);
                continue;
            }
            const st_tensor *c = st_find(&cls, canon);
            CHECK(c && c->ndim == f.tensors[i].ndim && c->shape[0] == f.tensors[i].shape[0],
                  "%s: '%s' -> '%s' has no match in cls_f32", heads[h].path, f.tensors[i].name, canon);
            CHECK(strncmp(canon, "classifier", 10) != 0, "%s: a classifier tensor", heads[h].path);
        }
        CHECK(f.n == heads[h].tensors && ignored == heads[h].ignored && mapped == heads[h].mapped &&
                  unknown == 0 && pooler == heads[h].pooler,
              "%s: %zu tensors, %zu ignored, %zu mapped, %zu unknown, pooler %d", heads[h].path, f.n,
              ignored, mapped, unknown, pooler);
        st_close(&f);
    }
    st_close(&cls);
}

/* Reads cls_f32 and writes it back as an asacl model folder in out_dir; then
 * checks what was written. */
static void write_folder(const char *out_dir)
{
    char path[1200];
    REQUIRE_OK(rt_mkdirs(out_dir));
    asacl_model_config cfg, back;
    REQUIRE_OK(hfcfg_read(HF "cls_f32/config.json", &cfg));
    snprintf(path, sizeof path, "%s/config.json", out_dir);
    REQUIRE_OK(hfcfg_write(path, &cfg));
    REQUIRE_OK(hfcfg_read(path, &back));
    CHECK(!memcmp(&cfg, &back, sizeof cfg), "config.json round trip differs");

    st_file src, out;
    REQUIRE_OK(st_open(HF "cls_f32/model.safetensors", &src));
    st_write_item *items = calloc(src.n, sizeof *items);
    char(*names)[HF_NAME_MAX] = calloc(src.n, sizeof *names);
    for (size_t i = 0; i < src.n; i++) {
        const st_tensor *t = &src.tensors[src.n - 1 - i]; /* a layout unlike the source's */
        CHECK(hf_canonical_name(t->name, names[i], HF_NAME_MAX) == HF_NAME_MAPPED, "%s", t->name);
        items[i] = (st_write_item){names[i], t->dtype, t->ndim, t->shape, st_data(&src, t)};
    }
    const char *meta[] = {"format", "pt", NULL};
    snprintf(path, sizeof path, "%s/model.safetensors", out_dir);
    REQUIRE_OK(st_write(path, items, src.n, meta));
    REQUIRE_OK(st_open(path, &out));
    CHECK(out.n == src.n && out.data_size == src.data_size, "written: %zu tensors, %zu bytes", out.n,
          out.data_size);
    for (size_t i = 0; i < src.n; i++) {
        const st_tensor *a = &src.tensors[i], *b = st_find(&out, a->name);
        CHECK(b && b->dtype == a->dtype && b->ndim == a->ndim &&
                  !memcmp(b->shape, a->shape, sizeof a->shape) && b->end - b->begin == a->end - a->begin &&
                  !memcmp(st_data(&out, b), st_data(&src, a), a->end - a->begin),
              "written tensor '%s' differs", a->name);
    }
    const st_tensor *first = st_find(&out, "classifier.weight"), *second = st_find(&out, "classifier.bias");
    const st_tensor *last = st_find(&out, "bert.embeddings.LayerNorm.bias");
    CHECK(first && second && last && first->begin == 0 && second->begin == 3 * 32 * 4 &&
              last->end == out.data_size, "tensors are laid out in the order given");
    st_close(&out);
    st_close(&src);
    free(items);
    free(names);

    char *vocab = NULL;
    size_t size = 0;
    REQUIRE_OK(rt_read_file(HF "cls_f32/vocab.txt", &vocab, &size));
    snprintf(path, sizeof path, "%s/vocab.txt", out_dir);
    REQUIRE_OK(rt_write_file_atomic(path, vocab, size));
    free(vocab);
}

static void remove_folder(const char *d)
{
    const char *files[] = {"config.json", "model.safetensors", "vocab.txt"};
    char path[1200];
    for (int i = 0; i < 3; i++) {
        snprintf(path, sizeof path, "%s/%s", d, files[i]);
        unlink(path);
    }
    CHECK(rmdir(d) == 0, "%s: left files behind", d);
}

int main(int argc, char **argv)
{
    test_dtypes();
    test_cls();
    test_other_heads();
    if (argc > 1) {
        write_folder(argv[1]);
        printf("wrote %s\n", argv[1]);
    } else {
        char d[512];
        const char *t = getenv("TMPDIR");
        snprintf(d, sizeof d, "%s/asacl-hf-XXXXXX", t && *t ? t : "/tmp");
        REQUIRE_OK(mkdtemp(d) ? ASACL_OK : ASACL_ERR_IO);
        write_folder(d);
        remove_folder(d);
    }
    return test_finish("test_hf_folder");
}
