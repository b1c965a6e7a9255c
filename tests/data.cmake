# Data: the WordPiece and byte-level BPE tokenizers and the GLUE readers, with inputs in tests/data.
asacl_test(test_tokenizer cpu)
asacl_test(test_glue cpu)
asacl_test(test_bpe cpu)
