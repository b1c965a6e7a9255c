/* builtin_ner.c -- the built-in token-classification task: NER-like
 * sentences, generated deterministically, with a spurious cue.
 *
 * A sentence is a subject and 1-3 clauses joined by "and", each a verb, a
 * preposition and a person or a place: "she talked to alice smith and flew
 * to new york yesterday ." Persons are B-PER [I-PER], places B-LOC [I-LOC],
 * everything else O. One clause of each sentence names an ambiguous entity
 * (jordan, georgia, austin, chelsea, florence, sydney, which are persons or
 * places alike), and only its clause tells which: "talked to jordan" (PER)
 * against "flew to jordan" (LOC), where the word just before is "to" either
 * way, or "stayed with" against "stayed in". The sentence ends with a time
 * word; in "train" and "dev" it is "yesterday" for 90% of the sentences whose
 * ambiguous entity is a person and 10% of the others ("today" otherwise), so
 * it alone predicts the ambiguous label 90% of the time; in "dev-shift" it is
 * "yesterday" for half of the sentences whatever the label. A model that
 * reads the clause does as well on dev-shift as on dev; one that leans on
 * the time word, far from the entity, does worse on the ambiguous entities. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/builtin_ner.h"
#include "data/toy_rng.h"
#include "base/base.h"

enum { O, B_PER, I_PER, B_LOC, I_LOC, N_CLASSES };
static const char *const CLASSES[N_CLASSES] = {"O", "B-PER", "I-PER", "B-LOC", "I-LOC"};

static const char *const FIRST[] = {"alice", "bob", "carol", "david", "emma", "frank", "grace",
                                    "henry"};
static const char *const LAST[] = {"smith", "jones", "brown", "taylor"};
static const char *const CITY[] = {"london", "berlin", "madrid", "rome", "tokyo", "cairo",
                                   "lima", "oslo"};
static const char *const CITY2[][2] = {{"new", "york"}, {"san", "diego"}, {"hong", "kong"}};
static const char *const AMBIGUOUS[] = {"jordan", "georgia", "austin", "chelsea", "florence",
                                        "sydney"};
static const char *const SUBJECT[] = {"i", "we", "she", "he", "they"};
/* verb + preposition pairs that take a person, and those that take a place */
static const char *const TO_PER[][2] = {{"talked", "to"}, {"wrote", "to"}, {"spoke", "to"},
                                        {"stayed", "with"}, {"lived", "with"}};
static const char *const TO_LOC[][2] = {{"flew", "to"}, {"moved", "to"}, {"drove", "to"},
                                        {"stayed", "in"}, {"lived", "in"}};
static const char *const OTHER[] = {"and", "yesterday", "today", "."};
#define COUNT(a) (sizeof a / sizeof a[0])
#define MAX_WORDS 20

