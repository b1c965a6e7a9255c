/* attention.h -- one attention layer by either path:
 *   fused  cl/attention.cl: no T x T matrix; the default
 *   plain  per-head batched GEMMs (src/gemm) + cl/softmax.cl; keeps the
 *          [B, H, T, T] probabilities; obviously correct, the reference
 *          the fused path is tested against. */
#ifndef ASACL_MODEL_ATTENTION_H
#define ASACL_MODEL_ATTENTION_H

#include "ops/ops.h"

/* out [B*T, D] from qkv [B*T, 3D]; probs and pdrop [B*H*T*T] are written. */
asacl_status attention_plain_forward(asacl_ctx *ctx, tensor out, tensor probs, tensor pdrop,
                                     tensor qkv, const attn_desc *d);
/* dqkv [B*T, 3D] (overwritten) and dbias (when dbias.n > 0) from dout;
 * ds [B*H*T*T] is scratch. */
asacl_status attention_plain_backward(asacl_ctx *ctx, tensor dqkv, tensor dbias, tensor dout,
                                      tensor probs, tensor pdrop, tensor ds, tensor qkv,
                                      const attn_desc *d);

#endif
