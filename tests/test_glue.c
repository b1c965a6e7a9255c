/* test_glue.c -- the GLUE TSV readers: every task in GLUE's own layouts
 * (data/glue/<task>_*.tsv, a few real lines each), users' own files, and
 * each error with its status and message (data/glue/bad_*.tsv, and files
 * written here for what is awkward to commit). */
#define _POSIX_C_SOURCE 200809L
#include <unistd.h>

#include "data/glue.h"
#include "test_util.h"

#define DIR ASACL_TEST_DATA "/glue/"

/* Reads data/glue/<file> as task; exits when that fails. */
static void load(const char *file, const char *task, glue_dataset *d)
{
    char path[512];
    snprintf(path, sizeof path, "%s%s", DIR, file);
    REQUIRE_OK(glue_read(path, task, NULL, 0, d));
}

static int same(const char *a, const char *b) { return (!a && !b) || (a && b && !strcmp(a, b)); }

static void expect_ex(const glue_dataset *d, size_t i, size_t line, const char *a, const char *b,
                      int label)
{
    if (i >= d->n) {
        CHECK(0, "example %zu of %zu", i, d->n);
        return;
    }
    const glue_example *e = &d->ex[i];
    CHECK(same(e->a, a), "example %zu: a \"%s\", want \"%s\"", i, e->a, a);
    CHECK(same(e->b, b), "example %zu: b \"%s\", want \"%s\"", i, e->b ? e->b : "(null)",
          b ? b : "(null)");
    CHECK(e->label == label, "example %zu: label %d, want %d", i, e->label, label);
    CHECK(e->line == line, "example %zu: line %zu, want %zu", i, e->line, line);
}

static void expect_shape(const glue_dataset *d, size_t n, int is_pair, int has_labels,
                         int num_labels)
{
    CHECK(d->n == n && d->is_pair == is_pair && d->has_labels == has_labels &&
              d->num_labels == num_labels && !d->is_regression,
          "n %zu pair %d labelled %d classes %d; want %zu %d %d %d", d->n, d->is_pair,
          d->has_labels, d->num_labels, n, is_pair, has_labels, num_labels);
}

/* glue_read(path, task, labels) must fail with want and a message holding needle. */
static void expect_error(const char *path, const char *task, const char *const *labels,
                         int num_labels, asacl_status want, const char *needle)
{
    glue_dataset d;
    memset(&d, 0x55, sizeof d);
    asacl_status st = glue_read(path, task, labels, num_labels, &d);
    CHECK(st == want, "%s as %s: %s, want %s", path, task, asacl_status_str(st),
          asacl_status_str(want));
    CHECK(strstr(asacl_last_error(), needle), "%s: message \"%s\" lacks \"%s\"", path,
          asacl_last_error(), needle);
    CHECK(d.ex == NULL && d.n == 0 && d.text_ == NULL, "%s: *out is zeroed after a failure", path);
}

