/* gemm_check.h -- checks of GEMM products against a double-precision host
 * reference, shared by test_gemm.c (every backend, the interface, the
 * profile's choice) and test_gemm_tiled.c (the tiled kernels at several
 * parameter sets). */
#ifndef ASACL_TEST_GEMM_CHECK_H
#define ASACL_TEST_GEMM_CHECK_H

#include "gemm/gemm.h"
#include "test_util.h"

enum { VIA_DISPATCH = -1 }; /* gemm()/gemm_batched() rather than one backend */

/* One operand in host memory: `batch` matrices of rows x cols with leading
 * dimension ld, the first at element off, each `stride` after the last. */
typedef struct operand {
    size_t rows, cols, ld, off, stride, batch, size;
    float *h;
    cl_mem d;
} operand;

typedef struct size3 {
    size_t m, n, k;
} size3;

/* Fills the whole buffer with canaries (1000 + i) and the windows with data
 * in [-1, 1) (or NaN); ld = cols + pad; stride 0: rows * ld + 5. */
void operand_make(asacl_ctx *ctx, operand *o, size_t rows, size_t cols, size_t pad, size_t off,
                  size_t stride, size_t batch, int nan);
void operand_free(operand *o);
gemm_mat mat_of(const operand *o);

/* Runs C = alpha op(A) op(B) + beta C (batch products) on one backend with
 * the parameters of p (own: p->own, tiled: p->tiled; unused by CLBlast and
 * VIA_DISPATCH) and checks every element of C's buffer: the windows against
 * the reference within 4 eps sqrt(K + 1) times the magnitude of the terms,
 * the rest unchanged. C's host copy becomes the result. */
void check_product(asacl_ctx *ctx, const char *what, int backend, const gemm_choice *p,
                   gemm_shape s, size_t batch, float alpha, float beta, operand *a, operand *b,
                   operand *c);
/* The same for a two-level batch (gemm_batched2 and the backends' _run2). */
void check_product2(asacl_ctx *ctx, const char *what, int backend, const gemm_choice *p,
                    gemm_shape s, float alpha, float beta, operand *a, gemm_stride sa, operand *b,
                    gemm_stride sb, operand *c, gemm_stride sc, size_t outer, size_t inner);
/* One shape on fresh operands (padded leading dimensions, odd offsets),
 * five alpha/beta pairs, beta = 0 on a C full of NaN. */
void check_shape(asacl_ctx *ctx, const char *tag, int backend, const gemm_choice *p, int ta,
                 int tb, size3 z, size_t batch);
/* Per-head products with heads interleaved within rows, as attention. */
void check_heads(asacl_ctx *ctx, const char *tag, int backend, const gemm_choice *p);
/* The (sequence, head) two-level products of the plain attention path. */
void check_seq_heads(asacl_ctx *ctx, const char *tag, int backend, const gemm_choice *p);
/* Every case above on one backend: all transposes at odd sizes (1, primes,
 * not multiples of the tiles, K = 0), batched, heads, (sequence, head). */
void check_backend(asacl_ctx *ctx, const char *tag, int backend, const gemm_choice *p);

#endif
