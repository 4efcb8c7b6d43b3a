#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# `bobbin run` as a CI runner, end to end with real ipykernels (issue 16): progress (one line per
# cell into a pipe, a status line on a terminal, --quiet), failures on stderr (index, id, first
# source line, plain traceback, never a control byte), the summary, exit statuses (and
# --nbconvert-status against Debian's nbconvert), nbclient's tags (skip-execution,
# raises-exception, compared with nbconvert), IPython history in memory as nbclient asks for it,
# papermill-compatible parameters (-p/-r/-y/-f; placement, tags, metadata, the cell's source as
# papermill writes it), several notebooks at once (-j N), -o -, and bad input found before
# anything runs. Notebooks come from tests/e2e/run/make_ci_notebooks.py. Prints TAP.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
TMPNAME=runci
. "$HERE/run/lib.sh"
check() { # check NAME FILE EXPR... — nbcheck.py assertions as one test
	name=$1 f=$2; shift 2
	if msg=$($PY "$HERE/run/nbcheck.py" "$f" "$@" 2>&1); then ok "$name"; else notok "$name" "$msg"; fi
}
# expect NAME CONDITION DETAIL: ok when the shell condition holds
expect() {
	if eval "$2"; then ok "$1"; else notok "$1" "$3"; fi
}
NB="$T/nb"
mkdir -p "$NB"
$PY "$HERE/run/make_ci_notebooks.py" "$NB" || { notok "make_ci_notebooks.py"; echo "1..$n"; exit 1; }
ctl() { LC_ALL=C grep -c "$(printf '[\001-\010\013-\037\177]')" "$1"; } # lines with control bytes

# ---- progress into a pipe, and the summary ----
d="$T/pipe"; mkdir -p "$d"; cp "$NB/ok.ipynb" "$d/"
"$BOBBIN" run --no-agent "$d/ok.ipynb" >"$d/out" 2>"$d/err"; rc=$?
expect "pipe: exit 0" '[ $rc = 0 ]' "rc $rc: $(cat "$d/err")"
expect "pipe: one line per cell, [k/N] ok TIME s" \
	'[ "$(grep -cE "^\[[1-3]/3\] ok [0-9]+\.[0-9] s$" "$d/err")" = 3 ]' "$(cat "$d/err")"
expect "pipe: summary line with cells run, failed, skipped and time" \
	'tail -1 "$d/err" | grep -qE "^bobbin run: 3 cells run, 0 failed, 0 skipped, [0-9.]+ s$"' \
	"$(tail -1 "$d/err")"
expect "pipe: nothing on stdout, no control bytes on stderr" \
	'[ ! -s "$d/out" ] && [ "$(ctl "$d/err")" = 0 ]' "$(od -c "$d/err" | head -5)"
"$BOBBIN" run -q --no-agent "$d/ok.ipynb" -o "$d/quiet.ipynb" >"$d/out" 2>"$d/err"; rc=$?
expect "--quiet: nothing on stderr, exit 0, notebook written" \
	'[ $rc = 0 ] && [ ! -s "$d/err" ] && [ -s "$d/quiet.ipynb" ]' "rc $rc: $(cat "$d/err")"

# ---- failures ----
d="$T/fail"; mkdir -p "$d"; cp "$NB/fail.ipynb" "$d/"
id=$($PY -c 'import json,sys; print(json.load(open(sys.argv[1]))["cells"][1]["id"])' "$d/fail.ipynb")
"$BOBBIN" run --no-agent "$d/fail.ipynb" >"$d/out" 2>"$d/err"; rc=$?
expect "failure: exit 1" '[ $rc = 1 ]' "rc $rc"
expect "failure: index, id, [k/N] and the first source line (sanitised), on stderr" \
	'grep -qF "bobbin run: fail.ipynb: cell 1 (id $id, [2/3]) failed: # first line is the comment" "$d/err"' \
	"$(cat "$d/err")"
expect "failure: the plain-text traceback follows" \
	'grep -q "^ValueError: bad  value" "$d/err" && grep -q "^----> [0-9] raise ValueError" "$d/err"' \
	"$(cat "$d/err")"
