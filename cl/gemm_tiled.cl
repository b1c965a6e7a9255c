/* gemm_tiled.cl -- a GPU-style GEMM family (host side: src/gemm/gemm_tiled.c).
 *
 * Row-major C[M,N] = alpha * op(A)[M,K] * op(B)[K,N] + beta * C, one kernel
 * per transpose case (gemm_tiled_nn, _nt, _tn, _tt), each batched in two
 * levels over dimension 2 of the launch as the own kernels (cl/gemm.cl):
 * entry z is matrix (z / inner, z % inner), at (z / inner) * stride +
 * (z % inner) * inner stride of each operand.
 *
 * The classic GPU design:
 *   - a work-group of NDIMC x MDIMC work-items computes an MWG x NWG tile
 *     of C (dimension 0 of the group runs along N, the contiguous direction
 *     of C, so neighbouring work-items store neighbouring columns);
 *   - K is walked in steps of KWG: the group copies the MWG x KWG panel of
 *     op(A) and the KWG x NWG panel of op(B) into local memory, each stored
 *     k-major (al[k][m], bl[k][n]) with PAD extra floats per row against
 *     bank conflicts, zero outside M, N and K; a barrier; then every
 *     work-item runs the KWG steps over its MWI x NWI register block
 *     (MWI = MWG / MDIMC, NWI = NWG / NDIMC), reading MWI floats of al and
 *     NWI of bl per k; a barrier before the next panel is copied;
 *   - work-item (tn, tm) owns rows m0 + i*MDIMC + tm and columns
 *     n0 + j*NDIMC + tn of the tile, so the reads of al/bl across a group
 *     are consecutive floats (or one broadcast) and the stores of C are
 *     consecutive columns;
 *   - the panel copies read VW floats at a time along each operand's
 *     contiguous direction (k for A and B^T, m for A^T, n for B) when the
 *     host says the operand is aligned (vec_a, vec_b: offset, leading
 *     dimension and strides multiples of VW) and the whole vector lies
 *     inside the matrix; otherwise, and at the edges, float by float.
 * beta == 0 never reads C; the host passes K = 0 for alpha == 0, so A and
 * B are then not read. Every work-item of a group runs the same number of
 * K steps and reaches both barriers of each (no early exit: work-items
 * outside M or N still help with the copies and only skip their stores).
 *
 * All tile parameters are compile-time (-D), chosen by the profile
 * (src/gemm/gemm_tiled.c checks them before building, with a message):
 * MWG % MDIMC == 0, NWG % NDIMC == 0, and VW (1, 2, 4 or 8) divides MWG,
 * NWG and KWG.
 */

#ifndef MWG
#define MWG 64 /* rows of C per work-group */
#endif
#ifndef NWG
#define NWG 64 /* columns of C per work-group */
#endif
#ifndef KWG
#define KWG 16 /* K step: rows of the panels in local memory */
#endif
#ifndef MDIMC
#define MDIMC 16 /* work-items per group along M */
#endif
#ifndef NDIMC
#define NDIMC 16 /* work-items per group along N */
#endif
#ifndef VW
#define VW 4 /* floats per global load of a panel copy: 1, 2, 4 or 8 */
#endif
#ifndef PAD
#define PAD 1 /* extra floats per local-memory row */
#endif

#if MWG % MDIMC != 0 || NWG % NDIMC != 0
#error "MWG must be a multiple of MDIMC and NWG of NDIMC"
#endif
#if VW != 1 && VW != 2 && VW != 4 && VW != 8
#error "VW must be 1, 2, 4 or 8"
#endif
#if MWG % VW != 0 || NWG % VW != 0 || KWG % VW != 0
#error "VW must divide MWG, NWG and KWG"
#endif

#define MWI (MWG / MDIMC)          /* register block rows */
#define NWI (NWG / NDIMC)          /* register block columns */
#define ITEMS (MDIMC * NDIMC)      /* work-items per group */
#define LDAL (MWG + PAD)           /* row length of al */
#define LDBL (NWG + PAD)           /* row length of bl */

/* VW floats from p into v: a vector load when allowed and all VW lie inside
 * (avail >= VW), else float by float, zero past avail. */
static inline void load_run(float *v, global const float *p, uint avail, uint vec)
{
#if VW > 1
    if (vec && avail >= VW) {
#if VW == 2
        vstore2(vload2(0, p), 0, v);
#elif VW == 4
        vstore4(vload4(0, p), 0, v);
#else
        vstore8(vload8(0, p), 0, v);
#endif
        return;
    }
#endif
#pragma unroll
    for (uint e = 0; e < VW; e++) v[e] = e < avail ? p[e] : 0.0f;
}

/* Copies the KWG x R panel of an operand into dst[k * (R + PAD) + r], zero
 * where r >= rmax or k >= kmax. kcontig: element (r, k) is src[r * ld + k]
 * (contiguous along k: A, B^T); else src[k * ld + r] (contiguous along r:
 * A^T, B). The work-items of the group share the copy. */
