/* cmd_devices.c -- asacl devices: every OpenCL device, its facts, the profile
 * it would use, and which one the current selection picks. */
#define _GNU_SOURCE
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"

static const char *type_name(asacl_device_type t)
{
    return t == ASACL_DEVICE_GPU ? "GPU" : t == ASACL_DEVICE_CPU ? "CPU"
         : t == ASACL_DEVICE_ACCELERATOR ? "accelerator" : "other";
}

static void help(void)
{
    printf("usage: asacl devices [--device SPEC] [-v]\n\n"
           "Lists every OpenCL device with its flat index and P:D (platform:device),\n"
           "its facts, and the device profile (devices/*.json or your own tuned one)\n"
           "it would use. The device that SPEC (or $ASACL_DEVICE, else the default:\n"
           "the first GPU, else the first device) selects is marked 'selected'.\n\n"
           "  --device SPEC   flat index N, P:D, or part of a device name (any case)\n"
           "  -v, --verbose   log what the runtime does\n"
           "  -h, --help      this help\n");
}

int cmd_devices(int argc, char **argv)
{
    static const struct option opts[] = {{"device", required_argument, 0, 'd'},
                                         {"verbose", no_argument, 0, 'v'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    const char *spec = getenv("ASACL_DEVICE");
    int verbose = 0, c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "vh", opts, NULL)) != -1) {
        switch (c) {
        case 'd': spec = optarg; break;
        case 'v': verbose = 1; break;
        case 'h': help(); return CLI_OK;
        default: return cli_usage_error("devices", "unknown option");
        }
    }
    if (optind < argc) return cli_usage_error("devices", "unexpected argument '%s'", argv[optind]);
    cli_log_init(verbose);

    asacl_device_info *list = NULL;
    size_t n = 0, selected = 0;
    asacl_status st = asacl_devices_query(&list, &n);
    if (st != ASACL_OK) return cli_error(st);
    if (n == 0) {
        asacl_devices_free(list);
        fprintf(stderr, "asacl: error: OpenCL platforms exist but offer no device; for the "
                        "CPU install PoCL: 'sudo apt-get install pocl-opencl-icd'\n");
        return CLI_FAIL;
    }
    st = asacl_device_match(list, n, spec, &selected);
    for (size_t i = 0; i < n; i++) {
        const asacl_device_info *d = &list[i];
        char a[32], b[32], l[32];
        printf("device %zu  (%u:%u)%s\n", d->index, d->platform_index, d->device_index,
               st == ASACL_OK && i == selected ? "  [selected]" : "");
        printf("  platform        %s (%s)\n", d->platform_name, d->platform_version);
        printf("  name            %s\n", d->name);
        printf("  vendor          %s (%s)\n", d->vendor, d->vendor_id);
        printf("  type            %s\n", type_name(d->type));
        printf("  driver          %s\n", d->driver_version);
        printf("  OpenCL C        %s\n", d->opencl_c_version);
        printf("  compute units   %u\n", d->compute_units);
        printf("  clock           %u MHz\n", d->clock_mhz);
        printf("  global memory   %s (largest buffer %s)\n",
               cli_bytes(d->global_mem_bytes, a, sizeof a),
               cli_bytes(d->max_alloc_bytes, b, sizeof b));
        printf("  local memory    %s\n", cli_bytes(d->local_mem_bytes, l, sizeof l));
        printf("  max work-group  %zu\n", d->max_work_group_size);
        printf("  fp16 / fp64     %s / %s\n", d->fp16 ? "yes" : "no", d->fp64 ? "yes" : "no");
        printf("  profile         %s\n", d->profile);
        if (i + 1 < n) printf("\n");
    }
    asacl_devices_free(list);
    if (st != ASACL_OK) return cli_error(st);
    return CLI_OK;
}
