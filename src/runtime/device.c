/* device.c -- OpenCL platform/device discovery, device facts, selection. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime.h"

#define MAX_PLATFORMS 16
#define MAX_DEVICES 64

const char *rt_device_type_name(asacl_device_type type)
{
    switch (type) {
    case ASACL_DEVICE_CPU: return "CPU";
    case ASACL_DEVICE_GPU: return "GPU";
    case ASACL_DEVICE_ACCELERATOR: return "accelerator";
    default: return "other";
    }
}

/* A short, stable vendor key for profile matching. */
static void normalise_vendor(const char *vendor, char *out, size_t cap)
{
    static const struct { const char *needle, *id; } known[] = {
        {"nvidia", "nvidia"},   {"advanced micro", "amd"}, {"amd", "amd"},
        {"intel", "intel"},     {"arm", "arm"},            {"apple", "apple"},
        {"qualcomm", "qualcomm"}, {"imagination", "imagination"},
        {"mesa", "mesa"},       {"pocl", "pocl"},
    };
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
        if (rt_strcasestr(vendor, known[i].needle)) {
            snprintf(out, cap, "%s", known[i].id);
            return;
        }
    }
    /* Unknown: the lower-cased first word. */
    size_t n = 0;
    while (vendor[n] && !isspace((unsigned char)vendor[n]) && n + 1 < cap) {
        out[n] = (char)tolower((unsigned char)vendor[n]);
        n++;
    }
    out[n] = 0;
    if (n == 0) snprintf(out, cap, "unknown");
}

static void dev_str(cl_device_id d, cl_device_info what, char *out, size_t cap)
{
    out[0] = 0;
    if (clGetDeviceInfo(d, what, cap, out, NULL) != CL_SUCCESS) out[0] = 0;
    out[cap - 1] = 0;
    /* Some drivers pad with spaces. */
    size_t n = strlen(out);
    while (n > 0 && isspace((unsigned char)out[n - 1])) out[--n] = 0;
}

static void fill_info(cl_platform_id p, cl_device_id d, asacl_device_info *info)
{
    clGetPlatformInfo(p, CL_PLATFORM_NAME, sizeof info->platform_name, info->platform_name, NULL);
    clGetPlatformInfo(p, CL_PLATFORM_VERSION, sizeof info->platform_version,
                      info->platform_version, NULL);
    info->platform_name[sizeof info->platform_name - 1] = 0;
    info->platform_version[sizeof info->platform_version - 1] = 0;
    dev_str(d, CL_DEVICE_NAME, info->name, sizeof info->name);
    dev_str(d, CL_DEVICE_VENDOR, info->vendor, sizeof info->vendor);
    dev_str(d, CL_DRIVER_VERSION, info->driver_version, sizeof info->driver_version);
    dev_str(d, CL_DEVICE_VERSION, info->device_version, sizeof info->device_version);
    dev_str(d, CL_DEVICE_OPENCL_C_VERSION, info->opencl_c_version, sizeof info->opencl_c_version);
    normalise_vendor(info->vendor, info->vendor_id, sizeof info->vendor_id);

    cl_device_type t = 0;
    clGetDeviceInfo(d, CL_DEVICE_TYPE, sizeof t, &t, NULL);
    info->type = (t & CL_DEVICE_TYPE_GPU)           ? ASACL_DEVICE_GPU
                 : (t & CL_DEVICE_TYPE_CPU)         ? ASACL_DEVICE_CPU
                 : (t & CL_DEVICE_TYPE_ACCELERATOR) ? ASACL_DEVICE_ACCELERATOR
                                                    : ASACL_DEVICE_OTHER;
    cl_uint u = 0;
    clGetDeviceInfo(d, CL_DEVICE_MAX_COMPUTE_UNITS, sizeof u, &u, NULL);
    info->compute_units = u;
    u = 0;
    clGetDeviceInfo(d, CL_DEVICE_MAX_CLOCK_FREQUENCY, sizeof u, &u, NULL);
    info->clock_mhz = u;
    cl_ulong v = 0;
    clGetDeviceInfo(d, CL_DEVICE_GLOBAL_MEM_SIZE, sizeof v, &v, NULL);
    info->global_mem_bytes = v;
    v = 0;
    clGetDeviceInfo(d, CL_DEVICE_LOCAL_MEM_SIZE, sizeof v, &v, NULL);
    info->local_mem_bytes = v;
    v = 0;
    clGetDeviceInfo(d, CL_DEVICE_MAX_MEM_ALLOC_SIZE, sizeof v, &v, NULL);
    info->max_alloc_bytes = v;
    size_t wg = 0;
    clGetDeviceInfo(d, CL_DEVICE_MAX_WORK_GROUP_SIZE, sizeof wg, &wg, NULL);
    info->max_work_group_size = wg;

    size_t ext_size = 0;
    if (clGetDeviceInfo(d, CL_DEVICE_EXTENSIONS, 0, NULL, &ext_size) == CL_SUCCESS && ext_size) {
        char *ext = calloc(1, ext_size + 1);
        if (ext && clGetDeviceInfo(d, CL_DEVICE_EXTENSIONS, ext_size, ext, NULL) == CL_SUCCESS) {
            info->fp16 = strstr(ext, "cl_khr_fp16") != NULL;
            info->fp64 = strstr(ext, "cl_khr_fp64") != NULL;
        }
        free(ext);
    }
}

