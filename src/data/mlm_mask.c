/* mlm_mask.c -- BERT's 15% / 80-10-10 masking on Philox (see mlm_mask.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <Random123/philox.h>

#include "base/base.h"
#include "data/mlm_mask.h"

asacl_status mlm_mask_defaults(const wp_tokenizer *tok, uint64_t seed, mlm_mask_opts *o)
{
    memset(o, 0, sizeof *o);
    o->prob = 0.15;
    o->mask_frac = 0.8;
    o->random_frac = 0.1;
    o->mask_id = wp_id(tok, "[MASK]");
    o->cls_id = wp_id(tok, "[CLS]");
    o->sep_id = wp_id(tok, "[SEP]");
    o->pad_id = wp_id(tok, "[PAD]");
    o->vocab_size = (int32_t)wp_vocab_size(tok);
    o->seed = seed;
    if (o->mask_id < 0)
        return rt_fail(ASACL_ERR_INVALID_ARG,
                       "masked-language modelling needs a [MASK] token; the vocabulary has none");
    return ASACL_OK;
}

static int is_real(const mlm_mask_opts *o, int32_t id)
{
    return id != o->cls_id && id != o->sep_id && id != o->pad_id;
}

size_t mlm_mask_count(double prob, size_t n)
{
    if (n == 0) return 0;
    double k = nearbyint(prob * (double)n); /* round half to even (the default mode) */
    if (k < 1.0) k = 1.0;
    return k > (double)n ? n : (size_t)k;
}

size_t mlm_mask_max(double prob, size_t B, size_t T) { return B * mlm_mask_count(prob, T); }

size_t mlm_mask_capacity(const mlm_mask_opts *o, const int32_t *ids, size_t B, size_t T)
{
    size_t total = 0;
    for (size_t b = 0; b < B; b++) {
        size_t n = 0;
        for (size_t t = 0; t < T; t++) n += (size_t)is_real(o, ids[b * T + t]);
        total += mlm_mask_count(o->prob, n);
    }
    return total;
}

static uint32_t below(uint32_t w, size_t m) { return (uint32_t)(((uint64_t)w * m) >> 32); }

static double unit(uint32_t w) { return (double)w * (1.0 / 4294967296.0); }

static int by_position(const void *a, const void *b)
{
    const int32_t *x = a, *y = b;
    return (x[0] > y[0]) - (x[0] < y[0]);
}

asacl_status mlm_mask_batch(const mlm_mask_opts *o, const int32_t *ids, size_t B, size_t T,
                            uint32_t step, uint64_t first_seq, int32_t *masked,
                            int32_t *positions, int32_t *targets, uint8_t *kind, size_t *M)
{
    *M = 0;
    if (!(o->prob > 0.0 && o->prob <= 1.0) || !(o->mask_frac >= 0.0) || !(o->random_frac >= 0.0) ||
        o->mask_frac + o->random_frac > 1.0 || o->vocab_size <= 0 || o->mask_id < 0 ||
        o->mask_id >= o->vocab_size)
        return rt_fail(ASACL_ERR_INVALID_ARG,
                       "masking: probability %g, [MASK] %g, random %g, [MASK] id %d of %d",
                       o->prob, o->mask_frac, o->random_frac, (int)o->mask_id, (int)o->vocab_size);
    if (B * T > (size_t)INT32_MAX)
        return rt_fail(ASACL_ERR_INVALID_ARG, "masking: %zu x %zu tokens exceed 32-bit positions",
                       B, T);
    /* cand: the real positions of a sequence, shuffled in place; pick: the
     * chosen (position, kind, random id) triples, sorted by position */
    int32_t *cand = malloc((T ? T : 1) * sizeof *cand), *pick = malloc((T ? T : 1) * 3 * sizeof *pick);
    if (!cand || !pick) {
        free(cand);
        free(pick);
        return rt_fail(ASACL_ERR_OUT_OF_MEMORY, "masking a batch of %zu x %zu", B, T);
    }
    memcpy(masked, ids, B * T * sizeof *masked);
    size_t m = 0;
    philox4x32_key_t key = {{(uint32_t)o->seed, (uint32_t)(o->seed >> 32)}};
    for (size_t b = 0; b < B; b++) {
        size_t n = 0;
        for (size_t t = 0; t < T; t++)
            if (is_real(o, ids[b * T + t])) cand[n++] = (int32_t)t;
        size_t k = mlm_mask_count(o->prob, n);
        uint64_t seq = first_seq + b;
        for (size_t i = 0; i < k; i++) {
            philox4x32_ctr_t c = {{(uint32_t)i, (uint32_t)seq, step, MLM_MASK_SITE}};
            philox4x32_ctr_t r = philox4x32(c, key);
            size_t j = i + below(r.v[0], n - i);
            int32_t x = cand[i];
            cand[i] = cand[j];
            cand[j] = x;
            double u = unit(r.v[1]);
            pick[3 * i] = cand[i];
            pick[3 * i + 1] = u < o->mask_frac ? 0 : u < o->mask_frac + o->random_frac ? 1 : 2;
            pick[3 * i + 2] = (int32_t)below(r.v[2], (size_t)o->vocab_size);
        }
        qsort(pick, k, 3 * sizeof *pick, by_position);
        for (size_t i = 0; i < k; i++, m++) {
            size_t at = b * T + (size_t)pick[3 * i];
            positions[m] = (int32_t)at;
            targets[m] = ids[at];
            if (kind) kind[m] = (uint8_t)pick[3 * i + 1];
            if (pick[3 * i + 1] == 0) masked[at] = o->mask_id;
            else if (pick[3 * i + 1] == 1) masked[at] = pick[3 * i + 2];
        }
    }
    free(cand);
    free(pick);
    *M = m;
    return ASACL_OK;
}
