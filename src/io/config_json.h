/* config_json.h -- a Hugging Face BertConfig config.json <-> asacl_model_config.
 *
 * Reading starts from asacl_model_config_default() and overrides the fields
 * present. num_labels comes from "num_labels" or from the size of "id2label"
 * (what Hugging Face writes); when both are present they must agree. Keys of
 * id2label are "0", "1", ... Fields asacl does not use are ignored, but
 * settings that would change the model are refused with ASACL_ERR_FORMAT:
 * model_type other than "bert" or "roberta" (a RoBERTa config starts from
 * hfcfg_roberta_defaults), hidden_act other than "gelu" (asacl has the
 * erf GELU only), position_embedding_type other than "absolute", is_decoder
 * true, a classifier_dropout other than hidden_dropout_prob, and problem_type
 * "multi_label_classification" or "regression" with more than one label
 * (asacl's regression has one output, num_labels 1; "regression" with no
 * num_labels or id2label gives num_labels 1). Wrong JSON types and values
 * that fail asacl_model_config_check are ASACL_ERR_FORMAT too.
 * The head (asacl_model_config.task) comes from "architectures": a name
 * ending in ForTokenClassification or ForMultipleChoice (then num_labels is 1,
 * whatever the file's label maps say), else sequence classification. */
#ifndef ASACL_IO_CONFIG_JSON_H
#define ASACL_IO_CONFIG_JSON_H

#include <stddef.h>

#include "asacl.h"

/* The transformers_version written into config.json. */
#define HFCFG_TRANSFORMERS_VERSION "4.46.3"

/* RobertaConfig's defaults where they differ from BertConfig's (roberta-base):
 * model_type roberta, vocab 50265, 514 positions, one token type, pad 1,
 * LayerNorm eps 1e-5. */
void hfcfg_roberta_defaults(asacl_model_config *c);

asacl_status hfcfg_read(const char *path, asacl_model_config *out);
/* Like hfcfg_read for a JSON text; origin names it in messages. */
asacl_status hfcfg_parse(const char *json, size_t len, const char *origin, asacl_model_config *out);
/* Writes what BertConfig.save_pretrained writes for a BertForSequenceClassification
 * (label names, "LABEL_i" where a name is empty; problem_type "regression" for
 * one label, else "single_label_classification"), or for the token and
 * multiple-choice architectures of the config's task (no problem_type; for
 * multiple choice transformers' default two label names), atomically.
 * An invalid config or duplicate label names: ASACL_ERR_INVALID_ARG. */
asacl_status hfcfg_write(const char *path, const asacl_model_config *config);

#endif /* ASACL_IO_CONFIG_JSON_H */
