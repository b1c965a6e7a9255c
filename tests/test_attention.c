/* test_attention.c -- attention, both paths (fused cl/attention.cl and plain
 * GEMMs + cl/softmax.cl), forward and backward, against the double-precision
 * reference, and the reference backward against central finite differences.
 * Cases: the clean pass (padding vector), an ASA mask bias shared by heads
 * with fully-masked rows (replace semantics), the additive variant; dropout
 * on. Tolerances: forward atol 1e-5 rtol 1e-4; backward atol 2e-5 rtol 1e-3
 * (float accumulation over T keys); fused vs plain the same. */
#include <math.h>

#include "model/attention.h"
#include "ref/ref_ops.h"
#include "test_util.h"

enum { B = 3, T = 38, H = 2, D = 16, HD = D / H, N = B * T, NQKV = N * 3 * D, NSQ = B * H * T * T };
/* T: a run of 32 (one vector Philox call where the row's stream position,
 * 8 + 38 x row, is a multiple of 4, float8 pairs of calls where not), then a
 * float8 chunk and a tail */
static const int lens[B] = {38, 11, 2};

static asacl_ctx *ctx;
static ref_rng rng = {0x51ed270b27b5c3a1ull};

typedef struct fd_case {
    ref_attn a;
    const double *dctx;
    double *bias_var; /* bias array the FD perturbs (aliases a.bias) */
} fd_case;

static double attn_loss(const double *qkv, void *u)
{
    fd_case *c = u;
    double out[N * D], s = 0;
    ref_attention_forward(out, NULL, qkv, &c->a);
    for (int i = 0; i < N * D; i++) s += out[i] * c->dctx[i];
    return s;
}

typedef struct bias_fd {
    fd_case *c;
    const double *qkv;
} bias_fd;

static double attn_loss_bias(const double *bias, void *u)
{
    bias_fd *bf = u;
    ref_attn a = bf->c->a;
    a.bias = bias;
    fd_case c2 = *bf->c;
    c2.a = a;
    return attn_loss(bf->qkv, &c2);
}

static tensor T_(cl_mem m, size_t n)
{
    tensor t = {m, 0, n};
    return t;
}

/* Runs one case through the reference, finite differences, both device
 * paths, and compares everything. nbias: length of the bias array. */
