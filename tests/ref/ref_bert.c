/* ref_bert.c -- BERT + ASA in double precision (see ref_bert.h). */
#include "ref_bert.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ref_ops.h"

static uint32_t site(int pass, size_t layer, int kind)
{
    return (uint32_t)pass << 24 | (uint32_t)layer << 8 | (uint32_t)kind;
}

static double drop(const ref_pass *o, int train, double p, uint32_t s, uint64_t i)
{
    if (!train) return 1.0;
    return ref_dropout_factor((uint32_t)o->seed, (uint32_t)(o->seed >> 32), o->step, s, p, i);
}

/* y[M, out] = x[M, in] (row stride ldx) W^T + b. */
static void dense(double *y, const double *x, size_t ldx, const double *w, const double *b,
                  size_t M, size_t in, size_t out)
{
    for (size_t r = 0; r < M; r++)
        for (size_t o = 0; o < out; o++) {
            double s = b ? b[o] : 0;
            for (size_t k = 0; k < in; k++) s += x[r * ldx + k] * w[o * in + k];
            y[r * out + o] = s;
        }
}

void ref_bert_forward(const ref_model *m, const ref_batch *b, const ref_pass *o, ref_pass_out *out)
{
    const asacl_model_config *c = m->cfg;
    const param_layout *pl = m->pl;
    const double *p = m->p;
    size_t B = b->B, T = b->T, N = B * T, D = (size_t)c->hidden_size,
           F = (size_t)c->intermediate_size, H = (size_t)c->num_attention_heads,
           L = (size_t)c->num_hidden_layers, C = (size_t)c->num_labels;
    double ph = c->hidden_dropout_prob, pa = m->additive ? 0 : c->attention_probs_dropout_prob;
    double eps = c->layer_norm_eps;
    double *x = malloc(N * D * sizeof *x), *t1 = calloc(N * D, sizeof *t1),
           *qkv = malloc(N * 3 * D * sizeof *qkv), *ctx = malloc(N * D * sizeof *ctx),
           *f = malloc(N * F * sizeof *f), *pad = malloc(N * sizeof *pad),
           *bias = malloc(B * T * T * sizeof *bias), *aq = malloc(N * 2 * D * sizeof *aq);

    for (size_t bb = 0; bb < B; bb++)
        for (size_t t = 0; t < T; t++) pad[bb * T + t] = (int)t < b->lens[bb] ? 0.0 : -10000.0;
    /* Embeddings, LayerNorm, dropout. */
    for (size_t n = 0; n < N; n++)
        for (size_t k = 0; k < D; k++)
            t1[n * D + k] = p[pl->word + (size_t)b->ids[n] * D + k] + p[pl->pos + (n % T) * D + k] +
                            p[pl->type + (size_t)b->segs[n] * D + k];
    ref_layernorm_forward(x, NULL, NULL, t1, p + pl->emb_ln_g, p + pl->emb_ln_b, N, D, eps);
    for (size_t i = 0; i < N * D; i++) x[i] *= drop(o, o->train, ph, site(o->pass, 0, 0), i);

    for (size_t l = 0; l < L; l++) {
        const layer_params *lp = &pl->layers[l];
        if (out->x_in && out->x_in[l]) memcpy(out->x_in[l], x, N * D * sizeof *x);
        ref_attn a = {B, T, H, D, pad, T, 0, m->additive, o->train ? pa : 0.0,
                      (uint32_t)o->seed, (uint32_t)(o->seed >> 32), o->step, site(o->pass, l, 1), 0};
        if (o->asa) {
            /* The adversary (asa-spec 4): A, M = [A > 0], G = (1 - M) * -10000. */
            dense(aq, x, D, p + lp->adv_w, p + lp->adv_b, N, D, 2 * D);
            for (size_t bb = 0; bb < B; bb++)
                for (size_t i = 0; i < T; i++)
                    for (size_t j = 0; j < T; j++) {
                        double s = 0;
                        for (size_t k = 0; k < D; k++)
                            s += aq[(bb * T + i) * 2 * D + k] * aq[(bb * T + j) * 2 * D + D + k];
                        double A = s / sqrt((double)D) + pad[bb * T + j];
                        double M = A > 0 ? 1.0 : A < 0 ? 0.0 : 0.5;
                        size_t e = (bb * T + i) * T + j;
                        if (out->A && out->A[l]) out->A[l][e] = A;
                        if (out->M && out->M[l]) out->M[l][e] = M;
                        bias[e] = o->G ? o->G[l][e] : (1.0 - M) * -10000.0;
                    }
            a.bias = bias;
            a.sb = T * T;
            a.si = T;
        }
        dense(qkv, x, D, p + lp->qkv_w, p + lp->qkv_b, N, D, 3 * D);
        ref_attention_forward(ctx, NULL, qkv, &a);
        dense(t1, ctx, D, p + lp->o_w, p + lp->o_b, N, D, D);
        for (size_t i = 0; i < N * D; i++)
            t1[i] = x[i] + t1[i] * drop(o, o->train, ph, site(o->pass, l, 2), i);
        ref_layernorm_forward(x, NULL, NULL, t1, p + lp->ln1_g, p + lp->ln1_b, N, D, eps);
        dense(f, x, D, p + lp->f1_w, p + lp->f1_b, N, D, F);
        for (size_t i = 0; i < N * F; i++) f[i] = ref_gelu(f[i]);
        dense(t1, f, F, p + lp->f2_w, p + lp->f2_b, N, F, D);
        for (size_t i = 0; i < N * D; i++)
            t1[i] = x[i] + t1[i] * drop(o, o->train, ph, site(o->pass, l, 3), i);
        ref_layernorm_forward(x, NULL, NULL, t1, p + lp->ln2_g, p + lp->ln2_b, N, D, eps);
    }
    /* Pooler on each sequence's first token, dropout, classifier. */
    dense(t1, x, T * D, p + pl->pool_w, p + pl->pool_b, B, D, D);
    for (size_t i = 0; i < B * D; i++)
        t1[i] = tanh(t1[i]) * drop(o, o->train, ph, site(o->pass, 0, 4), i);
    dense(out->logits, t1, D, p + pl->cls_w, p + pl->cls_b, B, D, C);
    free(x);
    free(t1);
    free(qkv);
    free(ctx);
    free(f);
    free(pad);
    free(bias);
    free(aq);
}

