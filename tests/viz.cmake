# Pictures and the run report: images checked by their content (read back
# through cairo), the report rendered in a headless browser, explain's maps
# and masks against the double-precision reference.
asacl_test(test_viz cpu)
if(CAIRO_FOUND)
  target_link_libraries(test_viz PRIVATE PkgConfig::CAIRO)
  target_compile_definitions(test_viz PRIVATE ASACL_HAVE_CAIRO=1)
endif()
asacl_test(test_explain device ref/ref_ops.c ref/ref_bert.c model_fixture.c)
add_test(NAME test_viz_cli COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/test_viz_cli.sh $<TARGET_FILE:asacl_cli>)
set_tests_properties(test_viz_cli PROPERTIES LABELS device SKIP_RETURN_CODE 77
                     ENVIRONMENT "${ASACL_TEST_ENV}")
if(CAIRO_FOUND)
  add_test(NAME test_report_browser
           COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/test_report_browser.sh $<TARGET_FILE:asacl_cli>)
  set_tests_properties(test_report_browser PROPERTIES LABELS device SKIP_RETURN_CODE 77
                       ENVIRONMENT "${ASACL_TEST_ENV}")
endif()
