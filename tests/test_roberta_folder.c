/* test_roberta_folder.c -- RoBERTa model folders through the public API:
 *   - the tiny RobertaForSequenceClassification folder saved by transformers
 *     (tests/data/hf/roberta_cls, written by tests/gen_roberta_folder.py)
 *     gives the logits transformers computed (float32 and float64) for four
 *     inputs padded to the longest, so the position ids of padded rows
 *     (padding_idx + 1 + running count, pads padding_idx) are exercised;
 *   - asacl_tokenizer_load_folder picks the BPE files and encodes the texts
 *     to transformers' input_ids;
 *   - asacl's save writes RoBERTa's names (roberta.*, classifier.dense.*,
 *     classifier.out_proj.*), config model_type roberta, vocab.json and
 *     merges.txt, and round-trips bit for bit;
 *   - the same weights as a RobertaModel (no prefix, with a pooler) and as a
 *     RobertaForMaskedLM (lm_head.*) load the encoder with a fresh head;
 *   - ASA training defaults to additive masks for RoBERTa.
 * With a directory argument it also writes the committed folder, loaded and
 * saved by asacl, there (for tests/check_hf_load.py). */
#define _POSIX_C_SOURCE 200809L
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <unistd.h>

#include "io/safetensors.h"
#include "test_util.h"

#define HF ASACL_TEST_DATA "/hf/"
#define NB 4
#define NT 20
#define NC 3

static asacl_ctx *ctx;

typedef struct inputs {
    int32_t ids[NB * NT], segs[NB * NT], lens[NB];
    double logits[NB * NC], logits64[NB * NC];
    char texts[NB][2][128];
    int pair[NB];
} inputs;

static void read_inputs(inputs *in)
{
    char *text = NULL;
    REQUIRE_OK(rt_read_file(HF "roberta_cls_logits.json", &text, NULL));
    cJSON *j = cJSON_Parse(text);
    REQUIRE_OK(j ? ASACL_OK : ASACL_ERR_FORMAT);
    cJSON *ids = cJSON_GetObjectItem(j, "input_ids"), *am = cJSON_GetObjectItem(j, "attention_mask"),
          *lg = cJSON_GetObjectItem(j, "logits"), *lg64 = cJSON_GetObjectItem(j, "logits_f64"),
          *tx = cJSON_GetObjectItem(j, "texts");
    CHECK(cJSON_GetArraySize(ids) == NB && cJSON_GetArraySize(cJSON_GetArrayItem(ids, 0)) == NT,
          "%d x %d inputs", NB, NT);
    memset(in->segs, 0, sizeof in->segs);
    for (int b = 0; b < NB; b++) {
        in->lens[b] = 0;
        for (int t = 0; t < NT; t++) {
            in->ids[b * NT + t] = cJSON_GetArrayItem(cJSON_GetArrayItem(ids, b), t)->valueint;
            in->lens[b] += cJSON_GetArrayItem(cJSON_GetArrayItem(am, b), t)->valueint;
        }
        for (int c = 0; c < NC; c++) {
            in->logits[b * NC + c] = cJSON_GetArrayItem(cJSON_GetArrayItem(lg, b), c)->valuedouble;
            in->logits64[b * NC + c] = cJSON_GetArrayItem(cJSON_GetArrayItem(lg64, b), c)->valuedouble;
        }
        cJSON *pair = cJSON_GetArrayItem(tx, b);
        snprintf(in->texts[b][0], sizeof in->texts[b][0], "%s", cJSON_GetArrayItem(pair, 0)->valuestring);
        cJSON *second = cJSON_GetArrayItem(pair, 1);
        in->pair[b] = cJSON_IsString(second);
        snprintf(in->texts[b][1], sizeof in->texts[b][1], "%s", in->pair[b] ? second->valuestring : "");
    }
    cJSON_Delete(j);
    free(text);
}

static void predict(asacl_model *m, const inputs *in, float *z)
{
    asacl_batch b = {NB, NT, in->ids, in->segs, in->lens, NULL, NULL, NULL, 0};
    REQUIRE_OK(asacl_model_predict(m, &b, z));
}

static double max_abs_diff(const float *z, const double *want, size_t n)
{
    double e = 0;
    for (size_t i = 0; i < n; i++) e = fmax(e, fabs((double)z[i] - want[i]));
    return e;
}

