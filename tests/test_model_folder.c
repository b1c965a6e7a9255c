/* test_model_folder.c -- model folders through the public API:
 *   - a folder saved by Hugging Face transformers (BertForSequenceClassification,
 *     tests/data/hf/cls_f32, written by tests/gen_hf_folders.py) gives the
 *     logits transformers computed for two inputs with padding and segments;
 *   - the same weights saved as F16 and BF16 load (converted to F32);
 *   - a bare BertModel and a BertForMaskedLM load with a fresh classifier (and
 *     pooler), reported, with the MLM head ignored;
 *   - asacl's own save round-trips bit for bit, writes Hugging Face names in
 *     F32 with {"format": "pt"}, and leaves the adversaries out;
 *   - missing files and shapes that disagree with config.json are clear errors. */
#define _POSIX_C_SOURCE 200809L
#include <cjson/cJSON.h>
#include <math.h>
#include <unistd.h>

#include "io/safetensors.h"
#include "test_util.h"

#define HF ASACL_TEST_DATA "/hf/"

static asacl_ctx *ctx;

typedef struct inputs {
    int32_t ids[16], segs[16], lens[2];
    double logits[6];
} inputs;

static void read_inputs(inputs *in)
{
    char *text = NULL;
    REQUIRE_OK(rt_read_file(HF "cls_f32_logits.json", &text, NULL));
    cJSON *j = cJSON_Parse(text);
    CHECK(j != NULL, "cls_f32_logits.json parses");
    cJSON *ids = cJSON_GetObjectItem(j, "input_ids"), *tt = cJSON_GetObjectItem(j, "token_type_ids"),
          *am = cJSON_GetObjectItem(j, "attention_mask"), *lg = cJSON_GetObjectItem(j, "logits");
    for (int b = 0; b < 2; b++) {
        in->lens[b] = 0;
        for (int t = 0; t < 8; t++) {
            in->ids[b * 8 + t] = cJSON_GetArrayItem(cJSON_GetArrayItem(ids, b), t)->valueint;
            in->segs[b * 8 + t] = cJSON_GetArrayItem(cJSON_GetArrayItem(tt, b), t)->valueint;
            in->lens[b] += cJSON_GetArrayItem(cJSON_GetArrayItem(am, b), t)->valueint;
        }
        for (int c = 0; c < 3; c++)
            in->logits[b * 3 + c] = cJSON_GetArrayItem(cJSON_GetArrayItem(lg, b), c)->valuedouble;
    }
    cJSON_Delete(j);
    free(text);
}

static void predict(asacl_model *m, const inputs *in, float *z)
{
    asacl_batch b = {2, 8, in->ids, in->segs, in->lens, NULL, NULL, NULL, 0};
    REQUIRE_OK(asacl_model_predict(m, &b, z));
}

static void check_transformers_logits(const inputs *in)
{
    asacl_model *m = NULL;
    asacl_load_report r;
    REQUIRE_OK(asacl_model_load(ctx, HF "cls_f32", NULL, &m, &r));
    CHECK(r.loaded == 41 && r.initialised == 0, "cls_f32: %u loaded, %u fresh (%s)", r.loaded,
          r.initialised, r.initialised_names);
    const asacl_model_config *c = asacl_model_get_config(m);
    CHECK(c->num_labels == 3 && !strcmp(c->id2label[2], "positive"), "labels from config.json");
    float z[6];
    predict(m, in, z);
    double got[6];
    for (int i = 0; i < 6; i++) got[i] = z[i];
    test_compare_d("logits vs transformers (BertForSequenceClassification, eval)", got, in->logits,
                   6, 2e-6, 1e-5);

    /* Save and reload: bit for bit; the file holds Hugging Face names. */
    char dir[] = "/tmp/asacl-folder-test-XXXXXX";
    CHECK(mkdtemp(dir) != NULL, "temp dir");
    char out[256];
    snprintf(out, sizeof out, "%s/saved", dir);
    CHECK_OK(asacl_model_save(m, out, HF "cls_f32/vocab.txt"));
    asacl_model *m2 = NULL;
    REQUIRE_OK(asacl_model_load(ctx, out, NULL, &m2, NULL));
    float z2[6];
    predict(m2, in, z2);
    CHECK(memcmp(z, z2, sizeof z) == 0, "save + load gives the same logits bit for bit");
    char path[300];
    snprintf(path, sizeof path, "%s/model.safetensors", out);
    st_file f;
    REQUIRE_OK(st_open(path, &f));
    const char *fmt = st_metadata(&f, "format");
    CHECK(fmt && !strcmp(fmt, "pt"), "metadata format pt");
    const st_tensor *t = st_find(&f, "bert.encoder.layer.1.attention.self.query.weight");
    CHECK(t && t->dtype == ST_F32 && t->ndim == 2 && t->shape[0] == 32 && t->shape[1] == 32,
          "query weight stored [32, 32] F32 under its Hugging Face name");
    CHECK(f.n == 41, "41 tensors, got %zu", f.n);
    st_close(&f);
    snprintf(path, sizeof path, "%s/vocab.txt", out);
    CHECK(access(path, R_OK) == 0, "vocab.txt copied");

    /* With adversaries: fresh ones, the backbone as loaded. */
    asacl_load_options lo;
    asacl_load_options_init(&lo);
    lo.adversaries = 1;
    asacl_model *ma = NULL;
    REQUIRE_OK(asacl_model_load(ctx, HF "cls_f32", &lo, &ma, &r));
    CHECK(r.initialised == 8 && strstr(r.initialised_names, "adversary.0.query.weight"),
          "4 adversary tensors per layer initialised: %u (%s)", r.initialised, r.initialised_names);
    predict(ma, in, z2);
    CHECK(memcmp(z, z2, sizeof z) == 0, "adversaries do not change inference logits");
    snprintf(out, sizeof out, "%s/with_adv", dir);
    CHECK_OK(asacl_model_save(ma, out, NULL));
    snprintf(path, sizeof path, "%s/model.safetensors", out);
    REQUIRE_OK(st_open(path, &f));
    CHECK(f.n == 41 && !st_find(&f, "bert.encoder.adversary.0.query.weight"),
          "an inference model holds no adversaries");
    st_close(&f);
    asacl_model_destroy(ma);
    asacl_model_destroy(m);
    asacl_model_destroy(m2);
    snprintf(path, sizeof path, "rm -rf %s", dir);
    CHECK(system(path) == 0, "cleanup");
}

