# The GEMM interface: both backends against a double-precision host
# reference, and the profile's backend choice per shape class.
asacl_test(test_gemm device gemm_check.c)
# The tiled (GPU-style) kernels at several parameter sets, their choice by
# the profile and the refusal of invalid parameter sets.
asacl_test(test_gemm_tiled device gemm_check.c)
