#!/usr/bin/env python3
"""Reference dumps for Adversarial Self-Attention (ASA) training.

An independent float64 PyTorch implementation of one ASA training step, written
from /work/shared/asa-spec.md (sections referenced as "spec N").  The BERT
backbone is written by hand in plain torch (no transformers model classes).
Writes tests/data/asa_ref/*.safetensors (float32 values, int64 integers) that
the C test suite compares against.

    /work/venv/bin/python tests/gen_asa_ref.py [--out tests/data/asa_ref]

Choices where the spec is silent (a faithful port of gingasan/adversarialSA):
  * word_embeddings is nn.Embedding(padding_idx=pad_token_id=0) in the reference
    (modeling/bert.py, Embeddings): the row of the pad id gets no gradient.  We
    zero grad[pad_id] after backward, so AdamW only decays that row (m = v = 0).
    This only matters when a padding position receives attention, i.e. in the
    adversarial pass when every key of a row is masked (uniform softmax over all
    T positions, padding included); the script prints whether it mattered.
  * The KL uses the reference's divergence(): nn.KLDivLoss(reduction="batchmean")
    which divides by input.size(0) (= B, also in the C == 1 case where the logits
    are viewed as a [B] vector and the softmax runs over the batch).
  * The mask value is -10000 (spec 2), P = (1 - attention_mask) * -10000, so a
    real key gets -0.0, which the replace semantics keeps (G >= 0 is true).
  * Per-layer masked fraction (spec 8): pooled over the batch,
    sum_b #{(i, j) real x real : M == 0} / sum_b len_b^2, from the adversarial pass
    at the initial parameters.
  * Segments: positions t < ceil(len/2) get 0, the rest of the real tokens 1,
    padding 0 (the inputs are stored in the files anyway).
  * The additive variant (spec 7, the reference's roberta.py) uses the same BERT
    backbone, names and head; only S' = S + G (both passes) and no attention-
    probability dropout differ.
  * Other heads (spec 10, the reference's AsaBertForTokenClassification and
    AsaBertForMultipleChoice):
    - "tok": no pooler; z[b, t] = classifier(dropout(h[b, t])) for every token;
      task = cross-entropy averaged over the tokens whose label is not -100 (the
      reference also requires attention_mask == 1; the labels of padding are
      -100 anyway); vloss over all B*T*C entries (padding included) / B, as
      KLDivLoss(batchmean) divides by size(0) = B; rloss / B.
    - "mc": B examples of n choices are B*n sequences (cfg B = B*n, the rows of
      every [B, T] input); pooler + classifier with one output give one score per
      sequence, viewed as z [examples, n]; task = cross-entropy over
      the choices (mean over examples); vloss over [examples, n] / examples;
      rloss / (B*n), the number of sequences (M.shape[0] in the reference).
  * Masked-language modelling (spec 11, head "mlm", BertForMaskedLM): no pooler;
    cls.predictions.transform.dense -> gelu -> transform.LayerNorm -> decoder tied
    to the word embeddings + cls.predictions.bias, applied to the final hidden
    states at the chosen flat positions b*T + t only (logits [M, V]); inputs
    [CLS] ... [SEP] with ids pad 0, [CLS] 1, [SEP] 2, [MASK] 3, real ids 4..V-1,
    one segment; the chosen positions and their replacements are fixed by the
    case (the C side's masking has its own tests); task = cross-entropy averaged
    over the M positions; vloss = the symmetric KL over the vocabulary summed
    over the M positions / B; rloss / B.  The word table's lookup has
    padding_idx (its pad row gets no gradient from the lookup) but the decoder's
    gradient reaches every row, the pad row included, as torch gives a tied
    Parameter; so nothing is zeroed after backward.  Extra tensors: the final
    hidden states of both passes and the gradients of the total loss there, and
    the decoder's part of the word gradient, so a head can be tested alone.
  * RoBERTa cases (spec 10, model="roberta"): names roberta.* with the head
    classifier.dense / classifier.out_proj (dropout -> dense -> tanh -> dropout ->
    out_proj on the first token, no pooler); pad id 1, real tokens drawn from
    the ids other than the pad; position ids = pad + 1 + the running count of
    non-pad ids, pads get the pad id (transformers' create_position_ids_from_input_ids);
    one token type (segments 0); LayerNorm eps 1e-5; the position table has
    padding_idx = pad too, so its pad row gets no gradient either (zeroed like
    the word row's).
"""
import argparse
import math
import os
import sys

import numpy as np
import torch
from safetensors.torch import save_file

torch.set_default_dtype(torch.float64)
DT = torch.float64
MASK_VALUE = -10000.0
LN_EPS = 1e-12          # BERT; RoBERTa cases set cfg["ln_eps"]
PAD_ID = 0              # BERT; RoBERTa cases set cfg["pad"]
IGNORE = -100   # the label of a token outside the loss (torch's ignore_index)

BASE = dict(L=2, D=32, H=4, F=40, V=30, P=16, TV=2, B=3, T=8,
            tau=0.5, lr=1e-3, weight_decay=0.01, total_steps=10, warmup_ratio=0.06,
            betas=(0.9, 0.999), adam_eps=1e-8, n_steps=3, lengths=[8, 5, 3],
            hidden_dropout=0.0, attn_dropout=0.0)

CASES = [
    dict(name="cls_asa", C=3, labels=[0, 2, 1], asa=True, mask_mode="replace", seed=1001),
    dict(name="reg_asa", C=1, labels=[0.5, -1.0, 2.0], asa=True, mask_mode="replace", seed=2001),
    dict(name="cls_plain", C=3, labels=[0, 2, 1], asa=False, mask_mode="replace", seed=3001),
    dict(name="cls_additive", C=3, labels=[0, 2, 1], asa=True, mask_mode="additive", seed=4001),
    # Padded to max_seq_len beyond the longest sequence (asa-spec 2): pad query rows
    # count in rloss and all-masked rows are uniform over all T positions.
    dict(name="cls_asa_maxlen", C=3, labels=[0, 2, 1], asa=True, mask_mode="replace", seed=5001,
         T=12, lengths=[7, 5, 3]),
    # spec 10: token classification, 3 sentences; sub-word positions per sentence
    dict(name="tok_asa", head="tok", C=5, subwords=[[3, 4], [2], []], asa=True,
         mask_mode="replace", seed=5001),
    # spec 10: multiple choice, 2 examples x 3 choices = 6 sequences
    dict(name="mc_asa", head="mc", C=3, n_choices=3, B=6, lengths=[8, 6, 5, 7, 3, 4],
         labels=[2, 0], asa=True, mask_mode="replace", seed=6001),
    # spec 11: masked-language modelling, BertForMaskedLM's head with the decoder
    # tied to the word embeddings; 3 sequences [CLS] ... [SEP] of lengths 10, 7, 4
    # (padded to T = 10), 6 chosen positions with fixed replacements.
    dict(name="mlm_asa", head="mlm", C=0, asa=True, mask_mode="replace", seed=8001, T=10,
         lengths=[10, 7, 4], chosen=[[2, 5, 8], [1, 4], [2]],
         kinds=["mask", "mask", "random", "mask", "same", "mask"]),
    # RoBERTa (spec 10): additive masks are the reference's RoBERTa semantics;
    # padded beyond the longest sequence, so pad rows take position id pad.
    dict(name="roberta_asa", model="roberta", C=3, labels=[2, 0, 1], asa=True, mask_mode="additive",
         seed=6001, T=10, lengths=[8, 6, 3], TV=1, pad=1, ln_eps=1e-5),
    # The other choice for RoBERTa: replace semantics (spec 3).
    dict(name="roberta_replace", model="roberta", C=3, labels=[2, 0, 1], asa=True,
         mask_mode="replace", seed=7001, T=10, lengths=[8, 6, 3], TV=1, pad=1, ln_eps=1e-5),
]


