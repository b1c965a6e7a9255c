/* ops.h -- host side of the kernels: one function per kernel entry point.
 * Each checks its arguments, picks the launch geometry from the device
 * profile and enqueues; none blocks. A device tensor is a buffer plus an
 * element offset (no sub-buffers). */
#ifndef ASACL_OPS_H
#define ASACL_OPS_H

#include "runtime/runtime.h"

typedef struct tensor {
    cl_mem buf;  /* the buffer that holds it */
    size_t off;  /* offset in floats */
    size_t n;    /* number of floats */
} tensor;

/* ---- vector.cl ---- */
/* x = value */
asacl_status op_fill(asacl_ctx *ctx, tensor x, float value);
/* x *= alpha */
asacl_status op_scale(asacl_ctx *ctx, tensor x, float alpha);
/* y += alpha * x (same length) */
asacl_status op_axpy(asacl_ctx *ctx, tensor y, tensor x, float alpha);

#endif
