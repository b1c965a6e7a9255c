/* gemm.cl -- asacl's own GEMM kernels (host side: src/gemm/gemm_own.c).
 *
 * Row-major C[M,N] = alpha * op(A)[M,K] * op(B)[K,N] + beta * C, one kernel
 * per transpose case (gemm_nn, gemm_nt, gemm_tn, gemm_tt), each also
 * batched over dimension 2 of the launch in two levels: entry z is matrix
 * (z / inner, z % inner), at (z / inner) * stride + (z % inner) * inner
 * stride. Matrices are (base, element offset, leading dimension, strides).
 *
 * Blocking (Goto-style, with roles chosen so that vectors run along N):
 *   - a tile is RM rows x TW = VW*NV columns of C, held in RM*NV vector
 *     registers; per k it takes NV vector loads of B and RM scalar
 *     broadcasts of A;
 *   - a work-group owns WGY*rp row panels x WGX*cp column panels (a macro
 *     tile). Per K block of kc rows it copies ("packs") the B block it needs
 *     (kc x WGX*cp*TW, transposed when B is) into local memory, zero-padded
 *     past N, then each work-item walks its rp row panels, and in each its
 *     cp column panels, so the A strip (RM x kc) is re-used cp times while
 *     hot and the packed B block rp times (order 0); or (order 1) the
 *     column panels outer and the row panels inner, so the B panel
 *     (kc x TW, larger than the A strip when TW > RM) is the one re-used
 *     while hot, as in Goto's micro-kernel loop, and the A^T strips come
 *     from their copy of the whole K block;
 *   - K is walked in blocks of kc (the whole of K when kc >= K); the first
 *     block applies beta (beta == 0 never reads C), later ones accumulate.
 * rp, cp, kc and order are run-time arguments (one build serves every shape);
 * VW, NV, RM, WGX and WGY are compile-time (registers, loop unrolling).
 *
 * CPUs (PoCL): WGX = WGY = 1 -- one work-item per work-group, explicit
 * float16 tiles (VW 16, NV 2, RM 8..14) and coarse work-items.
 * GPUs: work-groups of e.g. 16x8 work-items with small tiles (VW 4, NV 1,
 * RM 4) sharing the B block through local memory.
 * A^T (TN, TT) may also be copied to local memory first (packa 1: one strip
 * at a time, 2: all strips of the work-item per K block, reading the rows
 * of A in order); plain A is read in place, its rows are contiguous in k.
 * Plain B (NN, TN) may be read in place too (packb 0) where a group's
 * columns lie inside N: a panel's row is then TW contiguous floats of B.
 *
 * Every work-item of a group reaches the same barriers: the K-block loop is
 * uniform across the group and nothing inside the tile walks has one.
 */
#include "gelu.h"

#ifndef VW
#define VW 16 /* vector width: 2, 4, 8 or 16 */
#endif
#ifndef NV
#define NV 2 /* vectors per tile row */
#endif
#ifndef RM
#define RM 12 /* rows per tile */
#endif
#ifndef WGX
#define WGX 1 /* work-items per group along N */
#endif
#ifndef WGY
#define WGY 1 /* work-items per group along M */
#endif

#define TW (VW * NV) /* tile width */
#define WG_ITEMS (WGX * WGY)

#define GEMM_CAT_(a, b) a##b
#define GEMM_CAT(a, b) GEMM_CAT_(a, b)
typedef GEMM_CAT(float, VW) vfloat;
#define VLOAD(p) GEMM_CAT(vload, VW)(0, (p))
#define VSTORE(v, p) GEMM_CAT(vstore, VW)((v), 0, (p))

/* The GELU epilogues' Phi and gelu', the same floats as cl/gelu.cl's. */
NORMAL_CDF_FN(float, normal_cdf)
NORMAL_CDF_FN(vfloat, normal_cdf_v)
GELU_GRAD_FN(float, gelu_grad, normal_cdf)
GELU_GRAD_FN(vfloat, gelu_grad_v, normal_cdf_v)

/* Copies rows [k0, k0 + kc) of op(B), columns [n0, n0 + width) into
 * bl[panel][k][TW] (panel = column / TW), zero past column N. The work-items
 * of the group share the copy. */
