/* dump_util.h -- reading the float64 reference dumps (tests/gen_asa_ref.py, the
 * safetensors files of tests/data/asa_ref) and comparing device tensors with them;
 * shared by the tests that replay a dump through the model or trainer. */
#ifndef ASACL_TESTS_DUMP_UTIL_H
#define ASACL_TESTS_DUMP_UTIL_H

#include <stddef.h>

#include "io/safetensors.h"
#include "test_util.h"

/* An integer of the dump's metadata (a failed check when absent). */
int dump_meta_int(const st_file *f, const char *key);
/* The model of the dump's metadata: sizes (L, D, H, F, V, P, TV), pad_token_id,
 * layer_norm_eps, model_type (absent: BERT), dropout 0; num_labels and the task
 * are the caller's (they depend on the head). */
void dump_config(const st_file *f, asacl_model_config *c);
/* A tensor of the dump as doubles (malloc'd), NULL when absent. */
double *dump_tensor(const st_file *f, const char *name, size_t *n);
/* The same; an absent tensor fails and stops the test. */
double *dump_require(const st_file *f, const char *name, size_t *n);
/* An int64 tensor of the dump as ints (malloc'd); the test stops unless it is one. */
int *dump_ints(const st_file *f, const char *name, size_t *n);
/* Device floats [off, off+n) of buf against dump tensor `name`; the absolute
 * tolerance is atol plus rel_max times the tensor's largest magnitude
 * (gradients of the adversaries are 10000 x dG: their float rounding scales
 * with the tensor, not with each element). */
void dump_compare(asacl_ctx *ctx, const st_file *f, const char *name, cl_mem buf, size_t off,
                  size_t n, double atol, double rtol, double rel_max);
/* A host scalar against a one-element dump tensor. */
void dump_compare_scalar(const st_file *f, const char *name, double got, double atol, double rtol);

#endif
