/* test_conll.c -- the CoNLL-style token reader (src/data/conll.c): words,
 * labels, sentence splits and lines of small files written by hand, the
 * "O first" class order, dev files read with the training classes, and an
 * error naming file:line for each malformed file. */
#include "data/conll.h"
#include "test_util.h"

#define DIR ASACL_TEST_DATA "/tasks/"

static void check_sentence(const conll_dataset *d, size_t s, size_t line, const char *words,
                           const char *labels)
{
    if (s >= d->n) {
        CHECK(0, "sentence %zu missing", s);
        return;
    }
    const conll_sentence *x = &d->sent[s];
    char w[512] = "", l[512] = "";
    for (size_t i = 0; i < x->n; i++) {
        snprintf(w + strlen(w), sizeof w - strlen(w), "%s%s", i ? " " : "", x->words[i]);
        snprintf(l + strlen(l), sizeof l - strlen(l), "%s%s", i ? " " : "",
                 x->labels[i] < 0 ? "-" : d->labels[x->labels[i]]);
    }
    CHECK(!strcmp(w, words), "sentence %zu words \"%s\", want \"%s\"", s, w, words);
    CHECK(!strcmp(l, labels), "sentence %zu labels \"%s\", want \"%s\"", s, l, labels);
    CHECK(x->line == line, "sentence %zu line %zu, want %zu", s, x->line, line);
}

static void test_train(void)
{
    conll_dataset d;
    REQUIRE_OK(conll_read(DIR "conll_train.txt", NULL, 0, 1, &d));
    CHECK(d.n == 3 && d.n_words == 9, "%zu sentences, %zu words", d.n, d.n_words);
    /* first appearance: B-ORG O B-MISC B-PER I-PER B-LOC, then O moved to 0 */
    static const char *const want[] = {"O", "B-ORG", "B-MISC", "B-PER", "I-PER", "B-LOC"};
    CHECK(d.num_labels == 6, "%d classes", d.num_labels);
    for (int k = 0; k < 6 && k < d.num_labels; k++)
        CHECK(!strcmp(d.labels[k], want[k]), "class %d \"%s\", want \"%s\"", k, d.labels[k],
              want[k]);
    check_sentence(&d, 0, 3, "EU rejects German call .", "B-ORG O B-MISC O O");
    check_sentence(&d, 1, 10, "Peter Blackburn", "B-PER I-PER");
    check_sentence(&d, 2, 14, "BRUSSELS 1996-08-22", "B-LOC O");
    CHECK(d.sent[0].labels[0] == 1 && d.sent[0].labels[1] == 0, "ids after moving O");

    /* the dev file with the training classes: the same ids, an unknown one fails */
    const char *names[6];
    for (int k = 0; k < 6; k++) names[k] = d.labels[k];
    conll_dataset dev;
    REQUIRE_OK(conll_read(DIR "conll_train.txt", names, 6, 1, &dev));
    CHECK(dev.n_words == d.n_words && !memcmp(dev.sent[0].labels, d.sent[0].labels,
                                              d.n_words * sizeof(int)),
          "re-read with the training classes");
    conll_free(&dev);
    CHECK(conll_read(DIR "conll_dev_unknown.txt", names, 6, 1, &dev) == ASACL_ERR_FORMAT,
          "unknown label");
    CHECK(strstr(asacl_last_error(), "conll_dev_unknown.txt:2: unknown label \"B-LOC\"") == NULL,
          "B-LOC is known: %s", asacl_last_error());
    CHECK(strstr(asacl_last_error(), "conll_dev_unknown.txt:4: unknown label \"I-MISC\" "
                                     "(expected one of: O, B-ORG, B-MISC, B-PER, I-PER, B-LOC)"),
          "message: %s", asacl_last_error());
    CHECK(dev.n == 0 && dev.sent == NULL, "zeroed after a failure");
    conll_free(&d);

    /* given classes keep their order, "O" wherever it is */
    const char *given[] = {"B-ORG", "O", "B-MISC", "B-PER", "I-PER", "B-LOC", "I-LOC"};
    REQUIRE_OK(conll_read(DIR "conll_train.txt", given, 7, 1, &d));
    CHECK(d.num_labels == 7 && d.sent[0].labels[0] == 0 && d.sent[0].labels[1] == 1,
          "given order kept");
    conll_free(&d);
}

