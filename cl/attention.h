/* attention.h -- what the attention kernels share (inlined at build time).
 *
 * Layout: qkv [B*T, 3D], row n = b*T + t holds [q | k | v], head h at
 * columns h*HEAD_DIM of each part; the context is [B*T, D] likewise.
 * The bias G is read as bias[b*sb + i*si + j]: a padding vector [B, T]
 * (si = 0) in the clean pass, a mask bias [B, T, T] shared by all heads in
 * the adversarial one. Scores S = q.k / sqrt(d) become (asa-spec 3, 7)
 *   replace:   S' = S * [G >= 0] + G     (a masked score is exactly G)
 *   additive:  S' = S + G
 * Attention dropout acts on the probabilities; element ((b*H + h)*T + i)*T + j
 * of the dropout stream belongs to P[b, h, i, j].
 */
#ifndef ASACL_ATTENTION_H
#define ASACL_ATTENTION_H

#include "dropout.h"

inline float attention_bias(float s, float g, int additive)
{
    return additive ? s + g : (g >= 0.0f ? s : 0.0f) + g;
}

/* dS from dS': the replace semantics pass no gradient to masked scores. */
inline float attention_bias_grad(float ds, float g, int additive)
{
    return additive || g >= 0.0f ? ds : 0.0f;
}

/* The same for eight scores at once. */
static inline float8 attention_bias8(float8 s, float8 g, int additive)
{
    return additive ? s + g : select((float8)(0.0f), s, g >= (float8)(0.0f)) + g;
}

static inline float8 attention_bias_grad8(float8 ds, float8 g, int additive)
{
    return additive ? ds : select((float8)(0.0f), ds, g >= (float8)(0.0f));
}

#endif
