#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# `bobbin run` against Debian's `jupyter nbconvert --to notebook --execute`, same kernel
# (python3, Debian's ipykernel), in one run: a 100-cell notebook of small cells, and one cell
# printing 100,000 lines. Prints the best wall time of RUNS runs (default 3) each, whole process
# from start to written notebook (kernel start and shutdown included), and the ratio. Both
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

# best TIME-of-RUNS for a command, in seconds (3 decimals)
best() {
	b=""
	for _ in $(seq "$RUNS"); do
		s=$(date +%s.%N)
		"$@" >/dev/null 2>&1 || { echo "FAIL"; return; }
		e=$(date +%s.%N)
		t=$(echo "$e - $s" | bc)
		if [ -z "$b" ] || [ "$(echo "$t < $b" | bc)" = 1 ]; then b=$t; fi
	done
	printf '%.3f' "$b"
}

for nb in cells100 lines100k; do
	cd "$tmp" || exit 1
	tb=$(best "$BOBBIN" run --output-limit 0 "$nb.ipynb" -o "$nb.bobbin.ipynb")
	tn=$(best jupyter-nbconvert --to notebook --execute "$nb.ipynb" --output "$nb.nbc.ipynb")
	lines=$($PY -c 'import json,sys; nb=json.load(open(sys.argv[1]));
print(sum("".join(o.get("text", "")).count("\n") for c in nb["cells"] for o in c["outputs"]))' \
		"$nb.bobbin.ipynb" 2>/dev/null)
	ratio=$(echo "scale=2; $tn / $tb" | bc 2>/dev/null)
	printf '   %-10s bobbin run %ss  nbconvert --execute %ss  %sx faster  (%s output lines)\n' \
		"$nb" "$tb" "$tn" "$ratio" "$lines"
done