size_t builtin_ner_vocab(const char **tokens, size_t cap)
{
    static const char *const SPECIAL[] = {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"};
    size_t n = 0;
#define ADD(x) \
    if (n < cap) tokens[n] = (x); \
    n++
    for (size_t i = 0; i < COUNT(SPECIAL); i++) { ADD(SPECIAL[i]); }
    for (size_t i = 0; i < COUNT(FIRST); i++) { ADD(FIRST[i]); }
    for (size_t i = 0; i < COUNT(LAST); i++) { ADD(LAST[i]); }
    for (size_t i = 0; i < COUNT(CITY); i++) { ADD(CITY[i]); }
    for (size_t i = 0; i < COUNT(CITY2); i++) { ADD(CITY2[i][0]); ADD(CITY2[i][1]); }
    for (size_t i = 0; i < COUNT(AMBIGUOUS); i++) { ADD(AMBIGUOUS[i]); }
    for (size_t i = 0; i < COUNT(SUBJECT); i++) { ADD(SUBJECT[i]); }
    /* verbs and prepositions, each once */
    static const char *const VERBS[] = {"talked", "wrote", "spoke", "stayed", "lived", "flew",
                                        "moved", "drove", "to", "with", "in"};
    for (size_t i = 0; i < COUNT(VERBS); i++) { ADD(VERBS[i]); }
    for (size_t i = 0; i < COUNT(OTHER); i++) { ADD(OTHER[i]); }
#undef ADD
    return n < cap ? n : cap;
}

typedef struct sentence {
    const char **w;
    int *y;
    size_t n;
} sentence;

static void put(sentence *s, const char *word, int label)
{
    s->w[s->n] = word;
    s->y[s->n++] = label;
}

/* One clause: verb, preposition, entity. key: the entity is the ambiguous
 * word, a person when per. */
static void clause(uint64_t *r, sentence *s, int key, int per)
{
    const char *const *vp = per ? TO_PER[toy_pick(r, COUNT(TO_PER))]
                                : TO_LOC[toy_pick(r, COUNT(TO_LOC))];
    put(s, vp[0], O);
    put(s, vp[1], O);
    if (key) {
        put(s, AMBIGUOUS[toy_pick(r, COUNT(AMBIGUOUS))], per ? B_PER : B_LOC);
    } else if (per) {
        put(s, FIRST[toy_pick(r, COUNT(FIRST))], B_PER);
        if (toy_chance(r, 0.5)) put(s, LAST[toy_pick(r, COUNT(LAST))], I_PER);
    } else if (toy_chance(r, 0.3)) {
        const char *const *c = CITY2[toy_pick(r, COUNT(CITY2))];
        put(s, c[0], B_LOC);
        put(s, c[1], I_LOC);
    } else
        put(s, CITY[toy_pick(r, COUNT(CITY))], B_LOC);
}

static void generate(uint64_t *r, const char *split, sentence *s)
{
    s->n = 0;
    put(s, SUBJECT[toy_pick(r, COUNT(SUBJECT))], O);
    int clauses = 1 + (int)toy_pick(r, 3), key_at = (int)toy_pick(r, (size_t)clauses);
    int key_per = toy_chance(r, 0.5);
    for (int c = 0; c < clauses; c++) {
        if (c) put(s, "and", O);
        clause(r, s, c == key_at, c == key_at ? key_per : toy_chance(r, 0.5));
    }
    double p = !strcmp(split, "dev-shift") ? 0.5 : key_per ? 0.9 : 0.1;
    put(s, toy_chance(r, p) ? "yesterday" : "today", O);
    put(s, ".", O);
}

asacl_status builtin_ner_generate(const char *split, size_t n, uint64_t seed, conll_dataset *out)
{
    memset(out, 0, sizeof *out);
    uint64_t r;
    TRY(toy_split_state("built-in NER task", split, n, seed, 10, &r));
    out->sent = calloc(n, sizeof *out->sent);
    out->words_ = malloc(n * MAX_WORDS * sizeof *out->words_);
    out->ids_ = malloc(n * MAX_WORDS * sizeof *out->ids_);
    out->labels = calloc(N_CLASSES, sizeof *out->labels);
    if (!out->sent || !out->words_ || !out->ids_ || !out->labels) {
        conll_free(out);
        return rt_fail(ASACL_ERR_OUT_OF_MEMORY, "generating the built-in NER task");
    }
    for (int k = 0; k < N_CLASSES; k++) strcpy(out->labels[k], CLASSES[k]);
    out->num_labels = N_CLASSES;
    out->has_labels = 1;
    for (size_t i = 0; i < n; i++) {
        sentence s = {out->words_ + out->n_words, out->ids_ + out->n_words, 0};
        generate(&r, split, &s);
        out->sent[i].words = s.w;
        out->sent[i].labels = s.y;
        out->sent[i].n = s.n;
        out->sent[i].line = 0;
        out->n_words += s.n;
    }
    out->n = n;
    return ASACL_OK;
}
