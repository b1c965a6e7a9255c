/* test_gemm_tiled.c -- the tiled GEMM kernels (cl/gemm_tiled.cl,
 * src/gemm/gemm_tiled.c) against the double-precision host reference of
 * gemm_check.c, at several parameter sets: every transpose case, batched
 * and two-level batched, sizes that are not multiples of the tile (M, N)
 * or of the K step (K), K = 0, alpha/beta pairs, beta = 0 on NaN, odd
 * offsets and leading dimensions (float-by-float panel copies), and the
 * same at offsets, leading dimensions and strides that are multiples of VW
 * (vector copies, ragged at the edges). Every element of C outside the
 * windows must stay untouched. Then the profile: tiled classes chosen and
 * counted, per-class overrides, and invalid parameter sets (or a
 * kernels.gemm_tiled section) refused with ASACL_ERR_PROFILE and a message
 * naming what is wrong.
 *
 * Tolerance (gemm_check.c): 4 eps sqrt(K + 1) times the sum of the
 * magnitudes of the K terms (plus |beta C|): float32 accumulation of K
 * terms, rounding errors growing like sqrt(K) for random signs. */
#define _POSIX_C_SOURCE 200809L
#include <unistd.h>

#include "gemm_check.h"

static gemm_choice tiled_choice(int mwg, int nwg, int kwg, int mdimc, int ndimc, int vw, int pad)
{
    gemm_choice c;
    memset(&c, 0, sizeof c);
    c.backend = GEMM_BACKEND_TILED;
    gemm_tiled_params p = {mwg, nwg, kwg, mdimc, ndimc, vw, pad};
    c.tiled = p;
    return c;
}

static size_t round_up(size_t x, size_t m) { return (x + m - 1) / m * m; }

/* Operands whose offsets, leading dimensions and strides are multiples of
 * 8 (so of any VW): the vector copies run, except at ragged edges. */
static void check_aligned(asacl_ctx *ctx, const char *tag, const gemm_choice *p)
{
    const size_t M = 37, N = 45, K = 70, batch = 2;
    for (int ta = 0; ta < 2; ta++)
        for (int tb = 0; tb < 2; tb++) {
            operand a, b, c;
            size_t ar = ta ? K : M, ac = ta ? M : K, br = tb ? N : K, bc = tb ? K : N;
            size_t lda = round_up(ac, 8) + 8, ldb = round_up(bc, 8), ldc = round_up(N, 8) + 8;
            operand_make(ctx, &a, ar, ac, lda - ac, 16, ar * lda + 8, batch, 0);
            operand_make(ctx, &b, br, bc, ldb - bc, 8, br * ldb + 24, batch, 0);
            operand_make(ctx, &c, M, N, ldc - N, 24, M * ldc + 16, batch, 0);
            gemm_shape s = {ta, tb, M, N, K};
            char what[160];
            snprintf(what, sizeof what, "%s aligned %c%c M=%zu N=%zu K=%zu batch %zu", tag,
                     ta ? 'T' : 'N', tb ? 'T' : 'N', M, N, K, batch);
            check_product(ctx, what, GEMM_BACKEND_TILED, p, s, batch, 1.25f, -0.5f, &a, &b, &c);
            operand_free(&a);
            operand_free(&b);
            operand_free(&c);
        }
    /* (sequence, head) products with head size 8: qkv [B*T, 3D], D = H*8. */
    size_t B = 2, T = 13, H = 2, d = 8, D = H * d;
    operand qkv, probs, out;
    operand_make(ctx, &qkv, B * T, 3 * D, 0, 8, 0, 1, 0);
    operand_make(ctx, &probs, B * H * T, T, 3, 0, 0, 1, 0); /* ld 16 */
    operand_make(ctx, &out, B * T, D, 0, 0, 0, 1, 1);
    gemm_stride sq = {T * 3 * D, d}, ss = {H * T * 16, T * 16}, sr = {T * D, d};
    operand q = qkv, k = qkv, v = qkv;
    k.off += D, v.off += 2 * D;
    gemm_shape qk = {0, 1, T, T, d}, pv = {0, 0, T, d, T};
    char what[160];
    snprintf(what, sizeof what, "%s aligned (sequence, head) Q.K^T (NT)", tag);
    check_product2(ctx, what, GEMM_BACKEND_TILED, p, qk, 0.35f, 0.0f, &q, sq, &k, sq, &probs, ss,
                   B, H);
    snprintf(what, sizeof what, "%s aligned (sequence, head) P.V (NN)", tag);
    check_product2(ctx, what, GEMM_BACKEND_TILED, p, pv, 1.0f, 0.0f, &probs, ss, &v, sq, &out, sr,
                   B, H);
    operand_free(&qkv);
    operand_free(&probs);
    operand_free(&out);
}

