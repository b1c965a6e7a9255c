# Kernels against the double-precision references of tests/ref.
asacl_test(test_ops device ref/ref_ops.c)
asacl_test(test_attention device ref/ref_ops.c)
