/* test_gemm.c -- the GEMM interface (src/gemm) against a double-precision
 * host reference (gemm_check.c), for the CLBlast and own backends: every transpose case, the batched path
 * (separate and interleaved matrices), odd sizes (1, primes, not multiples
 * of the tiles), K = 0, offsets and leading dimensions wider than the
 * matrices, alpha/beta combinations, beta = 0 with NaN in C; elements
 * outside the output windows must stay untouched. Then the profile's
 * backend choice per shape class: a context made with a test profile must
 * report and use what the profile says. */
#define _POSIX_C_SOURCE 200809L
#include <float.h>
#include <stdio.h>
#include <unistd.h>

#include "gemm_check.h"
#include "gemm/gemm_state.h"

static const char *TEST_PROFILE =
    "{ \"asacl_profile\": 1, \"identity\": {}, \"tuned\": false,\n"
    "  \"description\": \"test_gemm: backend choice per class\",\n"
    "  \"kernels\": { \"gemm\": {\n"
    "    \"NN_BACKEND\": 0, \"NT_BACKEND\": 1, \"TN_BACKEND\": 1, \"TT_BACKEND\": 0,\n"
    "    \"BATCHED_BACKEND\": 1, \"TILE_VW\": 4, \"TILE_NV\": 2, \"TILE_RM\": 3,\n"
    "    \"GROUP_X\": 2, \"GROUP_Y\": 2, \"TN_KC\": 8, \"TN_PACK_A\": 2, \"NT_CP\": 2, \"NT_RP\": 3,\n"
    "    \"TN_PACK_B\": 0 } } }\n";

/* gelu(x) = x Phi(x) and gelu'(x) = Phi(x) + x phi(x) in double, Phi from
 * erfc. */
static double gelu_d(double x)
{
    return x * 0.5 * erfc(-x / sqrt(2.0));
}

static double gelu_grad_d(double x)
{
    return 0.5 * erfc(-x / sqrt(2.0)) + x * exp(-0.5 * x * x) / sqrt(2.0 * 3.14159265358979323846);
}

/* C = alpha op(A) op(B), + bias (a row added to every row of C) when
 * with_bias, and the GELU step `gelu` names (0: none; GEMM_GELU_FORWARD:
 * act = gelu(C); GEMM_GELU_BACKWARD: C *= gelu'(act), act holding data), act
 * in C's layout: run by `own` (gemm_own_run_fused with p's walk) or, when p
 * is NULL, by gemm_fused, which must fuse exactly when the class runs on the
 * own kernels (else C is the product alone and act untouched). Checked
 * against a double reference, elements outside the windows unchanged, C
 * (and act, when written) full of NaN before. */