asacl_status rt_devices_enumerate(asacl_device_info **list, rt_device_ref **refs, size_t *count)
{
    *list = NULL;
    if (refs) *refs = NULL;
    *count = 0;
    cl_platform_id platforms[MAX_PLATFORMS];
    cl_uint np = 0;
    cl_int err = clGetPlatformIDs(MAX_PLATFORMS, platforms, &np);
    if (err == -1001 /* CL_PLATFORM_NOT_FOUND_KHR */ || (err == CL_SUCCESS && np == 0))
        return rt_fail(ASACL_ERR_NO_PLATFORM,
                       "no OpenCL platform found (clGetPlatformIDs: %s). Install an OpenCL "
                       "driver; for the CPU, PoCL: 'sudo apt-get install pocl-opencl-icd "
                       "ocl-icd-libopencl1', then check that /etc/OpenCL/vendors/ lists it "
                       "(and that OCL_ICD_VENDORS does not point elsewhere)",
                       rt_cl_error_name(err));
    CL_TRY(err, "listing OpenCL platforms");
    if (np > MAX_PLATFORMS) np = MAX_PLATFORMS;

    asacl_device_info *out = calloc(MAX_DEVICES, sizeof *out);
    rt_device_ref *r = calloc(MAX_DEVICES, sizeof *r);
    if (!out || !r) {
        free(out);
        free(r);
        return rt_fail(ASACL_ERR_OUT_OF_MEMORY, "listing OpenCL devices");
    }
    size_t n = 0;
    for (cl_uint p = 0; p < np; p++) {
        cl_device_id devs[MAX_DEVICES];
        cl_uint nd = 0;
        err = clGetDeviceIDs(platforms[p], CL_DEVICE_TYPE_ALL, MAX_DEVICES, devs, &nd);
        if (err == CL_DEVICE_NOT_FOUND || nd == 0) continue;
        if (err != CL_SUCCESS) {
            rt_log(ASACL_LOG_WARN, "platform %u: clGetDeviceIDs failed with %s; skipped",
                   p, rt_cl_error_name(err));
            continue;
        }
        if (nd > MAX_DEVICES) nd = MAX_DEVICES;
        for (cl_uint d = 0; d < nd && n < MAX_DEVICES; d++, n++) {
            out[n].index = n;
            out[n].platform_index = p;
            out[n].device_index = d;
            fill_info(platforms[p], devs[d], &out[n]);
            r[n].platform = platforms[p];
            r[n].device = devs[d];
        }
    }
    *list = out;
    *count = n;
    if (refs)
        *refs = r;
    else
        free(r);
    return ASACL_OK;
}

