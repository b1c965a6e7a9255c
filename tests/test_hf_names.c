/* test_hf_names.c -- Hugging Face tensor names -> asacl's canonical names (src/io/). */
#include "io/hf_names.h"
#include "test_util.h"

static const struct {
    const char *in;
    int want;
    const char *out;
} cases[] = {
    /* Canonical names map to themselves. */
    {"bert.embeddings.word_embeddings.weight", HF_NAME_MAPPED, "bert.embeddings.word_embeddings.weight"},
    {"bert.embeddings.position_embeddings.weight", HF_NAME_MAPPED, "bert.embeddings.position_embeddings.weight"},
    {"bert.embeddings.token_type_embeddings.weight", HF_NAME_MAPPED, "bert.embeddings.token_type_embeddings.weight"},
    {"bert.embeddings.LayerNorm.weight", HF_NAME_MAPPED, "bert.embeddings.LayerNorm.weight"},
    {"bert.embeddings.LayerNorm.bias", HF_NAME_MAPPED, "bert.embeddings.LayerNorm.bias"},
    {"bert.encoder.layer.0.attention.self.query.weight", HF_NAME_MAPPED, "bert.encoder.layer.0.attention.self.query.weight"},
    {"bert.encoder.layer.0.attention.self.key.bias", HF_NAME_MAPPED, "bert.encoder.layer.0.attention.self.key.bias"},
    {"bert.encoder.layer.7.attention.self.value.weight", HF_NAME_MAPPED, "bert.encoder.layer.7.attention.self.value.weight"},
    {"bert.encoder.layer.11.attention.output.dense.bias", HF_NAME_MAPPED, "bert.encoder.layer.11.attention.output.dense.bias"},
    {"bert.encoder.layer.1.attention.output.LayerNorm.weight", HF_NAME_MAPPED, "bert.encoder.layer.1.attention.output.LayerNorm.weight"},
    {"bert.encoder.layer.23.intermediate.dense.weight", HF_NAME_MAPPED, "bert.encoder.layer.23.intermediate.dense.weight"},
    {"bert.encoder.layer.2.output.dense.weight", HF_NAME_MAPPED, "bert.encoder.layer.2.output.dense.weight"},
    {"bert.encoder.layer.2.output.LayerNorm.bias", HF_NAME_MAPPED, "bert.encoder.layer.2.output.LayerNorm.bias"},
    {"bert.pooler.dense.weight", HF_NAME_MAPPED, "bert.pooler.dense.weight"},
    {"bert.pooler.dense.bias", HF_NAME_MAPPED, "bert.pooler.dense.bias"},
    {"classifier.weight", HF_NAME_MAPPED, "classifier.weight"},
    {"classifier.bias", HF_NAME_MAPPED, "classifier.bias"},
    {"bert.encoder.adversary.0.query.weight", HF_NAME_MAPPED, "bert.encoder.adversary.0.query.weight"},
    {"bert.encoder.adversary.11.key.bias", HF_NAME_MAPPED, "bert.encoder.adversary.11.key.bias"},
    /* BertModel: no "bert." prefix. */
    {"embeddings.word_embeddings.weight", HF_NAME_MAPPED, "bert.embeddings.word_embeddings.weight"},
    {"encoder.layer.1.output.LayerNorm.bias", HF_NAME_MAPPED, "bert.encoder.layer.1.output.LayerNorm.bias"},
    {"pooler.dense.bias", HF_NAME_MAPPED, "bert.pooler.dense.bias"},
    {"encoder.adversary.2.key.weight", HF_NAME_MAPPED, "bert.encoder.adversary.2.key.weight"},
    /* TF-converted LayerNorm parameters. */
    {"bert.embeddings.LayerNorm.gamma", HF_NAME_MAPPED, "bert.embeddings.LayerNorm.weight"},
    {"bert.embeddings.LayerNorm.beta", HF_NAME_MAPPED, "bert.embeddings.LayerNorm.bias"},
    {"bert.encoder.layer.0.attention.output.LayerNorm.beta", HF_NAME_MAPPED, "bert.encoder.layer.0.attention.output.LayerNorm.bias"},
    {"encoder.layer.3.output.LayerNorm.gamma", HF_NAME_MAPPED, "bert.encoder.layer.3.output.LayerNorm.weight"},
    /* BertForMaskedLM's head: the masked-LM layout's (TF LayerNorm names too); its
     * decoder is the tied word-embedding table (weight) and cls.predictions.bias (bias). */
    {"cls.predictions.bias", HF_NAME_MAPPED, "cls.predictions.bias"},
    {"cls.predictions.transform.dense.weight", HF_NAME_MAPPED, "cls.predictions.transform.dense.weight"},
    {"cls.predictions.transform.dense.bias", HF_NAME_MAPPED, "cls.predictions.transform.dense.bias"},
    {"cls.predictions.transform.LayerNorm.gamma", HF_NAME_MAPPED, "cls.predictions.transform.LayerNorm.weight"},
    {"cls.predictions.transform.LayerNorm.bias", HF_NAME_MAPPED, "cls.predictions.transform.LayerNorm.bias"},
    /* The tied decoder, BertForPreTraining's next-sentence head and buffers: ignored. */
    {"cls.predictions.decoder.weight", HF_NAME_IGNORED, ""},
    {"cls.predictions.decoder.bias", HF_NAME_IGNORED, ""},
    {"cls.seq_relationship.weight", HF_NAME_IGNORED, ""},
    {"bert.embeddings.position_ids", HF_NAME_IGNORED, ""},
    {"bert.embeddings.token_type_ids", HF_NAME_IGNORED, ""},
    {"embeddings.position_ids", HF_NAME_IGNORED, ""},
    {"embeddings.token_type_ids", HF_NAME_IGNORED, ""},
    /* Anything else is unknown. */
    {"", HF_NAME_UNKNOWN, ""},
    {"bert.", HF_NAME_UNKNOWN, ""},
    {"bert.bert.embeddings.word_embeddings.weight", HF_NAME_UNKNOWN, ""},
    {"bert.classifier.weight", HF_NAME_UNKNOWN, ""},
    {"classifier.dense.weight", HF_NAME_UNKNOWN, ""},
    {"classifier.gamma", HF_NAME_UNKNOWN, ""},
    {"roberta.embeddings.word_embeddings.weight", HF_NAME_UNKNOWN, ""},
    {"roberta.embeddings.position_ids", HF_NAME_UNKNOWN, ""},
    {"bert.encoder.layer.0.attention.self.query.gamma", HF_NAME_UNKNOWN, ""},
    {"bert.encoder.layer.01.output.dense.weight", HF_NAME_UNKNOWN, ""},
    {"bert.encoder.layer.12345.output.dense.weight", HF_NAME_UNKNOWN, ""},
    {"bert.encoder.layer.x.output.dense.weight", HF_NAME_UNKNOWN, ""},
    {"bert.encoder.layer..output.dense.weight", HF_NAME_UNKNOWN, ""},
    {"bert.encoder.layer.0.output.dense", HF_NAME_UNKNOWN, ""},
    {"bert.encoder.layer.0.output.dense.weight.x", HF_NAME_UNKNOWN, ""},
    {"bert.encoder.layer.0.output.value.weight", HF_NAME_UNKNOWN, ""},
    {"bert.encoder.adversary.0.value.weight", HF_NAME_UNKNOWN, ""},
    {"bert.encoder.adversary.0.attention.self.query.weight", HF_NAME_UNKNOWN, ""},
    {"bert.pooler.dense.gamma", HF_NAME_UNKNOWN, ""},
    {"bert.embeddings.LayerNorm.gamma.x", HF_NAME_UNKNOWN, ""},
    {"LayerNorm.gamma", HF_NAME_UNKNOWN, ""},
    {"bert.embeddings.position_ids.weight", HF_NAME_UNKNOWN, ""},
};

