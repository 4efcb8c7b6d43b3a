#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# `bobbin run` end to end. Conformance: every notebook of tests/data/conformance (but bobbin_*)
# is executed by `bobbin run --allow-errors` and by Debian's `jupyter nbconvert --to notebook
# --execute --allow-errors`, and tests/e2e/run/compare.py must find them equivalent; bobbin's exit
# status must be 1 exactly when nbconvert's notebook holds an error. Then bobbin's own behaviour
# where nbconvert writes no file (stop at the first error, a timeout, a kernel that dies), --linger,
# bad input (nothing written), output paths, --inplace, unchanged bytes of cells not executed,
# the kernel's working directory, the config's save_attribution, progress only on a terminal.
# Prints TAP. Needs $BOBBIN (tests/run.sh sets it), /usr/bin/python3 and jupyter-nbconvert.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
DATA="$HERE/../data/conformance"
TMPNAME=run
. "$HERE/run/lib.sh"
check() { # check NAME FILE EXPR... — nbcheck.py assertions as one test
	name=$1 f=$2; shift 2
	if msg=$($PY "$HERE/run/nbcheck.py" "$f" "$@" 2>&1); then ok "$name"; else notok "$name" "$msg"; fi
}
sum() { md5sum "$1" | cut -d' ' -f1; }

