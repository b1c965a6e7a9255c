/* test_runtime.c -- the OpenCL runtime on a real device: device facts, a
 * kernel's results against the host, build errors that name the file and
 * carry the compiler's log, and buffer size limits. */
#include "ops/ops.h"
#include "test_util.h"

static void check_devices(void)
{
    asacl_device_info *list = NULL;
    size_t n = 0;
    REQUIRE_OK(asacl_devices_query(&list, &n));
    CHECK(n >= 1, "at least one device");
    for (size_t i = 0; i < n; i++) {
        const asacl_device_info *d = &list[i];
        CHECK(d->index == i, "flat index %zu", i);
        CHECK(d->name[0] && d->vendor[0] && d->vendor_id[0] && d->platform_name[0],
              "device %zu has names", i);
        CHECK(d->compute_units > 0 && d->global_mem_bytes > 0 && d->max_alloc_bytes > 0 &&
                  d->max_work_group_size > 0,
              "device %zu facts: cu %u mem %llu", i, d->compute_units,
              (unsigned long long)d->global_mem_bytes);
        CHECK(strncmp(d->opencl_c_version, "OpenCL C ", 9) == 0, "OpenCL C version '%s'",
              d->opencl_c_version);
        CHECK(!strncmp(d->profile, "shipped:", 8) || !strncmp(d->profile, "user:", 5) ||
                  !strncmp(d->profile, "file:", 5),
              "device %zu profile '%s'", i, d->profile);
        /* Selecting by P:D and by name finds this device (or an earlier namesake). */
        char spec[32];
        size_t idx = 999;
        snprintf(spec, sizeof spec, "%u:%u", d->platform_index, d->device_index);
        CHECK_OK(asacl_device_match(list, n, spec, &idx));
        CHECK(idx == i, "P:D selects device %zu, got %zu", i, idx);
        CHECK_OK(asacl_device_match(list, n, d->name, &idx));
        CHECK(idx <= i && !strcmp(list[idx].name, d->name), "name selects '%s'", d->name);
    }
    asacl_devices_free(list);
}

/* fill, scale and axpy on a window in the middle of a buffer; the floats
 * around the window are canaries that must not change. */
static void check_vector_kernels(asacl_ctx *ctx)
{
    enum { TOTAL = 1200, OFF = 37, N = 1001 };
    float *host = malloc(TOTAL * sizeof(float)), *got = malloc(TOTAL * sizeof(float));
    double *want = malloc(TOTAL * sizeof(double));
    for (int i = 0; i < TOTAL; i++) host[i] = (float)(0.25 * i - 100.0);
    cl_mem a, b;
    REQUIRE_OK(rt_buffer_create(ctx, TOTAL * sizeof(float), "test a", &a));
    REQUIRE_OK(rt_buffer_create(ctx, TOTAL * sizeof(float), "test b", &b));
    REQUIRE_OK(rt_upload(ctx, a, 0, TOTAL, host));
    REQUIRE_OK(rt_upload(ctx, b, 0, TOTAL, host));
    tensor ta = {a, OFF, N}, tb = {b, OFF + 5, N};

    CHECK_OK(op_fill(ctx, ta, 1.5f));
    CHECK_OK(op_scale(ctx, tb, -3.0f));
    CHECK_OK(op_axpy(ctx, ta, tb, 0.5f)); /* a = 1.5 + 0.5 * (-3 * b0) */
    CHECK_OK(rt_download(ctx, a, 0, TOTAL, got));
    for (int i = 0; i < TOTAL; i++) {
        int j = i - OFF;
        want[i] = (j >= 0 && j < N) ? 1.5 + 0.5 * (-3.0 * host[i + 5]) : host[i];
    }
    test_compare("fill+scale+axpy (window of a)", got, want, TOTAL, 0, 1e-6);
    CHECK_OK(rt_download(ctx, b, 0, TOTAL, got));
    for (int i = 0; i < TOTAL; i++) {
        int j = i - OFF - 5;
        want[i] = (j >= 0 && j < N) ? -3.0 * host[i] : host[i];
    }
    test_compare("scale (window of b)", got, want, TOTAL, 0, 1e-6);

    tensor short_b = {b, 0, N - 1};
    CHECK(op_axpy(ctx, ta, short_b, 1.0f) == ASACL_ERR_INVALID_ARG, "axpy length mismatch");
    rt_buffer_release(&a);
    rt_buffer_release(&b);
    free(host);
    free(got);
    free(want);
}

static void check_build_error(asacl_ctx *ctx)
{
    const char *src = "__kernel void k(__global float *x)\n{\n    x[0] = undefined_name_xyz;\n}\n";
    cl_program p = NULL;
    asacl_status st = rt_program_build(ctx, "cl/broken.cl", src, "-cl-std=CL1.2", &p, NULL);
    CHECK(st == ASACL_ERR_BUILD, "a broken kernel fails with ASACL_ERR_BUILD, got %s",
          asacl_status_str(st));
    const char *msg = asacl_last_error();
    CHECK(strstr(msg, "cl/broken.cl") != NULL, "message names the file: %s", msg);
    CHECK(strstr(msg, "undefined_name_xyz") != NULL, "message carries the build log: %s", msg);
    CHECK(p == NULL, "no program on failure");
}

static void check_limits(asacl_ctx *ctx)
{
    cl_mem m = NULL;
    size_t huge = (size_t)asacl_ctx_device(ctx)->max_alloc_bytes + 4096;
    asacl_status st = rt_buffer_create(ctx, huge, "a huge test buffer", &m);
    CHECK(st == ASACL_ERR_TOO_LARGE, "over-size buffer: got %s", asacl_status_str(st));
    CHECK(strstr(asacl_last_error(), "a huge test buffer") != NULL, "names the buffer: %s",
          asacl_last_error());
    CHECK(m == NULL, "no buffer");
    CHECK(asacl_ctx_build_program(ctx, "no-such-program", NULL) == ASACL_ERR_INVALID_ARG,
          "unknown program name");
}

int main(void)
{
    asacl_ctx *ctx = test_ctx();
    printf("device: %s (%s), profile %s\n", asacl_ctx_device(ctx)->name,
           asacl_ctx_device(ctx)->platform_name, asacl_ctx_profile(ctx));
    check_devices();
    check_vector_kernels(ctx);
    check_build_error(ctx);
    check_limits(ctx);
    asacl_ctx_destroy(ctx);
    return test_finish("test_runtime");
}