static void check_epilogue(asacl_ctx *ctx, const char *tag, const gemm_choice *p, int ta, int tb,
                           size3 z, float alpha, int with_bias, int gelu)
{
    operand a, b, c, bias, act;
    operand_make(ctx, &a, ta ? z.k : z.m, ta ? z.m : z.k, 3, 7, 0, 1, 0);
    operand_make(ctx, &b, tb ? z.n : z.k, tb ? z.k : z.n, 1, 5, 0, 1, 0);
    operand_make(ctx, &c, z.m, z.n, 2, 3, 0, 1, 1);
    operand_make(ctx, &bias, 1, z.n, 0, 9, 0, 1, 0);
    /* C's layout; the GELU's input (data, with its pad) for the backward */
    operand_make(ctx, &act, z.m, z.n, 2, 3, 0, 1, gelu != GEMM_GELU_BACKWARD);
    gemm_mat bias_m = {bias.d, bias.off, 0}, *biasp = with_bias ? &bias_m : NULL;
    gemm_gelu act_g = {(gemm_gelu_kind)gelu, mat_of(&act)}, *gelup = gelu ? &act_g : NULL;
    gemm_shape s = {ta, tb, z.m, z.n, z.k};
    int fused = 1, want_fused = 1;
    if (p) {
        gemm_stride none = {0, 0};
        CHECK_OK(gemm_own_run_fused(ctx, &p->own, s, alpha, mat_of(&a), none, mat_of(&b), none,
                                    0.0f, mat_of(&c), none, 1, 1, biasp, gelup));
    } else {
        gemm_choice ch;
        REQUIRE_OK(gemm_choose(ctx, gemm_classify(s, 0), &ch));
        want_fused = ch.backend == GEMM_BACKEND_OWN;
        CHECK_OK(gemm_fused(ctx, s, alpha, mat_of(&a), mat_of(&b), mat_of(&c), biasp, gelup,
                            &fused));
        CHECK(fused == want_fused, "%s: gemm_fused fused %d on backend %s", tag, fused,
              gemm_backend_name(ch.backend));
    }
    float *got = malloc(c.size * sizeof *got), *got_act = malloc(act.size * sizeof *got_act);
    REQUIRE_OK(rt_download(ctx, c.d, 0, c.size, got));
    REQUIRE_OK(rt_download(ctx, act.d, 0, act.size, got_act));
    size_t bad = 0, first = (size_t)-1, bad_act = 0, first_act = (size_t)-1;
    double worst = 0, want_act_first = 0;
    for (size_t i = 0; i < c.size; i++) {
        size_t r = i >= c.off ? (i - c.off) / c.ld : 0, j = i >= c.off ? (i - c.off) % c.ld : 0;
        int inside = i >= c.off && r < z.m && j < z.n;
        double want = c.h[i], mag = 0;
        if (inside) {
            want = 0;
            for (size_t k = 0; k < z.k; k++) {
                double x = ta ? a.h[a.off + k * a.ld + r] : a.h[a.off + r * a.ld + k];
                double y = tb ? b.h[b.off + j * b.ld + k] : b.h[b.off + k * b.ld + j];
                want += x * y, mag += fabs(x * y);
            }
            want *= alpha, mag *= fabs(alpha);
            if (want_fused && with_bias)
                want += bias.h[bias.off + j], mag += fabs(bias.h[bias.off + j]);
        }
        double tol = 4.0 * FLT_EPSILON * sqrt((double)z.k + 1.0) * (mag + 1e-30);
        if (gelu == GEMM_GELU_BACKWARD && want_fused && inside) {
            /* |gelu'| <= 1.13 carries C's error; gelu' itself is good to
             * a few 1e-7 relative */
            double d = gelu_grad_d(act.h[i]);
            tol = 1.13 * tol + 3e-7 * fabs(want) + 1e-12;
            want *= d;
        }
        double err = fabs(got[i] - want);
        if (!(err <= tol) && !(got[i] == want)) {
            if (!bad++) first = i;
            if (!(err <= worst)) worst = err;
        }
        /* gelu' is within [-0.17, 1.13]: C's error passes through at most
         * 1.13 times; Phi's own relative error is below 1.2e-7 */
        double want_act =
            gelu == GEMM_GELU_FORWARD && want_fused && inside ? gelu_d(want) : act.h[i];
        double tol_act = 1.13 * tol + 2e-7 * fabs(want_act) + 1e-12;
        if (!(fabs(got_act[i] - want_act) <= tol_act) && !(got_act[i] == want_act) &&
            !(isnan(got_act[i]) && isnan(want_act)))
            if (!bad_act++) first_act = i, want_act_first = want_act;
    }
    CHECK(bad_act == 0, "%s %c%c M=%zu N=%zu K=%zu gelu %d: %zu of %zu act elements wrong "
          "(first at %zu: %g, want %g)", tag, ta ? 'T' : 'N', tb ? 'T' : 'N', z.m, z.n, z.k,
          gelu, bad_act, act.size, first_act, bad_act ? got_act[first_act] : 0.0,
          want_act_first);
    CHECK(bad == 0, "%s %c%c M=%zu N=%zu K=%zu alpha %g bias %d gelu %d: %zu of %zu elements "
          "wrong (first at %zu, worst error %g)", tag, ta ? 'T' : 'N', tb ? 'T' : 'N', z.m, z.n,
          z.k, alpha, with_bias, gelu, bad, c.size, first, worst);
    free(got), free(got_act);
    operand_free(&a);
    operand_free(&b);
    operand_free(&c);
    operand_free(&bias);
    operand_free(&act);
}

