#!/usr/bin/env bash
# test_pretrain_cli.sh -- asacl pretrain end to end on the device, on a tiny
# committed text (tests/data/pretrain/tiny.txt, its vocab.txt): from scratch
# with ASA and without, metrics.jsonl's MLM fields and held-out evaluation,
# the BertForMaskedLM folders (no decoder tensor: tied), --resume giving a
# bit-identical checkpoint to an uninterrupted run, --grad-accum 2 giving one
# batch's held-out loss, fine-tuning the result
# with asacl train (pooler and classifier fresh, and said so), asacl eval --mlm
# reproducing the held-out evaluation, usage errors.
set -u
asacl=${1:?usage: test_pretrain_cli.sh path/to/asacl source-dir}
src=${2:?usage: test_pretrain_cli.sh path/to/asacl source-dir}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
ok() { echo "ok   $*"; }
bad() { echo "FAIL $*"; fail=1; }

if ! "$asacl" devices >/dev/null 2>&1; then
  if [ "${ASACL_REQUIRE_DEVICE:-0}" = 1 ]; then echo "FAIL: no OpenCL device"; exit 1; fi
  echo "SKIP: no OpenCL device"; exit 77
fi

d="$src/tests/data/pretrain"
base=(--config tiny --vocab "$d/vocab.txt" --text "$d/tiny.txt" --max-seq-len 32 --batch-size 4
      --steps 6 --lr 1e-3 --log-every 2 --valid-fraction 0.25)

# 1. From scratch with ASA: the run's files and metrics.
if "$asacl" pretrain "${base[@]}" --eval-every 3 --out "$tmp/a" >"$tmp/out" 2>"$tmp/err"; then
  ok "pretrain (ASA)"; else bad "pretrain (ASA)"; cat "$tmp/out" "$tmp/err"; fi
for f in metrics.jsonl best/config.json best/model.safetensors best/vocab.txt checkpoint/config.json \
         checkpoint/model.safetensors checkpoint/trainer_state.safetensors; do
  [ -s "$tmp/a/$f" ] || bad "pretrain wrote no $f"
done
line=$(grep '"step": 4, "loss"' "$tmp/a/metrics.jsonl" | head -1)
for key in mlm vloss rloss mlm_accuracy lr tokens_per_second masked_fraction; do
  echo "$line" | grep -q "\"$key\"" || bad "metrics line lacks $key: $line"
done
[ "$(grep -c '"valid_loss"' "$tmp/a/metrics.jsonl")" = 2 ] && ok "two held-out evaluations (step 3, end)" \
  || bad "held-out evaluations: $(grep valid_loss "$tmp/a/metrics.jsonl")"
grep -q '"valid_pseudo_perplexity"' "$tmp/a/metrics.jsonl" || bad "no pseudo-perplexity"
echo "$line" | grep -q '"vloss": 0.000000,' && bad "ASA run with vloss 0: $line"
grep -q '"BertForMaskedLM"' "$tmp/a/best/config.json" && ok "best/ is a BertForMaskedLM folder" \
  || bad "best/config.json: $(grep -A1 architectures "$tmp/a/best/config.json")"
head -c 20000 "$tmp/a/best/model.safetensors" | grep -q 'cls.predictions.transform.LayerNorm.weight' \
  || bad "best/model.safetensors lacks the MLM head"
head -c 20000 "$tmp/a/best/model.safetensors" | grep -q 'cls.predictions.decoder' \
  && bad "a separate decoder tensor (the decoder is the word embeddings)"
head -c 20000 "$tmp/a/best/model.safetensors" | grep -q 'adversary' && bad "adversaries in best/"

# 2. Without ASA, with a validation file: vloss and rloss 0.
if "$asacl" pretrain "${base[@]}" --no-asa --valid "$d/tiny.txt" --out "$tmp/p" >"$tmp/out" 2>"$tmp/err"; then
  ok "pretrain (--no-asa, --valid)"; else bad "pretrain --no-asa"; cat "$tmp/out" "$tmp/err"; fi
grep '"step": 6, "loss"' "$tmp/p/metrics.jsonl" | grep -q '"vloss": 0.000000, "rloss": 0.0000' \
  || bad "--no-asa metrics: $(grep '"step": 6' "$tmp/p/metrics.jsonl")"
grep -q '"valid_loss"' "$tmp/p/metrics.jsonl" || bad "--no-asa: no held-out evaluation"

# 3. --resume: 3 steps, then the rest from the checkpoint = 6 steps at once.
# Both runs write to the same --out (the trainer state keeps the run's
# settings, --out among them), one after the other.
"$asacl" pretrain "${base[@]}" --out "$tmp/run" >/dev/null 2>"$tmp/err" || { bad "pretrain (6 steps)"; cat "$tmp/err"; }
mv "$tmp/run" "$tmp/full"
"$asacl" pretrain "${base[@]}" --max-steps 3 --out "$tmp/run" >/dev/null 2>"$tmp/err" || { bad "pretrain (3 steps)"; cat "$tmp/err"; }
# --resume goes on writing into the run's own folder
if "$asacl" pretrain --resume "$tmp/run/checkpoint" >"$tmp/out" 2>"$tmp/err"; then
  ok "pretrain --resume"; else bad "pretrain --resume"; cat "$tmp/out" "$tmp/err"; fi