# ---- conformance against nbconvert ----
for src in "$DATA"/*.ipynb; do
	name=$(basename "$src" .ipynb)
	case "$name" in bobbin_*) continue ;; esac
	d="$T/conf/$name"
	mkdir -p "$d"
	cp "$src" "$d/nb.ipynb"
	# nbconvert runs meanwhile, in its own copy (both kernels start in the notebook's directory).
	mkdir -p "$d/nbc"
	cp "$src" "$d/nbc/nb.ipynb"
	(cd "$d/nbc" && jupyter-nbconvert --to notebook --execute --allow-errors nb.ipynb \
		--output out.ipynb >log 2>&1; echo $? >rc) &
	(cd "$d" && "$BOBBIN" run --allow-errors nb.ipynb -o bobbin.ipynb >out 2>err; echo $? >rc)
	wait
	if [ "$(cat "$d/nbc/rc")" != 0 ]; then
		notok "$name: nbconvert failed" "$(tail -3 "$d/nbc/log")"
		continue
	fi
	want=0
	$PY -c 'import json,sys; nb=json.load(open(sys.argv[1]));
sys.exit(any(o["output_type"] == "error" for c in nb["cells"] for o in c.get("outputs", [])))' \
		"$d/nbc/out.ipynb" || want=1
	if [ "$(cat "$d/rc")" != "$want" ]; then
		notok "$name: bobbin run exit status $(cat "$d/rc"), expected $want" "$(cat "$d/err")"
	elif msg=$($PY "$HERE/run/compare.py" "$d/bobbin.ipynb" "$d/nbc/out.ipynb" 2>&1); then
		ok "$name: bobbin run matches nbconvert --execute"
	else
		notok "$name: bobbin run differs from nbconvert --execute" "$msg"
	fi
done
# The comparison can fail: an unexecuted notebook is not equivalent to nbconvert's result.
if [ -f "$T/conf/outputs/nbc/out.ipynb" ] &&
	! $PY "$HERE/run/compare.py" "$DATA/outputs.ipynb" "$T/conf/outputs/nbc/out.ipynb" >/dev/null; then
	ok "compare.py reports a difference when there is one"
else
	notok "compare.py reports a difference when there is one"
fi
# Markdown and raw cells bobbin did not execute keep their bytes.
for name in outputs unicode empty; do
	if msg=$($PY "$HERE/run/samebytes.py" "$DATA/$name.ipynb" "$T/conf/$name/bobbin.ipynb" 2>&1); then
		ok "$name: markdown and raw cells keep their bytes"
	else
		notok "$name: markdown and raw cells keep their bytes" "$msg"
	fi
done

# ---- stop at the first error, and --allow-errors ----
d="$T/stop"; mkdir -p "$d"; cp "$DATA/bobbin_stop.ipynb" "$d/"
"$BOBBIN" run "$d/bobbin_stop.ipynb" >"$d/out" 2>"$d/err"; rc=$?
[ $rc = 1 ] && ok "stop at the first error: exit 1" || notok "stop at the first error: exit 1" "got $rc"
check "stop: default output NAME.nbconvert.ipynb, cells after the error not run" \
	"$d/bobbin_stop.nbconvert.ipynb" 'text(1) == "one\n"' 'count(1) == 1' \
	'types(2) == ["error"]' 'outs(2)[0]["ename"] == "RuntimeError"' \
	'count(3) is None and outs(3) == []'
if msg=$($PY "$HERE/run/samebytes.py" "$d/bobbin_stop.ipynb" "$d/bobbin_stop.nbconvert.ipynb" \
	bobbin-stop-3 2>&1); then
	ok "stop: the unexecuted code cell keeps its bytes"
else
	notok "stop: the unexecuted code cell keeps its bytes" "$msg"
fi
"$BOBBIN" run --allow-errors "$d/bobbin_stop.ipynb" -o "$d/all.ipynb" >"$d/out" 2>"$d/err"; rc=$?
[ $rc = 1 ] && ok "--allow-errors: still exit 1" || notok "--allow-errors: still exit 1" "got $rc"
check "--allow-errors: the cell after the error ran" "$d/all.ipynb" \
	'types(2) == ["error"]' 'text(3) == "three\n"' 'count(3) == 3'

# ---- timeout ----
d="$T/timeout"; mkdir -p "$d"; cp "$DATA/bobbin_timeout.ipynb" "$d/nb.ipynb"
start=$(date +%s)
"$BOBBIN" run --timeout 2 "$d/nb.ipynb" -o "$d/out.ipynb" >"$d/out" 2>"$d/err"; rc=$?
took=$(( $(date +%s) - start ))
[ $rc = 1 ] && [ $took -lt 100 ] && ok "timeout: exit 1, long before the cell's 120 s sleep" ||
	notok "timeout: exit 1, long before the cell's 120 s sleep" "rc $rc after ${took}s" "$(cat "$d/err")"
check "timeout: CellTimeoutError recorded, then the kernel's KeyboardInterrupt; later cells not run" \
	"$d/out.ipynb" 'text(1) == "sleeping\n"' \
	'types(1) == ["stream", "error", "error"]' \
	'outs(1)[1]["ename"] == "CellTimeoutError"' \
	'outs(1)[1]["evalue"] == "A cell timed out while it was being executed, after 2 seconds."' \
	'"time.sleep(120)" in "\n".join(outs(1)[1]["traceback"])' \
	'outs(1)[2]["ename"] == "KeyboardInterrupt"' 'count(2) is None'
"$BOBBIN" run --timeout 2 --allow-errors "$d/nb.ipynb" -o "$d/all.ipynb" >"$d/out" 2>"$d/err"; rc=$?
[ $rc = 1 ] && ok "timeout --allow-errors: exit 1" || notok "timeout --allow-errors: exit 1" "got $rc"
check "timeout --allow-errors: the interrupted kernel runs the next cell" "$d/all.ipynb" \
	'outs(1)[1]["ename"] == "CellTimeoutError"' 'text(2) == "after the timeout\n"' \
	'count(2) == 3'

# ---- kernel death ----
d="$T/death"; mkdir -p "$d"; cp "$DATA/bobbin_death.ipynb" "$d/nb.ipynb"
"$BOBBIN" run --allow-errors "$d/nb.ipynb" -o "$d/out.ipynb" >"$d/out" 2>"$d/err"; rc=$?
[ $rc = 1 ] && ok "kernel death: exit 1" || notok "kernel death: exit 1" "got $rc" "$(cat "$d/err")"
check "kernel death: DeadKernelError in the cell it died in, output before it kept, run stopped" \
	"$d/out.ipynb" 'text(0) == "alive\n"' 'text(1) == "dying\n"' \
	'types(1) == ["stream", "error"]' 'outs(1)[1]["ename"] == "DeadKernelError"' \
	'count(2) is None and outs(2) == []'

# ---- --linger, provenance and the config's save_attribution ----
d="$T/linger"; mkdir -p "$d"; cp "$DATA/bobbin_linger.ipynb" "$d/nb.ipynb"
"$BOBBIN" run --no-agent --linger 5 "$d/nb.ipynb" -o "$d/out.ipynb" >"$d/out" 2>"$d/err"; rc=$?
[ $rc = 0 ] && ok "--linger: exit 0" || notok "--linger: exit 0" "got $rc" "$(cat "$d/err")"
check "--linger: output after the last cell kept in it (continuing its stream), flagged late" \
	"$d/out.ipynb" 'text(0) == "main\nlate line\n"' 'types(0) == ["stream"]' \
	'[(a["output"], a.get("part"), a["late"], a["stray"]) for a in attr(0)] == [(0, 1, True, False)]'
mkdir -p "$T/config/bobbin"; printf 'save_attribution = false\n' >"$T/config/bobbin/config"
"$BOBBIN" run --no-agent --linger 5 "$d/nb.ipynb" -o "$d/noattr.ipynb" >"$d/out" 2>"$d/err"
check "save_attribution = false: the late output is kept, no attribution saved" "$d/noattr.ipynb" \
	'text(0) == "main\nlate line\n"' '"bobbin" not in cell(0)["metadata"]'
rm -f "$T/config/bobbin/config"

# ---- bad input: one line, exit 2, nothing written ----
d="$T/bad"; mkdir -p "$d"; cp "$DATA/outputs.ipynb" "$d/nb.ipynb"
before=$(sum "$d/nb.ipynb")
bad() { # bad NAME NEEDLE ARGS... — exit 2, one line on stderr naming NEEDLE, no new file
	name=$1 needle=$2; shift 2
	ls "$d" >"$T/ls.before"
	"$BOBBIN" run "$@" >"$T/bad.out" 2>"$T/bad.err"; rc=$?
	ls "$d" >"$T/ls.after"
	lines=$(wc -l <"$T/bad.err")
	if [ $rc = 2 ] && [ "$lines" = 1 ] && grep -q -- "$needle" "$T/bad.err" &&
		cmp -s "$T/ls.before" "$T/ls.after" && [ "$(sum "$d/nb.ipynb")" = "$before" ]; then
		ok "$name"
	else
		notok "$name" "rc $rc, $lines lines: $(cat "$T/bad.err")"
	fi
}
bad "unknown kernel (-k): named, exit 2, no file" '"no-such-kernel"' -k no-such-kernel "$d/nb.ipynb"
$PY -c 'import json,sys; nb=json.load(open(sys.argv[1])); nb["metadata"]["kernelspec"]["name"]="ghost-kernel";
json.dump(nb, open(sys.argv[2], "w"))' "$d/nb.ipynb" "$d/ghost.ipynb"
bad "unknown kernel (notebook metadata): named, exit 2, no file" '"ghost-kernel"' "$d/ghost.ipynb"
bad "missing notebook: named, exit 2" "missing.ipynb" "$d/missing.ipynb"
printf 'not json at all\n' >"$d/text.ipynb"
bad "not a notebook: named, exit 2" "text.ipynb" "$d/text.ipynb"
bad "-o and --inplace together: exit 2" "inplace" "$d/nb.ipynb" --inplace -o "$d/x.ipynb"
bad "unknown option: exit 2" "--bogus" "$d/nb.ipynb" --bogus
bad "--timeout needs seconds: exit 2" "timeout" "$d/nb.ipynb" --timeout soon
bad "unwritable output directory: exit 2" "no/such/dir" "$d/nb.ipynb" -o "$d/no/such/dir/out.ipynb"

# ---- output paths, --inplace, --cwd ----
d="$T/paths"; mkdir -p "$d/sub" "$d/elsewhere"
$PY - "$d/sub/where.ipynb" <<'EOF'
import sys, nbformat
from nbformat.v4 import new_notebook, new_code_cell
nb = new_notebook(cells=[new_code_cell("import os\nprint(os.getcwd())")])
nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
nbformat.write(nb, sys.argv[1])
EOF
(cd "$d/elsewhere" && "$BOBBIN" run ../sub/where.ipynb >out 2>err); rc=$?
if [ $rc = 0 ] && [ -f "$d/sub/where.nbconvert.ipynb" ] && [ ! -e "$d/elsewhere/where.nbconvert.ipynb" ]; then
	ok "default output: NAME.nbconvert.ipynb next to the input"
else
	notok "default output: NAME.nbconvert.ipynb next to the input" "rc $rc; $(ls "$d/sub" "$d/elsewhere")"
fi
check "the kernel runs in the notebook's directory by default" "$d/sub/where.nbconvert.ipynb" \
	"text(0) == '$(cd "$d/sub" && pwd -P)\n'" 'nb["metadata"]["language_info"]["name"] == "python"'
"$BOBBIN" run --cwd "$d/elsewhere" "$d/sub/where.ipynb" -o "$d/cwd.ipynb" >/dev/null 2>&1
check "--cwd DIR: the kernel runs there" "$d/cwd.ipynb" "text(0) == '$(cd "$d/elsewhere" && pwd -P)\n'"
cp "$DATA/bobbin_stop.ipynb" "$d/inplace.ipynb"
"$BOBBIN" run --inplace --allow-errors "$d/inplace.ipynb" >/dev/null 2>&1
if [ ! -e "$d/inplace.nbconvert.ipynb" ]; then
	check "--inplace: the input notebook itself holds the outputs" "$d/inplace.ipynb" \
		'text(1) == "one\n"' 'text(3) == "three\n"' 'count(3) == 3'
else
	notok "--inplace: the input notebook itself holds the outputs" "a .nbconvert file was written"
fi

# ---- progress: only when stderr is a terminal ----
if grep -q 'cell 1/' "$T/conf/outputs/err"; then
	notok "no progress on stderr when it is not a terminal" "$(head -c 300 "$T/conf/outputs/err")"
else
	ok "no progress on stderr when it is not a terminal"
fi
if command -v script >/dev/null 2>&1; then
	script -qec "'$BOBBIN' run --no-agent '$d/sub/where.ipynb' -o '$d/tty.ipynb'" /dev/null \
		>"$d/tty.out" 2>&1 </dev/null
	if grep -q 'cell 1/1' "$d/tty.out"; then
		ok "progress (cell k/N) on stderr when it is a terminal"
	else
		notok "progress (cell k/N) on stderr when it is a terminal" "$(head -c 300 "$d/tty.out")"
	fi
fi
echo "1..$n"