def roberta(cfg):
    return cfg.get("model") == "roberta"


def prefix(cfg):
    return "roberta." if roberta(cfg) else "bert."


def pad_id(cfg):
    return cfg.get("pad", PAD_ID)


def ln_eps(cfg):
    return cfg.get("ln_eps", LN_EPS)


def pad_rows(cfg):
    """Tables whose pad row gets no gradient (nn.Embedding padding_idx),
    zeroed after backward.  The MLM case has none: its word table is also the
    decoder, whose pad row does get a gradient, so its lookup uses
    F.embedding(padding_idx) instead (the same rule, applied to the lookup
    only, as torch does for a tied Parameter)."""
    if cfg.get("head") == "mlm":
        return []
    rows = [prefix(cfg) + "embeddings.word_embeddings.weight"]
    if roberta(cfg):
        rows.append(prefix(cfg) + "embeddings.position_embeddings.weight")
    return rows


def position_ids(ids, cfg):
    T = ids.shape[1]
    if not roberta(cfg):
        return torch.arange(T)[None].expand(ids.shape[0], -1)
    real = (ids != pad_id(cfg)).to(torch.int64)
    return torch.cumsum(real, 1) * real + pad_id(cfg)

MIN_ABS_A = 1e-3


class CheckFailed(Exception):
    pass


def check(cond, msg):
    if not cond:
        raise CheckFailed(msg)


# --------------------------------------------------------------------------------------
# parameters
# --------------------------------------------------------------------------------------
def param_shapes(cfg):
    D, F, V, P, TV, C, L = cfg["D"], cfg["F"], cfg["V"], cfg["P"], cfg["TV"], cfg["C"], cfg["L"]
    b = prefix(cfg)
    s = [(b + "embeddings.word_embeddings.weight", (V, D)),
         (b + "embeddings.position_embeddings.weight", (P, D)),
         (b + "embeddings.token_type_embeddings.weight", (TV, D)),
         (b + "embeddings.LayerNorm.weight", (D,)),
         (b + "embeddings.LayerNorm.bias", (D,))]
    for l in range(L):
        pre = f"{b}encoder.layer.{l}."
        for nm in ("query", "key", "value"):
            s += [(pre + f"attention.self.{nm}.weight", (D, D)), (pre + f"attention.self.{nm}.bias", (D,))]
        s += [(pre + "attention.output.dense.weight", (D, D)), (pre + "attention.output.dense.bias", (D,)),
              (pre + "attention.output.LayerNorm.weight", (D,)), (pre + "attention.output.LayerNorm.bias", (D,)),
              (pre + "intermediate.dense.weight", (F, D)), (pre + "intermediate.dense.bias", (F,)),
              (pre + "output.dense.weight", (D, F)), (pre + "output.dense.bias", (D,)),
              (pre + "output.LayerNorm.weight", (D,)), (pre + "output.LayerNorm.bias", (D,))]
    head = cfg.get("head", "cls")
    if head == "mlm":                     # BertForMaskedLM: no pooler, cls.predictions
        s += [("cls.predictions.transform.dense.weight", (D, D)),
              ("cls.predictions.transform.dense.bias", (D,)),
              ("cls.predictions.transform.LayerNorm.weight", (D,)),
              ("cls.predictions.transform.LayerNorm.bias", (D,)),
              ("cls.predictions.bias", (V,))]
    elif roberta(cfg):
        s += [("classifier.dense.weight", (D, D)), ("classifier.dense.bias", (D,)),
              ("classifier.out_proj.weight", (C, D)), ("classifier.out_proj.bias", (C,))]
    else:
        if head != "tok":                 # token classification has no pooler
            s += [("bert.pooler.dense.weight", (D, D)), ("bert.pooler.dense.bias", (D,))]
        out = 1 if head == "mc" else C    # the choice scorer has one output
        s += [("classifier.weight", (out, D)), ("classifier.bias", (out,))]
    if cfg["asa"]:
        for l in range(L):
            pre = f"{b}encoder.adversary.{l}."
            s += [(pre + "query.weight", (D, D)), (pre + "query.bias", (D,)),
                  (pre + "key.weight", (D, D)), (pre + "key.bias", (D,))]
    return s


def is_adversary(name):
    return name.startswith("bert.encoder.adversary.") or name.startswith("roberta.encoder.adversary.")


def decays(name):
    """Weight decay on every weight matrix and embedding (adversaries included),
    none on biases and LayerNorm weight/bias (spec 5.5)."""
    return name.endswith(".weight") and "LayerNorm" not in name


def init_params(cfg, gen):
    p = {}
    for name, shape in param_shapes(cfg):
        n = torch.randn(shape, generator=gen, dtype=DT)
        if "LayerNorm" in name:
            p[name] = (1.0 + 0.1 * n) if name.endswith(".weight") else 0.1 * n
        elif name.endswith(".bias"):
            p[name] = 0.1 * n
        else:  # weight matrices, embeddings, adversary weights
            p[name] = 0.3 * n
    return p


MLM_CLS, MLM_SEP, MLM_MASK = 1, 2, 3   # the MLM case's special ids (pad 0); real ids 4..V-1


def make_mlm_batch(cfg, gen):
    """[CLS] real ids [SEP] then padding; the chosen positions (cfg chosen, per
    sequence) get the replacement of cfg kinds: [MASK], a random id (drawn until
    it differs from the original) or the original id."""
    B, T, V = cfg["B"], cfg["T"], cfg["V"]
    orig = torch.full((B, T), PAD_ID, dtype=torch.int64)
    am = torch.zeros((B, T), dtype=torch.int64)
    for b, n in enumerate(cfg["lengths"]):
        orig[b, 0] = MLM_CLS
        orig[b, 1:n - 1] = torch.randint(4, V, (n - 2,), generator=gen)
        orig[b, n - 1] = MLM_SEP
        am[b, :n] = 1
    ids = orig.clone()
    pos, y, kinds = [], [], []
    k = iter(cfg["kinds"])
    for b, ts in enumerate(cfg["chosen"]):
        for t in ts:
            check(int(orig[b, t]) >= 4, "a special token chosen")
            kind = next(k)
            pos.append(b * T + t)
            y.append(int(orig[b, t]))
            kinds.append(("mask", "random", "same").index(kind))
            if kind == "mask":
                ids[b, t] = MLM_MASK
            elif kind == "random":
                r = int(orig[b, t])
                while r == int(orig[b, t]):
                    r = int(torch.randint(0, V, (1,), generator=gen))
                ids[b, t] = r
    return dict(ids=ids, seg=torch.zeros((B, T), dtype=torch.int64), am=am,
                y=torch.tensor(y, dtype=torch.int64), pos=torch.tensor(pos, dtype=torch.int64),
                orig=orig, kinds=torch.tensor(kinds, dtype=torch.int64))


