/* test_config_json.c -- Hugging Face config.json reading and writing (src/io/):
 * configs saved by transformers, an older (4.x) style config, the exact text
 * written, round trips, and every refusal. */
#define _POSIX_C_SOURCE 200809L
#include <unistd.h>

#include "io/config_json.h"
#include "test_util.h"

#define HF ASACL_TEST_DATA "/hf/"

static char dir[512];

static asacl_status parse(const char *json, asacl_model_config *c)
{
    return hfcfg_parse(json, strlen(json), "cfg.json", c);
}

static void test_transformers_configs(void)
{
    asacl_model_config c;
    REQUIRE_OK(hfcfg_read(HF "cls_f32/config.json", &c));
    CHECK(c.vocab_size == 99 && c.hidden_size == 32 && c.num_hidden_layers == 2 &&
              c.num_attention_heads == 4 && c.intermediate_size == 37 &&
              c.max_position_embeddings == 64 && c.type_vocab_size == 2 && c.pad_token_id == 0,
          "cls_f32 sizes: %d %d %d %d %d %d %d %d", c.vocab_size, c.hidden_size, c.num_hidden_layers,
          c.num_attention_heads, c.intermediate_size, c.max_position_embeddings, c.type_vocab_size,
          c.pad_token_id);
    CHECK(c.hidden_dropout_prob == 0.1f && c.attention_probs_dropout_prob == 0.1f &&
              c.layer_norm_eps == 1e-12f && c.initializer_range == 0.2f,
          "cls_f32 floats: %g %g %g %g", (double)c.hidden_dropout_prob,
          (double)c.attention_probs_dropout_prob, (double)c.layer_norm_eps, (double)c.initializer_range);
    CHECK(c.num_labels == 3 && !strcmp(c.id2label[0], "negative") && !strcmp(c.id2label[1], "neutral") &&
              !strcmp(c.id2label[2], "positive") && c.id2label[3][0] == 0,
          "cls_f32 labels: %d %s %s %s", c.num_labels, c.id2label[0], c.id2label[1], c.id2label[2]);

    asacl_model_config c16;
    REQUIRE_OK(hfcfg_read(HF "cls_f16/config.json", &c16));
    CHECK(!memcmp(&c, &c16, sizeof c), "cls_f16 config differs from cls_f32 (only dtype should)");

    /* BertModel / BertForMaskedLM: no id2label, so Hugging Face's default 2 labels. */
    const char *plain[] = {HF "bare/config.json", HF "mlm/config.json"};
    for (int i = 0; i < 2; i++) {
        asacl_model_config p;
        REQUIRE_OK(hfcfg_read(plain[i], &p));
        CHECK(p.num_labels == 2 && p.id2label[0][0] == 0 && p.hidden_size == 32 &&
                  p.intermediate_size == 37 && p.initializer_range == 0.2f,
              "%s: num_labels %d '%s'", plain[i], p.num_labels, p.id2label[0]);
    }
}

