/* gemm.h -- the one matrix-multiply interface of asacl. Row-major:
 *     C[M,N] = alpha * op(A)[M,K] * op(B)[K,N] + beta * C
 * where op(X) is X or its transpose. Matrices are (buffer, element offset,
 * leading dimension) -- no sub-buffers. beta == 0 never reads C (it may hold
 * NaN); K == 0 gives C = beta * C (on the own kernels whatever the class's
 * backend: CLBlast refuses K = 0); the own kernels never read A or B when
 * alpha == 0.
 *
 * Three backends: CLBlast (gemm_clblast.c), asacl's own CPU-style kernels
 * (cl/gemm.cl, gemm_own.c) and its GPU-style tiled kernels (cl/gemm_tiled.cl,
 * gemm_tiled.c). gemm.c picks one per call from the shape class (transposes,
 * batched or not) and the device profile's "kernels": {"gemm": {...}} keys
 * (devices/README.md), with built-in defaults: own kernels on CPUs, CLBlast
 * elsewhere. */
#ifndef ASACL_GEMM_H
#define ASACL_GEMM_H

#include "runtime/runtime.h"

typedef struct gemm_mat {
    cl_mem buf;
    size_t off; /* in floats */
    size_t ld;  /* leading dimension (row stride), in floats */
} gemm_mat;

typedef struct gemm_shape {
    int trans_a, trans_b;
    size_t m, n, k;
} gemm_shape;

/* One product. */
asacl_status gemm(asacl_ctx *ctx, gemm_shape s, float alpha, gemm_mat a, gemm_mat b, float beta,
                  gemm_mat c);

/* The GELU step of a product's store: GEMM_GELU_FORWARD writes act = gelu(C)
 * into m; GEMM_GELU_BACKWARD makes C = C * gelu'(x), m holding x, the GELU's
 * input. m is M x N from m.off in C's layout (its ld is C's). */
typedef enum gemm_gelu_kind { GEMM_GELU_FORWARD = 1, GEMM_GELU_BACKWARD = 2 } gemm_gelu_kind;
typedef struct gemm_gelu {
    gemm_gelu_kind kind;
    gemm_mat m;
} gemm_gelu;

/* C = alpha op(A) op(B), then, where given, + bias (a row of N floats from
 * bias->off, its ld unused, added to every row) and the GELU step: in the
 * product's own store where the class runs on the own kernels (*fused =
 * 1); else only the product (*fused = 0), and the caller does the rest. */
asacl_status gemm_fused(asacl_ctx *ctx, gemm_shape s, float alpha, gemm_mat a, gemm_mat b,
                        gemm_mat c, const gemm_mat *bias, const gemm_gelu *gelu, int *fused);
/* `batch` products; matrix i of X starts stride_x floats after matrix i-1. */
asacl_status gemm_batched(asacl_ctx *ctx, gemm_shape s, float alpha, gemm_mat a, size_t stride_a,
                          gemm_mat b, size_t stride_b, float beta, gemm_mat c, size_t stride_c,
                          size_t batch);

/* A two-level batch in one launch: outer x inner products, matrix (o, i) of
 * X starting o * sx.outer + i * sx.inner floats after the first (e.g.
 * (sequence, head) of the attention products, heads being columns of one
 * row-major matrix per sequence). */
typedef struct gemm_stride {
    size_t outer, inner;
} gemm_stride;
asacl_status gemm_batched2(asacl_ctx *ctx, gemm_shape s, float alpha, gemm_mat a, gemm_stride sa,
                           gemm_mat b, gemm_stride sb, float beta, gemm_mat c, gemm_stride sc,
                           size_t outer, size_t inner);

/* Makes room up front for the temporary storage a product of this shape
 * needs, so no allocation happens later (call for every shape a training
 * loop will use, before the loop). Also builds the kernels the shape will
 * use, so nothing compiles inside the loop. */
asacl_status gemm_reserve(asacl_ctx *ctx, gemm_shape s, size_t lda, size_t ldb, size_t ldc);

/* ---- backends, shape classes and parameters (for tuning and benchmarks) ---- */

typedef enum gemm_backend {
    GEMM_BACKEND_CLBLAST = 0,
    GEMM_BACKEND_OWN = 1,
    GEMM_BACKEND_TILED = 2,
    GEMM_BACKEND_COUNT
} gemm_backend;

/* "clblast", "own", "tiled". */
const char *gemm_backend_name(gemm_backend b);

