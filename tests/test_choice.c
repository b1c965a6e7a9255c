/* test_choice.c -- the multiple-choice readers (src/data/choice.c) against
 * the examples Python's csv/json modules and the reference's processing
 * give (tests/gen_choice_ref.py -> tests/data/tasks/choice_expected.json),
 * line numbers, and an error naming file:line for each malformed file. */
#include <cjson/cJSON.h>

#include "data/choice.h"
#include "test_util.h"

#define DIR ASACL_TEST_DATA "/tasks/"

static void compare_case(const cJSON *c)
{
    const char *file = cJSON_GetObjectItem(c, "file")->valuestring;
    const char *format = cJSON_GetObjectItem(c, "format")->valuestring;
    int flags = cJSON_GetObjectItem(c, "flags")->valueint;
    const cJSON *exs = cJSON_GetObjectItem(c, "examples");
    char path[512];
    snprintf(path, sizeof path, DIR "%s", file);
    choice_dataset d;
    CHECK_OK(choice_read(path, format, flags, &d));
    int n = cJSON_GetArraySize(exs);
    CHECK(d.n == (size_t)n, "%s (%s, flags %d): %zu examples, want %d", file, format, flags, d.n,
          n);
    for (int i = 0; i < n && (size_t)i < d.n; i++) {
        const cJSON *e = cJSON_GetArrayItem(exs, i), *sec = cJSON_GetObjectItem(e, "second");
        const choice_example *x = &d.ex[i];
        CHECK(!strcmp(x->context, cJSON_GetObjectItem(e, "context")->valuestring),
              "%s #%d context \"%s\"", file, i, x->context);
        CHECK(d.n_choices == cJSON_GetArraySize(sec), "%s: %d choices", file, d.n_choices);
        for (int k = 0; k < d.n_choices && k < cJSON_GetArraySize(sec); k++)
            CHECK(!strcmp(x->second[k], cJSON_GetArrayItem(sec, k)->valuestring),
                  "%s #%d choice %d: \"%s\", want \"%s\"", file, i, k, x->second[k],
                  cJSON_GetArrayItem(sec, k)->valuestring);
        int label = cJSON_GetObjectItem(e, "label")->valueint;
        CHECK(x->label == label, "%s #%d label %d, want %d", file, i, x->label, label);
        CHECK(d.has_labels == (label >= 0), "%s: has_labels %d", file, d.has_labels);
    }
    choice_free(&d);
}

static void test_expected(void)
{
    char *text = NULL;
    size_t size = 0;
    REQUIRE_OK(rt_read_file(DIR "choice_expected.json", &text, &size));
    cJSON *cases = cJSON_Parse(text);
    CHECK(cases && cJSON_GetArraySize(cases) == 8, "choice_expected.json");
    const cJSON *c;
    cJSON_ArrayForEach(c, cases) compare_case(c);
    cJSON_Delete(cases);
    free(text);
}

static void test_lines(void)
{
    choice_dataset d;
    CHECK_OK(choice_read(DIR "swag_train.csv", "SWAG", 0, &d));
    CHECK(d.n == 2 && d.ex[0].line == 2 && d.ex[1].line == 3, "swag lines %zu %zu",
          d.n ? d.ex[0].line : 0, d.n > 1 ? d.ex[1].line : 0);
    choice_free(&d);
    CHECK_OK(choice_read(DIR "hellaswag_val.jsonl", "hellaswag", 0, &d));
    CHECK(d.n == 2 && d.ex[0].line == 1 && d.ex[1].line == 3, "hellaswag lines");
    choice_free(&d);
    CHECK_OK(choice_read(DIR "dream_train.json", "dream", CHOICE_ALL_QUESTIONS, &d));
    CHECK(d.n == 3 && d.ex[0].line == 2 && d.ex[1].line == 2 && d.ex[2].line == 10,
          "dream lines %zu %zu %zu", d.n ? d.ex[0].line : 0, d.n > 1 ? d.ex[1].line : 0,
          d.n > 2 ? d.ex[2].line : 0);
    choice_free(&d);
}

typedef struct bad_case {
    const char *file, *format, *want; /* want: a substring of the message */
    asacl_status status;
} bad_case;