static void test_formats(void)
{
    conll_dataset d;
    /* WNUT: tabs, CRLF, a BOM, no final newline */
    REQUIRE_OK(conll_read(DIR "wnut_crlf.txt", NULL, 0, 1, &d));
    CHECK(d.num_labels == 2 && !strcmp(d.labels[0], "O") && !strcmp(d.labels[1], "B-location"),
          "wnut classes");
    check_sentence(&d, 0, 1, "Paris is", "B-location O");
    check_sentence(&d, 1, 4, "U.S. rocks", "B-location O");
    conll_free(&d);
    /* without labels: one field per line, labels -1 */
    REQUIRE_OK(conll_read(DIR "conll_unlabelled.txt", NULL, 0, 0, &d));
    CHECK(d.n == 2 && d.num_labels == 0 && !d.has_labels, "unlabelled");
    check_sentence(&d, 0, 1, "EU rejects", "- -");
    check_sentence(&d, 1, 4, "German", "-");
    conll_free(&d);
}

static void test_errors(void)
{
    struct {
        const char *file, *want;
        int has_labels;
        asacl_status st;
    } cases[] = {
        {"conll_one_field.txt", "conll_one_field.txt:2: expected \"word ... label\"", 1,
         ASACL_ERR_FORMAT},
        {"conll_empty.txt", "conll_empty.txt: no words", 1, ASACL_ERR_FORMAT},
        {"missing.txt", "missing.txt", 1, ASACL_ERR_IO},
        {"", "", 1, ASACL_ERR_IO},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char path[512];
        snprintf(path, sizeof path, DIR "%s", cases[i].file);
        conll_dataset d;
        asacl_status st = conll_read(path, NULL, 0, cases[i].has_labels, &d);
        CHECK(st == cases[i].st && strstr(asacl_last_error(), cases[i].want), "%s: %s: %s",
              cases[i].file, asacl_status_str(st), asacl_last_error());
        CHECK(d.n == 0 && d.sent == NULL, "%s: zeroed", cases[i].file);
    }
    /* a NUL byte, a label too long, too many classes: files made here */
    const char *tmp = "conll_tmp.txt";
    FILE *f = fopen(tmp, "wb");
    fwrite("a O\nb\0 O\n", 1, 9, f);
    fclose(f);
    conll_dataset d;
    CHECK(conll_read(tmp, NULL, 0, 1, &d) == ASACL_ERR_FORMAT &&
              strstr(asacl_last_error(), "conll_tmp.txt:2: NUL byte"),
          "NUL: %s", asacl_last_error());
    f = fopen(tmp, "wb");
    fprintf(f, "a O\nb %0100d\n", 7);
    fclose(f);
    CHECK(conll_read(tmp, NULL, 0, 1, &d) == ASACL_ERR_FORMAT &&
              strstr(asacl_last_error(), "conll_tmp.txt:2: label \""),
          "long label: %s", asacl_last_error());
    f = fopen(tmp, "wb");
    for (int k = 0; k <= CONLL_MAX_LABELS; k++) fprintf(f, "w L%d\n", k);
    fclose(f);
    CHECK(conll_read(tmp, NULL, 0, 1, &d) == ASACL_ERR_FORMAT &&
              strstr(asacl_last_error(), "conll_tmp.txt:257: label \"L256\" would be class 257"),
          "too many classes: %s", asacl_last_error());
    remove(tmp);
    const char *dup[] = {"O", "O"};
    CHECK(conll_read(DIR "conll_train.txt", dup, 2, 1, &d) == ASACL_ERR_INVALID_ARG,
          "duplicate given label");
}

int main(void)
{
    test_train();
    test_formats();
    test_errors();
    return test_finish("test_conll");
}