int main(void)
{
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char out[HF_NAME_MAX];
        memset(out, 'x', sizeof out);
        int got = hf_canonical_name(cases[i].in, out, sizeof out);
        CHECK(got == cases[i].want && !strcmp(out, cases[i].out), "'%s' -> %d '%.*s', expected %d '%s'",
              cases[i].in, got, (int)sizeof out - 1, out, cases[i].want, cases[i].out);
    }

    /* The output buffer's capacity. */
    const char *name = "embeddings.LayerNorm.gamma", *canon = "bert.embeddings.LayerNorm.weight";
    char out[64];
    size_t need = strlen(canon) + 1;
    CHECK(hf_canonical_name(name, out, need) == HF_NAME_MAPPED && !strcmp(out, canon),
          "exact capacity: '%s'", out);
    memset(out, 'x', sizeof out);
    CHECK(hf_canonical_name(name, out, need - 1) == HF_NAME_UNKNOWN && out[0] == 0 && out[need - 1] == 'x',
          "capacity one short must not write past it");
    CHECK(hf_canonical_name(name, NULL, 0) == HF_NAME_UNKNOWN, "capacity 0");
    CHECK(hf_canonical_name("cls.predictions.decoder.weight", NULL, 0) == HF_NAME_IGNORED, "ignored, capacity 0");
    return test_finish("test_hf_names");
}