static void test_errors(void)
{
    static const bad_case cases[] = {
        {"swag_bad_label.csv", "swag", "swag_bad_label.csv:2: label 7 is not a choice index",
         ASACL_ERR_FORMAT},
        {"swag_no_ending3.csv", "swag", "swag_no_ending3.csv:1: the header has no column \"ending3\"",
         ASACL_ERR_FORMAT},
        {"swag_open_quote.csv", "swag", "swag_open_quote.csv:3: the quoted field", ASACL_ERR_FORMAT},
        {"swag_short_row.csv", "swag", "swag_short_row.csv:3: 4 fields, the header has 8",
         ASACL_ERR_FORMAT},
        {"dream_bad_answer.json", "dream", "dream_bad_answer.json:3: dialogue 1, question 0: the "
         "answer \"w\" is not one of its choices", ASACL_ERR_FORMAT},
        {"dream_bad_json.json", "dream", "dream_bad_json.json:3: not valid JSON", ASACL_ERR_FORMAT},
        {"dream_missing_comma.json", "dream", "dream_missing_comma.json:3: expected ',' or ']' after "
         "dialogue 0", ASACL_ERR_FORMAT},
        {"hellaswag_count.jsonl", "hellaswag", "hellaswag_count.jsonl:2: 4 choices, but the file's "
         "first example (line 1) has 3", ASACL_ERR_FORMAT},
        {"own_mixed.jsonl", "jsonl", "own_mixed.jsonl:2: no label, but the file's first example",
         ASACL_ERR_FORMAT},
        {"own_label_range.jsonl", "jsonl", "own_label_range.jsonl:1: label 2 is not a choice index "
         "(0 to 1)", ASACL_ERR_FORMAT},
        {"own_bad_choice.jsonl", "jsonl", "own_bad_choice.jsonl:3: \"choices\"[1] is a number "
         "(expected a string)", ASACL_ERR_FORMAT},
        {"own_bad_json.jsonl", "jsonl", "own_bad_json.jsonl:2: not valid JSON", ASACL_ERR_FORMAT},
        {"own_empty_context.jsonl", "jsonl", "own_empty_context.jsonl:1: empty context",
         ASACL_ERR_FORMAT},
        {"own_no_context.jsonl", "jsonl", "own_no_context.jsonl:1: \"context\" is missing "
         "(expected a string)", ASACL_ERR_FORMAT},
        {"own_blank.jsonl", "jsonl", "own_blank.jsonl: no examples", ASACL_ERR_FORMAT},
        {"conll_train.txt", "dream", "conll_train.txt:1: expected a JSON list", ASACL_ERR_FORMAT},
        {"conll_train.txt", "jsonl", "conll_train.txt:1: not valid JSON", ASACL_ERR_FORMAT},
        {"own.jsonl", "race", "unknown multiple-choice format \"race\" (known: swag, dream, "
         "hellaswag, jsonl)", ASACL_ERR_INVALID_ARG},
        {"missing.jsonl", "jsonl", "missing.jsonl", ASACL_ERR_IO},
        {"", "jsonl", "", ASACL_ERR_IO}, /* the folder itself */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char path[512];
        snprintf(path, sizeof path, DIR "%s", cases[i].file);
        choice_dataset d;
        memset(&d, 0x5a, sizeof d);
        asacl_status st = choice_read(path, cases[i].format, 0, &d);
        const char *msg = asacl_last_error();
        CHECK(st == cases[i].status, "%s: status %s, want %s (%s)", cases[i].file,
              asacl_status_str(st), asacl_status_str(cases[i].status), msg);
        CHECK(strstr(msg, cases[i].want) != NULL, "%s: message \"%s\" lacks \"%s\"",
              cases[i].file, msg, cases[i].want);
        CHECK(d.n == 0 && d.ex == NULL, "%s: dataset not zeroed after a failure", cases[i].file);
        choice_free(&d);
    }
}

static void test_add(void)
{
    /* choice_add: the rule of the second segment, and its checks */
    choice_dataset d;
    memset(&d, 0, sizeof d);
    const char *ch[3] = {"red", "blue", "green"};
    CHECK_OK(choice_add(&d, "gen", 1, "ctx", "the _ ball is _", ch, 3, 2));
    CHECK_OK(choice_add(&d, "gen", 2, "ctx", "what color?", ch, 3, 0));
    CHECK_OK(choice_add(&d, "gen", 3, "ctx", NULL, ch, 3, 1));
    CHECK(d.n == 3 && !strcmp(d.ex[0].second[2], "the green ball is green") &&
              !strcmp(d.ex[1].second[1], "what color? blue") && !strcmp(d.ex[2].second[0], "red"),
          "choice_add second segments");
    CHECK(choice_add(&d, "gen", 4, "ctx", NULL, ch, 2, 1) == ASACL_ERR_FORMAT &&
              strstr(asacl_last_error(), "gen:4: 2 choices"),
          "choice_add: choice count (%s)", asacl_last_error());
    CHECK(choice_add(&d, "gen", 5, "ctx", NULL, ch, 3, -1) == ASACL_ERR_FORMAT,
          "choice_add: a missing label after labelled examples");
    choice_free(&d);
}

int main(void)
{
    test_expected();
    test_lines();
    test_errors();
    test_add();
    return test_finish("test_choice");
}
