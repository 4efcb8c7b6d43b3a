#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# bobbin exec and bobbin kernels, end to end with the real binary and real kernels: outputs,
# exit status, plain text into pipes, SGR-only on a terminal (tmux), Ctrl-C, and the one-line
# errors for each kind of bad input. Prints TAP.
BOBBIN=${BOBBIN:-$PWD/bobbin}
T=$(mktemp -d)
SOCK=bobbin-exec-$$
trap 'tmux -L $SOCK kill-server 2>/dev/null; rm -rf "$T"' EXIT
export JUPYTER_RUNTIME_DIR="$T/runtime"
n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
no() { n=$((n + 1)); echo "not ok $n - $1"; shift; for l in "$@"; do printf '%s\n' "$l" | sed 's/^/# /'; done; }
check() { if [ "$1" = 0 ]; then ok "$2"; else no "$2" "$3"; fi; }

# Waits until the tmux pane shows text (grep -F), or the deadline passes.
wait_pane() {
	i=0
	while [ $i -lt 300 ]; do
		tmux -L $SOCK capture-pane -p -t x >"$T/pane" 2>/dev/null
		grep -qF -- "$1" "$T/pane" && return 0
		i=$((i + 1))
		sleep 0.1
	done
	return 1
}

out=$("$BOBBIN" exec -c 'print("hello"); 6*7' 2>"$T/err"); rc=$?
[ "$rc" = 0 ] && [ "$out" = "hello
42" ]; check $? "exec prints stream and result, exit 0" "rc=$rc out=$out"

for k in python3 xpython; do
	"$BOBBIN" exec -k $k -c '1/0' >"$T/out" 2>"$T/err"; rc=$?
	[ "$rc" = 1 ] && grep -q ZeroDivisionError "$T/err"; check $? "exec -k $k: an exception gives exit 1 and the traceback" "rc=$rc $(cat "$T/err")"
done

# Into a pipe: no escape bytes at all, though the kernel sends colours and a title change.
"$BOBBIN" exec -c 'print("\x1b[31mred\x1b[0m \x1b]0;pwned\x07 \x1b[2J x"); 1/0' >"$T/out" 2>"$T/err"
if grep -q "$(printf '\033')" "$T/out" "$T/err"; then no "exec into a pipe writes no escape sequences" "$(od -c "$T/out" | head -3)"; else ok "exec into a pipe writes no escape sequences"; fi
grep -q "red" "$T/out"; check $? "exec into a pipe keeps the text" "$(cat "$T/out")"

echo 'print(sum(range(10)))' | "$BOBBIN" exec >"$T/out" 2>&1
[ "$(cat "$T/out")" = 45 ]; check $? "exec reads code from stdin" "$(cat "$T/out")"

echo Ada | "$BOBBIN" exec -c 'print("hi", input("name? "))' >"$T/out" 2>"$T/err"; rc=$?
[ "$rc" = 0 ] && grep -q "hi Ada" "$T/out"; check $? "exec: input() answered from a pipe" "rc=$rc $(cat "$T/out" "$T/err")"
timeout 60 "$BOBBIN" exec -c 'input("x")' >"$T/out" 2>"$T/err" </dev/null; rc=$?
[ "$rc" = 1 ] && grep -q "standard input is at its end" "$T/err"; check $? "exec: input() at end of input fails cleanly, no hang" "rc=$rc $(cat "$T/err")"

# Bad input: one line naming the thing and the cause, non-zero exit, no hang.
"$BOBBIN" exec -k nosuchkernel -c 1 >"$T/out" 2>"$T/err"; rc=$?
[ "$rc" != 0 ] && [ "$(wc -l <"$T/err")" = 1 ] && grep -q 'no kernel named "nosuchkernel"' "$T/err"
check $? "unknown kernel: one line naming it" "rc=$rc $(cat "$T/err")"

"$BOBBIN" exec --existing="$T/missing.json" -c 1 >"$T/out" 2>"$T/err"; rc=$?
[ "$rc" != 0 ] && grep -q "missing.json" "$T/err" && [ "$(wc -l <"$T/err")" = 1 ]
check $? "missing connection file: one line naming it" "rc=$rc $(cat "$T/err")"

printf '{"shell_port": 1,' >"$T/broken.json"
"$BOBBIN" exec --existing="$T/broken.json" -c 1 >"$T/out" 2>"$T/err"; rc=$?
[ "$rc" != 0 ] && grep -q "broken.json:1:" "$T/err"; check $? "malformed connection file: file:line" "rc=$rc $(cat "$T/err")"

# A stale connection file of a dead kernel is reported as such, within a bounded time.
printf '{"shell_port": 1, "iopub_port": 2, "stdin_port": 3, "control_port": 4, "hb_port": 5, "ip": "127.0.0.1", "key": "k", "transport": "tcp"}' >"$T/stale.json"
timeout 60 "$BOBBIN" exec --existing="$T/stale.json" -c 1 >"$T/out" 2>"$T/err"; rc=$?
[ "$rc" = 1 ] && grep -q "stale" "$T/err"; check $? "stale connection file reported, no hang" "rc=$rc $(cat "$T/err")"

mkdir -p "$T/kp/kernels/broken" "$T/kp/kernels/noexec" "$T/kp/kernels/dies"
printf '{"argv": [' >"$T/kp/kernels/broken/kernel.json"
printf '{"argv": ["/nonexistent/kern", "{connection_file}"], "display_name": "n", "language": "x"}' >"$T/kp/kernels/noexec/kernel.json"
printf '{"argv": ["/bin/sh", "-c", "echo boom-at-start >&2; exit 4"], "display_name": "d", "language": "x"}' >"$T/kp/kernels/dies/kernel.json"
JUPYTER_PATH="$T/kp" "$BOBBIN" exec -k broken -c 1 >"$T/out" 2>"$T/err"; rc=$?
[ "$rc" != 0 ] && grep -q "broken/kernel.json:1:" "$T/err"; check $? "malformed kernel.json: file:line" "rc=$rc $(cat "$T/err")"
JUPYTER_PATH="$T/kp" "$BOBBIN" exec -k noexec -c 1 >"$T/out" 2>"$T/err"; rc=$?
[ "$rc" != 0 ] && grep -q "/nonexistent/kern" "$T/err" && grep -q "No such file" "$T/err"
check $? "kernel argv that cannot run: named, with the cause" "rc=$rc $(cat "$T/err")"
JUPYTER_PATH="$T/kp" timeout 60 "$BOBBIN" exec -k dies -c 1 >"$T/out" 2>"$T/err"; rc=$?
[ "$rc" != 0 ] && grep -q "died" "$T/err" && grep -q "boom-at-start" "$T/err"
check $? "kernel dying at start: its stderr tail shown" "rc=$rc $(cat "$T/err")"

JUPYTER_PATH="$T/kp" "$BOBBIN" kernels >"$T/out" 2>"$T/err"
grep -q "^python3 " "$T/out" && grep -q "^xpython " "$T/out" && grep -q "broken" "$T/err"
check $? "kernels lists specs and reports broken ones" "$(cat "$T/out" "$T/err")"

"$BOBBIN" exec --help | grep -q "usage: bobbin exec"; check $? "exec --help"
"$BOBBIN" --version | grep -q "^bobbin "; check $? "--version"

# On a terminal: SGR colour passes (normalised), nothing else does.
tmux -L $SOCK -f /dev/null new -d -s x -x 100 -y 20 "sh"
tmux -L $SOCK set -g set-titles on
tmux -L $SOCK send-keys -t x "printf '\\033]0;before\\007'; clear; '$BOBBIN' exec -c 'print(\"\\x1b]0;pwned\\x07\\x1b[31mRED\\x1b[0m\\x1b[10;1Hmoved\\x1b[6n do\" + \"ne\")'; echo EX\"\"IT=\$?" Enter
if wait_pane "EXIT="; then
	title=$(tmux -L $SOCK display -p -t x '#{pane_title}')
	[ "$title" != pwned ]; check $? "exec on a terminal: a title change from the kernel does nothing" "title=$title"
	grep -q "REDmoved done" "$T/pane"; check $? "exec on a terminal: cursor movement neutralised, text kept" "$(cat "$T/pane")"
	tmux -L $SOCK capture-pane -p -e -t x >"$T/pane-e"
	grep -q "$(printf '\033')\[[0-9;]*31m" "$T/pane-e" || grep -q "$(printf '\033')\[31m" "$T/pane-e"
	check $? "exec on a terminal: SGR colour passes" "$(od -c "$T/pane-e" | grep -m3 033)"
else
	no "exec on a terminal finished" "$(cat "$T/pane")"
fi

# Ctrl-C interrupts the kernel; the cell raises KeyboardInterrupt and exec exits 1.
tmux -L $SOCK send-keys -t x "clear; '$BOBBIN' exec -c 'import time; print(\"sle\" + \"eping\", flush=True); time.sleep(60)' 2>'$T/int.err'; echo EX\"\"IT=\$?" Enter
if wait_pane "sleeping"; then
	tmux -L $SOCK send-keys -t x C-c
	wait_pane "EXIT=" && grep -q "KeyboardInterrupt" "$T/int.err" && grep -q "EXIT=1" "$T/pane"
	check $? "exec: Ctrl-C interrupts the running code" "$(cat "$T/pane")" "$(head -c 3000 "$T/int.err")"
else
	no "exec: long cell started" "$(cat "$T/pane")"
fi
# Two Ctrl-C within a second exit even when the kernel ignores the interrupt.
tmux -L $SOCK send-keys -t x "clear; '$BOBBIN' exec -c 'import signal,time; signal.signal(signal.SIGINT, signal.SIG_IGN); print(\"de\" + \"af\", flush=True); time.sleep(60)'; echo EX\"\"IT=\$?" Enter
if wait_pane "deaf"; then
	tmux -L $SOCK send-keys -t x C-c
	tmux -L $SOCK send-keys -t x C-c
	wait_pane "EXIT=1"; check $? "exec: a second Ctrl-C within a second exits" "$(cat "$T/pane")"
else
	no "exec: deaf cell started" "$(cat "$T/pane")"
fi
# Nothing left running in our runtime dir's kernels.
# the kernels' files go as they shut down: wait for the expected state, then check it
i=0
while [ $i -lt 100 ] && ls "$JUPYTER_RUNTIME_DIR"/kernel-*.json >/dev/null 2>&1; do sleep 0.1; i=$((i + 1)); done
left=$(ls "$JUPYTER_RUNTIME_DIR"/kernel-*.json 2>/dev/null | wc -l)
[ "$left" = 0 ]; check $? "no connection files left behind" "$(ls "$JUPYTER_RUNTIME_DIR")"