/* A context whose profile picks backends per class: gemm_choose reports it,
 * gemm()/gemm_batched() use it (counted), and the results are right. */
static void check_profile_choice(void)
{
    char path[] = "/tmp/asacl-test-gemm-XXXXXX";
    int fd = mkstemp(path);
    REQUIRE_OK(fd >= 0 ? ASACL_OK : ASACL_ERR_IO);
    CHECK(write(fd, TEST_PROFILE, strlen(TEST_PROFILE)) == (ssize_t)strlen(TEST_PROFILE),
          "writing the test profile");
    close(fd);
    asacl_ctx_options o;
    asacl_ctx_options_init(&o);
    o.profile_path = path;
    asacl_ctx *ctx = NULL;
    REQUIRE_OK(asacl_ctx_create(&o, &ctx));
    unlink(path);

    static const int want[GEMM_CLASS_COUNT] = {GEMM_BACKEND_CLBLAST, GEMM_BACKEND_OWN,
                                               GEMM_BACKEND_OWN, GEMM_BACKEND_CLBLAST,
                                               GEMM_BACKEND_OWN};
    for (int c = 0; c < GEMM_CLASS_COUNT; c++) {
        gemm_choice ch;
        REQUIRE_OK(gemm_choose(ctx, (gemm_class)c, &ch));
        CHECK((int)ch.backend == want[c], "class %s: backend %d, the profile says %d",
              gemm_class_name((gemm_class)c), (int)ch.backend, want[c]);
        CHECK(ch.own.vw == 4 && ch.own.nv == 2 && ch.own.rm == 3 && ch.own.wgx == 2 &&
                  ch.own.wgy == 2,
              "class %s: own tile %dx%d*%d, group %dx%d", gemm_class_name((gemm_class)c),
              ch.own.rm, ch.own.vw, ch.own.nv, ch.own.wgx, ch.own.wgy);
    }
    gemm_choice nt, tn;
    REQUIRE_OK(gemm_choose(ctx, GEMM_CLASS_NT, &nt));
    REQUIRE_OK(gemm_choose(ctx, GEMM_CLASS_TN, &tn));
    CHECK(nt.own.cp == 2 && nt.own.rp == 3 && tn.own.kc == 8 && tn.own.pack_a == 2 &&
              nt.own.pack_a == 0,
          "per-class walk: NT cp %d rp %d, TN kc %d pack_a %d", nt.own.cp, nt.own.rp, tn.own.kc,
          tn.own.pack_a);
    CHECK(tn.own.pack_b == 0 && nt.own.pack_b == 1, "per-class B copy: TN pack_b %d, NT %d",
          tn.own.pack_b, nt.own.pack_b);

    /* Each product through the interface: the right backend counts it. */
    for (int c = 0; c < GEMM_CLASS_COUNT; c++) {
        int ta = c == GEMM_CLASS_TN || c == GEMM_CLASS_TT;
        int tb = c == GEMM_CLASS_NT || c == GEMM_CLASS_TT || c == GEMM_CLASS_BATCHED;
        size_t batch = c == GEMM_CLASS_BATCHED ? 2 : 1;
        gemm_stats before, after;
        gemm_get_stats(ctx, &before);
        size3 z = {23, 21, 37};
        /* one alpha/beta pair per call: five calls per class */
        check_shape(ctx, "profile", VIA_DISPATCH, NULL, ta, tb, z, batch);
        gemm_get_stats(ctx, &after);
        unsigned long own = after.calls[GEMM_BACKEND_OWN] - before.calls[GEMM_BACKEND_OWN];
        unsigned long clb = after.calls[GEMM_BACKEND_CLBLAST] - before.calls[GEMM_BACKEND_CLBLAST];
        CHECK(want[c] == GEMM_BACKEND_OWN ? own == 5 && clb == 0 : clb == 5 && own == 0,
              "class %s: %lu own and %lu CLBlast calls", gemm_class_name((gemm_class)c), own,
              clb);
    }
    /* gemm_fused on a CLBlast class (NN): the product alone, fused = 0; on
     * an own class (NT, 2 x 2 work-groups) with the bias and the GELU. */
    size3 zb = {23, 21, 37};
    for (int gelu = GEMM_GELU_FORWARD; gelu <= GEMM_GELU_BACKWARD; gelu++) {
        check_epilogue(ctx, "profile gemm_fused", NULL, 0, 0, zb, 1.0f, 1, gelu);
        check_epilogue(ctx, "profile gemm_fused", NULL, 0, 1, zb, 1.0f, 1, gelu);
    }
    /* K = 0 on a CLBlast class: C = beta C all the same (own kernels). */
    size3 k0 = {7, 9, 0};
    check_shape(ctx, "profile K=0", VIA_DISPATCH, NULL, 0, 0, k0, 1);
    /* The small-tile, 2 x 2 work-group build on every case, op(B) read in
     * place where it can be (TN_PACK_B 0), and copied. */
    check_backend(ctx, "own 2x2 groups, B in place", GEMM_BACKEND_OWN, &tn);
    tn.own.pack_b = 1;
    check_backend(ctx, "own 2x2 groups", GEMM_BACKEND_OWN, &tn);
    tn.own.order = 1;
    check_backend(ctx, "own 2x2 groups, columns outer", GEMM_BACKEND_OWN, &tn);
    asacl_ctx_destroy(ctx);
}

