# RoBERTa (asa-spec 10): the tiny RobertaForSequenceClassification folder
# transformers saved (tests/data/hf/roberta_cls, by tests/gen_roberta_folder.py)
# against transformers' logits; asacl's own RoBERTa folders.
asacl_test(test_roberta_folder device)
target_link_libraries(test_roberta_folder PRIVATE PkgConfig::CJSON)