static inline void stage(local float *dst, const uint R, global const float *src, uint ld,
                         const int kcontig, uint rmax, uint kmax, uint vec)
{
    const uint lid = get_local_id(1) * NDIMC + get_local_id(0);
    const uint ldl = R + PAD;
    float v[VW];
    if (kcontig) {
        const uint runs = KWG / VW; /* vectors per r */
        for (uint t = lid; t < R * runs; t += ITEMS) {
            uint r = t / runs, k = (t - r * runs) * VW;
            uint avail = r < rmax && k < kmax ? kmax - k : 0;
            if (avail) load_run(v, src + (size_t)r * ld + k, avail, vec);
#pragma unroll
            for (uint e = 0; e < VW; e++) dst[(k + e) * ldl + r] = avail ? v[e] : 0.0f;
        }
    } else {
        const uint runs = R / VW; /* vectors per k */
        for (uint t = lid; t < KWG * runs; t += ITEMS) {
            uint k = t / runs, r = (t - k * runs) * VW;
            uint avail = k < kmax && r < rmax ? rmax - r : 0;
            if (avail) load_run(v, src + (size_t)k * ld + r, avail, vec);
#pragma unroll
            for (uint e = 0; e < VW; e++) dst[k * ldl + r + e] = avail ? v[e] : 0.0f;
        }
    }
}

/* The body shared by the four kernels; ta/tb are constants at each call. */
static inline void tiled_body(local float *al, local float *bl, const int ta, const int tb,
                              uint M, uint N, uint K, float alpha, float beta,
                              global const float *A, ulong offA, uint lda, ulong strideA,
                              ulong innerA, global const float *B, ulong offB, uint ldb,
                              ulong strideB, ulong innerB, global float *C, ulong offC, uint ldc,
                              ulong strideC, ulong innerC, uint inner, uint vec_a, uint vec_b)
{
    const uint z = get_global_id(2), bo = z / inner, bi = z - bo * inner;
    A += offA + bo * strideA + bi * innerA;
    B += offB + bo * strideB + bi * innerB;
    C += offC + bo * strideC + bi * innerC;
    const uint tn = get_local_id(0), tm = get_local_id(1);
    const uint m0 = get_group_id(1) * MWG, n0 = get_group_id(0) * NWG;
    const uint rows = M - m0, cols = N - n0; /* the launch has no group past M or N */

    float acc[MWI][NWI];
#pragma unroll
    for (uint i = 0; i < MWI; i++)
#pragma unroll
        for (uint j = 0; j < NWI; j++) acc[i][j] = 0.0f;

    for (uint k0 = 0; k0 < K; k0 += KWG) {
        const uint kmax = min((uint)KWG, K - k0);
        /* op(A) rows m0.., k0..; op(B) k0.., columns n0.. */
        stage(al, MWG, ta ? A + (size_t)k0 * lda + m0 : A + (size_t)m0 * lda + k0, lda, !ta,
              rows, kmax, vec_a);
        stage(bl, NWG, tb ? B + (size_t)n0 * ldb + k0 : B + (size_t)k0 * ldb + n0, ldb, tb,
              cols, kmax, vec_b);
        barrier(CLK_LOCAL_MEM_FENCE);
#pragma unroll
        for (uint k = 0; k < KWG; k++) { /* past kmax both panels hold zeros */
            float a[MWI], b[NWI];
#pragma unroll
            for (uint i = 0; i < MWI; i++) a[i] = al[k * LDAL + i * MDIMC + tm];
#pragma unroll
            for (uint j = 0; j < NWI; j++) b[j] = bl[k * LDBL + j * NDIMC + tn];
#pragma unroll
            for (uint i = 0; i < MWI; i++)
#pragma unroll
                for (uint j = 0; j < NWI; j++) acc[i][j] = fma(a[i], b[j], acc[i][j]);
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }

#pragma unroll
    for (uint i = 0; i < MWI; i++) {
        const uint m = i * MDIMC + tm;
        if (m >= rows) break;
        global float *cr = C + (size_t)(m0 + m) * ldc + n0;
#pragma unroll
        for (uint j = 0; j < NWI; j++) {
            const uint n = j * NDIMC + tn;
            if (n < cols) {
                float x = alpha * acc[i][j];
                if (beta != 0.0f) x = fma(beta, cr[n], x);
                cr[n] = x;
            }
        }
    }
}

#define TILED_KERNEL(name, TA, TB)                                                             \
    __attribute__((reqd_work_group_size(NDIMC, MDIMC, 1))) kernel void name(                  \
        uint M, uint N, uint K, float alpha, float beta, global const float *A, ulong offA,   \
        uint lda, ulong strideA, ulong innerA, global const float *B, ulong offB, uint ldb,   \
        ulong strideB, ulong innerB, global float *C, ulong offC, uint ldc, ulong strideC,    \
        ulong innerC, uint inner, uint vec_a, uint vec_b)                                     \
    {                                                                                         \
        local float al[KWG * LDAL];                                                           \
        local float bl[KWG * LDBL];                                                           \
        tiled_body(al, bl, TA, TB, M, N, K, alpha, beta, A, offA, lda, strideA, innerA, B,    \
                   offB, ldb, strideB, innerB, C, offC, ldc, strideC, innerC, inner, vec_a,   \
                   vec_b);                                                                    \
    }

TILED_KERNEL(gemm_tiled_nn, 0, 0)
TILED_KERNEL(gemm_tiled_nt, 0, 1)
TILED_KERNEL(gemm_tiled_tn, 1, 0)
TILED_KERNEL(gemm_tiled_tt, 1, 1)
