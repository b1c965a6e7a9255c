/* config_json.c -- reads and writes Hugging Face BertConfig and RobertaConfig
 * config.json files. */
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/config_json.h"
#include "base/json.h"
#include "base/base.h"

/* The numeric fields, named as in config.json. */
static const struct {
    const char *key;
    size_t offset;
    int is_float;
} fields[] = {
#define I(f) {#f, offsetof(asacl_model_config, f), 0}
#define F(f) {#f, offsetof(asacl_model_config, f), 1}
    I(vocab_size), I(hidden_size), I(num_hidden_layers), I(num_attention_heads),
    I(intermediate_size), I(max_position_embeddings), I(type_vocab_size), I(pad_token_id),
    F(hidden_dropout_prob), F(attention_probs_dropout_prob), F(layer_norm_eps),
    F(initializer_range),
#undef I
#undef F
};

/* String settings asacl implements one value of: absent means that value. */
static const struct {
    const char *key, *value, *why;
} fixed[] = {
    {"hidden_act", "gelu", "asacl implements the exact (erf) GELU only"},
    {"position_embedding_type", "absolute", "asacl implements absolute position embeddings only"},
};

#define FAIL(...) return rt_fail(ASACL_ERR_FORMAT, __VA_ARGS__)

static asacl_status get_int(const char *origin, const cJSON *v, const char *key, int *out)
{
    char d[96];
    long long i;
    if (!json_integer(v, INT_MIN, INT_MAX, &i))
        FAIL("%s: \"%s\" must be an integer, found %s", origin, key,
             json_describe(v, d, sizeof d));
    *out = (int)i;
    return ASACL_OK;
}

/* A canonical decimal index below n ("0", "12"; not "01", "+1", " 1"), else -1. */
static int label_index(const char *key, int n)
{
    if (!*key || (key[0] == '0' && key[1])) return -1;
    int v = 0;
    for (const char *p = key; *p; p++) {
        if (*p < '0' || *p > '9') return -1;
        v = 10 * v + (*p - '0');
        if (v >= n) return -1;
    }
    return v;
}

static asacl_status read_labels(const char *origin, const cJSON *root, asacl_model_config *c)
{
    const cJSON *num = cJSON_GetObjectItemCaseSensitive(root, "num_labels");
    const cJSON *map = cJSON_GetObjectItemCaseSensitive(root, "id2label");
    char d[96];
    if (num) TRY(get_int(origin, num, "num_labels", &c->num_labels));
    if (!map || cJSON_IsNull(map)) return ASACL_OK;
    if (!cJSON_IsObject(map))
        FAIL("%s: \"id2label\" must be an object like {\"0\": \"negative\", \"1\": \"positive\"}, "
             "found %s", origin, json_describe(map, d, sizeof d));
    int n = cJSON_GetArraySize(map);
    if (num && c->num_labels != n)
        FAIL("%s: num_labels %d disagrees with the %d entries of id2label", origin,
             c->num_labels, n);
    if (n < 1 || n > ASACL_MAX_LABELS)
        FAIL("%s: id2label has %d labels; asacl supports 1 to %d", origin, n, ASACL_MAX_LABELS);
    int seen[ASACL_MAX_LABELS] = {0};
    const cJSON *e;
    cJSON_ArrayForEach(e, map) {
        int i = label_index(e->string, n);
        if (i < 0)
            FAIL("%s: id2label key \"%s\" is not a label index 0..%d", origin, e->string, n - 1);
        if (seen[i]++) FAIL("%s: id2label has label %d twice", origin, i);
        if (!cJSON_IsString(e))
            FAIL("%s: id2label[\"%s\"] must be a string, found %s", origin, e->string,
                 json_describe(e, d, sizeof d));
        if (strlen(e->valuestring) >= sizeof c->id2label[i])
            FAIL("%s: id2label[\"%s\"] is longer than %zu bytes", origin, e->string,
                 sizeof c->id2label[i] - 1);
        strcpy(c->id2label[i], e->valuestring);
    }
    c->num_labels = n;
    return ASACL_OK;
}

/* Hugging Face's problem_type and asacl's heads: num_labels 1 is regression
 * (MSE; Hugging Face infers "regression" from num_labels 1 too), more is
 * single-label classification (cross-entropy). "regression" with no label
 * count given means num_labels 1 (Hugging Face would keep its default of 2
 * and regress 2 outputs; its own files always carry id2label). */
