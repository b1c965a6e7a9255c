# The GEMM interface: both backends against a double-precision host
# reference, and the profile's backend choice per shape class.
asacl_test(test_gemm device)