def make_batch(cfg, gen):
    if cfg.get("head") == "mlm":
        return make_mlm_batch(cfg, gen)
    B, T, V = cfg["B"], cfg["T"], cfg["V"]
    pad = pad_id(cfg)
    ids = torch.full((B, T), pad, dtype=torch.int64)
    seg = torch.zeros((B, T), dtype=torch.int64)
    am = torch.zeros((B, T), dtype=torch.int64)
    for b, n in enumerate(cfg["lengths"]):
        r = torch.randint(1, V, (n,), generator=gen)     # 1..V-1: every id but 0
        ids[b, :n] = r if pad == 0 else torch.where(r == pad, torch.zeros_like(r), r)
        half = (n + 1) // 2
        if cfg.get("head", "cls") != "tok" and cfg["TV"] > 1:   # token classification: one segment
            seg[b, half:n] = 1
        am[b, :n] = 1
    if cfg.get("head", "cls") == "tok":
        # [CLS] at 0 and [SEP] at n-1 unlabelled; "sub-word" positions (cfg
        # subwords: per sequence, the positions continuing a word) unlabelled;
        # padding unlabelled; every other token a label drawn from the generator
        y = torch.full((B, T), IGNORE, dtype=torch.int64)
        for b, n in enumerate(cfg["lengths"]):
            for t in range(1, n - 1):
                if t not in cfg["subwords"][b]:
                    y[b, t] = int(torch.randint(0, cfg["C"], (1,), generator=gen))
    elif cfg["C"] == 1:
        y = torch.tensor(cfg["labels"], dtype=DT)
    else:
        y = torch.tensor(cfg["labels"], dtype=torch.int64)
    return dict(ids=ids, seg=seg, am=am, y=y)


# --------------------------------------------------------------------------------------
# model (spec 1-4), functional over a dict of float64 tensors
# --------------------------------------------------------------------------------------
def linear(x, p, name):
    return x @ p[name + ".weight"].t() + p[name + ".bias"]


def layer_norm(x, p, name, eps):
    mu = x.mean(-1, keepdim=True)
    var = ((x - mu) ** 2).mean(-1, keepdim=True)
    return (x - mu) / torch.sqrt(var + eps) * p[name + ".weight"] + p[name + ".bias"]


def gelu(x):
    return 0.5 * x * (1.0 + torch.erf(x / math.sqrt(2.0)))


def dropout(x, prob):
    # All dumps use probability 0; the structure is kept (spec 1: hidden and
    # attention dropout; the adversarial pass would draw a fresh sample).
    if prob == 0.0:
        return x
    raise NotImplementedError("reference dumps use dropout 0")


class AsaMask(torch.autograd.Function):
    """Spec 4: M = 1 (A > 0), 0 (A < 0), 0.5 (A == 0); backward straight-through
    with gradient reversal: dA = -dM * s(A)(1 - s(A))."""

    @staticmethod
    def forward(ctx, A):
        M = (A > 0).to(A.dtype) + 0.5 * (A == 0).to(A.dtype)
        ctx.save_for_backward(A)
        return M

    @staticmethod
    def backward(ctx, dM):
        (A,) = ctx.saved_tensors
        s = torch.sigmoid(A)
        return -dM * s * (1.0 - s)


def padding_bias(am):
    # P[b, j] = 0 real (stored as -0.0, kept by the replace semantics), -10000 padding
    return (1.0 - am.to(DT)) * MASK_VALUE


def adversary_scores(p, l, X, P, cfg):
    D = X.shape[-1]
    pre = f"{prefix(cfg)}encoder.adversary.{l}."
    q = linear(X, p, pre + "query")
    k = linear(X, p, pre + "key")
    return q @ k.transpose(-1, -2) / math.sqrt(D) + P[:, None, :]


def encoder_layer(p, l, h, G, cfg, rec):
    B, T, D = h.shape
    H = cfg["H"]
    d = D // H
    pre = f"{prefix(cfg)}encoder.layer.{l}."
    eps = ln_eps(cfg)

    def heads(x):
        return x.view(B, T, H, d).permute(0, 2, 1, 3)

    Q = heads(linear(h, p, pre + "attention.self.query"))
    K = heads(linear(h, p, pre + "attention.self.key"))
    Vv = heads(linear(h, p, pre + "attention.self.value"))
    S = Q @ K.transpose(-1, -2) / math.sqrt(d)
    if cfg["mask_mode"] == "replace":          # spec 3
        Sp = S * (G >= 0).to(DT) + G
    else:                                       # spec 7
        Sp = S + G
    if rec is not None and Sp.requires_grad:
        Sp.retain_grad()
        rec.setdefault("Sp", []).append(Sp)
    prob = torch.softmax(Sp, dim=-1)
    if cfg["mask_mode"] == "replace":          # spec 7: no attention dropout in the additive variant
        prob = dropout(prob, cfg["attn_dropout"])
    ctx = (prob @ Vv).permute(0, 2, 1, 3).reshape(B, T, D)
    a = dropout(linear(ctx, p, pre + "attention.output.dense"), cfg["hidden_dropout"])
    a = layer_norm(a + h, p, pre + "attention.output.LayerNorm", eps)
    f = gelu(linear(a, p, pre + "intermediate.dense"))
    f = dropout(linear(f, p, pre + "output.dense"), cfg["hidden_dropout"])
    return layer_norm(f + a, p, pre + "output.LayerNorm", eps)


