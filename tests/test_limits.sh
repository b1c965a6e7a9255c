#!/usr/bin/env bash
# test_limits.sh -- resource exhaustion and bad inputs: each fails with a clear
# message and loses nothing.
#  1. the device cannot hold the run (ASACL_DEVICE_MEMORY below what the trainer
#     allocates): refused at trainer creation, before any step, naming what is
#     needed and what the device allows; the checkpoint being resumed is untouched;
#  2. the disk fills while a checkpoint is written (RLIMIT_FSIZE, SIGXFSZ
#     ignored): the error names the file, the previous checkpoint survives
#     byte for byte and resumes to the uninterrupted run's final model;
#  3. a truncated or unreadable model file: named, with what is wrong;
#  4. a device profile with an unknown key or an out-of-range value;
#  5. a kernel build failure caused by a profile: the build log is shown.
set -u
asacl=${1:?usage: test_limits.sh path/to/asacl source-dir}
src=${2:?usage: test_limits.sh path/to/asacl source-dir}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
ok() { echo "ok   $*"; }
bad() { echo "FAIL $*"; fail=1; }
# expect RC NEEDLE... -- CMD: exit status RC and every NEEDLE in its stderr.
expect() {
  local rc=$1; shift; local needles=()
  while [ "$1" != "--" ]; do needles+=("$1"); shift; done; shift
  "$@" >"$tmp/out" 2>"$tmp/err" </dev/null; local got=$?
  local miss=""
  for n in "${needles[@]}"; do grep -qF -- "$n" "$tmp/err" || miss="$miss [$n]"; done
  if [ "$got" = "$rc" ] && [ -z "$miss" ]; then ok "${needles[0]}"; sed 's/^/     /' "$tmp/err" | head -3
  else bad "exit $got (wanted $rc), missing:$miss"; cat "$tmp/err" | head -20; fi
}

if ! "$asacl" devices >/dev/null 2>&1; then
  if [ "${ASACL_REQUIRE_DEVICE:-0}" = 1 ]; then echo "FAIL: no OpenCL device"; exit 1; fi
  echo "SKIP: no OpenCL device"; exit 77
fi
run=(--epochs 2 --train-size 64 --dev-size 32 --batch-size 16 --save-every 2 --log-every 1)
"$asacl" train "${run[@]}" --out "$tmp/ref" >/dev/null 2>&1 || bad "uninterrupted run"
"$asacl" train "${run[@]}" --out "$tmp/A" --max-steps 2 >/dev/null 2>&1 || bad "first two steps"
cp -a "$tmp/A/checkpoint" "$tmp/snapshot"
same_checkpoint() { diff -r "$tmp/A/checkpoint" "$tmp/snapshot" >/dev/null; }

# 1. Device memory.
ASACL_DEVICE_MEMORY=4M expect 1 "needs" "MiB of device memory" "allows 4.0 MiB (ASACL_DEVICE_MEMORY)" \
  "batches of 16 x 40 tokens" -- "$asacl" train --resume "$tmp/A/checkpoint"
grep -q '^step' "$tmp/out" && bad "a step ran before the memory check" || ok "no step ran"
same_checkpoint && ok "checkpoint untouched" || bad "checkpoint changed"
ASACL_DEVICE_MEMORY=lots expect 1 "ASACL_DEVICE_MEMORY=lots" -- "$asacl" train --resume "$tmp/A/checkpoint"

# 2. The disk fills during the checkpoint write: files stop at 200 KiB, less
#    than model.safetensors (the shell's ulimit -f counts 1024-byte blocks).
( trap '' XFSZ; ulimit -f 200
  expect 1 "saving the checkpoint" "File too large" -- "$asacl" train --resume "$tmp/A/checkpoint"
  exit $fail ) || fail=1
same_checkpoint && ok "disk full: the previous checkpoint survives byte for byte" \
  || bad "disk full: the checkpoint changed"
ls -d "$tmp/A"/checkpoint.* >/dev/null 2>&1 && bad "a temporary folder was left" || ok "no temporary folder left"
"$asacl" train --resume "$tmp/A/checkpoint" >/dev/null 2>&1 || bad "resuming after the full disk"
cmp -s "$tmp/ref/checkpoint/model.safetensors" "$tmp/A/checkpoint/model.safetensors" \
  && ok "disk full: resumed to the uninterrupted run's model" || bad "disk full: the resumed model differs"

# 3. Truncated and unreadable model files.
cp -a "$src/tests/data/hf/cls_f32" "$tmp/m"
truncate -s 40000 "$tmp/m/model.safetensors"
expect 1 "m/model.safetensors" "run past the" "byte data buffer" -- "$asacl" predict --model "$tmp/m" /dev/null
truncate -s 5 "$tmp/m/model.safetensors"
expect 1 "m/model.safetensors: 5 bytes is too short" -- "$asacl" predict --model "$tmp/m" /dev/null
rm "$tmp/m/model.safetensors"; mkdir "$tmp/m/model.safetensors"
expect 1 "m/model.safetensors: Is a directory" -- "$asacl" predict --model "$tmp/m" /dev/null
rmdir "$tmp/m/model.safetensors"
if [ "$(id -u)" != 0 ]; then  # root reads any file
  cp "$src/tests/data/hf/cls_f32/model.safetensors" "$tmp/m/"; chmod 000 "$tmp/m/model.safetensors"
  expect 1 "cannot open" "Permission denied" -- "$asacl" predict --model "$tmp/m" /dev/null
fi

# 4. Device profiles: an unknown key, a value out of range.
rm -rf "$tmp/snapshot"; cp -a "$tmp/A/checkpoint" "$tmp/snapshot"
prof() { sed "s/\"kernels\": {/\"kernels\": {$1/" "$src/devices/pocl-cpu.json" > "$tmp/p.json"; }
sed 's/"tuned"/"tunde"/' "$src/devices/pocl-cpu.json" > "$tmp/p.json"
ASACL_PROFILE=$tmp/p.json expect 1 "p.json: unknown key \"tunde\"" -- "$asacl" train --resume "$tmp/A/checkpoint"
prof '"reduce": {"RED_WG": 48},'
ASACL_PROFILE=$tmp/p.json expect 1 "kernels.reduce.RED_WG must be an integer in [1, 4096] and a power of two" \
  -- "$asacl" train --resume "$tmp/A/checkpoint"
sed 's/"TILE_VW": 16/"TILE_VW": 3/' "$src/devices/pocl-cpu.json" > "$tmp/p.json"
ASACL_PROFILE=$tmp/p.json expect 1 "GEMM parameters out of range: VW 3 (2, 4, 8, 16)" \
  -- "$asacl" train --resume "$tmp/A/checkpoint"
grep -q '^step' "$tmp/out" && bad "a step ran with an impossible tile" || ok "no step ran"
# 5. A kernel build failure: a profile sets the GEMM kernel's own vector width
#    to 5 (no float5 in OpenCL C), past the layer's checks of TILE_VW.
sed 's/"TILE_VW": 16,/"TILE_VW": 16, "VW": 5,/' "$src/devices/pocl-cpu.json" > "$tmp/p.json"
ASACL_PROFILE=$tmp/p.json expect 1 "building kernel file cl/gemm.cl" "CL_BUILD_PROGRAM_FAILURE" "-DVW=5" \
  "build log:" "float5" -- "$asacl" train --resume "$tmp/A/checkpoint"
grep -q '^step' "$tmp/out" && bad "a step ran without its kernels" || ok "no step ran"
same_checkpoint && ok "bad profiles: checkpoint untouched" || bad "bad profiles: checkpoint changed"

exit $fail
