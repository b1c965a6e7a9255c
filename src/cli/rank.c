/* rank.c -- what asacl train and asacl pretrain share under mpirun: whether
 * an MPI launcher started the process, and the device of each local rank. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

/* Started by mpirun (or another launcher of MPI)? */
static int cli_launched_by_mpi(void)
{
    static const char *vars[] = {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_SIZE", "MPI_LOCALNRANKS"};
    for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++)
        if (getenv(vars[i])) return 1;
    return 0;
}

/* The device spec of this local rank: entry `local` of a comma list, or by
 * default the local-th device of the first GPU's (else the first device's)
 * type. out gets "" for the library's own default (a process alone). */
static asacl_status cli_rank_device(const char *cmd, const char *spec, int local, int world,
                                    char *out, size_t cap)
{
    out[0] = 0;
    if (spec && *spec) {
        const char *p = spec;
        for (int i = 0; i < local && p; i++) {
            p = strchr(p, ',');
            if (p) p++;
        }
        if (!p) {
            fprintf(stderr, "asacl %s: local rank %d has no device in the list '%s' (one entry "
                    "per local rank; repeat one to share it, e.g. 0,0)\n", cmd, local, spec);
            return ASACL_ERR_NO_DEVICE;
        }
        size_t n = strcspn(p, ",");
        snprintf(out, cap, "%.*s", (int)(n < cap ? n : cap - 1), p);
        return ASACL_OK;
    }
    if (world < 2) return ASACL_OK;
    asacl_device_info *list = NULL;
    size_t count = 0, first = 0;
    asacl_status st = asacl_devices_query(&list, &count);
    if (st != ASACL_OK) return cli_error(st), st;
    for (size_t i = 0; i < count; i++)
        if (list[i].type == ASACL_DEVICE_GPU) {
            first = i;
            break;
        }
    int seen = 0;
    for (size_t i = 0; i < count && !out[0]; i++)
        if (list[i].type == list[first].type && seen++ == local) snprintf(out, cap, "%zu", i);
    asacl_devices_free(list);
    if (!out[0]) {
        fprintf(stderr, "asacl %s: local rank %d wants device %d of its type, but this host has "
                "%d; give --device a comma list (e.g. 0,0 to share one)\n", cmd, local, local + 1, seen);
        return ASACL_ERR_NO_DEVICE;
    }
    return ASACL_OK;
}

int cli_rank_context(const char *cmd, const char *device, asacl_dist *dist, const char *detail,
                     asacl_ctx **ctx)
{
    int rank = asacl_dist_rank(dist), world = asacl_dist_size(dist);
    char spec[256];
    const char *want = device ? device : getenv("ASACL_DEVICE");
    if (cli_rank_device(cmd, want, asacl_dist_local_rank(dist), world, spec, sizeof spec) != ASACL_OK)
        return CLI_FAIL;
    asacl_ctx_options co;
    asacl_ctx_options_init(&co);
    co.device = spec[0] ? spec : NULL;
    asacl_status st = asacl_ctx_create(&co, ctx);
    if (st != ASACL_OK) {
        if (world > 1) fprintf(stderr, "asacl %s: rank %d cannot open its device '%s'\n", cmd, rank, spec);
        return cli_error(st);
    }
    if (world > 1)
        fprintf(stderr, "rank %d of %d (local %d): %s, %s\n", rank, world,
                asacl_dist_local_rank(dist), asacl_ctx_device(*ctx)->name, detail);
    return CLI_OK;
}

int cli_with_ranks(const char *cmd, int argc, char **argv,
                   int (*body)(void *user, asacl_dist *dist, int argc, char **argv), void *user)
{
    asacl_dist *d = NULL;
    if (cli_launched_by_mpi()) {
        asacl_status st = asacl_dist_init(&argc, &argv, &d);
        if (st != ASACL_OK) {
            fprintf(stderr, "asacl %s: started by mpirun, but %s\n", cmd, asacl_last_error());
            return CLI_FAIL;
        }
    }
    int rc = body(user, d, argc, argv);
    if (rc == CLI_FAIL && asacl_dist_size(d) > 1) {
        fprintf(stderr, "asacl %s: rank %d of %d failed (above); stopping every rank\n", cmd,
                asacl_dist_rank(d), asacl_dist_size(d));
        fflush(stderr);
        asacl_dist_abort(d, CLI_FAIL);
    }
    if (d) asacl_dist_finalize(d);
    return rc;
}

int cli_allreduce_mode(const char *cmd, const char *mode, int *overlap)
{
    if (!strcmp(mode, "overlap")) *overlap = 1;
    else if (!strcmp(mode, "after")) *overlap = 0;
    else return cli_usage_error(cmd, "--allreduce: expected overlap or after, got '%s'", mode);
    return 0;
}
