#!/usr/bin/env bash
# test_train_cli.sh -- asacl train / eval / predict end to end on the device:
# the built-in task with ASA and without, metrics.jsonl and summary contents,
# eval reproducing train's dev accuracy, predict's output, --resume giving
# bit-identical results to an uninterrupted run, fine-tuning a folder saved
# by Hugging Face transformers on GLUE-format files, and usage errors.
set -u
asacl=${1:?usage: test_train_cli.sh path/to/asacl source-dir}
src=${2:?usage: test_train_cli.sh path/to/asacl source-dir}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
ok() { echo "ok   $*"; }
bad() { echo "FAIL $*"; fail=1; }

if ! "$asacl" devices >/dev/null 2>&1; then
  if [ "${ASACL_REQUIRE_DEVICE:-0}" = 1 ]; then echo "FAIL: no OpenCL device"; exit 1; fi
  echo "SKIP: no OpenCL device"; exit 77
fi

small=(--epochs 1 --train-size 192 --dev-size 64 --batch-size 32 --log-every 2)

# 1. The built-in task with ASA.
if "$asacl" train "${small[@]}" --out "$tmp/run" >"$tmp/out" 2>"$tmp/err"; then ok "train (built-in, ASA)"; else bad "train"; cat "$tmp/out" "$tmp/err"; fi
for f in metrics.jsonl summary.json vocab.txt best/config.json best/model.safetensors best/vocab.txt \
         checkpoint/trainer_state.safetensors checkpoint/model.safetensors; do
  [ -s "$tmp/run/$f" ] || bad "train wrote no $f"
done
line=$(grep '"step": 6' "$tmp/run/metrics.jsonl" | head -1)
for key in task vloss rloss total lr masked_fraction; do
  echo "$line" | grep -q "\"$key\"" || bad "metrics line lacks $key: $line"
done
grep -q '"eval": "dev-shift"' "$tmp/run/metrics.jsonl" || bad "no dev-shift evaluation in metrics.jsonl"
grep -q 'dev-shift' "$tmp/out" && ok "summary names both dev splits" || bad "summary lacks dev-shift"

# 2. eval reproduces the final dev accuracy of train.
acc_train=$(grep '"dev_accuracy_final"' "$tmp/run/summary.json" | grep -o '[0-9.]*' | tail -1)
"$asacl" eval --model "$tmp/run/best" --data builtin:dev --size 64 >"$tmp/eval" 2>&1 || bad "eval failed: $(cat "$tmp/eval")"
acc_eval=$(grep -o 'accuracy [0-9.]*' "$tmp/eval" | grep -o '[0-9.]*$')
awk -v a="$acc_train" -v b="$acc_eval" 'BEGIN { exit !(a != "" && b != "" && (a - b < 1e-4 && b - a < 1e-4)) }' \
  && ok "eval accuracy $acc_eval = train's dev accuracy $acc_train" || bad "eval accuracy $acc_eval vs train $acc_train"

# 3. predict: a header, one line per input, probabilities summing to 1.
printf 'the movie was great\nthe plot was not good by kubrick\n' | "$asacl" predict --model "$tmp/run/best" >"$tmp/pred" 2>&1 \
  || bad "predict failed: $(cat "$tmp/pred")"
[ "$(wc -l <"$tmp/pred")" = 3 ] && head -1 "$tmp/pred" | grep -q $'^label\tp_negative\tp_positive$' \
  && ok "predict output shape" || { bad "predict output"; cat "$tmp/pred"; }
awk -F'\t' 'NR > 1 { if (($1 != "negative" && $1 != "positive") || ($2 + $3 < 0.9999 || $2 + $3 > 1.0001)) bad = 1 }
            END { exit bad }' "$tmp/pred" && ok "predict labels and probabilities" || bad "predict values: $(cat "$tmp/pred")"

# 4. --resume: stop after 4 steps, resume, compare with an uninterrupted run
#    (step lines only: the interrupted run also evaluates where it stopped).
two=(--epochs 2 --train-size 192 --dev-size 64 --batch-size 32 --log-every 1 --save-every 2)
"$asacl" train "${two[@]}" --out "$tmp/A" >/dev/null 2>&1 || bad "uninterrupted run"
"$asacl" train "${two[@]}" --out "$tmp/B" --max-steps 4 >/dev/null 2>&1 || bad "interrupted run"
"$asacl" train --resume "$tmp/B/checkpoint" >/dev/null 2>&1 || bad "resumed run"
cmp -s "$tmp/A/checkpoint/model.safetensors" "$tmp/B/checkpoint/model.safetensors" \
  && ok "resume: final parameters bit-identical" || bad "resume: parameters differ"
strip() { grep '^{"step"' "$1" | sed 's/"tokens_per_second": [0-9.]*, //'; }
if diff <(strip "$tmp/A/metrics.jsonl") <(strip "$tmp/B/metrics.jsonl") >/dev/null; then
  ok "resume: every step's losses identical"
else
  bad "resume: losses differ"; diff <(strip "$tmp/A/metrics.jsonl") <(strip "$tmp/B/metrics.jsonl") | head -5
fi

# 5. --no-asa: vloss and rloss stay 0.
"$asacl" train "${small[@]}" --no-asa --out "$tmp/plain" >/dev/null 2>&1 || bad "train --no-asa"
grep '^{"step"' "$tmp/plain/metrics.jsonl" | grep -v '"vloss": 0.000000, "rloss": 0.0000' | grep -q . \
  && bad "--no-asa logged ASA terms" || ok "--no-asa: no ASA terms"

# 6. Fine-tune a folder saved by transformers on GLUE-format SST-2 files.
"$asacl" train --model "$src/tests/data/hf/cls_f32" --train "$src/tests/data/glue/sst2_train.tsv" \
  --dev "$src/tests/data/glue/sst2_train.tsv" --task sst2 --epochs 2 --batch-size 2 --max-seq-len 32 \
  --out "$tmp/glue" >"$tmp/gout" 2>&1 && grep -q "fresh" "$tmp/gout" && [ -s "$tmp/glue/best/model.safetensors" ] \
  && ok "fine-tune a transformers folder on SST-2 files (new 2-label classifier)" || { bad "GLUE fine-tuning"; cat "$tmp/gout"; }

# 7. Usage and input errors.
expect_rc() { # code message command...
  local code=$1 msg=$2; shift 2
  "$@" >"$tmp/o" 2>&1; local rc=$?
  [ $rc = "$code" ] && grep -qi -- "$msg" "$tmp/o" && ok "error: $*" || { bad "$* -> rc $rc (want $code)"; cat "$tmp/o"; }
}
expect_rc 2 "expected a number" "$asacl" train --lr abc
expect_rc 2 "replace or additive" "$asacl" train --asa-mask-mode foo
expect_rc 2 "needs --model" "$asacl" train --train x.tsv
expect_rc 1 "nonexistent" "$asacl" train --model "$src/tests/data/hf/cls_f32" --train /nonexistent.tsv
expect_rc 1 "bad_unknown_label.tsv:" "$asacl" train --model "$src/tests/data/hf/cls_f32" --train "$src/tests/data/glue/bad_unknown_label.tsv"
expect_rc 2 "required" "$asacl" eval
expect_rc 1 "/nonexistent/" "$asacl" predict --model /nonexistent
expect_rc 1 "not written by asacl train\|trainer_state" "$asacl" train --resume "$tmp/run/best"
for c in train eval predict bench; do
  "$asacl" $c --help | grep -q "usage: asacl $c" && ok "$c --help" || bad "$c --help"
done
exit $fail
