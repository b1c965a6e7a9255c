/* test_heads.c -- the other heads of the reference (asa-spec 10) through
 * the trainer, on the float64 PyTorch dumps of tests/gen_asa_ref.py, as
 * test_asa does for cls_asa:
 *   tok_asa  token classification (BertForTokenClassification head: no
 *            pooler, logits [B, T, C], CE over labelled tokens, vloss over
 *            all B x T rows / B)
 *   mc_asa   multiple choice (BertForMultipleChoice: 2 examples x 3
 *            choices = 6 sequences, one score each, CE and vloss over the
 *            [2, 3] scores, rloss / 6)
 * Checked, through both attention paths: the logits of both passes, the
 * adversaries' inputs, scores and masks (bit for bit), the masked
 * fractions, every loss term, every gradient after one step, the losses of
 * 3 AdamW steps and every final parameter. Then the same step cut into two
 * micro-batches (--grad-accum 2) must give the same losses and gradients:
 * the token loss is a mean over the whole batch's labelled tokens, the
 * choice rloss a sum over all 6 sequences. */
#include <math.h>

#include "io/safetensors.h"
#include "model/model.h"
#include "dump_util.h"
#include "test_util.h"
#include "train/trainer.h"

static asacl_ctx *ctx;


static void run_dump(const char *file, int tok, int plain)
{
    char path[512];
    snprintf(path, sizeof path, "%s/asa_ref/%s.safetensors", ASACL_TEST_DATA, file);
    printf("PyTorch reference %s, %s attention, through the trainer\n", file, plain ? "plain" : "fused");
    st_file f;
    REQUIRE_OK(st_open(path, &f));
    CHECK(!strcmp(st_metadata(&f, "head"), tok ? "tok" : "mc"), "%s: head", file);
    asacl_model_config c;
    dump_config(&f, &c);
    size_t S = (size_t)dump_meta_int(&f, "B"), T = (size_t)dump_meta_int(&f, "T"), L = (size_t)c.num_hidden_layers,
           D = (size_t)c.hidden_size;
    size_t nc = tok ? 1 : (size_t)dump_meta_int(&f, "n_choices"), E = S / nc; /* examples */
    c.task = tok ? ASACL_TASK_TOKEN : ASACL_TASK_CHOICE;
    c.num_labels = tok ? dump_meta_int(&f, "C") : 1;
    size_t rows = tok ? S * T * (size_t)c.num_labels : S; /* logits */

    param_layout pl;
    REQUIRE_OK(param_layout_build(&c, 1, &pl));
    float *init = calloc(pl.total, sizeof *init);
    for (size_t i = 0; i < pl.count; i++) {
        const st_tensor *t = st_find(&f, pl.entries[i].name);
        CHECK(t && st_numel(t) == pl.entries[i].n, "dump has %s", pl.entries[i].name);
        if (t && st_numel(t) == pl.entries[i].n) REQUIRE_OK(st_to_f32(&f, t, init + pl.entries[i].off));
    }
    CHECK(tok == !param_find(&pl, "bert.pooler.dense.weight"), "%s: pooler only with the choice head", file);
    double *ids = dump_tensor(&f, "input.ids", NULL), *segs = dump_tensor(&f, "input.segments", NULL),
           *am = dump_tensor(&f, "input.attention_mask", NULL), *lab = dump_tensor(&f, "input.labels", NULL);
    int *iid = malloc(S * T * sizeof *iid), *iseg = malloc(S * T * sizeof *iseg),
        *lens = calloc(S, sizeof *lens), *labels = malloc(S * T * sizeof *labels);
    for (size_t i = 0; i < S * T; i++) {
        iid[i] = (int)ids[i];
        iseg[i] = (int)segs[i];
        lens[i / T] += am[i] != 0;
    }
    for (size_t i = 0; i < (tok ? S * T : E); i++) labels[i] = (int)lab[i];

    asacl_batch hb = {E, T, iid, iseg, lens, tok ? NULL : labels, NULL, tok ? labels : NULL,
                      tok ? 0 : nc};
    for (int accum = 1; accum <= 2; accum++) {
        model m;
        REQUIRE_OK(model_create(ctx, &c, 1, init, 0, &m));
        m.plain_attention = plain;
        train_opts to;
        train_opts_default(&to);
        to.pub.max_batch = E;
        to.pub.max_choices = tok ? 0 : nc;
        to.pub.max_seq_len = T;
        to.pub.lr = 1e-3f;
        to.pub.total_steps = 10;
        to.pub.grad_accum = (size_t)accum;
        trainer t;
        REQUIRE_OK(trainer_create(&m, &to, &t));
        asacl_step_stats r;
        REQUIRE_OK(trainer_loss_and_grad(&t, &hb, &r));
        if (accum == 2) {
            printf("  the same step as 2 micro-batches\n");
            dump_compare_scalar(&f, "loss.task", r.task, 1e-5, 1e-5);
            dump_compare_scalar(&f, "loss.vloss", r.vloss, 1e-5, 1e-4);
            dump_compare_scalar(&f, "loss.rloss", r.rloss, 0, 1e-6);
            for (size_t i = 0; i < pl.count; i++) {
                char n[160];
                snprintf(n, sizeof n, "grad.%s", pl.entries[i].name);
                dump_compare(ctx, &f, n, m.grads, pl.entries[i].off, pl.entries[i].n, 2e-5, 2e-3, 1e-4);
            }
            trainer_destroy(&t);
            model_destroy(&m);
            break;
        }
        dump_compare(ctx, &f, "out.logits_clean", t.clean.logits.buf, t.clean.logits.off, rows, 1e-5, 1e-4, 0);
        dump_compare(ctx, &f, "out.logits_adv", t.adv.logits.buf, t.adv.logits.off, rows, 1e-5, 1e-4, 0);
        for (size_t l = 0; l < L; l++) {
            char n[64];
            tensor x = l ? t.adv.layers[l - 1].out : t.adv.h0;
            snprintf(n, sizeof n, "out.hidden_adv.%zu", l);
            dump_compare(ctx, &f, n, x.buf, x.off, S * T * D, 1e-5, 1e-4, 0);
            snprintf(n, sizeof n, "out.adv_scores.%zu", l);
            dump_compare(ctx, &f, n, t.adv.layers[l].adv_scores.buf, t.adv.layers[l].adv_scores.off, S * T * T,
                     1e-4, 1e-4, 0);
            snprintf(n, sizeof n, "out.mask.%zu", l);
            dump_compare(ctx, &f, n, t.adv.layers[l].adv_mask.buf, t.adv.layers[l].adv_mask.off, S * T * T, 0,
                     0, 0); /* bit for bit */
        }
        double *frac = dump_tensor(&f, "out.masked_fraction", NULL);
        test_compare_d("out.masked_fraction", r.masked_fraction, frac, L, 1e-6, 1e-6);
        free(frac);
        dump_compare_scalar(&f, "loss.task", r.task, 1e-5, 1e-5);
        dump_compare_scalar(&f, "loss.vloss", r.vloss, 1e-5, 1e-4);
        dump_compare_scalar(&f, "loss.rloss", r.rloss, 0, 1e-6);
        dump_compare_scalar(&f, "loss.total", r.total, 1e-5, 1e-5);
        dump_compare_scalar(&f, "loss.report", r.loss, 1e-5, 1e-5);
        size_t labelled = 0;
        for (size_t i = 0; tok && i < S * T; i++) labelled += labels[i] >= 0;
        CHECK(r.counted == (int)(tok ? labelled : E), "%s: the step counts %d (labelled tokens or "
              "examples), want %zu", file, r.counted, tok ? labelled : E);
        for (size_t i = 0; i < pl.count; i++) {
            char n[160];
            snprintf(n, sizeof n, "grad.%s", pl.entries[i].name);
            dump_compare(ctx, &f, n, m.grads, pl.entries[i].off, pl.entries[i].n, 2e-5, 2e-3, 1e-4);
        }
        double *steps = dump_tensor(&f, "steps.loss", NULL), got_steps[4], lr = 1e-3;
        for (int s = 0; s < 3; s++) {
            REQUIRE_OK(trainer_step(&t, &hb, &r));
            got_steps[s] = r.loss;
        }
        REQUIRE_OK(trainer_loss_and_grad(&t, &hb, &r));
        got_steps[3] = r.loss;
        test_compare_d("steps.loss (3 AdamW steps)", got_steps, steps, 4, 1e-5, 1e-4);
        for (size_t i = 0; i < pl.count; i++) {
            char n[160];
            snprintf(n, sizeof n, "final.%s", pl.entries[i].name);
            /* Gradients 0 in exact arithmetic, float noise in practice, which AdamW
             * turns into steps of up to lr (test_asa.c): the attention key biases
             * (softmax ignores a shift per row) and, for multiple choice, the
             * scorer's bias (added to all n scores alike, the choice softmax
             * ignores it). */
            int zero_grad = strstr(n, "attention.self.key.bias") != NULL ||
                            (!tok && !strcmp(n, "final.classifier.bias"));
            dump_compare(ctx, &f, n, m.params, pl.entries[i].off, pl.entries[i].n, zero_grad ? 3 * lr : 2e-6,
                     1e-4, 0);
        }
        free(steps);
        trainer_destroy(&t);
        model_destroy(&m);
    }
    param_layout_free(&pl);
    free(init);
    free(ids);
    free(segs);
    free(am);
    free(lab);
    free(iid);
    free(iseg);
    free(lens);
    free(labels);
    st_close(&f);
}

int main(void)
{
    ctx = test_ctx();
    for (int plain = 0; plain < 2; plain++) {
        run_dump("tok_asa", 1, plain);
        run_dump("mc_asa", 0, plain);
    }
    asacl_ctx_destroy(ctx);
    return test_finish("test_heads");
}