expect "failure: no control byte reaches stderr (ANSI colour, OSC, BEL stripped)" \
	'[ "$(ctl "$d/err")" = 0 ]' "$(grep -n "$(printf '\033')" "$d/err" | head -3 | od -c | head -5)"
expect "failure: summary counts the cell after the error as skipped" \
	'tail -1 "$d/err" | grep -qE "^bobbin run: 2 cells run, 1 failed, 1 skipped, "' "$(tail -1 "$d/err")"
"$BOBBIN" run -q --no-agent "$d/fail.ipynb" -o "$d/q.ipynb" >"$d/out" 2>"$d/err"; rc=$?
expect "--quiet: the failure is still reported, no per-cell lines, no summary" \
	'[ $rc = 1 ] && grep -q "failed: # first line" "$d/err" && ! grep -q "^\[" "$d/err" && ! grep -q "cells run" "$d/err"' \
	"$(cat "$d/err")"

# ---- exit status: bobbin's, and nbconvert's under --nbconvert-status ----
"$BOBBIN" run --no-agent --allow-errors "$d/fail.ipynb" -o "$d/a.ipynb" >/dev/null 2>&1; rc1=$?
"$BOBBIN" run --no-agent --allow-errors --nbconvert-status "$d/fail.ipynb" -o "$d/b.ipynb" >/dev/null 2>&1; rc2=$?
"$BOBBIN" run --no-agent --nbconvert-status "$d/fail.ipynb" -o "$d/c.ipynb" >/dev/null 2>&1; rc3=$?
(cd "$d" && jupyter-nbconvert --to notebook --execute --allow-errors fail.ipynb --output nbc1.ipynb >/dev/null 2>&1); n1=$?
(cd "$d" && jupyter-nbconvert --to notebook --execute fail.ipynb --output nbc2.ipynb >/dev/null 2>&1); n2=$?
expect "exit status: --allow-errors still 1 by default" '[ $rc1 = 1 ]' "got $rc1"
expect "--nbconvert-status: as nbconvert's with --allow-errors ($n1) and without ($n2)" \
	'[ $rc2 = $n1 ] && [ $rc3 = $n2 ] && [ $n1 = 0 ] && [ $n2 = 1 ]' "bobbin $rc2/$rc3, nbconvert $n1/$n2"

# ---- a terminal: one status line updated in place, sanitised ----
if command -v script >/dev/null 2>&1; then
	d="$T/tty"; mkdir -p "$d"; cp "$NB/slow.ipynb" "$d/"
	script -qec "'$BOBBIN' run --no-agent '$d/slow.ipynb'" /dev/null >"$d/tty" 2>&1 </dev/null
	expect "terminal: status line with cell k/N, elapsed time and the running cell's first line" \
		'grep -qE "cell 1/1, [0-9]+\.[0-9] s: import time; s = .x.  # slow first line" "$d/tty"' \
		"$(od -c "$d/tty" | head -12)"
	expect "terminal: the status line is rewritten in place (more than once), never scrolls" \
		'[ "$(grep -o "$(printf "\r\033\\[K")bobbin run: cell 1/1" "$d/tty" | wc -l)" -ge 2 ] && ! grep -q "^\[1/1\]" "$d/tty"' \
		"$(od -c "$d/tty" | head -12)"
	expect "terminal: the notebook's OSC and BEL never reach the terminal" \
		'! grep -q "$(printf "\033]")" "$d/tty" && ! grep -q "$(printf "\007")" "$d/tty"' \
		"$(od -c "$d/tty" | head -12)"
	d="$T/ttyfail"; mkdir -p "$d"; cp "$NB/fail.ipynb" "$d/"
	script -qec "'$BOBBIN' run --no-agent '$d/fail.ipynb'" /dev/null >"$d/tty" 2>&1 </dev/null
	expect "terminal: the traceback keeps its colour as normalised SGR, and nothing else" \
		'grep -q "$(printf "\033\\[0;31mValueError\033\\[0m: bad  value")" "$d/tty" && ! grep -q "$(printf "\033]")" "$d/tty" && ! grep -q "$(printf "\007")" "$d/tty"' \
		"$(od -c "$d/tty" | tail -12)"
