/* hf_names.h -- tensor names of Hugging Face BERT checkpoints -> asacl's names.
 *
 * asacl's canonical names are those of Hugging Face's BertForSequenceClassification
 * (bert.embeddings.*, bert.encoder.layer.N.*, bert.pooler.dense.*, classifier.*;
 * BertForTokenClassification and BertForMultipleChoice use the same names)
 * plus the ASA adversaries, bert.encoder.adversary.N.{query,key}.{weight,bias}.
 * Accepted spellings:
 *   BertModel (no "bert." prefix)          embeddings.* encoder.* pooler.* -> bert.*
 *   TF-converted LayerNorm parameters      *.LayerNorm.gamma / .beta -> .weight / .bias
 * Ignored (HF_NAME_IGNORED): the heads of BertForMaskedLM / BertForPreTraining
 * (cls.*) and the buffers [bert.]embeddings.position_ids / token_type_ids. */
#ifndef ASACL_IO_HF_NAMES_H
#define ASACL_IO_HF_NAMES_H

#include <stddef.h>

enum {
    HF_NAME_UNKNOWN = -1, /* not a tensor of a BERT checkpoint asacl knows */
    HF_NAME_IGNORED = 0,  /* a known tensor asacl does not use */
    HF_NAME_MAPPED = 1    /* out holds the canonical name */
};
#define HF_NAME_MAX 128 /* every canonical name fits in this many bytes */

/* Classifies a tensor name found in a checkpoint; for HF_NAME_MAPPED writes its
 * canonical name to out (cap bytes; a name that does not fit is HF_NAME_UNKNOWN),
 * else out is "". */
int hf_canonical_name(const char *file_name, char *out, size_t cap);
/* The same for a model type: roberta 0 is hf_canonical_name; roberta 1
 * takes RoBERTa's names (roberta.* or, as RobertaModel saves them, without
 * the prefix; the heads classifier.dense.* and classifier.out_proj.*
 * (sequence), classifier.* (token, choice), roberta.pooler.dense.* (choice))
 * and ignores RobertaForMaskedLM's lm_head.*. A name the model's layout
 * lacks (RobertaModel's pooler for a sequence head) is then not used. */
int hf_canonical_name_model(const char *file_name, int roberta, char *out, size_t cap);

#endif /* ASACL_IO_HF_NAMES_H */
