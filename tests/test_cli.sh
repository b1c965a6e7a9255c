#!/usr/bin/env bash
# test_cli.sh -- the asacl command line: help, usage errors, the error for a
# machine without OpenCL, device listing and selection errors.
set -u
asacl=${1:?usage: test_cli.sh path/to/asacl}
fail=0
out=$(mktemp); err=$(mktemp)
trap 'rm -f "$out" "$err"' EXIT

expect() { # description expected-exit-code grep-pattern-on-stdout+stderr command...
  local what=$1 code=$2 pat=$3; shift 3
  "$@" >"$out" 2>"$err"; local rc=$?
  if [ $rc -ne "$code" ]; then
    echo "FAIL $what: exit $rc, want $code"; cat "$out" "$err" | head -20; fail=1; return
  fi
  if [ -n "$pat" ] && ! cat "$out" "$err" | grep -qiE -- "$pat"; then
    echo "FAIL $what: output lacks /$pat/"; cat "$out" "$err" | head -20; fail=1; return
  fi
  echo "ok   $what"
}

# Help and usage: need no device.
expect "asacl --help" 0 "devices" "$asacl" --help
expect "asacl --version" 0 "^asacl [0-9]" "$asacl" --version
expect "asacl (no command)" 2 "usage" "$asacl"
expect "unknown command" 2 "unknown command" "$asacl" frobnicate
for c in devices kernels; do
  expect "asacl $c --help" 0 "usage: asacl $c" "$asacl" $c --help
  expect "asacl help $c" 0 "usage: asacl $c" "$asacl" help $c
  expect "asacl $c --bogus" 2 "unknown option|unrecognized" "$asacl" $c --bogus
done

# No OpenCL platform at all: a clear error that says how to install PoCL.
empty=$(mktemp -d)
expect "no platform" 1 "no OpenCL platform.*pocl-opencl-icd" env OCL_ICD_VENDORS="$empty" "$asacl" devices
rmdir "$empty"

# The rest needs a device.
if ! "$asacl" devices >/dev/null 2>&1; then
  if [ "${ASACL_REQUIRE_DEVICE:-0}" = 1 ]; then echo "FAIL: no OpenCL device"; exit 1; fi
  echo "SKIP: no OpenCL device"; [ $fail = 0 ] && exit 77 || exit 1
fi
expect "devices lists device 0" 0 "device 0 +\(0:0\)" "$asacl" devices
expect "devices shows facts" 0 "compute units.*[0-9]" "$asacl" devices
expect "devices shows the profile" 0 "profile +(shipped|user|file):" "$asacl" devices
expect "devices marks the selection" 0 "\[selected\]" "$asacl" devices --device 0
expect "select by P:D" 0 "\(0:0\)  \[selected\]" "$asacl" devices --device 0:0
expect "select by env" 0 "\[selected\]" env ASACL_DEVICE=0 "$asacl" devices
expect "no match lists devices" 1 "matches no OpenCL device.*" "$asacl" devices --device no-such-gpu-xyz
grep -q "0:0" "$err" || { echo "FAIL no-match message lacks the device list"; fail=1; }
expect "no match via env" 1 "no-such-gpu-xyz" env ASACL_DEVICE=no-such-gpu-xyz "$asacl" kernels
expect "kernels builds all" 0 "programs: " "$asacl" kernels
# bench train --mlm: the masked-LM modes and the vocabulary-sized products
# apart in the per-kernel split (what runs, not how fast).
expect "bench train --mlm" 0 "masked-LM / fine-tuning step time" \
  "$asacl" bench train --config tiny --batch 4 --seq-len 16 --mlm --steps 1 --warmup 0
grep -qE "^mlm +MLM ASA" "$out" || { echo "FAIL bench --mlm lacks the MLM ASA row"; fail=1; }
grep -q "gemm_nt \[vocab\]" "$out" || { echo "FAIL bench --mlm split lacks gemm_nt [vocab]"; fail=1; }
# bench gemm: every product of a tiny step on the own, tiled and CLBlast
# kernels, each checked against the reference (exit 1 on a mismatch).
expect "bench gemm (own, tiled, CLBlast agree)" 0 "geometric mean ours/CLBlast over 29 shapes" \
  "$asacl" bench gemm --config tiny --repeat 1
grep -q "MISMATCH" "$out" && { echo "FAIL bench gemm: a product disagrees"; fail=1; }
grep -qE "\| +ours +tiled +CLBlast" "$out" || { echo "FAIL bench gemm lacks the tiled column"; fail=1; }
expect "bench train --bogus" 2 "unknown option|unrecognized" "$asacl" bench train --bogus
exit $fail
