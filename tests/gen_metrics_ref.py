#!/usr/bin/env python3
"""Expected token-classification metrics for tests/test_metrics_token.c.

Random gold/predicted label sequences (fixed seed) over several label sets,
scored by sklearn (token-level micro F1 with labels=range(first, C), the
reference's metric in run_tok_clas.py) and by seqeval's default mode
(entity-level precision/recall/F1). Positions with gold -100 are dropped from
both sequences first, as the reference does. Writes
tests/data/tasks/metrics_expected.json.

    python3 -m venv /tmp/venv && /tmp/venv/bin/pip install scikit-learn seqeval
    /tmp/venv/bin/python tests/gen_metrics_ref.py
"""
import json
import os
import random
import warnings

import sklearn.metrics as mtc
import seqeval.metrics as sq

warnings.filterwarnings("ignore")
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "tasks", "metrics_expected.json")

LABEL_SETS = {
    "conll": ["O", "B-MISC", "I-MISC", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC"],
    "wnut": ["O", "B-corporation", "B-creative-work", "B-group", "B-location", "B-person",
             "B-product", "I-corporation", "I-creative-work", "I-group", "I-location", "I-person",
             "I-product"],
    "bioes": ["O", "B-PER", "I-PER", "E-PER", "S-PER", "B-LOC", "I-LOC", "E-LOC", "S-LOC"],
    "pos": ["NN", "VB", "DT", "JJ", ".", "IN", "PRP$", "-LRB-"],
    "bare": ["O", "B", "I"],
}


def make_case(rng, name, labels, n_sent, p_noise, p_ignore, first_label, all_o=False):
    C = len(labels)
    gold, pred, lengths = [], [], []
    for _ in range(n_sent):
        n = rng.randint(1, 12)
        g = [0 if all_o else rng.randrange(C) for _ in range(n)]
        if not all_o:       # make most sequences BIO-like: I-x mostly after B-x or I-x
            for i in range(n):
                nm = labels[g[i]]
                if nm.startswith("I-") and rng.random() < 0.7 and i > 0:
                    g[i - 1] = labels.index("B-" + nm[2:]) if rng.random() < 0.6 else g[i]
        p = [x if rng.random() > p_noise else rng.randrange(C) for x in g]
        if all_o:
            p = [0] * n
        for i in range(n):
            if rng.random() < p_ignore:
                g[i] = -100
        if rng.random() < 0.2:
            p[rng.randrange(n)] = C  # an out-of-range prediction: no class / "O"
        gold += g
        pred += p
        lengths.append(n)
    keep = [i for i, x in enumerate(gold) if x != -100]
    yg = [gold[i] for i in keep]
    yp = [pred[i] for i in keep]
    lab = list(range(first_label, C))
    P, R, F, _ = mtc.precision_recall_fscore_support(yg, yp, labels=lab, average="micro",
                                                     zero_division=0)
    f1_ref = mtc.f1_score(yg, yp, labels=lab, average="micro")   # the reference's call
    assert abs(f1_ref - F) < 1e-15
    # seqeval on per-sentence lists of names, dropped positions removed
    tg, tp_, off = [], [], 0
    for n in lengths:
        idx = [i for i in range(off, off + n) if gold[i] != -100]
        tg.append([labels[gold[i]] for i in idx])
        tp_.append([labels[pred[i]] if pred[i] < C else "O" for i in idx])
        off += n
    eP, eR, eF = sq.precision_score(tg, tp_), sq.recall_score(tg, tp_), sq.f1_score(tg, tp_)
    return dict(name=name, labels=labels, first_label=first_label, lengths=lengths, gold=gold,
                pred=pred, token=dict(precision=P, recall=R, f1=F),
                entity=dict(precision=eP, recall=eR, f1=eF))


def main():
    rng = random.Random(20240611)
    cases = []
    for name in ("conll", "wnut", "bioes"):
        for noise in (0.1, 0.4):
            cases.append(make_case(rng, f"{name} noise {noise}", LABEL_SETS[name], 25, noise, 0.2, 1))
    cases.append(make_case(rng, "conll all classes", LABEL_SETS["conll"], 25, 0.3, 0.1, 0))
    cases.append(make_case(rng, "pos all classes", LABEL_SETS["pos"], 25, 0.3, 0.1, 0))
    cases.append(make_case(rng, "pos without class 0", LABEL_SETS["pos"], 25, 0.3, 0.0, 1))
    cases.append(make_case(rng, "bare B/I", LABEL_SETS["bare"], 25, 0.3, 0.1, 1))
    cases.append(make_case(rng, "all O", LABEL_SETS["conll"], 5, 0.0, 0.1, 1, all_o=True))
    # hand-written seqeval edge cases: I- without B-, type switch inside a run, E/S tags
    hand = [
        ("conll", [[4, 4, 0, 8, 2, 2, 1, 2, 3]], [[4, 4, 0, 8, 2, 1, 1, 2, 4]]),
        ("bioes", [[1, 2, 3, 4, 0, 5, 7, 8, 8]], [[1, 3, 3, 4, 0, 6, 7, 8, 0]]),
    ]
    for k, (ls, g, p) in enumerate(hand):
        labels = LABEL_SETS[ls]
        gold = sum(g, [])
        pred = sum(p, [])
        lengths = [len(x) for x in g]
        lab = list(range(1, len(labels)))
        P, R, F, _ = mtc.precision_recall_fscore_support(gold, pred, labels=lab, average="micro",
                                                         zero_division=0)
        tg = [[labels[i] for i in x] for x in g]
        tp_ = [[labels[i] for i in x] for x in p]
        cases.append(dict(name=f"hand {k}", labels=labels, first_label=1, lengths=lengths,
                          gold=gold, pred=pred, token=dict(precision=P, recall=R, f1=F),
                          entity=dict(precision=sq.precision_score(tg, tp_),
                                      recall=sq.recall_score(tg, tp_), f1=sq.f1_score(tg, tp_))))
    with open(OUT, "w", encoding="utf-8") as f:
        json.dump(cases, f)
        f.write("\n")
    for c in cases:
        print(f"{c['name']:24s} token F1 {c['token']['f1']:.6f}  entity F1 {c['entity']['f1']:.6f}")


if __name__ == "__main__":
    main()
