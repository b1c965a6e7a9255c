/* params.c -- the parameter table (see params.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/params.h"
#include "runtime/runtime.h"

#define GROUP_ALIGN 64

typedef struct builder {
    param_layout *l;
    size_t cap;
    asacl_status st;
} builder;

static void align(builder *b) { b->l->total = (b->l->total + GROUP_ALIGN - 1) / GROUP_ALIGN * GROUP_ALIGN; }

/* Appends one tensor at the current end; returns its offset. */
static size_t add(builder *b, const char *name, size_t rows, size_t cols, int decay,
                  param_init init)
{
    param_layout *l = b->l;
    if (b->st != ASACL_OK) return 0;
    if (l->count == b->cap) {
        size_t cap = b->cap ? 2 * b->cap : 64;
        param_entry *e = realloc(l->entries, cap * sizeof *e);
        if (!e) {
            b->st = rt_fail(ASACL_ERR_OUT_OF_MEMORY, "parameter table");
            return 0;
        }
        l->entries = e;
        b->cap = cap;
    }
    param_entry *e = &l->entries[l->count++];
    snprintf(e->name, sizeof e->name, "%s", name);
    e->rows = rows;
    e->cols = cols;
    e->off = l->total;
    e->n = rows * cols;
    e->decay = decay;
    e->init = init;
    l->total += e->n;
    return e->off;
}

/* Appends prefix + name (the encoder's tensors: "bert." or "roberta."). */
static size_t addp(builder *b, const char *prefix, const char *name, size_t rows, size_t cols,
                   int decay, param_init init)
{
    char n[PARAM_NAME_MAX];
    snprintf(n, sizeof n, "%s%s", prefix, name);
    return add(b, n, rows, cols, decay, init);
}

