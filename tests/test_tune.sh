#!/usr/bin/env bash
# test_tune.sh -- asacl tune on the device with a tiny budget: it writes a
# valid, matching profile with its measurements, stops at its budget and
# resumes, and the runtime loads what it wrote.
set -u
asacl=${1:?usage: test_tune.sh path/to/asacl}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
ok() { echo "ok   $*"; }
bad() { echo "FAIL $*"; fail=1; }

if ! "$asacl" devices >/dev/null 2>&1; then
  if [ "${ASACL_REQUIRE_DEVICE:-0}" = 1 ]; then echo "FAIL: no OpenCL device"; exit 1; fi
  echo "SKIP: no OpenCL device"; exit 77
fi
out="$tmp/profile.json"
# Budget 0.1 s: the first parameter's first candidates only, then it stops.
"$asacl" tune --config tiny --budget 0.1 --reps 1 --out "$out" >"$tmp/log1" 2>&1 || { bad "tune"; cat "$tmp/log1"; }
grep -q "budget spent" "$tmp/log1" && ok "tune stops at its budget" || { bad "no budget stop"; cat "$tmp/log1"; }
grep -q '"complete":[[:space:]]*false' "$out" && ok "an unfinished profile says so" || bad "complete flag"
"$asacl" tune --config tiny --budget 0.1 --reps 1 --out "$out" >"$tmp/log2" 2>&1 || bad "tune again"
grep -q "resuming" "$tmp/log2" && ok "a second run resumes" || { bad "no resume"; cat "$tmp/log2"; }
grep -q '"tuned":[[:space:]]*true' "$out" && grep -q '"asacl_profile":[[:space:]]*1' "$out" \
  && ok "profile fields" || { bad "profile fields"; cat "$out"; }
name=$("$asacl" devices | grep -m1 "^  name" | sed 's/^  name *//')
grep -q "\"name\":[[:space:]]*\"$name\"" "$out" && ok "identity names the device" || bad "identity lacks $name"
python_free_count=$(grep -c '"[0-9]*":[[:space:]]*[0-9.]*,\?$' "$out")
[ "$python_free_count" -ge 2 ] && ok "two runs measured $python_free_count candidates" || bad "measurements: $python_free_count"
# The runtime takes it, explicitly and from the user's folder.
ASACL_PROFILE="$out" "$asacl" devices | grep -q "profile *file:$out" && ok "ASACL_PROFILE loads it" || bad "ASACL_PROFILE"
mkdir -p "$tmp/cfg/asacl/devices" && cp "$out" "$tmp/cfg/asacl/devices/mine.json"
XDG_CONFIG_HOME="$tmp/cfg" "$asacl" devices | grep -q "profile *user:.*mine.json" && ok "the user's folder wins" || bad "user profile not used"
XDG_CONFIG_HOME="$tmp/cfg" "$asacl" kernels >/dev/null 2>&1 && ok "kernels build under the tuned profile" || bad "kernels with the profile"
# --install DIR writes DIR/<device>.json, the repository's layout.
"$asacl" tune --config tiny --budget 0.1 --reps 1 --install "$tmp/repo" >"$tmp/log3" 2>&1 \
  && ls "$tmp/repo"/*.json >/dev/null 2>&1 && grep -q "wrote $tmp/repo/" "$tmp/log3" \
  && ok "--install writes into the folder" || { bad "--install"; cat "$tmp/log3"; }
exit $fail