static void run_case(const char *name, double *bias, size_t nbias, size_t sb, size_t si,
                     int additive, float p, int fd_bias_all)
{
    printf("case %s\n", name);
    double qkv[NQKV], dctx[N * D];
    ref_fill(&rng, qkv, NQKV, 1.5);
    ref_fill(&rng, dctx, N * D, 1.0);
    for (int i = 0; i < NQKV; i++) qkv[i] = (float)qkv[i];
    for (int i = 0; i < N * D; i++) dctx[i] = (float)dctx[i];
    ref_attn a = {B, T, H, D, bias, sb, si, additive, p, 77, 88, 5, 42, 8}; /* stream offset 8 */

    double out[N * D], probs[NSQ], dqkv[NQKV], dbias[B * T * T] = {0};
    ref_attention_forward(out, probs, qkv, &a);
    ref_attention_backward(dqkv, dbias, dctx, qkv, &a);
    for (int i = 0; i < N * D; i++) CHECK(isfinite(out[i]), "reference output finite");

    /* The reference backward against finite differences (masks fixed). */
    fd_case c = {a, dctx, bias};
    double *fd = malloc(NQKV * sizeof *fd);
    ref_fd_grad(attn_loss, &c, qkv, NQKV, 1e-5, fd);
    test_compare_d("reference dqkv vs finite differences", dqkv, fd, NQKV, 1e-6, 1e-6);
    free(fd);
    if (nbias == (size_t)B * T * T) {
        /* dS' at every entry in the additive mode; at masked entries (where
         * S' = G is smooth in G) in the replace mode. */
        double fdb[B * T * T], want[B * T * T], got[B * T * T];
        bias_fd bf = {&c, qkv};
        ref_fd_grad(attn_loss_bias, &bf, bias, nbias, 1e-4, fdb);
        size_t n = 0;
        for (size_t i = 0; i < nbias; i++)
            if (fd_bias_all || bias[i] < 0) {
                got[n] = dbias[i];
                want[n++] = fdb[i];
            }
        test_compare_d("reference dbias vs finite differences", got, want, n, 1e-6, 1e-5);
    }

    cl_mem mqkv = test_upload(ctx, qkv, NQKV), mbias = test_upload(ctx, bias, nbias),
           mdctx = test_upload(ctx, dctx, N * D), mout = test_upload(ctx, dctx, N * D),
           mlse = test_upload(ctx, qkv, 2 * B * H * T), msum = test_upload(ctx, qkv, B * H * T),
           mdqkv = test_upload(ctx, qkv, NQKV), mdb = test_upload(ctx, qkv, B * T * T),
           mprobs = test_upload(ctx, probs, NSQ), mpd = test_upload(ctx, probs, NSQ),
           mds = test_upload(ctx, probs, NSQ);
    attn_desc d = {B, T, H, D, T_(mbias, nbias), sb, si, additive, p, {77, 88, 5, 42, 8}};
    tensor tdb = nbias == (size_t)B * T * T ? T_(mdb, B * T * T) : T_(mdb, 0);
    double got[NSQ > NQKV ? NSQ : NQKV], fused_out[N * D], fused_dqkv[NQKV], fused_db[B * T * T];

    /* Fused. */
    CHECK_OK(op_attention_forward(ctx, T_(mout, N * D), T_(mlse, 2 * B * H * T), T_(mqkv, NQKV), &d));
    test_download(ctx, mout, 0, N * D, fused_out);
    test_compare_d("fused forward", fused_out, out, N * D, 1e-5, 1e-4);
    CHECK_OK(op_attention_backward(ctx, T_(mdqkv, NQKV), tdb, T_(mdctx, N * D), T_(mout, N * D),
                                   T_(mlse, 2 * B * H * T), T_(msum, B * H * T), T_(mqkv, NQKV), &d));
    test_download(ctx, mdqkv, 0, NQKV, fused_dqkv);
    test_compare_d("fused backward dqkv", fused_dqkv, dqkv, NQKV, 2e-5, 1e-3);
    if (tdb.n) {
        test_download(ctx, mdb, 0, B * T * T, fused_db);
        test_compare_d("fused backward dbias", fused_db, dbias, B * T * T, 2e-5, 1e-3);
    }

    /* Plain. */
    CHECK_OK(attention_plain_forward(ctx, T_(mout, N * D), T_(mprobs, NSQ), T_(mpd, NSQ),
                                     T_(mqkv, NQKV), &d));
    test_download(ctx, mout, 0, N * D, got);
    test_compare_d("plain forward", got, out, N * D, 1e-5, 1e-4);
    test_compare_d("fused forward vs plain", fused_out, got, N * D, 1e-5, 1e-4);
    test_download(ctx, mprobs, 0, NSQ, got);
    test_compare_d("plain probabilities", got, probs, NSQ, 1e-6, 1e-4);
    CHECK_OK(attention_plain_backward(ctx, T_(mdqkv, NQKV), tdb, T_(mdctx, N * D),
                                      T_(mprobs, NSQ), T_(mpd, NSQ), T_(mds, NSQ),
                                      T_(mqkv, NQKV), &d));
    test_download(ctx, mdqkv, 0, NQKV, got);
    test_compare_d("plain backward dqkv", got, dqkv, NQKV, 2e-5, 1e-3);
    test_compare_d("fused backward vs plain dqkv", fused_dqkv, got, NQKV, 2e-5, 1e-3);
    if (tdb.n) {
        test_download(ctx, mdb, 0, B * T * T, got);
        test_compare_d("plain backward dbias", got, dbias, B * T * T, 2e-5, 1e-3);
        test_compare_d("fused backward vs plain dbias", fused_db, got, B * T * T, 2e-5, 1e-3);
    }
    cl_mem all[] = {mqkv, mbias, mdctx, mout, mlse, msum, mdqkv, mdb, mprobs, mpd, mds};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) rt_buffer_release(&all[i]);
}

