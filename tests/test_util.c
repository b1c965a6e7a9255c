/* test_util.c -- shared test helpers (see test_util.h). */
#include "test_util.h"

int test_failures;

int test_finish(const char *name)
{
    if (test_failures) {
        fprintf(stderr, "%s: FAILED (%d failed checks)\n", name, test_failures);
        return 1;
    }
    printf("%s: passed\n", name);
    return 0;
}

/* Exits 77 (skip) or 1 (ASACL_REQUIRE_DEVICE=1) when no OpenCL device exists. */
void test_require_device(void)
{
    asacl_device_info *list = NULL;
    size_t n = 0;
    asacl_status st = asacl_devices_query(&list, &n);
    asacl_devices_free(list);
    if (st == ASACL_OK && n > 0) return;
    const char *req = getenv("ASACL_REQUIRE_DEVICE");
    int required = req && !strcmp(req, "1");
    fprintf(stderr, "%s: no OpenCL device (%s)%s\n", required ? "FAIL" : "SKIP",
            st == ASACL_OK ? "platforms without devices" : asacl_last_error(),
            required ? " and ASACL_REQUIRE_DEVICE=1" : "");
    exit(required ? 1 : SKIP_CODE);
}

/* A context on the default (or $ASACL_DEVICE) device, or skip. */
asacl_ctx *test_ctx(void)
{
    test_require_device();
    asacl_ctx *ctx = NULL;
    REQUIRE_OK(asacl_ctx_create(NULL, &ctx));
    return ctx;
}

/* Compares got against a double reference: |got - ref| <= atol + rtol*|ref|.
 * Prints the worst element and returns the number of violations; non-finite
 * references must be matched by the same non-finite value. */
size_t test_compare(const char *what, const float *got, const double *ref, size_t n,
                           double atol, double rtol)
{
    size_t bad = 0, first_bad = (size_t)-1, worst = 0;
    double max_abs = 0, max_rel = 0, worst_excess = -1;
    for (size_t i = 0; i < n; i++) {
        double g = got[i], r = ref[i];
        int ok;
        if (!isfinite(r)) {
            ok = (isnan(r) && isnan(g)) || g == r;
        } else {
            double d = fabs(g - r);
            ok = isfinite(g) && d <= atol + rtol * fabs(r);
            if (isfinite(g)) {
                if (d > max_abs) max_abs = d;
                double rel = d / (fabs(r) > 1e-30 ? fabs(r) : 1e-30);
                if (fabs(r) > atol && rel > max_rel) max_rel = rel;
                double excess = d - (atol + rtol * fabs(r));
                if (excess > worst_excess) {
                    worst_excess = excess;
                    worst = i;
                }
            }
        }
        if (!ok) {
            if (first_bad == (size_t)-1) first_bad = i;
            bad++;
        }
    }
    if (bad) {
        test_failures++;
        fprintf(stderr,
                "%s: %zu of %zu elements out of tolerance (atol %g, rtol %g); first bad [%zu] "
                "got %.9g want %.9g; max abs err %.3g, max rel err %.3g\n",
                what, bad, n, atol, rtol, first_bad, (double)got[first_bad], ref[first_bad],
                max_abs, max_rel);
    } else {
        printf("  %-40s n=%-7zu max abs err %.3g  max rel err %.3g\n", what, n, max_abs, max_rel);
    }
    (void)worst;
    return bad;
}


cl_mem test_upload(asacl_ctx *ctx, const double *x, size_t n)
{
    float *f = malloc((n ? n : 1) * sizeof *f);
    for (size_t i = 0; i < n; i++) f[i] = (float)x[i];
    cl_mem m;
    REQUIRE_OK(rt_buffer_create(ctx, n * sizeof(float), "test data", &m));
    REQUIRE_OK(rt_upload(ctx, m, 0, n, f));
    free(f);
    return m;
}

cl_mem test_upload_i(asacl_ctx *ctx, const int *x, size_t n)
{
    cl_mem m;
    REQUIRE_OK(rt_buffer_create(ctx, n * sizeof(int), "test data", &m));
    REQUIRE_OK(rt_upload_bytes(ctx, m, 0, n * sizeof(int), x));
    return m;
}

void test_download(asacl_ctx *ctx, cl_mem m, size_t off, size_t n, double *out)
{
    float *f = malloc((n ? n : 1) * sizeof *f);
    REQUIRE_OK(rt_download(ctx, m, off, n, f));
    for (size_t i = 0; i < n; i++) out[i] = f[i];
    free(f);
}

size_t test_compare_d(const char *what, const double *got, const double *ref, size_t n,
                      double atol, double rtol)
{
    float *f = malloc((n ? n : 1) * sizeof *f);
    for (size_t i = 0; i < n; i++) f[i] = (float)got[i];
    size_t bad = test_compare(what, f, ref, n, atol, rtol);
    free(f);
    return bad;
}
