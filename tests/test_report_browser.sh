#!/usr/bin/env bash
# test_report_browser.sh -- a tiny run's report.html rendered in headless
# Chromium (Debian's chromium): the page loads with no error (script,
# resource or console) and its image is decoded at the curves' size.
# Without chromium it is skipped, except with ASACL_REQUIRE_DEVICE=1 (CI,
# which installs it).
set -u
asacl=${1:?usage: test_report_browser.sh path/to/asacl}
browser=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$browser" ]; then
  if [ "${ASACL_REQUIRE_DEVICE:-0}" = 1 ]; then echo "FAIL: no chromium (apt-get install chromium)"; exit 1; fi
  echo "SKIP: no chromium"; exit 77
fi
if ! "$asacl" devices >/dev/null 2>&1; then
  if [ "${ASACL_REQUIRE_DEVICE:-0}" = 1 ]; then echo "FAIL: no OpenCL device"; exit 1; fi
  echo "SKIP: no OpenCL device"; exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$asacl" train --epochs 1 --train-size 32 --dev-size 16 --batch-size 16 --out "$tmp/run" >"$tmp/out" 2>&1 ||
  { echo "FAIL train"; cat "$tmp/out"; exit 1; }
[ -s "$tmp/run/report.html" ] || { echo "FAIL: no report.html"; exit 1; }

# A copy with a probe first in <head>: it records every error (scripts,
# resources) from the start and, once loaded, the state of each image.
probe='<script>var asaclErrors=[];window.addEventListener("error",function(e){asaclErrors.push(e.message||("resource "+((e.target&&(e.target.src||e.target.href))||"?").slice(0,80)));},true);window.addEventListener("load",function(){var r=[];for(var i=0;i<document.images.length;i++){var m=document.images[i];r.push((m.complete?"loaded":"pending")+":"+m.naturalWidth+"x"+m.naturalHeight);}document.body.setAttribute("data-check","images=["+r.join(",")+"] errors="+asaclErrors.length+" "+asaclErrors.join("|"));});</script>'
awk -v p="$probe" '!done && (i = index($0, "<head>")) { $0 = substr($0, 1, i + 5) p substr($0, i + 6); done = 1 } { print }' "$tmp/run/report.html" >"$tmp/page.html"
grep -q asaclErrors "$tmp/page.html" || { echo "FAIL: report.html has no <head>"; exit 1; }

export HOME="$tmp" XDG_CONFIG_HOME="$tmp/config" XDG_CACHE_HOME="$tmp/cache"
timeout 120 "$browser" --headless --no-sandbox --disable-gpu --no-first-run --user-data-dir="$tmp/profile" \
  --enable-logging=stderr --virtual-time-budget=10000 --dump-dom "file://$tmp/page.html" \
  >"$tmp/dom.html" 2>"$tmp/browser.log"
rc=$?
[ $rc = 0 ] || { echo "FAIL: chromium exited $rc"; tail -20 "$tmp/browser.log"; exit 1; }
check=$(grep -o 'data-check="[^"]*"' "$tmp/dom.html")
echo "page: $check"
fail=0
[ "$check" = 'data-check="images=[loaded:1200x860] errors=0 "' ] || { echo "FAIL: want one image of 1200 x 860 and no error"; fail=1; }
if grep -q "CONSOLE" "$tmp/browser.log"; then echo "FAIL: console messages:"; grep "CONSOLE" "$tmp/browser.log" | head; fail=1; fi
grep -q "<h2>Curves</h2>" "$tmp/dom.html" || { echo "FAIL: no curves section in the rendered page"; fail=1; }
[ $fail = 0 ] && echo "ok   report.html renders in $("$browser" --version 2>/dev/null | head -1)"
exit $fail