/* A fine-tuned checkpoint's config as transformers 4.x saved it. */
static void test_v4_style(void)
{
    const char *json =
        "{\n  \"_name_or_path\": \"bert-base-uncased\",\n"
        "  \"architectures\": [\"BertForSequenceClassification\"],\n"
        "  \"attention_probs_dropout_prob\": 0.1,\n  \"classifier_dropout\": null,\n"
        "  \"gradient_checkpointing\": false,\n  \"hidden_act\": \"gelu\",\n"
        "  \"hidden_dropout_prob\": 0.1,\n  \"hidden_size\": 768,\n"
        "  \"id2label\": {\"0\": \"LABEL_0\", \"1\": \"LABEL_1\"},\n"
        "  \"initializer_range\": 0.02,\n  \"intermediate_size\": 3072,\n"
        "  \"label2id\": {\"LABEL_0\": 0, \"LABEL_1\": 1},\n  \"layer_norm_eps\": 1e-12,\n"
        "  \"max_position_embeddings\": 512,\n  \"model_type\": \"bert\",\n"
        "  \"num_attention_heads\": 12,\n  \"num_hidden_layers\": 12,\n  \"pad_token_id\": 0,\n"
        "  \"position_embedding_type\": \"absolute\",\n  \"problem_type\": \"single_label_classification\",\n"
        "  \"torch_dtype\": \"float32\",\n  \"transformers_version\": \"4.31.0\",\n"
        "  \"type_vocab_size\": 2,\n  \"use_cache\": true,\n  \"vocab_size\": 30522\n}\n";
    asacl_model_config c, want;
    REQUIRE_OK(parse(json, &c));
    asacl_model_config_default(&want);
    strcpy(want.id2label[0], "LABEL_0");
    strcpy(want.id2label[1], "LABEL_1");
    CHECK(!memcmp(&c, &want, sizeof c), "bert-base config differs from the defaults");

    /* Minimal documents: "{}" is the defaults; num_labels alone; regression. */
    REQUIRE_OK(parse("{}", &c));
    asacl_model_config_default(&want);
    CHECK(!memcmp(&c, &want, sizeof c), "{} differs from the defaults");
    REQUIRE_OK(parse("{\"num_labels\": 5, \"hidden_dropout_prob\": 0, \"classifier_dropout\": 0}", &c));
    CHECK(c.num_labels == 5 && c.id2label[0][0] == 0 && c.hidden_dropout_prob == 0.0f,
          "num_labels alone: %d", c.num_labels);
    REQUIRE_OK(parse("{\"problem_type\": \"regression\", \"id2label\": {\"0\": \"score\"}}", &c));
    CHECK(c.num_labels == 1 && !strcmp(c.id2label[0], "score"), "regression: %d", c.num_labels);
    REQUIRE_OK(parse("{\"problem_type\": \"regression\"}", &c));
    CHECK(c.num_labels == 1, "regression without a label count: %d", c.num_labels);
    REQUIRE_OK(parse("{\"num_labels\": 1}", &c));
    CHECK(c.num_labels == 1, "num_labels 1: %d", c.num_labels);
    REQUIRE_OK(parse("{\"id2label\": {\"1\": \"b\", \"0\": \"a\"}, \"is_decoder\": false}", &c));
    CHECK(c.num_labels == 2 && !strcmp(c.id2label[0], "a") && !strcmp(c.id2label[1], "b"),
          "id2label out of order: %s %s", c.id2label[0], c.id2label[1]);
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    REQUIRE_OK(f ? ASACL_OK : ASACL_ERR_IO);
    static char buf[1 << 14];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = 0;
    fclose(f);
    return buf;
}