fi

# ---- tags, as nbclient honours them (compared with nbconvert, no --allow-errors) ----
d="$T/tags"; mkdir -p "$d/nbc"; cp "$NB/tags.ipynb" "$d/"; cp "$NB/tags.ipynb" "$d/nbc/"
(cd "$d/nbc" && jupyter-nbconvert --to notebook --execute tags.ipynb --output out.ipynb >log 2>&1; echo $? >rc) &
"$BOBBIN" run --no-agent "$d/tags.ipynb" -o "$d/out.ipynb" >"$d/out" 2>"$d/err"; rc=$?
wait
expect "tags: exit 0, as nbconvert's ($(cat "$d/nbc/rc"))" '[ $rc = 0 ] && [ "$(cat "$d/nbc/rc")" = 0 ]' \
	"rc $rc: $(cat "$d/err")"
check "tags: skip-execution not run (outputs and count untouched), raises-exception ran, run went on" \
	"$d/out.ipynb" 'text(0) == "one\n"' 'count(1) is None and outs(1) == []' \
	'types(2) == ["error"]' 'text(3) == "no error is fine\n"' 'text(4) == "four\n"'
if msg=$($PY "$HERE/run/compare.py" "$d/out.ipynb" "$d/nbc/out.ipynb" 2>&1); then
	ok "tags: bobbin run matches nbconvert --execute"
else
	notok "tags: bobbin run matches nbconvert --execute" "$msg"
fi
expect "tags: the expected error is reported as such, the skipped cell counted" \
	'grep -q "^\[2/4\] error (expected: raises-exception)" "$d/err" && tail -1 "$d/err" | grep -q "4 cells run, 0 failed, 1 skipped"' \
	"$(cat "$d/err")"

# ---- IPython history in memory, for the kernels jupyter_client calls ipykernel ----
d="$T/hist"; mkdir -p "$d" "$T/jp/kernels/py-other"; cp "$NB/hist.ipynb" "$d/"
"$BOBBIN" run --no-agent "$d/hist.ipynb" -o "$d/out.ipynb" >/dev/null 2>&1
check "python3 kernel: started with --HistoryManager.hist_file=:memory: (as nbclient does)" \
	"$d/out.ipynb" 'text(0) == ":memory:\n"'
sed 's/"display_name": *"[^"]*"/"display_name": "other"/' /usr/share/jupyter/kernels/python3/kernel.json \
	>"$T/jp/kernels/py-other/kernel.json"
JUPYTER_PATH="$T/jp" "$BOBBIN" run --no-agent -k py-other "$d/hist.ipynb" -o "$d/other.ipynb" >/dev/null 2>&1
check "another kernelspec name: no hist_file argument (nbclient adds it for python/python3 only)" \
	"$d/other.ipynb" 'text(0) not in ("", ":memory:\n")'

# ---- parameters, as papermill injects them ----
d="$T/params"; mkdir -p "$d"; cp "$NB"/params*.ipynb "$d/"
set -- alpha 0.5 name 'x"y\z' flag True nothing None n ' 1_000 ' r 1e-5
"$BOBBIN" run --no-agent "$d/params.ipynb" -o "$d/out.ipynb" -p "$1" "$2" -p "$3" "$4" -p "$5" "$6" \
	-p "$7" "$8" -p "$9" "${10}" -p "${11}" "${12}" >"$d/out" 2>"$d/err"; rc=$?
want=$($PY "$HERE/run/papermill_source.py" "$@"; printf .); want=${want%.}
WANT="$want" check "parameters: new cell right after the parameters cell, tagged injected-parameters, papermill's source" \
	"$d/out.ipynb" 'len(cells) == 5' '"parameters" in cell(1)["metadata"]["tags"]' \
	'cell(2)["metadata"] == {"tags": ["injected-parameters"]}' \
	'"".join(cell(2)["source"]) == __import__("os").environ["WANT"]' \
	'cell(2)["cell_type"] == "code" and count(2) == 2'
