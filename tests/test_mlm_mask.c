/* test_mlm_mask.c -- BERT's masking (src/data/mlm_mask.c): the count per
 * sequence against Python's max(1, round(0.15 n)) (values printed by
 * python3, half to even: 4.5 -> 4, 7.5 -> 8); specials and padding never
 * chosen; the replacements as documented; determinism in (seed, step,
 * sequence index) and a batch split in two giving the same masks; and the
 * statistics over many draws against the binomial (|count - N p| within
 * 5 sd = 5 sqrt(N p (1 - p)): a false alarm about once in 1.7 million). */
#include <stdint.h>

#include "data/mlm_mask.h"
#include "test_util.h"

enum { PAD = 0, UNK = 1, CLS = 2, SEP = 3, MASK = 4, V = 100 };

static mlm_mask_opts opts(uint64_t seed)
{
    mlm_mask_opts o = {.prob = 0.15, .mask_frac = 0.8, .random_frac = 0.1, .mask_id = MASK,
                       .cls_id = CLS, .sep_id = SEP, .pad_id = PAD, .vocab_size = V, .seed = seed};
    return o;
}

/* B sequences of T: [CLS] n real ids [SEP] [PAD]...; real ids in 1..V-1
 * except CLS/SEP (so [UNK] and [MASK] occur as real tokens too). */
static void make_ids(int32_t *ids, size_t B, size_t T, const size_t *n, uint64_t s)
{
    for (size_t b = 0; b < B; b++) {
        int32_t *r = ids + b * T;
        for (size_t t = 0; t < T; t++) r[t] = PAD;
        r[0] = CLS;
        for (size_t t = 0; t < n[b]; t++) {
            s = s * 6364136223846793005ull + 1442695040888963407ull;
            int32_t x = (int32_t)(1 + (s >> 33) % (V - 1));
            if (x == CLS || x == SEP) x = UNK + (x == SEP) * 3; /* UNK or MASK */
            r[1 + t] = x;
        }
        r[1 + n[b]] = SEP;
    }
}

static int within(double k, double N, double p) { return fabs(k - N * p) <= 5 * sqrt(N * p * (1 - p)) + 1e-9; }

static void test_count(void)
{
    static const size_t n[] = {0, 1, 2, 3, 4, 5, 6, 7, 10, 16, 17, 30, 50, 100, 126};
    static const size_t k[] = {0, 1, 1, 1, 1, 1, 1, 1, 2, 2, 3, 4, 8, 15, 19};
    for (size_t i = 0; i < sizeof n / sizeof *n; i++)
        CHECK(mlm_mask_count(0.15, n[i]) == k[i], "count for %zu real tokens: %zu, want %zu", n[i],
              mlm_mask_count(0.15, n[i]), k[i]);
}

static void test_rules_and_determinism(void)
{
    enum { B = 6, T = 40 };
    static const size_t n[B] = {38, 0, 5, 17, 30, 1};
    int32_t ids[B * T], m1[B * T], m2[B * T], pos[B * T], pos2[B * T], tg[B * T], tg2[B * T];
    uint8_t kind[B * T];
    make_ids(ids, B, T, n, 5);
    mlm_mask_opts o = opts(1234);
    size_t M, M2;
    REQUIRE_OK(mlm_mask_batch(&o, ids, B, T, 7, 0, m1, pos, tg, kind, &M));
    CHECK(M == mlm_mask_capacity(&o, ids, B, T), "M %zu, capacity %zu", M, mlm_mask_capacity(&o, ids, B, T));
    size_t want = 0;
    for (size_t b = 0; b < B; b++) want += mlm_mask_count(0.15, n[b]);
    CHECK(M == want, "M %zu, want %zu", M, want);
    CHECK(M <= mlm_mask_max(0.15, B, T) && mlm_mask_max(0.15, B, T) == B * 6,
          "the bound %zu (want %d * round(0.15 * %d) = %d) below M %zu", mlm_mask_max(0.15, B, T),
          B, T, B * 6, M);
    size_t per[B] = {0};
    for (size_t i = 0; i < M; i++) {
        int32_t p = pos[i];
        CHECK(p >= 0 && p < B * T, "position %d outside the batch", p);
        if (p < 0 || p >= B * T) continue;
        CHECK(i == 0 || pos[i - 1] < p, "positions not increasing at %zu", i);
        CHECK(ids[p] != CLS && ids[p] != SEP && ids[p] != PAD, "special id %d chosen at %d", ids[p], p);
        CHECK(tg[i] == ids[p], "target %d, original %d", tg[i], ids[p]);
        if (kind[i] == 0) CHECK(m1[p] == MASK, "kind [MASK] but %d", m1[p]);
        if (kind[i] == 1) CHECK(m1[p] >= 0 && m1[p] < V, "random id %d outside the vocabulary", m1[p]);
        if (kind[i] == 2) CHECK(m1[p] == ids[p], "kind unchanged but %d != %d", m1[p], ids[p]);
        per[p / T]++;
    }
    for (size_t b = 0; b < B; b++)
        CHECK(per[b] == mlm_mask_count(0.15, n[b]), "sequence %zu: %zu chosen", b, per[b]);
    /* nothing else changes */
    size_t changed = 0, j = 0;
    for (size_t p = 0; p < B * T; p++) {
        int chosen = j < M && pos[j] == (int32_t)p;
        if (chosen) j++;
        else changed += m1[p] != ids[p];
    }
    CHECK(changed == 0, "%zu ids changed outside the chosen positions", changed);
    /* the same again; without the kind output too */
    REQUIRE_OK(mlm_mask_batch(&o, ids, B, T, 7, 0, m2, pos2, tg2, NULL, &M2));
    CHECK(M2 == M && !memcmp(m1, m2, sizeof m1) && !memcmp(pos, pos2, M * sizeof *pos) &&
              !memcmp(tg, tg2, M * sizeof *tg),
          "the same (seed, step) gives other masks");
    /* another step, another seed: other masks */
    REQUIRE_OK(mlm_mask_batch(&o, ids, B, T, 8, 0, m2, pos2, tg2, NULL, &M2));
    CHECK(memcmp(pos, pos2, M * sizeof *pos) || memcmp(m1, m2, sizeof m1), "step 8 masks as step 7");
    mlm_mask_opts o2 = opts(1235);
    REQUIRE_OK(mlm_mask_batch(&o2, ids, B, T, 7, 0, m2, pos2, tg2, NULL, &M2));
    CHECK(memcmp(pos, pos2, M * sizeof *pos) || memcmp(m1, m2, sizeof m1), "seed 1235 masks as 1234");
    /* the batch split in two (first_seq 0 and 3) gives the same masks */
    size_t Ma, Mb;
    REQUIRE_OK(mlm_mask_batch(&o, ids, 3, T, 7, 0, m2, pos2, tg2, NULL, &Ma));
    REQUIRE_OK(mlm_mask_batch(&o, ids + 3 * T, 3, T, 7, 3, m2 + 3 * T, pos2 + Ma, tg2 + Ma, NULL, &Mb));
    for (size_t i = Ma; i < Ma + Mb; i++) pos2[i] += 3 * T;
    CHECK(Ma + Mb == M && !memcmp(m1, m2, sizeof m1) && !memcmp(pos, pos2, M * sizeof *pos),
          "a batch split over two ranks masks differently");
    /* bad options */
    o2.prob = 0;
    CHECK(mlm_mask_batch(&o2, ids, B, T, 7, 0, m2, pos2, tg2, NULL, &M2) == ASACL_ERR_INVALID_ARG,
          "probability 0 accepted");
    o2 = opts(1);
    o2.mask_frac = 0.95;
    CHECK(mlm_mask_batch(&o2, ids, B, T, 7, 0, m2, pos2, tg2, NULL, &M2) == ASACL_ERR_INVALID_ARG,
          "[MASK] + random > 1 accepted");
}

