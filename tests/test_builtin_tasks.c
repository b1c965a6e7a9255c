/* test_builtin_tasks.c -- the built-in NER and multiple-choice toy tasks
 * (src/data/builtin_ner.c, builtin_choice.c): replay from the seed, every
 * word one piece of the task's vocabulary, well-formed BIO labels, the true
 * signal always decisive, and the spurious cue at its stated rates in
 * "train" (90%) and "dev-shift" (chance). */
#include "data/builtin_choice.h"
#include "data/builtin_ner.h"
#include "data/tokenizer.h"
#include "test_util.h"

#define N 4000

static int is_one_of(const char *w, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(w, list[i])) return 1;
    return 0;
}

static void one_piece(const wp_tokenizer *t, const char *text, const char *what)
{
    int32_t *ids = NULL;
    size_t n = 0;
    CHECK_OK(wp_tokenize(t, text, &ids, &n));
    for (size_t i = 0; i < n; i++)
        CHECK(ids[i] != wp_id(t, "[UNK]") && wp_token(t, ids[i])[0] != '#',
              "%s: \"%s\" has a piece outside the vocabulary", what, text);
    free(ids);
}

static void test_ner(void)
{
    const char *vocab[128];
    size_t nv = builtin_ner_vocab(vocab, 128);
    wp_tokenizer *t = NULL;
    REQUIRE_OK(wp_from_tokens(vocab, nv, 1, &t));
    static const char *const AMB[] = {"jordan", "georgia", "austin", "chelsea", "florence",
                                      "sydney"};
    static const char *const PER_VERB[] = {"talked", "wrote", "spoke"};
    static const char *const LOC_VERB[] = {"flew", "moved", "drove"};
    const char *splits[] = {"train", "dev-shift"};
    for (int sp = 0; sp < 2; sp++) {
        conll_dataset a, b;
        REQUIRE_OK(builtin_ner_generate(splits[sp], N, 7, &a));
        REQUIRE_OK(builtin_ner_generate(splits[sp], N, 7, &b));
        CHECK(a.num_labels == 5 && !strcmp(a.labels[0], "O") && !strcmp(a.labels[1], "B-PER") &&
                  !strcmp(a.labels[4], "I-LOC"),
              "classes");
        CHECK(a.n == N && a.n_words == b.n_words, "replay");
        int same = a.n_words == b.n_words;
        for (size_t i = 0; same && i < a.n_words; i++)
            same = !strcmp(a.words_[i], b.words_[i]) && a.ids_[i] == b.ids_[i];
        CHECK(same, "%s: same seed, same sentences", splits[sp]);
        size_t key_per = 0, key_loc = 0, yest_per = 0, yest_loc = 0, n_ent = 0;
        for (size_t s = 0; s < a.n; s++) {
            const conll_sentence *x = &a.sent[s];
            int keys = 0, key_label = -1;
            for (size_t i = 0; i < x->n; i++) {
                int y = x->labels[i];
                CHECK(y >= 0 && y < 5, "label %d", y);
                if (y == 2 || y == 4) /* I-X after B-X or I-X of the same type */
                    CHECK(i > 0 && (x->labels[i - 1] == y || x->labels[i - 1] == y - 1),
                          "sentence %zu: I- without its B-", s);
                n_ent += y == 1 || y == 3;
                one_piece(t, x->words[i], "ner");
                if (is_one_of(x->words[i], AMB, 6)) {
                    keys++;
                    key_label = y;
                    /* the clause decides: verb two before, or the preposition just before */
                    const char *verb = x->words[i - 2], *prep = x->words[i - 1];
                    int per = is_one_of(verb, PER_VERB, 3) || !strcmp(prep, "with");
                    int loc = is_one_of(verb, LOC_VERB, 3) || !strcmp(prep, "in");
                    CHECK(per != loc && y == (per ? 1 : 3), "sentence %zu: ambiguous entity "
                          "not decided by its clause (%s %s)", s, verb, prep);
                }
            }
            CHECK(keys == 1, "sentence %zu: %d ambiguous entities", s, keys);
            int yest = !strcmp(x->words[x->n - 2], "yesterday");
            CHECK(yest || !strcmp(x->words[x->n - 2], "today"), "time word");
            if (key_label == 1) {
                key_per++;
                yest_per += (size_t)yest;
            } else {
                key_loc++;
                yest_loc += (size_t)yest;
            }
        }
        double p_per = (double)yest_per / (double)key_per, p_loc = (double)yest_loc / (double)key_loc;
        double want_per = sp ? 0.5 : 0.9, want_loc = sp ? 0.5 : 0.1;
        CHECK(fabs(p_per - want_per) < 0.03 && fabs(p_loc - want_loc) < 0.03,
              "%s: P(yesterday | PER) %.3f (want %.1f), P(yesterday | LOC) %.3f (want %.1f)",
              splits[sp], p_per, want_per, p_loc, want_loc);
        CHECK(fabs((double)key_per / N - 0.5) < 0.03, "ambiguous PER share %.3f",
              (double)key_per / N);
        CHECK(n_ent > 19 * N / 10, "entities per sentence %.2f", (double)n_ent / N);
        printf("ner %s: %zu words, %.2f entities per sentence, P(yesterday|PER) %.3f, "
               "P(yesterday|LOC) %.3f\n", splits[sp], a.n_words, (double)n_ent / N, p_per, p_loc);
        conll_free(&a);
        conll_free(&b);
    }
    conll_dataset c, d;
    REQUIRE_OK(builtin_ner_generate("dev", 50, 7, &c));
    REQUIRE_OK(builtin_ner_generate("dev", 50, 8, &d));
    int differ = 0;
    for (size_t s = 0; s < 50; s++) differ += c.sent[s].n != d.sent[s].n;
    CHECK(differ > 5, "another seed, other sentences (%d of 50 lengths differ)", differ);
    conll_free(&c);
    conll_free(&d);
    CHECK(builtin_ner_generate("test", 5, 1, &c) == ASACL_ERR_INVALID_ARG, "bad split");
    CHECK(builtin_ner_generate("dev", 0, 1, &c) == ASACL_ERR_INVALID_ARG, "zero sentences");
    wp_free(t);
}

