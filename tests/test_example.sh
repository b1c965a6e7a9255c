#!/usr/bin/env bash
# test_example.sh -- examples/finetune (a program on the public header only)
# fine-tunes a transformers BERT folder on a GLUE TSV file; its saved folder
# must load in `asacl eval`, which must report the accuracy the program saw.
set -u
finetune=${1:?usage: test_example.sh finetune asacl source-dir}
asacl=${2:?}
src=${3:?}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if ! "$asacl" devices >/dev/null 2>&1; then
  if [ "${ASACL_REQUIRE_DEVICE:-0}" = 1 ]; then echo "FAIL: no OpenCL device"; exit 1; fi
  echo "SKIP: no OpenCL device"; exit 77
fi
fail=0
"$finetune" "$src/tests/data/hf/cls_f32" "$src/tests/data/glue/sst2_train.tsv" "$tmp/out" 3 >"$tmp/log" 2>&1 \
  || { echo "FAIL finetune: $(cat "$tmp/log")"; exit 1; }
cat "$tmp/log"
[ "$(grep -c '^step ' "$tmp/log")" = 3 ] || { echo "FAIL: expected 3 steps"; fail=1; }
grep -q 'kept units' "$tmp/log" || { echo "FAIL: no ASA statistics"; fail=1; }
for f in config.json model.safetensors vocab.txt; do [ -s "$tmp/out/$f" ] || { echo "FAIL: no $f"; fail=1; }; done
want=$(grep -o 'accuracy [0-9.]*' "$tmp/log" | grep -o '[0-9.]*$')
"$asacl" eval --model "$tmp/out" --data "$src/tests/data/glue/sst2_train.tsv" >"$tmp/eval" 2>&1 \
  || { echo "FAIL eval: $(cat "$tmp/eval")"; fail=1; }
got=$(grep -o 'accuracy [0-9.]*' "$tmp/eval" | grep -o '[0-9.]*$')
[ -n "$want" ] && [ "$want" = "$got" ] && echo "ok   eval of the saved folder: accuracy $got" \
  || { echo "FAIL: program accuracy '$want', eval '$got'"; fail=1; }
exit $fail
