# Masked-language-model pre-training (asa-spec 11): the text corpus, the
# masking, the MLM kernels and the MLM head.
asacl_test(test_text_corpus cpu)
asacl_test(test_mlm_mask cpu)
asacl_test(test_mlm_ops device ref/ref_ops.c ref/ref_loss.c)
asacl_test(test_mlm_head device dump_util.c ref/ref_mlm.c ref/ref_ops.c ref/ref_loss.c)
# The MLM task through the trainer against the mlm_asa dump.
asacl_test(test_pretrain device dump_util.c)
# asacl pretrain end to end on a tiny committed text.
add_test(NAME test_pretrain_cli
         COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/test_pretrain_cli.sh $<TARGET_FILE:asacl_cli> ${CMAKE_SOURCE_DIR})
set_tests_properties(test_pretrain_cli PROPERTIES LABELS device SKIP_RETURN_CODE 77
                     ENVIRONMENT "${ASACL_TEST_ENV}")
