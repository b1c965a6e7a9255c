/* toy_rng.h -- the deterministic generator of the built-in toy tasks
 * (splitmix64), so every split replays from its seed. builtin.c carries its
 * own copy of the same three functions (to be folded into this header). */
#ifndef ASACL_DATA_TOY_RNG_H
#define ASACL_DATA_TOY_RNG_H

#include <stddef.h>
#include <stdint.h>

static inline uint64_t toy_next(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* Uniform in [0, n). */
static inline size_t toy_pick(uint64_t *s, size_t n) { return (size_t)(toy_next(s) % n); }
/* 1 with probability p. */
static inline int toy_chance(uint64_t *s, double p)
{
    return (double)(toy_next(s) >> 11) / 9007199254740992.0 < p;
}

#endif
