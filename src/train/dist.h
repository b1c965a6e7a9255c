/* dist.h -- the processes of a data-parallel run (include/asacl.h
 * asacl_dist_*): MPI when the build has it (ASACL_HAVE_MPI), else a world
 * of one. */
#ifndef ASACL_TRAIN_DIST_H
#define ASACL_TRAIN_DIST_H

#include "asacl.h"

struct asacl_dist {
    int rank, size, local_rank;
};

/* x[0, n) summed over the ranks, in place, the same result on every rank.
 * A world of one (or dist NULL) leaves x as it is. */
asacl_status dist_allreduce_f32(const asacl_dist *d, float *x, size_t n);
asacl_status dist_allreduce_f64(const asacl_dist *d, double *x, size_t n);
/* Waits for every rank (MPI_Barrier); returns at once in a world of one. */
asacl_status dist_barrier(const asacl_dist *d);

/* Sums in flight (MPI_Iallreduce, MPI_SUM, in place), for overlapping them
 * with other work. Every rank must start the same sums in the same order
 * and none may start another collective before dist_sums_wait. In a world
 * of one (or dist NULL) they are no-ops. */
typedef struct dist_sums dist_sums;
/* Room for `pieces` requests: a sum of n values takes ceil(n / 2^28). */
asacl_status dist_sums_create(const asacl_dist *d, size_t pieces, dist_sums **out);
/* Returns 1, keeping s, when sums were still in flight (after a failed
 * step): their buffers must then stay allocated. */
int dist_sums_destroy(dist_sums *s);
size_t dist_sum_pieces(size_t n); /* ceil(n / 2^28), the requests of a sum of n */
/* Starts x[0, n) summed over the ranks in place: x is MPI's until
 * dist_sums_wait. */
asacl_status dist_sums_start_f32(dist_sums *s, float *x, size_t n);
/* Lets the sums in flight advance (MPI_Testall); returns at once. */
asacl_status dist_sums_progress(dist_sums *s);
/* Waits for every sum started; after it they are in place on every rank,
 * and the set is empty again. */
asacl_status dist_sums_wait(dist_sums *s);

#endif
