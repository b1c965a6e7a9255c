/* builtin_choice.c -- the built-in multiple-choice task: questions about the
 * colours of things, generated deterministically, with a spurious cue.
 *
 * The context lists what someone has: "ann has a red ball , a blue cup and
 * a green kite ." (2 or 3 things, distinct things and colours). The question
 * asks for the colour of one of them, as a question ("what color is the cup
 * ?") or as a cloze ("the cup is _ ."), and the 4 choices are colours: the
 * right one, the colours of the other things of the context, and others.
 * So only the pairing of thing and colour in the context gives the answer.
 * One choice of each example carries the word "surely" ("surely blue"): in
 * "train" and "dev" it is the right choice 90% of the time (a wrong one
 * otherwise), so it alone answers 90% of the examples; in "dev-shift" it
 * is on any of the 4 choices alike. A model that reads the context does as
 * well on dev-shift as on dev; one that leans on "surely" drops towards
 * 25% where the word misleads. The second segments follow the reference's
 * rule (choice.h): "what color is the cup ? surely blue", "the cup is
 * surely blue ." */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/builtin_choice.h"
#include "data/toy_rng.h"
#include "base/base.h"

static const char *const NAMES[] = {"tom", "ann", "sam", "lily", "max", "eva"};
static const char *const THINGS[] = {"ball", "box", "cup", "hat", "kite", "book", "car", "shoe"};
static const char *const COLORS[] = {"red", "blue", "green", "yellow", "black", "white", "pink",
                                     "brown"};
static const char *const OTHER[] = {"has", "a", ",", "and", ".", "what", "color", "is", "the",
                                    "?", "surely"};
#define COUNT(a) (sizeof a / sizeof a[0])

size_t builtin_choice_vocab(const char **tokens, size_t cap)
{
    static const char *const SPECIAL[] = {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"};
    const char *const *lists[] = {SPECIAL, NAMES, THINGS, COLORS, OTHER};
    size_t sizes[] = {COUNT(SPECIAL), COUNT(NAMES), COUNT(THINGS), COUNT(COLORS), COUNT(OTHER)};
    size_t n = 0;
    for (size_t l = 0; l < COUNT(lists); l++)
        for (size_t i = 0; i < sizes[l]; i++)
            if (n < cap) tokens[n++] = lists[l][i];
    return n;
}

/* k distinct indexes below n into out (k <= n). */
static void distinct(uint64_t *r, size_t n, size_t k, size_t *out)
{
    for (size_t i = 0; i < k; i++) {
        size_t v;
        int again;
        do {
            v = toy_pick(r, n);
            again = 0;
            for (size_t j = 0; j < i; j++) again |= out[j] == v;
        } while (again);
        out[i] = v;
    }
}

static void append(char *buf, size_t cap, const char *word)
{
    size_t n = strlen(buf);
    snprintf(buf + n, cap - n, "%s%s", n ? " " : "", word);
}

static asacl_status example(uint64_t *r, const char *split, choice_dataset *d, size_t i)
{
    size_t k = 2 + toy_pick(r, 2), thing[3], color[BUILTIN_CHOICES + 3];
    distinct(r, COUNT(THINGS), k, thing);
    distinct(r, COUNT(COLORS), k + BUILTIN_CHOICES - 1 < COUNT(COLORS) ? k + BUILTIN_CHOICES - 1
                                                                      : COUNT(COLORS),
             color);
    char context[160] = "", question[64] = "", choice[BUILTIN_CHOICES][32];
    append(context, sizeof context, NAMES[toy_pick(r, COUNT(NAMES))]);
    append(context, sizeof context, "has");
    for (size_t j = 0; j < k; j++) {
        if (j) append(context, sizeof context, j + 1 == k ? "and" : ",");
        append(context, sizeof context, "a");
        append(context, sizeof context, COLORS[color[j]]);
        append(context, sizeof context, THINGS[thing[j]]);
    }
    append(context, sizeof context, ".");
    size_t asked = toy_pick(r, k);
    if (toy_chance(r, 0.5))
        snprintf(question, sizeof question, "what color is the %s ?", THINGS[thing[asked]]);
    else
        snprintf(question, sizeof question, "the %s is _ .", THINGS[thing[asked]]);
    /* choices: the asked colour, the other things' colours, then fresh ones */
    size_t pool[BUILTIN_CHOICES], np = 0, order[BUILTIN_CHOICES];
    pool[np++] = color[asked];
    for (size_t j = 0; j < k + BUILTIN_CHOICES - 1 && np < BUILTIN_CHOICES; j++)
        if (j != asked) pool[np++] = color[j];
    distinct(r, BUILTIN_CHOICES, BUILTIN_CHOICES, order); /* a shuffle */
    int label = -1;
    for (int c = 0; c < BUILTIN_CHOICES; c++)
        if (order[c] == 0) label = c;
    int marked;
    if (!strcmp(split, "dev-shift"))
        marked = (int)toy_pick(r, BUILTIN_CHOICES);
    else if (toy_chance(r, 0.9))
        marked = label;
    else
        marked = (label + 1 + (int)toy_pick(r, BUILTIN_CHOICES - 1)) % BUILTIN_CHOICES;
    const char *choices[BUILTIN_CHOICES];
    for (int c = 0; c < BUILTIN_CHOICES; c++) {
        snprintf(choice[c], sizeof choice[c], "%s%s", c == marked ? "surely " : "",
                 COLORS[pool[order[c]]]);
        choices[c] = choice[c];
    }
    return choice_add(d, "built-in choice task", i + 1, context, question, choices,
                      BUILTIN_CHOICES, label);
}

asacl_status builtin_choice_generate(const char *split, size_t n, uint64_t seed,
                                     choice_dataset *out)
{
    memset(out, 0, sizeof *out);
    uint64_t r;
    TRY(toy_split_state("built-in choice task", split, n, seed, 20, &r));
    for (size_t i = 0; i < n; i++) {
        asacl_status st = example(&r, split, out, i);
        if (st != ASACL_OK) {
            choice_free(out);
            return st;
        }
    }
    return ASACL_OK;
}
