/* test_metrics_token.c -- token-level micro F1 and entity-level F1
 * (src/train/metrics_token.c) against sklearn and seqeval on random and
 * hand-written cases (tests/gen_metrics_ref.py ->
 * tests/data/tasks/metrics_expected.json); agreement to 1e-12. */
#include <cjson/cJSON.h>

#include "test_util.h"
#include "train/metrics_token.h"

static int *ints(const cJSON *a, size_t *n)
{
    *n = (size_t)cJSON_GetArraySize(a);
    int *v = malloc((*n + 1) * sizeof *v);
    for (size_t i = 0; i < *n; i++) v[i] = cJSON_GetArrayItem(a, (int)i)->valueint;
    return v;
}

static void near(const char *what, const char *name, double got, const cJSON *obj, const char *key)
{
    double want = cJSON_GetObjectItem(obj, key)->valuedouble;
    CHECK(fabs(got - want) <= 1e-12, "%s: %s %s = %.15f, want %.15f", name, what, key, got, want);
}

int main(void)
{
    char *text = NULL;
    size_t size = 0;
    REQUIRE_OK(rt_read_file(ASACL_TEST_DATA "/tasks/metrics_expected.json", &text, &size));
    cJSON *cases = cJSON_Parse(text);
    CHECK(cJSON_GetArraySize(cases) == 13, "cases");
    const cJSON *c;
    cJSON_ArrayForEach(c, cases)
    {
        const char *name = cJSON_GetObjectItem(c, "name")->valuestring;
        const cJSON *jl = cJSON_GetObjectItem(c, "labels");
        int C = cJSON_GetArraySize(jl), first = cJSON_GetObjectItem(c, "first_label")->valueint;
        const char *names[32];
        for (int k = 0; k < C; k++) names[k] = cJSON_GetArrayItem(jl, k)->valuestring;
        size_t n, n2, ns;
        int *gold = ints(cJSON_GetObjectItem(c, "gold"), &n);
        int *pred = ints(cJSON_GetObjectItem(c, "pred"), &n2);
        int *len_i = ints(cJSON_GetObjectItem(c, "lengths"), &ns);
        size_t *lengths = malloc(ns * sizeof *lengths), total = 0;
        for (size_t s = 0; s < ns; s++) total += lengths[s] = (size_t)len_i[s];
        CHECK(n == n2 && total == n, "%s: sizes", name);
        metric_prf t = metric_token_f1(gold, pred, n, first, C);
        const cJSON *wt = cJSON_GetObjectItem(c, "token"), *we = cJSON_GetObjectItem(c, "entity");
        near("token", name, t.precision, wt, "precision");
        near("token", name, t.recall, wt, "recall");
        near("token", name, t.f1, wt, "f1");
        metric_prf e = metric_entity_f1(gold, pred, lengths, ns, names, C);
        near("entity", name, e.precision, we, "precision");
        near("entity", name, e.recall, we, "recall");
        near("entity", name, e.f1, we, "f1");
        printf("%-24s token P %.4f R %.4f F1 %.4f (tp %zu)  entity P %.4f R %.4f F1 %.4f "
               "(tp %zu of %zu gold, %zu predicted)\n",
               name, t.precision, t.recall, t.f1, t.tp, e.precision, e.recall, e.f1, e.tp,
               e.n_gold, e.n_pred);
        free(gold);
        free(pred);
        free(len_i);
        free(lengths);
    }
    /* by hand: PER span right, LOC span cut short -> 1 of 2 entities */
    {
        const char *names[] = {"O", "B-PER", "I-PER", "B-LOC", "I-LOC"};
        const int gold[] = {1, 2, 0, 3, 4, -100, 4}, pred[] = {1, 2, 0, 3, 0, 2, 0};
        const size_t lengths[] = {7};
        metric_prf e = metric_entity_f1(gold, pred, lengths, 1, names, 5);
        CHECK(e.n_gold == 2 && e.n_pred == 2 && e.tp == 1 && fabs(e.f1 - 0.5) < 1e-15,
              "hand entity case: tp %zu gold %zu pred %zu", e.tp, e.n_gold, e.n_pred);
        metric_prf t = metric_token_f1(gold, pred, 7, 1, 5);
        /* counted gold 1 2 3 4 4 (5), predicted 1 2 3 (3), right 3 */
        CHECK(t.tp == 3 && t.n_gold == 5 && t.n_pred == 3, "hand token case");
    }
    cJSON_Delete(cases);
    free(text);
    return test_finish("test_metrics_token");
}