static asacl_status check_problem_type(const char *origin, const cJSON *root, asacl_model_config *c)
{
    const cJSON *pt = cJSON_GetObjectItemCaseSensitive(root, "problem_type");
    const cJSON *map = cJSON_GetObjectItemCaseSensitive(root, "id2label");
    int stated = cJSON_GetObjectItemCaseSensitive(root, "num_labels") ||
                 (map && !cJSON_IsNull(map));
    char d[96];
    if (!pt || cJSON_IsNull(pt)) return ASACL_OK;
    if (!cJSON_IsString(pt))
        FAIL("%s: \"problem_type\" must be a string, found %s", origin,
             json_describe(pt, d, sizeof d));
    const char *s = pt->valuestring;
    if (!strcmp(s, "regression")) {
        if (!stated) c->num_labels = 1;
        if (c->num_labels != 1)
            FAIL("%s: problem_type \"regression\" with %d labels is multi-output regression; "
                 "asacl's regression has one output (num_labels 1)", origin, c->num_labels);
    } else if (!strcmp(s, "single_label_classification")) {
        if (c->num_labels < 2)
            FAIL("%s: problem_type \"single_label_classification\" needs at least 2 labels, "
                 "found %d", origin, c->num_labels);
    } else if (!strcmp(s, "multi_label_classification")) {
        FAIL("%s: problem_type \"multi_label_classification\" is not supported (asacl trains "
             "single-label classification and single-output regression)", origin);
    } else {
        FAIL("%s: unknown problem_type \"%s\"", origin, s);
    }
    return ASACL_OK;
}

void hfcfg_roberta_defaults(asacl_model_config *c)
{
    c->model_type = ASACL_MODEL_ROBERTA;
    c->vocab_size = 50265;
    c->max_position_embeddings = 514;
    c->type_vocab_size = 1;
    c->pad_token_id = 1;
    c->layer_norm_eps = 1e-5f;
}

/* model_type: "bert" (also when absent) or "roberta". */
static asacl_status read_model_type(const char *origin, const cJSON *root, asacl_model_config *c)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, "model_type");
    char d[96];
    if (!v || (cJSON_IsString(v) && !strcmp(v->valuestring, "bert"))) return ASACL_OK;
    if (!cJSON_IsString(v) || strcmp(v->valuestring, "roberta"))
        FAIL("%s: model_type %s is not supported (expected \"bert\" or \"roberta\")", origin,
             json_describe(v, d, sizeof d));
    hfcfg_roberta_defaults(c);
    return ASACL_OK;
}

/* The head from "architectures" (its first entry, as transformers'
 * AutoModel picks): *ForTokenClassification, *ForMultipleChoice, else (also
 * BertModel, *ForMaskedLM, *ForSequenceClassification, none) sequence. A
 * multiple-choice model has one output whatever num_labels says
 * (transformers keeps its default of 2 there and ignores it). */
static asacl_status read_task(const char *origin, const cJSON *root, asacl_model_config *c)
{
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(root, "architectures");
    c->task = ASACL_TASK_SEQUENCE;
    if (!a || cJSON_IsNull(a)) return ASACL_OK;
    char d[96];
    const cJSON *first = cJSON_IsArray(a) ? cJSON_GetArrayItem(a, 0) : NULL;
    if (!cJSON_IsArray(a) || (first && !cJSON_IsString(first)))
        FAIL("%s: \"architectures\" must be a list of class names, found %s", origin,
             json_describe(a, d, sizeof d));
    if (!first) return ASACL_OK;
    const char *name = first->valuestring;
    size_t n = strlen(name);
    static const char tok[] = "ForTokenClassification", mc[] = "ForMultipleChoice";
    if (n >= sizeof tok - 1 && !strcmp(name + n - (sizeof tok - 1), tok)) c->task = ASACL_TASK_TOKEN;
    if (n >= sizeof mc - 1 && !strcmp(name + n - (sizeof mc - 1), mc)) {
        c->task = ASACL_TASK_CHOICE;
        c->num_labels = 1;
        memset(c->id2label, 0, sizeof c->id2label);
    }
    return ASACL_OK;
}