static void log_softmax(double *y, const double *z, size_t n)
{
    double m = z[0], s = 0;
    for (size_t i = 1; i < n; i++) m = z[i] > m ? z[i] : m;
    for (size_t i = 0; i < n; i++) s += exp(z[i] - m);
    for (size_t i = 0; i < n; i++) y[i] = z[i] - m - log(s);
}

ref_losses ref_bert_losses(const ref_model *m, const ref_batch *b, const double *z,
                           const double *zq, double *const *M, double tau)
{
    const asacl_model_config *c = m->cfg;
    size_t B = b->B, C = (size_t)c->num_labels, T = b->T;
    ref_losses r = {0, 0, 0, 0};
    for (size_t i = 0; i < B; i++)
        r.task += C > 1 ? ref_cross_entropy(z + i * C, C, b->labels[i], NULL)
                        : (z[i] - b->targets[i]) * (z[i] - b->targets[i]);
    r.task /= (double)B;
    if (zq) {
        /* Symmetric KL, summed over labels, divided by B; one label: the
         * softmax runs over the batch. */
        size_t R = C > 1 ? B : 1, W = C > 1 ? C : B;
        double *lp = malloc(W * sizeof *lp), *lq = malloc(W * sizeof *lq);
        for (size_t i = 0; i < R; i++) {
            log_softmax(lp, z + i * W, W);
            log_softmax(lq, zq + i * W, W);
            for (size_t k = 0; k < W; k++)
                r.vloss += 0.5 * (exp(lq[k]) * (lq[k] - lp[k]) + exp(lp[k]) * (lp[k] - lq[k]));
        }
        r.vloss /= (double)B;
        free(lp);
        free(lq);
        for (size_t l = 0; M && l < (size_t)c->num_hidden_layers; l++)
            for (size_t e = 0; e < B * T * T; e++) r.rloss += M[l][e];
        r.rloss /= (double)B;
    }
    r.total = r.task + r.vloss + tau * tau * r.rloss;
    return r;
}
