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

#endif
