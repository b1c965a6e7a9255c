/* model_fixture.h -- the tiny configuration and batch the model tests share
 * (2 layers, hidden 32, 4 heads, T = 8, B = 3 with padding), random
 * parameters in double, and helpers to compare device gradients with
 * finite differences of the double-precision reference. */
#ifndef ASACL_MODEL_FIXTURE_H
#define ASACL_MODEL_FIXTURE_H

#include "model/model.h"
#include "ref/ref_bert.h"
#include "ref/ref_ops.h"
#include "train/trainer.h"

enum { FX_B = 3, FX_T = 8, FX_N = FX_B * FX_T };

typedef struct fixture {
    asacl_model_config cfg;
    param_layout pl;
    double *p;     /* parameters, rounded to float */
    float *pf;
    int ids[FX_N], segs[FX_N], lens[FX_B], labels[FX_B];
    double targets[FX_B];
    float targets_f[FX_B];
} fixture;

/* Tiny config with num_labels C and the given dropout; parameters random
 * (weights N-ish(0, 0.3), biases 0.1, LayerNorm scales near 1). */
void fixture_init(fixture *f, int C, float dropout, int adversaries, uint64_t seed);
void fixture_free(fixture *f);
asacl_batch fixture_batch(const fixture *f);
ref_batch fixture_ref_batch(const fixture *f);

/* Compares the device gradient of every parameter tensor (whose name passes
 * `want`, NULL: all) with central differences of loss() on up to `samples`
 * entries per tensor. Prints the largest error per tensor. */
typedef double (*fixture_loss_fn)(fixture *f, void *user);
void fixture_check_grads(fixture *f, const float *grad, fixture_loss_fn loss, void *user,
                         int (*want)(const char *name), size_t samples, double atol,
                         double rtol);

#endif
