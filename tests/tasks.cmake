# Tasks beyond sequence classification (asa-spec 10): readers, token-label
# alignment, built-in toy tasks, token-level metrics, and the loss kernels.
asacl_test(test_choice cpu)
asacl_test(test_conll cpu)
asacl_test(test_token_labels cpu)
asacl_test(test_builtin_tasks cpu)
asacl_test(test_loss device ref/ref_loss.c ref/ref_ops.c)
asacl_test(test_metrics_token cpu)
asacl_test(test_task_dumps device dump_util.c)
asacl_test(test_heads device dump_util.c)
asacl_test(test_heads_folder device)

add_test(NAME test_task_toys
         COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/test_task_toys.sh $<TARGET_FILE:asacl_cli> ${CMAKE_SOURCE_DIR})
set_tests_properties(test_task_toys PROPERTIES LABELS device SKIP_RETURN_CODE 77
                     ENVIRONMENT "${ASACL_TEST_ENV}")