static inline void pack_b(local float *bl, global const float *B, uint ldb, int trans_b, uint N,
                   uint k0, uint kc, uint n0, uint width)
{
    uint l = get_local_id(1) * WGX + get_local_id(0);
    if (!trans_b) {
        /* Row k of B holds columns contiguously: copy VW at a time. */
        uint vecs = width / VW; /* width is a multiple of TW */
        for (uint t = l; t < kc * vecs; t += WG_ITEMS) {
            uint k = t / vecs, v = t - k * vecs;
            uint n = n0 + v * VW;
            uint panel = v / NV, j = (v - panel * NV) * VW;
            local float *dst = bl + ((size_t)panel * kc + k) * TW + j;
            global const float *src = B + (size_t)(k0 + k) * ldb + n;
            if (n + VW <= N) {
                VSTORE(VLOAD(src), dst);
            } else {
                for (uint e = 0; e < VW; e++) dst[e] = n + e < N ? src[e] : 0.0f;
            }
        }
    } else {
        /* Column n of op(B) is row n of B, contiguous along k: transpose
         * 4 x 4 blocks in registers (4 vector loads, 4 vector stores), then
         * the last kc % 4 rows one by one. */
#if TW % 4 == 0
        uint quads = width / 4, kq = kc / 4;
        for (uint t = l; t < quads * kq; t += WG_ITEMS) {
            uint q = t / kq, k = (t - q * kq) * 4;
            uint c = q * 4, n = n0 + c;
            uint panel = c / TW, j = c - panel * TW;
            local float *dst = bl + ((size_t)panel * kc + k) * TW + j;
            global const float *src = B + (size_t)n * ldb + k0 + k;
            float4 r0 = n + 0 < N ? vload4(0, src) : (float4)0.0f;
            float4 r1 = n + 1 < N ? vload4(0, src + ldb) : (float4)0.0f;
            float4 r2 = n + 2 < N ? vload4(0, src + 2 * (size_t)ldb) : (float4)0.0f;
            float4 r3 = n + 3 < N ? vload4(0, src + 3 * (size_t)ldb) : (float4)0.0f;
            vstore4((float4)(r0.s0, r1.s0, r2.s0, r3.s0), 0, dst);
            vstore4((float4)(r0.s1, r1.s1, r2.s1, r3.s1), 0, dst + TW);
            vstore4((float4)(r0.s2, r1.s2, r2.s2, r3.s2), 0, dst + 2 * TW);
            vstore4((float4)(r0.s3, r1.s3, r2.s3, r3.s3), 0, dst + 3 * TW);
        }
        uint kt = kq * 4; /* rows left: [kt, kc) */
#else
        uint kt = 0;
#endif
        if (kt < kc)
            for (uint t = l; t < width; t += WG_ITEMS) {
                uint n = n0 + t;
                uint panel = t / TW, j = t - panel * TW;
                local float *dst = bl + (size_t)panel * kc * TW + j;
                global const float *src = B + (size_t)n * ldb + k0;
                for (uint k = kt; k < kc; k++) dst[k * TW] = n < N ? src[k] : 0.0f;
            }
    }
}

/* Copies the A^T strips of np row panels of op(A), the first at row m0,
 * each pstep rows after the last (rows clamped inside M), K block
 * [k0, k0 + kn), into dst[panel][k][RM]: one contiguous stream per tile
 * instead of kn strided rows. The rows of A are read in order, so with
 * pstep == RM the copy streams through memory. (Plain A needs no copy: its
 * rows are contiguous along k.) Each work-item has its own strips. */
static inline void pack_at(local float *dst, global const float *A, uint lda, uint M, uint m0,
                           uint pstep, uint np, uint k0, uint kn)
{
    for (uint k = 0; k < kn; k++) {
        global const float *src = A + (size_t)(k0 + k) * lda;
        for (uint p = 0; p < np; p++) {
            uint m = m0 + p * pstep;
            local float *d = dst + ((size_t)p * kn + k) * RM;
            if (m + RM <= M) {
                /* explicit vectors (the compiler cannot tell local from
                 * global): 8, 4, 2 then 1 floats at a time */
                global const float *s = src + m;
#pragma unroll
                for (uint i = 0; i < RM / 8; i++) vstore8(vload8(i, s), i, d);
#if RM % 8 >= 4
                vstore4(vload4(0, s + RM / 8 * 8), 0, d + RM / 8 * 8);
#endif
#if RM % 4 >= 2
                vstore2(vload2(0, s + RM / 4 * 4), 0, d + RM / 4 * 4);
#endif
#if RM % 2
                d[RM - 1] = s[RM - 1];
#endif
            } else if (m < M) {
                for (uint i = 0; i < RM; i++) d[i] = src[min(m + i, M - 1)];
            }
        }
    }
}

