/* config.c -- the model configuration: defaults and range checks. */
#include <string.h>

#include "io/config_json.h"
#include "runtime/runtime.h"

void asacl_model_config_default(asacl_model_config *c)
{
    if (!c) return;
    memset(c, 0, sizeof *c);
    c->vocab_size = 30522;
    c->hidden_size = 768;
    c->num_hidden_layers = 12;
    c->num_attention_heads = 12;
    c->intermediate_size = 3072;
    c->max_position_embeddings = 512;
    c->type_vocab_size = 2;
    c->num_labels = 2;
    c->pad_token_id = 0;
    c->hidden_dropout_prob = 0.1f;
    c->attention_probs_dropout_prob = 0.1f;
    c->layer_norm_eps = 1e-12f;
    c->initializer_range = 0.02f;
}

asacl_status asacl_model_config_check(const asacl_model_config *c)
{
    if (!c) return rt_fail(ASACL_ERR_INVALID_ARG, "model config: NULL");
#define RANGE(field, lo, hi)                                                             \
    if (!(c->field >= (lo) && c->field <= (hi)))                                         \
        return rt_fail(ASACL_ERR_INVALID_ARG, "model config: %s = %g is outside [%g, %g]", \
                       #field, (double)c->field, (double)(lo), (double)(hi));
    RANGE(vocab_size, 1, 1 << 24)
    RANGE(hidden_size, 1, 1 << 16)
    RANGE(num_hidden_layers, 1, 1024)
    RANGE(num_attention_heads, 1, 1024)
    RANGE(intermediate_size, 1, 1 << 18)
    RANGE(max_position_embeddings, 1, 1 << 16)
    RANGE(type_vocab_size, 1, 1 << 10)
    RANGE(num_labels, 1, ASACL_MAX_LABELS)
    RANGE(pad_token_id, 0, c->vocab_size - 1)
    RANGE(hidden_dropout_prob, 0, 0.999)
    RANGE(attention_probs_dropout_prob, 0, 0.999)
    RANGE(layer_norm_eps, 0, 1)
    RANGE(initializer_range, 0, 10)
    RANGE(model_type, ASACL_MODEL_BERT, ASACL_MODEL_ROBERTA)
    RANGE(task, ASACL_TASK_SEQUENCE, ASACL_TASK_MLM)
#undef RANGE
    if (c->task == ASACL_TASK_CHOICE && c->num_labels != 1)
        return rt_fail(ASACL_ERR_INVALID_ARG, "model config: a multiple-choice model scores each "
                       "choice with one output (num_labels 1), not %d", c->num_labels);
    if (c->task == ASACL_TASK_TOKEN && c->num_labels < 2)
        return rt_fail(ASACL_ERR_INVALID_ARG, "model config: token classification needs at least 2 "
                       "labels, not %d", c->num_labels);
    if (c->task == ASACL_TASK_MLM && c->model_type != ASACL_MODEL_BERT)
        return rt_fail(ASACL_ERR_INVALID_ARG, "model config: masked-LM pre-training has BERT's head "
                       "(BertForMaskedLM, cls.predictions) only, not RoBERTa's");
    if (c->model_type == ASACL_MODEL_ROBERTA && c->max_position_embeddings < c->pad_token_id + 2)
        return rt_fail(ASACL_ERR_INVALID_ARG,
                       "model config: max_position_embeddings %d leaves no position after "
                       "RoBERTa's padding_idx %d (positions start at pad_token_id + 1)",
                       c->max_position_embeddings, c->pad_token_id);
    if (c->hidden_size % c->num_attention_heads != 0)
        return rt_fail(ASACL_ERR_INVALID_ARG,
                       "model config: hidden_size %d is not a multiple of num_attention_heads %d",
                       c->hidden_size, c->num_attention_heads);
    return ASACL_OK;
}

const char *asacl_task_kind_name(int kind)
{
    static const char *names[] = {"sequence", "token", "choice", "mlm"};
    return kind >= 0 && kind < (int)(sizeof names / sizeof *names) ? names[kind] : NULL;
}

/* The one table of named shapes (asacl.h). */
static const struct named_config {
    const char *name;
    int layers, hidden, heads, ffn;
    size_t B, T;
    int roberta; /* RobertaConfig's defaults: vocab 50265, 514 positions, one type, pad 1 */
} NAMED[] = {
    {"bench", 4, 256, 4, 1024, 32, 128, 0},
    {"tiny", 2, 64, 4, 128, 16, 32, 0},
    {"minilm", 6, 384, 12, 1536, 32, 64, 0},
    {"base", 12, 768, 12, 3072, 32, 128, 0},
    {"roberta-base", 12, 768, 12, 3072, 32, 128, 1},
};

const char *asacl_config_names(void) { return "bench, tiny, minilm, base, roberta-base"; }

asacl_status asacl_config_named(const char *spec, asacl_model_config *c, size_t *batch,
                                size_t *seq_len)
{
    if (!spec || !c) return rt_fail(ASACL_ERR_INVALID_ARG, "asacl_config_named: NULL argument");
    size_t B = 32, T = 128;
    size_t i = 0, n = sizeof NAMED / sizeof NAMED[0];
    while (i < n && strcmp(NAMED[i].name, spec) != 0) i++;
    if (i < n) {
        asacl_model_config_default(c);
        c->num_hidden_layers = NAMED[i].layers;
        c->hidden_size = NAMED[i].hidden;
        c->num_attention_heads = NAMED[i].heads;
        c->intermediate_size = NAMED[i].ffn;
        if (NAMED[i].roberta) hfcfg_roberta_defaults(c);
        B = NAMED[i].B;
        T = NAMED[i].T;
    } else if (strchr(spec, '/') || strstr(spec, ".json")) {
        TRY(asacl_model_config_read(spec, c));
    } else {
        return rt_fail(ASACL_ERR_INVALID_ARG, "unknown config '%s' (%s, or a config.json path)",
                       spec, asacl_config_names());
    }
    if (batch) *batch = B;
    if (seq_len) *seq_len = T;
    return ASACL_OK;
}