asacl_status param_layout_build(const asacl_model_config *c, int adversaries, param_layout *out)
{
    memset(out, 0, sizeof *out);
    TRY(asacl_model_config_check(c));
    size_t D = (size_t)c->hidden_size, F = (size_t)c->intermediate_size,
           L = (size_t)c->num_hidden_layers, C = (size_t)c->num_labels;
    out->adversaries = adversaries;
    out->roberta = c->model_type == ASACL_MODEL_ROBERTA;
    out->task = c->task;
    const char *pre = out->roberta ? "roberta." : "bert.";
    /* The head (Hugging Face's names per architecture):
     *   sequence: BERT's pooler + classifier, or RoBERTa's classification
     *             head (classifier.dense, classifier.out_proj) in the same two slots;
     *   token:    classifier [C, D] alone (no pooler), BERT and RoBERTa alike;
     *   choice:   the encoder's pooler + classifier [1, D], BERT and RoBERTa
     *             alike (RobertaForMultipleChoice keeps RobertaModel's pooler). */
    int seq_roberta = out->roberta && c->task == ASACL_TASK_SEQUENCE;
    char pool[PARAM_NAME_MAX];
    snprintf(pool, sizeof pool, "%s", seq_roberta ? "classifier.dense" : out->roberta
                                                                           ? "roberta.pooler.dense"
                                                                           : "bert.pooler.dense");
    const char *cls = seq_roberta ? "classifier.out_proj" : "classifier";
    out->pooler = c->task == ASACL_TASK_SEQUENCE || c->task == ASACL_TASK_CHOICE;
    /* mlm: BertForMaskedLM's cls.predictions (transform.dense, transform.LayerNorm,
     *      bias); its decoder is the word-embedding table, no tensor of its own */
    int mlm = c->task == ASACL_TASK_MLM;
    out->layers = calloc(L, sizeof *out->layers);
    if (!out->layers) return rt_fail(ASACL_ERR_OUT_OF_MEMORY, "parameter table");
    builder b = {out, 0, ASACL_OK};
    char n[PARAM_NAME_MAX];

    /* Weight decay: weight matrices and embeddings. */
    out->word = addp(&b, pre, "embeddings.word_embeddings.weight", (size_t)c->vocab_size, D, 1, INIT_NORMAL);
    align(&b);
    out->pos = addp(&b, pre, "embeddings.position_embeddings.weight",
                   (size_t)c->max_position_embeddings, D, 1, INIT_NORMAL);
    align(&b);
    out->type = addp(&b, pre, "embeddings.token_type_embeddings.weight", (size_t)c->type_vocab_size,
                    D, 1, INIT_NORMAL);
    for (size_t i = 0; i < L; i++) {
        layer_params *p = &out->layers[i];
        const char *qkv[3] = {"query", "key", "value"};
        align(&b);
        for (int k = 0; k < 3; k++) {
            snprintf(n, sizeof n, "%sencoder.layer.%zu.attention.self.%s.weight", pre, i, qkv[k]);
            size_t off = add(&b, n, D, D, 1, INIT_NORMAL);
            if (k == 0) p->qkv_w = off;
        }
        align(&b);
        snprintf(n, sizeof n, "%sencoder.layer.%zu.attention.output.dense.weight", pre, i);
        p->o_w = add(&b, n, D, D, 1, INIT_NORMAL);
        align(&b);
        snprintf(n, sizeof n, "%sencoder.layer.%zu.intermediate.dense.weight", pre, i);
        p->f1_w = add(&b, n, F, D, 1, INIT_NORMAL);
        align(&b);
        snprintf(n, sizeof n, "%sencoder.layer.%zu.output.dense.weight", pre, i);
        p->f2_w = add(&b, n, D, F, 1, INIT_NORMAL);
    }
    align(&b);
    if (out->pooler) {
        snprintf(n, sizeof n, "%s.weight", pool);
        out->pool_w = add(&b, n, D, D, 1, INIT_NORMAL);
        align(&b);
    }
    if (mlm) {
        out->mlm_dense_w = add(&b, "cls.predictions.transform.dense.weight", D, D, 1, INIT_NORMAL);
    } else {
        snprintf(n, sizeof n, "%s.weight", cls);
        out->cls_w = add(&b, n, C, D, 1, INIT_NORMAL);
    }
    for (size_t i = 0; i < L && adversaries; i++) {
        align(&b);
        snprintf(n, sizeof n, "%sencoder.adversary.%zu.query.weight", pre, i);
        out->layers[i].adv_w = add(&b, n, D, D, 1, INIT_NORMAL);
        snprintf(n, sizeof n, "%sencoder.adversary.%zu.key.weight", pre, i);
        add(&b, n, D, D, 1, INIT_NORMAL);
    }
    align(&b);
    out->decay_end = out->total;

    /* No decay: biases and LayerNorm parameters. */
    out->emb_ln_g = addp(&b, pre, "embeddings.LayerNorm.weight", D, 1, 0, INIT_ONE);
    out->emb_ln_b = addp(&b, pre, "embeddings.LayerNorm.bias", D, 1, 0, INIT_ZERO);
    for (size_t i = 0; i < L; i++) {
        layer_params *p = &out->layers[i];
        const char *qkv[3] = {"query", "key", "value"};
        align(&b);
        for (int k = 0; k < 3; k++) {
            snprintf(n, sizeof n, "%sencoder.layer.%zu.attention.self.%s.bias", pre, i, qkv[k]);
            size_t off = add(&b, n, D, 1, 0, INIT_ZERO);
            if (k == 0) p->qkv_b = off;
        }
        align(&b);
        snprintf(n, sizeof n, "%sencoder.layer.%zu.attention.output.dense.bias", pre, i);
        p->o_b = add(&b, n, D, 1, 0, INIT_ZERO);
        snprintf(n, sizeof n, "%sencoder.layer.%zu.attention.output.LayerNorm.weight", pre, i);
        p->ln1_g = add(&b, n, D, 1, 0, INIT_ONE);
        snprintf(n, sizeof n, "%sencoder.layer.%zu.attention.output.LayerNorm.bias", pre, i);
        p->ln1_b = add(&b, n, D, 1, 0, INIT_ZERO);
        snprintf(n, sizeof n, "%sencoder.layer.%zu.intermediate.dense.bias", pre, i);
        p->f1_b = add(&b, n, F, 1, 0, INIT_ZERO);
        snprintf(n, sizeof n, "%sencoder.layer.%zu.output.dense.bias", pre, i);
        p->f2_b = add(&b, n, D, 1, 0, INIT_ZERO);
        snprintf(n, sizeof n, "%sencoder.layer.%zu.output.LayerNorm.weight", pre, i);
        p->ln2_g = add(&b, n, D, 1, 0, INIT_ONE);
        snprintf(n, sizeof n, "%sencoder.layer.%zu.output.LayerNorm.bias", pre, i);
        p->ln2_b = add(&b, n, D, 1, 0, INIT_ZERO);
    }
    align(&b);
    if (out->pooler) {
        snprintf(n, sizeof n, "%s.bias", pool);
        out->pool_b = add(&b, n, D, 1, 0, INIT_ZERO);
    }
    if (mlm) { /* the LayerNorm's weight and bias adjacent (op_layernorm_* read them so) */
        out->mlm_dense_b = add(&b, "cls.predictions.transform.dense.bias", D, 1, 0, INIT_ZERO);
        out->mlm_ln_w = add(&b, "cls.predictions.transform.LayerNorm.weight", D, 1, 0, INIT_ONE);
        out->mlm_ln_b = add(&b, "cls.predictions.transform.LayerNorm.bias", D, 1, 0, INIT_ZERO);
        out->mlm_bias = add(&b, "cls.predictions.bias", (size_t)c->vocab_size, 1, 0, INIT_ZERO);
    } else {
        snprintf(n, sizeof n, "%s.bias", cls);
        out->cls_b = add(&b, n, C, 1, 0, INIT_ZERO);
    }
    for (size_t i = 0; i < L && adversaries; i++) {
        align(&b);
        snprintf(n, sizeof n, "%sencoder.adversary.%zu.query.bias", pre, i);
        out->layers[i].adv_b = add(&b, n, D, 1, 0, INIT_ZERO);
        snprintf(n, sizeof n, "%sencoder.adversary.%zu.key.bias", pre, i);
        add(&b, n, D, 1, 0, INIT_ZERO);
    }
    align(&b);
    if (b.st != ASACL_OK) param_layout_free(out);
    return b.st;
}

