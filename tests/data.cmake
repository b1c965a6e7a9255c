# Data: the WordPiece tokenizer and the GLUE readers, with inputs in tests/data.
asacl_test(test_tokenizer cpu)
asacl_test(test_glue cpu)