static void test_glue_tasks(void)
{
    glue_dataset d;

    /* SST-2: the sentences end in a space, which stays. */
    load("sst2_train.tsv", "sst2", &d);
    expect_shape(&d, 3, 0, 1, 2);
    CHECK(!strcmp(d.labels[0], "0") && !strcmp(d.labels[1], "1"), "sst2 classes");
    expect_ex(&d, 0, 2, "hide new secretions from the parental units ", NULL, 0);
    expect_ex(&d, 1, 3,
              "that loves its characters and communicates something rather beautiful about "
              "human nature ",
              NULL, 1);
    expect_ex(&d, 2, 4, "remains utterly satisfied to remain the same throughout ", NULL, 0);
    glue_free(&d);
    load("sst2_renamed.tsv", "sst2", &d); /* no "sentence" column: GLUE's position, 1st */
    expect_shape(&d, 1, 0, 1, 2);
    expect_ex(&d, 0, 2, "nice", NULL, 1);
    glue_free(&d);
    load("sst2_test.tsv", "SST-2", &d);
    expect_shape(&d, 2, 0, 0, 2);
    expect_ex(&d, 0, 2, "uneasy mishmash of styles and genres .", NULL, -1);
    expect_ex(&d, 1, 3,
              "this film 's relationship to actual tension is the same as what christmas-tree "
              "flocking in a spray can is to actual snow : a poor -- if durable -- imitation .",
              NULL, -1);
    glue_free(&d);

    /* CoLA: train and dev have no header; test has one. */
    load("cola_train.tsv", "cola", &d);
    expect_shape(&d, 3, 0, 1, 2);
    expect_ex(&d, 0, 1, "Our friends won't buy this analysis, let alone the next one we propose.",
              NULL, 1);
    expect_ex(&d, 1, 2, "They drank the pub.", NULL, 0);
    expect_ex(&d, 2, 3, "The \"car\" broke down.", NULL, 1);
    glue_free(&d);
    load("cola_test.tsv", "CoLA", &d);
    expect_shape(&d, 2, 0, 0, 2);
    expect_ex(&d, 0, 2, "Bill whistled past the house.", NULL, -1);
    expect_ex(&d, 1, 3, "The car honked its way down the road.", NULL, -1);
    glue_free(&d);

    /* MRPC: a BOM, CRLF line ends, quotes that are text. */
    load("mrpc_train.tsv", "mrpc", &d);
    expect_shape(&d, 2, 1, 1, 2);
    expect_ex(&d, 0, 2,
              "Amrozi accused his brother , whom he called \" the witness \" , of deliberately "
              "distorting his evidence .",
              "Referring to him as only \" the witness \" , Amrozi accused his brother of "
              "deliberately distorting his evidence .",
              1);
    expect_ex(&d, 1, 3,
              "Yucaipa owned Dominick 's before selling the chain to Safeway in 1998 for $ 2.5 "
              "billion .",
              "Yucaipa bought Dominick 's in 1995 for $ 693 million and sold it to Safeway for $ "
              "1.8 billion in 1998 .",
              0);
    glue_free(&d);

    load("qnli_dev.tsv", "qnli", &d);
    expect_shape(&d, 2, 1, 1, 2);
    CHECK(!strcmp(d.labels[0], "entailment") && !strcmp(d.labels[1], "not_entailment"),
          "qnli classes");
    expect_ex(&d, 0, 2, "What came into force after the new constitution was herald?",
              "As of that day, the new constitution heralding the Second Republic came into "
              "force.",
              0);
    expect_ex(&d, 1, 3, "What is the first major city in the stream of the Rhine?",
              "The most important tributaries in this area are the Ill below of Strasbourg, the "
              "Neckar in Mannheim and the Main across from Mainz.",
              1);
    glue_free(&d);

    load("rte_train.tsv", "RTE", &d);
    expect_shape(&d, 2, 1, 1, 2);
    expect_ex(&d, 0, 2, "No Weapons of Mass Destruction Found in Iraq Yet.",
              "Weapons of Mass Destruction Found in Iraq.", 1);
    expect_ex(&d, 1, 3,
              "A place of sorrow, after Pope John Paul II died, became a place of "
              "celebration.",
              "Pope Benedict XVI is the new leader of the Roman Catholic Church.", 0);
    glue_free(&d);

    /* MNLI: sentence1/2 at columns 9 and 10; the gold label, not label1. */
    load("mnli_train.tsv", "mnli", &d);
    expect_shape(&d, 3, 1, 1, 3);
    CHECK(!strcmp(d.labels[0], "contradiction") && !strcmp(d.labels[1], "entailment") &&
              !strcmp(d.labels[2], "neutral"),
          "mnli classes");
    expect_ex(&d, 0, 2,
              "Conceptually cream skimming has two basic dimensions - product and geography.",
              "Product and geography are what make cream skimming work. ", 2);
    expect_ex(&d, 1, 3,
              "you know during the season and i guess at at your level uh you lose them to the "
              "next level",
              "You lose the things to the following level if the people recall.", 1);
    expect_ex(&d, 2, 4, "One of our number will carry out your instructions minutely.",
              "A member of my team will execute your orders with immense precision.", 0);
    glue_free(&d);
    load("mnli_dev_matched.tsv", "mnli", &d); /* label1..label5, then gold_label */
    expect_shape(&d, 2, 1, 1, 3);
    expect_ex(&d, 0, 2, "The new rights are nice enough",
              "Everyone really likes the newest benefits ", 2);
    expect_ex(&d, 1, 3,
              "This site includes a list of all award winners and a searchable database of "
              "Government Executive articles.",
              "The Government Executive articles housed on the website are not able to be "
              "searched .",
              0);
    glue_free(&d);
    load("mnli_test_matched.tsv", "mnli", &d);
    expect_shape(&d, 1, 1, 0, 3);
    expect_ex(&d, 0, 2,
              "Hierbas, ans seco, ans dulce, and frigola are just a few names worth keeping a "
              "look-out for.",
              "Hierbas is a name worth looking out for.", -1);
    glue_free(&d);

    /* QQP: a stray quote is text. */
    load("qqp_train.tsv", "QQP", &d);
    expect_shape(&d, 3, 1, 1, 2);
    expect_ex(&d, 0, 2,
              "How is the life of a math student? Could you describe your own experiences?",
              "Which level of prepration is enough for the exam jlpt5?", 0);
    expect_ex(&d, 1, 3, "How do I control my horny emotions?", "How do you control your horniness?",
              1);
    expect_ex(&d, 2, 4, "\"What causes stool color to change to yellow?",
              "What can cause stool to come out as little balls?", 0);
    glue_free(&d);
    load("qqp_test.tsv", "qqp", &d);
    expect_shape(&d, 1, 1, 0, 2);
    expect_ex(&d, 0, 2, "Why am I mentally very lonely? How can I solve it?",
              "Find the remainder when [math]23^{24}[/math] is divided by 24,23?", -1);
    glue_free(&d);

    /* STS-B: a float score; the file has no final newline. */
    load("stsb_dev.tsv", "STS-B", &d);
    CHECK(d.n == 3 && d.is_regression && d.is_pair && d.has_labels && d.num_labels == 1,
          "stsb shape: n %zu regression %d classes %d", d.n, d.is_regression, d.num_labels);
    expect_ex(&d, 0, 2, "A man with a hard hat is dancing.", "A man wearing a hard hat is dancing.",
              -1);
    expect_ex(&d, 2, 4, "Three killed in Iraq.", "Two dead in Iraq attack.", -1);
    CHECK(d.n == 3 && d.ex[0].target == 5.0f && d.ex[1].target == 4.75f && d.ex[2].target == 0.8f,
          "stsb scores");
    glue_free(&d);
}