mv "$tmp/run" "$tmp/half"
for f in model.safetensors trainer_state.safetensors; do
  if cmp -s "$tmp/full/checkpoint/$f" "$tmp/half/checkpoint/$f"; then ok "resumed $f bit-identical"
  else bad "resumed $f differs from the uninterrupted run's"; fi
done
a=$(grep '"step": 6, "valid_loss"' "$tmp/full/metrics.jsonl"); b=$(grep '"step": 6, "valid_loss"' "$tmp/half/metrics.jsonl")
[ -n "$a" ] && [ "$a" = "$b" ] && ok "resumed held-out loss identical" || bad "held-out loss: '$a' vs '$b'"

# 3b. --grad-accum 2: each step as two micro-batches, the same objective (the
# MLM mean over the step's positions): the uninterrupted run's held-out loss
# after 6 steps to float32 summation order (test_grad_accum bounds it).
if "$asacl" pretrain "${base[@]}" --grad-accum 2 --out "$tmp/ga" >/dev/null 2>"$tmp/err"; then
  ok "pretrain --grad-accum 2"; else bad "pretrain --grad-accum 2"; cat "$tmp/err"; fi
a=$(grep '"step": 6, "valid_loss"' "$tmp/full/metrics.jsonl" | grep -o '"valid_loss": [0-9.]*' | grep -o '[0-9.]*$')
b=$(grep '"step": 6, "valid_loss"' "$tmp/ga/metrics.jsonl" | grep -o '"valid_loss": [0-9.]*' | grep -o '[0-9.]*$')
awk -v a="$a" -v b="$b" 'BEGIN { exit !(a != "" && b != "" && a - b < 1e-4 && b - a < 1e-4) }' \
  && ok "--grad-accum 2 held-out loss $b = one batch's $a" || bad "--grad-accum 2 held-out loss '$b' vs '$a'"

# 4. Fine-tuning the pre-trained folder: pooler and classifier fresh, reported.
if "$asacl" train --model "$tmp/a/best" --train "$d/sst2_tiny.tsv" --dev "$d/sst2_tiny.tsv" --task sst2 \
     --epochs 1 --batch-size 4 --max-seq-len 32 --lr 1e-3 --out "$tmp/ft" >"$tmp/out" 2>"$tmp/err"; then
  ok "train --model (the pre-trained folder)"; else bad "train --model"; cat "$tmp/out" "$tmp/err"; fi
grep 'freshly initialised' "$tmp/err" | grep -q 'bert.pooler.dense.weight' \
  && grep 'freshly initialised' "$tmp/err" | grep -q 'classifier.weight' \
  && ok "fine-tuning reports the fresh pooler and classifier" || bad "load report: $(grep loaded "$tmp/err")"

# 5. eval --mlm reproduces the held-out evaluation of run 2 (all of tiny.txt, same seed,
#    batch and length: the same masked positions), and refuses a folder without the MLM head.
if "$asacl" eval --mlm --model "$tmp/p/checkpoint" --data "$d/tiny.txt" --batch-size 4 --max-seq-len 32 \
     >"$tmp/eval" 2>&1; then ok "eval --mlm"; else bad "eval --mlm: $(cat "$tmp/eval")"; fi
want=$(grep '"step": 6, "valid_loss"' "$tmp/p/metrics.jsonl" | grep -o '"valid_loss": [0-9.]*' | grep -o '[0-9.]*$')
got=$(grep -o 'mlm loss [0-9.]*' "$tmp/eval" | grep -o '[0-9.]*$')
awk -v a="$want" -v b="$got" 'BEGIN { exit !(a != "" && b != "" && a - b < 1e-4 && b - a < 1e-4) }' \
  && ok "eval --mlm loss $got = pretrain's held-out loss $want" || bad "eval --mlm loss '$got' vs pretrain's '$want'"
grep -q 'pseudo-perplexity' "$tmp/eval" || bad "eval --mlm prints no pseudo-perplexity"
"$asacl" eval --mlm --model "$tmp/ft/best" --data "$d/tiny.txt" >/dev/null 2>&1 && bad "eval --mlm on a classifier folder"

# 6. Usage errors.
"$asacl" pretrain --config tiny --vocab "$d/vocab.txt" >/dev/null 2>&1; [ $? = 2 ] || bad "no --text: exit 2"
"$asacl" pretrain --text "$d/tiny.txt" >/dev/null 2>&1; [ $? = 2 ] || bad "no model: exit 2"
"$asacl" pretrain --text "$d/tiny.txt" --model "$tmp/a/best" --config tiny >/dev/null 2>&1; [ $? = 2 ] \
  || bad "--model with --config: exit 2"
"$asacl" pretrain --help | grep -q -- '--no-asa' || bad "--help"

[ $fail = 0 ] && echo "test_pretrain_cli: all passed"
exit $fail
