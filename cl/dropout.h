/* dropout.h -- counter-based dropout masks (inlined at build time).
 *
 * Element i of a dropout site keeps its value iff u >= p, where u in [0, 1)
 * comes from Philox4x32-10 (Random123) with
 *     key     = {seed_lo, seed_hi}
 *     counter = {lo32(j / 4), hi32(j / 4), step, site},  j = off + i
 * and u = (word[j % 4] >> 8) * 2^-24. Kept values are scaled by 1 / (1 - p).
 * The mask is a pure function of (seed, step, site, j): backward passes
 * regenerate it instead of storing it, and runs replay exactly. off places
 * a kernel's elements in a longer stream: a micro-batch that starts at
 * example b0 of a step's batch passes off = b0 * (the site's elements per
 * example), so it draws the masks the whole batch would have drawn.
 * rng is passed to kernels as uint4 {seed_lo, seed_hi, step, site} and
 * ulong rng_off.
 */
#ifndef ASACL_DROPOUT_H
#define ASACL_DROPOUT_H

#include "philox.h"

/* The four random words of elements 4g .. 4g + 3. */
inline uint4 dropout_words(uint4 rng, ulong g)
{
    philox4x32_ctr_t c = {{(uint)g, (uint)(g >> 32), rng.z, rng.w}};
    philox4x32_key_t k = {{rng.x, rng.y}};
    philox4x32_ctr_t r = philox4x32_R(philox4x32_rounds, c, k);
    return (uint4)(r.v[0], r.v[1], r.v[2], r.v[3]);
}

/* The four words of stream elements off + 4g .. off + 4g + 3 (kernels that
 * visit their elements in groups of four). */
inline uint4 dropout_words_at(uint4 rng, ulong off, ulong g)
{
    ulong j = 4 * g + off;
    uint s = (uint)(j & 3);
    uint4 a = dropout_words(rng, j >> 2);
    if (s == 0) return a;
    uint4 b = dropout_words(rng, (j >> 2) + 1);
    return s == 1 ? (uint4)(a.y, a.z, a.w, b.x) : s == 2 ? (uint4)(a.z, a.w, b.x, b.y)
                                                      : (uint4)(a.w, b.x, b.y, b.z);
}

/* Keep-or-drop of one word: 0 or 1 / (1 - p). */
inline float dropout_keep(uint w, float p)
{
    return (float)(w >> 8) * (1.0f / 16777216.0f) >= p ? 1.0f / (1.0f - p) : 0.0f;
}

inline uint dropout_word(uint4 words, ulong i)
{
    uint k = (uint)(i & 3);
    return k == 0 ? words.x : k == 1 ? words.y : k == 2 ? words.z : words.w;
}

/* The factor element i is multiplied by: 0 (dropped) or 1 / (1 - p). */
inline float dropout_factor(uint4 rng, float p, ulong i)
{
    if (p <= 0.0f) return 1.0f;
    return dropout_keep(dropout_word(dropout_words(rng, i >> 2), i), p);
}

/* The same for elements visited in increasing order, one Philox call per
 * group of four: *group and *words carry the last group between calls
 * (start with *group = ~0). */
inline float dropout_next(uint4 rng, float p, ulong i, ulong *group, uint4 *words)
{
    if (p <= 0.0f) return 1.0f;
    if ((i >> 2) != *group) {
        *group = i >> 2;
        *words = dropout_words(rng, *group);
    }
    return dropout_keep(dropout_word(*words, i), p);
}

/* The factors of stream elements e .. e + 7 at once (kernels that walk
 * their elements as float8): two Philox calls when e is a multiple of 4. */
static inline float8 dropout_factors8(uint4 rng, float p, ulong e)
{
    if (p <= 0.0f) return (float8)(1.0f);
    uint8 w = (uint8)(dropout_words_at(rng, e, 0), dropout_words_at(rng, e, 1));
    float8 u = convert_float8(w >> 8) * (1.0f / 16777216.0f);
    return select((float8)(0.0f), (float8)(1.0f / (1.0f - p)), u >= (float8)(p));
}

