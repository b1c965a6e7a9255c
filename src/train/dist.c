/* dist.c -- see dist.h. With MPI the sums are MPI_Allreduce(MPI_SUM) over
 * MPI_COMM_WORLD in pieces of at most 2^28 elements (MPI counts are int);
 * Open MPI picks its algorithm by message size and world size only, so a
 * fixed world gives the same sums run after run, and every algorithm hands
 * all ranks the same bits. */
#include <stdlib.h>

#include "base/base.h"
#include "train/dist.h"

#ifdef ASACL_HAVE_MPI
#include <mpi.h>
#endif

int asacl_dist_rank(const asacl_dist *d) { return d ? d->rank : 0; }
int asacl_dist_size(const asacl_dist *d) { return d ? d->size : 1; }
int asacl_dist_local_rank(const asacl_dist *d) { return d ? d->local_rank : 0; }

#ifdef ASACL_HAVE_MPI

int asacl_dist_available(void) { return 1; }

asacl_status asacl_dist_init(int *argc, char ***argv, asacl_dist **out)
{
    if (!out) return rt_fail(ASACL_ERR_INVALID_ARG, "asacl_dist_init: NULL argument");
    *out = NULL;
    int inited = 0, provided = 0;
    MPI_Initialized(&inited);
    if (!inited && MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS)
        return rt_fail(ASACL_ERR_INTERNAL, "MPI_Init failed");
    asacl_dist *d = calloc(1, sizeof *d);
    if (!d) return rt_fail(ASACL_ERR_OUT_OF_MEMORY, "asacl_dist_init");
    MPI_Comm_rank(MPI_COMM_WORLD, &d->rank);
    MPI_Comm_size(MPI_COMM_WORLD, &d->size);
    MPI_Comm local;
    if (MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, d->rank, MPI_INFO_NULL, &local) ==
        MPI_SUCCESS) {
        MPI_Comm_rank(local, &d->local_rank);
        MPI_Comm_free(&local);
    }
    *out = d;
    return ASACL_OK;
}

void asacl_dist_abort(asacl_dist *d, int code)
{
    (void)d;
    MPI_Abort(MPI_COMM_WORLD, code);
}

void asacl_dist_finalize(asacl_dist *d)
{
    int fin = 0;
    MPI_Finalized(&fin);
    if (!fin) MPI_Finalize();
    free(d);
}

#define PIECE ((size_t)1 << 28)

static asacl_status allreduce(const asacl_dist *d, void *x, size_t n, MPI_Datatype type, size_t size)
{
    if (!d || d->size < 2) return ASACL_OK;
    for (size_t i = 0; i < n; i += PIECE) {
        int c = (int)(n - i < PIECE ? n - i : PIECE);
        int rc = MPI_Allreduce(MPI_IN_PLACE, (char *)x + i * size, c, type, MPI_SUM, MPI_COMM_WORLD);
        if (rc != MPI_SUCCESS)
            return rt_fail(ASACL_ERR_INTERNAL, "rank %d: MPI_Allreduce of %zu values failed (%d)",
                           d->rank, n, rc);
    }
    return ASACL_OK;
}

asacl_status dist_allreduce_f32(const asacl_dist *d, float *x, size_t n)
{
    return allreduce(d, x, n, MPI_FLOAT, sizeof *x);
}

asacl_status dist_barrier(const asacl_dist *d)
{
    if (!d || d->size < 2) return ASACL_OK;
    if (MPI_Barrier(MPI_COMM_WORLD) != MPI_SUCCESS)
        return rt_fail(ASACL_ERR_INTERNAL, "rank %d: MPI_Barrier failed", d->rank);
    return ASACL_OK;
}

asacl_status dist_allreduce_f64(const asacl_dist *d, double *x, size_t n)
{
    return allreduce(d, x, n, MPI_DOUBLE, sizeof *x);
}

#else /* no MPI in this build */

int asacl_dist_available(void) { return 0; }

asacl_status asacl_dist_init(int *argc, char ***argv, asacl_dist **out)
{
    (void)argc;
    (void)argv;
    if (out) *out = NULL;
    return rt_fail(ASACL_ERR_UNSUPPORTED, "MPI support is off in this build (CMake found no MPI; "
                   "install libopenmpi-dev and rebuild)");
}

void asacl_dist_abort(asacl_dist *d, int code) /* there is no world to stop */
{
    (void)d;
    (void)code;
}

void asacl_dist_finalize(asacl_dist *d) { free(d); }

asacl_status dist_allreduce_f32(const asacl_dist *d, float *x, size_t n)
{
    (void)x;
    (void)n;
    if (d && d->size > 1) return rt_fail(ASACL_ERR_UNSUPPORTED, "MPI support is off in this build");
    return ASACL_OK;
}

asacl_status dist_barrier(const asacl_dist *d)
{
    if (d && d->size > 1) return rt_fail(ASACL_ERR_UNSUPPORTED, "MPI support is off in this build");
    return ASACL_OK;
}

asacl_status dist_allreduce_f64(const asacl_dist *d, double *x, size_t n)
{
    (void)x;
    (void)n;
    if (d && d->size > 1) return rt_fail(ASACL_ERR_UNSUPPORTED, "MPI support is off in this build");
    return ASACL_OK;
}

#endif
