#!/usr/bin/env bash
# test_mpi.sh MPIEXEC ASACL ST_COMPARE -- data-parallel training on this
# machine: two ranks share the one PoCL device (--device 0,0,
# --oversubscribe), on the built-in task (B = 8, T = 40, 8 steps, ASA,
# dropout 0.1).
#   - N = 2, N = 2 with --grad-accum 2 and N = 1 with --grad-accum 4 give the
#     losses and parameters of N = 1 with the whole batch: every shard draws
#     the dropout masks its examples have in the whole batch, so only the
#     order of the gradient sums differs (the ranks' partial sums added by
#     MPI, the micro-batches' on the device). Losses: 1e-5 relative (a loss is a sum of B rows, each row
#     the same); parameters: 1e-3 of each tensor's largest |value| (8 AdamW
#     steps of lr 1e-3, each moved by at most lr * 2 gamma_n n = lr * 1.2e-2
#     relative for n = B*T = 320 rows, tests/test_grad_accum.c), key biases
#     within 2 lr per step (their gradient is pure rounding noise).
#   - a fixed N is bit-reproducible and resumes bit-identically;
#   - rank 0 alone writes metrics.jsonl and the checkpoint;
#   - a batch that does not divide, and a rank without a device, stop every
#     rank with a message naming what and which;
#   - asacl pretrain (the tiny committed text, B = 4, 6 steps, ASA): N = 2
#     gives N = 1's losses, held-out loss and parameters (the MLM mean over
#     the step's chosen positions, each rank's weighted by its part of them);
#   - --allreduce overlap (the gradient summed bucket by bucket during the
#     backward) gives --allreduce after's bits at N = 2, for train, train
#     with --grad-accum 2 and pretrain: losses, parameters and trainer state
#     (two ranks add the same two values whatever the pieces), and the
#     overlapping runs say (-v) that both ranks overlapped.
set -uo pipefail
MPIEXEC=$1 ASACL=$2 CMP=$3 SRC=${4:-}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
"$ASACL" devices >/dev/null 2>&1 || { [ "${ASACL_REQUIRE_DEVICE:-0}" = 1 ] && exit 1; exit 77; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail=0
bad() { echo "FAIL: $*"; fail=1; }
A=(train --train-size 64 --dev-size 32 --batch-size 8 --epochs 1 --log-every 1 --save-every 4)
mpi() { local n=$1; shift; "$MPIEXEC" -np "$n" --oversubscribe "$ASACL" "$@" --device 0,0; }

losses() { grep '"step"' "$1/metrics.jsonl" | grep -v '"eval"' | sed 's/"tokens_per_second": [0-9.]*, //'; }
# Losses of two runs within 1e-5 relative, line by line.
same_losses() {
  paste -d'\n' <(losses "$1") <(losses "$2") | awk -v what="$3" '
    function field(s, k,   m) { if (match(s, "\"" k "\": [-0-9.e]+")) return substr(s, RSTART + length(k) + 4, RLENGTH - length(k) - 4); return "" }
    NR % 2 == 1 { a = $0; next }
    { split("loss task vloss rloss total", ks, " ")
      for (i in ks) { x = field(a, ks[i]) + 0; y = field($0, ks[i]) + 0; d = x - y; if (d < 0) d = -d
        s = x < 0 ? -x : x; if (d > 1e-5 * s + 1e-6) { print what ": step " NR/2 " " ks[i] " " x " vs " y; bad = 1 }
        if (s > 0 && d / s > worst) worst = d / s } }
    END { printf "%s: largest loss difference %.3g relative\n", what, worst; exit bad }' || bad "$3"
}

echo "== N = 1, the whole batch and --grad-accum 4"
"$ASACL" "${A[@]}" --out "$dir/g1" >"$dir/g1.log" 2>&1 || { cat "$dir/g1.log"; bad "N=1 run"; }
"$ASACL" "${A[@]}" --grad-accum 4 --out "$dir/g4" >"$dir/g4.log" 2>&1 || { cat "$dir/g4.log"; bad "g4 run"; }
echo "== N = 2 (twice), N = 2 with --grad-accum 2"
mpi 2 "${A[@]}" --allreduce after --out "$dir/n2" >"$dir/n2.log" 2>&1 || { cat "$dir/n2.log"; bad "N=2 run"; }
mpi 2 "${A[@]}" --out "$dir/n2b" >"$dir/n2b.log" 2>&1 || { cat "$dir/n2b.log"; bad "N=2 rerun"; }
mpi 2 "${A[@]}" --allreduce after --grad-accum 2 --out "$dir/n2g2" >"$dir/n2g2.log" 2>&1 || { cat "$dir/n2g2.log"; bad "N=2 g2 run"; }
grep -q "rank 1 of 2" "$dir/n2.log" || bad "rank 1 did not report its device"
[ "$(grep -c '"step"' "$dir/n2/metrics.jsonl")" -ge 8 ] || bad "N=2 metrics.jsonl lacks the 8 steps"
grep -q "summary" "$dir/n2.log" && [ "$(grep -c summary "$dir/n2.log")" = 1 ] || bad "the summary should come once (rank 0)"

same_losses "$dir/g1" "$dir/n2" "N=2 vs N=1"
same_losses "$dir/g1" "$dir/n2g2" "N=2 grad-accum 2 vs N=1"
same_losses "$dir/g1" "$dir/g4" "N=1 grad-accum 4 vs N=1"
noise=0.016 # 2 lr per step, 8 steps
"$CMP" "$dir/g1/checkpoint/model.safetensors" "$dir/n2/checkpoint/model.safetensors" 1e-3 $noise || bad "N=2 parameters vs N=1"
"$CMP" "$dir/g1/checkpoint/model.safetensors" "$dir/n2g2/checkpoint/model.safetensors" 1e-3 $noise || bad "N=2 grad-accum 2 parameters vs N=1"
"$CMP" "$dir/g1/checkpoint/model.safetensors" "$dir/g4/checkpoint/model.safetensors" 1e-3 $noise || bad "N=1 grad-accum 4 parameters vs N=1"

echo "== a fixed N is bit-reproducible"
cmp <(losses "$dir/n2") <(losses "$dir/n2b") || bad "N=2 metrics differ between two runs"
# trainer_state's metadata holds the run's settings (its --out): compare tensors, exactly
cmp "$dir/n2/checkpoint/model.safetensors" "$dir/n2b/checkpoint/model.safetensors" || bad "N=2 parameters differ between two runs"
"$CMP" "$dir/n2/checkpoint/trainer_state.safetensors" "$dir/n2b/checkpoint/trainer_state.safetensors" 0 0 || bad "N=2 trainer state differs between two runs"

echo "== N = 2: --allreduce overlap gives --allreduce after's bits"
# overlapped: both ranks say so, and the bits are those of the same split summed after the backward
overlapped() { [ "$(grep -c 'the all-reduce overlaps the backward' "$1")" = 2 ] || { cat "$1"; bad "$2: the ranks did not both overlap"; }; }
same_bits() { # run dir, reference dir, what
  cmp <(losses "$2") <(losses "$1") || bad "$3: metrics differ"
  cmp "$2/checkpoint/model.safetensors" "$1/checkpoint/model.safetensors" || bad "$3: parameters differ"
  "$CMP" "$2/checkpoint/trainer_state.safetensors" "$1/checkpoint/trainer_state.safetensors" 0 0 || bad "$3: trainer state differs"
}
mpi 2 "${A[@]}" --allreduce overlap -v --out "$dir/o2" >"$dir/o2.log" 2>&1 || { cat "$dir/o2.log"; bad "N=2 overlap run"; }
mpi 2 "${A[@]}" --allreduce overlap -v --grad-accum 2 --out "$dir/o2g2" >"$dir/o2g2.log" 2>&1 || { cat "$dir/o2g2.log"; bad "N=2 g2 overlap run"; }
overlapped "$dir/o2.log" "N=2 overlap"
overlapped "$dir/o2g2.log" "N=2 g2 overlap"
grep -q "all-reduce after the backward" "$dir/n2.log" || bad "the N=2 after run does not say so"
same_bits "$dir/o2" "$dir/n2" "N=2 overlap vs after"
same_bits "$dir/o2g2" "$dir/n2g2" "N=2 grad-accum 2 overlap vs after"

echo "== N = 2 resumes bit-identically"
mpi 2 "${A[@]}" --max-steps 4 --out "$dir/r" >"$dir/r1.log" 2>&1 || { cat "$dir/r1.log"; bad "N=2 first half"; }
mpi 2 train --resume "$dir/r/checkpoint" >"$dir/r2.log" 2>&1 || { cat "$dir/r2.log"; bad "N=2 resume"; }
cmp "$dir/n2/checkpoint/model.safetensors" "$dir/r/checkpoint/model.safetensors" || bad "N=2 resumed parameters differ from the uninterrupted run"
"$CMP" "$dir/n2/checkpoint/trainer_state.safetensors" "$dir/r/checkpoint/trainer_state.safetensors" 0 0 || bad "N=2 resumed trainer state differs"
cmp <(losses "$dir/n2") <(losses "$dir/r") || bad "N=2 resumed metrics differ"

if [ -n "$SRC" ]; then
  echo "== asacl pretrain: N = 2 = N = 1"
  d="$SRC/tests/data/pretrain"
  P=(pretrain --config tiny --vocab "$d/vocab.txt" --text "$d/tiny.txt" --max-seq-len 32 --batch-size 4
     --steps 6 --lr 1e-3 --log-every 1 --valid-fraction 0.25)
  "$ASACL" "${P[@]}" --out "$dir/p1" >"$dir/p1.log" 2>&1 || { cat "$dir/p1.log"; bad "pretrain N=1"; }
  mpi 2 "${P[@]}" --allreduce after --out "$dir/p2" >"$dir/p2.log" 2>&1 || { cat "$dir/p2.log"; bad "pretrain N=2"; }
  mpi 2 "${P[@]}" --allreduce overlap -v --out "$dir/p2o" >"$dir/p2o.log" 2>&1 || { cat "$dir/p2o.log"; bad "pretrain N=2 overlap"; }
  overlapped "$dir/p2o.log" "pretrain N=2 overlap"
  same_bits "$dir/p2o" "$dir/p2" "pretrain N=2 overlap vs after"
  cmp <(grep -o '"valid_loss": [0-9.]*' "$dir/p2/metrics.jsonl") <(grep -o '"valid_loss": [0-9.]*' "$dir/p2o/metrics.jsonl") \
    || bad "pretrain N=2 overlap vs after: held-out losses differ"
  grep -q "rank 1 of 2" "$dir/p2.log" || bad "pretrain rank 1 did not report its device"
  [ "$(grep -c '^wrote ' "$dir/p2.log")" = 1 ] || bad "pretrain: rank 0 alone should write (and say so once)"
  same_losses "$dir/p1" "$dir/p2" "pretrain N=2 vs N=1"
  a=$(grep -o '"valid_loss": [0-9.]*' "$dir/p1/metrics.jsonl" | tail -1 | grep -o '[0-9.]*$')
  b=$(grep -o '"valid_loss": [0-9.]*' "$dir/p2/metrics.jsonl" | tail -1 | grep -o '[0-9.]*$')
  awk -v a="$a" -v b="$b" 'BEGIN { exit !(a != "" && b != "" && a - b < 1e-4 && b - a < 1e-4) }' \
    && echo "pretrain held-out loss: N=2 $b, N=1 $a" || bad "pretrain held-out loss N=2 '$b' vs N=1 '$a'"
  "$CMP" "$dir/p1/checkpoint/model.safetensors" "$dir/p2/checkpoint/model.safetensors" 1e-3 0.012 \
    || bad "pretrain N=2 parameters vs N=1"
  mpi 2 "${P[@]}" --batch-size 5 --out "$dir/p3" >"$dir/p3.log" 2>&1 && bad "pretrain batch 5 over 2 ranks accepted"
  grep -q "does not divide into 2 ranks" "$dir/p3.log" || { cat "$dir/p3.log"; bad "pretrain: no message naming what does not divide"; }
fi

echo "== errors"
mpi 2 "${A[@]}" --batch-size 7 --out "$dir/e1" >"$dir/e1.log" 2>&1 && bad "batch 7 over 2 ranks accepted"
grep -q "does not divide into 2 ranks" "$dir/e1.log" || { cat "$dir/e1.log"; bad "no message naming what does not divide"; }
"$MPIEXEC" -np 2 --oversubscribe "$ASACL" "${A[@]}" --device 0,nosuchdevice --out "$dir/e2" >"$dir/e2.log" 2>&1 && bad "a rank without a device ran"
grep -q "rank 1 cannot open its device 'nosuchdevice'" "$dir/e2.log" || { cat "$dir/e2.log"; bad "no message naming the rank without a device"; }
grep -q "rank 1 of 2 failed" "$dir/e2.log" || bad "no message that rank 1 stopped everyone"
exit $fail
