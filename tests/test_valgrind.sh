#!/usr/bin/env bash
# test_valgrind.sh -- memcheck over a short `asacl train` (the built-in task,
# two steps, a checkpoint) and `asacl predict` from its model: any invalid
# read or write, use of uninitialised memory in asacl, or definite leak fails
# (--error-exitcode=1). Suppressions (tests/valgrind.supp) cover the OpenCL
# driver stack only, each with its reason. Skipped (77) without valgrind.
set -u
asacl=${1:?usage: test_valgrind.sh path/to/asacl source-dir}
src=${2:?usage: test_valgrind.sh path/to/asacl source-dir}
command -v valgrind >/dev/null || { echo "SKIP: valgrind is not installed"; exit 77; }
if ! "$asacl" devices >/dev/null 2>&1; then
  if [ "${ASACL_REQUIRE_DEVICE:-0}" = 1 ]; then echo "FAIL: no OpenCL device"; exit 1; fi
  echo "SKIP: no OpenCL device"; exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# Warm the kernel caches first, so memcheck does not run LLVM compiling
# every kernel (hours); the runs below then load binaries. The warm-up runs
# under valgrind too, without a tool (a few times native speed): valgrind's
# CPU has no AVX-512, so on an AVX-512 machine PoCL compiles for another
# target (haswell) under valgrind than outside it, and a cache warmed outside
# would miss.
warm=(valgrind --tool=none --vex-guest-max-insns=20)
"${warm[@]}" "$asacl" train --train-size 16 --dev-size 16 --batch-size 8 --epochs 1 --max-steps 2 \
  --out "$tmp/warm" >"$tmp/warm.log" 2>&1 || { tail -20 "$tmp/warm.log"; echo "FAIL: the warm-up run"; exit 1; }
# predict runs one example at a time: PoCL specialises kernels for those
# work sizes too, so warm them as well.
printf 'a fine film\n' | "${warm[@]}" "$asacl" predict --model "$tmp/warm/best" >"$tmp/warm.log" 2>&1 \
  || { tail -20 "$tmp/warm.log"; echo "FAIL: the warm-up predict"; exit 1; }

# --vex-guest-max-insns: PoCL's compiled kernels (long unrolled loops) made
# VEX run out of temporary storage translating them at the default of 50.
vg=(valgrind --error-exitcode=1 --leak-check=full --show-leak-kinds=definite --vex-guest-max-insns=20
    --errors-for-leak-kinds=definite --num-callers=40
    --suppressions="$src/tests/valgrind.supp")
fail=0
# On a failure: valgrind's own reports first (the program's output is long).
report() {
  grep -E -A25 'Invalid (read|write|free)|uninitialised|definitely lost in|impossible|VALGRIND INTERNAL|Process terminating' "$1" | head -120
  echo "..."; tail -15 "$1"
}
if "${vg[@]}" "$asacl" train --train-size 16 --dev-size 16 --batch-size 8 --epochs 1 --max-steps 2 \
     --out "$tmp/run" >"$tmp/train.log" 2>&1; then
  echo "ok   memcheck: asacl train ($(grep -o 'ERROR SUMMARY: [0-9]* errors' "$tmp/train.log"))"
else
  echo "FAIL memcheck: asacl train"; report "$tmp/train.log"; fail=1
fi
printf 'a b c\nthe d e\n' > "$tmp/texts"
if "${vg[@]}" "$asacl" predict --model "$tmp/warm/best" "$tmp/texts" >"$tmp/predict.log" 2>&1; then
  echo "ok   memcheck: asacl predict ($(grep -o 'ERROR SUMMARY: [0-9]* errors' "$tmp/predict.log"))"
else
  echo "FAIL memcheck: asacl predict"; report "$tmp/predict.log"; fail=1
fi
exit $fail
