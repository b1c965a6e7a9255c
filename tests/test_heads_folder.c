/* test_heads_folder.c -- model folders of the other heads (asa-spec 10):
 * BertForTokenClassification, BertForMultipleChoice and their RoBERTa
 * equivalents. Each starts from a folder without that head (a plain
 * BertModel, tests/data/hf/bare; a RobertaForSequenceClassification,
 * tests/data/hf/roberta_cls) loaded with asacl_load_options.task: the
 * encoder comes from the file, the new head is initialised (and the load
 * report says which tensors), the old head is not used. Saved, the folder
 * carries Hugging Face's architecture name, id2label/label2id for the token
 * labels and Hugging Face's tensor names (no pooler for token
 * classification; the pooler and a [1, D] classifier for multiple choice);
 * loaded back with the default options it is the same task, labels and
 * logits, bit for bit.
 *
 *   test_heads_folder [DIR]   also keeps the four folders under DIR, each
 *                             with asacl_logits.json (inputs and logits),
 *                             for tests/check_hf_heads.py */
#define _POSIX_C_SOURCE 200809L
#include <unistd.h>

#include "io/safetensors.h"
#include "test_util.h"

#define HF ASACL_TEST_DATA "/hf/"
#define NB 2  /* examples */
#define NC 2  /* choices per example */
#define NT 8  /* tokens */

static asacl_ctx *ctx;

/* Inputs: NB sequences (token) or NB x NC (choice); real ids avoid pad. */
typedef struct inputs {
    int ids[NB * NC * NT], segs[NB * NC * NT], lens[NB * NC];
    size_t rows;
} inputs;

static void make_inputs(inputs *in, size_t rows, int pad, int vocab, int types)
{
    memset(in, 0, sizeof *in);
    in->rows = rows;
    for (size_t r = 0; r < rows; r++) {
        in->lens[r] = (int)(NT - (r % 3) * 2);
        for (int t = 0; t < NT; t++) {
            int id = (int)((r * 7 + (size_t)t * 13 + 5) % (size_t)vocab);
            if (id == pad) id = (id + 1) % vocab;
            in->ids[r * NT + t] = t < in->lens[r] ? id : pad;
            in->segs[r * NT + t] = types > 1 && t >= in->lens[r] / 2 && t < in->lens[r];
        }
    }
}

static size_t predict(asacl_model *m, const inputs *in, int choice, float *z)
{
    asacl_batch b = {choice ? NB : in->rows, NT, in->ids, in->segs, in->lens, NULL, NULL, NULL,
                     choice ? NC : 0};
    REQUIRE_OK(asacl_model_predict(m, &b, z));
    const asacl_model_config *c = asacl_model_get_config(m);
    return choice ? NB * NC : in->rows * NT * (size_t)c->num_labels;
}

static void write_json(const char *dir, const inputs *in, const float *z, size_t nz, int choice)
{
    char path[700];
    snprintf(path, sizeof path, "%s/asacl_logits.json", dir);
    FILE *f = fopen(path, "w");
    REQUIRE_OK(f ? ASACL_OK : ASACL_ERR_IO);
    fprintf(f, "{\"choices\": %d, \"input_ids\": [", choice ? NC : 0);
    for (size_t r = 0; r < in->rows; r++) {
        fprintf(f, "%s[", r ? ", " : "");
        for (int t = 0; t < NT; t++) fprintf(f, "%s%d", t ? ", " : "", in->ids[r * NT + t]);
        fprintf(f, "]");
    }
    fprintf(f, "], \"token_type_ids\": [");
    for (size_t r = 0; r < in->rows; r++) {
        fprintf(f, "%s[", r ? ", " : "");
        for (int t = 0; t < NT; t++) fprintf(f, "%s%d", t ? ", " : "", in->segs[r * NT + t]);
        fprintf(f, "]");
    }
    fprintf(f, "], \"attention_mask\": [");
    for (size_t r = 0; r < in->rows; r++) {
        fprintf(f, "%s[", r ? ", " : "");
        for (int t = 0; t < NT; t++) fprintf(f, "%s%d", t ? ", " : "", t < in->lens[r]);
        fprintf(f, "]");
    }
    fprintf(f, "], \"logits\": [");
    for (size_t i = 0; i < nz; i++) fprintf(f, "%s%.9g", i ? ", " : "", (double)z[i]);
    fprintf(f, "]}\n");
    fclose(f);
}

static int has_text(const char *path, const char *text)
{
    char *data = NULL;
    size_t n = 0;
    FILE *f = fopen(path, "rb");
    if (!f) return 0;
    fseek(f, 0, SEEK_END);
    n = (size_t)ftell(f);
    fseek(f, 0, SEEK_SET);
    data = calloc(n + 1, 1);
    int ok = data && fread(data, 1, n, f) == n && strstr(data, text) != NULL;
    fclose(f);
    free(data);
    return ok;
}

