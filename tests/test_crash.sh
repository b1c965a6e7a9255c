#!/usr/bin/env bash
# test_crash.sh ASACL [pretrain SOURCE_DIR | mpi MPIEXEC] -- crash safety of
# checkpoints: `asacl train` on the built-in task (or `asacl pretrain` on the
# committed tiny text, tests/data/pretrain; or `asacl train` under mpirun with
# two ranks sharing the device, one of them killed) with a checkpoint after
# every step is killed with SIGKILL at random moments and resumed from its
# checkpoint each time until it finishes; the final model (and the best model)
# must be bit-identical to those of an uninterrupted run, and every checkpoint
# found after a kill must resume.
# The moments are drawn from ASACL_CRASH_SEED (printed; set it to replay a
# failure). Bounded: at most $ASACL_CRASH_KILLS kills (default 8), and no new
# kill once $ASACL_CRASH_BUDGET seconds (default 60) have passed; then the last
# run finishes on its own.
set -u
asacl=${1:?usage: test_crash.sh path/to/asacl [pretrain source-dir | mpi mpiexec]}
mode=${2:-train}
launch=()  # the command's prefix; with mpi, the ranks share device 0
dev=()
if [ "$mode" = mpi ]; then
  export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
  launch=("${3:?usage: test_crash.sh path/to/asacl mpi mpiexec}" -np 2 --oversubscribe)
  dev=(--device 0,0)
  mode=train
  mpi=1
else
  mpi=0
fi
kills=${ASACL_CRASH_KILLS:-8}
budget=${ASACL_CRASH_BUDGET:-60}
seed=${ASACL_CRASH_SEED:-$(( $(date +%s) % 32768 ))}
RANDOM=$seed
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if ! "$asacl" devices >/dev/null 2>&1; then
  if [ "${ASACL_REQUIRE_DEVICE:-0}" = 1 ]; then echo "FAIL: no OpenCL device"; exit 1; fi
  echo "SKIP: no OpenCL device"; exit 77
fi

if [ "$mode" = pretrain ]; then
  d=${3:?usage: test_crash.sh path/to/asacl pretrain source-dir}/tests/data/pretrain
  args=(--config tiny --vocab "$d/vocab.txt" --text "$d/tiny.txt" --max-seq-len 32 --batch-size 4
        --steps 40 --lr 1e-3 --valid-fraction 0.25 --save-every 1 --log-every 1 --eval-every 8)
else
  args=(--epochs 2 --train-size 48 --dev-size 32 --batch-size 8 --save-every 1 --log-every 1
        --eval-every 4)
fi
start=$(date +%s)
# The uninterrupted reference, timed in milliseconds (the kill moments span it).
t0=$(date +%s%N)
timeout 400 "${launch[@]}" "$asacl" "$mode" "${args[@]}" "${dev[@]}" --out "$tmp/ref" >"$tmp/ref.log" 2>&1 \
  || { echo "FAIL: the uninterrupted run"; cat "$tmp/ref.log"; exit 1; }
ref_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
steps=$(grep -c '^{"step"' "$tmp/ref/metrics.jsonl")
echo "seed $seed: uninterrupted run $steps steps in $ref_ms ms"

