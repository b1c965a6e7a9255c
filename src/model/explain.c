/* explain.c -- what a model attends to and what its adversaries mask, for
 * one input (include/asacl.h, asacl_model_attention). The clean pass runs
 * through the plain attention path, whose softmax output stays in each
 * layer's `probs`; the adversarial pass (asa-spec 4) leaves the adversary's
 * mask M in `adv_mask`. Both passes run with dropout off, on buffers of their
 * own sized for this one sequence, so the model's evaluation buffers and
 * its attention path are as they were afterwards.
 *
 * The sequence may be padded as training pads it (asa-spec 2: to
 * max_seq_len): the clean pass's real rows do not depend on padding (a
 * padding key's score is -10000, whose exponential is 0 in float), but the
 * adversarial pass's do where the adversary masks a whole row, which is
 * then uniform over all T positions. The maps kept are the real tokens'. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/folder_params.h"
#include "model/api.h"

asacl_status asacl_model_load_adversaries(asacl_model *am, const char *dir)
{
    if (!am || !dir)
        return rt_fail(ASACL_ERR_INVALID_ARG, "asacl_model_load_adversaries: NULL argument");
    model *m = &am->m;
    const param_layout *pl = &m->layout;
    if (!pl->adversaries)
        return rt_fail(ASACL_ERR_INVALID_ARG, "asacl_model_load_adversaries: the model was loaded "
                       "without adversaries (asacl_load_options.adversaries)");
    asacl_train_options o;
    TRY(asacl_checkpoint_info(dir, &o, NULL));
    char path[4200];
    snprintf(path, sizeof path, "%s/trainer_state.safetensors", dir);
    float *values;
    TRY(model_download(am, &values));
    folder_read r = {calloc(pl->count, 1), 0, 0};
    st_file f;
    asacl_status st = r.have ? st_open(path, &f) : rt_fail(ASACL_ERR_OUT_OF_MEMORY, "reading %s", path);
    if (st == ASACL_OK) {
        st = folder_read_params(&f, pl, values, NULL, &r);
        st_close(&f);
    }
    for (size_t i = 0; st == ASACL_OK && i < pl->count; i++)
        if (!folder_is_inference_tensor(pl->entries[i].name) && !r.have[i])
            st = rt_fail(ASACL_ERR_FORMAT, "%s: no tensor %s (a checkpoint trained with --no-asa "
                         "has no adversaries)", path, pl->entries[i].name);
    if (st == ASACL_OK) st = rt_upload(m->ctx, m->params, 0, pl->total, values);
    if (st == ASACL_OK) m->additive_masks = o.additive_masks;
    free(values);
    free(r.have);
    return st;
}

void asacl_attention_free(asacl_attention *a)
{
    if (!a) return;
    free(a->probs);
    free(a->mask);
    memset(a, 0, sizeof *a);
}

/* Every layer's [n, T, T] probabilities (mask: [T, T] masks) from the
 * arena, keeping the real len x len corner of each square. */
static asacl_status download_layers(const model *m, const pass_arena *a, int mask, size_t n,
                                    size_t T, size_t len, float *full, float *out)
{
    for (size_t l = 0; l < a->n_layers; l++) {
        tensor t = mask ? a->layers[l].adv_mask : a->layers[l].probs;
        TRY(rt_download(m->ctx, t.buf, t.off, n * T * T, full));
        for (size_t h = 0; h < n; h++)
            for (size_t i = 0; i < len; i++)
                memcpy(out + ((l * n + h) * len + i) * len, full + (h * T + i) * T,
                       len * sizeof *out);
    }
    return ASACL_OK;
}

static asacl_status run_passes(model *m, const int32_t *ids, const int32_t *segs, size_t len,
                               size_t T, int with_mask, asacl_attention *out)
{
    size_t L = out->L, H = out->H;
    int length = (int)len;
    pass_arena a;
    batch_dev bt;
    float *full = malloc(H * T * T * sizeof *full);
    if (!full) return rt_fail(ASACL_ERR_OUT_OF_MEMORY, "asacl_model_attention");
    asacl_status st = arena_create(m, 1, T, with_mask, &a);
    if (st != ASACL_OK) {
        free(full);
        return st;
    }
    st = batch_create(m, 1, T, &bt);
    asacl_batch one = {.B = 1, .T = T, .ids = ids, .segments = segs, .lengths = &length};
    if (st == ASACL_OK) st = batch_upload(m, &bt, &one, T);
    pass_opts clean = {.train = 0, .pass = 0, .asa = 0};
    if (st == ASACL_OK) st = model_forward(m, &a, &bt, &clean);
    if (st == ASACL_OK) st = download_layers(m, &a, 0, H, T, len, full, out->probs);
    if (st == ASACL_OK)
        st = rt_download(m->ctx, a.logits.buf, a.logits.off, (size_t)out->num_labels, out->logits);
    pass_opts adversarial = {.train = 0, .pass = 1, .asa = 1};
    if (st == ASACL_OK && with_mask) st = model_forward(m, &a, &bt, &adversarial);
    if (st == ASACL_OK && with_mask) st = download_layers(m, &a, 1, 1, T, len, full, out->mask);
    batch_destroy(&bt);
    arena_destroy(&a);
    free(full);
    /* asa-spec 8: masked (query, key) pairs among the real ones. */
    for (size_t l = 0; st == ASACL_OK && with_mask && l < L; l++) {
        double kept = 0;
        for (size_t i = 0; i < len * len; i++) kept += out->mask[l * len * len + i];
        out->masked_fraction[l] = 1.0 - kept / (double)(len * len);
    }
    return st;
}

