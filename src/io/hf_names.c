/* hf_names.c -- Hugging Face BERT tensor names -> asacl's canonical names. */
#include <stdio.h>
#include <string.h>

#include "io/hf_names.h"

static const char *const fixed_names[] = {
    "bert.embeddings.word_embeddings.weight", "bert.embeddings.position_embeddings.weight",
    "bert.embeddings.token_type_embeddings.weight", "bert.embeddings.LayerNorm.weight",
    "bert.embeddings.LayerNorm.bias", "bert.pooler.dense.weight", "bert.pooler.dense.bias",
    "classifier.weight", "classifier.bias",
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

static int is_canonical(const char *s)
{
    for (size_t i = 0; i < sizeof fixed_names / sizeof *fixed_names; i++)
        if (!strcmp(s, fixed_names[i])) return 1;
    const char *p;
    if ((p = skip_prefix(s, "bert.encoder.layer."))) return is_indexed(p, layer_modules);
    if ((p = skip_prefix(s, "bert.encoder.adversary."))) return is_indexed(p, adversary_modules);
    return 0;
}

int hf_canonical_name(const char *name, char *out, size_t cap)
{
    if (cap) out[0] = 0;
    if (skip_prefix(name, "cls.")) return HF_NAME_IGNORED;
    const char *rest = skip_prefix(name, "bert.");
    if (!rest) rest = name;
    if (!strcmp(rest, "embeddings.position_ids") || !strcmp(rest, "embeddings.token_type_ids"))
        return HF_NAME_IGNORED;

    char buf[HF_NAME_MAX];
    const char *prefix = skip_prefix(name, "classifier.") ? "" : "bert.";
    if ((size_t)snprintf(buf, sizeof buf, "%s%s", prefix, rest) >= sizeof buf)
        return HF_NAME_UNKNOWN;
    size_t len = strlen(buf);
    static const char *const tf[][2] = {{".LayerNorm.gamma", "weight"},
                                        {".LayerNorm.beta", "bias"}};
    for (size_t i = 0; i < 2; i++) {
        size_t n = strlen(tf[i][0]);
        if (len > n && !strcmp(buf + len - n, tf[i][0]))
            snprintf(buf + len - n, sizeof buf - (len - n), ".LayerNorm.%s", tf[i][1]);
    }
    if (!is_canonical(buf) || strlen(buf) >= cap) return HF_NAME_UNKNOWN;
    memcpy(out, buf, strlen(buf) + 1);
    return HF_NAME_MAPPED;
}
