# Reliability: crash safety of checkpoints (kill -9 and resume), resource
# exhaustion and bad inputs, memcheck. The fuzz targets are in fuzz.cmake.
add_test(NAME test_crash COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/test_crash.sh $<TARGET_FILE:asacl_cli>)
add_test(NAME test_limits
         COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/test_limits.sh $<TARGET_FILE:asacl_cli> ${CMAKE_SOURCE_DIR})
add_test(NAME test_crash_pretrain
         COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/test_crash.sh $<TARGET_FILE:asacl_cli> pretrain ${CMAKE_SOURCE_DIR})
set_tests_properties(test_crash test_crash_pretrain test_limits PROPERTIES LABELS device SKIP_RETURN_CODE 77
                     ENVIRONMENT "${ASACL_TEST_ENV}")
set_tests_properties(test_crash test_crash_pretrain PROPERTIES TIMEOUT 900)
# memcheck cannot run under AddressSanitizer: only in ordinary builds.
if(NOT ASACL_SANITIZE)
  add_test(NAME test_valgrind
           COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/test_valgrind.sh $<TARGET_FILE:asacl_cli> ${CMAKE_SOURCE_DIR})
  set_tests_properties(test_valgrind PROPERTIES LABELS device SKIP_RETURN_CODE 77 TIMEOUT 3000
                       ENVIRONMENT "${ASACL_TEST_ENV}")
endif()
asacl_test(test_checkpoint_meta cpu)