/* Shape classes; each has its own backend and parameters in the profile. */
typedef enum gemm_class {
    GEMM_CLASS_NN = 0,  /* A B      (e.g. input gradients dY W) */
    GEMM_CLASS_NT,      /* A B^T    (e.g. forward X W^T) */
    GEMM_CLASS_TN,      /* A^T B    (e.g. weight gradients dY^T X, K = tokens) */
    GEMM_CLASS_TT,      /* A^T B^T */
    GEMM_CLASS_BATCHED, /* gemm_batched, any transposes (per-head products) */
    GEMM_CLASS_COUNT
} gemm_class;

/* The class of a plain (batched = 0) or strided-batched (batched = 1) product. */
gemm_class gemm_classify(gemm_shape s, int batched);
/* "NN", "NT", "TN", "TT", "BATCHED": also the profile key prefix. */
const char *gemm_class_name(gemm_class c);

/* Parameters of the own kernels (cl/gemm.cl). vw..wgy are compile-time:
 * each distinct set is one program build. rp, cp, kc are per launch; 0
 * derives them from the shape (gemm_own_walk). */
typedef struct gemm_own_params {
    int vw;       /* VW: vector width along N (2, 4, 8, 16) */
    int nv;       /* NV: vectors per tile row; a tile is rm x vw*nv */
    int rm;       /* RM: rows per tile (1..32) */
    int wgx, wgy; /* WGX, WGY: work-group shape (1 x 1 on CPUs) */
    int rp;       /* row panels (tiles) per work-item */
    int cp;       /* column panels per work-item */
    int kc;       /* K block (B block rows in local memory) */
    int pack_a;   /* A^T (TN, TT) only: copy it to local memory first: 0 no,
                     1 each strip (RM x kc) before its tiles, 2 all rp strips
                     of a K block at once (rows of A read in order) */
    int pack_b;   /* 1: copy the B block to local memory (the default); 0: read
                     op(B) in place where it is not transposed (NN, TN) and a
                     work-group's columns lie inside N */
    int order;    /* walk of a work-group's tiles per K block: 0 row panels
                     outer (the A strip is re-used across the column panels
                     while hot), 1 column panels outer (the B panel is
                     re-used across the row panels; A^T strips are then all
                     copied at once, pack_a 1 becoming 2 where they fit),
                     2 columns outer where N > M, else rows outer */
    int split;    /* automatic walk: aim at split work-groups per compute unit */
    int local_kib; /* automatic walk: local memory for the B block, KiB */
} gemm_own_params;

/* Parameters of the tiled kernels (cl/gemm_tiled.cl), all compile-time:
 * each distinct set is one program build. */
typedef struct gemm_tiled_params {
    int mwg, nwg;     /* MWG x NWG: the tile of C one work-group computes */
    int kwg;          /* KWG: K step, rows of the A and B panels in local memory */
    int mdimc, ndimc; /* MDIMC x NDIMC: work-items per group along M and N */
    int vw;           /* VW: floats per global load of a panel copy (1, 2, 4, 8) */
    int pad;          /* PAD: extra floats per local-memory row (bank conflicts) */
} gemm_tiled_params;

typedef struct gemm_choice {
    gemm_backend backend;
    gemm_own_params own; /* the class's own-kernel parameters (rp, cp, kc as given) */
    gemm_tiled_params tiled; /* the class's tiled-kernel parameters */
} gemm_choice;

/* The backend and parameters gemm()/gemm_batched() use for a class on this
 * context: the profile's values where it has them, else the defaults. */
asacl_status gemm_choose(asacl_ctx *ctx, gemm_class c, gemm_choice *out);

/* Fills the built-in defaults for the context's device type (CPU: vw 16,
 * nv 2, rm 12, 1 x 1 work-groups; others: vw 4, nv 1, rm 4, 16 x 8). */
void gemm_own_defaults(const asacl_ctx *ctx, gemm_own_params *p);
/* How one launch walks the output (gemm_own_walk). */
typedef struct gemm_walk {
    unsigned rp, cp, kc, pack_a, pack_b, order;
    size_t groups_n, groups_m;   /* work-groups along N and M (x batch) */
    size_t local_b, local_a;     /* bytes of local memory: B block, A strips */
} gemm_walk;

/* Resolves rp, cp, kc of p for a shape (those that are 0 are derived; all
 * are clamped to what the shape and the device's local memory allow; A
 * block packing falls back to one strip at a time when it does not fit). */
void gemm_own_walk(const asacl_ctx *ctx, const gemm_own_params *p, gemm_shape s, size_t batch,
                   gemm_walk *w);

/* Runs one backend explicitly (batch 1: a plain product, strides unused). */
asacl_status gemm_own_run(asacl_ctx *ctx, const gemm_own_params *p, gemm_shape s, float alpha,
                          gemm_mat a, size_t stride_a, gemm_mat b, size_t stride_b, float beta,
                          gemm_mat c, size_t stride_c, size_t batch);
