/* step_gemms.c -- see step_gemms.h. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "data/mlm_mask.h"
#include "model/step_gemms.h"

static step_gemm *add(step_gemm_list *l, const char *role, int ta, int tb, size_t m, size_t n, size_t k,
                  size_t lda, size_t ldb, size_t ldc, float beta)
{
    step_gemm *p = &l->p[l->n++];
    memset(p, 0, sizeof *p);
    snprintf(p->role, sizeof p->role, "%s", role);
    gemm_shape s = {ta, tb, m, n, k};
    p->s = s;
    p->alpha = 1.0f, p->beta = beta;
    p->batch = 1, p->calls = 1;
    p->lda = lda, p->ldb = ldb, p->ldc = ldc;
    return p;
}

/* A dense layer y[M, out] = x[M, in] W^T as linear.c computes it: forward
 * (NT), weight gradient dW += dY^T X (TN, K = M), input gradient dX = dY W
 * (NN) when the layer has one. */
static void add_linear(step_gemm_list *l, const char *name, size_t M, size_t in, size_t out,
                       size_t ldx, size_t ldy, int dx, int tiny)
{
    char role[40];
    snprintf(role, sizeof role, "%s forward", name);
    add(l, role, 0, 1, M, out, in, ldx, in, ldy, 0.0f)->tiny = tiny;
    snprintf(role, sizeof role, "%s weight-grad", name);
    add(l, role, 1, 0, out, in, M, ldy, ldx, in, 1.0f)->tiny = tiny;
    if (!dx) return;
    snprintf(role, sizeof role, "%s input-grad", name);
    add(l, role, 0, 0, M, in, out, ldy, in, ldx, 0.0f)->tiny = tiny;
}

static void batched(step_gemm *p, size_t batch, size_t calls, size_t oa, size_t sa, size_t ca,
                    size_t ob, size_t sb, size_t cb, size_t oc, size_t sc, size_t cc, float alpha)
{
    p->batched = 1, p->batch = batch, p->calls = calls, p->alpha = alpha;
    p->oa = oa, p->sa = sa, p->ca = ca;
    p->ob = ob, p->sb = sb, p->cb = cb;
    p->oc = oc, p->sc = sc, p->cc = cc;
}

/* Every GEMM of one training step (model/linear.c, attention.c, asa.c, mlm_head.c). */
void step_gemms(const asacl_model_config *c, size_t B, size_t T, step_gemm_list *l)
{
    size_t N = B * T, D = (size_t)c->hidden_size, H = (size_t)c->num_attention_heads, hd = D / H,
           F = (size_t)c->intermediate_size, C = (size_t)c->num_labels, TT = T * T;
    float s_head = (float)(1.0 / sqrt((double)hd)), s_asa = (float)(1.0 / sqrt((double)D));
    l->n = 0;
    add_linear(l, "qkv", N, D, 3 * D, D, 3 * D, 1, 0);
    add_linear(l, "attn-out", N, D, D, D, D, 1, 0);
    add_linear(l, "ffn-up", N, D, F, D, F, 1, 0);
    add_linear(l, "ffn-down", N, F, D, F, D, 1, 0);
    add_linear(l, "adversary", N, D, 2 * D, D, 2 * D, 0, 0);
    if (c->task == ASACL_TASK_MLM) { /* model/mlm_head.c at the most chosen positions */
        size_t M = mlm_mask_max(0.15, B, T), V = (size_t)c->vocab_size;
        add_linear(l, "mlm transform", M, D, D, D, D, 1, 0);
        add_linear(l, "mlm decoder", M, D, V, D, V, 1, 0);
    } else {
        add_linear(l, "pooler", B, D, D, T * D, D, 1, 1);
        add_linear(l, "classifier", B, D, C, D, C, 1, 1);
    }
    /* Per-head products (plain attention path): per sequence, the H heads
     * as one strided batch; q/k/v interleaved in rows of 3D. */
    batched(add(l, "attn QK^T", 0, 1, T, T, hd, 3 * D, 3 * D, T, 0.0f), H, B, 0, hd, T * 3 * D,
            D, hd, T * 3 * D, 0, TT, H * TT, s_head);
    batched(add(l, "attn P.V", 0, 0, T, hd, T, T, 3 * D, D, 0.0f), H, B, 0, TT, H * TT, 2 * D,
            hd, T * 3 * D, 0, hd, T * D, 1.0f);
    batched(add(l, "attn dP=dO.V^T", 0, 1, T, T, hd, D, 3 * D, T, 0.0f), H, B, 0, hd, T * D,
            2 * D, hd, T * 3 * D, 0, TT, H * TT, 1.0f);
    batched(add(l, "attn dV=P^T.dO", 1, 0, T, hd, T, T, D, 3 * D, 0.0f), H, B, 0, TT, H * TT,
            0, hd, T * D, 2 * D, hd, T * 3 * D, 1.0f);
    batched(add(l, "attn dQ=dS.K", 0, 0, T, hd, T, T, 3 * D, 3 * D, 0.0f), H, B, 0, TT, H * TT,
            D, hd, T * 3 * D, 0, hd, T * 3 * D, s_head);
    batched(add(l, "attn dK=dS^T.Q", 1, 0, T, hd, T, T, 3 * D, 3 * D, 0.0f), H, B, 0, TT,
            H * TT, 0, hd, T * 3 * D, D, hd, T * 3 * D, s_head);
    /* The adversary's scores and their gradients: one batch over sequences. */
    batched(add(l, "asa AQ.AK^T", 0, 1, T, T, D, 2 * D, 2 * D, T, 0.0f), B, 1, 0, T * 2 * D, 0,
            D, T * 2 * D, 0, 0, TT, 0, s_asa);
    batched(add(l, "asa dAQ=dA.AK", 0, 0, T, D, T, T, 2 * D, 2 * D, 0.0f), B, 1, 0, TT, 0, D,
            T * 2 * D, 0, 0, T * 2 * D, 0, s_asa);
    batched(add(l, "asa dAK=dA^T.AQ", 1, 0, T, D, T, T, 2 * D, 2 * D, 0.0f), B, 1, 0, TT, 0, 0,
            T * 2 * D, 0, D, T * 2 * D, 0, s_asa);
    for (size_t i = 0; i < l->n; i++)
        l->p[i].asa = !strncmp(l->p[i].role, "adversary", 9) || !strncmp(l->p[i].role, "asa ", 4);
}
