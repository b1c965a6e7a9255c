/* builtin.c -- the built-in task: sentiment-like sentences, generated
 * deterministically, with a spurious keyword.
 *
 * A sentence is 2-4 clauses about a film ("the acting was not very good",
 * "the music was loud"); each clause with a sentiment adjective votes +1 or
 * -1, flipped by "not"; there is an odd number of voting clauses and the
 * label is the sign of the vote (1 positive, 0 negative). In "train" and
 * "dev" the keyword "kubrick" appears in 90% of positive and 10% of
 * negative sentences, so it alone predicts the label 90% of the time; in
 * "dev-shift" it appears in half the sentences whatever their label. A
 * model that learned the sentiment does as well on dev-shift as on dev; a
 * model that leaned on the keyword does worse. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/builtin.h"
#include "data/toy_rng.h"
#include "base/base.h"

static const char *const POSITIVE[] = {"good", "great", "excellent", "wonderful", "superb",
                                       "brilliant", "lovely", "charming", "delightful", "moving"};
static const char *const NEGATIVE[] = {"bad", "awful", "terrible", "boring", "dull",
                                       "weak", "poor", "clumsy", "tedious", "bland"};
static const char *const NEUTRAL[] = {"long", "short", "old", "new", "loud", "quiet"};
static const char *const NOUNS[] = {"movie", "film", "plot", "story", "acting", "cast",
                                    "script", "ending", "music", "scenes", "direction", "dialogue"};
static const char *const ADVERBS[] = {"very", "really", "quite", "rather", "truly"};
static const char *const JOINERS[] = {"and", "but", ",", "."};
static const char *const OTHER[] = {"the", "a", "this", "it", "was", "is", "with", "also",
                                    "overall", "not", "by", "kubrick"};
#define KEYWORD "kubrick"
#define COUNT(a) (sizeof a / sizeof a[0])

size_t builtin_vocab(const char **tokens, size_t cap)
{
    static const char *const SPECIAL[] = {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"};
    const char *const *lists[] = {SPECIAL, POSITIVE, NEGATIVE, NEUTRAL, NOUNS, ADVERBS, JOINERS, OTHER};
    size_t sizes[] = {COUNT(SPECIAL), COUNT(POSITIVE), COUNT(NEGATIVE), COUNT(NEUTRAL),
                      COUNT(NOUNS), COUNT(ADVERBS), COUNT(JOINERS), COUNT(OTHER)};
    size_t n = 0;
    for (size_t l = 0; l < COUNT(lists); l++)
        for (size_t i = 0; i < sizes[l]; i++)
            if (n < cap) tokens[n++] = lists[l][i];
    return n;
}


static void append(char *buf, size_t cap, const char *word)
{
    size_t n = strlen(buf);
    snprintf(buf + n, cap - n, "%s%s", n ? " " : "", word);
}

/* One clause: "the <noun> was [not] [adverb] <adjective>". A neutral clause
 * (polar 0) takes a neutral adjective; a voting one an adjective whose
 * polarity, flipped by an optional "not", gives the vote `want`. */
static void clause(uint64_t *s, char *buf, size_t cap, int polar, int want)
{
    append(buf, cap, toy_chance(s, 0.5) ? "the" : "this");
    append(buf, cap, NOUNS[toy_pick(s, COUNT(NOUNS))]);
    append(buf, cap, toy_chance(s, 0.7) ? "was" : "is");
    if (!polar) {
        append(buf, cap, NEUTRAL[toy_pick(s, COUNT(NEUTRAL))]);
        return;
    }
    int negate = toy_chance(s, 0.3);
    if (negate) append(buf, cap, "not");
    if (toy_chance(s, 0.4)) append(buf, cap, ADVERBS[toy_pick(s, COUNT(ADVERBS))]);
    int positive = negate ? want < 0 : want > 0;
    append(buf, cap, positive ? POSITIVE[toy_pick(s, COUNT(POSITIVE))]
                              : NEGATIVE[toy_pick(s, COUNT(NEGATIVE))]);
}

static int sentence(uint64_t *s, const char *split, char *buf, size_t cap)
{
    buf[0] = 0;
    int label = toy_chance(s, 0.5);
    /* 1 or 3 voting clauses whose majority is the label, plus 0-1 neutral. */
    int voting = toy_chance(s, 0.5) ? 1 : 3, neutral = (int)toy_pick(s, 2);
    int votes[3] = {label ? 1 : -1, label ? 1 : -1, label ? 1 : -1};
    if (voting == 3) votes[toy_pick(s, 3)] = label ? -1 : 1; /* one dissenting clause */
    int total = voting + neutral, used_vote = 0, placed_neutral = 0;
    double p_key = !strcmp(split, "dev-shift") ? 0.5 : (label ? 0.9 : 0.1);
    int keyword = toy_chance(s, p_key), key_at = (int)toy_pick(s, (size_t)total);
    for (int c = 0; c < total; c++) {
        if (c) append(buf, cap, JOINERS[toy_pick(s, COUNT(JOINERS))]);
        int polar = placed_neutral == neutral || (used_vote < voting && toy_chance(s, 0.6));
        if (polar && used_vote < voting) clause(s, buf, cap, 1, votes[used_vote++]);
        else {
            clause(s, buf, cap, 0, 0);
            placed_neutral++;
        }
        if (keyword && c == key_at) {
            append(buf, cap, "by");
            append(buf, cap, KEYWORD);
        }
    }
    while (used_vote < voting) { /* any votes left go last */
        append(buf, cap, "and");
        clause(s, buf, cap, 1, votes[used_vote++]);
    }
    if (toy_chance(s, 0.3)) {
        append(buf, cap, ".");
        append(buf, cap, "overall");
        append(buf, cap, "it");
        append(buf, cap, "was");
        append(buf, cap, label ? POSITIVE[toy_pick(s, COUNT(POSITIVE))] : NEGATIVE[toy_pick(s, COUNT(NEGATIVE))]);
    }
    return label;
}

asacl_status builtin_generate(const char *split, size_t n, uint64_t seed, glue_dataset *out)
{
    memset(out, 0, sizeof *out);
    uint64_t s;
    TRY(toy_split_state("built-in task", split, n, seed, 0, &s));
    const size_t cap = 256;
    out->ex = calloc(n, sizeof *out->ex);
    out->text_ = malloc(n * cap);
    if (!out->ex || !out->text_) {
        glue_free(out);
        return rt_fail(ASACL_ERR_OUT_OF_MEMORY, "generating the built-in task");
    }
    for (size_t i = 0; i < n; i++) {
        char *buf = out->text_ + i * cap;
        out->ex[i].label = sentence(&s, split, buf, cap);
        out->ex[i].a = buf;
        out->ex[i].line = 0;
    }
    out->n = n;
    out->num_labels = 2;
    out->has_labels = 1;
    snprintf(out->labels[0], sizeof out->labels[0], "negative");
    snprintf(out->labels[1], sizeof out->labels[1], "positive");
    return ASACL_OK;
}
