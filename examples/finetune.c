/* finetune.c -- fine-tune a Hugging Face BERT folder on a GLUE-format TSV
 * file with ASA, through the public header alone, and save the result.
 *   finetune MODEL_DIR TRAIN.tsv OUT_DIR [EPOCHS]                          */
#include <asacl.h>
#include <stdio.h>
#include <stdlib.h>

#define CHECK(call) do { asacl_status s_ = (call); if (s_ != ASACL_OK) { \
    fprintf(stderr, "%s: %s: %s\n", #call, asacl_status_str(s_), asacl_last_error()); \
    return 1; } } while (0)

int main(int argc, char **argv)
{
    if (argc < 4) { fprintf(stderr, "usage: finetune MODEL_DIR TRAIN.tsv OUT_DIR [EPOCHS]\n"); return 2; }
    int epochs = argc > 4 ? atoi(argv[4]) : 1;
    char vocab[4096];
    snprintf(vocab, sizeof vocab, "%s/vocab.txt", argv[1]);
    asacl_ctx *ctx; asacl_tokenizer *tok; asacl_dataset *data; asacl_loader *loader;
    asacl_model *model; asacl_trainer *trainer;
    CHECK(asacl_ctx_create(NULL, &ctx));
    CHECK(asacl_tokenizer_load(vocab, 1, &tok));
    CHECK(asacl_dataset_read(argv[2], "sst2", NULL, 0, &data));
    asacl_load_options mo;              /* a classifier for the file's labels, with adversaries */
    asacl_load_options_init(&mo);
    mo.num_labels = asacl_dataset_num_labels(data);
    mo.adversaries = 1;
    CHECK(asacl_model_load(ctx, argv[1], &mo, &model, NULL));
    asacl_loader_options lo;            /* batches of 32 padded to 128 tokens, shuffled */
    asacl_loader_options_init(&lo);
    int positions = asacl_model_get_config(model)->max_position_embeddings;
    if ((int)lo.max_seq_len > positions) lo.max_seq_len = (size_t)positions;
    CHECK(asacl_loader_create(data, tok, &lo, &loader));
    asacl_train_options to;             /* ASA with the paper's defaults */
    asacl_train_options_init(&to);
    to.total_steps = asacl_loader_batches_per_epoch(loader) * epochs;
    to.max_seq_len = lo.max_seq_len;
    CHECK(asacl_trainer_create(model, &to, &trainer));
    for (long step = 0; step < to.total_steps; step++) {
        asacl_batch batch;
        asacl_step_stats stats;
        CHECK(asacl_loader_next(loader, &batch, NULL));
        CHECK(asacl_trainer_step(trainer, &batch, &stats));
        printf("step %ld  loss %.4f  task %.4f  vloss %.4f  kept units %.1f\n", step + 1,
               stats.loss, stats.task, stats.vloss, stats.rloss);
    }
    asacl_metrics m;                    /* on the training file itself, for the demo */
    CHECK(asacl_evaluate(model, loader, &m, NULL));
    printf("accuracy %.4f on %zu examples\n", m.accuracy, m.n);
    CHECK(asacl_model_save(model, argv[3], vocab));
    asacl_trainer_destroy(trainer); asacl_model_destroy(model); asacl_loader_destroy(loader);
    asacl_dataset_destroy(data); asacl_tokenizer_destroy(tok); asacl_ctx_destroy(ctx);
    return 0;
}