asacl_status asacl_devices_query(asacl_device_info **list, size_t *count)
{
    if (!list || !count) return rt_fail(ASACL_ERR_INVALID_ARG, "asacl_devices_query: NULL argument");
    TRY(rt_devices_enumerate(list, NULL, count));
    for (size_t i = 0; i < *count; i++) {
        rt_profile prof;
        if (rt_profile_find(&(*list)[i], NULL, &prof) == ASACL_OK)
            snprintf((*list)[i].profile, sizeof (*list)[i].profile, "%s", prof.source);
        else
            snprintf((*list)[i].profile, sizeof (*list)[i].profile, "(error: %s)",
                     asacl_last_error());
    }
    return ASACL_OK;
}

void asacl_devices_free(asacl_device_info *list) { free(list); }

/* Parses a non-negative decimal integer that is the whole string. */
static int parse_uint(const char *s, size_t len, unsigned long *out)
{
    if (len == 0 || len > 9) return 0;
    unsigned long v = 0;
    for (size_t i = 0; i < len; i++) {
        if (!isdigit((unsigned char)s[i])) return 0;
        v = v * 10 + (unsigned long)(s[i] - '0');
    }
    *out = v;
    return 1;
}

static asacl_status no_match(const asacl_device_info *list, size_t count, const char *spec)
{
    char buf[4096];
    size_t off = 0;
    if (count == 0) {
        off += (size_t)snprintf(buf, sizeof buf, " (there are no OpenCL devices at all)");
    } else {
        off += (size_t)snprintf(buf, sizeof buf, "; the devices are:");
        for (size_t i = 0; i < count && off < sizeof buf; i++)
            off += (size_t)snprintf(buf + off, sizeof buf - off, "\n  %zu  %u:%u  %s (%s, %s)",
                                    list[i].index, list[i].platform_index,
                                    list[i].device_index, list[i].name,
                                    rt_device_type_name(list[i].type), list[i].platform_name);
    }
    return rt_fail(ASACL_ERR_NO_DEVICE,
                   "device '%s' matches no OpenCL device (expected a flat index N, "
                   "'P:D', or part of a device name)%s",
                   spec, buf);
}

asacl_status asacl_device_match(const asacl_device_info *list, size_t count, const char *spec,
                                size_t *index)
{
    if (!index || (count && !list))
        return rt_fail(ASACL_ERR_INVALID_ARG, "asacl_device_match: NULL argument");
    if (!spec || !*spec) {
        if (count == 0)
            return rt_fail(ASACL_ERR_NO_DEVICE,
                           "no OpenCL device found; for the CPU install PoCL: "
                           "'sudo apt-get install pocl-opencl-icd'");
        for (size_t i = 0; i < count; i++)
            if (list[i].type == ASACL_DEVICE_GPU) {
                *index = i;
                return ASACL_OK;
            }
        *index = 0;
        return ASACL_OK;
    }
    size_t len = strlen(spec);
    const char *colon = strchr(spec, ':');
    unsigned long a, b;
    if (colon && parse_uint(spec, (size_t)(colon - spec), &a) &&
        parse_uint(colon + 1, len - (size_t)(colon - spec) - 1, &b)) {
        for (size_t i = 0; i < count; i++)
            if (list[i].platform_index == a && list[i].device_index == b) {
                *index = i;
                return ASACL_OK;
            }
        return no_match(list, count, spec);
    }
    if (parse_uint(spec, len, &a)) {
        if (a < count) {
            *index = (size_t)a;
            return ASACL_OK;
        }
        return no_match(list, count, spec);
    }
    for (size_t i = 0; i < count; i++)
        if (rt_strcasestr(list[i].name, spec)) {
            *index = i;
            return ASACL_OK;
        }
    return no_match(list, count, spec);
}