def forward(p, batch, cfg, adv=False, fixed_M=None, force_M=None, cut_M=False, rec=None):
    """One pass of the backbone.  adv=False: clean pass (padding bias).  adv=True:
    adversarial pass, bias G = (1 - M) * -10000 from the adversaries.
    fixed_M: list of constant masks to use instead of the adversaries (finite
    differences); force_M: same, for check 4; cut_M: detach M (check 3)."""
    ids, seg, am = batch["ids"], batch["seg"], batch["am"]
    B, T = ids.shape
    P = padding_bias(am)
    b = prefix(cfg)
    if cfg.get("head") == "mlm":   # nn.Embedding(padding_idx): the lookup's pad row gets no gradient
        word = torch.nn.functional.embedding(ids, p[b + "embeddings.word_embeddings.weight"],
                                             padding_idx=pad_id(cfg))
    else:
        word = p[b + "embeddings.word_embeddings.weight"][ids]
    h = word \
        + p[b + "embeddings.position_embeddings.weight"][position_ids(ids, cfg)] \
        + p[b + "embeddings.token_type_embeddings.weight"][seg]
    h = dropout(layer_norm(h, p, b + "embeddings.LayerNorm", ln_eps(cfg)), cfg["hidden_dropout"])
    Ms, As, Xs = [], [], []
    for l in range(cfg["L"]):
        if adv:
            X = h.detach()            # spec 4: the adversary sees a constant
            Xs.append(X)
            if fixed_M is not None:
                M = fixed_M[l]
            elif force_M is not None:
                M = force_M[l]
            else:
                A = adversary_scores(p, l, X, P, cfg)
                As.append(A)
                M = AsaMask.apply(A)
                if cut_M:
                    M = M.detach()
            Ms.append(M)
            G = ((1.0 - M) * MASK_VALUE)[:, None, :, :]   # shared by all heads, replaces P
        else:
            G = P[:, None, None, :]
        h = encoder_layer(p, l, h, G, cfg, rec if adv else None)
    head = cfg.get("head", "cls")
    if head == "mlm":           # spec 11: BertForMaskedLM's head at the chosen positions only
        if h.requires_grad:
            h.retain_grad()
        return mlm_head(p, h, batch, cfg), dict(M=Ms, A=As, X=Xs, H=h)
    if roberta(cfg):   # RobertaClassificationHead: no pooler
        x = dropout(h[:, 0], cfg["hidden_dropout"])
        x = dropout(torch.tanh(linear(x, p, "classifier.dense")), cfg["hidden_dropout"])
        z = linear(x, p, "classifier.out_proj")
        return z, dict(M=Ms, A=As, X=Xs)
    if head == "tok":           # spec 10: no pooler, the classifier on every token
        z = linear(dropout(h, cfg["hidden_dropout"]), p, "classifier")      # [B, T, C]
        return z, dict(M=Ms, A=As, X=Xs)
    pooled = torch.tanh(linear(h[:, 0], p, "bert.pooler.dense"))
    pooled = dropout(pooled, cfg["hidden_dropout"])
    z = linear(pooled, p, "classifier")
    if head == "mc":            # one score per sequence -> [examples, n]
        z = z.view(-1, cfg["n_choices"])
    return z, dict(M=Ms, A=As, X=Xs)


def mlm_head(p, h, batch, cfg, pos=None):
    """cls.predictions: dense -> gelu -> LayerNorm -> decoder (the word
    embeddings, or p["decoder_split"] for the tie check) + bias, at the flat
    positions pos (default: the chosen ones) of h [B, T, D]."""
    B, T, D = h.shape
    g = h.reshape(B * T, D)[batch["pos"] if pos is None else pos]
    x = gelu(linear(g, p, "cls.predictions.transform.dense"))
    t = layer_norm(x, p, "cls.predictions.transform.LayerNorm", ln_eps(cfg))
    W = p["decoder_split"] if "decoder_split" in p else p[prefix(cfg) + "embeddings.word_embeddings.weight"]
    return t @ W.t() + p["cls.predictions.bias"]


def kl_batchmean(log_q, p_t):
    # nn.KLDivLoss(reduction="batchmean")(input=log_q, target=p_t): sum p (log p - log q) / size(0)
    return (p_t * (torch.log(p_t) - log_q)).sum() / log_q.shape[0]


def compute_losses(z, z_adv, Ms, batch, cfg):
    C = z.shape[-1]
    y = batch["y"]
    if cfg.get("head") == "mlm":
        # spec 11: cross-entropy averaged over the M chosen positions; vloss the
        # symmetric KL over the vocabulary, summed over the positions, / B
        task = -torch.log_softmax(z, -1).gather(1, y[:, None]).mean()
        if z_adv is None:
            zero = torch.zeros((), dtype=DT)
            return dict(task=task, vloss=zero, rloss=zero, total=task, report=task)
        B = batch["ids"].shape[0]

        def kl_sum(log_q, p_t):
            return (p_t * (torch.log(p_t) - log_q)).sum()
        vloss = 0.5 * (kl_sum(torch.log_softmax(z, -1), torch.softmax(z_adv, -1)) +
                       kl_sum(torch.log_softmax(z_adv, -1), torch.softmax(z, -1))) / B
        rloss = sum(M.sum() / M.shape[0] for M in Ms)
        total = task + vloss + cfg["tau"] ** 2 * rloss
        return dict(task=task, vloss=vloss, rloss=rloss, total=total, report=task + vloss)
    if cfg.get("head", "cls") == "tok":
        # mean over the labelled tokens (labels != -100)
        lab = y.view(-1) != IGNORE
        lp = torch.log_softmax(z.reshape(-1, C), dim=-1)[lab]
        task = -lp.gather(1, y.view(-1)[lab][:, None]).mean()
    elif C == 1:
        task = ((z.view(-1) - y) ** 2).mean()
    else:
        task = -torch.log_softmax(z, dim=-1).gather(1, y[:, None]).mean()
    if z_adv is None:
        zero = torch.zeros((), dtype=DT)
        return dict(task=task, vloss=zero, rloss=zero, total=task, report=task)
    q, t = z, z_adv
    if C == 1 and z.dim() == 2:      # reference quirk: softmax over the batch of B scalars
        q, t = q.view(-1), t.view(-1)
    q2t = kl_batchmean(torch.log_softmax(q, -1), torch.softmax(t, -1))   # KL(softmax z' || softmax z)
    t2q = kl_batchmean(torch.log_softmax(t, -1), torch.softmax(q, -1))   # KL(softmax z || softmax z')
    vloss = 0.5 * (q2t + t2q)
    rloss = sum(M.sum() / M.shape[0] for M in Ms)
    total = task + vloss + cfg["tau"] ** 2 * rloss
    return dict(task=task, vloss=vloss, rloss=rloss, total=total, report=task + vloss)


def full_step(p, batch, cfg, fixed_M=None, rec=None):
    z, aux0 = forward(p, batch, cfg, adv=False)
    if cfg["asa"]:
        z_adv, aux = forward(p, batch, cfg, adv=True, fixed_M=fixed_M, rec=rec)
        Ms = aux["M"]
    else:
        z_adv, aux, Ms = None, dict(M=[], A=[], X=[]), []
    aux["H_clean"] = aux0.get("H")   # the MLM case's final hidden states of the clean pass
    return z, z_adv, aux, compute_losses(z, z_adv, Ms, batch, cfg)


def gradients(p, batch, cfg, rec=None):
    """Gradients of one backward of total (adversaries through the reversal),
    with the padding_idx rule applied to the word embeddings.  Returns
    (grads, raw_pad_row_grad_absmax, outputs)."""
    leaf = {k: v.detach().clone().requires_grad_(True) for k, v in p.items()}
    z, z_adv, aux, L = full_step(leaf, batch, cfg, rec=rec)
    L["total"].backward()
    g = {k: v.grad.detach().clone() if v.grad is not None else torch.zeros_like(v) for k, v in leaf.items()}
    pad = pad_id(cfg)
    raw_pad, raw_rows = 0.0, {}
    for wname in pad_rows(cfg):
        raw_pad = max(raw_pad, g[wname][pad].abs().max().item())
        raw_rows[wname] = g[wname][pad].clone()
        g[wname][pad] = 0.0      # nn.Embedding(padding_idx=pad) in the reference
    return g, dict(raw_pad=raw_pad, raw_pad_rows=raw_rows), (z, z_adv, aux, L, leaf)