check "parameters: the kernel got them with their types; metadata.papermill.parameters" \
	"$d/out.ipynb" \
	"eval(text(4)) == {'alpha': 0.5, 'name': 'x\"y\\\\z', 'flag': True, 'nothing': None, 'n': 1000, 'r': 1e-05}" \
	"nb['metadata']['papermill']['parameters'] == {'alpha': 0.5, 'name': 'x\"y\\\\z', 'flag': True, 'nothing': None, 'n': 1000, 'r': 1e-05}"
expect "parameters: exit 0, no note when there is a parameters cell" '[ $rc = 0 ] && ! grep -q "injected at the top" "$d/err"' "rc $rc: $(cat "$d/err")"
# Type inference and escaping, value by value, against papermill's rules.
set -- a 3 b -0 c 007 d 1e20 e 1e16 f 123456789012345.5 g 0.0001 h inf i -Infinity j nan k 0x10 \
	l 1__0 m 'é€😀' o "$(printf 'tab\tnl\nbell\007')" p "it's" q 1E5 s .5 t 5. u 1_0.2_5 v '' w True_
"$BOBBIN" run --no-agent "$d/params_none.ipynb" -o "$d/types.ipynb" -p "$1" "$2" -p "$3" "$4" \
	-p "$5" "$6" -p "$7" "$8" -p "$9" "${10}" -p "${11}" "${12}" -p "${13}" "${14}" \
	-p "${15}" "${16}" -p "${17}" "${18}" -p "${19}" "${20}" -p "${21}" "${22}" -p "${23}" "${24}" \
	-p "${25}" "${26}" -p "${27}" "${28}" -p "${29}" "${30}" -p "${31}" "${32}" -p "${33}" "${34}" \
	-p "${35}" "${36}" -p "${37}" "${38}" -p "${39}" "${40}" -p "${41}" "${42}" >"$d/out" 2>"$d/err"
want=$($PY "$HERE/run/papermill_source.py" "$@"; printf .); want=${want%.}
WANT="$want" check "parameters: every type and escape as papermill writes it" "$d/types.ipynb" \
	'"".join(cell(0)["source"]) == __import__("os").environ["WANT"]'
expect "parameters: no parameters cell: injected at the top, and said so" \
	'grep -q "params_none.ipynb: no cell is tagged \"parameters\", so the parameters are injected at the top" "$d/err"' \
	"$(cat "$d/err")"
"$BOBBIN" run --no-agent "$d/params_injected.ipynb" -o "$d/inj.ipynb" -p alpha 3 -r name 7 >/dev/null 2>&1
check "parameters: an earlier injected cell is replaced where it was; -r stays a string" "$d/inj.ipynb" \
	'len(cells) == 3' 'cell(1)["metadata"]["tags"] == ["injected-parameters"]' \
	'"".join(cell(1)["source"]) == "# Parameters\nalpha = 3\nname = \"7\"\n"' 'text(2) == "3\n"'
printf '{"alpha": [1, 2.5, "s"], "name": {"k": null}}' >"$d/p.json"
"$BOBBIN" run --no-agent "$d/params.ipynb" -o "$d/json.ipynb" -f "$d/p.json" -y '{"flag": false, "alpha": 9}' -p n 4 >/dev/null 2>&1
check "parameters: -f FILE and -y TEXT (JSON) merged in papermill's order, -p last" "$d/json.ipynb" \
	'"".join(cell(2)["source"]) == "# Parameters\nalpha = 9\nname = {\"k\": None}\nflag = False\nn = 4\n"'
"$BOBBIN" run --no-agent "$d/params.ipynb" -o "$d/nan.ipynb" -p alpha nan -f "$d/p.json" >/dev/null 2>&1
check "parameters: -p nan wins over -f (papermill's order) and stays float('nan')" "$d/nan.ipynb" \
	'"".join(cell(2)["source"]) == "# Parameters\nalpha = float(" + chr(39) + "nan" + chr(39) + ")\nname = {\"k\": None}\n"'