static asacl_status read_config(const char *origin, const cJSON *root, asacl_model_config *c)
{
    char d[96];
    TRY(read_model_type(origin, root, c));
    for (size_t i = 0; i < sizeof fields / sizeof *fields; i++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, fields[i].key);
        if (!v) continue;
        char *dst = (char *)c + fields[i].offset;
        if (!fields[i].is_float) {
            TRY(get_int(origin, v, fields[i].key, (int *)(void *)dst));
        } else if (cJSON_IsNumber(v)) {
            *(float *)(void *)dst = (float)v->valuedouble;
        } else {
            FAIL("%s: \"%s\" must be a number, found %s", origin, fields[i].key,
                 json_describe(v, d, sizeof d));
        }
    }
    for (size_t i = 0; i < sizeof fixed / sizeof *fixed; i++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, fixed[i].key);
        if (v && !(cJSON_IsString(v) && !strcmp(v->valuestring, fixed[i].value)))
            FAIL("%s: %s %s is not supported (expected \"%s\": %s)", origin, fixed[i].key,
                 json_describe(v, d, sizeof d), fixed[i].value, fixed[i].why);
    }
    const cJSON *dec = cJSON_GetObjectItemCaseSensitive(root, "is_decoder");
    if (dec && !cJSON_IsFalse(dec) && !cJSON_IsNull(dec))
        FAIL("%s: is_decoder %s is not supported (asacl trains bidirectional encoders)", origin,
             json_describe(dec, d, sizeof d));
    const cJSON *cd = cJSON_GetObjectItemCaseSensitive(root, "classifier_dropout");
    if (cd && !cJSON_IsNull(cd) &&
        !(cJSON_IsNumber(cd) && (float)cd->valuedouble == c->hidden_dropout_prob))
        FAIL("%s: classifier_dropout %s is not supported: asacl applies hidden_dropout_prob (%g) "
             "before the classifier, so it must be null or equal", origin,
             json_describe(cd, d, sizeof d), (double)c->hidden_dropout_prob);
    TRY(read_labels(origin, root, c));
    TRY(check_problem_type(origin, root, c));
    return read_task(origin, root, c);
}

asacl_status hfcfg_parse(const char *json, size_t len, const char *origin, asacl_model_config *out)
{
    if (!json || !origin || !out)
        return rt_fail(ASACL_ERR_INVALID_ARG, "hfcfg_parse: NULL argument");
    cJSON *root = NULL;
    TRY(json_parse(json, len, origin, &root));
    asacl_model_config c;
    asacl_model_config_default(&c);
    asacl_status st = cJSON_IsObject(root)
        ? read_config(origin, root, &c)
        : rt_fail(ASACL_ERR_FORMAT, "%s: expected a JSON object", origin);
    cJSON_Delete(root);
    if (st == ASACL_OK && asacl_model_config_check(&c) != ASACL_OK) {
        char msg[1024];
        snprintf(msg, sizeof msg, "%s", asacl_last_error());
        st = rt_fail(ASACL_ERR_FORMAT, "%s: %s", origin, msg);
    }
    if (st == ASACL_OK) *out = c;
    return st;
}

asacl_status hfcfg_read(const char *path, asacl_model_config *out)
{
    if (!path || !out) return rt_fail(ASACL_ERR_INVALID_ARG, "hfcfg_read: NULL argument");
    char *text = NULL;
    size_t size = 0;
    TRY(rt_read_file(path, &text, &size));
    asacl_status st = hfcfg_parse(text, size, path, out);
    free(text);
    return st;
}

/* ---- writing ------------------------------------------------------------------- */

/* The shortest decimal that reads back as f (0.1f -> 0.1, not 0.10000000149). */
static double shortest(float f)
{
    char buf[32];
    for (int digits = 1; digits <= 9; digits++) {
        snprintf(buf, sizeof buf, "%.*g", digits, (double)f);
        if (strtof(buf, NULL) == f) break;
    }
    return strtod(buf, NULL);
}

static asacl_status label_names(const asacl_model_config *c, char names[][64])
{
    for (int i = 0; i < c->num_labels; i++) {
        if (!memchr(c->id2label[i], 0, sizeof c->id2label[i]))
            return rt_fail(ASACL_ERR_INVALID_ARG,
                           "model config: id2label[%d] is not NUL-terminated", i);
        if (c->id2label[i][0]) strcpy(names[i], c->id2label[i]);
        else snprintf(names[i], 64, "LABEL_%d", i);
        for (int j = 0; j < i; j++)
            if (!strcmp(names[j], names[i]))
                return rt_fail(ASACL_ERR_INVALID_ARG,
                               "model config: labels %d and %d are both called '%s'", j, i,
                               names[i]);
    }
    return ASACL_OK;
}

