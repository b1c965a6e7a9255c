#!/usr/bin/env bash
# test_task_toys.sh -- token classification and multiple choice end to end on
# the device, through the CLI: the built-in NER and choice toys each trained
# with ASA and without, to a dev metric clearly above chance (asserted with a
# margin, not as exact numbers); metrics.jsonl and summary.json carry the
# task's metrics; asacl eval reproduces train's final dev metric from best/;
# predict prints one label per word (token) and the chosen index with the
# choice probabilities (choice); a CoNLL file and asacl's JSONL train too.
#
# Chance: NER's token F1 leaves out "O", so predicting O everywhere scores 0
# and uniform guessing over the 5 classes about 0.1; the choice toy has 4
# choices (0.25).
set -u
asacl=${1:?usage: test_task_toys.sh path/to/asacl source-dir}
src=${2:?usage: test_task_toys.sh path/to/asacl source-dir}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
ok() { echo "ok   $*"; }
bad() { echo "FAIL $*"; fail=1; }
num() { grep -o "\"$2\": [0-9.e-]*" "$1" | head -1 | grep -o '[0-9.e-]*$'; }
above() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a != "" && a + 0 > b + 0) }'; }
near() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a != "" && b != "" && a - b < 1e-4 && b - a < 1e-4) }'; }

if ! "$asacl" devices >/dev/null 2>&1; then
  if [ "${ASACL_REQUIRE_DEVICE:-0}" = 1 ]; then echo "FAIL: no OpenCL device"; exit 1; fi
  echo "SKIP: no OpenCL device"; exit 77
fi

ner=(--task ner --train-size 600 --dev-size 200 --epochs 2 --batch-size 16 --max-seq-len 24 --log-every 10)
mc=(--task choice --train-size 400 --dev-size 200 --epochs 2 --batch-size 16 --max-seq-len 28 --log-every 10)

for asa in asa no-asa; do
  flag=(); [ $asa = no-asa ] && flag=(--no-asa)
  # 1. NER toy: token F1 (O left out) and entity F1 well above chance.
  out="$tmp/ner-$asa"
  if "$asacl" train "${ner[@]}" "${flag[@]}" --out "$out" >"$out.log" 2>&1; then ok "train --task ner ($asa)"
  else bad "train --task ner ($asa)"; cat "$out.log"; continue; fi
  f1=$(num "$out/summary.json" dev_token_f1_final); ef1=$(num "$out/summary.json" dev_entity_f1_final)
  above "$f1" 0.4 && ok "ner ($asa): dev token F1 $f1 > 0.4 (chance ~0.1)" || bad "ner ($asa): dev token F1 '$f1'"
  above "$ef1" 0.3 && ok "ner ($asa): dev entity F1 $ef1 > 0.3" || bad "ner ($asa): dev entity F1 '$ef1'"
  line=$(grep '"eval": "dev"' "$out/metrics.jsonl" | tail -1)
  for key in token_f1 token_precision token_recall entity_f1 entity_precision entity_recall tokens; do
    echo "$line" | grep -q "\"$key\"" || bad "ner eval line lacks $key: $line"
  done
  ev=$("$asacl" eval --model "$out/best" --data builtin:dev --size 200 2>&1)
  near "$(echo "$ev" | grep -o 'token_f1 [0-9.]*' | grep -o '[0-9.]*$')" "$f1" \
    && ok "ner ($asa): eval reproduces train's token F1" || bad "ner ($asa): eval '$ev' vs $f1"

  # 2. Choice toy: accuracy well above chance (0.25).
  out="$tmp/mc-$asa"
  if "$asacl" train "${mc[@]}" "${flag[@]}" --out "$out" >"$out.log" 2>&1; then ok "train --task choice ($asa)"
  else bad "train --task choice ($asa)"; cat "$out.log"; continue; fi
  acc=$(num "$out/summary.json" dev_accuracy_final)
  above "$acc" 0.5 && ok "choice ($asa): dev accuracy $acc > 0.5 (chance 0.25)" || bad "choice ($asa): dev accuracy '$acc'"
  grep '"step": 10,' "$out/metrics.jsonl" | grep -q '"rloss"' || bad "choice: no step line"
  ev=$("$asacl" eval --model "$out/best" --data builtin:dev --size 200 2>&1)
  near "$(echo "$ev" | grep -o 'accuracy [0-9.]*' | grep -o '[0-9.]*$')" "$acc" \
    && ok "choice ($asa): eval reproduces train's accuracy" || bad "choice ($asa): eval '$ev' vs $acc"
