#!/usr/bin/env python3
"""summarise.py OUT -- the tables of run.sh's experiment (standard library).

Held-out MLM loss of the pre-training runs at every evaluation (mean over
seeds, and each seed), their tokens/s, and the fine-tuned dev accuracy of
every (pre-training, fine-tuning) pair: mean, spread and each seed."""
import glob, json, os, statistics, sys

out = sys.argv[1]

def lines(path):
    with open(path) as f:
        return [json.loads(l) for l in f if l.strip()]

def seeds_of(prefix):
    return sorted(int(p.rsplit("-", 1)[1]) for p in glob.glob(f"{out}/{prefix}-*"))

curves, speed = {}, {}
for pt in ("asa", "plain"):
    for seed in seeds_of(f"pt-{pt}"):
        rows = lines(f"{out}/pt-{pt}-{seed}/metrics.jsonl")
        curves[pt, seed] = {r["step"]: r["valid_loss"] for r in rows if "valid_loss" in r}
        tps = [r["tokens_per_second"] for r in rows if "tokens_per_second" in r]
        speed[pt, seed] = statistics.median(tps) if tps else float("nan")

steps = sorted({s for c in curves.values() for s in c})
seeds = sorted({s for _, s in curves})
print("held-out MLM loss (cross-entropy at the masked positions)\n")
print("| step | ASA (mean) | plain (mean) | ASA - plain | " +
      " | ".join(f"ASA s{s} | plain s{s}" for s in seeds) + " |")
print("|---" * (4 + 2 * len(seeds)) + "|")
for st in steps:
    a = [curves[("asa", s)].get(st) for s in seeds if ("asa", s) in curves]
    p = [curves[("plain", s)].get(st) for s in seeds if ("plain", s) in curves]
    a, p = [x for x in a if x is not None], [x for x in p if x is not None]
    if not a or not p:
        continue
    ma, mp = statistics.mean(a), statistics.mean(p)
    cells = []
    for s in seeds:
        for pt in ("asa", "plain"):
            v = curves.get((pt, s), {}).get(st)
            cells.append(f"{v:.3f}" if v is not None else "-")
    print(f"| {st} | {ma:.3f} | {mp:.3f} | {ma - mp:+.3f} | " + " | ".join(cells) + " |")
print()
for pt in ("asa", "plain"):
    v = [speed[pt, s] for s in seeds if (pt, s) in speed]
    if v:
        print(f"pre-training {pt}: median tokens/s per run " + ", ".join(f"{x:.0f}" for x in v))

print("\nfine-tuned dev accuracy (part of speech from the definition, 3 classes)\n")
print("| pre-trained | fine-tuned | mean | sd | per seed |")
print("|---|---|---|---|---|")
for pt in ("asa", "plain"):
    for ft in ("asa", "plain"):
        accs = []
        for path in sorted(glob.glob(f"{out}/ft-{pt}-{ft}-*/summary.json")):
            j = json.load(open(path))
            key = next((k for k in j if k.endswith("accuracy_final")), None)
            if key:
                accs.append((int(path.split("-")[-1].split("/")[0]), j[key]))
        if accs:
            v = [a for _, a in sorted(accs)]
            sd = statistics.stdev(v) if len(v) > 1 else 0.0
            print(f"| {pt} | {ft} | {statistics.mean(v):.4f} | {sd:.4f} | " +
                  ", ".join(f"{a:.4f}" for a in v) + " |")
