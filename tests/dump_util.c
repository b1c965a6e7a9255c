/* dump_util.c -- see dump_util.h. */
#include "dump_util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int dump_meta_int(const st_file *f, const char *key)
{
    const char *v = st_metadata(f, key);
    CHECK(v != NULL, "metadata %s present", key);
    return v ? atoi(v) : 0;
}

double *dump_tensor(const st_file *f, const char *name, size_t *n)
{
    const st_tensor *t = st_find(f, name);
    if (!t) return NULL;
    size_t k = st_numel(t);
    double *d = malloc((k ? k : 1) * sizeof *d);
    if (t->dtype == ST_I64) {
        const int64_t *v = st_data(f, t);
        for (size_t i = 0; i < k; i++) d[i] = (double)v[i];
    } else {
        float *v = malloc((k ? k : 1) * sizeof *v);
        REQUIRE_OK(st_to_f32(f, t, v));
        for (size_t i = 0; i < k; i++) d[i] = v[i];
        free(v);
    }
    if (n) *n = k;
    return d;
}

double *dump_require(const st_file *f, const char *name, size_t *n)
{
    double *d = dump_tensor(f, name, n);
    CHECK(d != NULL, "%s: no tensor %s", f->path, name);
    REQUIRE_OK(d ? ASACL_OK : ASACL_ERR_FORMAT);
    return d;
}

int *dump_ints(const st_file *f, const char *name, size_t *n)
{
    const st_tensor *t = st_find(f, name);
    REQUIRE_OK(t && t->dtype == ST_I64 ? ASACL_OK : ASACL_ERR_FORMAT);
    *n = st_numel(t);
    const int64_t *v = st_data(f, t);
    int *out = malloc((*n ? *n : 1) * sizeof *out);
    for (size_t i = 0; i < *n; i++) out[i] = (int)v[i];
    return out;
}

void dump_compare(asacl_ctx *ctx, const st_file *f, const char *name, cl_mem buf, size_t off,
                  size_t n, double atol, double rtol, double rel_max)
{
    size_t k = 0;
    double *want = dump_tensor(f, name, &k);
    CHECK(want && k == n, "dump tensor %s: %zu values, want %zu", name, k, n);
    if (!want || k != n) {
        free(want);
        return;
    }
    double *got = malloc(n * sizeof *got), big = 0;
    for (size_t i = 0; i < n; i++) big = fabs(want[i]) > big ? fabs(want[i]) : big;
    test_download(ctx, buf, off, n, got);
    test_compare_d(name, got, want, n, atol + rel_max * big, rtol);
    free(got);
    free(want);
}

void dump_compare_scalar(const st_file *f, const char *name, double got, double atol, double rtol)
{
    double *want = dump_tensor(f, name, NULL);
    CHECK(want != NULL, "dump tensor %s", name);
    if (want) test_compare_d(name, &got, want, 1, atol, rtol);
    free(want);
}

void dump_config(const st_file *f, asacl_model_config *c)
{
    asacl_model_config_default(c);
    c->num_hidden_layers = dump_meta_int(f, "L");
    c->hidden_size = dump_meta_int(f, "D");
    c->num_attention_heads = dump_meta_int(f, "H");
    c->intermediate_size = dump_meta_int(f, "F");
    c->vocab_size = dump_meta_int(f, "V");
    c->max_position_embeddings = dump_meta_int(f, "P");
    c->type_vocab_size = dump_meta_int(f, "TV");
    c->pad_token_id = dump_meta_int(f, "pad_token_id");
    c->layer_norm_eps = (float)atof(st_metadata(f, "layer_norm_eps"));
    const char *type = st_metadata(f, "model_type"); /* absent: BERT */
    c->model_type = type && !strcmp(type, "roberta") ? ASACL_MODEL_ROBERTA : ASACL_MODEL_BERT;
    c->hidden_dropout_prob = c->attention_probs_dropout_prob = 0.0f;
}
