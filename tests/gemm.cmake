# The GEMM interface: both backends against a double-precision host
# reference, and the profile's backend choice per shape class.
asacl_test(test_gemm device gemm_check.c)
# The tiled (GPU-style) kernels at several parameter sets, their choice by
# the profile and the refusal of invalid parameter sets.
asacl_test(test_gemm_tiled device gemm_check.c)
# asacl tune over a tiny space from the profile, tiled kernels included.
add_test(NAME test_tune_tiled
         COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/test_tune_tiled.sh $<TARGET_FILE:asacl_cli>)
set_tests_properties(test_tune_tiled PROPERTIES LABELS device SKIP_RETURN_CODE 77
                     ENVIRONMENT "${ASACL_TEST_ENV}")