static void check_tokenizer(const inputs *in)
{
    asacl_tokenizer *tok = NULL;
    char vocab[512];
    REQUIRE_OK(asacl_tokenizer_load_folder(HF "roberta_cls", 1, &tok, vocab, sizeof vocab));
    CHECK(strstr(vocab, "roberta_cls/vocab.json") != NULL, "the folder's vocab.json: %s", vocab);
    CHECK(asacl_tokenizer_token_id(tok, "<pad>") == 1, "<pad> is 1");
    for (int b = 0; b < NB; b++) {
        int32_t ids[NT], segs[NT];
        int len = 0;
        CHECK_OK(asacl_tokenizer_encode(tok, in->texts[b][0], in->pair[b] ? in->texts[b][1] : NULL,
                                        NT, ids, segs, &len));
        int same = len == in->lens[b];
        for (int t = 0; t < NT && same; t++) same = ids[t] == in->ids[b * NT + t] && segs[t] == 0;
        CHECK(same, "text %d encodes to transformers' input_ids (length %d, want %d)", b, len,
              in->lens[b]);
    }
    asacl_tokenizer_destroy(tok);
    /* A BERT folder still gets its vocab.txt. */
    REQUIRE_OK(asacl_tokenizer_load_folder(HF "cls_f32", 1, &tok, vocab, sizeof vocab));
    CHECK(strstr(vocab, "cls_f32/vocab.txt") && asacl_tokenizer_token_id(tok, "[PAD]") == 0,
          "a BERT folder: WordPiece over %s", vocab);
    asacl_tokenizer_destroy(tok);
}

/* Writes the tensors of src under other names: prefix stripped ("roberta."
 * -> ""), the classifier left out, and extra tensors copied from existing
 * ones under new names (RobertaModel's pooler, RobertaForMaskedLM's lm_head). */
static void write_variant(const char *dir, int bare_model)
{
    st_file f;
    REQUIRE_OK(st_open(HF "roberta_cls/model.safetensors", &f));
    st_write_item items[64];
    float *data[64];
    char names[64][128];
    int64_t shapes[64][2];
    size_t n = 0;
    for (size_t i = 0; i < f.n && n < 62; i++) {
        const st_tensor *t = &f.tensors[i];
        if (!strncmp(t->name, "classifier.", 11)) continue;
        data[n] = malloc(st_numel(t) * sizeof(float));
        REQUIRE_OK(st_to_f32(&f, t, data[n]));
        snprintf(names[n], sizeof names[n], "%s", bare_model ? t->name + 8 : t->name);
        for (int d = 0; d < t->ndim; d++) shapes[n][d] = t->shape[d];
        items[n] = (st_write_item){names[n], ST_F32, t->ndim, shapes[n], data[n]};
        n++;
    }
    /* An extra [32, 32] and [32] tensor, named as the variant's own extra. */
    const char *extra[2] = {bare_model ? "pooler.dense.weight" : "lm_head.dense.weight",
                            bare_model ? "pooler.dense.bias" : "lm_head.bias"};
    static float w[32 * 32], bvec[32];
    static int64_t ws[2] = {32, 32}, bs[1] = {32};
    items[n++] = (st_write_item){extra[0], ST_F32, 2, ws, w};
    items[n++] = (st_write_item){extra[1], ST_F32, 1, bs, bvec};
    char path[512];
    snprintf(path, sizeof path, "%s/model.safetensors", dir);
    const char *meta[] = {"format", "pt", NULL};
    REQUIRE_OK(st_write(path, items, n, meta));
    for (size_t i = 0; i < n - 2; i++) free(data[i]);
    st_close(&f);
}

static void check_variants(const inputs *in, const char *tmp)
{
    for (int bare = 0; bare < 2; bare++) {
        char dir[300], cmd[700];
        snprintf(dir, sizeof dir, "%s/%s", tmp, bare ? "roberta_model" : "roberta_mlm");
        snprintf(cmd, sizeof cmd, "mkdir -p %s && cp " HF "roberta_cls/config.json %s/", dir, dir);
        CHECK(system(cmd) == 0, "%s", cmd);
        write_variant(dir, bare);
        asacl_model *m = NULL;
        asacl_load_report r;
        REQUIRE_OK(asacl_model_load(ctx, dir, NULL, &m, &r));
        CHECK(r.loaded == 37 && r.initialised == 4 && r.ignored == 2 &&
                  strstr(r.initialised_names, "classifier.dense.weight") &&
                  strstr(r.initialised_names, "classifier.out_proj.weight"),
              "%s: %u loaded, %u fresh (%s), %u ignored", bare ? "RobertaModel" : "RobertaForMaskedLM",
              r.loaded, r.initialised, r.initialised_names, r.ignored);
        float z[NB * NC];
        predict(m, in, z);
        int finite = 1;
        for (int i = 0; i < NB * NC; i++) finite &= isfinite(z[i]) != 0;
        CHECK(finite, "a fresh head gives finite logits");
        asacl_model_destroy(m);
    }
}