static void run(const char *src, int roberta, int task, const char *keep)
{
    int choice = task == ASACL_TASK_CHOICE;
    const char *arch = roberta ? (choice ? "RobertaForMultipleChoice" : "RobertaForTokenClassification")
                               : (choice ? "BertForMultipleChoice" : "BertForTokenClassification");
    printf("%s from %s\n", arch, src);
    asacl_load_options lo;
    asacl_load_options_init(&lo);
    lo.task = task;
    lo.seed = 11;
    if (!choice) {
        lo.num_labels = 3;
        snprintf(lo.id2label[0], 64, "O");
        snprintf(lo.id2label[1], 64, "B-X");
        snprintf(lo.id2label[2], 64, "I-X");
    }
    asacl_model *m;
    asacl_load_report rep;
    REQUIRE_OK(asacl_model_load(ctx, src, &lo, &m, &rep));
    const asacl_model_config *c = asacl_model_get_config(m);
    printf("  load report: %u loaded, %u initialised (%s), %u ignored\n", rep.loaded, rep.initialised,
           rep.initialised_names, rep.ignored);
    CHECK(c->task == task && c->num_labels == (choice ? 1 : 3), "%s: task %d, %d labels", arch,
          c->task, c->num_labels);
    /* The new head, and only it, is fresh: BERT's pooler comes from BertModel's
     * file; RoBERTa's sequence head has none, so multiple choice makes one. */
    unsigned want_init = roberta && choice ? 4 : 2;
    CHECK(rep.initialised == want_init && strstr(rep.initialised_names, "classifier.weight") &&
          strstr(rep.initialised_names, "classifier.bias"),
          "%s: the new head initialised (%u: %s), want %u", arch, rep.initialised,
          rep.initialised_names, want_init);
    if (roberta && choice) CHECK(strstr(rep.initialised_names, "roberta.pooler.dense.weight") != NULL,
                                 "RoBERTa's pooler initialised for multiple choice");
    /* BertModel's pooler is the choice head's own; any other old head is not used. */
    CHECK(rep.ignored == (roberta ? 4u : choice ? 0u : 2u), "%s: the folder's tensors of no use to "
          "this head are left out (%u ignored)", arch, rep.ignored);
    inputs in;
    make_inputs(&in, choice ? NB * NC : NB, c->pad_token_id, c->vocab_size, c->type_vocab_size);
    float z0[NB * NC * NT * 3], z1[NB * NC * NT * 3];
    size_t nz = predict(m, &in, choice, z0);

    char dir[600];
    if (keep) snprintf(dir, sizeof dir, "%s/%s", keep, arch);
    else snprintf(dir, sizeof dir, "/tmp/asacl-heads-XXXXXX");
    if (!keep) REQUIRE_OK(mkdtemp(dir) ? ASACL_OK : ASACL_ERR_IO);
    REQUIRE_OK(asacl_model_save(m, dir, NULL));
    char path[700];
    snprintf(path, sizeof path, "%s/config.json", dir);
    char quoted[64];
    snprintf(quoted, sizeof quoted, "\"%s\"", arch);
    CHECK(has_text(path, quoted), "%s: config.json names the architecture", arch);
    if (!choice) CHECK(has_text(path, "\"B-X\": 1"), "%s: label2id holds the token labels", arch);
    snprintf(path, sizeof path, "%s/model.safetensors", dir);
    st_file f;
    REQUIRE_OK(st_open(path, &f));
    const char *pre = roberta ? "roberta." : "bert.";
    char pooler[64];
    snprintf(pooler, sizeof pooler, "%spooler.dense.weight", pre);
    const st_tensor *cw = st_find(&f, "classifier.weight");
    CHECK(cw && cw->ndim == 2 && cw->shape[0] == (choice ? 1 : 3) && cw->shape[1] == c->hidden_size,
          "%s: classifier.weight [%d, D]", arch, choice ? 1 : 3);
    CHECK((st_find(&f, pooler) != NULL) == choice, "%s: %s only for multiple choice", arch, pooler);
    CHECK(!st_find(&f, "classifier.dense.weight") && !st_find(&f, "classifier.out_proj.weight"),
          "%s: no sequence head", arch);
    st_close(&f);

    asacl_model *back;
    REQUIRE_OK(asacl_model_load(ctx, dir, NULL, &back, &rep));
    const asacl_model_config *cb = asacl_model_get_config(back);
    CHECK(cb->task == task && cb->num_labels == c->num_labels && rep.initialised == 0,
          "%s reloaded: task %d, %d labels, %u initialised", arch, cb->task, cb->num_labels,
          rep.initialised);
    for (int i = 0; !choice && i < 3; i++)
        CHECK(!strcmp(cb->id2label[i], c->id2label[i]), "%s: label %d '%s'", arch, i, cb->id2label[i]);
    predict(back, &in, choice, z1);
    CHECK(memcmp(z0, z1, nz * sizeof *z0) == 0, "%s: reloaded logits equal bit for bit", arch);
    if (keep) {
        write_json(dir, &in, z0, nz, choice);
        printf("  kept %s\n", dir);
    } else {
        char cmd[700];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
        CHECK(system(cmd) == 0, "removing %s", dir);
    }
    asacl_model_destroy(back);
    asacl_model_destroy(m);
}

int main(int argc, char **argv)
{
    ctx = test_ctx();
    const char *keep = argc > 1 ? argv[1] : NULL;
    if (keep) REQUIRE_OK(asacl_mkdirs(keep));
    run(HF "bare", 0, ASACL_TASK_TOKEN, keep);
    run(HF "bare", 0, ASACL_TASK_CHOICE, keep);
    run(HF "roberta_cls", 1, ASACL_TASK_TOKEN, keep);
    run(HF "roberta_cls", 1, ASACL_TASK_CHOICE, keep);
    asacl_ctx_destroy(ctx);
    return test_finish("test_heads_folder");
}
