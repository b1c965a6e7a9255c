#!/usr/bin/env bash
# test_tune_tiled.sh -- asacl tune over a tiny search space given by the
# starting profile (tuning.space, space_only), including the tiled GEMM
# kernels and the backend choice among own and tiled: the run completes,
# measures exactly the listed candidates, records a combination the device
# cannot take as invalid instead of timing it, and writes a valid profile
# that the runtime loads and builds under. Timing is not asserted: which
# candidate wins is up to the device.
set -u
asacl=${1:?usage: test_tune_tiled.sh path/to/asacl}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
ok() { echo "ok   $*"; }
bad() { echo "FAIL $*"; fail=1; }

if ! "$asacl" devices >/dev/null 2>&1; then
  if [ "${ASACL_REQUIRE_DEVICE:-0}" = 1 ]; then echo "FAIL: no OpenCL device"; exit 1; fi
  echo "SKIP: no OpenCL device"; exit 77
fi
# Small tiles (fast to build on PoCL); MDIMC 6 does not divide MWG 16 (or 8).
cat >"$tmp/start.json" <<'EOF'
{ "asacl_profile": 1, "identity": {}, "tuned": false,
  "description": "test_tune_tiled: a tiny search space",
  "kernels": { "gemm": { "NT_BACKEND": 2, "TILED_MWG": 16, "TILED_NWG": 16, "TILED_KWG": 8,
                         "TILED_MDIMC": 4, "TILED_NDIMC": 4, "TILED_VW": 4, "TILED_PAD": 1 } },
  "tuning": { "space": { "gemm.TILED_MWG": [8, 16], "gemm.TILED_MDIMC": [6, 4],
                         "gemm.NT_BACKEND": [1, 2] },
              "space_only": true } }
EOF
out="$tmp/profile.json"
ASACL_PROFILE="$tmp/start.json" "$asacl" tune --config tiny --reps 1 --out "$out" >"$tmp/log" 2>&1 \
  || { bad "tune"; cat "$tmp/log"; }
grep -q '"complete":[[:space:]]*true' "$out" && ok "the run completes" || { bad "incomplete"; cat "$tmp/log"; }
grep -q '"asacl_profile":[[:space:]]*1' "$out" && grep -q '"tuned":[[:space:]]*true' "$out" \
  && ok "profile fields" || bad "profile fields"
# Exactly the three listed parameters were searched, in the order of asacl
# tune's table (tiled tiles, then backends).
done_list=$(tr -d ' \n\t' <"$out" | sed -n 's/.*"done":\[\([^]]*\)\].*/\1/p')
[ "$done_list" = '"gemm.TILED_MWG","gemm.TILED_MDIMC","gemm.NT_BACKEND"' ] \
  && ok "searched: $done_list" || { bad "searched: '$done_list'"; cat "$out"; }
# Every candidate has a time, except MDIMC 6, refused before any build.
flat=$(tr -d ' \n\t' <"$out")
for c in 'gemm.TILED_MWG":{"8":[0-9.e+-]*,"16":[0-9.e+-]*}' \
         'gemm.TILED_MDIMC":{"6":"invalid","4":[0-9.e+-]*}' \
         'gemm.NT_BACKEND":{"1":[0-9.e+-]*,"2":[0-9.e+-]*}'; do
  echo "$flat" | grep -q "$c" && ok "measured ${c%%\"*}" || { bad "measurements ${c%%\"*}"; cat "$out"; }
done
grep -q "invalid here: .*not a multiple of the work-group" "$tmp/log" \
  && ok "the invalid combination is reported with its reason" || { bad "no reason"; cat "$tmp/log"; }
# The chosen values are among the candidates, and the space is kept.
for kv in 'TILED_MWG":\(8\|16\)' 'TILED_MDIMC":4' 'TILED_VW":4' 'NT_BACKEND":\(1\|2\)'; do
  echo "$flat" | grep -q "\"kernels\":{\"gemm\":{.*\"$kv[,}]" && ok "kernels.gemm.${kv%%\"*} is a candidate" \
    || { bad "kernels.gemm.${kv%%\"*}"; cat "$out"; }
done
echo "$flat" | grep -q '"space":{"gemm.TILED_MWG":\[8,16\]' && echo "$flat" | grep -q '"space_only":true' \
  && ok "the space is kept for the next run" || bad "space not kept"
# The runtime loads it and builds every kernel under it.
ASACL_PROFILE="$out" "$asacl" devices | grep -q "profile *file:$out" && ok "ASACL_PROFILE loads it" || bad "load"
ASACL_PROFILE="$out" "$asacl" kernels >/dev/null 2>&1 && ok "kernels build under the tuned profile" \
  || bad "kernels with the profile"
# A space naming a parameter asacl tune does not have is refused.
sed 's/gemm.TILED_MDIMC/gemm.TILED_XX/' "$tmp/start.json" >"$tmp/bad.json"
if ASACL_PROFILE="$tmp/bad.json" "$asacl" tune --config tiny --reps 1 --out "$tmp/x.json" >"$tmp/log2" 2>&1; then
  bad "an unknown parameter in the space was accepted"
else
  grep -q "tuning.space.gemm.TILED_XX" "$tmp/log2" && ok "an unknown parameter in the space is refused" \
    || { bad "message"; cat "$tmp/log2"; }
fi
exit $fail
