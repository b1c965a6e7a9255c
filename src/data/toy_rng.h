/* toy_rng.h -- the deterministic generator of the built-in tasks
 * (splitmix64, base/files.c), so every split replays from its seed. */
#ifndef ASACL_DATA_TOY_RNG_H
#define ASACL_DATA_TOY_RNG_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "base/base.h"

static inline uint64_t toy_next(uint64_t *s) { return rt_splitmix64(s); }

/* Uniform in [0, n). */
static inline size_t toy_pick(uint64_t *s, size_t n) { return (size_t)(toy_next(s) % n); }
/* 1 with probability p. */
static inline int toy_chance(uint64_t *s, double p)
{
    return (double)(toy_next(s) >> 11) / 9007199254740992.0 < p;
}

/* The generator state of a built-in task's split: split "train", "dev" or
 * "dev-shift" (streams 1, 2, 3, offset by the task's own `base` so tasks of
 * one seed draw apart), n examples in [1, 10^7]. `what` names the task in
 * errors ("built-in NER task"). */
static inline asacl_status toy_split_state(const char *what, const char *split, size_t n,
                                           uint64_t seed, uint64_t base, uint64_t *state)
{
    uint64_t stream;
    if (!strcmp(split, "train")) stream = 1;
    else if (!strcmp(split, "dev")) stream = 2;
    else if (!strcmp(split, "dev-shift")) stream = 3;
    else
        return rt_fail(ASACL_ERR_INVALID_ARG, "%s: unknown split '%s' (train, dev, dev-shift)",
                       what, split);
    if (n == 0 || n > 10000000) return rt_fail(ASACL_ERR_INVALID_ARG, "%s: %zu examples", what, n);
    *state = seed * 0x100000001b3ull + (base + stream) * 0x9e3779b97f4a7c15ull;
    return ASACL_OK;
}

#endif