# --------------------------------------------------------------------------------------
# AdamW (spec 5.5), by hand
# --------------------------------------------------------------------------------------
def lr_at(cfg, s):
    W = cfg["warmup_ratio"] * cfg["total_steps"]
    tot = cfg["total_steps"]
    if s < W:
        return cfg["lr"] * s / max(1.0, W)
    return cfg["lr"] * max(0.0, (tot - s) / max(1.0, tot - W))


def adamw_update(p, g, state, t, lr_t, cfg):
    b1, b2 = cfg["betas"]
    eps, wd = cfg["adam_eps"], cfg["weight_decay"]
    out = {}
    for k in p:
        x = p[k].clone()
        if decays(k):
            x = x * (1.0 - lr_t * wd)
        m = b1 * state["m"][k] + (1.0 - b1) * g[k]
        v = b2 * state["v"][k] + (1.0 - b2) * g[k] * g[k]
        state["m"][k], state["v"][k] = m, v
        x = x - (lr_t / (1.0 - b1 ** t)) * m / (torch.sqrt(v) / math.sqrt(1.0 - b2 ** t) + eps)
        out[k] = x
    return out


# --------------------------------------------------------------------------------------
# self-checks
# --------------------------------------------------------------------------------------
def check_fd(p, batch, cfg, g_raw, gen, log):
    """(1) central finite differences (eps 1e-6) of the total loss, masks fixed,
    against autograd for 20 random entries of every backbone tensor."""
    if cfg["asa"]:
        with torch.no_grad():
            _, _, aux, _ = full_step(p, batch, cfg)
        fixed = [M.detach().clone() for M in aux["M"]]
    else:
        fixed = None
    eps = 1e-6

    def total(pp):
        with torch.no_grad():
            return full_step(pp, batch, cfg, fixed_M=fixed)[3]["total"].item()

    worst_rel, worst_abs, n = 0.0, 0.0, 0
    worst_pure, n_big = 0.0, 0
    used_rows = torch.unique(batch["ids"]).tolist()
    if cfg.get("head") == "mlm":   # the tied decoder reaches every row
        used_rows = list(range(cfg["V"]))
    for name, t in p.items():
        if is_adversary(name):
            continue
        numel = t.numel()
        if name == prefix(cfg) + "embeddings.word_embeddings.weight":
            # sample rows that are used by the batch (the others have zero gradient)
            rows = torch.tensor(used_rows)[torch.randint(0, len(used_rows), (20,), generator=gen)]
            cols = torch.randint(0, t.shape[1], (20,), generator=gen)
            idx = (rows * t.shape[1] + cols).tolist()
        else:
            idx = torch.randint(0, numel, (20,), generator=gen).tolist()
        for i in idx:
            pp = dict(p)
            base = t.reshape(-1)
            plus = base.clone(); plus[i] += eps
            minus = base.clone(); minus[i] -= eps
            pp[name] = plus.view_as(t); fp = total(pp)
            pp[name] = minus.view_as(t); fm = total(pp)
            fd = (fp - fm) / (2 * eps)
            ag = g_raw[name].reshape(-1)[i].item()
            ae = abs(fd - ag)
            # relative error with a floor of 1e-2 on the denominator (the FD
            # round-off of a loss of size ~10 is ~1e-9 absolute)
            rel = ae / max(abs(fd), abs(ag), 1e-2)
            worst_rel, worst_abs = max(worst_rel, rel), max(worst_abs, ae)
            if max(abs(fd), abs(ag)) >= 1e-2:
                worst_pure, n_big = max(worst_pure, ae / max(abs(fd), abs(ag))), n_big + 1
            n += 1
    ok = worst_rel < 1e-6
    log(f"  (1) finite differences (central, eps 1e-6, masks fixed), {n} entries of backbone tensors: "
        f"max rel err {worst_rel:.3e} (|fd-ag|/max(|fd|,|ag|,1e-2)); plain rel err over the {n_big} entries "
        f"with |grad| >= 1e-2: {worst_pure:.3e}; max abs err {worst_abs:.3e} -> {'OK' if ok else 'FAIL'}")
    check(ok, f"finite-difference check failed: rel err {worst_rel}")


def check_adv_formula(p, batch, cfg, g, rec_out, log):
    """(2) adversary gradients = -(10000 sum_h dS' + tau^2/B) s(A)(1-s(A)) chained
    through A = (X Wq^T + bq)(X Wk^T + bk)^T / sqrt(D) + P."""
    z, z_adv, aux, L, leaf = rec_out["out"]
    Sps = rec_out["rec"]["Sp"]
    B, D, tau = cfg["B"], cfg["D"], cfg["tau"]
    worst = 0.0
    for l in range(cfg["L"]):
        dSp = Sps[l].grad                     # [B, H, T, T]
        A = aux["A"][l].detach()
        X = aux["X"][l]
        dM = 10000.0 * dSp.sum(1) + tau ** 2 / B
        s = torch.sigmoid(A)
        dA = -dM * s * (1.0 - s)
        pre = f"{prefix(cfg)}encoder.adversary.{l}."
        Q = X @ p[pre + "query.weight"].t() + p[pre + "query.bias"]
        K = X @ p[pre + "key.weight"].t() + p[pre + "key.bias"]
        dQ = dA @ K / math.sqrt(D)
        dK = dA.transpose(-1, -2) @ Q / math.sqrt(D)
        man = {pre + "query.weight": torch.einsum("bid,bie->de", dQ, X), pre + "query.bias": dQ.sum((0, 1)),
               pre + "key.weight": torch.einsum("bid,bie->de", dK, X), pre + "key.bias": dK.sum((0, 1))}
        for k, v in man.items():
            err = ((v - g[k]).abs().max() / max(g[k].abs().max().item(), 1e-30)).item()
            worst = max(worst, err)
    ok = worst < 1e-10
    log(f"  (2) adversary gradient vs -(10000*sum_h dS' + tau^2/B)*s(A)(1-s(A)) chained through A: "
        f"max rel err {worst:.3e} -> {'OK' if ok else 'FAIL'}")
    check(ok, f"adversary formula check failed: {worst}")


def check_no_grad_to_X(p, batch, cfg, g, log):
    """(3) no gradient reaches X through the adversary: the adversary input has
    no autograd history, and every backbone gradient is bitwise the same when M
    is made a constant (adversary path cut)."""
    leaf = {k: v.detach().clone().requires_grad_(True) for k, v in p.items()}
    z, _ = forward(leaf, batch, cfg, adv=False)
    z_adv, aux = forward(leaf, batch, cfg, adv=True, cut_M=True)
    no_hist = all((not X.requires_grad) and X.grad_fn is None for X in aux["X"])
    L = compute_losses(z, z_adv, aux["M"], batch, cfg)
    L["total"].backward()
    worst = 0.0
    for k, v in leaf.items():
        if is_adversary(k):
            check(v.grad is None, "adversary got a gradient with M cut")
            continue
        gk = v.grad.clone()
        if k in pad_rows(cfg):
            gk[pad_id(cfg)] = 0.0
        worst = max(worst, (gk - g[k]).abs().max().item())
    ok = no_hist and worst == 0.0
    log(f"  (3) adversary input detached: {no_hist}; backbone grads with the adversary path cut "
        f"differ by max {worst:.3e} -> {'OK' if ok else 'FAIL'}")
    check(ok, "gradient reaches X through the adversary")