static void check_dtypes(const inputs *in)
{
    const char *dirs[2] = {HF "cls_f16", HF "cls_bf16"};
    const double tol[2] = {5e-3, 3e-2};
    for (int k = 0; k < 2; k++) {
        asacl_model *m = NULL;
        REQUIRE_OK(asacl_model_load(ctx, dirs[k], NULL, &m, NULL));
        float z[6];
        predict(m, in, z);
        double got[6];
        for (int i = 0; i < 6; i++) got[i] = z[i];
        char what[96];
        snprintf(what, sizeof what, "%s logits near the F32 model's (atol %g)", k ? "BF16" : "F16", tol[k]);
        test_compare_d(what, got, in->logits, 6, tol[k], 0);
        asacl_model_destroy(m);
    }
}

static void check_other_heads(void)
{
    asacl_load_options lo;
    asacl_load_options_init(&lo);
    lo.num_labels = 2;
    asacl_model *m = NULL;
    asacl_load_report r;
    REQUIRE_OK(asacl_model_load(ctx, HF "bare", &lo, &m, &r));
    CHECK(r.initialised == 2 && strstr(r.initialised_names, "classifier.weight"),
          "BertModel: a fresh classifier (%u: %s)", r.initialised, r.initialised_names);
    CHECK(asacl_model_get_config(m)->num_labels == 2, "num_labels from the options");
    asacl_model_destroy(m);
    REQUIRE_OK(asacl_model_load(ctx, HF "mlm", &lo, &m, &r));
    CHECK(r.initialised == 4 && strstr(r.initialised_names, "bert.pooler.dense.weight"),
          "BertForMaskedLM: fresh pooler and classifier (%u: %s)", r.initialised,
          r.initialised_names);
    CHECK(r.ignored > 0, "the MLM head is ignored (%u tensors)", r.ignored);
    asacl_model_destroy(m);
}

static void check_errors(void)
{
    asacl_model *m = NULL;
    asacl_status st = asacl_model_load(ctx, "/nonexistent/model", NULL, &m, NULL);
    CHECK(st == ASACL_ERR_IO && strstr(asacl_last_error(), "/nonexistent/model/config.json"),
          "missing folder: %s", asacl_last_error());
    /* config.json that disagrees with the tensors. */
    char dir[] = "/tmp/asacl-folder-bad-XXXXXX";
    CHECK(mkdtemp(dir) != NULL, "temp dir");
    char *cfg = NULL, path[300], cmd[600];
    REQUIRE_OK(rt_read_file(HF "cls_f32/config.json", &cfg, NULL));
    char *p = strstr(cfg, "\"intermediate_size\": 37");
    CHECK(p != NULL, "config has intermediate_size 37");
    if (p) memcpy(p, "\"intermediate_size\": 38", 23);
    snprintf(path, sizeof path, "%s/config.json", dir);
    REQUIRE_OK(rt_write_file_atomic(path, cfg, strlen(cfg)));
    snprintf(cmd, sizeof cmd, "cp " HF "cls_f32/model.safetensors %s/", dir);
    CHECK(system(cmd) == 0, "copy");
    st = asacl_model_load(ctx, dir, NULL, &m, NULL);
    CHECK(st == ASACL_ERR_FORMAT && strstr(asacl_last_error(), "intermediate.dense") &&
              strstr(asacl_last_error(), "has shape [37") &&
              strstr(asacl_last_error(), "config.json implies [38"),
          "shape mismatch names the tensor and shapes: %s", asacl_last_error());
    /* No model.safetensors at all. */
    snprintf(path, sizeof path, "%s/model.safetensors", dir);
    unlink(path);
    st = asacl_model_load(ctx, dir, NULL, &m, NULL);
    CHECK(st == ASACL_ERR_IO && strstr(asacl_last_error(), "model.safetensors"),
          "missing weights: %s", asacl_last_error());
    free(cfg);
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    CHECK(system(cmd) == 0, "cleanup");
}

int main(void)
{
    ctx = test_ctx();
    inputs in;
    read_inputs(&in);
    check_transformers_logits(&in);
    check_dtypes(&in);
    check_other_heads();
    check_errors();
    asacl_ctx_destroy(ctx);
    return test_finish("test_model_folder");
}