/* The words of the eight Philox groups g .. g + 7 at once, group g + l in
 * lane l (w[k] holds word k of every group): Random123's philox4x32_R with
 * 10 rounds, as vectors, so that a CPU runs eight counters in the time of
 * about two. The same words as dropout_words. */
static inline void dropout_words8(uint4 rng, ulong g, uint8 *w)
{
    uint lo = (uint)g;
    uint8 x0 = (uint8)(lo) + (uint8)(0, 1, 2, 3, 4, 5, 6, 7);
    uint8 x1 = (uint8)((uint)(g >> 32)) + select((uint8)(0), (uint8)(1), x0 < (uint8)(lo));
    uint8 x2 = (uint8)(rng.z), x3 = (uint8)(rng.w);
    uint k0 = rng.x, k1 = rng.y;
    for (int r = 0; r < philox4x32_rounds; r++) {
        if (r > 0) {
            k0 += philox4x32_W0;
            k1 += philox4x32_W1;
        }
        uint8 hi0 = mul_hi((uint8)(philox4x32_M0), x0), lo0 = (uint8)(philox4x32_M0) * x0;
        uint8 hi1 = mul_hi((uint8)(philox4x32_M1), x2), lo1 = (uint8)(philox4x32_M1) * x2;
        x0 = hi1 ^ x1 ^ (uint8)(k0);
        x1 = lo1;
        x2 = hi0 ^ x3 ^ (uint8)(k1);
        x3 = lo0;
    }
    w[0] = x0, w[1] = x1, w[2] = x2, w[3] = x3;
}

/* The factors of stream elements e .. e + 31 for e a multiple of 4 (one
 * dropout_words8), as f[m] = elements e + 8m .. e + 8m + 7. */
static inline void dropout_factors32(uint4 rng, float p, ulong e, float8 *f)
{
    if (p <= 0.0f) {
        f[0] = f[1] = f[2] = f[3] = (float8)(1.0f);
        return;
    }
    uint8 w[4];
    dropout_words8(rng, e >> 2, w);
    float8 keep = (float8)(1.0f / (1.0f - p));
    float8 k[4]; /* k[j] lane l: the factor of element e + 4l + j */
    for (int j = 0; j < 4; j++) {
        float8 u = convert_float8(w[j] >> 8) * (1.0f / 16777216.0f);
        k[j] = select((float8)(0.0f), keep, u >= (float8)(p));
    }
    f[0] = (float8)(k[0].s0, k[1].s0, k[2].s0, k[3].s0, k[0].s1, k[1].s1, k[2].s1, k[3].s1);
    f[1] = (float8)(k[0].s2, k[1].s2, k[2].s2, k[3].s2, k[0].s3, k[1].s3, k[2].s3, k[3].s3);
    f[2] = (float8)(k[0].s4, k[1].s4, k[2].s4, k[3].s4, k[0].s5, k[1].s5, k[2].s5, k[3].s5);
    f[3] = (float8)(k[0].s6, k[1].s6, k[2].s6, k[3].s6, k[0].s7, k[1].s7, k[2].s7, k[3].s7);
}

/* Runs BODY(j, f) for the float8 chunks j = j0, j0 + 8, ... (j + 8 <= j1) of
 * a walk whose element j draws stream element e + j, f the chunk's factors:
 * four chunks from one dropout_factors32 where e + j is a multiple of 4,
 * else dropout_factors8. BODY is the name of a function-like macro. */
#define DROPOUT_WALK8(rng, p, e, j0, j1, BODY)                               \
    {                                                                        \
        ulong e_ = (e);                                                      \
        uint j_ = (j0);                                                      \
        if (((e_ + j_) & 3) == 0)                                            \
            for (; j_ + 32 <= (j1); j_ += 32) {                              \
                float8 f_[4];                                                \
                dropout_factors32((rng), (p), e_ + j_, f_);                  \
                for (uint m_ = 0; m_ < 4; m_++) BODY(j_ + 8 * m_, f_[m_])    \
            }                                                                \
        for (; j_ + 8 <= (j1); j_ += 8) BODY(j_, dropout_factors8((rng), (p), e_ + j_)) \
    }

#endif