asacl_status asacl_model_attention(asacl_model *am, const int32_t *ids, const int32_t *segments,
                                   size_t length, size_t padded_length, int with_mask,
                                   asacl_attention *out)
{
    if (!am || !ids || !out)
        return rt_fail(ASACL_ERR_INVALID_ARG, "asacl_model_attention: NULL argument");
    memset(out, 0, sizeof *out);
    model *m = &am->m;
    const asacl_model_config *c = &m->cfg;
    size_t T = padded_length ? padded_length : length;
    if (length < 1 || T < length || T > (size_t)c->max_position_embeddings)
        return rt_fail(ASACL_ERR_INVALID_ARG, "asacl_model_attention: %zu tokens padded to %zu "
                       "(the model takes 1 to %d)", length, T, c->max_position_embeddings);
    if (with_mask && !m->layout.adversaries)
        return rt_fail(ASACL_ERR_INVALID_ARG, "asacl_model_attention: the adversary's mask needs "
                       "a model with adversaries (asacl_model_load_adversaries)");
    if (c->num_hidden_layers > ASACL_MAX_LAYERS)
        return rt_fail(ASACL_ERR_INVALID_ARG, "asacl_model_attention: more than %d layers",
                       ASACL_MAX_LAYERS);
    size_t len = length, L = (size_t)c->num_hidden_layers, H = (size_t)c->num_attention_heads;
    out->T = len;
    out->L = L;
    out->H = H;
    out->num_labels = c->num_labels;
    out->probs = malloc(L * H * len * len * sizeof *out->probs);
    out->mask = with_mask ? malloc(L * len * len * sizeof *out->mask) : NULL;
    /* the padded input: [PAD] = pad_token_id, segment 0 */
    int32_t *pid = malloc(T * sizeof *pid), *pseg = calloc(T, sizeof *pseg);
    asacl_status st = ASACL_OK;
    if (!out->probs || (with_mask && !out->mask) || !pid || !pseg)
        st = rt_fail(ASACL_ERR_OUT_OF_MEMORY, "asacl_model_attention: %zu x %zu maps", T, T);
    for (size_t t = 0; st == ASACL_OK && t < T; t++) {
        pid[t] = t < len ? ids[t] : c->pad_token_id;
        if (t < len && segments) pseg[t] = segments[t];
    }
    int plain = m->plain_attention;
    m->plain_attention = 1; /* the path that keeps the probabilities */
    if (st == ASACL_OK) st = run_passes(m, pid, pseg, len, T, with_mask, out);
    m->plain_attention = plain;
    free(pid);
    free(pseg);
    if (st != ASACL_OK) asacl_attention_free(out);
    return st;
}

asacl_status asacl_attention_map(const asacl_attention *a, int layer, int head, float *map)
{
    if (!a || !map || !a->probs)
        return rt_fail(ASACL_ERR_INVALID_ARG, "asacl_attention_map: NULL argument");
    if (layer < 0 || (size_t)layer >= a->L)
        return rt_fail(ASACL_ERR_INVALID_ARG, "layer %d: the model has layers 0 to %zu", layer,
                       a->L - 1);
    if (head >= 0 && (size_t)head >= a->H)
        return rt_fail(ASACL_ERR_INVALID_ARG, "head %d: the model has heads 0 to %zu", head,
                       a->H - 1);
    size_t tt = a->T * a->T;
    const float *p = a->probs + (size_t)layer * a->H * tt;
    if (head >= 0) {
        memcpy(map, p + (size_t)head * tt, tt * sizeof *map);
        return ASACL_OK;
    }
    for (size_t i = 0; i < tt; i++) {
        double s = 0;
        for (size_t h = 0; h < a->H; h++) s += p[h * tt + i];
        map[i] = (float)(s / (double)a->H);
    }
    return ASACL_OK;
}
