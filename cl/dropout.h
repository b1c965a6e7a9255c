/* dropout.h -- counter-based dropout masks (inlined at build time).
 *
 * Element i of a dropout site keeps its value iff u >= p, where u in [0, 1)
 * comes from Philox4x32-10 (Random123) with
 *     key     = {seed_lo, seed_hi}
 *     counter = {lo32(i / 4), hi32(i / 4), step, site}
 * and u = (word[i % 4] >> 8) * 2^-24. Kept values are scaled by 1 / (1 - p).
 * The mask is a pure function of (seed, step, site, i): backward passes
 * regenerate it instead of storing it, and runs replay exactly.
 * rng is passed to kernels as uint4 {seed_lo, seed_hi, step, site}.
 */
#ifndef ASACL_DROPOUT_H
#define ASACL_DROPOUT_H

#include "philox.h"

/* The uniform draw of element i. */
inline float dropout_uniform(uint4 rng, ulong i)
{
    ulong g = i >> 2;
    philox4x32_ctr_t c = {{(uint)g, (uint)(g >> 32), rng.z, rng.w}};
    philox4x32_key_t k = {{rng.x, rng.y}};
    philox4x32_ctr_t r = philox4x32_R(philox4x32_rounds, c, k);
    uint w = r.v[i & 3];
    return (float)(w >> 8) * (1.0f / 16777216.0f);
}

/* The factor element i is multiplied by: 0 (dropped) or 1 / (1 - p). */
inline float dropout_factor(uint4 rng, float p, ulong i)
{
    if (p <= 0.0f) return 1.0f;
    return dropout_uniform(rng, i) >= p ? 1.0f / (1.0f - p) : 0.0f;
}

#endif
