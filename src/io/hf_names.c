/* hf_names.c -- Hugging Face BERT and RoBERTa tensor names -> asacl's canonical names. */
#include <stdio.h>
#include <string.h>

#include "io/hf_names.h"

/* The encoder's tensors, after its prefix ("bert." or "roberta."). */
static const char *const encoder_names[] = {
    "embeddings.word_embeddings.weight", "embeddings.position_embeddings.weight",
    "embeddings.token_type_embeddings.weight", "embeddings.LayerNorm.weight",
    "embeddings.LayerNorm.bias", NULL,
};
/* The heads, whole names. */
static const char *const bert_head[] = {
    "bert.pooler.dense.weight", "bert.pooler.dense.bias", "classifier.weight", "classifier.bias",
    NULL,
};
static const char *const mlm_head[] = {
    "cls.predictions.transform.dense.weight", "cls.predictions.transform.dense.bias",
    "cls.predictions.transform.LayerNorm.weight", "cls.predictions.transform.LayerNorm.bias",
    "cls.predictions.bias", NULL};
static const char *const roberta_head[] = {
    "classifier.dense.weight", "classifier.dense.bias", "classifier.out_proj.weight",
    "classifier.out_proj.bias", "classifier.weight", "classifier.bias",
    "roberta.pooler.dense.weight", "roberta.pooler.dense.bias", NULL,
};
/* Modules of bert.encoder.layer.N. and of bert.encoder.adversary.N. */
static const char *const layer_modules[] = {
    "attention.self.query", "attention.self.key", "attention.self.value",
    "attention.output.dense", "attention.output.LayerNorm", "intermediate.dense",
    "output.dense", "output.LayerNorm", NULL,
};
static const char *const adversary_modules[] = {"query", "key", NULL};

static const char *skip_prefix(const char *s, const char *prefix)
{
    size_t n = strlen(prefix);
    return strncmp(s, prefix, n) ? NULL : s + n;
}

/* "N.<module>.weight" or "N.<module>.bias", N a layer index without leading zeros. */
static int is_indexed(const char *s, const char *const *modules)
{
    size_t digits = strspn(s, "0123456789");
    if (digits == 0 || digits > 4 || (s[0] == '0' && digits > 1) || s[digits] != '.') return 0;
    s += digits + 1;
    for (; *modules; modules++) {
        const char *p = skip_prefix(s, *modules);
        if (p && (!strcmp(p, ".weight") || !strcmp(p, ".bias"))) return 1;
    }
    return 0;
}

static int listed(const char *s, const char *const *names)
{
    for (; *names; names++)
        if (!strcmp(s, *names)) return 1;
    return 0;
}

/* s: a whole canonical candidate; prefix: "bert." or "roberta.". */
static int is_canonical(const char *s, const char *prefix, const char *const *head)
{
    if (listed(s, head)) return 1;
    const char *p = skip_prefix(s, prefix);
    if (!p) return 0;
    if (listed(p, encoder_names)) return 1;
    const char *q;
    if ((q = skip_prefix(p, "encoder.layer."))) return is_indexed(q, layer_modules);
    if ((q = skip_prefix(p, "encoder.adversary."))) return is_indexed(q, adversary_modules);
    return 0;
}

int hf_canonical_name(const char *name, char *out, size_t cap)
{
    return hf_canonical_name_model(name, 0, out, cap);
}

int hf_canonical_name_model(const char *name, int roberta, char *out, size_t cap)
{
    if (cap) out[0] = 0;
    const char *prefix = roberta ? "roberta." : "bert.";
    const char *const *head = roberta ? roberta_head : bert_head;
    /* BertForMaskedLM's head is the masked-LM layout's (params.c), its decoder the
     * tied word embeddings (weight) and cls.predictions.bias (bias); the rest of cls.*
     * (next-sentence prediction) and RobertaForMaskedLM's lm_head.* are ignored. */
    if (!roberta && skip_prefix(name, "cls.predictions.") &&
        !skip_prefix(name, "cls.predictions.decoder.")) {
        char buf[HF_NAME_MAX];
        if ((size_t)snprintf(buf, sizeof buf, "%s", name) >= sizeof buf) return HF_NAME_UNKNOWN;
        size_t len = strlen(buf);
        static const char *const tf[][2] = {{".LayerNorm.gamma", ".LayerNorm.weight"},
                                            {".LayerNorm.beta", ".LayerNorm.bias"}};
        for (size_t i = 0; i < 2; i++) {
            size_t n = strlen(tf[i][0]);
            if (len > n && !strcmp(buf + len - n, tf[i][0]))
                snprintf(buf + len - n, sizeof buf - (len - n), "%s", tf[i][1]);
        }
        if (!listed(buf, mlm_head)) return HF_NAME_UNKNOWN;
        if (strlen(buf) >= cap) return HF_NAME_UNKNOWN;
        memcpy(out, buf, strlen(buf) + 1);
        return HF_NAME_MAPPED;
    }
    if (skip_prefix(name, roberta ? "lm_head." : "cls.")) return HF_NAME_IGNORED;
    const char *rest = skip_prefix(name, prefix);
    if (!rest) rest = name;
    if (!strcmp(rest, "embeddings.position_ids") || !strcmp(rest, "embeddings.token_type_ids"))
        return HF_NAME_IGNORED;
    /* RobertaModel's pooler maps to roberta.pooler.dense.*: RobertaForMultipleChoice uses it,
     * RobertaForSequenceClassification and ...ForTokenClassification have none (their
     * layouts leave it out, so a file's pooler is then ignored). */

    char buf[HF_NAME_MAX];
    const char *pre = skip_prefix(name, "classifier.") ? "" : prefix;
    if ((size_t)snprintf(buf, sizeof buf, "%s%s", pre, rest) >= sizeof buf)
        return HF_NAME_UNKNOWN;
    size_t len = strlen(buf);
    static const char *const tf[][2] = {{".LayerNorm.gamma", "weight"},
                                        {".LayerNorm.beta", "bias"}};
    for (size_t i = 0; i < 2; i++) {
        size_t n = strlen(tf[i][0]);
        if (len > n && !strcmp(buf + len - n, tf[i][0]))
            snprintf(buf + len - n, sizeof buf - (len - n), ".LayerNorm.%s", tf[i][1]);
    }
    if (!is_canonical(buf, prefix, head) || strlen(buf) >= cap) return HF_NAME_UNKNOWN;
    memcpy(out, buf, strlen(buf) + 1);
    return HF_NAME_MAPPED;
}