static void test_write(void)
{
    char path[600];
    snprintf(path, sizeof path, "%s/config.json", dir);
    asacl_model_config c;
    asacl_model_config_default(&c);
    REQUIRE_OK(hfcfg_write(path, &c));
    const char *want =
        "{\n"
        "  \"architectures\": [\"BertForSequenceClassification\"],\n"
        "  \"attention_probs_dropout_prob\": 0.1,\n"
        "  \"classifier_dropout\": null,\n"
        "  \"hidden_act\": \"gelu\",\n"
        "  \"hidden_dropout_prob\": 0.1,\n"
        "  \"hidden_size\": 768,\n"
        "  \"id2label\": {\n"
        "    \"0\": \"LABEL_0\",\n"
        "    \"1\": \"LABEL_1\"\n"
        "  },\n"
        "  \"initializer_range\": 0.02,\n"
        "  \"intermediate_size\": 3072,\n"
        "  \"label2id\": {\n"
        "    \"LABEL_0\": 0,\n"
        "    \"LABEL_1\": 1\n"
        "  },\n"
        "  \"layer_norm_eps\": 1e-12,\n"
        "  \"max_position_embeddings\": 512,\n"
        "  \"model_type\": \"bert\",\n"
        "  \"num_attention_heads\": 12,\n"
        "  \"num_hidden_layers\": 12,\n"
        "  \"pad_token_id\": 0,\n"
        "  \"position_embedding_type\": \"absolute\",\n"
        "  \"problem_type\": \"single_label_classification\",\n"
        "  \"torch_dtype\": \"float32\",\n"
        "  \"transformers_version\": \"" HFCFG_TRANSFORMERS_VERSION "\",\n"
        "  \"type_vocab_size\": 2,\n"
        "  \"use_cache\": true,\n"
        "  \"vocab_size\": 30522\n"
        "}\n";
    const char *got = slurp(path);
    CHECK(!strcmp(got, want), "written config.json differs:\n%s", got);

    /* Round trips: every field away from its default; names partly empty. */
    asacl_model_config r;
    c.vocab_size = 1234;
    c.hidden_size = 96;
    c.num_hidden_layers = 3;
    c.num_attention_heads = 6;
    c.intermediate_size = 250;
    c.max_position_embeddings = 130;
    c.type_vocab_size = 3;
    c.num_labels = 4;
    c.pad_token_id = 7;
    c.hidden_dropout_prob = 0.15f;
    c.attention_probs_dropout_prob = 0.0f;
    c.layer_norm_eps = 1e-7f;
    c.initializer_range = 0.037f;
    strcpy(c.id2label[0], "entailment");
    strcpy(c.id2label[1], "caf\xc3\xa9 \"q\"");
    strcpy(c.id2label[2], "LABEL_9"); /* the 4th stays empty: written, and read back, as LABEL_3 */
    REQUIRE_OK(hfcfg_write(path, &c));
    REQUIRE_OK(hfcfg_read(path, &r));
    asacl_model_config want_r = c;
    strcpy(want_r.id2label[3], "LABEL_3");
    CHECK(!memcmp(&r, &want_r, sizeof r), "round trip differs: labels %d '%s' '%s' '%s' '%s'",
          r.num_labels, r.id2label[0], r.id2label[1], r.id2label[2], r.id2label[3]);
    CHECK(strstr(slurp(path), "\"hidden_dropout_prob\": 0.15,") &&
              strstr(slurp(path), "\"layer_norm_eps\": 1e-07,"),
          "floats are written in their shortest form:\n%s", slurp(path));

    asacl_model_config_default(&c);
    c.num_labels = 1;
    REQUIRE_OK(hfcfg_write(path, &c));
    CHECK(strstr(slurp(path), "\"problem_type\": \"regression\""), "regression problem_type");
    REQUIRE_OK(hfcfg_read(path, &r));
    CHECK(r.num_labels == 1 && !strcmp(r.id2label[0], "LABEL_0"), "regression round trip");

    /* Refusals. */
    asacl_model_config_default(&c);
    c.hidden_size = 30;
    CHECK(hfcfg_write(path, &c) == ASACL_ERR_INVALID_ARG &&
              strstr(asacl_last_error(), "hidden_size 30 is not a multiple of num_attention_heads 12"),
          "invalid config written: %s", asacl_last_error());
    asacl_model_config_default(&c);
    strcpy(c.id2label[0], "LABEL_1");
    CHECK(hfcfg_write(path, &c) == ASACL_ERR_INVALID_ARG &&
              strstr(asacl_last_error(), "labels 0 and 1 are both called 'LABEL_1'"),
          "duplicate label names written: %s", asacl_last_error());
    asacl_model_config_default(&c);
    memset(c.id2label[1], 'x', sizeof c.id2label[1]);
    CHECK(hfcfg_write(path, &c) == ASACL_ERR_INVALID_ARG &&
              strstr(asacl_last_error(), "id2label[1] is not NUL-terminated"),
          "unterminated label written: %s", asacl_last_error());
    asacl_model_config_default(&c);
    char bad[700];
    snprintf(bad, sizeof bad, "%s/no/such/config.json", dir);
    CHECK(hfcfg_write(bad, &c) == ASACL_ERR_IO, "write into a missing folder: %s", asacl_last_error());
    unlink(path);
    CHECK(hfcfg_read(path, &c) == ASACL_ERR_IO && strstr(asacl_last_error(), path),
          "missing file: %s", asacl_last_error());
}

