# Pictures and the run report: images checked by their content (read back
# through cairo), the report rendered in a headless browser, explain's maps
# and masks against the double-precision reference.
asacl_test(test_viz cpu)
if(CAIRO_FOUND)
  target_link_libraries(test_viz PRIVATE PkgConfig::CAIRO)
  target_compile_definitions(test_viz PRIVATE ASACL_HAVE_CAIRO=1)
endif()
asacl_test(test_explain device ref/ref_ops.c ref/ref_bert.c model_fixture.c)
