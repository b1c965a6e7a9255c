# The model and the training step against the double-precision host
# reference (tests/ref/ref_bert.c) and finite differences.
set(ASACL_MODEL_TEST_SOURCES ref/ref_ops.c ref/ref_bert.c model_fixture.c)
asacl_test(test_model device ${ASACL_MODEL_TEST_SOURCES})
asacl_test(test_asa device dump_util.c ${ASACL_MODEL_TEST_SOURCES})
asacl_test(test_model_folder device)
target_link_libraries(test_model_folder PRIVATE PkgConfig::CJSON)