static void test_own_files(void)
{
    glue_dataset d;
    /* text_a/text_b; classes in order of first appearance; a blank line. */
    load("own_pair.tsv", "tsv", &d);
    expect_shape(&d, 4, 1, 1, 3);
    CHECK(!strcmp(d.labels[0], "same") && !strcmp(d.labels[1], "different") &&
              !strcmp(d.labels[2], "unclear"),
          "classes by first appearance");
    expect_ex(&d, 0, 2, "the cat sat", "a cat sat", 0);
    expect_ex(&d, 1, 3, "it rains", "the sun shines", 1);
    expect_ex(&d, 2, 4, "hello", "hello there", 0);
    expect_ex(&d, 3, 6, "yes", "no", 2);
    glue_free(&d);

    /* The caller's classes. */
    const char *given[] = {"unclear", "different", "same"};
    REQUIRE_OK(glue_read(DIR "own_pair.tsv", "tsv", given, 3, &d));
    expect_shape(&d, 4, 1, 1, 3);
    expect_ex(&d, 0, 2, "the cat sat", "a cat sat", 2);
    expect_ex(&d, 3, 6, "yes", "no", 0);
    glue_free(&d);
    expect_error(DIR "own_pair.tsv", "tsv", given + 1, 2, ASACL_ERR_FORMAT,
                 "own_pair.tsv:6: unknown label \"unclear\" (expected one of: different, same)");

    load("own_single.tsv", "TSV", &d); /* "Label" before "Sentence": any case, any order */
    expect_shape(&d, 2, 0, 1, 2);
    expect_ex(&d, 0, 2, "great film", NULL, 0);
    expect_ex(&d, 1, 3, "dull film", NULL, 1);
    glue_free(&d);
    load("own_unlabelled.tsv", "tsv", &d);
    expect_shape(&d, 1, 1, 0, 0);
    expect_ex(&d, 0, 2, "a", "b", -1);
    glue_free(&d);
    glue_free(NULL);
}

static void write_file(const char *path, const char *data, size_t size)
{
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(data, 1, size, f) != size) {
        fprintf(stderr, "cannot write %s\n", path);
        exit(1);
    }
    fclose(f);
}