def check_forced_mask(p, batch, cfg, log):
    """(4) with M = 1 except on padding keys the two passes give the same logits."""
    am = batch["am"].to(DT)
    T = am.shape[1]
    force = [am[:, None, :].expand(-1, T, -1).clone() for _ in range(cfg["L"])]
    with torch.no_grad():
        z, _ = forward(p, batch, cfg, adv=False)
        z_adv, _ = forward(p, batch, cfg, adv=True, force_M=force)
    diff = (z - z_adv).abs().max().item()
    ok = diff <= 1e-14
    log(f"  (4) clean vs adversarial logits with M forced to 1 except padding keys: max diff {diff:.3e} "
        f"-> {'OK' if ok else 'FAIL'}")
    check(ok, "clean and forced adversarial logits differ")


def check_no_adversaries(p, batch, cfg, log):
    """(5) the clean logits do not depend on the adversaries."""
    q = {k: v for k, v in p.items() if not is_adversary(k)}
    with torch.no_grad():
        z1, _ = forward(p, batch, cfg, adv=False)
        z2, _ = forward(q, batch, cfg, adv=False)
    diff = (z1 - z2).abs().max().item()
    ok = diff == 0.0
    log(f"  (5) clean logits with the adversaries removed: max diff {diff:.3e} -> {'OK' if ok else 'FAIL'}")
    check(ok, "clean logits change without the adversaries")


def check_mask_semantics(p, batch, cfg, aux, rec, log):
    """Extra (spec 9): M == [A > 0] bit for bit; padding keys always masked;
    masked scores exactly -10000 and shared across heads (replace); rows with
    every key masked are uniform and finite."""
    am = batch["am"]
    full_rows = 0
    for l in range(cfg["L"]):
        A, M = aux["A"][l].detach(), aux["M"][l].detach()
        check(torch.equal(M, (A > 0).to(DT)), "M != [A > 0]")
        check(bool((M * (1 - am[:, None, :]).to(DT) == 0).all()), "a padding key is kept")
        Sp = rec["Sp"][l].detach()
        if cfg["mask_mode"] == "replace":
            masked = (M == 0)[:, None].expand_as(Sp)
            check(bool((Sp[masked] == MASK_VALUE).all()), "masked score not exactly -10000")
        prob = torch.softmax(Sp, -1)
        check(bool(torch.isfinite(prob).all()), "NaN in attention probabilities")
        allm = (M == 0).all(-1)             # [B, T]
        real_full = allm & (am == 1)
        full_rows += int(real_full.sum())
        if cfg["mask_mode"] == "replace" and allm.any():
            pr = prob.permute(0, 2, 1, 3)[allm]        # [n, H, T]
            check(bool(((pr - 1.0 / pr.shape[-1]).abs() < 1e-15).all()), "all-masked row not uniform")
    extra = ", masked scores exactly -10000 for every head, all-masked rows uniform" \
        if cfg["mask_mode"] == "replace" else ""
    log(f"  (extra) M == [A>0] bitwise, padding keys masked{extra}, finite softmax: OK; "
        f"real query rows with every key masked: {full_rows}")
    return full_rows


def check_mlm(p, batch, cfg, g, log):
    """Spec 11 checks of the MLM case, returning the decoder's part of the word
    gradient: (a) task and vloss against torch's CrossEntropyLoss(ignore_index
    -100) over the full B x T x V logits (the head at every position, labels
    -100 except at the chosen ones) and KLDivLoss(reduction="sum") over the
    chosen rows / B; (b) the tie: with the decoder a separate copy of the word
    table, the two gradients add up to the tied one (one gradient for both
    uses) and the lookup's pad row is 0; (c) the chosen positions hold no
    special token and the input differs from the original only there."""
    word = prefix(cfg) + "embeddings.word_embeddings.weight"
    B, T = batch["ids"].shape
    with torch.no_grad():
        z, z_adv, aux, L = full_step(p, batch, cfg)
        full = mlm_head(p, aux["H_clean"], batch, cfg, pos=torch.arange(B * T))
        full_adv = mlm_head(p, aux["H"], batch, cfg, pos=torch.arange(B * T))
    lab = torch.full((B * T,), IGNORE, dtype=torch.int64)
    lab[batch["pos"]] = batch["y"]
    task = torch.nn.CrossEntropyLoss()(full, lab)
    kl = torch.nn.KLDivLoss(reduction="sum")
    sel = batch["pos"]
    vloss = 0.5 * (kl(torch.log_softmax(full[sel], -1), torch.softmax(full_adv[sel], -1)) +
                   kl(torch.log_softmax(full_adv[sel], -1), torch.softmax(full[sel], -1))) / B
    d = max(abs(task - L["task"]).item(), abs(vloss - L["vloss"]).item(),
            (full[sel] - z).abs().max().item())
    ok = d < 1e-12
    log(f"  (mlm) task, vloss vs torch CrossEntropyLoss(ignore_index=-100) over all B*T*V logits / "
        f"KLDivLoss(sum) over the {len(sel)} chosen rows / B: max diff {d:.3e} -> {'OK' if ok else 'FAIL'}")
    check(ok, "MLM losses differ from torch's")
    leaf = {k: v.detach().clone().requires_grad_(True) for k, v in p.items()}
    leaf["decoder_split"] = p[word].detach().clone().requires_grad_(True)
    full_step(leaf, batch, cfg)[3]["total"].backward()
    g_dec = leaf["decoder_split"].grad.detach().clone()
    g_look = leaf[word].grad.detach().clone()
    d = (g_dec + g_look - g[word]).abs().max().item()
    pad_look = g_look[pad_id(cfg)].abs().max().item()
    ok = d < 1e-12 and pad_look == 0.0 and g_dec[pad_id(cfg)].abs().max().item() > 0
    log(f"  (mlm) tied word gradient = lookup part + decoder part: max diff {d:.3e}; lookup's pad row "
        f"{pad_look:.1e}, decoder's pad row |g| max {g_dec[pad_id(cfg)].abs().max().item():.3e} "
        f"-> {'OK' if ok else 'FAIL'}")
    check(ok, "the tied gradient is not the sum of its two uses")
    changed = (batch["ids"] != batch["orig"]).reshape(-1).nonzero().reshape(-1)
    ok = set(changed.tolist()) <= set(sel.tolist()) and \
        bool((batch["orig"].reshape(-1)[sel] >= 4).all())
    log(f"  (mlm) input changed at {changed.tolist()} (chosen {sel.tolist()}), no special chosen "
        f"-> {'OK' if ok else 'FAIL'}")
    check(ok, "masking touched other positions")
    return g_dec