done

# 3. predict: a label per word; a choice index and probabilities summing to 1.
printf 'she talked to alice smith and flew to new york yesterday .\ni moved to rome today .\n' |
  "$asacl" predict --model "$tmp/ner-asa/best" >"$tmp/pred" 2>&1 || bad "predict (ner): $(cat "$tmp/pred")"
awk -F'\t' 'NF == 0 { s++; next } NF != 2 || $2 !~ /^(O|B-PER|I-PER|B-LOC|I-LOC)$/ { bad = 1 } { w++ }
            END { exit !(s == 2 && w == 18 && !bad) }' "$tmp/pred" \
  && ok "predict (ner): one label per word, a blank line per sentence" || { bad "predict (ner)"; cat "$tmp/pred"; }
cat >"$tmp/q.jsonl" <<'J'
{"context": "ann has a red ball , a blue cup and a green kite .", "question": "what color is the cup ?", "choices": ["red", "blue", "green", "pink"]}
{"context": "tom has a black hat and a white box .", "question": "the box is _ .", "choices": ["black", "white", "brown", "red"]}
J
"$asacl" predict --model "$tmp/mc-asa/best" "$tmp/q.jsonl" >"$tmp/pred" 2>&1 || bad "predict (choice): $(cat "$tmp/pred")"
head -1 "$tmp/pred" | grep -q $'^choice\tp_0\tp_1\tp_2\tp_3$' && \
awk -F'\t' 'NR > 1 { n++; if ($1 !~ /^[0-3]$/ || $2 + $3 + $4 + $5 < 0.9999 || $2 + $3 + $4 + $5 > 1.0001) bad = 1 }
            END { exit !(n == 2 && !bad) }' "$tmp/pred" \
  && ok "predict (choice): index and probabilities" || { bad "predict (choice)"; cat "$tmp/pred"; }

# 4. Files: a CoNLL file (fine-tuning the NER toy's model) and asacl's JSONL.
cat >"$tmp/train.conll" <<'C'
-DOCSTART- -X- O O

she O
talked O
to O
alice B-PER
smith I-PER

we O
flew O
to O
rome B-LOC
C
"$asacl" train --task ner --model "$tmp/ner-asa/best" --train "$tmp/train.conll" --dev "$tmp/train.conll" \
  --epochs 1 --batch-size 2 --max-seq-len 16 --out "$tmp/conll" >"$tmp/conll.log" 2>&1 \
  && grep -q '"dev_token_f1_final"' "$tmp/conll/summary.json" && ok "train on a CoNLL file" \
  || { bad "train on a CoNLL file"; cat "$tmp/conll.log"; }
cat >"$tmp/train.jsonl" <<'J'
{"context": "ann has a red ball .", "question": "the ball is _ .", "choices": ["red", "blue", "green", "pink"], "label": 0}
{"context": "tom has a white box .", "question": "what color is the box ?", "choices": ["black", "white", "brown", "red"], "label": 1}
J
"$asacl" train --task choice --model "$tmp/mc-asa/best" --train "$tmp/train.jsonl" --dev "$tmp/train.jsonl" \
  --epochs 1 --batch-size 2 --max-seq-len 28 --out "$tmp/jsonl" >"$tmp/jsonl.log" 2>&1 \
  && grep -q '"dev_accuracy_final"' "$tmp/jsonl/summary.json" && ok "train on asacl's JSONL" \
  || { bad "train on asacl's JSONL"; cat "$tmp/jsonl.log"; }
# A label on the second line only: refused, naming the file and line.
{ head -1 "$tmp/q.jsonl"; tail -1 "$tmp/train.jsonl"; } >"$tmp/part.jsonl"
if "$asacl" train --task choice --model "$tmp/mc-asa/best" --train "$tmp/part.jsonl" --out "$tmp/bad" >"$tmp/bad.log" 2>&1; then
  bad "a JSONL file labelled on some lines only was accepted"
else
  grep -q "part.jsonl:2" "$tmp/bad.log" && ok "partly labelled JSONL refused with file:line" \
    || { bad "partly labelled JSONL: message"; cat "$tmp/bad.log"; }
fi
exit $fail
