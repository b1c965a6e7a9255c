/* bench_gemm.c -- asacl bench gemm: every GEMM shape of one training step at a
 * model configuration (asacl_bench_gemm), timed on asacl's own kernels, on
 * CLBlast and, when the tool was built with it, on OpenBLAS's cblas_sgemm
 * on the host as the baseline. */
#define _GNU_SOURCE
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/bench.h"
#include "cli/cli.h"

#ifdef ASACL_HAVE_CBLAS
#include <cblas.h>

static void host_sgemm(int ta, int tb, int m, int n, int k, float alpha, const float *a, int lda,
                       const float *b, int ldb, float beta, float *c, int ldc, void *user)
{
    (void)user;
    cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, m, n,
                k, alpha, a, lda, b, ldb, beta, c, ldc);
}
#endif

typedef struct summary {
    int have_host, bad, n, n_ratio, n_main;
    double log_sum, log_sum_main, log_sum_clb;
} summary;

static void print_row(const asacl_gemm_bench_row *r, void *user)
{
    summary *s = user;
    char bc[24];
    if (r->calls > 1) snprintf(bc, sizeof bc, "%zux%zu", r->batch, r->calls);
    else snprintf(bc, sizeof bc, "%zu", r->batch);
    static const char *backends[3] = {"CLBlast", "own", "tiled"};
    const char *prof = r->profile_backend >= 0 && r->profile_backend < 3 ? backends[r->profile_backend] : "?";
    printf("%-22s %5zu %5zu %5zu %2s %7s %7s | %8.1f %8.1f %8.1f ", r->role, r->m, r->n, r->k, r->op,
           bc, prof, r->gflops_own, r->gflops_tiled, r->gflops_clblast);
    if (s->have_host) {
        double ratio = r->own_over_host;
        printf("%8.1f | %7.2f ", r->gflops_host, ratio);
        s->log_sum += log(ratio), s->n_ratio++;
        if (!r->launch_bound) s->log_sum_main += log(ratio), s->n_main++;
    } else {
        printf("%8s | %7s ", "-", "-");
    }
    s->log_sum_clb += log(r->gflops_own / r->gflops_clblast);
    s->n++;
    printf("%s%s\n", r->ok ? "ok" : "MISMATCH", r->launch_bound ? " (tiny: launch-bound)" : "");
    if (!r->ok) {
        s->bad++;
        printf("         max |x - ref| / (1 + |ref|): ours %.3g, tiled %.3g, CLBlast %.3g "
               "(tolerance %.3g)\n", r->diff_own, r->diff_tiled, r->diff_clblast, r->tolerance);
    }
    fflush(stdout);
}

static void help(void)
{
    printf("usage: asacl bench gemm [--config NAME|FILE] [--repeat N] [options]\n\n"
           "Times every GEMM shape of one training step (dense layers forward, weight and\n"
           "input gradients; per-head attention products; the ASA adversary's products)\n"
           "on asacl's own kernels (ours), its tiled GPU-style kernels (tiled, with the\n"
           "profile's TILED_* values), on CLBlast and, when asacl was built with it, on\n"
           "OpenBLAS (host). The implementations take turns; each time is the median of\n"
           "the repetitions, measured by the wall clock from the first enqueue to clFinish\n"
           "(OpenBLAS: around its calls). Within a repetition ours and OpenBLAS run back\n"
           "to back, in alternating order; ours/OB is the median over the repetitions of\n"
           "the ratio of that pair's times, so that the load of a shared machine, which\n"
           "moves between repetitions, falls on both alike. Every result is checked\n"
           "against OpenBLAS's (else CLBlast's) first.\n\n"
           "  --config NAME|FILE  bench (4 layers, hidden 256, 4 heads, FFN 1024, B 32,\n"
           "                      T 128; the default), tiny, minilm, base (BERT-base), or\n"
           "                      a config.json (B 32, T 128 unless given)\n"
           "  --batch N, --seq-len N   override B and T\n"
           "  --repeat N          timed repetitions per implementation (default 10)\n"
           "  --device SPEC       device: flat index, P:D or part of a name\n"
           "  -h, --help          this help\n");
}

