/* dist.c -- see dist.h. With MPI the sums are MPI_Allreduce(MPI_SUM) over
 * MPI_COMM_WORLD in pieces of at most 2^28 elements (MPI counts are int);
 * Open MPI picks its algorithm by message size and world size only, so a
 * fixed world gives the same sums run after run, and every algorithm hands
 * all ranks the same bits. The non-blocking sums (dist_sums_*) are
 * MPI_Iallreduce in the same pieces; for two ranks every algorithm adds
 * the same two values, so they give MPI_Allreduce's bits. */
#include <stdlib.h>

#include "base/base.h"
#include "train/dist.h"

#ifdef ASACL_HAVE_MPI
#include <mpi.h>
#endif

/* The most elements one MPI call sums (MPI counts are int). */
#define PIECE ((size_t)1 << 28)

size_t dist_sum_pieces(size_t n) { return (n + PIECE - 1) / PIECE; }

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

struct dist_sums {
    const asacl_dist *d;
    MPI_Request *req;
    size_t n, cap;
};

asacl_status dist_sums_create(const asacl_dist *d, size_t pieces, dist_sums **out)
{
    *out = NULL;
    dist_sums *s = calloc(1, sizeof *s);
    if (!s || !(s->req = calloc(pieces ? pieces : 1, sizeof *s->req))) {
        free(s);
        return rt_fail(ASACL_ERR_OUT_OF_MEMORY, "%zu MPI requests", pieces);
    }
    s->d = d;
    s->cap = pieces;
    *out = s;
    return ASACL_OK;
}

int dist_sums_destroy(dist_sums *s)
{
    if (!s) return 0;
    /* A failed step can leave sums in flight: waiting could hang on a rank
     * that stopped, and a non-blocking collective cannot be freed, so they
     * stay (a failed rank stops every rank: asacl_dist_abort). */
    if (s->n) return 1;
    free(s->req);
    free(s);
    return 0;
}

asacl_status dist_sums_start_f32(dist_sums *s, float *x, size_t n)
{
    const asacl_dist *d = s->d;
    if (!d || d->size < 2) return ASACL_OK;
    for (size_t i = 0; i < n; i += PIECE) {
        if (s->n == s->cap)
            return rt_fail(ASACL_ERR_INTERNAL, "rank %d: more than %zu sums in flight", d->rank, s->cap);
        int c = (int)(n - i < PIECE ? n - i : PIECE);
        int rc = MPI_Iallreduce(MPI_IN_PLACE, x + i, c, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD,
                                &s->req[s->n]);
        if (rc != MPI_SUCCESS)
            return rt_fail(ASACL_ERR_INTERNAL, "rank %d: MPI_Iallreduce of %d values failed (%d)",
                           d->rank, c, rc);
        s->n++;
    }
    return ASACL_OK;
}

asacl_status dist_sums_progress(dist_sums *s)
{
    if (!s->n) return ASACL_OK;
    int flag = 0, rc = MPI_Testall((int)s->n, s->req, &flag, MPI_STATUSES_IGNORE);
    if (rc != MPI_SUCCESS)
        return rt_fail(ASACL_ERR_INTERNAL, "rank %d: MPI_Testall failed (%d)", s->d->rank, rc);
    return ASACL_OK;
}

asacl_status dist_sums_wait(dist_sums *s)
{
    if (!s->n) return ASACL_OK;
    int rc = MPI_Waitall((int)s->n, s->req, MPI_STATUSES_IGNORE);
    size_t n = s->n;
    s->n = 0;
    if (rc != MPI_SUCCESS)
        return rt_fail(ASACL_ERR_INTERNAL, "rank %d: MPI_Waitall of %zu sums failed (%d)",
                       s->d->rank, n, rc);
    return ASACL_OK;
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


struct dist_sums {
    const asacl_dist *d;
};

asacl_status dist_sums_create(const asacl_dist *d, size_t pieces, dist_sums **out)
{
    (void)pieces;
    *out = NULL;
    if (d && d->size > 1) return rt_fail(ASACL_ERR_UNSUPPORTED, "MPI support is off in this build");
    dist_sums *s = calloc(1, sizeof *s);
    if (!s) return rt_fail(ASACL_ERR_OUT_OF_MEMORY, "dist_sums_create");
    s->d = d;
    *out = s;
    return ASACL_OK;
}

int dist_sums_destroy(dist_sums *s)
{
    free(s);
    return 0;
}

asacl_status dist_sums_start_f32(dist_sums *s, float *x, size_t n) /* a world of one: x is its sum */
{
    (void)s;
    (void)x;
    (void)n;
    return ASACL_OK;
}

asacl_status dist_sums_progress(dist_sums *s)
{
    (void)s;
    return ASACL_OK;
}

asacl_status dist_sums_wait(dist_sums *s)
{
    (void)s;
    return ASACL_OK;
}

#endif
