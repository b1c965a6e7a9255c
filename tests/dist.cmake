# Micro-batches and ranks: a step's batch cut into shards gives the
# objective of the whole batch (tests/test_grad_accum.c), and mpirun -np 2
# gives what one process gives (tests/test_mpi.sh, when MPI was found).
asacl_test(test_grad_accum device ref/ref_ops.c ref/ref_bert.c model_fixture.c)
# The overlapped all-reduce's buckets cover the gradient exactly, in backward order.
asacl_test(test_grad_plan cpu)
if(MPI_C_FOUND AND MPIEXEC_EXECUTABLE)
  add_executable(st_compare st_compare.c)
  target_include_directories(st_compare PRIVATE ${CMAKE_SOURCE_DIR}/src)
  target_link_libraries(st_compare PRIVATE asacl_internal m)
  add_test(NAME test_mpi COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/test_mpi.sh ${MPIEXEC_EXECUTABLE}
           $<TARGET_FILE:asacl_cli> $<TARGET_FILE:st_compare> ${CMAKE_SOURCE_DIR})
  set_tests_properties(test_mpi PROPERTIES LABELS device SKIP_RETURN_CODE 77
                       ENVIRONMENT "${ASACL_TEST_ENV}")
  # kill -9 of one rank at random moments, resumed until done (test_crash.sh)
  add_test(NAME test_crash_mpi COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/test_crash.sh
           $<TARGET_FILE:asacl_cli> mpi ${MPIEXEC_EXECUTABLE})
  set_tests_properties(test_crash_mpi PROPERTIES LABELS device SKIP_RETURN_CODE 77 TIMEOUT 900
                       ENVIRONMENT "${ASACL_TEST_ENV}")
else()
  # Without MPI, asacl train under a launcher says the support is off.
  add_test(NAME test_mpi_off COMMAND sh -c "OMPI_COMM_WORLD_SIZE=2 $<TARGET_FILE:asacl_cli> train --help 2>&1 | grep -q 'MPI support is off'")
endif()