/* Writes the tile in acc: rows [m0, m0 + rows), columns [n0, min(n0 + TW, N)).
 * The first K block adds bias[n] when hasb (the dense layers' bias: C =
 * alpha op(A) op(B) + bias + beta C, one bias row for every matrix of a
 * batch) and applies beta (C is not read when beta == 0); later blocks add
 * to C. The last K block then applies the GELU step hasg names (1: act =
 * gelu(C), the feed-forward layer's activation; 2: C = C * gelu'(act), act
 * holding the GELU's input: its backward; act has C's layout). A full tile is
 * written as vectors; an edge tile goes through a private copy, element by
 * element. A macro, so that acc stays in registers. */
#define STORE_TILE()                                                                         \
    if (rows == RM && n0 + TW <= N) {                                                        \
        _Pragma("unroll") for (uint i = 0; i < RM; i++) {                                    \
            global float *cr = C + (size_t)(m0 + i) * ldc + n0;                              \
            _Pragma("unroll") for (uint j = 0; j < NV; j++) {                                \
                vfloat v = alpha * acc[i][j];                                                \
                if (first && hasb) v += VLOAD(bias + n0 + j * VW);                           \
                if (!first)                                                                  \
                    v += VLOAD(cr + j * VW);                                                 \
                else if (beta != 0.0f)                                                       \
                    v = fma((vfloat)beta, VLOAD(cr + j * VW), v);                            \
                VSTORE(v, cr + j * VW);                                                      \
            }                                                                                \
        }                                                                                    \
    } else {                                                                                 \
        float t_[RM * TW];                                                                   \
        _Pragma("unroll") for (uint i = 0; i < RM; i++)                                      \
            _Pragma("unroll") for (uint j = 0; j < NV; j++)                                  \
                VSTORE(acc[i][j], t_ + i * TW + j * VW);                                     \
        uint cols = min((uint)TW, N - n0);                                                   \
        for (uint i = 0; i < rows; i++) {                                                    \
            global float *cr = C + (size_t)(m0 + i) * ldc + n0;                              \
            for (uint e = 0; e < cols; e++) {                                                \
                float x = alpha * t_[i * TW + e];                                            \
                if (first && hasb) x += bias[n0 + e];                                        \
                if (!first)                                                                  \
                    x += cr[e];                                                              \
                else if (beta != 0.0f)                                                       \
                    x = fma(beta, cr[e], x);                                                 \
                cr[e] = x;                                                                   \
            }                                                                                \
        }                                                                                    \
    }                                                                                        \
    if (last && hasg) gelu_tile(act, C, ldc, m0, n0, rows, N, hasg);

/* The GELU step over the tile just written (rows [m0, m0 + rows), columns
 * [n0, min(n0 + TW, N))), read back from C while it is in cache: kind 1
 * act = gelu(C), kind 2 C = C * gelu'(act). A loop rather than a step of
 * STORE_TILE's unrolled stores, so that the kernels hold one copy of it. */
static inline void gelu_tile(global float *act, global float *C, uint ldc, uint m0, uint n0,
                             uint rows, uint N, uint kind)
{
    uint cols = min((uint)TW, N - n0);
    for (uint i = 0; i < rows; i++) {
        size_t r = (size_t)(m0 + i) * ldc + n0;
        uint e = 0;
        for (; e + VW <= cols; e += VW) {
            vfloat v = VLOAD(C + r + e);
            if (kind == 1)
                VSTORE(v * normal_cdf_v(v), act + r + e);
            else
                VSTORE(v * gelu_grad_v(VLOAD(act + r + e)), C + r + e);
        }
        for (; e < cols; e++)
            if (kind == 1)
                act[r + e] = C[r + e] * normal_cdf(C[r + e]);
            else
                C[r + e] *= gelu_grad(act[r + e]);
    }
}

/* acc += A-strip * B panel over kc steps; AEL(i) is element (row i,
 * current k) of A, ANEXT advances to the next k. TILE_LOOP reads the B
 * panel from where it is: the packed copy (bp, TW floats a row) when the
 * group made one (pb), else B itself (bg, ldb); every way of reading A
 * goes through it. TILE_LOOP_B: BP points at the panel's row k (TW
 * floats), BSTEP floats from one row to the next. */
#define TILE_LOOP(KN, AEL, ANEXT)                                          \
    if (pb)                                                                \
        TILE_LOOP_B(KN, AEL, ANEXT, bp, TW)                                \
    else                                                                   \
        TILE_LOOP_B(KN, AEL, ANEXT, bg, ldb)
