/* bench.h -- the benchmarks of `asacl bench`. */
#ifndef ASACL_CLI_BENCH_H
#define ASACL_CLI_BENCH_H

/* asacl bench gemm: every GEMM shape of one training step, timed on the own
 * kernels, CLBlast and (when built with it) OpenBLAS. argv[0] is "gemm". */
int cmd_bench_gemm(int argc, char **argv);

#endif
