#!/usr/bin/env bash
# test_viz_cli.sh -- asacl explain and asacl plot on a tiny run of the
# built-in task, and the report asacl train leaves: help and usage errors,
# the TSV matrices (each attention row a distribution over the keys, the
# mask 0/1 with the masked fraction it reports), PNGs written, report.html
# self-contained with its curves. The pixels are checked in test_viz.
set -u
asacl=${1:?usage: test_viz_cli.sh path/to/asacl}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
ok() { echo "ok   $*"; }
bad() { echo "FAIL $*"; fail=1; }
png() { [ "$(head -c 8 "$1" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ]; }

for c in explain plot; do
  "$asacl" $c --help | grep -q "usage: asacl $c" && ok "$c --help" || bad "$c --help"
  "$asacl" $c --bogus >/dev/null 2>&1; [ $? = 2 ] && ok "$c --bogus: usage error" || bad "$c --bogus"
done
"$asacl" explain "no model" >/dev/null 2>"$tmp/err"; rc=$?
[ $rc = 2 ] && grep -q -- "--model" "$tmp/err" && ok "explain without --model" || bad "explain without --model ($rc)"
"$asacl" plot >/dev/null 2>&1; [ $? = 2 ] && ok "plot without runs" || bad "plot without runs"
"$asacl" plot "$tmp/none" --out "$tmp/x.png" >/dev/null 2>"$tmp/err"; rc=$?
[ $rc = 1 ] && grep -q "metrics.jsonl" "$tmp/err" && ok "plot of a folder without metrics" || bad "plot of nothing ($rc)"
"$asacl" plot a b --label one >/dev/null 2>&1; [ $? = 2 ] && ok "plot: labels must match runs" || bad "plot labels"

if ! "$asacl" devices >/dev/null 2>&1; then
  if [ "${ASACL_REQUIRE_DEVICE:-0}" = 1 ]; then echo "FAIL: no OpenCL device"; exit 1; fi
  echo "SKIP: no OpenCL device"; exit $([ $fail = 0 ] && echo 77 || echo 1)
fi

tiny=(--epochs 1 --train-size 64 --dev-size 32 --batch-size 16 --log-every 1)
if "$asacl" train "${tiny[@]}" --out "$tmp/asa" >"$tmp/out" 2>&1 &&
   "$asacl" train "${tiny[@]}" --no-asa --out "$tmp/plain" >>"$tmp/out" 2>&1; then
  ok "tiny runs"
else
  bad "tiny runs"; cat "$tmp/out"; exit 1
fi

# The report: written at the end, self-contained, with the curves and the scores.
r="$tmp/asa/report.html"
if [ -s "$r" ]; then ok "train wrote report.html"; else bad "no report.html"; fi
grep -q 'data:image/png;base64,iVBORw0KGgo' "$r" && ok "report embeds a PNG" || bad "report has no PNG"
grep -qE 'src="(http|//)|href=|<link|<script' "$r" && bad "report refers to other files" || ok "report self-contained"
grep -q '<td>dev-shift</td><td>accuracy</td>' "$r" && ok "report: best dev scores" || bad "report lacks dev scores"
grep -q 'Finished after 4 steps' "$r" && ok "report: finished, 4 steps" || bad "report's state"

if "$asacl" plot "$tmp/asa" "$tmp/plain" --out "$tmp/curves.png" >"$tmp/out" 2>&1 && png "$tmp/curves.png"; then
  ok "plot of two runs"
else
  bad "plot"; cat "$tmp/out"
fi

sentence="this movie was not bad by kubrick"
if "$asacl" explain --model "$tmp/asa/best" --adversary "$tmp/asa/checkpoint" "$sentence" \
     --out "$tmp/explain.png" >"$tmp/out" 2>"$tmp/err" && png "$tmp/explain.png"; then
  ok "explain with the adversary (PNG)"
else
  bad "explain PNG"; cat "$tmp/out" "$tmp/err"
fi
grep -q "word pieces (9): \[CLS\] this movie was not bad by kubrick \[SEP\]" "$tmp/err" &&
  ok "explain names the word pieces" || { bad "word pieces"; cat "$tmp/err"; }

if "$asacl" explain --model "$tmp/asa/checkpoint" --adversary "$tmp/asa/checkpoint" "$sentence" \
     --format tsv --layer 1 >"$tmp/maps.tsv" 2>"$tmp/err"; then
  ok "explain --format tsv"
else
  bad "explain tsv"; cat "$tmp/err"
fi
# Each attention row sums to 1; the mask holds 0/1 (or 0.5) and its masked
# fraction is the one the caption says; only layer 1 is there.
awk -F'\t' '
  /^# layer 1 attention/ { part = "a"; next }
  /^# layer 1 adversary/ { part = "m"; split($0, w, ": "); frac = w[2] + 0; next }
  /^# / { other++ ; next }
  /^query/ || $0 == "" { next }
  part == "a" { s = 0; for (i = 2; i <= NF; i++) s += $i; rows++; if (s < 0.9999 || s > 1.0001) bad++ }
  part == "m" { for (i = 2; i <= NF; i++) { n++; masked += 1 - $i; if ($i != 0 && $i != 1 && $i != 0.5) bad++ } }
  END {
    if (other || rows != 9 || n != 81 || bad) { print "rows " rows " cells " n " bad " bad " other " other; exit 1 }
    if ((masked / n - frac) > 1e-4 || (frac - masked / n) > 1e-4) { print "fraction " masked / n " vs " frac; exit 1 }
  }' "$tmp/maps.tsv" && ok "TSV: rows sum to 1, mask and its fraction" || { bad "TSV contents"; head -30 "$tmp/maps.tsv"; }

"$asacl" explain --model "$tmp/plain/best" --adversary "$tmp/plain/checkpoint" "$sentence" \
  --format tsv >/dev/null 2>"$tmp/err"; rc=$?
[ $rc = 1 ] && grep -q "adversary" "$tmp/err" && ok "explain: a run without ASA has no adversary" ||
  { bad "no-ASA adversary ($rc)"; cat "$tmp/err"; }
"$asacl" explain --model "$tmp/asa/best" --layer 7 "$sentence" --format tsv >/dev/null 2>"$tmp/err"; rc=$?
[ $rc = 1 ] && grep -q "layer 7" "$tmp/err" && ok "explain --layer out of range" || { bad "layer 7 ($rc)"; cat "$tmp/err"; }
"$asacl" explain --model "$tmp/asa/best" --head 2 "$sentence" --out "$tmp/h2.png" >/dev/null 2>&1 && png "$tmp/h2.png" &&
  ok "explain --head 2 without adversary" || bad "explain --head"

exit $fail