static void test_choice(void)
{
    const char *vocab[128];
    size_t nv = builtin_choice_vocab(vocab, 128);
    wp_tokenizer *t = NULL;
    REQUIRE_OK(wp_from_tokens(vocab, nv, 1, &t));
    const char *splits[] = {"train", "dev-shift"};
    for (int sp = 0; sp < 2; sp++) {
        choice_dataset a, b;
        REQUIRE_OK(builtin_choice_generate(splits[sp], N, 11, &a));
        REQUIRE_OK(builtin_choice_generate(splits[sp], N, 11, &b));
        CHECK(a.n == N && a.n_choices == BUILTIN_CHOICES && a.has_labels, "shape");
        size_t marked_right = 0, label_at[BUILTIN_CHOICES] = {0};
        for (size_t i = 0; i < a.n; i++) {
            const choice_example *x = &a.ex[i];
            CHECK(!strcmp(x->context, b.ex[i].context) && x->label == b.ex[i].label, "replay");
            one_piece(t, x->context, "context");
            /* the asked thing and its colour in the context */
            char thing[32] = "", want[40];
            const char *q = x->second[0];
            if (sscanf(q, "what color is the %31s", thing) != 1) sscanf(q, "the %31s", thing);
            const char *at = strstr(x->context, thing);
            CHECK(at && at > x->context + 2, "example %zu: \"%s\" not in the context", i, thing);
            const char *e = at - 1, *s0 = e;
            while (s0 > x->context && s0[-1] != ' ') s0--;
            snprintf(want, sizeof want, "%.*s", (int)(e - s0), s0);
            int marks = 0, right = -1;
            for (int k = 0; k < BUILTIN_CHOICES; k++) {
                one_piece(t, x->second[k], "choice");
                const char *sure = strstr(x->second[k], "surely ");
                marks += sure != NULL;
                /* the colour: the last word, or the one before the final "." of a cloze */
                char words[8][32];
                int nw = 0;
                for (const char *p = x->second[k]; *p && nw < 8;) {
                    int len = 0;
                    while (p[len] && p[len] != ' ') len++;
                    snprintf(words[nw++], sizeof words[0], "%.*s", len, p);
                    p += len;
                    while (*p == ' ') p++;
                }
                const char *colour = !strcmp(words[nw - 1], ".") ? words[nw - 2] : words[nw - 1];
                if (!strcmp(colour, want)) right = right < 0 ? k : -2;
                if (sure && k == x->label) marked_right++;
            }
            CHECK(marks == 1, "example %zu: %d marked choices", i, marks);
            CHECK(right == x->label, "example %zu: label %d, the context says choice %d (%s)", i,
                  x->label, right, want);
            if (x->label >= 0) label_at[x->label]++;
        }
        double p = (double)marked_right / N, want_p = sp ? 0.25 : 0.9;
        CHECK(fabs(p - want_p) < 0.03, "%s: P(marked choice is right) %.3f, want %.2f",
              splits[sp], p, want_p);
        for (int k = 0; k < BUILTIN_CHOICES; k++)
            CHECK(fabs((double)label_at[k] / N - 0.25) < 0.03, "label %d share %.3f", k,
                  (double)label_at[k] / N);
        printf("choice %s: P(marked is right) %.3f; e.g. \"%s\" / \"%s\" (label %d)\n", splits[sp],
               p, a.ex[0].context, a.ex[0].second[0], a.ex[0].label);
        choice_free(&a);
        choice_free(&b);
    }
    choice_dataset c;
    CHECK(builtin_choice_generate("test", 5, 1, &c) == ASACL_ERR_INVALID_ARG, "bad split");
    wp_free(t);
}

int main(void)
{
    test_ner();
    test_choice();
    return test_finish("test_builtin_tasks");
}