static void expect_bad_(int line, const char *json, const char *fragment)
{
    asacl_model_config c, before;
    memset(&c, 0x5a, sizeof c);
    before = c;
    asacl_status st = parse(json, &c);
    const char *msg = asacl_last_error();
    CHECK(st == ASACL_ERR_FORMAT && strstr(msg, "cfg.json") && strstr(msg, fragment),
          "(line %d) %s: got %s '%s', expected '%s'", line, json, asacl_status_str(st), msg, fragment);
    CHECK(!memcmp(&c, &before, sizeof c), "(line %d) a failed parse changed the output", line);
}
#define EXPECT_BAD(json, fragment) expect_bad_(__LINE__, json, fragment)

/* model_type roberta: RobertaConfig's defaults where the file is silent. */
static void test_roberta(void)
{
    asacl_model_config c;
    REQUIRE_OK(parse("{\"model_type\": \"roberta\", \"vocab_size\": 2000}", &c));
    CHECK(c.model_type == ASACL_MODEL_ROBERTA && c.vocab_size == 2000 && c.pad_token_id == 1 &&
              c.type_vocab_size == 1 && c.max_position_embeddings == 514 &&
              c.layer_norm_eps == 1e-5f && c.hidden_size == 768,
          "roberta defaults: type %d vocab %d pad %d types %d positions %d eps %g", c.model_type,
          c.vocab_size, c.pad_token_id, c.type_vocab_size, c.max_position_embeddings,
          (double)c.layer_norm_eps);
    REQUIRE_OK(parse("{\"model_type\": \"bert\"}", &c));
    CHECK(c.model_type == ASACL_MODEL_BERT && c.pad_token_id == 0 && c.type_vocab_size == 2,
          "bert stays bert");
}

