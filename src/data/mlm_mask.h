/* mlm_mask.h -- BERT's masking for masked-language-model training
 * (asa-spec 11), on the host, once per step: both passes of an ASA step use
 * its output, so they see the same masked input.
 *
 * Per sequence b of the batch, with n real tokens (every id that is not
 * [CLS], [SEP] or [PAD]; a [MASK] or [UNK] written in the text is a real
 * token):
 *   - k = max(1, round(prob * n)) positions are chosen (k = 0 when n = 0),
 *     round half to even as Python's round(); this is Google BERT's
 *     create_pretraining_data (num_to_predict, without its per-sequence cap).
 *     Hugging Face's DataCollatorForLanguageModeling instead chooses each
 *     token with probability prob, so k is binomial and can be 0; we take the
 *     fixed count because a sequence then always contributes to the loss and
 *     the number of predictions per batch varies little;
 *   - the k positions are a uniform random k-subset of the real tokens
 *     (a partial Fisher-Yates shuffle), listed in increasing order;
 *   - each chosen token independently becomes [MASK] with probability
 *     mask_frac (0.8), a random id uniform over the whole vocabulary with
 *     probability random_frac (0.1; specials included, as both Google's and
 *     Hugging Face's code draw), or stays as it is.
 * Randomness: Philox4x32-10 (Random123, the generator of cl/dropout.h) with
 * key {seed_lo, seed_hi} and counter {draw i, sequence index, step,
 * MLM_MASK_SITE}; draw i gives four words: w0 picks the i-th position of the
 * shuffle, w1 the replacement kind, w2 the random id (an integer below m
 * from a word w is (w * m) >> 32). The sequence index is first_seq + b,
 * so a batch split over ranks (first_seq = the rank's first row) gets the
 * masks of the whole batch. The result is a pure function of (seed, step,
 * sequence index, ids): a run replays exactly. */
#ifndef ASACL_DATA_MLM_MASK_H
#define ASACL_DATA_MLM_MASK_H

#include <stddef.h>
#include <stdint.h>

#include "asacl.h"
#include "data/tokenizer.h"

/* The Philox counter word of the masking stream: its low byte 0x4d is no
 * dropout kind (model_rng's site words end in a kind <= 5), so the stream
 * never meets a dropout stream. */
#define MLM_MASK_SITE 0xffffff4du

typedef struct mlm_mask_opts {
    double prob;        /* share of real tokens chosen: 0.15 */
    double mask_frac;   /* of those, replaced by [MASK]: 0.8 */
    double random_frac; /* of those, replaced by a random id: 0.1 */
    int32_t mask_id, cls_id, sep_id, pad_id;
    int32_t vocab_size;
    uint64_t seed;
} mlm_mask_opts;

/* BERT's defaults with the special ids of a vocabulary (ASACL_ERR_INVALID_ARG
 * when it has no [MASK]). */
asacl_status mlm_mask_defaults(const wp_tokenizer *tok, uint64_t seed, mlm_mask_opts *o);

/* Masks a batch of ids [B, T] for training step `step`:
 *   masked  [B*T]  the model's input (the ids with the replacements);
 *   positions [*M] the chosen flat indices b*T + t, increasing;
 *   targets  [*M]  the original ids there (the labels of the loss).
 * positions and targets need room for mlm_mask_capacity(o, ids, B, T)
 * entries (B*T always suffices). kind (optional, [*M]): 0 [MASK], 1 random,
 * 2 unchanged. */
asacl_status mlm_mask_batch(const mlm_mask_opts *o, const int32_t *ids, size_t B, size_t T,
                            uint32_t step, uint64_t first_seq, int32_t *masked,
                            int32_t *positions, int32_t *targets, uint8_t *kind, size_t *M);

/* The number of positions mlm_mask_batch chooses for these ids (the count is
 * a function of the real tokens only). */
size_t mlm_mask_capacity(const mlm_mask_opts *o, const int32_t *ids, size_t B, size_t T);
/* k for n real tokens. */
size_t mlm_mask_count(double prob, size_t n);
/* The most positions a batch of B x T can get: B * mlm_mask_count(prob, T)
 * (k grows with n); the size to allocate the head's [M, ...] tensors for. */
size_t mlm_mask_max(double prob, size_t B, size_t T);

#endif /* ASACL_DATA_MLM_MASK_H */
