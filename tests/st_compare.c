/* st_compare.c -- for tests/test_mpi.sh: the largest difference between the
 * tensors two safetensors files share (same names, shapes), relative to
 * each tensor's largest |value| in A, with the rule of tests/test_grad_accum.c
 * for sums of n terms: exit 1 (naming the tensor) when one exceeds tol.
 * The key biases (exact gradient 0, so AdamW steps them by noise: see
 * tests/test_grad_accum.c) are held to NOISE as an absolute bound instead.
 *   st_compare A B TOL [NOISE] */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/safetensors.h"

int main(int argc, char **argv)
{
    if (argc != 4 && argc != 5) {
        fprintf(stderr, "usage: st_compare A B TOL [NOISE]\n");
        return 2;
    }
    st_file a, b;
    if (st_open(argv[1], &a) != ASACL_OK || st_open(argv[2], &b) != ASACL_OK) {
        fprintf(stderr, "st_compare: %s\n", asacl_last_error());
        return 2;
    }
    double tol = atof(argv[3]), noise = argc == 5 ? atof(argv[4]) : tol, worst = 0;
    const char *where = "";
    int bad = 0;
    for (size_t i = 0; i < a.n; i++) {
        const st_tensor *ta = &a.tensors[i], *tb = st_find(&b, ta->name);
        size_t n = st_numel(ta);
        if (!tb || st_numel(tb) != n) {
            fprintf(stderr, "st_compare: %s missing or of another size in %s\n", ta->name, argv[2]);
            bad = 1;
            continue;
        }
        float *x = malloc((n ? n : 1) * sizeof *x), *y = malloc((n ? n : 1) * sizeof *y);
        if (!x || !y || st_to_f32(&a, ta, x) != ASACL_OK || st_to_f32(&b, tb, y) != ASACL_OK) return 2;
        double G = 0, d = 0;
        for (size_t j = 0; j < n; j++) G = fmax(G, fabs(x[j]));
        for (size_t j = 0; j < n; j++) d = fmax(d, fabs((double)x[j] - y[j]));
        double rel = G > 0 ? d / G : d;
        if (strstr(ta->name, "attention.self.key.bias")) {
            if (d > noise) {
                fprintf(stderr, "st_compare: %s differs by %.3g (noise bound %.3g)\n", ta->name, d,
                        noise);
                bad = 1;
            }
            rel = 0;
        }
        if (rel > worst) {
            worst = rel;
            where = ta->name;
        }
        if (rel > tol) {
            fprintf(stderr, "st_compare: %s differs by %.3g of its largest |value| (tolerance %.3g)\n",
                    ta->name, rel, tol);
            bad = 1;
        }
        free(x);
        free(y);
    }
    printf("largest difference %.3g of the tensor's largest |value| (%s)\n", worst, where);
    st_close(&a);
    st_close(&b);
    return bad;
}
