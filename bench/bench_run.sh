#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# `bobbin run` against Debian's `jupyter nbconvert --to notebook --execute`, same kernel
# (python3, Debian's ipykernel), in one run: a 100-cell notebook of small cells, and one cell
# printing 100,000 lines. Prints the median and min-max wall time of RUNS runs (default 3) each,
# interleaved, whole process from start to written notebook (kernel start and shutdown included),
# and the ratio of the medians. Each run is limited to STEP seconds (default 60). Both
# notebooks are generated in a temp dir with Debian's nbformat. The agent is installed as usual.
BOBBIN=${BOBBIN:-$PWD/bobbin}
PY=/usr/bin/python3
RUNS=${RUNS:-3}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
export JUPYTER_RUNTIME_DIR="$tmp/runtime"
mkdir -p "$JUPYTER_RUNTIME_DIR"

$PY - "$tmp" <<'PYEOF' || exit 1
import sys, nbformat
from nbformat.v4 import new_code_cell, new_notebook
ks = {"name": "python3", "display_name": "Python 3", "language": "python"}
nb = new_notebook(cells=[new_code_cell("x%d = %d * 2\nprint(x%d)" % (i, i, i)) for i in range(100)])
nb.metadata["kernelspec"] = ks
nbformat.write(nb, sys.argv[1] + "/cells100.ipynb")
nb = new_notebook(cells=[new_code_cell("for i in range(100000):\n    print('line', i)")])
nb.metadata["kernelspec"] = ks
nbformat.write(nb, sys.argv[1] + "/lines100k.ipynb")
PYEOF

# secs CMD...: the wall time of one run in seconds, or FAIL (it failed or ran past STEP seconds)
STEP=${STEP:-60}
secs() {
	s=$(date +%s.%N)
	timeout -k 2 "$STEP" "$@" >/dev/null 2>&1 || { echo FAIL; return; }
	e=$(date +%s.%N)
	echo "$e - $s" | bc
}
# stats T...: "median (min-max)" of the numbers, or FAIL if one run failed
stats() {
	case " $* " in *" FAIL "*) echo FAIL; return ;; esac
	printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END {
		m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		printf "%.3f (%.3f-%.3f)", m, v[1], v[NR] }'
}
med() { echo "$1" | cut -d' ' -f1; }

echo "   RUNS=$RUNS each, interleaved (bobbin, nbconvert, bobbin, ...); seconds, median (min-max)"
for nb in cells100 lines100k; do
	cd "$tmp" || exit 1
	tb="" tn=""
	for _ in $(seq "$RUNS"); do
		tb="$tb $(secs "$BOBBIN" run --output-limit 0 "$nb.ipynb" -o "$nb.bobbin.ipynb")"
		tn="$tn $(secs jupyter-nbconvert --to notebook --execute "$nb.ipynb" --output "$nb.nbc.ipynb")"
	done
	# shellcheck disable=SC2086
	sb=$(stats $tb) sn=$(stats $tn)
	lines=$($PY -c 'import json,sys; nb=json.load(open(sys.argv[1]));
print(sum("".join(o.get("text", "")).count("\n") for c in nb["cells"] for o in c["outputs"]))' \
		"$nb.bobbin.ipynb" 2>/dev/null)
	ratio=$(echo "scale=2; $(med "$sn") / $(med "$sb")" | bc 2>/dev/null)
	printf '   %-10s bobbin run %s s   nbconvert --execute %s s   nbconvert/bobbin %sx  (%s output lines)\n' \
		"$nb" "$sb" "$sn" "${ratio:-?}" "$lines"
done
