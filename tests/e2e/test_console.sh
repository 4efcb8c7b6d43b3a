#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# End-to-end tests of `bobbin console` in a tmux pty against ipykernel (python3) and xeus-python
# (xpython): prompts and execution counts, completion, multi-line blocks, history shared across
# sessions, Ctrl-C, input() and getpass(), background output while a line is being typed, the
# routing commands, attach/detach, and piped mode's exit status. Every wait polls the pane until
# the expected text appears or a generous deadline passes. Expected text comes from the issue
# and IPython's conventions (In [n]: / Out[n]: / continuation "   ...: "), not from bobbin.
. "$(dirname "$0")/console/lib.sh"

: "${BOBBIN:?BOBBIN must be the bobbin binary}"
setup_root

fresh_env() {
	export JUPYTER_RUNTIME_DIR="$TMPROOT/rt.$1" XDG_DATA_HOME="$TMPROOT/data.$1"
	mkdir -p "$JUPYTER_RUNTIME_DIR" "$XDG_DATA_HOME"
}

for K in python3 xpython; do
	fresh_env "$K"
	CON="$BOBBIN console -k $K"

	# ---- prompt, counts, multi-line blocks, completion, input(), getpass() ----
	start "$CON"
	wait_for '^In \[1\]: $' 60; check $? "$K: first prompt is In [1]"
	type_text 'x = 41'; keys Enter
	wait_for '^In \[2\]: $'; check $? "$K: a statement without a result advances the count"
	type_text 'x + 1'; keys Enter
	wait_for '^Out\[2\]: 42$' && wait_for '^In \[3\]: $'
	check $? "$K: result shown as Out[2]: 42, next prompt In [3]"

	type_text 'def twice(a):'; keys Enter
	wait_for '^   \.\.\.: '; check $? "$K: incomplete def gives the continuation prompt"
	type_text 'return a * 2'; keys Enter
	wait_for '^   \.\.\.:     return a \* 2$'
	check $? "$K: the kernel's 4-space indent is pre-inserted on the continuation line"
	keys Enter
	wait_for '^In \[4\]: $'; check $? "$K: a blank line ends the block"
	type_text 'twice(21)'; keys Enter
	wait_for '^Out\[4\]: 42$'; check $? "$K: the function defined in the block works"
	wait_for '^In \[5\]: $'
	type_text 'for i in range(3):'; keys Enter
	wait_for '^   \.\.\.: '
	type_text 'print("row", i * 10)'; keys Enter
	wait_for '^   \.\.\.:     print'
	keys Enter
	wait_for '^row 20$' && wait_for '^In \[6\]: $'
	check $? "$K: a for block runs once complete"
	[ "$(count '^row (0|10|20)$')" -eq 3 ]; check $? "$K: the loop printed each row once"

	type_text 'import collections'; keys Enter
	wait_for '^In \[7\]: $'
	type_text 'collections.OrderedDi'; keys Tab
	wait_for '^In \[7\]: collections\.OrderedDict$' 15
	check $? "$K: Tab completes a unique candidate through the kernel"
	type_text '()'; keys Enter
	wait_for '^Out\[7\]: OrderedDict\(\)$'; check $? "$K: the completed line runs"
	wait_for '^In \[8\]: $'
	type_text 'collections.Ch'; keys Tab
	wait_for '^In \[8\]: collections\.ChainMap$' 15
	type_text 'is'; keys BSpace BSpace
	keys C-u
	type_text 'collections.defaultdict().'; keys Tab Tab
	wait_for 'default_factory' 15 && wait_for 'setdefault' 15
	check $? "$K: Tab Tab lists the kernel's candidates"
	keys C-u
	type_text 'name = input("Name? ")'; keys Enter
	wait_for '^Name\? $'; check $? "$K: input() shows its prompt"
	type_text 'Ada'; keys Enter
	wait_for '^In \[9\]: $'
	type_text 'name'; keys Enter
	wait_for "^Out\\[9\\]: 'Ada'$"; check $? "$K: input() got the typed answer"
	type_text 'import getpass; pw = getpass.getpass("Secret: ")'; keys Enter
	wait_for '^Secret: $'; check $? "$K: getpass() shows its prompt"
	type_text 'hunter2'; keys Enter
	wait_for '^In \[11\]: $'
	type_text 'len(pw)'; keys Enter
	wait_for '^Out\[11\]: 7$'; check $? "$K: getpass() got the password"
	! pane | grep -q hunter2; check $? "$K: the password never appeared on the screen"

	# ---- output from a background thread while a line is being typed ----
	type_text 'import threading, time; threading.Thread(target=lambda: [(time.sleep(1.5), print("tick", i)) for i in range(3)]).start()'
	keys Enter
	wait_for '^In \[13\]: $'
	type_text 'typed = 12'
	wait_for '^tick 2$' 20; check $? "$K: background output shows while the prompt is up"
	last=$(pane | grep -v '^$' | tail -n 1)
	[ "$last" = "In [13]: typed = 12" ]; check $? "$K: the line being typed is intact below the output (got: $last)"
	wait_for 'after it finished\]'; check $? "$K: late output is marked with the cell it came from"
	if [ "$K" = python3 ]; then
		wait_for '^\[Thread-[0-9]+ \(<lambda>\), from In \[12\], after it finished\]$'
		check $? "$K: the routing agent's thread name labels the output"
	fi
	keys Enter
	type_text 'typed'; keys Enter
	wait_for '^Out\[14\]: 12$'; check $? "$K: the typed line ran after the interruption"

	# ---- routing commands ----
	type_text '\threads'; keys Enter
	if [ "$K" = python3 ]; then
		wait_for '^IDENT +NAME' && wait_for 'MainThread'
		check $? "$K: \\threads lists the kernel's threads"
		type_text "\\route 'Pool-*'=current"; keys Enter
		wait_for '^rule 1: Pool-\*=current$'; check $? "$K: \\route adds a rule the kernel confirms"
	else
		wait_for 'does not support routing'; check $? "$K: \\threads says the kernel has no routing"
	fi

	# ---- Ctrl-C ----
	type_text 'import time; print("sleeping"); time.sleep(60)'; keys Enter
	wait_for '^sleeping$'
	t0=$(date +%s)
	keys C-c
	if [ "$K" = python3 ]; then
		wait_for 'KeyboardInterrupt' && wait_for '^In \[16\]: $'
		check $? "$K: Ctrl-C interrupts time.sleep(60)"
		[ $(( $(date +%s) - t0 )) -lt 30 ]; check $? "$K: the interrupt took effect well before the sleep ended"
		# Ctrl-C makes the terminal discard input not yet read: wait until the line is on screen
		type_text 'half typed'; wait_for '^In \[16\]: half typed$'; keys C-c
		wait_for '^In \[16\]: half typed\^C$' && wait_for '^In \[16\]: $'
		check $? "$K: Ctrl-C at the prompt clears the line"
		keys C-d
		wait_for '^\[exit 0\]$'; check $? "$K: Ctrl-D exits with status 0"
	else
		# Debian's xeus-python exits on SIGINT: bobbin must say so and offer a restart.
		wait_for 'kernel died' && wait_for 'restart'
		check $? "$K: the kernel's death is reported with a restart offered"
		type_text '\restart'; keys Enter
		wait_for 'kernel is ready' 60 && wait_for '^In \[1\]: $'
		check $? "$K: \\restart starts the kernel again"
		type_text '6 * 7'; keys Enter
		wait_for '^Out\[1\]: 42$'; check $? "$K: the restarted kernel runs code"
		keys C-d
		wait_for '^\[exit 0\]$'; check $? "$K: Ctrl-D exits with status 0"
	fi

	# ---- history persisted across sessions ----
	start "$CON"
	wait_for '^In \[1\]: $' 60
	type_text "marker_$K = 1"; keys Enter
	wait_for '^In \[2\]: $'
	keys C-d
	wait_for '^\[exit 0\]$'
	[ -s "$XDG_DATA_HOME/bobbin/history-python" ]; check $? "$K: history saved under \$XDG_DATA_HOME/bobbin"
	start "$CON"
	wait_for '^In \[1\]: $' 60
	keys Up
	wait_for "^In \\[1\\]: marker_$K = 1\$"; check $? "$K: Up recalls the previous session's line"
	keys Down C-r
	type_text "marker_"
	wait_for "\\(reverse-i-search\\).*marker_$K = 1"; check $? "$K: Ctrl-R searches the shared history"
	keys C-g C-u C-d
	wait_for '^\[exit 0\]$'

	# ---- piped mode ----
	out=$(printf 'print(1)\n1/0\nprint(2)\n' | $CON 2>"$TMPROOT/err"); rc=$?
	[ "$rc" -eq 1 ] && [ "$out" = 1 ]; check $? "$K: piped mode stops at the error with exit 1"
	grep -q ZeroDivisionError "$TMPROOT/err"; check $? "$K: piped mode prints the traceback"
	out=$(printf 'print(1)\n1/0\nprint(2)\n' | $CON --allow-errors 2>/dev/null); rc=$?
	[ "$rc" -eq 1 ] && [ "$(echo "$out" | tr '\n' ' ')" = "1 2 " ]
	check $? "$K: --allow-errors runs the rest and still exits 1"
	out=$(printf 'def f():\n    x = 1\n\n    return x + 1\n\nif f() == 2:\n    print("two")\nelse:\n    print("other")\n' | $CON); rc=$?
	[ "$rc" -eq 0 ] && [ "$out" = two ]; check $? "$K: piped blocks keep blank lines and else: together"
