/* embedding.c -- host side of cl/embedding.cl, and the host grouping of a
 * batch's token ids that makes the word-embedding backward deterministic. */
#include <string.h>

#include "ops.h"

asacl_status op_embedding_forward(asacl_ctx *ctx, tensor out, tensor ids, tensor segs,
                                  tensor posids, tensor word, tensor pos, tensor type, size_t N,
                                  size_t T, size_t D)
{
    if (word.buf != pos.buf || word.buf != type.buf)
        return rt_fail(ASACL_ERR_INVALID_ARG, "embedding: tables must share one buffer");
    TRY(op_check_u32("embedding", N * D));
    rt_args a;
    TRY(rt_begin(ctx, &a, RTK_embedding_forward));
    op_arg(&a, out);
    op_arg(&a, ids);
    op_arg(&a, segs);
    op_arg(&a, posids.n ? posids : ids); /* ids: a stand-in, not read */
    rt_arg_u32(&a, posids.n ? 1u : 0u);
    op_arg(&a, word);
    rt_arg_u64(&a, pos.off);
    rt_arg_u64(&a, type.off);
    rt_arg_u32(&a, (cl_uint)N);
    rt_arg_u32(&a, (cl_uint)T);
    rt_arg_u32(&a, (cl_uint)D);
    size_t g[2] = {D, N};
    return rt_run(ctx, &a, 2, g, NULL);
}

size_t embedding_group(const int *ids, size_t N, int pad_id, int *order, int *starts, int *uniq,
                       int *count, size_t vocab)
{
    /* Counting sort by id: stable, so each group lists its positions in
     * increasing order. */
    memset(count, 0, (vocab + 1) * sizeof *count);
    for (size_t n = 0; n < N; n++)
        if (ids[n] != pad_id) count[ids[n] + 1]++;
    size_t u = 0;
    int pos = 0;
    for (size_t id = 0; id < vocab; id++) {
        if (count[id + 1] == 0) continue;
        uniq[u] = (int)id;
        starts[u] = pos;
        int c = count[id + 1];
        count[id + 1] = pos; /* becomes the write cursor */
        pos += c;
        u++;
    }
    starts[u] = pos;
    for (size_t n = 0; n < N; n++)
        if (ids[n] != pad_id) order[count[ids[n] + 1]++] = (int)n;
    return u;
}

/* table[uniq[u]] += the sum of dx over group u (word rows, or position rows). */
static asacl_status scatter_groups(asacl_ctx *ctx, tensor table, tensor dx,
                                   const embedding_groups *g, size_t D)
{
    if (g->n_uniq == 0) return ASACL_OK;
    rt_args a;
    TRY(rt_begin(ctx, &a, RTK_embedding_backward_word));
    op_arg(&a, table);
    op_arg(&a, dx);
    op_arg(&a, g->order);
    op_arg(&a, g->starts);
    op_arg(&a, g->uniq);
    rt_arg_u32(&a, (cl_uint)g->n_uniq);
    rt_arg_u32(&a, (cl_uint)D);
    size_t gw[2] = {D, g->n_uniq};
    return rt_run(ctx, &a, 2, gw, NULL);
}

asacl_status op_embedding_backward(asacl_ctx *ctx, tensor dword, tensor dpos, tensor dtype,
                                   tensor dx, tensor segs, const embedding_groups *g,
                                   const embedding_groups *pos_groups, size_t B, size_t T,
                                   size_t D, size_t n_types)
{
    if (dword.buf != dpos.buf || dword.buf != dtype.buf)
        return rt_fail(ASACL_ERR_INVALID_ARG, "embedding: gradients must share one buffer");
    TRY(op_check_u32("embedding", B * T * D));
    rt_args a;
    TRY(scatter_groups(ctx, dword, dx, g, D));
    if (pos_groups) {
        TRY(scatter_groups(ctx, dpos, dx, pos_groups, D));
    } else {
        TRY(rt_begin(ctx, &a, RTK_embedding_backward_position));
        op_arg(&a, dpos);
        op_arg(&a, dx);
        rt_arg_u32(&a, (cl_uint)B);
        rt_arg_u32(&a, (cl_uint)T);
        rt_arg_u32(&a, (cl_uint)D);
        size_t gp[2] = {D, T};
        TRY(rt_run(ctx, &a, 2, gp, NULL));
    }
    size_t S, chunk, width = n_types * D;
    op_column_chunks(B * T, &S, &chunk);
    cl_mem scratch;
    TRY(rt_scratch(ctx, S * width, &scratch));
    tensor partial = {scratch, 0, S * width};
    TRY(rt_begin(ctx, &a, RTK_embedding_backward_type));
    op_arg(&a, partial);
    op_arg(&a, dx);
    op_arg(&a, segs);
    rt_arg_u32(&a, (cl_uint)(B * T));
    rt_arg_u32(&a, (cl_uint)n_types);
    rt_arg_u32(&a, (cl_uint)D);
    rt_arg_u32(&a, (cl_uint)chunk);
    size_t gt[2] = {D, S};
    TRY(rt_run(ctx, &a, 2, gt, NULL));
    return op_reduce_columns(ctx, dtype, partial, width, width, S);
}