def check_head_losses(p, batch, cfg, log):
    """The task and vloss of the other heads (spec 10) against torch's own
    losses as the reference calls them: CrossEntropyLoss (ignore_index -100)
    and KLDivLoss(reduction="batchmean") on the un-flattened logits, and the
    rloss divisor M.shape[0] (B for tokens, B*n sequences for choices)."""
    head = cfg.get("head", "cls")
    if head in ("cls", "mlm"):   # mlm: check_mlm
        return
    with torch.no_grad():
        z, z_adv, aux, L = full_step(p, batch, cfg)
    y = batch["y"]
    C = z.shape[-1]
    task = torch.nn.CrossEntropyLoss()(z.reshape(-1, C), y.reshape(-1))
    kl = torch.nn.KLDivLoss(reduction="batchmean")
    vloss = 0.5 * (kl(torch.log_softmax(z, -1), torch.softmax(z_adv, -1)) +
                   kl(torch.log_softmax(z_adv, -1), torch.softmax(z, -1)))
    n_seq = batch["ids"].shape[0]
    rloss = sum(M.sum() for M in aux["M"]) / n_seq
    d = max(abs(task - L["task"]).item(), abs(vloss - L["vloss"]).item(), abs(rloss - L["rloss"]).item())
    shape_ok = tuple(z.shape) == ((cfg["B"], cfg["T"], cfg["C"]) if head == "tok"
                                  else (cfg["B"] // cfg["n_choices"], cfg["n_choices"]))
    ok = d < 1e-12 and shape_ok
    log(f"  (head) {head}: logits {tuple(z.shape)}; task, vloss, rloss vs torch CrossEntropyLoss / "
        f"KLDivLoss(batchmean) / sum(M)/{n_seq}: max diff {d:.3e} -> {'OK' if ok else 'FAIL'}")
    check(ok, "head losses differ from torch's")


def check_torch_adamw(params_hist, grads_hist, lrs, cfg, log):
    """torch.optim.AdamW + LambdaLR fed the same gradients must match the hand version."""
    names = list(params_hist[0].keys())
    tp = {k: params_hist[0][k].clone().requires_grad_(True) for k in names}
    groups = [dict(params=[tp[k] for k in names if decays(k)], weight_decay=cfg["weight_decay"]),
              dict(params=[tp[k] for k in names if not decays(k)], weight_decay=0.0)]
    opt = torch.optim.AdamW(groups, lr=cfg["lr"], betas=cfg["betas"], eps=cfg["adam_eps"], foreach=False)
    sch = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: lr_at(cfg, s) / cfg["lr"])
    worst = 0.0
    for s, g in enumerate(grads_hist):
        check(abs(opt.param_groups[0]["lr"] - lrs[s]) < 1e-18, "torch schedule differs")
        for k in names:
            tp[k].grad = g[k].clone()
        opt.step()
        sch.step()
        for k in names:
            worst = max(worst, (tp[k].detach() - params_hist[s + 1][k]).abs().max().item())
    ok = worst < 1e-12
    log(f"  (extra) torch.optim.AdamW + LambdaLR vs hand AdamW over {len(grads_hist)} steps: max diff "
        f"{worst:.3e} -> {'OK' if ok else 'FAIL'}")
    check(ok, "torch AdamW differs from the hand version")


# --------------------------------------------------------------------------------------
# one case
# --------------------------------------------------------------------------------------
def masked_fraction(Ms, am, L):
    out = torch.zeros(L, dtype=DT)
    if not Ms:
        return out
    real = (am[:, :, None] * am[:, None, :]).to(torch.bool)
    for l, M in enumerate(Ms):
        out[l] = ((M.detach() == 0) & real).sum().to(DT) / real.sum().to(DT)
    return out


def run_case(case, outdir, log):
    cfg = dict(BASE)
    cfg.update(case)
    seed = case["seed"]
    for attempt in range(200):
        gen = torch.Generator().manual_seed(seed)
        p0 = init_params(cfg, gen)
        batch = make_batch(cfg, gen)
        # run the 3 AdamW steps and keep the smallest |A| met on the way
        ok, res = try_case(cfg, p0, batch)
        if ok or not cfg["asa"]:
            break
        log(f"  seed {seed}: min |A| = {res['min_abs_A']:.3e} <= {MIN_ABS_A}, next seed")
        seed += 1
    else:
        raise CheckFailed("no seed with min |A| > 1e-3")
    cfg["seed"] = seed
    log(f"case {cfg['name']}: seed {seed}, C={cfg['C']}, asa={int(cfg['asa'])}, mask_mode={cfg['mask_mode']}")
    if cfg["asa"]:
        log(f"  min |A| over layers, entries and the 4 evaluated parameter sets: {res['min_abs_A']:.6e} "
            f"(initial parameters: {res['min_abs_A0']:.6e})")

    # ---- self-checks
    g0 = res["grads"][0]
    check_fd(p0, batch, cfg, res["g_raw0"], torch.Generator().manual_seed(seed + 77), log)
    if cfg["asa"]:
        check_adv_formula(p0, batch, cfg, g0, res["rec0"], log)
        check_no_grad_to_X(p0, batch, cfg, g0, log)
        check_forced_mask(p0, batch, cfg, log)
        full_rows = check_mask_semantics(p0, batch, cfg, res["rec0"]["out"][2], res["rec0"]["rec"], log)
    else:
        full_rows = 0
        log("  (2)-(4) not applicable (ASA off)")
    check_no_adversaries(p0, batch, cfg, log)
    g_dec = check_mlm(p0, batch, cfg, g0, log) if cfg.get("head") == "mlm" else None
    check_head_losses(p0, batch, cfg, log)
    check_torch_adamw(res["params"], res["grads"], res["lrs"], cfg, log)
    if not pad_rows(cfg):
        log("  pad-id word-embedding row: the lookup's gradient is 0 by padding_idx, the tied "
            "decoder's is kept")
    else:
        log(f"  pad-id word-embedding row: raw autograd |grad| max {res['raw_pad'][0]:.3e} "
            f"({'zeroed by padding_idx -- this matters for the dump' if res['raw_pad'][0] > 0 else 'zero anyway'})"
            f"; later steps raw max {max(res['raw_pad'][1:]):.3e}")

    # ---- assemble the file
    z, z_adv, aux, L, _ = res["rec0"]["out"]
    f32 = lambda t: t.detach().to(torch.float32).contiguous()
    T = {}
    T["input.ids"] = batch["ids"].contiguous()
    T["input.segments"] = batch["seg"].contiguous()
    T["input.attention_mask"] = batch["am"].contiguous()
    T["input.labels"] = f32(batch["y"]) if cfg["C"] == 1 and cfg.get("head", "cls") == "cls" \
        else batch["y"].contiguous()
    for k, v in p0.items():
        T[k] = f32(v)
    T["out.logits_clean"] = f32(z)
    if cfg["asa"]:
        T["out.logits_adv"] = f32(z_adv)
        for l in range(cfg["L"]):
            T[f"out.hidden_adv.{l}"] = f32(aux["X"][l])
            T[f"out.adv_scores.{l}"] = f32(aux["A"][l])
            T[f"out.mask.{l}"] = f32(aux["M"][l])
    if cfg.get("head") == "mlm":
        T["input.original_ids"] = batch["orig"].contiguous()
        T["input.positions"] = batch["pos"].contiguous()
        T["input.kinds"] = batch["kinds"].contiguous()
        T["out.hidden_clean"] = f32(aux["H_clean"])
        T["out.hidden_adv"] = f32(aux["H"])
        T["out.dhidden_clean"] = f32(aux["H_clean"].grad)
        T["out.dhidden_adv"] = f32(aux["H"].grad)
        T["out.grad_word_decoder"] = f32(g_dec)
        T["out.accuracy"] = f32((z.argmax(-1) == batch["y"]).to(DT).mean().reshape(1))
    mf = masked_fraction(aux["M"], batch["am"], cfg["L"])
    T["out.masked_fraction"] = f32(mf)
    for k in ("task", "vloss", "rloss", "total", "report"):
        T[f"loss.{k}"] = f32(L[k].reshape(1))
    for k, v in g0.items():
        T[f"grad.{k}"] = f32(v)
    T["steps.loss"] = f32(torch.tensor(res["reports"]))
    T["steps.lr"] = f32(torch.tensor(res["lrs"]))
    for k, v in res["params"][-1].items():
        T[f"final.{k}"] = f32(v)

    meta = {k: str(cfg[k]) for k in ("L", "D", "H", "F", "V", "P", "TV", "B", "T", "C", "tau", "lr",
                                     "weight_decay", "total_steps", "warmup_ratio", "mask_mode")}
    meta["asa"] = str(int(cfg["asa"]))
    meta["head"] = cfg.get("head", "cls")
    if meta["head"] == "mc":
        meta["n_choices"] = str(cfg["n_choices"])
        meta["examples"] = str(cfg["B"] // cfg["n_choices"])
    if meta["head"] == "tok":
        meta["ignore_index"] = str(IGNORE)
    if meta["head"] == "mlm":
        meta["special_ids"] = f"pad {PAD_ID}, cls {MLM_CLS}, sep {MLM_SEP}, mask {MLM_MASK}"
        meta["chosen"] = str(len(batch["pos"]))
        meta["kinds"] = "0 [MASK], 1 random, 2 unchanged"
        meta["tied"] = "cls.predictions.decoder.weight = " + prefix(cfg) + "embeddings.word_embeddings.weight"
    meta["min_abs_A"] = f"{res['min_abs_A']:.6e}" if cfg["asa"] else "nan"
    meta["min_abs_A_initial"] = f"{res['min_abs_A0']:.6e}" if cfg["asa"] else "nan"
    meta["generator"] = f"tests/gen_asa_ref.py, torch {torch.__version__}, float64 compute, float32 storage"
    meta["seed"] = str(seed)
    meta["lengths"] = ",".join(str(n) for n in cfg["lengths"])
    meta["pad_token_id"] = str(pad_id(cfg))
    meta["model_type"] = "roberta" if roberta(cfg) else "bert"
    meta["pad_row_grad"] = "zeroed (nn.Embedding padding_idx in the reference)" + \
        (", word and position rows" if roberta(cfg) else "")
    if cfg.get("head") == "mlm":
        meta["pad_row_grad"] = "the lookup's part 0 (padding_idx), the tied decoder's part kept"
    meta["pad_row_raw_grad_absmax"] = f"{res['raw_pad'][0]:.6e}"
    meta["mask_value"] = str(MASK_VALUE)
    meta["layer_norm_eps"] = str(ln_eps(cfg))
    meta["dropout"] = "0"
    meta["adam_betas"] = "0.9,0.999"
    meta["adam_eps"] = str(cfg["adam_eps"])
    meta["n_steps"] = str(cfg["n_steps"])
    meta["full_masked_real_rows"] = str(full_rows)
    path = os.path.join(outdir, f"{cfg['name']}.safetensors")
    save_file(T, path, metadata=meta)
    log(f"  losses: task {L['task'].item():.9f}  vloss {L['vloss'].item():.9f}  rloss {L['rloss'].item():.9f}  "
        f"total {L['total'].item():.9f}  report {L['report'].item():.9f}")
    log(f"  masked fraction per layer: {[round(x, 6) for x in mf.tolist()]}")
    log(f"  steps.loss {[f'{x:.9f}' for x in res['reports']]}  steps.lr {[f'{x:.6e}' for x in res['lrs']]}")
    log(f"  wrote {path} ({os.path.getsize(path)} bytes)")
    check(os.path.getsize(path) < 400 * 1024, "file too large")
    return path


def try_case(cfg, p0, batch):
    params = [p0]
    grads, reports, lrs, raw_pad = [], [], [], []
    min_abs = math.inf
    min_abs0 = math.inf
    state = dict(m={k: torch.zeros_like(v) for k, v in p0.items()},
                 v={k: torch.zeros_like(v) for k, v in p0.items()})
    rec0 = None
    g_raw0 = None
    for s in range(cfg["n_steps"] + 1):
        p = params[-1]
        rec = {}
        g, info, out = gradients(p, batch, cfg, rec=rec)
        z, z_adv, aux, L, leaf = out
        reports.append(L["report"].item())
        if cfg["asa"]:
            m = min(a.detach().abs().min().item() for a in aux["A"])
            min_abs = min(min_abs, m)
            if s == 0:
                min_abs0 = m
        if s == 0:
            rec0 = dict(out=out, rec=rec)
            g_raw0 = {k: v.clone() for k, v in g.items()}
            for wname, row in info["raw_pad_rows"].items():
                g_raw0[wname][pad_id(cfg)] = row
        raw_pad.append(info["raw_pad"])
        if s == cfg["n_steps"]:
            break
        lr_t = lr_at(cfg, s)
        lrs.append(lr_t)
        grads.append(g)
        params.append(adamw_update(p, g, state, s + 1, lr_t, cfg))
    ok = (not cfg["asa"]) or min_abs > MIN_ABS_A
    return ok, dict(params=params, grads=grads, reports=reports, lrs=lrs, min_abs_A=min_abs,
                    min_abs_A0=min_abs0, rec0=rec0, g_raw0=g_raw0, raw_pad=raw_pad)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "asa_ref"))
    ap.add_argument("--cases", default="", help="comma-separated case names (default: all)")
    args = ap.parse_args()
    want = set(filter(None, args.cases.split(",")))
    os.makedirs(args.out, exist_ok=True)
    torch.manual_seed(0)
    log = lambda s: print(s, flush=True)
    log(f"gen_asa_ref.py: torch {torch.__version__}, numpy {np.__version__}")
    try:
        for case in CASES:
            if not want or case["name"] in want:
                run_case(case, args.out, log)
    except CheckFailed as e:
        print(f"SELF-CHECK FAILED: {e}", file=sys.stderr)
        sys.exit(1)
    log("all self-checks passed")


if __name__ == "__main__":
    main()
