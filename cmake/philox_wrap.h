/* Expanded at build time (see CMakeLists.txt) into cl_gen/philox.h: Random123's
 * Philox4x32-10 as plain OpenCL C, with no preprocessor feature detection left.
 * Kernels call philox4x32_R(philox4x32_rounds, ctr, key). */
#include <Random123/philox.h>