/* A context under a profile whose gemm section is `gemm` (JSON members). */
static asacl_status ctx_with(const char *gemm, asacl_ctx **ctx)
{
    char path[] = "/tmp/asacl-test-gemm-tiled-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0) return ASACL_ERR_IO;
    char doc[2048];
    int n = snprintf(doc, sizeof doc,
                     "{ \"asacl_profile\": 1, \"identity\": {}, \"tuned\": false,\n"
                     "  \"description\": \"test_gemm_tiled\",\n"
                     "  \"kernels\": { \"gemm\": { %s } } }\n",
                     gemm);
    int ok = write(fd, doc, (size_t)n) == n;
    close(fd);
    asacl_ctx_options o;
    asacl_ctx_options_init(&o);
    o.profile_path = path;
    asacl_status st = ok ? asacl_ctx_create(&o, ctx) : ASACL_ERR_IO;
    unlink(path);
    return st;
}

/* A profile choosing the tiled kernels for some classes: reported by
 * gemm_choose, used (and counted) by the interface, with right results. */
static void check_profile_choice(void)
{
    asacl_ctx *ctx = NULL;
    REQUIRE_OK(ctx_with("\"NN_BACKEND\": 2, \"NT_BACKEND\": 1, \"TN_BACKEND\": 2, "
                        "\"TT_BACKEND\": 0, \"BATCHED_BACKEND\": 2, \"TILED_MWG\": 16, "
                        "\"TILED_NWG\": 8, \"TILED_KWG\": 4, \"TILED_MDIMC\": 4, "
                        "\"TILED_NDIMC\": 4, \"TILED_VW\": 2, \"TILED_PAD\": 2, "
                        "\"BATCHED_MWG\": 8, \"BATCHED_KWG\": 8, \"BATCHED_VW\": 4",
                        &ctx));
    static const int want[GEMM_CLASS_COUNT] = {GEMM_BACKEND_TILED, GEMM_BACKEND_OWN,
                                               GEMM_BACKEND_TILED, GEMM_BACKEND_CLBLAST,
                                               GEMM_BACKEND_TILED};
    for (int c = 0; c < GEMM_CLASS_COUNT; c++) {
        gemm_choice ch;
        REQUIRE_OK(gemm_choose(ctx, (gemm_class)c, &ch));
        const gemm_tiled_params *t = &ch.tiled;
        int batched = c == GEMM_CLASS_BATCHED;
        CHECK((int)ch.backend == want[c], "class %s: backend %s, the profile says %s",
              gemm_class_name((gemm_class)c), gemm_backend_name(ch.backend),
              gemm_backend_name((gemm_backend)want[c]));
        CHECK(t->mwg == (batched ? 8 : 16) && t->nwg == 8 && t->kwg == (batched ? 8 : 4) &&
                  t->mdimc == 4 && t->ndimc == 4 && t->vw == (batched ? 4 : 2) && t->pad == 2,
              "class %s: tiled MWG %d NWG %d KWG %d MDIMC %d NDIMC %d VW %d PAD %d",
              gemm_class_name((gemm_class)c), t->mwg, t->nwg, t->kwg, t->mdimc, t->ndimc, t->vw,
              t->pad);
    }
    for (int c = 0; c < GEMM_CLASS_COUNT; c++) {
        int ta = c == GEMM_CLASS_TN || c == GEMM_CLASS_TT;
        int tb = c == GEMM_CLASS_NT || c == GEMM_CLASS_TT || c == GEMM_CLASS_BATCHED;
        size_t batch = c == GEMM_CLASS_BATCHED ? 3 : 1;
        gemm_stats before, after;
        gemm_get_stats(ctx, &before);
        size3 z = {23, 21, 37};
        check_shape(ctx, "profile", VIA_DISPATCH, NULL, ta, tb, z, batch); /* five calls */
        gemm_get_stats(ctx, &after);
        for (int b = 0; b < GEMM_BACKEND_COUNT; b++) {
            unsigned long n = after.calls[b] - before.calls[b];
            CHECK(n == (b == want[c] ? 5u : 0u), "class %s: %lu calls on %s",
                  gemm_class_name((gemm_class)c), n, gemm_backend_name((gemm_backend)b));
        }
    }
    /* K = 0 on a tiled class: C = beta C, by the tiled kernels. */
    gemm_stats before, after;
    gemm_get_stats(ctx, &before);
    size3 k0 = {7, 9, 0};
    check_shape(ctx, "profile K=0", VIA_DISPATCH, NULL, 0, 0, k0, 1);
    gemm_get_stats(ctx, &after);
    CHECK(after.calls[GEMM_BACKEND_TILED] - before.calls[GEMM_BACKEND_TILED] == 5,
          "K = 0 on a tiled class: %lu tiled calls",
          after.calls[GEMM_BACKEND_TILED] - before.calls[GEMM_BACKEND_TILED]);
    check_seq_heads(ctx, "profile gemm_batched2()", VIA_DISPATCH, NULL);
    /* gemm_reserve builds the tiled kernel of a tiled class. */
    gemm_shape tn = {1, 0, 40, 30, 200};
    CHECK_OK(gemm_reserve(ctx, tn, 40, 30, 30));
    asacl_ctx_destroy(ctx);
}