# ---- parameters for other languages: numbers and plain strings only ----
mkdir -p "$T/jp/kernels/fake-r" "$T/jp/kernels/fake-ruby"
sed 's/"language": *"python"/"language": "R"/' /usr/share/jupyter/kernels/python3/kernel.json >"$T/jp/kernels/fake-r/kernel.json"
sed 's/"language": *"python"/"language": "ruby"/' /usr/share/jupyter/kernels/python3/kernel.json >"$T/jp/kernels/fake-ruby/kernel.json"
JUPYTER_PATH="$T/jp" "$BOBBIN" run --no-agent -k fake-r "$d/params.ipynb" -o "$d/r.ipynb" -p alpha 5 -p name abc >"$d/out" 2>"$d/err"; rc=$?
check "R kernel: plain numbers and strings injected as papermill writes them for R" "$d/r.ipynb" \
	'"".join(cell(2)["source"]) == "# Parameters\nalpha = 5\nname = \"abc\"\n"'

# ---- several notebooks at once ----
d="$T/many"; mkdir -p "$d"; cp "$NB/meet_a.ipynb" "$NB/meet_b.ipynb" "$NB/ok.ipynb" "$NB/dies.ipynb" "$d/"
"$BOBBIN" run --no-agent -j 2 "$d/meet_a.ipynb" "$d/meet_b.ipynb" "$d/ok.ipynb" >"$d/out" 2>"$d/err"; rc=$?
expect "-j 2: two notebooks that wait for each other both finish; exit 0" '[ $rc = 0 ]' "rc $rc: $(cat "$d/err")"
check "-j 2: meet_a saw meet_b running" "$d/meet_a.nbconvert.ipynb" 'text(0) == "meet_b seen\n"'
check "-j 2: meet_b saw meet_a running" "$d/meet_b.nbconvert.ipynb" 'text(0) == "meet_a seen\n"'
expect "-j 2: one line per cell names the notebook; one summary for all" \
	'grep -qE "^ok.ipynb \[3/3\] ok " "$d/err" && tail -1 "$d/err" | grep -qE "^bobbin run: 3 notebooks, 0 failed; 5 cells run, 0 failed, 0 skipped, "' \
	"$(cat "$d/err")"
