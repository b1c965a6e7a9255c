/* Expanded at build time (see CMakeLists.txt) into cl_gen/philox.h: Random123's
 * Philox4x32-10 as plain OpenCL C, with no preprocessor feature detection left.
 * Kernels call philox4x32_R(philox4x32_rounds, ctr, key). */
#include <Random123/philox.h>
/* Random123's Philox4x32 constants under names that survive the expansion,
 * for the kernels that run eight counters at once as vectors (dropout.h). */
#define ASACL_PHILOX_CONSTANTS(X) \
    X(M0, PHILOX_M4x32_0) X(M1, PHILOX_M4x32_1) X(W0, PHILOX_W32_0) X(W1, PHILOX_W32_1)
#define ASACL_PHILOX_CONSTANT(name, value) static constant uint philox4x32_##name = value;
ASACL_PHILOX_CONSTANTS(ASACL_PHILOX_CONSTANT)