asacl_status gemm_clblast_run(asacl_ctx *ctx, gemm_shape s, float alpha, gemm_mat a,
                              size_t stride_a, gemm_mat b, size_t stride_b, float beta,
                              gemm_mat c, size_t stride_c, size_t batch);
asacl_status gemm_tiled_run(asacl_ctx *ctx, const gemm_tiled_params *p, gemm_shape s,
                            float alpha, gemm_mat a, size_t stride_a, gemm_mat b, size_t stride_b,
                            float beta, gemm_mat c, size_t stride_c, size_t batch);
/* The same over a two-level batch (gemm_batched2). */
asacl_status gemm_own_run2(asacl_ctx *ctx, const gemm_own_params *p, gemm_shape s, float alpha,
                           gemm_mat a, gemm_stride sa, gemm_mat b, gemm_stride sb, float beta,
                           gemm_mat c, gemm_stride sc, size_t outer, size_t inner);
asacl_status gemm_clblast_run2(asacl_ctx *ctx, gemm_shape s, float alpha, gemm_mat a,
                               gemm_stride sa, gemm_mat b, gemm_stride sb, float beta, gemm_mat c,
                               gemm_stride sc, size_t outer, size_t inner);
asacl_status gemm_tiled_run2(asacl_ctx *ctx, const gemm_tiled_params *p, gemm_shape s,
                             float alpha, gemm_mat a, gemm_stride sa, gemm_mat b, gemm_stride sb,
                             float beta, gemm_mat c, gemm_stride sc, size_t outer, size_t inner);

/* The tiled kernels' built-in defaults (cl/gemm_tiled.cl's: a 64 x 64 tile
 * per 16 x 16 work-group, KWG 16, VW 4, PAD 1). */
void gemm_tiled_defaults(gemm_tiled_params *p);
/* 0 when p is a valid set for this device; else 1 with the reason in why:
 * a value out of range, a tile not divisible by its work-group or vector
 * width, a register block over 256 floats, a work-group over the device's
 * maximum, panels over its local memory. */
int gemm_tiled_invalid(const asacl_ctx *ctx, const gemm_tiled_params *p, char *why, size_t cap);
/* Local memory one work-group of p uses, in bytes. */
size_t gemm_tiled_local_bytes(const gemm_tiled_params *p);
/* The -D defines of the tiled kernels' build for p, those that differ from
 * cl/gemm_tiled.cl's defaults ("-DMWG=32 -DVW=2", "" for the default set). */
void gemm_tiled_defines(const gemm_tiled_params *p, char *buf, size_t cap);
/* The -D defines of the own kernels' build for p, those that differ from
 * cl/gemm.cl's defaults ("-DRM=8", "" for the default build). */
void gemm_own_defines(const gemm_own_params *p, char *buf, size_t cap);

/* Calls per backend since the context was made (the backend that ran). */
typedef struct gemm_stats {
    unsigned long calls[GEMM_BACKEND_COUNT]; /* by gemm_backend */
} gemm_stats;
void gemm_get_stats(asacl_ctx *ctx, gemm_stats *out);

/* Checks that op(A), op(B) and C of an outer x inner batch lie inside their
 * buffers with rows no wider than their leading dimensions, as CLBlast does
 * for its own calls: ASACL_ERR_INVALID_ARG with what does not fit. Strides
 * of a level of size 1 are ignored. */
asacl_status gemm_check_operands(gemm_shape s, gemm_mat a, gemm_stride sa, gemm_mat b,
                                 gemm_stride sb, gemm_mat c, gemm_stride sc, size_t outer,
                                 size_t inner);
/* What the own and tiled kernels check before a launch: sizes, leading
 * dimensions and the batch within their 32-bit counts (the error names
 * `backend`), then gemm_check_operands; the strides of a level of size 1
 * are set to 0. */
asacl_status gemm_check_launch(const char *backend, gemm_shape s, gemm_mat a, gemm_stride *sa,
                               gemm_mat b, gemm_stride *sb, gemm_mat c, gemm_stride *sc,
                               size_t outer, size_t inner);

/* ---- checking results (for the tuner and the benchmark) ---- */

/* Largest |x - y| / (1 + |y|) over an M x N window of two host matrices. */
double gemm_max_diff(size_t m, size_t n, const float *x, size_t ldx, const float *y, size_t ldy);
/* The largest gemm_max_diff two correct float32 products of inner size k
 * may show for inputs of magnitude about 1 (grows with sqrt(k)). */
double gemm_tolerance(size_t k);
/* Downloads the M x N windows of `batch` device results and returns their
 * gemm_max_diff in *diff. */
asacl_status gemm_compare(asacl_ctx *ctx, gemm_shape s, size_t batch, gemm_mat got,
                          size_t stride_got, gemm_mat want, size_t stride_want, double *diff);

#endif