done

# ---- attached kernel: output of another client, Ctrl-D leaves it running ----
fresh_env attach
/usr/bin/python3 -m ipykernel_launcher -f "$JUPYTER_RUNTIME_DIR/kernel-e2e.json" >/dev/null 2>&1 &
KPID=$!
# The kernel writes its connection file itself: wait for it (bounded).
i=0
while [ ! -s "$JUPYTER_RUNTIME_DIR/kernel-e2e.json" ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
start "$BOBBIN console --existing"
wait_for '^In \[1\]: $' 60; check $? "attached: prompt"
type_text 'y = 5'
"$BOBBIN" exec --existing -c 'print("from elsewhere")' >/dev/null 2>&1
wait_for '^from elsewhere$' 20 && wait_for '^\[from another client\]$'
check $? "attached: another client's output is shown and marked"
last=$(pane | grep -v '^$' | tail -n 1)
[ "$last" = "In [1]: y = 5" ] || [ "$last" = "In [2]: y = 5" ]; check $? "attached: the typed line survives (got: $last)"
keys C-u C-d
wait_for 'Leaving the kernel running'; check $? "attached: Ctrl-D says the kernel keeps running"
kill -0 "$KPID" 2>/dev/null; check $? "attached: the kernel is still alive"
kill "$KPID"; KPID=

echo "1..$N"
[ "$FAILED" -eq 0 ]
