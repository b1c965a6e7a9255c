/* toy_rng.h -- the deterministic generator of the built-in tasks
 * (splitmix64, base/files.c), so every split replays from its seed. */
#ifndef ASACL_DATA_TOY_RNG_H
#define ASACL_DATA_TOY_RNG_H

#include <stddef.h>
#include <stdint.h>

#include "base/base.h"

static inline uint64_t toy_next(uint64_t *s) { return rt_splitmix64(s); }

/* Uniform in [0, n). */
static inline size_t toy_pick(uint64_t *s, size_t n) { return (size_t)(toy_next(s) % n); }
/* 1 with probability p. */
static inline int toy_chance(uint64_t *s, double p)
{
    return (double)(toy_next(s) >> 11) / 9007199254740992.0 < p;
}

#endif