/* With every key of a row masked (replace semantics), the probabilities are
 * uniform over all T positions, padding included, and the output is the
 * mean of the value rows: never NaN. */
static void fully_masked_rows(void)
{
    double qkv[NQKV], bias[B * T * T];
    ref_fill(&rng, qkv, NQKV, 3.0);
    for (int i = 0; i < B * T * T; i++) bias[i] = -10000.0;
    double want[N * D], got[N * D], pr[NSQ] = {0};
    cl_mem mqkv = test_upload(ctx, qkv, NQKV), mbias = test_upload(ctx, bias, B * T * T),
           mout = test_upload(ctx, qkv, N * D), mlse = test_upload(ctx, qkv, 2 * B * H * T),
           mprobs = test_upload(ctx, pr, NSQ), mpd = test_upload(ctx, pr, NSQ);
    attn_desc d = {B, T, H, D, T_(mbias, B * T * T), T * T, T, 0, 0.0f, {1, 2, 3, 4, 0}};
    for (int b = 0; b < B; b++)
        for (int i = 0; i < T; i++)
            for (int c = 0; c < D; c++) {
                double s = 0;
                for (int j = 0; j < T; j++) s += (float)qkv[(b * T + j) * 3 * D + 2 * D + c];
                want[(b * T + i) * D + c] = s / T;
            }
    CHECK_OK(op_attention_forward(ctx, T_(mout, N * D), T_(mlse, 2 * B * H * T), T_(mqkv, NQKV), &d));
    test_download(ctx, mout, 0, N * D, got);
    test_compare_d("fused, all keys masked: mean of V", got, want, N * D, 1e-6, 1e-5);
    CHECK_OK(attention_plain_forward(ctx, T_(mout, N * D), T_(mprobs, NSQ), T_(mpd, NSQ),
                                     T_(mqkv, NQKV), &d));
    test_download(ctx, mout, 0, N * D, got);
    test_compare_d("plain, all keys masked: mean of V", got, want, N * D, 1e-6, 1e-5);
    test_download(ctx, mprobs, 0, NSQ, pr);
    int uniform = 1;
    for (int i = 0; i < NSQ; i++) uniform &= (float)pr[i] == (float)(1.0 / T);
    CHECK(uniform, "all-masked rows: every probability is exactly 1/T");
    cl_mem all[] = {mqkv, mbias, mout, mlse, mprobs, mpd};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) rt_buffer_release(&all[i]);
}

int main(void)
{
    ctx = test_ctx();
    /* Clean pass: the padding vector P[b, j]. */
    double pad[B * T];
    for (int b = 0; b < B; b++)
        for (int j = 0; j < T; j++) pad[b * T + j] = j < lens[b] ? 0.0 : -10000.0;
    run_case("clean pass, padding bias, dropout 0.2", pad, B * T, T, 0, 0, 0.2f, 0);

    /* ASA: a random keep/mask pattern shared by heads, padding keys masked,
     * and some rows with every key masked. */
    double mask[B * T * T];
    for (int b = 0; b < B; b++)
        for (int i = 0; i < T; i++)
            for (int j = 0; j < T; j++) {
                int keep = j < lens[b] && ref_uniform(&rng) > -0.2;
                if ((b == 0 && i == 3) || (b == 2 && i == 0)) keep = 0; /* fully masked rows */
                mask[(b * T + i) * T + j] = keep ? 0.0 : -10000.0;
            }
    run_case("ASA mask bias, replace, dropout 0.2", mask, B * T * T, T * T, T, 0, 0.2f, 0);

    double addb[B * T * T];
    ref_fill(&rng, addb, B * T * T, 2.0);
    for (int i = 0; i < B * T * T; i++) addb[i] = (float)addb[i];
    run_case("additive bias, dropout 0.1", addb, B * T * T, T * T, T, 1, 0.1f, 1);

    fully_masked_rows();
    asacl_ctx_destroy(ctx);
    return test_finish("test_attention");
}
