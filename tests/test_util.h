/* test_util.h -- checks, device skip logic and numeric comparison for tests.
 * Every test exits non-zero on any failed check; tests that need an OpenCL
 * device exit 77 (ctest: skipped) when there is none, unless
 * ASACL_REQUIRE_DEVICE=1, which makes a missing device a failure. */
#ifndef ASACL_TEST_UTIL_H
#define ASACL_TEST_UTIL_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "asacl.h"
#include "runtime/runtime.h"

#define SKIP_CODE 77

extern int test_failures;

#define CHECK(cond, ...)                                                              \
    do {                                                                              \
        if (!(cond)) {                                                                \
            test_failures++;                                                          \
            fprintf(stderr, "%s:%d: CHECK(%s) failed: ", __FILE__, __LINE__, #cond);  \
            fprintf(stderr, __VA_ARGS__);                                             \
            fputc('\n', stderr);                                                      \
        }                                                                             \
    } while (0)

/* Checks that expr returns ASACL_OK, printing the library's message if not. */
#define CHECK_OK(expr)                                                                \
    do {                                                                              \
        asacl_status st_ = (expr);                                                    \
        if (st_ != ASACL_OK) {                                                        \
            test_failures++;                                                          \
            fprintf(stderr, "%s:%d: %s returned %s: %s\n", __FILE__, __LINE__, #expr, \
                    asacl_status_str(st_), asacl_last_error());                       \
        }                                                                             \
    } while (0)

/* Like CHECK_OK but stops the test: for set-up steps later checks rely on. */
#define REQUIRE_OK(expr)                                                              \
    do {                                                                              \
        asacl_status st_ = (expr);                                                    \
        if (st_ != ASACL_OK) {                                                        \
            fprintf(stderr, "%s:%d: %s returned %s: %s\n", __FILE__, __LINE__, #expr, \
                    asacl_status_str(st_), asacl_last_error());                       \
            exit(1);                                                                  \
        }                                                                             \
    } while (0)

/* Prints the verdict; returns the exit code (0 passed, 1 failed). */
int test_finish(const char *name);
/* Exits 77 (skip) or 1 (ASACL_REQUIRE_DEVICE=1) when no OpenCL device exists. */
void test_require_device(void);
/* A context on the default (or $ASACL_DEVICE) device, or skip. */
asacl_ctx *test_ctx(void);
/* Compares got against a double reference: |got - ref| <= atol + rtol*|ref|.
 * Prints the worst errors and returns the number of violations (each counted
 * as a failed check); non-finite references must be matched exactly. */
size_t test_compare(const char *what, const float *got, const double *ref, size_t n,
                    double atol, double rtol);

/* A device buffer holding x[0, n) as floats (ints for the _i variant). */
cl_mem test_upload(asacl_ctx *ctx, const double *x, size_t n);
cl_mem test_upload_i(asacl_ctx *ctx, const int *x, size_t n);
/* n floats from element off of m, as doubles. */
void test_download(asacl_ctx *ctx, cl_mem m, size_t off, size_t n, double *out);
/* Compares float device data (as doubles) with a reference; as test_compare. */
size_t test_compare_d(const char *what, const double *got, const double *ref, size_t n,
                      double atol, double rtol);

#endif
