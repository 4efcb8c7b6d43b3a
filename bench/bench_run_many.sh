#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Ten notebooks: `bobbin run -j 2` (two kernels at once, one process) against running them one
# after another (`bobbin run -j 1`, and one `bobbin run` process per notebook), against Debian's
# `jupyter nbconvert --to notebook --execute` on all ten (one after another), and two nbconvert
# processes at once (xargs -P 2). Each notebook: 20 small cells, one cell of CPU work (~0.2 s)
# and one that waits 1 s (I/O stands in), python3 (Debian's ipykernel). Rounds are interleaved
# (every peer once per round, in turn), each command under `timeout`; prints per peer the median
# wall time with min-max over ROUNDS (default 3), its ratio to `bobbin run -j 2`, and the load
# average before and after. Self-contained. Usage: BOBBIN=build/rel-cc/bobbin sh bench/bench_run_many.sh
BOBBIN=${BOBBIN:-$PWD/bobbin}
PY=/usr/bin/python3
ROUNDS=${ROUNDS:-3}
LIMIT=${LIMIT:-300} # seconds, per command
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
export JUPYTER_RUNTIME_DIR="$tmp/runtime" XDG_CONFIG_HOME="$tmp/config"
mkdir -p "$JUPYTER_RUNTIME_DIR" "$XDG_CONFIG_HOME"

$PY - "$tmp" <<'PYEOF' || exit 1
import sys, nbformat
from nbformat.v4 import new_code_cell, new_notebook
for k in range(10):
    cells = [new_code_cell(f"x{i} = {i} * {k}\nprint(x{i})") for i in range(20)]
    cells.insert(5, new_code_cell("total = sum(i * i for i in range(1_500_000))\nprint(total)"))
    cells.insert(12, new_code_cell("import time\ntime.sleep(1)"))
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, f"{sys.argv[1]}/nb{k}.ipynb")
PYEOF
NBS="nb0.ipynb nb1.ipynb nb2.ipynb nb3.ipynb nb4.ipynb nb5.ipynb nb6.ipynb nb7.ipynb nb8.ipynb nb9.ipynb"

peer_j2() { timeout "$LIMIT" "$BOBBIN" run -q -j 2 $NBS; }
peer_j1() { timeout "$LIMIT" "$BOBBIN" run -q -j 1 $NBS; }
peer_each() { for f in $NBS; do timeout "$LIMIT" "$BOBBIN" run -q "$f" || return 1; done; }
peer_nbc() { timeout "$LIMIT" jupyter-nbconvert --to notebook --execute $NBS; }
peer_nbc2() {
	printf '%s\n' $NBS | timeout "$LIMIT" xargs -P 2 -n 1 jupyter-nbconvert --to notebook --execute
}
PEERS="j2 j1 each nbc nbc2"
label() {
	case $1 in
	j2) echo "bobbin run -j 2" ;;
	j1) echo "bobbin run -j 1 (one process, in turn)" ;;
	each) echo "bobbin run, one process each, in turn" ;;
	nbc) echo "nbconvert --execute, all ten, in turn" ;;
	nbc2) echo "nbconvert --execute, 2 processes (xargs -P 2)" ;;
	esac
}

# Every notebook written, executed, without an error output.
verify() {
	$PY - "$tmp" <<'PYEOF'
import json, sys
for k in range(10):
    nb = json.load(open(f"{sys.argv[1]}/nb{k}.nbconvert.ipynb"))
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert all(c["execution_count"] for c in code), f"nb{k}: a cell did not run"
    assert not any(o["output_type"] == "error" for c in code for o in c["outputs"]), f"nb{k}"
PYEOF
}

cd "$tmp" || exit 1
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
for r in $(seq "$ROUNDS"); do
	for p in $PEERS; do
		rm -f nb*.nbconvert.ipynb
		s=$(date +%s.%N)
		if ! "peer_$p" >"$tmp/log" 2>&1 || ! verify >>"$tmp/log" 2>&1; then
			echo "round $r: $(label "$p") failed:"; tail -5 "$tmp/log"; exit 1
		fi
		e=$(date +%s.%N)
		echo "$e - $s" | bc >>"$tmp/t.$p"
	done
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

# median, min, max of a file of numbers
stats() { sort -n "$1" | awk '{ v[NR] = $1 } END {
	m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
	printf "%.2f %.2f %.2f", m, v[1], v[NR] }'; }
set -- $(stats "$tmp/t.j2")
base=$1
echo "bench_run_many: 10 notebooks x 22 cells (0.2 s CPU + 1 s wait each), $ROUNDS interleaved rounds,"
echo "  $(nproc) cores; load average before $load_before, after $load_after"
for p in $PEERS; do
	set -- $(stats "$tmp/t.$p")
	printf '  %-46s median %6.2f s  (min %.2f, max %.2f)  %5.2fx the time of -j 2\n' \
		"$(label "$p")" "$1" "$2" "$3" "$(echo "scale=3; $1 / $base" | bc)"
done
