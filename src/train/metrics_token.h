/* metrics_token.h -- the metrics of token classification (asa-spec 10), as
 * pure functions over label ids:
 *
 *  - token-level micro precision/recall/F1 over the labelled tokens, counting
 *    only the classes first_label..num_labels-1: with first_label 1 this is
 *    the reference's metric for NER, sklearn's
 *    f1_score(gold, pred, labels=range(1, C), average="micro"), which leaves
 *    out "O" (class 0); with first_label 0 (the reference's PTB POS setting)
 *    it equals the accuracy;
 *  - entity-level precision/recall/F1 as seqeval's default mode computes them
 *    (seqeval.metrics.f1_score(y_true, y_pred), no scheme): spans from
 *    get_entities over BIO/IOB2 tags (also IOB1, BIOES), lenient about an
 *    I- without its B-, micro-averaged over entity types; the tag is the
 *    first character of the label name, the type what follows its first "-"
 *    ("B-creative-work" -> B, creative-work), "_" when empty.
 *
 * Inputs are flat arrays of n tokens (or words) in sentence order: gold
 * labels, where a value < 0 (TOKEN_IGNORE) marks a position outside the
 * metric, which is dropped from both sequences, as the reference (and
 * Hugging Face's run_ner) drop the -100 positions; pred ids are the model's
 * argmax at the same positions. A prediction outside [0, num_labels) counts
 * as no class (never a true positive). Where a denominator is 0 the value is
 * 0, as sklearn's and seqeval's zero_division="warn" give. */
#ifndef ASACL_TRAIN_METRICS_TOKEN_H
#define ASACL_TRAIN_METRICS_TOKEN_H

#include <stddef.h>

typedef struct metric_prf {
    double precision, recall, f1;
    size_t tp;     /* true positives */
    size_t n_pred; /* predicted positives (tokens in the counted classes, or entities) */
    size_t n_gold; /* gold positives */
} metric_prf;

/* Token-level micro P/R/F1 over classes [first_label, num_labels). */
metric_prf metric_token_f1(const int *gold, const int *pred, size_t n, int first_label,
                           int num_labels);

/* Entity-level micro P/R/F1 (seqeval default mode). n_sent sentences of
 * lengths[s] positions each (summing to the length of gold and pred);
 * names[num_labels] the class names by id. A prediction outside
 * [0, num_labels) reads as "O". */
metric_prf metric_entity_f1(const int *gold, const int *pred, const size_t *lengths,
                            size_t n_sent, const char *const *names, int num_labels);

#endif /* ASACL_TRAIN_METRICS_TOKEN_H */