void param_layout_free(param_layout *l)
{
    if (!l) return;
    free(l->entries);
    free(l->layers);
    memset(l, 0, sizeof *l);
}

const param_entry *param_find(const param_layout *l, const char *name)
{
    for (size_t i = 0; i < l->count; i++)
        if (!strcmp(l->entries[i].name, name)) return &l->entries[i];
    return NULL;
}

/* splitmix64, then Box-Muller in double. */
static unsigned long long next(unsigned long long *s)
{
    uint64_t v = *s, z = rt_splitmix64(&v);
    *s = v;
    return z;
}

static double normal(unsigned long long *s)
{
    double u1 = ((double)(next(s) >> 11) + 1.0) / 9007199254740993.0; /* (0, 1] */
    double u2 = (double)(next(s) >> 11) / 9007199254740992.0;
    return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

void param_init_host(const param_layout *l, const asacl_model_config *c, unsigned long long seed,
                     float *values)
{
    memset(values, 0, l->total * sizeof *values); /* alignment gaps stay 0 */
    unsigned long long s = seed;
    for (size_t i = 0; i < l->count; i++) {
        const param_entry *e = &l->entries[i];
        float *v = values + e->off;
        for (size_t k = 0; k < e->n; k++)
            v[k] = e->init == INIT_ONE    ? 1.0f
                   : e->init == INIT_ZERO ? 0.0f
                                          : (float)(c->initializer_range * normal(&s));
    }
    /* Hugging Face zeroes the padding row (nn.Embedding padding_idx). */
    memset(values + l->word + (size_t)c->pad_token_id * (size_t)c->hidden_size, 0,
           (size_t)c->hidden_size * sizeof *values);
    /* RoBERTa's position embeddings have padding_idx = pad_token_id too. */
    if (l->roberta)
        memset(values + l->pos + (size_t)c->pad_token_id * (size_t)c->hidden_size, 0,
               (size_t)c->hidden_size * sizeof *values);
}
