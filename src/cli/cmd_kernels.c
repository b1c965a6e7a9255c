/* cmd_kernels.c -- asacl kernels: builds every kernel program for the
 * selected device (or loads it from the binary cache) and reports timings. */
#define _GNU_SOURCE
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "cli/progress.h"

static void help(void)
{
    printf("usage: asacl kernels [--device SPEC] [--no-cache] [-v]\n\n"
           "Builds every kernel program (cl/*.cl, embedded in asacl) for the selected\n"
           "device, or loads it from the program binary cache, and prints where each\n"
           "came from and how long it took. Run it once to make later starts fast.\n\n"
           "  --device SPEC   flat index N, P:D, or part of a device name (any case)\n"
           "  --no-cache      build everything from source; read and write no cache\n"
           "  -v, --verbose   log what the runtime does\n"
           "  -h, --help      this help\n");
}

int cmd_kernels(int argc, char **argv)
{
    static const struct option opts[] = {{"device", required_argument, 0, 'd'},
                                         {"no-cache", no_argument, 0, 'n'},
                                         {"verbose", no_argument, 0, 'v'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    asacl_ctx_options o;
    asacl_ctx_options_init(&o);
    int verbose = 0, c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "vh", opts, NULL)) != -1) {
        switch (c) {
        case 'd': o.device = optarg; break;
        case 'n': o.cache = 0; break;
        case 'v': verbose = 1; break;
        case 'h': help(); return CLI_OK;
        default: return cli_usage_error("kernels", "unknown option");
        }
    }
    if (optind < argc) return cli_usage_error("kernels", "unexpected argument '%s'", argv[optind]);
    cli_log_init(verbose);

    double t0 = progress_now();
    asacl_ctx *ctx = NULL;
    asacl_status st = asacl_ctx_create(&o, &ctx);
    if (st != ASACL_OK) return cli_error(st);
    const asacl_device_info *d = asacl_ctx_device(ctx);
    const char *dir = asacl_ctx_cache_dir(ctx);
    printf("device   %zu (%u:%u) %s\nprofile  %s\ncache    %s\n\n", d->index, d->platform_index,
           d->device_index, d->name, asacl_ctx_profile(ctx), dir ? dir : "off");
    for (size_t i = 0; i < asacl_program_count(); i++) {
        const char *name = asacl_program_name(i);
        int from_cache = 0;
        double t = progress_now();
        st = asacl_ctx_build_program(ctx, name, &from_cache);
        if (st != ASACL_OK) {
            asacl_ctx_destroy(ctx);
            return cli_error(st);
        }
        printf("  %-14s %-7s %8.3f s\n", name, from_cache ? "cache" : "built", progress_now() - t);
    }
    asacl_build_stats s;
    asacl_ctx_build_stats(ctx, &s);
    asacl_ctx_destroy(ctx);
    printf("\n%zu programs: %u built, %u from cache, %u cache entries rejected, %u written; "
           "%.3f s building, %.3f s in all\n",
           asacl_program_count(), s.built, s.cache_hits, s.cache_rejected, s.cache_written,
           s.seconds, progress_now() - t0);
    return CLI_OK;
}
