/* embedding.cl -- BERT embeddings: word[id] + position[t] + token_type[seg].
 * The backward is a deterministic scatter-add: every output element is a
 * sum in a fixed order by one work-item, with no atomics. */
#include "common.h"

/* out[n, c] = word[ids[n], c] + pos[p, c] + type[segs[n], c], with the
 * position p = posids[n] when explicit (RoBERTa), else n % T (BERT).
 * ids/segs/posids: int [N]; word/pos/type: offsets into params; global (D, N). */
__kernel void embedding_forward(__global float *out, ulong out_off, __global const int *ids,
                                ulong ids_off, __global const int *segs, ulong segs_off,
                                __global const int *posids, ulong posids_off, uint explicit_pos,
                                __global const float *params, ulong word_off, ulong pos_off,
                                ulong type_off, uint N, uint T, uint D)
{
    uint c = get_global_id(0), n = get_global_id(1);
    if (c >= D || n >= N) return;
    int id = ids[ids_off + n], seg = segs[segs_off + n];
    ulong p = explicit_pos ? (ulong)posids[posids_off + n] : (ulong)(n % T);
    out[out_off + (ulong)n * D + c] = params[word_off + (ulong)id * D + c] +
                                      params[pos_off + p * D + c] +
                                      params[type_off + (ulong)seg * D + c];
}

/* Word rows (and RoBERTa's position rows, grouped by position id): the host groups token positions by id (order[], with group u
 * spanning order[starts[u] .. starts[u+1]) for id uniq[u]); padding tokens
 * are left out. grad[uniq[u], c] += sum over the group of dx[pos, c].
 * global (D, n_uniq). */
__kernel void embedding_backward_word(__global float *grad, ulong word_off,
                                      __global const float *dx, ulong dx_off,
                                      __global const int *order, ulong order_off,
                                      __global const int *starts, ulong starts_off,
                                      __global const int *uniq, ulong uniq_off, uint n_uniq,
                                      uint D)
{
    uint c = get_global_id(0), u = get_global_id(1);
    if (c >= D || u >= n_uniq) return;
    int b = starts[starts_off + u], e = starts[starts_off + u + 1];
    float s = 0.0f;
    for (int k = b; k < e; k++) s += dx[dx_off + (ulong)order[order_off + k] * D + c];
    grad[word_off + (ulong)uniq[uniq_off + u] * D + c] += s;
}

/* Position rows: grad[t, c] += sum_b dx[b*T + t, c]. global (D, T). */
__kernel void embedding_backward_position(__global float *grad, ulong pos_off,
                                          __global const float *dx, ulong dx_off, uint B,
                                          uint T, uint D)
{
    uint c = get_global_id(0), t = get_global_id(1);
    if (c >= D || t >= T) return;
    float s = 0.0f;
    for (uint b = 0; b < B; b++) s += dx[dx_off + ((ulong)b * T + t) * D + c];
    grad[pos_off + (ulong)t * D + c] += s;
}

/* Token-type rows, first stage (reduce_columns adds the chunks): the sum
 * over tokens n of chunk k with segs[n] == t of dx[n, c] goes to
 * partial[(k * n_types + t) * D + c]; global (D, S). */
__kernel void embedding_backward_type(__global float *partial, ulong partial_off,
                                      __global const float *dx, ulong dx_off,
                                      __global const int *segs, ulong segs_off, uint N,
                                      uint n_types, uint D, uint chunk)
{
    uint c = get_global_id(0), k = get_global_id(1);
    if (c >= D) return;
    uint end = min(N, (k + 1) * chunk);
    for (uint t = 0; t < n_types; t++) {
        float s = 0.0f;
        for (uint n = k * chunk; n < end; n++)
            if (segs[segs_off + n] == (int)t) s += dx[dx_off + (ulong)n * D + c];
        partial[partial_off + ((ulong)k * n_types + t) * D + c] = s;
    }
}