int main(void)
{
    asacl_ctx *ctx = test_ctx();
    /* The own kernels with the parameters the device's profile gives them,
     * then with explicit walks: one tile per work-item and a small K block
     * (several K blocks, many work-items), and a wide walk. Same build. */
    gemm_choice ch;
    REQUIRE_OK(gemm_choose(ctx, GEMM_CLASS_NN, &ch));
    check_backend(ctx, "own", GEMM_BACKEND_OWN, &ch);
    gemm_choice small = ch;
    small.own.rp = 1, small.own.cp = 1, small.own.kc = 16, small.own.pack_a = 1;
    check_backend(ctx, "own rp1 cp1 kc16 pack_a", GEMM_BACKEND_OWN, &small);
    gemm_choice wide = ch;
    wide.own.rp = 2, wide.own.cp = 3, wide.own.kc = 40, wide.own.pack_a = 2;
    check_backend(ctx, "own rp2 cp3 kc40 pack_a 2", GEMM_BACKEND_OWN, &wide);
    /* op(B) read in place (NN, TN; a group that reaches past N still copies
     * it): one tile per work-item, and the wide walk, where groups inside N
     * and edge groups meet in one launch. */
    gemm_choice small_b = small, wide_b = wide;
    small_b.own.pack_b = 0, wide_b.own.pack_b = 0;
    check_backend(ctx, "own rp1 cp1 kc16, B in place", GEMM_BACKEND_OWN, &small_b);
    check_backend(ctx, "own rp2 cp3 kc40, B in place", GEMM_BACKEND_OWN, &wide_b);
    /* Column panels outer (ORDER 1) on the wide walk: A^T strips copied all
     * at once (pack_a 2, and 1, which becomes 2), read in place (0), and op(B)
     * read in place. */
    for (int pa = 0; pa <= 2; pa++) {
        gemm_choice o = wide;
        o.own.order = 1, o.own.pack_a = pa;
        char what[64];
        snprintf(what, sizeof what, "own rp2 cp3 kc40, columns outer, pack_a %d", pa);
        check_backend(ctx, what, GEMM_BACKEND_OWN, &o);
    }
    /* A^T and op(B) both read in place (PACK_A 0, PACK_B 0), rows outer. */
    gemm_choice wide_ab = wide_b;
    wide_ab.own.pack_a = 0;
    check_backend(ctx, "own rp2 cp3 kc40, A^T and B in place", GEMM_BACKEND_OWN, &wide_ab);
    gemm_choice wide_ob = wide_b;
    wide_ob.own.order = 1;
    check_backend(ctx, "own rp2 cp3 kc40, columns outer, B in place", GEMM_BACKEND_OWN, &wide_ob);
    wide_ab.own.order = 1;
    check_backend(ctx, "own rp2 cp3 kc40, columns outer, A^T and B in place", GEMM_BACKEND_OWN,
                  &wide_ab);
    wide_ob.own.order = 2; /* columns outer on the shapes with N > M only */
    check_backend(ctx, "own rp2 cp3 kc40, order by shape, B in place", GEMM_BACKEND_OWN, &wide_ob);
    {
        gemm_walk w1, w2, w3;
        gemm_shape wide_s = {1, 0, 256, 1024, 4096}, tall_s = {1, 0, 1024, 256, 4096};
        gemm_own_walk(ctx, &wide_ob.own, wide_s, 1, &w1);
        gemm_own_walk(ctx, &wide_ob.own, tall_s, 1, &w2);
        wide_ob.own.order = 1, wide_ob.own.pack_a = 1;
        gemm_own_walk(ctx, &wide_ob.own, tall_s, 1, &w3);
        CHECK(w1.order == 1 && w2.order == 0 && w3.order == 1 && w3.pack_a == 2,
              "walk order: %u on 256 x 1024 and %u on 1024 x 256 (ORDER 2), %u with pack_a %u "
              "(ORDER 1, PACK_A 1)",
              w1.order, w2.order, w3.order, w3.pack_a);
    }
    check_backend(ctx, "clblast", GEMM_BACKEND_CLBLAST, NULL);
    /* Through the interface with the device's own profile. */
    for (int ta = 0; ta < 2; ta++)
        for (int tb = 0; tb < 2; tb++) {
            size3 z = {45, 50, 70};
            check_shape(ctx, "gemm()", VIA_DISPATCH, NULL, ta, tb, z, 1);
            check_shape(ctx, "gemm_batched()", VIA_DISPATCH, NULL, ta, tb, z, 2);
        }
    check_seq_heads(ctx, "gemm_batched2()", VIA_DISPATCH, NULL);
    /* The bias and GELU epilogues: through gemm_fused with the device's
     * profile, and on the own kernels with several K blocks and edge tiles,
     * K = 0 (C = the bias), every transpose case, no GELU step, the forward
     * and the backward one (also without the bias, as the layers use it). */
    {
        size3 z = {45, 50, 70}, z0 = {9, 37, 0};
        for (int ta = 0; ta < 2; ta++)
            for (int tb = 0; tb < 2; tb++)
                for (int gelu = 0; gelu <= GEMM_GELU_BACKWARD; gelu++) {
                    check_epilogue(ctx, "gemm_fused", NULL, ta, tb, z, 1.0f, 1, gelu);
                    check_epilogue(ctx, "own kc16", &small, ta, tb, z, 0.5f, 1, gelu);
                    check_epilogue(ctx, "own rp2 cp3 kc40", &wide, ta, tb, z, -1.5f, 1, gelu);
                    check_epilogue(ctx, "own rp2 cp3 kc40, B in place", &wide_b, ta, tb, z,
                                   -1.5f, 1, gelu);
                }
        check_epilogue(ctx, "gemm_fused, no bias", NULL, 0, 0, z, 1.0f, 0, GEMM_GELU_BACKWARD);
        check_epilogue(ctx, "own kc16, no bias", &small, 0, 0, z, 1.0f, 0, GEMM_GELU_BACKWARD);
        for (int gelu = 0; gelu <= GEMM_GELU_BACKWARD; gelu++)
            check_epilogue(ctx, "own K=0", &small, 0, 1, z0, 1.0f, 1, gelu);
    }
    /* gemm_compare: the two backends agree within gemm_tolerance; a product
     * with another alpha does not. */
    {
        operand a, b, c1, c2, c3;
        operand_make(ctx, &a, 37, 150, 3, 1, 0, 2, 0);
        operand_make(ctx, &b, 150, 65, 1, 2, 0, 2, 0);
        operand_make(ctx, &c1, 37, 65, 2, 3, 0, 2, 1);
        operand_make(ctx, &c2, 37, 65, 0, 0, 0, 2, 1);
        operand_make(ctx, &c3, 37, 65, 0, 0, 0, 2, 1);
        gemm_shape s = {0, 0, 37, 65, 150};
        CHECK_OK(gemm_own_run(ctx, &ch.own, s, 1.0f, mat_of(&a), a.stride, mat_of(&b), b.stride,
                              0.0f, mat_of(&c1), c1.stride, 2));
        CHECK_OK(gemm_clblast_run(ctx, s, 1.0f, mat_of(&a), a.stride, mat_of(&b), b.stride, 0.0f,
                                  mat_of(&c2), c2.stride, 2));
        CHECK_OK(gemm_clblast_run(ctx, s, 1.001f, mat_of(&a), a.stride, mat_of(&b), b.stride,
                                  0.0f, mat_of(&c3), c3.stride, 2));
        double same = 1, other = 0;
        CHECK_OK(gemm_compare(ctx, s, 2, mat_of(&c1), c1.stride, mat_of(&c2), c2.stride, &same));
        CHECK_OK(gemm_compare(ctx, s, 2, mat_of(&c1), c1.stride, mat_of(&c3), c3.stride, &other));
        CHECK(same <= gemm_tolerance(s.k) && other > gemm_tolerance(s.k),
              "gemm_compare: %g between backends, %g against alpha 1.001 (tolerance %g)", same,
              other, gemm_tolerance(s.k));
        operand_free(&a);
        operand_free(&b);
        operand_free(&c1);
        operand_free(&c2);
        operand_free(&c3);
    }
    /* Operands that do not fit their buffers, or rows wider than ld, are
     * refused before anything is launched. */
    {
        cl_mem m;
        REQUIRE_OK(rt_buffer_create(ctx, 100 * sizeof(float), "small", &m));
        gemm_shape s = {0, 0, 10, 10, 10};
        gemm_mat ok = {m, 0, 10}, past = {m, 1, 10}, narrow = {m, 0, 9};
        CHECK(gemm_own_run(ctx, &ch.own, s, 1.0f, ok, 0, ok, 0, 0.0f, past, 0, 1) ==
                  ASACL_ERR_INVALID_ARG,
              "C past the end of its buffer");
        CHECK(gemm_own_run(ctx, &ch.own, s, 1.0f, narrow, 0, ok, 0, 0.0f, ok, 0, 1) ==
                  ASACL_ERR_INVALID_ARG,
              "A with ld < K");
        CHECK(gemm_own_run(ctx, &ch.own, s, 1.0f, ok, 0, ok, 1, 0.0f, ok, 0, 2) ==
                  ASACL_ERR_INVALID_ARG,
              "a batch of two 10 x 10 matrices in 100 floats");
        rt_buffer_release(&m);
    }
    asacl_ctx_destroy(ctx);
    check_profile_choice();
    return test_finish("test_gemm");
}
