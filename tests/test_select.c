/* test_select.c -- device selection parsing on a made-up device list (needs
 * no OpenCL device): flat index, P:D, name substring, default, no match. */
#include "test_util.h"

static asacl_device_info dev(size_t index, unsigned p, unsigned d, const char *name,
                             asacl_device_type type)
{
    asacl_device_info x;
    memset(&x, 0, sizeof x);
    x.index = index;
    x.platform_index = p;
    x.device_index = d;
    snprintf(x.name, sizeof x.name, "%s", name);
    snprintf(x.platform_name, sizeof x.platform_name, "Platform %u", p);
    x.type = type;
    return x;
}

static size_t pick(const asacl_device_info *l, size_t n, const char *spec, asacl_status want)
{
    size_t idx = 999;
    asacl_status st = asacl_device_match(l, n, spec, &idx);
    CHECK(st == want, "spec '%s': got %s, want %s (%s)", spec ? spec : "(null)",
          asacl_status_str(st), asacl_status_str(want), asacl_last_error());
    return idx;
}

int main(void)
{
    asacl_device_info l[4] = {
        dev(0, 0, 0, "pthread-skylake-avx512-Intel(R) Xeon(R)", ASACL_DEVICE_CPU),
        dev(1, 1, 0, "NVIDIA H100 80GB HBM3", ASACL_DEVICE_GPU),
        dev(2, 1, 1, "NVIDIA GeForce RTX 4090", ASACL_DEVICE_GPU),
        dev(3, 2, 0, "gfx90a:sramecc+:xnack-", ASACL_DEVICE_GPU),
    };
    size_t n = 4;

    /* Flat index. */
    CHECK(pick(l, n, "0", ASACL_OK) == 0, "index 0");
    CHECK(pick(l, n, "3", ASACL_OK) == 3, "index 3");
    pick(l, n, "4", ASACL_ERR_NO_DEVICE);
    /* P:D */
    CHECK(pick(l, n, "1:1", ASACL_OK) == 2, "1:1");
    CHECK(pick(l, n, "2:0", ASACL_OK) == 3, "2:0");
    CHECK(pick(l, n, "0:0", ASACL_OK) == 0, "0:0");
    pick(l, n, "0:1", ASACL_ERR_NO_DEVICE);
    pick(l, n, "3:0", ASACL_ERR_NO_DEVICE);
    /* Substring, any case; the first match wins. */
    CHECK(pick(l, n, "rtx", ASACL_OK) == 2, "rtx");
    CHECK(pick(l, n, "nvidia", ASACL_OK) == 1, "nvidia");
    CHECK(pick(l, n, "XEON", ASACL_OK) == 0, "XEON");
    CHECK(pick(l, n, "gfx90a", ASACL_OK) == 3, "gfx90a");
    /* Things that look numeric but are not indices are names. */
    CHECK(pick(l, n, "4090", ASACL_ERR_NO_DEVICE) == 999, "4090 is an index out of range");
    CHECK(pick(l, n, "H100 80", ASACL_OK) == 1, "name with a space");
    pick(l, n, "1:", ASACL_ERR_NO_DEVICE);
    pick(l, n, "-1", ASACL_ERR_NO_DEVICE);
    /* No match: the message lists every device. */
    pick(l, n, "radeon", ASACL_ERR_NO_DEVICE);
    const char *msg = asacl_last_error();
    CHECK(strstr(msg, "radeon") && strstr(msg, "RTX 4090") && strstr(msg, "1:1") &&
              strstr(msg, "gfx90a"),
          "no-match message should name the spec and list the devices: %s", msg);
    /* Default: the first GPU, else the first device. */
    CHECK(pick(l, n, NULL, ASACL_OK) == 1, "default picks the first GPU");
    CHECK(pick(l, n, "", ASACL_OK) == 1, "empty spec is the default");
    CHECK(pick(l, 1, NULL, ASACL_OK) == 0, "no GPU: the first device");
    l[1].type = ASACL_DEVICE_ACCELERATOR;
    CHECK(pick(l, n, NULL, ASACL_OK) == 2, "the first GPU after an accelerator");
    /* No devices at all. */
    pick(l, 0, NULL, ASACL_ERR_NO_DEVICE);
    CHECK(strstr(asacl_last_error(), "pocl") != NULL, "no device: hint about PoCL: %s",
          asacl_last_error());
    pick(l, 0, "0", ASACL_ERR_NO_DEVICE);
    /* Bad arguments. */
    size_t idx;
    CHECK(asacl_device_match(l, n, "0", NULL) == ASACL_ERR_INVALID_ARG, "NULL index");
    CHECK(asacl_device_match(NULL, 2, "0", &idx) == ASACL_ERR_INVALID_ARG, "NULL list");
    /* Status strings exist for every code. */
    for (int s = ASACL_OK; s <= ASACL_ERR_INTERNAL; s++)
        CHECK(strcmp(asacl_status_str((asacl_status)s), "unknown status") != 0, "status %d", s);
    return test_finish("test_select");
}
