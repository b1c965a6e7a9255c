/* common.h -- shared by every kernel file (inlined at build time).
 *
 * OpenCL C 1.2, float32 storage and accumulation. A device tensor is a
 * buffer plus an element offset: kernels take (__global float *base, ulong off)
 * and add the offset themselves, so no sub-buffers are needed.
 * Tunables are -D defines chosen by the device profile; each has a default
 * here or in its file, so every file compiles alone.
 */
#ifndef ASACL_COMMON_H
#define ASACL_COMMON_H

/* Work-group size of the element-wise kernels. */
#ifndef WGS
#define WGS 64
#endif

/* The large negative score that masks an attention entry (asa-spec 2-4). */
#define ASACL_MASKED (-10000.0f)

#endif