static cJSON *build(const asacl_model_config *c, char names[][64])
{
    cJSON *r = cJSON_CreateObject();
    int roberta = c->model_type == ASACL_MODEL_ROBERTA, choice = c->task == ASACL_TASK_CHOICE;
    static const char *archs[2][3] = {
        {"BertForSequenceClassification", "BertForTokenClassification", "BertForMultipleChoice"},
        {"RobertaForSequenceClassification", "RobertaForTokenClassification",
         "RobertaForMultipleChoice"}};
    /* masked LM: BERT only (asacl_model_config_check) */
    const char *arch = c->task == ASACL_TASK_MLM ? "BertForMaskedLM" : archs[roberta][c->task];
    /* Multiple choice: the label maps transformers writes by default (2 labels, unused). */
    int n_labels = choice ? 2 : c->num_labels;
    int ok = r && cJSON_AddItemToObject(r, "architectures", cJSON_CreateStringArray(&arch, 1));
    char key[16];
#define NUM(k, v) (ok = ok && cJSON_AddNumberToObject(r, k, v))
#define STR(k, v) (ok = ok && cJSON_AddStringToObject(r, k, v))
    NUM("attention_probs_dropout_prob", shortest(c->attention_probs_dropout_prob));
    if (roberta) NUM("bos_token_id", 0);
    ok = ok && cJSON_AddNullToObject(r, "classifier_dropout");
    if (roberta) NUM("eos_token_id", 2);
    STR("hidden_act", "gelu");
    NUM("hidden_dropout_prob", shortest(c->hidden_dropout_prob));
    NUM("hidden_size", c->hidden_size);
    cJSON *id2label = ok ? cJSON_AddObjectToObject(r, "id2label") : NULL;
    for (int i = 0; id2label && i < n_labels; i++) {
        snprintf(key, sizeof key, "%d", i);
        ok = ok && cJSON_AddStringToObject(id2label, key, names[i]);
    }
    NUM("initializer_range", shortest(c->initializer_range));
    NUM("intermediate_size", c->intermediate_size);
    cJSON *label2id = ok && id2label ? cJSON_AddObjectToObject(r, "label2id") : NULL;
    for (int i = 0; label2id && i < n_labels; i++)
        ok = ok && cJSON_AddNumberToObject(label2id, names[i], i);
    NUM("layer_norm_eps", shortest(c->layer_norm_eps));
    NUM("max_position_embeddings", c->max_position_embeddings);
    STR("model_type", roberta ? "roberta" : "bert");
    NUM("num_attention_heads", c->num_attention_heads);
    NUM("num_hidden_layers", c->num_hidden_layers);
    NUM("pad_token_id", c->pad_token_id);
    STR("position_embedding_type", "absolute");
    /* transformers sets problem_type for sequence classification only */
    if (c->task == ASACL_TASK_SEQUENCE)
        STR("problem_type", c->num_labels == 1 ? "regression" : "single_label_classification");
    STR("torch_dtype", "float32");
    STR("transformers_version", HFCFG_TRANSFORMERS_VERSION);
    NUM("type_vocab_size", c->type_vocab_size);
    ok = ok && cJSON_AddTrueToObject(r, "use_cache");
    NUM("vocab_size", c->vocab_size);
#undef NUM
#undef STR
    if (!ok || !label2id) {
        cJSON_Delete(r);
        return NULL;
    }
    return r;
}

asacl_status hfcfg_write(const char *path, const asacl_model_config *c)
{
    if (!path || !c) return rt_fail(ASACL_ERR_INVALID_ARG, "hfcfg_write: NULL argument");
    TRY(asacl_model_config_check(c));
    char names[ASACL_MAX_LABELS][64];
    if (c->task == ASACL_TASK_CHOICE) {
        snprintf(names[0], 64, "LABEL_0");
        snprintf(names[1], 64, "LABEL_1");
    } else {
        TRY(label_names(c, names));
    }
    cJSON *root = build(c, names);
    char *text = root ? json_print(root) : NULL;
    cJSON_Delete(root);
    if (!text) return rt_fail(ASACL_ERR_OUT_OF_MEMORY, "writing %s", path);
    asacl_status st = rt_write_file_atomic(path, text, strlen(text));
    free(text);
    return st;
}

asacl_status asacl_model_config_read(const char *path, asacl_model_config *config)
{
    if (!path || !config) return rt_fail(ASACL_ERR_INVALID_ARG, "asacl_model_config_read: NULL argument");
    return hfcfg_read(path, config);
}