out=$tmp/run
n_kills=0 runs=0 hung=0 resumed_from=() kill_log=()
while :; do
  if [ -f "$out/checkpoint/trainer_state.safetensors" ]; then
    step=$(grep -ao '"step":"[0-9]*"' "$out/checkpoint/trainer_state.safetensors" | head -1 | tr -dc 0-9)
    resumed_from+=("${step:-?}")
    cmd=("${launch[@]}" "$asacl" "$mode" --resume "$out/checkpoint" "${dev[@]}")
  else
    [ -e "$out/checkpoint" ] && { echo "FAIL: $out/checkpoint exists without a trainer state"; ls -la "$out/checkpoint"; exit 1; }
    rm -rf "$out"          # killed before the first checkpoint: start over
    cmd=("${launch[@]}" "$asacl" "$mode" "${args[@]}" "${dev[@]}" --out "$out")
  fi
  runs=$((runs + 1))
  timeout 400 "${cmd[@]}" >"$tmp/run.log" 2>&1 &
  pid=$!
  if [ "$n_kills" -lt "$kills" ] && [ $(( $(date +%s) - start )) -lt "$budget" ]; then
    delay_ms=$(( (RANDOM * 32768 + RANDOM) % (ref_ms + 1) ))
    sleep "$(printf '%d.%03d' $((delay_ms / 1000)) $((delay_ms % 1000)))"
    # timeout's child is the asacl process (with mpi: mpirun, whose children
    # are the ranks: one of them, at random); kill it, not timeout.
    child=$(pgrep -P "$pid" | head -1)
    if [ "$mpi" = 1 ] && [ -n "$child" ]; then
      ranks=()
      for _ in $(seq 50); do  # the ranks may not have started yet
        ranks=($(pgrep -P "$child"))
        [ "${#ranks[@]}" -ge 2 ] && break
        sleep 0.1
      done
      child=${ranks[$((RANDOM % (${#ranks[@]} > 0 ? ${#ranks[@]} : 1)))]:-}
    fi
    killed=0
    if [ -n "$child" ] && kill -0 "$child" 2>/dev/null; then
      kill -9 "$child" 2>/dev/null && n_kills=$((n_kills + 1)) && kill_log+=("${delay_ms}ms") && killed=1
    fi
  fi
  if [ "$mpi" = 1 ] && [ "${killed:-0}" = 1 ]; then
    # Open MPI ends the job once a rank dies. Once (in about a dozen runs of
    # this test) mpiexec printed that it had aborted the job and then did not
    # exit: after 120 s, show what is left (with gdb's backtraces where gdb
    # is installed) and end it, which counts as one more kill.
    for _ in $(seq 240); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    if kill -0 "$pid" 2>/dev/null; then
      hung=$((hung + 1))
      echo "NOTE: run $runs: mpiexec had not exited 120 s after its rank was killed; left:"
      tree=$(pgrep -P "$pid")
      for p in $tree; do tree="$tree $(pgrep -P "$p") $(for q in $(pgrep -P "$p"); do pgrep -P "$q"; done)"; done
      for p in $tree; do
        ps -o pid=,ppid=,stat=,wchan:24=,etime=,args= -p "$p" 2>/dev/null | cut -c1-160
        if command -v gdb >/dev/null; then
          timeout 60 gdb -p "$p" -batch -ex 'thread apply all bt 12' 2>/dev/null | grep -E '^(#|Thread)' | head -60
        fi
      done
      for p in $tree; do kill -9 "$p" 2>/dev/null; done
    fi
  fi
  wait "$pid" 2>/dev/null; rc=$?
  if [ "$rc" = 0 ]; then break; fi
  # mpirun reports a rank killed by a signal with a status of its own
  if [ "$mpi" = 1 ] && [ "${killed:-0}" = 1 ] && [ "$rc" != 124 ]; then continue; fi
  if [ "$rc" != 137 ] && [ "$rc" != 124 ]; then
    echo "FAIL: run $runs (${cmd[*]}) exited $rc after a kill:"; cat "$tmp/run.log"; exit 1
  fi
  [ "$rc" = 124 ] && { echo "FAIL: run $runs timed out"; cat "$tmp/run.log"; exit 1; }
done
echo "$n_kills kills, $runs runs in $(( $(date +%s) - start )) s; resumed from steps: ${resumed_from[*]:-none}; kills at ${kill_log[*]:-none} into a run"
[ "$hung" -gt 0 ] && echo "mpiexec runs ended by the test after a rank's kill: $hung"

fail=0
for f in checkpoint/model.safetensors best/model.safetensors; do
  if cmp -s "$tmp/ref/$f" "$out/$f"; then echo "ok   $f bit-identical"; else echo "FAIL $f differs"; fail=1; fi
done
left=$(ls -d "$out"/*.tmp.* "$out"/*.old.* 2>/dev/null | wc -l)
echo "temporary folders left by kills: $left"
exit $fail