static void test_errors(void)
{
    expect_error(DIR "bad_missing_column.tsv", "rte", NULL, 0, ASACL_ERR_FORMAT,
                 "bad_missing_column.tsv:3: missing column \"sentence2\" (column 3): the line "
                 "has 2 columns");
    expect_error(DIR "bad_unknown_label.tsv", "sst2", NULL, 0, ASACL_ERR_FORMAT,
                 "bad_unknown_label.tsv:3: unknown label \"negative\" (expected one of: 0, 1)");
    expect_error(DIR "bad_empty_text.tsv", "qnli", NULL, 0, ASACL_ERR_FORMAT,
                 "bad_empty_text.tsv:2: empty text in column \"sentence\"");
    expect_error(DIR "bad_score.tsv", "stsb", NULL, 0, ASACL_ERR_FORMAT,
                 "bad_score.tsv:3: score \"five\" is not a number");
    expect_error(DIR "bad_header_only.tsv", "sst2", NULL, 0, ASACL_ERR_FORMAT,
                 "bad_header_only.tsv: a header but no examples");
    expect_error(DIR "bad_empty.tsv", "sst2", NULL, 0, ASACL_ERR_FORMAT,
                 "bad_empty.tsv: empty file");
    expect_error(DIR "bad_no_text_column.tsv", "tsv", NULL, 0, ASACL_ERR_FORMAT,
                 "bad_no_text_column.tsv:1: the header names no text column");
    /* A file of another task: QNLI's columns are not MNLI's. */
    expect_error(DIR "qnli_dev.tsv", "mnli", NULL, 0, ASACL_ERR_FORMAT,
                 "qnli_dev.tsv:2: missing column \"sentence1\" (column 9): the line has 4 "
                 "columns");
    expect_error(DIR "absent.tsv", "sst2", NULL, 0, ASACL_ERR_IO, "absent.tsv");
    expect_error(ASACL_TEST_DATA "/glue", "sst2", NULL, 0, ASACL_ERR_IO, "glue");
    expect_error(
        DIR "sst2_train.tsv", "wnli", NULL, 0, ASACL_ERR_INVALID_ARG,
        "unknown task \"wnli\" (known: sst2, cola, mrpc, qnli, rte, mnli, qqp, stsb, tsv)");
    const char *labels[] = {"a", "b"};
    expect_error(DIR "stsb_dev.tsv", "stsb", labels, 2, ASACL_ERR_INVALID_ARG,
                 "stsb is a regression task and takes no labels");
    expect_error(DIR "own_pair.tsv", "tsv", labels, 0, ASACL_ERR_INVALID_ARG,
                 "0 labels; 1 to 32 are allowed");
    CHECK(!strcmp(glue_task_names(), "sst2, cola, mrpc, qnli, rte, mnli, qqp, stsb, tsv"),
          "task names: %s", glue_task_names());

    /* Files awkward to commit: long lines, NUL bytes, too many classes. */
    char dir[] = "/tmp/asacl-test-glue-XXXXXX", path[512];
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        exit(1);
    }
    snprintf(path, sizeof path, "%s/data.tsv", dir);
    size_t cap = GLUE_MAX_LINE + 64;
    char *buf = malloc(cap);
    if (!buf) exit(1);
    /* A line of exactly GLUE_MAX_LINE bytes is fine, one more is not. */
    size_t head = (size_t)sprintf(buf, "sentence\tlabel\n");
    memset(buf + head, 'x', GLUE_MAX_LINE - 2);
    memcpy(buf + head + GLUE_MAX_LINE - 2, "\t1\r\n", 4);
    write_file(path, buf, head + GLUE_MAX_LINE + 2);
    glue_dataset d;
    CHECK_OK(glue_read(path, "sst2", NULL, 0, &d));
    CHECK(d.n == 1 && strlen(d.ex[0].a) == GLUE_MAX_LINE - 2 && d.ex[0].label == 1,
          "a line of the maximum length");
    glue_free(&d);
    memset(buf + head, 'x', GLUE_MAX_LINE - 1);
    memcpy(buf + head + GLUE_MAX_LINE - 1, "\t1\n", 3);
    write_file(path, buf, head + GLUE_MAX_LINE + 2);
    expect_error(path, "sst2", NULL, 0, ASACL_ERR_FORMAT,
                 "data.tsv:2: the line is longer than 1048576 bytes (1048577)");
    write_file(path, "sentence\tlabel\nab\0c\t1\n", 21);
    expect_error(path, "sst2", NULL, 0, ASACL_ERR_FORMAT, "data.tsv:2: NUL byte in the line");
    const char *nan_score = "index\tgenre\tfilename\tyear\told_index\tsource1\tsource2\tsentence1\t"
                            "sentence2\tscore\n0\tg\tf\ty\to\ts\ts\ta\tb\tnan\n";
    write_file(path, nan_score, strlen(nan_score));
    expect_error(path, "stsb", NULL, 0, ASACL_ERR_FORMAT,
                 "data.tsv:2: score \"nan\" is not a number");
    size_t len = (size_t)sprintf(buf, "text\tlabel\n");
    for (int i = 0; i <= ASACL_MAX_LABELS; i++) len += (size_t)sprintf(buf + len, "t\tl%d\n", i);
    write_file(path, buf, len);
    expect_error(path, "tsv", NULL, 0, ASACL_ERR_FORMAT,
                 "data.tsv:34: label \"l32\" is class 33; at most 32 are allowed");
    len = (size_t)sprintf(buf, "text\tlabel\nt\t");
    memset(buf + len, 'L', GLUE_LABEL_CAP);
    len += GLUE_LABEL_CAP;
    write_file(path, buf, len);
    expect_error(path, "tsv", NULL, 0, ASACL_ERR_FORMAT, "data.tsv:2: label \"LLLL");
    CHECK(strstr(asacl_last_error(), "is longer than 63 bytes"), "message: %s", asacl_last_error());
    free(buf);
    unlink(path);
    rmdir(dir);
}

int main(void)
{
    test_glue_tasks();
    test_own_files();
    test_errors();
    return test_finish("test_glue");
}