#define TILE_LOOP_B(KN, AEL, ANEXT, BP, BSTEP)                             \
    for (uint k = 0; k < (KN); k++) {                                      \
        vfloat b_[NV];                                                     \
        _Pragma("unroll") for (uint j = 0; j < NV; j++)                    \
            b_[j] = VLOAD(BP + j * VW);                                    \
        BP += BSTEP;                                                       \
        _Pragma("unroll") for (uint i = 0; i < RM; i++) {                  \
            vfloat a_ = (vfloat)(AEL(i));                                  \
            _Pragma("unroll") for (uint j = 0; j < NV; j++)                \
                acc[i][j] = fma(a_, b_[j], acc[i][j]);                     \
        }                                                                  \
        ANEXT;                                                             \
    }

/* The body shared by the four kernels; TA/TB are compile-time constants. */
#define GEMM_BODY(TA, TB)                                                                     \
    uint bo = get_global_id(2) / inner, bi = get_global_id(2) - bo * inner;                   \
    A += offA + bo * strideA + bi * innerA;                                                   \
    B += offB + bo * strideB + bi * innerB;                                                   \
    C += offC + bo * strideC + bi * innerC;                                                   \
    act += offAct + bo * strideC + bi * innerC;                                               \
    bias += offBias;                                                                          \
    uint lx = get_local_id(0), ly = get_local_id(1);                                          \
    uint width = WGX * cp * TW;                       /* columns of the macro tile */         \
    uint gn0 = get_group_id(0) * width;                                                       \
    uint gm0 = get_group_id(1) * (WGY * rp * RM);                                             \
    uint pa = (TA) ? packa : 0; /* only A^T is copied */                                      \
    /* op(B) not transposed may be read in place (packb 0) where the group's                  \
     * columns lie inside N: its rows hold the panel's TW floats contiguously.                \
     * The same for the whole group, so the barriers stay uniform. */                          \
    uint pb = (TB) || packb || gn0 + width > N;                                               \
    uint k0 = 0;                                                                              \
    do { /* at least once: K == 0 still scales C by beta */                                   \
        uint kn = min(kc, K - k0);                                                            \
        if (pb) {                                                                             \
            if (WG_ITEMS > 1) barrier(CLK_LOCAL_MEM_FENCE);                                   \
            pack_b(bl, B, ldb, TB, N, k0, kn, gn0, width);                                    \
            if (WG_ITEMS > 1) barrier(CLK_LOCAL_MEM_FENCE);                                   \
        }                                                                                     \
        int first = k0 == 0, last = k0 + kn >= K;                                             \
        /* this work-item's A^T strips: one at a time (pa 1) or all rp (2) */                 \
        local float *as0 = al + (size_t)(ly * WGX + lx) * (pa == 2 ? rp : 1) * RM * kc;       \
        if (pa == 2) pack_at(as0, A, lda, M, gm0 + ly * RM, WGY * RM, rp, k0, kn);            \
        /* order 0: row panels outer (the A strip stays hot across the column                 \
         * panels); 1: column panels outer (the B panel stays hot across the                  \
         * row panels; the host makes pa 1 into 2 where it fits, else pa 1                    \
         * copies the strip again for each tile) */                                           \
        uint n_out = order ? cp : rp, n_in = order ? rp : cp;                                 \
        for (uint o = 0; o < n_out; o++) {                                                    \
          for (uint q = 0; q < n_in; q++) {                                                   \
            uint r = order ? q : o, c = order ? o : q;                                        \
            uint m0 = gm0 + (r * WGY + ly) * RM;                                              \
            if (m0 >= M) continue;                                                            \
            uint rows = min((uint)RM, M - m0);                                                \
            local float *as = pa == 2 ? as0 + (size_t)r * kn * RM : as0;                      \
            if (pa == 1 && (order || c == 0)) pack_at(as, A, lda, M, m0, RM, 1, k0, kn);      \
            {                                                                                 \
                uint panel = c * WGX + lx;                                                    \
                uint n0 = gn0 + panel * TW;                                                   \
                if (n0 >= N) continue;                                                        \
                vfloat acc[RM][NV];                                                           \
                _Pragma("unroll") for (uint i = 0; i < RM; i++)                               \
                    _Pragma("unroll") for (uint j = 0; j < NV; j++) acc[i][j] = (vfloat)0.0f; \
                local const float *bp = bl + (size_t)panel * kn * TW;                         \
                global const float *bg = B + (size_t)k0 * ldb + n0; /* pb == 0 */             \
                if (pa) {                                                                     \
                    local const float *ap = as;                                               \
                    TILE_LOOP(kn, AT_EL, AP_NEXT)                                             \
                } else if (!(TA)) {                                                           \
                    /* row i of op(A) is row m0 + i of A (clamped inside M) */                \
                    global const float *ar[RM];                                               \
                    _Pragma("unroll") for (uint i = 0; i < RM; i++)                           \
                        ar[i] = A + (size_t)min(m0 + i, M - 1) * lda + k0;                    \
                    TILE_LOOP(kn, AN_EL, AN_NEXT)                                             \
                } else if (rows == RM) {                                                      \
                    /* row i of op(A) is column m0 + i of A: RM contiguous floats per k */    \
                    global const float *ap = A + (size_t)k0 * lda + m0;                       \
                    TILE_LOOP(kn, AT_EL, AT_NEXT)                                             \
                } else {                                                                      \
                    uint ac[RM];                                                              \
                    _Pragma("unroll") for (uint i = 0; i < RM; i++) ac[i] = min(m0 + i, M - 1); \
                    global const float *ap = A + (size_t)k0 * lda;                            \
                    TILE_LOOP(kn, ATE_EL, AT_NEXT)                                            \
                }                                                                             \
                STORE_TILE()                                                                  \
            }                                                                                 \
          }                                                                                   \
        }                                                                                     \
        k0 += kn;                                                                             \
    } while (k0 < K);