int cmd_bench_gemm(int argc, char **argv)
{
    enum { O_CONFIG = 256, O_REPEAT, O_DEVICE, O_BATCH, O_LEN };
    static const struct option opts[] = {
        {"config", 1, 0, O_CONFIG}, {"repeat", 1, 0, O_REPEAT}, {"device", 1, 0, O_DEVICE},
        {"batch", 1, 0, O_BATCH},   {"seq-len", 1, 0, O_LEN},   {"help", 0, 0, 'h'},
        {0, 0, 0, 0}};
    const char *config = "bench", *device = NULL;
    double repeat = 10, batch = 0, len = 0;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        double *num = c == O_REPEAT ? &repeat : c == O_BATCH ? &batch : c == O_LEN ? &len : NULL;
        if (num && !cli_number(optarg, num))
            return cli_usage_error("bench gemm", "%s: expected a number, got '%s'",
                                   argv[optind - 1], optarg);
        if (c == O_CONFIG)
            config = optarg;
        else if (c == O_DEVICE)
            device = optarg;
        else if (c == 'h') {
            help();
            return CLI_OK;
        } else if (!num)
            return cli_usage_error("bench gemm", "unknown option");
    }
    if (optind < argc)
        return cli_usage_error("bench gemm", "unexpected argument '%s'", argv[optind]);
    if (repeat < 1 || repeat > 100000 || repeat != floor(repeat))
        return cli_usage_error("bench gemm", "--repeat must be a whole number >= 1");
    if (batch < 0 || len < 0 || batch != floor(batch) || len != floor(len))
        return cli_usage_error("bench gemm", "--batch and --seq-len must be whole numbers");

    asacl_model_config mc;
    size_t B, T;
    asacl_status st = asacl_config_named(config, &mc, &B, &T);
    if (st != ASACL_OK) return cli_error(st);
    if (batch > 0) B = (size_t)batch;
    if (len > 0) T = (size_t)len;
    cli_log_init(0);

    asacl_ctx_options co;
    asacl_ctx_options_init(&co);
    co.device = device;
    asacl_ctx *ctx = NULL;
    st = asacl_ctx_create(&co, &ctx);
    if (st != ASACL_OK) return cli_error(st);
    const asacl_device_info *dev = asacl_ctx_device(ctx);

#ifdef ASACL_HAVE_CBLAS
    int have_cblas = 1;
#else
    int have_cblas = 0;
#endif
    printf("device   %s (%s), profile %s\n", dev->name, dev->platform_name,
           asacl_ctx_profile(ctx));
    printf("config   %s: %d layers, hidden %d, %d heads, FFN %d, %d labels, batch %zu x "
           "%zu tokens\n",
           config, mc.num_hidden_layers, mc.hidden_size, mc.num_attention_heads,
           mc.intermediate_size, mc.num_labels, B, T);
#ifdef ASACL_HAVE_CBLAS
    printf("OpenBLAS %s, core %s\n", openblas_get_config(), openblas_get_corename());
    if (!strcmp(openblas_get_corename(), "Prescott"))
        printf("note     OpenBLAS runs its generic Prescott (SSE3) kernels: it did not recognise "
               "this CPU;\n         OPENBLAS_CORETYPE=SKYLAKEX (AVX-512) or HASWELL (AVX2) "
               "gives it a fair chance\n");
#else
    printf("OpenBLAS not built in (install libopenblas-dev and rebuild for that column)\n");
#endif
    printf("timing   wall clock from the first enqueue to clFinish (OpenBLAS: around its "
           "calls);\n         median of %d round-robin repetitions; GFLOPS = 2 M N K x batch "
           "x calls / time;\n         ours/OB: median of the repetitions' paired ratios (ours "
           "and OpenBLAS back to back)\n\n",
           (int)repeat);
    printf("%-22s %5s %5s %5s %2s %7s %7s | %8s %8s %8s %8s | %7s %s\n", "role", "M", "N", "K",
           "op", "batch", "profile", "ours", "tiled", "CLBlast", "OpenBLAS", "ours/OB", "check");
    summary sum = {0};
    sum.have_host = have_cblas;
    asacl_gemm_bench_options bo = {.repeat = (int)repeat, .row = print_row, .user = &sum};
#ifdef ASACL_HAVE_CBLAS
    bo.host = host_sgemm;
#endif
    st = asacl_bench_gemm(ctx, &mc, B, T, &bo);
    if (st == ASACL_OK) {
        printf("\nbatch AxB: A heads x B sequences, one launch (as the plain attention path issues them)\n");
        printf("geometric mean ours/CLBlast over %d shapes: %.2f\n", sum.n,
               exp(sum.log_sum_clb / (double)sum.n));
        if (sum.n_ratio)
            printf("geometric mean ours/OpenBLAS: %.2f over %d shapes without the tiny ones, "
                   "%.2f over all %d\n",
                   exp(sum.log_sum_main / sum.n_main), sum.n_main, exp(sum.log_sum / sum.n_ratio),
                   sum.n_ratio);
        if (sum.bad) printf("%d shapes gave results that disagree\n", sum.bad);
    }
    asacl_ctx_destroy(ctx);
    if (st != ASACL_OK) return cli_error(st);
    return sum.bad ? CLI_FAIL : CLI_OK;
}
