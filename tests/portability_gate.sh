#!/usr/bin/env bash
# Portability gate: every kernel file, exactly as embedded (includes inlined),
# must compile with clang-15 for
#   AMD     amdgcn-amd-amdhsa, gfx90a and gfx1030, linked against libclc
#   NVIDIA  nvptx64-nvidia-cuda, sm_80, linked against libclc, lowered to PTX
#   Intel   SPIR-V (llvm-spirv-15), validated with spirv-val
# and leave no unresolved function after linking, with optional extensions
# (fp64, fp16) switched off and warnings as errors.
# Tools: Debian's clang-15, libclc-15, llvm-spirv-15, spirv-tools. Without them
# the gate is skipped (exit 77) unless ASACL_REQUIRE_DEVICE=1 (CI).
set -u
dir=${1:?usage: portability_gate.sh DIR-of-expanded-.cl-files}
llvm=/usr/lib/llvm-15/bin
clc=/usr/lib/clc
need=(clang-15 llvm-spirv-15 spirv-val "$llvm/llvm-link" "$llvm/llc" "$llvm/llvm-nm")
missing=()
for t in "${need[@]}"; do command -v "$t" >/dev/null 2>&1 || missing+=("$t"); done
for f in amdgcn--amdhsa.bc nvptx64--nvidiacl.bc; do [ -f "$clc/$f" ] || missing+=("$clc/$f"); done
if [ ${#missing[@]} -gt 0 ]; then
  echo "portability gate: missing ${missing[*]} (apt-get install clang-15 libclc-15 llvm-spirv-15 spirv-tools)"
  [ "${ASACL_REQUIRE_DEVICE:-0}" = 1 ] && exit 1
  exit 77
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# Optional extensions are switched off: a kernel may use fp64 or fp16 only
# behind #ifdef cl_khr_fp64 / cl_khr_fp16 with a portable fallback. Warnings
# are errors.
cflags=(-x cl -cl-std=CL1.2 -Xclang -finclude-default-header -D__OPENCL_VERSION__=120 -O2
        -Xclang -cl-ext=-cl_khr_fp64,-cl_khr_fp16 -Werror)
fail=0
shopt -s nullglob
files=("$dir"/*.cl)
[ ${#files[@]} -gt 0 ] || { echo "portability gate: no kernel files in $dir"; exit 1; }

# Unresolved functions after linking, ignoring LLVM intrinsics.
unresolved() { "$llvm/llvm-nm" --undefined-only "$1" 2>/dev/null | grep -v 'llvm\.' ; }

check() { # name target-description command...
  local name=$1 what=$2; shift 2
  if out=$("$@" 2>&1); then return 0; fi
  echo "FAIL $name [$what]: $*"; echo "$out" | head -30; fail=1; return 1
}

for f in "${files[@]}"; do
  n=$(basename "$f" .cl)
  for cpu in gfx90a gfx1030; do
    bc=$work/$n.$cpu.bc
    check "$n" "amdgcn $cpu" clang-15 "${cflags[@]}" -target amdgcn-amd-amdhsa -mcpu=$cpu -nogpulib -emit-llvm -c "$f" -o "$bc" &&
    check "$n" "amdgcn $cpu link" "$llvm/llvm-link" --only-needed "$bc" "$clc/amdgcn--amdhsa.bc" -o "$bc.l" &&
    check "$n" "amdgcn $cpu codegen" "$llvm/llc" -mtriple=amdgcn-amd-amdhsa -mcpu=$cpu -filetype=obj "$bc.l" -o "$bc.o" &&
    { u=$(unresolved "$bc.l"); [ -z "$u" ] || { echo "FAIL $n [amdgcn $cpu]: unresolved: $u"; fail=1; }; }
  done
  bc=$work/$n.nv.bc
  check "$n" "nvptx64 sm_80" clang-15 "${cflags[@]}" -target nvptx64-nvidia-cuda -emit-llvm -c "$f" -o "$bc" &&
  check "$n" "nvptx64 link" "$llvm/llvm-link" --only-needed "$bc" "$clc/nvptx64--nvidiacl.bc" -o "$bc.l" &&
  check "$n" "nvptx64 codegen" "$llvm/llc" -march=nvptx64 -mcpu=sm_80 "$bc.l" -o "$bc.ptx" &&
  { u=$(unresolved "$bc.l"); [ -z "$u" ] || { echo "FAIL $n [nvptx64]: unresolved: $u"; fail=1; }; }
  bc=$work/$n.spir.bc
  # SPIR-V from unoptimised IR: the translator expects it (llvm-spirv 15 lays out
  # blocks of LLVM-optimised loops in an order spirv-val rejects), and drivers
  # optimise SPIR-V themselves.
  check "$n" "spir64" clang-15 "${cflags[@]}" -O0 -target spir64 -emit-llvm -c "$f" -o "$bc" &&
  check "$n" "SPIR-V" llvm-spirv-15 "$bc" -o "$bc.spv" &&
  check "$n" "spirv-val" spirv-val "$bc.spv"
  [ $fail = 0 ] && echo "ok   $n: amdgcn gfx90a, gfx1030; nvptx64 sm_80; SPIR-V"
done 2>&1 | tee "$work/log"
grep -q '^FAIL' "$work/log" && exit 1
exit 0