#define AN_EL(i) ar[i][k]
#define AN_NEXT
#define AT_EL(i) ap[i]
#define AT_NEXT ap += lda
#define ATE_EL(i) ap[ac[i]]
#define AP_NEXT ap += RM

#define GEMM_ARGS                                                                             \
    uint M, uint N, uint K, float alpha, float beta, global const float *A, ulong offA,       \
        uint lda, ulong strideA, global const float *B, ulong offB, uint ldb, ulong strideB,  \
        global float *C, ulong offC, uint ldc, ulong strideC, uint inner, ulong innerA,       \
        ulong innerB, ulong innerC, uint rp, uint cp, uint kc, uint packa, uint packb,        \
        uint order,                                                                           \
        global const float *bias, ulong offBias, uint hasb

#define GEMM_KERNEL(name, TA, TB)                                                              \
    __attribute__((reqd_work_group_size(WGX, WGY, 1))) kernel void name(                      \
        GEMM_ARGS, local float *bl, local float *al)                                          \
    {                                                                                         \
        global float *act = C; /* unused: hasg is 0 */                                        \
        const ulong offAct = 0;                                                               \
        const uint hasg = 0;                                                                  \
        GEMM_BODY(TA, TB)                                                                     \
    }

/* The same product with a GELU epilogue (KIND 1: act = gelu(C); 2: C = C *
 * gelu'(act); act in C's layout, from offAct): kernels of their own, so
 * that the others carry none of its code (in one kernel with a run-time
 * flag, the plain products ran up to a quarter slower on PoCL). */
#define GEMM_GELU_KERNEL(name, TA, TB, KIND)                                                   \
    __attribute__((reqd_work_group_size(WGX, WGY, 1))) kernel void name(                      \
        GEMM_ARGS, global float *act, ulong offAct, local float *bl, local float *al)         \
    {                                                                                         \
        const uint hasg = KIND;                                                               \
        GEMM_BODY(TA, TB)                                                                     \
    }

GEMM_KERNEL(gemm_nn, 0, 0)
GEMM_KERNEL(gemm_nt, 0, 1)
GEMM_KERNEL(gemm_tn, 1, 0)
GEMM_KERNEL(gemm_tt, 1, 1)
GEMM_GELU_KERNEL(gemm_nn_gelu, 0, 0, 1)
GEMM_GELU_KERNEL(gemm_nt_gelu, 0, 1, 1)
GEMM_GELU_KERNEL(gemm_tn_gelu, 1, 0, 1)
GEMM_GELU_KERNEL(gemm_tt_gelu, 1, 1, 1)
GEMM_GELU_KERNEL(gemm_nn_dgelu, 0, 0, 2)
GEMM_GELU_KERNEL(gemm_nt_dgelu, 0, 1, 2)
GEMM_GELU_KERNEL(gemm_tn_dgelu, 1, 0, 2)
GEMM_GELU_KERNEL(gemm_tt_dgelu, 1, 1, 2)