rm -f "$d"/*.started "$d"/*.nbconvert.ipynb
"$BOBBIN" run --no-agent -j 2 "$d/dies.ipynb" "$d/ok.ipynb" >"$d/out" 2>"$d/err"; rc=$?
expect "-j 2: a kernel that dies: exit 1 (the worst), the other notebook unaffected" '[ $rc = 1 ]' "rc $rc: $(cat "$d/err")"
check "-j 2: the dead kernel's notebook is written with what ran" "$d/dies.nbconvert.ipynb" \
	'text(0) == "alive\n"' 'types(1) == ["error"]' 'outs(1)[0]["ename"] == "DeadKernelError"' 'outs(2) == []'
check "-j 2: the other notebook ran to the end" "$d/ok.nbconvert.ipynb" 'text(2) == "2\n"' 'count(4) == 3'
expect "-j 2: the death is reported with the notebook's name" \
	'grep -q "^bobbin run: dies.ipynb: cell 1 (id .*, \[2/3\]) kernel died: import os" "$d/err" && grep -q "^bobbin run: dies.ipynb: FAILED" "$d/err"' "$(cat "$d/err")"

mkdir -p "$T/jp/kernels/broken"
printf '{"argv": ["/bin/sh", "-c", "echo no such module >&2; exit 3", "{connection_file}"], "display_name": "broken", "language": "python"}' \
	>"$T/jp/kernels/broken/kernel.json"
rm -f "$d"/*.nbconvert.ipynb
$PY -c 'import json,sys; nb=json.load(open(sys.argv[1])); nb["metadata"]["kernelspec"]["name"]="broken"
json.dump(nb, open(sys.argv[2], "w"))' "$d/ok.ipynb" "$d/broken.ipynb"
JUPYTER_PATH="$T/jp" "$BOBBIN" run --no-agent -j 2 "$d/broken.ipynb" "$d/ok.ipynb" >"$d/out" 2>"$d/err"; rc=$?
expect "-j 2: a kernel that dies while starting: named with its log, exit 1, the other notebook runs" \
	'[ $rc = 1 ] && grep -q "^bobbin run: broken.ipynb: kernel \"broken\" died while starting" "$d/err" && grep -q "^no such module" "$d/err" && [ -f "$d/ok.nbconvert.ipynb" ] && [ ! -e "$d/broken.nbconvert.ipynb" ]' \
	"rc $rc: $(cat "$d/err")"

# ---- -o -: the executed notebook on stdout ----
d="$T/stdout"; mkdir -p "$d"; cp "$NB/ok.ipynb" "$d/"
# (in the temp dir: a bobbin that took "-" for a file name would write it there)
(cd "$d" && "$BOBBIN" run --no-agent ok.ipynb -o - >out.ipynb 2>err); rc=$?
check "-o -: the executed notebook on stdout" "$d/out.ipynb" 'text(2) == "2\n"'
expect "-o -: progress on stderr only, no file written" \
	'[ $rc = 0 ] && grep -q "^\[1/3\] ok" "$d/err" && [ ! -e "$d/ok.nbconvert.ipynb" ]' "rc $rc; $(ls "$d")"

# ---- bad input: one line, exit 2, nothing run or written ----
d="$T/bad"; mkdir -p "$d/adir"; cp "$NB/ok.ipynb" "$NB/params.ipynb" "$d/"; printf x >"$d/afile"
bad() { # bad NAME NEEDLE ARGS... — exit 2, one line on stderr naming NEEDLE, no new file, quick
	name=$1 needle=$2; shift 2
	ls "$d" >"$T/ls.before"
	start=$(date +%s)
	JUPYTER_PATH="$T/jp" "$BOBBIN" run --no-agent "$@" >"$T/bad.out" 2>"$T/bad.err"; rc=$?
	took=$(( $(date +%s) - start ))
	ls "$d" >"$T/ls.after"
	lines=$(wc -l <"$T/bad.err")
	if [ $rc = 2 ] && [ "$lines" = 1 ] && grep -q -- "$needle" "$T/bad.err" &&
		cmp -s "$T/ls.before" "$T/ls.after" && [ $took -le 2 ]; then
		ok "$name"
	else
		notok "$name" "rc $rc, ${took}s, $lines lines: $(cat "$T/bad.err")"
	fi
}
bad "-j 0: refused" "-j takes" -j 0 "$d/ok.ipynb"
bad "-j x: refused" "-j takes" -j x "$d/ok.ipynb"
bad "output is a directory: refused before running" "adir: cannot write there (Is a directory)" "$d/ok.ipynb" -o "$d/adir"
bad "output under a file: refused before running" "x.ipynb: cannot write there (Not a directory)" "$d/ok.ipynb" -o "$d/afile/x.ipynb"
bad "one missing notebook among several: nothing runs" "missing.ipynb" "$d/ok.ipynb" "$d/missing.ipynb"
bad "-o with several notebooks: refused" "-o names the output of one notebook" "$d/ok.ipynb" "$d/params.ipynb" -o "$d/x.ipynb"
bad "the same notebook twice: refused (one output file)" "would both be written" "$d/ok.ipynb" "$d/ok.ipynb"
bad "-y that is not JSON: refused" "only the JSON form of YAML" "$d/params.ipynb" -y 'alpha: 1'
bad "-f missing file: refused" "nofile.yaml" "$d/params.ipynb" -f "$d/nofile.yaml"
bad "-p with a name that is not an identifier: refused" 'parameter name "a-b"' "$d/params.ipynb" -p a-b 1
bad "-p without a value: refused" "takes a name and a value" "$d/params.ipynb" -p alpha
bad "-p integer beyond 64 bits: refused" "too large" "$d/params.ipynb" -p n 123456789012345678901234567890
bad "R kernel, a boolean parameter: refused, naming it" "parameter flag is a boolean" -k fake-r "$d/params.ipynb" -p flag True
bad "a language papermill-style injection is not written for: refused" 'language is "ruby"' -k fake-ruby "$d/params.ipynb" -p n 1
echo "1..$n"