/* Profiles that must be refused when the GEMM choices are read. */
static void check_invalid_profiles(void)
{
    asacl_ctx *probe = test_ctx();
    const asacl_device_info *dev = asacl_ctx_device(probe);
    size_t max_items = dev->max_work_group_size;
    unsigned long long local = (unsigned long long)dev->local_mem_bytes;
    asacl_ctx_destroy(probe);

    char big_group[256];
    /* one work-item more than the device allows, in a tile of 1 x 1 blocks */
    size_t md = 1;
    while (md * md <= max_items) md *= 2;
    snprintf(big_group, sizeof big_group,
             "\"TN_BACKEND\": 2, \"TILED_MDIMC\": %zu, \"TILED_NDIMC\": %zu, \"TILED_MWG\": %zu, "
             "\"TILED_NWG\": %zu, \"TILED_VW\": 1",
             md, md, md, md);
    struct {
        const char *gemm, *says;
        int runs;
    } cases[] = {
        {"\"NN_BACKEND\": 3", "NN_BACKEND is 3", 1},
        {"\"NT_BACKEND\": -1", "NT_BACKEND is -1", 1},
        {"\"TN_ORDER\": 3", "TN_ORDER is 3", 1},
        {"\"NT_BACKEND\": 2, \"TILED_MWG\": 24, \"TILED_MDIMC\": 16", "not a multiple", 1},
        {"\"NN_BACKEND\": 2, \"TILED_VW\": 3", "out of range", 1},
        {"\"NN_BACKEND\": 2, \"TILED_VW\": 8, \"TILED_KWG\": 12", "VW 8 does not divide", 1},
        {"\"BATCHED_BACKEND\": 2, \"BATCHED_MDIMC\": 2, \"BATCHED_NDIMC\": 2",
         "register block", 1},
        {big_group, "work-items", 1},
        {"\"BATCHED_BACKEND\": 2, \"TILED_KWG\": 256, \"TILED_MWG\": 512, \"TILED_NWG\": 512, "
         "\"TILED_MDIMC\": 32, \"TILED_NDIMC\": 32, \"TILED_PAD\": 0",
         "local memory", local < 256ull * 1024 * 4 && max_items >= 1024},
        /* invalid tiled values on classes that do not use the tiled kernels: fine */
        {"\"NN_BACKEND\": 1, \"TILED_MWG\": 24, \"TILED_MDIMC\": 16", NULL, 1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        if (!cases[i].runs) {
            fprintf(stderr,
                    "  (the device has %llu bytes of local memory, work-groups of %zu: case "
                    "%zu not run)\n",
                    local, max_items, i);
            continue;
        }
        asacl_ctx *ctx = NULL;
        REQUIRE_OK(ctx_with(cases[i].gemm, &ctx));
        gemm_choice ch;
        asacl_status st = gemm_choose(ctx, GEMM_CLASS_NN, &ch);
        if (!cases[i].says) {
            CHECK(st == ASACL_OK, "profile {%s}: %s", cases[i].gemm, asacl_last_error());
        } else {
            const char *msg = asacl_last_error();
            CHECK(st == ASACL_ERR_PROFILE && strstr(msg, cases[i].says) && strstr(msg, "file:"),
                  "profile {%s}: status %s, message '%s' (expected '%s' and the profile's path)",
                  cases[i].gemm, asacl_status_str(st), msg, cases[i].says);
            /* and a product on the class is refused the same way */
            cl_mem m;
            REQUIRE_OK(rt_buffer_create(ctx, 64 * sizeof(float), "small", &m));
            gemm_shape s = {0, 0, 4, 4, 4};
            gemm_mat x = {m, 0, 4};
            CHECK(gemm(ctx, s, 1.0f, x, x, 0.0f, x) == ASACL_ERR_PROFILE,
                  "profile {%s}: a product ran", cases[i].gemm);
            rt_buffer_release(&m);
        }
        asacl_ctx_destroy(ctx);
    }
    /* A kernels.gemm_tiled section would build a tile the launches do not
     * assume: refused when the kernel is built. */
    asacl_ctx *ctx = NULL;
    REQUIRE_OK(ctx_with("\"NN_BACKEND\": 2 }, \"gemm_tiled\": { \"MWG\": 32", &ctx));
    cl_mem m;
    REQUIRE_OK(rt_buffer_create(ctx, 64 * sizeof(float), "small", &m));
    gemm_shape s = {0, 0, 4, 4, 4};
    gemm_mat x = {m, 0, 4};
    asacl_status st = gemm(ctx, s, 1.0f, x, x, 0.0f, x);
    CHECK(st == ASACL_ERR_PROFILE && strstr(asacl_last_error(), "kernels.gemm_tiled.MWG"),
          "a gemm_tiled section: status %s, message '%s'", asacl_status_str(st),
          asacl_last_error());
    rt_buffer_release(&m);
    asacl_ctx_destroy(ctx);
}

int main(void)
{
    asacl_ctx *ctx = test_ctx();
    /* Small tiles keep PoCL fast and put many tiles, K steps and edges in
     * every shape: VW 1, 4, 8 (VW 2 and PAD 2 in check_profile_choice);
     * MWG != NWG; K steps that are and are not powers of two; padded and
     * unpadded panels; register blocks 2 x 8, 4 x 3 and 4 x 4. The last is
     * the built-in default. */
    const gemm_choice sets[] = {
        tiled_choice(8, 16, 4, 4, 2, 4, 0),   /* MWI 2 x NWI 8, VW 4 */
        tiled_choice(12, 6, 5, 3, 2, 1, 1),   /* VW 1, K step 5 */
        tiled_choice(16, 32, 8, 4, 8, 8, 1),  /* VW 8 */
        tiled_choice(64, 64, 16, 16, 16, 4, 1),
    };
    gemm_choice def;
    gemm_tiled_defaults(&def.tiled);
    CHECK(!memcmp(&def.tiled, &sets[3].tiled, sizeof def.tiled), "the defaults changed");
    for (size_t i = 0; i < sizeof sets / sizeof sets[0]; i++) {
        const gemm_tiled_params *t = &sets[i].tiled;
        char tag[96];
        snprintf(tag, sizeof tag, "tiled %dx%d k%d group %dx%d vw%d pad%d", t->mwg, t->nwg, t->kwg,
                 t->mdimc, t->ndimc, t->vw, t->pad);
        char why[256];
        CHECK(!gemm_tiled_invalid(ctx, t, why, sizeof why), "%s: %s", tag, why);
        size_t before = (size_t)test_failures;
        check_backend(ctx, tag, GEMM_BACKEND_TILED, &sets[i]);
        check_aligned(ctx, tag, &sets[i]);
        fprintf(stderr, "%-50s %s\n", tag, (size_t)test_failures == before ? "ok" : "FAILED");
    }
    /* Invalid sets given directly: refused before anything is launched. */
    {
        gemm_choice bad = tiled_choice(24, 16, 8, 16, 4, 4, 1);
        cl_mem m;
        REQUIRE_OK(rt_buffer_create(ctx, 100 * sizeof(float), "small", &m));
        gemm_shape s = {0, 0, 10, 10, 10};
        gemm_mat ok = {m, 0, 10}, past = {m, 1, 10};
        CHECK(gemm_tiled_run(ctx, &bad.tiled, s, 1.0f, ok, 0, ok, 0, 0.0f, ok, 0, 1) ==
                  ASACL_ERR_INVALID_ARG,
              "MWG 24 with MDIMC 16 ran");
        CHECK(gemm_tiled_run(ctx, &sets[0].tiled, s, 1.0f, ok, 0, ok, 0, 0.0f, past, 0, 1) ==
                  ASACL_ERR_INVALID_ARG,
              "C past the end of its buffer");
        rt_buffer_release(&m);
    }
    asacl_ctx_destroy(ctx);
    check_profile_choice();
    check_invalid_profiles();
    return test_finish("test_gemm_tiled");
}