static void test_errors(void)
{
    EXPECT_BAD("{\"hidden_size\": 32,", "cfg.json is not valid JSON (error at byte ");
    EXPECT_BAD("{} {}", "is not valid JSON (error at byte 3)");
    EXPECT_BAD("[1]", "cfg.json: expected a JSON object");
    EXPECT_BAD("{\"hidden_size\": \"768\"}", "\"hidden_size\" must be an integer, found \"768\"");
    EXPECT_BAD("{\"num_hidden_layers\": 2.5}", "\"num_hidden_layers\" must be an integer, found 2.5");
    EXPECT_BAD("{\"vocab_size\": 1e12}", "\"vocab_size\" must be an integer, found 1000000000000");
    /* Regression (fuzz_config_json, tests/fuzz/regress/config_json): numbers beyond
     * long long were converted before the range check (undefined behaviour). */
    EXPECT_BAD("{\"vocab_size\": 8.9e103}", "\"vocab_size\" must be an integer, found 8.9e+103");
    EXPECT_BAD("{\"hidden_size\": -9.3e18}", "\"hidden_size\" must be an integer, found -9.3e+18");
    EXPECT_BAD("{\"hidden_size\": 9223372036854775807}", "\"hidden_size\" must be an integer");
    EXPECT_BAD("{\"pad_token_id\": null}", "\"pad_token_id\" must be an integer, found null");
    EXPECT_BAD("{\"layer_norm_eps\": \"1e-12\"}", "\"layer_norm_eps\" must be a number, found \"1e-12\"");
    EXPECT_BAD("{\"hidden_dropout_prob\": true}", "\"hidden_dropout_prob\" must be a number, found true");
    EXPECT_BAD("{\"model_type\": \"distilbert\"}",
               "model_type \"distilbert\" is not supported (expected \"bert\" or \"roberta\")");
    EXPECT_BAD("{\"model_type\": \"roberta\", \"max_position_embeddings\": 2}",
               "max_position_embeddings 2 leaves no position after RoBERTa's padding_idx 1");
    EXPECT_BAD("{\"model_type\": 1}", "model_type 1 is not supported");
    EXPECT_BAD("{\"hidden_act\": \"gelu_new\"}",
               "hidden_act \"gelu_new\" is not supported (expected \"gelu\": asacl implements the exact (erf) GELU only)");
    EXPECT_BAD("{\"position_embedding_type\": \"relative_key\"}",
               "position_embedding_type \"relative_key\" is not supported (expected \"absolute\"");
    EXPECT_BAD("{\"is_decoder\": true}", "is_decoder true is not supported");
    EXPECT_BAD("{\"classifier_dropout\": 0.2}",
               "classifier_dropout 0.2 is not supported: asacl applies hidden_dropout_prob (0.1)");
    EXPECT_BAD("{\"num_labels\": 3, \"id2label\": {\"0\": \"a\", \"1\": \"b\"}}",
               "num_labels 3 disagrees with the 2 entries of id2label");
    EXPECT_BAD("{\"num_labels\": \"3\"}", "\"num_labels\" must be an integer");
    EXPECT_BAD("{\"id2label\": [\"a\", \"b\"]}", "\"id2label\" must be an object like");
    EXPECT_BAD("{\"id2label\": {}}", "id2label has 0 labels; asacl supports 1 to 32");
    EXPECT_BAD("{\"id2label\": {\"0\": \"a\", \"x\": \"b\"}}", "id2label key \"x\" is not a label index 0..1");
    EXPECT_BAD("{\"id2label\": {\"0\": \"a\", \"2\": \"b\"}}", "id2label key \"2\" is not a label index 0..1");
    EXPECT_BAD("{\"id2label\": {\"0\": \"a\", \"01\": \"b\"}}", "id2label key \"01\" is not a label index");
    EXPECT_BAD("{\"id2label\": {\"0\": \"a\", \"12345678901234567890\": \"b\"}}",
               "id2label key \"12345678901234567890\" is not a label index 0..1");
    EXPECT_BAD("{\"id2label\": {\"0\": \"a\", \"0\": \"b\"}}", "id2label has label 0 twice");
    EXPECT_BAD("{\"id2label\": {\"0\": 1}}", "id2label[\"0\"] must be a string, found 1");
    EXPECT_BAD("{\"id2label\": {\"0\": \"0123456789012345678901234567890123456789012345678901234567890123\"}}",
               "id2label[\"0\"] is longer than 63 bytes");
    EXPECT_BAD("{\"problem_type\": \"regression\", \"num_labels\": 3}",
               "problem_type \"regression\" with 3 labels is multi-output regression");
    EXPECT_BAD("{\"problem_type\": \"single_label_classification\", \"num_labels\": 1}",
               "problem_type \"single_label_classification\" needs at least 2 labels, found 1");
    EXPECT_BAD("{\"problem_type\": \"multi_label_classification\"}",
               "problem_type \"multi_label_classification\" is not supported");
    EXPECT_BAD("{\"problem_type\": \"ranking\"}", "unknown problem_type \"ranking\"");
    EXPECT_BAD("{\"problem_type\": 2}", "\"problem_type\" must be a string, found 2");
    /* Values asacl_model_config_check refuses are format errors of the file. */
    EXPECT_BAD("{\"hidden_size\": 30, \"num_attention_heads\": 4}",
               "cfg.json: model config: hidden_size 30 is not a multiple of num_attention_heads 4");
    EXPECT_BAD("{\"num_labels\": 33}", "cfg.json: model config: num_labels = 33 is outside [1, 32]");
    EXPECT_BAD("{\"hidden_dropout_prob\": 1.5}", "hidden_dropout_prob = 1.5 is outside");
    EXPECT_BAD("{\"pad_token_id\": 99, \"vocab_size\": 99}", "pad_token_id = 99 is outside [0, 98]");

    char many[2048] = "{\"id2label\": {";
    for (int i = 0; i < 33; i++)
        snprintf(many + strlen(many), sizeof many - strlen(many), "%s\"%d\": \"l%d\"", i ? ", " : "", i, i);
    strcat(many, "}}");
    EXPECT_BAD(many, "id2label has 33 labels; asacl supports 1 to 32");
}

int main(void)
{
    const char *t = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/asacl-cfg-XXXXXX", t && *t ? t : "/tmp");
    REQUIRE_OK(mkdtemp(dir) ? ASACL_OK : ASACL_ERR_IO);
    test_transformers_configs();
    test_v4_style();
    test_write();
    test_roberta();
    test_errors();
    rmdir(dir);
    return test_finish("test_config_json");
}