/* Over many draws: the replacement kinds, the random ids and each position's
 * chance k/n. */
static void test_statistics(void)
{
    enum { B = 16, T = 64, STEPS = 400 };
    size_t n[B];
    for (size_t b = 0; b < B; b++) n[b] = b == 0 ? 40 : 10 + (b * 7) % 52; /* sequence 0: 40 */
    static int32_t ids[B * T], m[B * T], pos[B * T], tg[B * T];
    static uint8_t kind[B * T];
    make_ids(ids, B, T, n, 99);
    mlm_mask_opts o = opts(42);
    size_t kinds[3] = {0}, total = 0, rand_hits[V] = {0}, at[T] = {0}, same_random = 0;
    for (uint32_t s = 0; s < STEPS; s++) {
        size_t M;
        REQUIRE_OK(mlm_mask_batch(&o, ids, B, T, s, 0, m, pos, tg, kind, &M));
        total += M;
        for (size_t i = 0; i < M; i++) {
            kinds[kind[i]]++;
            if (kind[i] == 1) {
                rand_hits[m[pos[i]]]++;
                same_random += m[pos[i]] == tg[i];
            }
            if (pos[i] < T) at[pos[i]]++;
        }
    }
    CHECK(within((double)kinds[0], (double)total, 0.8), "[MASK] %zu of %zu", kinds[0], total);
    CHECK(within((double)kinds[1], (double)total, 0.1), "random %zu of %zu", kinds[1], total);
    CHECK(within((double)kinds[2], (double)total, 0.1), "unchanged %zu of %zu", kinds[2], total);
    /* the random ids: every id of the vocabulary equally likely */
    size_t bad = 0;
    for (int v = 0; v < V; v++) bad += !within((double)rand_hits[v], (double)kinds[1], 1.0 / V);
    CHECK(bad == 0, "%zu ids of the vocabulary off their share among %zu random draws", bad, kinds[1]);
    CHECK(within((double)same_random, (double)kinds[1], 1.0 / V), "random equal to the original %zu", same_random);
    /* sequence 0 (40 real tokens at t = 1..40, k = 6): each chosen with chance 6/40 */
    size_t k0 = mlm_mask_count(0.15, 40);
    bad = 0;
    for (size_t t = 0; t < T; t++) {
        int real = t >= 1 && t <= 40;
        if (!real) bad += at[t] != 0;
        else bad += !within((double)at[t], STEPS, (double)k0 / 40);
    }
    CHECK(bad == 0, "%zu positions of sequence 0 off their chance %zu/40 over %d draws", bad, k0, STEPS);
    printf("  %zu chosen over %d steps: [MASK] %.4f random %.4f unchanged %.4f\n", total, STEPS,
           (double)kinds[0] / total, (double)kinds[1] / total, (double)kinds[2] / total);
}

int main(void)
{
    test_count();
    test_rules_and_determinism();
    test_statistics();
    return test_finish("test_mlm_mask");
}
