/* test_task_dumps.c -- the loss kernels of the other heads (asa-spec 10) on
 * the float64 PyTorch dumps tests/data/asa_ref/{tok_asa,mc_asa}.safetensors
 * (tests/gen_asa_ref.py): from the dumped logits, labels and masks, the
 * device's task loss, vloss and the host's rloss must give the dumped
 * loss.task, loss.vloss, loss.rloss and loss.total (rtol 1e-5). This ties
 * the kernels' reductions (mean over labelled tokens; KL summed over B*T rows
 * / B; choice scores read as [B, n]; rloss / (B*n)) to the reference. */
#include "io/safetensors.h"
#include "ops/ops.h"
#include "dump_util.h"
#include "test_util.h"

static asacl_ctx *ctx;

static tensor T_(cl_mem m, size_t n)
{
    tensor t = {m, 0, n};
    return t;
}

static double loss_of(const st_file *f, const char *k)
{
    size_t n;
    char name[64];
    snprintf(name, sizeof name, "loss.%s", k);
    double *v = dump_require(f, name, &n), r = v ? v[0] : NAN;
    free(v);
    return r;
}

static void run(const char *file, int tok)
{
    st_file f;
    char path[512];
    snprintf(path, sizeof path, ASACL_TEST_DATA "/asa_ref/%s", file);
    REQUIRE_OK(st_open(path, &f));
    int L = atoi(st_metadata(&f, "L")), S = atoi(st_metadata(&f, "B")), T = atoi(st_metadata(&f, "T"));
    double tau = atof(st_metadata(&f, "tau"));
    CHECK(!strcmp(st_metadata(&f, "head"), tok ? "tok" : "mc"), "%s: head", file);
    size_t nz, nq, ny;
    double *z = dump_require(&f, "out.logits_clean", &nz), *zq = dump_require(&f, "out.logits_adv", &nq);
    int *y = dump_ints(&f, "input.labels", &ny);
    const st_tensor *tz = st_find(&f, "out.logits_clean");
    size_t rows, width, B; /* B: examples (the vloss divisor) */
    if (tok) {
        CHECK(tz->ndim == 3 && tz->shape[0] == S && tz->shape[1] == T, "%s: logits shape", file);
        rows = (size_t)S * (size_t)T;
        width = (size_t)tz->shape[2];
        B = (size_t)S;
        CHECK(ny == rows, "%s: labels [B, T]", file);
    } else {
        int n = atoi(st_metadata(&f, "n_choices"));
        CHECK(tz->ndim == 2 && tz->shape[1] == n && tz->shape[0] * n == S, "%s: logits [B, n]", file);
        rows = (size_t)tz->shape[0];
        width = (size_t)n;
        B = rows;
        CHECK(ny == rows, "%s: labels [B]", file);
    }
    cl_mem mz = test_upload(ctx, z, nz), mq = test_upload(ctx, zq, nq), my = test_upload_i(ctx, y, ny),
           ma = test_upload(ctx, z, rows), mb = test_upload(ctx, z, rows), mo = test_upload(ctx, z, 3);
    tensor out = T_(mo, 3);
    if (tok) {
        CHECK_OK(op_token_cross_entropy_forward(ctx, T_(ma, rows), T_(mb, rows), T_(mz, nz),
                                                T_(my, ny), rows, width));
        CHECK_OK(op_token_loss_mean(ctx, tensor_at(out, 0, 1), tensor_at(out, 2, 1), T_(ma, rows),
                                    T_(mb, rows), rows, 1.0f, 0));
    } else {
        CHECK_OK(op_cross_entropy_forward(ctx, T_(ma, rows), T_(mz, nz), T_(my, ny), rows, width));
        CHECK_OK(op_reduce_sum(ctx, tensor_at(out, 0, 1), T_(ma, rows), 1.0f / (float)B, 0));
    }
    CHECK_OK(op_symmetric_kl_forward(ctx, T_(ma, rows), T_(mz, nz), T_(mq, nq), rows, width));
    CHECK_OK(op_reduce_sum(ctx, tensor_at(out, 1, 1), T_(ma, rows), 1.0f / (float)B, 0));
    double got[3];
    test_download(ctx, mo, 0, 3, got);
    double rloss = 0;
    for (int l = 0; l < L; l++) {
        char name[32];
        size_t nm;
        snprintf(name, sizeof name, "out.mask.%d", l);
        double *m = dump_require(&f, name, &nm);
        CHECK(nm == (size_t)S * T * T, "%s: mask [B*n, T, T]", file);
        for (size_t i = 0; i < nm; i++) rloss += m[i];
        free(m);
    }
    rloss /= S; /* the number of sequences */
    double want[3] = {loss_of(&f, "task"), loss_of(&f, "vloss"), loss_of(&f, "rloss")};
    printf("%s: device task %.9g vloss %.9g, host rloss %.9g; dump %.9g %.9g %.9g\n", file,
           got[0], got[1], rloss, want[0], want[1], want[2]);
    char what[128];
    snprintf(what, sizeof what, "%s: task loss from the dumped logits (rtol 1e-5)", file);
    test_compare_d(what, got, want, 1, 1e-6, 1e-5);
    snprintf(what, sizeof what, "%s: vloss from the dumped logits (rtol 1e-5)", file);
    test_compare_d(what, got + 1, want + 1, 1, 1e-6, 1e-5);
    snprintf(what, sizeof what, "%s: rloss = sum(M) / %d sequences", file, S);
    test_compare_d(what, &rloss, want + 2, 1, 1e-6, 1e-6);
    double total = want[0] + want[1] + tau * tau * want[2];
    double wtotal = loss_of(&f, "total");
    test_compare_d("total = task + vloss + tau^2 rloss", &total, &wtotal, 1, 1e-5, 1e-6);
    if (tok) { /* the labels follow the rule: [CLS], padding and [SEP] unlabelled */
        size_t nam;
        int *am = dump_ints(&f, "input.attention_mask", &nam);
        size_t labelled = 0;
        for (int b = 0; b < S; b++) {
            int len = 0;
            for (int t = 0; t < T; t++) len += am[b * T + t];
            CHECK(y[b * T] == -100 && y[b * T + len - 1] == -100, "%s: [CLS]/[SEP] labelled", file);
            for (int t = len; t < T; t++) CHECK(y[b * T + t] == -100, "%s: padding labelled", file);
            for (int t = 0; t < T; t++) labelled += y[b * T + t] >= 0;
        }
        test_download(ctx, mo, 2, 1, got);
        CHECK(got[0] == (double)labelled, "%s: device count %.0f, want %zu", file, got[0], labelled);
        free(am);
    }
    rt_buffer_release(&mz);
    rt_buffer_release(&mq);
    rt_buffer_release(&my);
    rt_buffer_release(&ma);
    rt_buffer_release(&mb);
    rt_buffer_release(&mo);
    free(z);
    free(zq);
    free(y);
    st_close(&f);
}

int main(void)
{
    ctx = test_ctx();
    run("tok_asa.safetensors", 1);
    run("mc_asa.safetensors", 0);
    asacl_ctx_destroy(ctx);
    return test_finish("test_task_dumps");
}