static void check_folder(const inputs *in)
{
    asacl_model *m = NULL;
    asacl_load_report r;
    REQUIRE_OK(asacl_model_load(ctx, HF "roberta_cls", NULL, &m, &r));
    const asacl_model_config *c = asacl_model_get_config(m);
    CHECK(c->model_type == ASACL_MODEL_ROBERTA && c->pad_token_id == 1 && c->type_vocab_size == 1 &&
              c->num_labels == 3 && fabsf(c->layer_norm_eps - 1e-5f) == 0,
          "RobertaConfig read: type %d pad %d types %d labels %d eps %g", c->model_type,
          c->pad_token_id, c->type_vocab_size, c->num_labels, (double)c->layer_norm_eps);
    CHECK(r.loaded == 41 && r.initialised == 0 && r.ignored == 0, "roberta_cls: %u loaded, %u fresh (%s), %u ignored",
          r.loaded, r.initialised, r.initialised_names, r.ignored);
    float z[NB * NC];
    predict(m, in, z);
    double got[NB * NC];
    for (int i = 0; i < NB * NC; i++) got[i] = z[i];
    printf("max |asacl - transformers| logits: %.3g (float32 run), %.3g (float64 run)\n",
           max_abs_diff(z, in->logits, NB * NC), max_abs_diff(z, in->logits64, NB * NC));
    test_compare_d("logits vs transformers float64 (RobertaForSequenceClassification, eval)", got,
                   in->logits64, NB * NC, 2e-6, 1e-5);
    test_compare_d("logits vs transformers float32", got, in->logits, NB * NC, 2e-6, 1e-5);
    /* One row alone (no other row's padding) gives its own logits. */
    asacl_batch one = {1, (size_t)in->lens[0], in->ids, in->segs, in->lens, NULL, NULL, NULL, 0};
    float z1[NC];
    REQUIRE_OK(asacl_model_predict(m, &one, z1));
    CHECK(max_abs_diff(z1, in->logits64, NC) < 2e-6, "row 0 unpadded: %.3g",
          max_abs_diff(z1, in->logits64, NC));

    /* Save and reload. */
    char tmp[] = "/tmp/asacl-roberta-test-XXXXXX";
    CHECK(mkdtemp(tmp) != NULL, "temp dir");
    char out[300], path[400];
    snprintf(out, sizeof out, "%s/saved", tmp);
    CHECK_OK(asacl_model_save(m, out, HF "roberta_cls/vocab.json"));
    asacl_model *m2 = NULL;
    REQUIRE_OK(asacl_model_load(ctx, out, NULL, &m2, NULL));
    float z2[NB * NC];
    predict(m2, in, z2);
    CHECK(memcmp(z, z2, sizeof z) == 0, "save + load gives the same logits bit for bit");
    snprintf(path, sizeof path, "%s/model.safetensors", out);
    st_file f;
    REQUIRE_OK(st_open(path, &f));
    const char *want[] = {"roberta.embeddings.position_embeddings.weight",
                          "roberta.encoder.layer.1.attention.self.query.weight",
                          "classifier.dense.weight", "classifier.dense.bias",
                          "classifier.out_proj.weight", "classifier.out_proj.bias"};
    for (size_t i = 0; i < sizeof want / sizeof *want; i++)
        CHECK(st_find(&f, want[i]) != NULL, "saved %s", want[i]);
    CHECK(f.n == 41 && !st_find(&f, "bert.pooler.dense.weight") && !st_find(&f, "classifier.weight"),
          "41 tensors, RoBERTa's names only (%zu)", f.n);
    const st_tensor *op = st_find(&f, "classifier.out_proj.weight");
    CHECK(op && op->ndim == 2 && op->shape[0] == 3 && op->shape[1] == 32, "out_proj [3, 32]");
    st_close(&f);
    char *cfg = NULL;
    snprintf(path, sizeof path, "%s/config.json", out);
    REQUIRE_OK(rt_read_file(path, &cfg, NULL));
    CHECK(strstr(cfg, "\"model_type\":\t\"roberta\"") || strstr(cfg, "\"model_type\": \"roberta\""),
          "config model_type roberta");
    CHECK(strstr(cfg, "RobertaForSequenceClassification") != NULL, "architectures");
    free(cfg);
    asacl_model_config back;
    CHECK_OK(asacl_model_config_read(path, &back));
    CHECK(!memcmp(&back, c, sizeof back), "config.json round trip");
    const char *files[] = {"vocab.json", "merges.txt"};
    for (int i = 0; i < 2; i++) {
        snprintf(path, sizeof path, "%s/%s", out, files[i]);
        CHECK(access(path, R_OK) == 0, "%s copied", files[i]);
    }
    asacl_tokenizer *tok = NULL;
    CHECK_OK(asacl_tokenizer_load_folder(out, 1, &tok, NULL, 0));
    CHECK(tok && asacl_tokenizer_vocab_size(tok) == 2000, "the saved folder's tokenizer loads");
    asacl_tokenizer_destroy(tok);

    /* With adversaries: inference unchanged; ASA defaults to additive masks. */
    asacl_load_options lo;
    asacl_load_options_init(&lo);
    lo.adversaries = 1;
    asacl_model *ma = NULL;
    REQUIRE_OK(asacl_model_load(ctx, HF "roberta_cls", &lo, &ma, &r));
    CHECK(r.initialised == 8 && strstr(r.initialised_names, "roberta.encoder.adversary.0.query.weight"),
          "adversaries named roberta.encoder.adversary.N: %s", r.initialised_names);
    predict(ma, in, z2);
    CHECK(memcmp(z, z2, sizeof z) == 0, "adversaries do not change inference logits");
    asacl_train_options to;
    asacl_train_options_init(&to);
    to.max_batch = NB;
    to.max_seq_len = NT;
    asacl_trainer *tr = NULL;
    REQUIRE_OK(asacl_trainer_create(ma, &to, &tr));
    asacl_batch bt = {NB, NT, in->ids, in->segs, in->lens, NULL, NULL, NULL, 0};
    int32_t labels[NB] = {0, 2, 1, 2};
    bt.labels = labels;
    asacl_step_stats s;
    CHECK_OK(asacl_trainer_step(tr, &bt, &s));
    CHECK(isfinite(s.total) && s.task > 0 && s.rloss > 0, "a RoBERTa ASA step: task %g vloss %g rloss %g",
          s.task, s.vloss, s.rloss);
    asacl_trainer_destroy(tr);
    snprintf(out, sizeof out, "%s/with_adv", tmp);
    CHECK_OK(asacl_model_save(ma, out, NULL));
    snprintf(path, sizeof path, "%s/model.safetensors", out);
    REQUIRE_OK(st_open(path, &f));
    CHECK(f.n == 41 && !st_find(&f, "roberta.encoder.adversary.0.query.weight"),
          "an inference model holds no adversaries");
    st_close(&f);
    asacl_model_destroy(ma);
    asacl_model_destroy(m);
    asacl_model_destroy(m2);

    check_variants(in, tmp);
    snprintf(path, sizeof path, "rm -rf %s", tmp);
    CHECK(system(path) == 0, "cleanup");
}

/* The committed folder loaded and saved by asacl into dir, for
 * tests/check_hf_load.py (transformers loading what asacl wrote). */
static void write_folder(const char *dir)
{
    asacl_model *m = NULL;
    REQUIRE_OK(asacl_model_load(ctx, HF "roberta_cls", NULL, &m, NULL));
    REQUIRE_OK(asacl_model_save(m, dir, HF "roberta_cls/vocab.json"));
    asacl_model_destroy(m);
    printf("wrote %s\n", dir);
}

int main(int argc, char **argv)
{
    ctx = test_ctx();
    if (argc > 1) write_folder(argv[1]);
    inputs in;
    read_inputs(&in);
    check_tokenizer(&in);
    check_folder(&in);
    asacl_ctx_destroy(ctx);
    return test_finish("test_roberta_folder");
}
