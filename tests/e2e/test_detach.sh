#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# A notebook session that survives its terminal (docs/detach.md): a cell printing a counter every
# 0.1 s, the terminal killed mid-run (tmux kill-server: a real hangup) or left with D D, the
# notebook reopened mid-run with `bobbin NB`: the saved notebook holds every value once, in
# order; a cell queued behind it runs while detached; the kernel lives through the hangup and
# is shut down by quitting after the reattach; a second terminal is refused, --take takes over;
# the kernel dying, the file changing and the recovery file failing while detached are said on
# reattach; a detached idle session does not spin; a stale socket is removed. Prints TAP. Needs $BOBBIN, tmux and Debian's ipykernel.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
BOBBIN=${BOBBIN:-$HERE/../../bobbin}
T=$(mktemp -d /tmp/bobbin-detach-XXXXXX)
KEEP_SESSIONS=1
. "$HERE/nb/lib.sh"
SOCK2="bobbin-detach2-$$-0" others=0
trap 'for i in 1 2 3; do tmux -L "bobbin-detach2-$$-$i" kill-server 2>/dev/null; done; cleanup' EXIT INT TERM

N=100
COUNTER="import time
for i in range($N):
    print(i, flush=True)
    time.sleep(0.1)"
# counted FILE: 0 when the first cell's stream output is 0..N-1, each once, in order
counted() {
	$PY - "$1" "$N" <<'PYEOF'
import json, sys
c = json.load(open(sys.argv[1]))["cells"][0]
text = "".join("".join(o.get("text", "")) for o in c["outputs"] if o.get("output_type") == "stream")
sys.exit(0 if text == "".join("%d\n" % i for i in range(int(sys.argv[2]))) else 1)
PYEOF
}
# shown V: the counter's value V is a line of its own on the screen
shown() { screen | grep -qx " *$1 *"; }
# rec_has NB V: the recovery file of NB holds the counter's value V
rec_has() { [ -f "$T/.$1.recovery" ] && grep -qF "\"$2\\n\"" "$T/.$1.recovery"; }
kpid() { pgrep -f "$JUPYTER_RUNTIME_DIR/kernel" | head -1; }
spid() { "$BOBBIN" sessions 2>/dev/null | awk 'NR > 1 && $1 ~ /^[0-9]+$/ { print $1 }' | head -1; }
listed_detached() { "$BOBBIN" sessions 2>/dev/null | grep -q " detached "; }
gone() { s=$(ps -o stat= -p "$1" 2>/dev/null); [ -z "$s" ] || [ "${s#Z}" != "$s" ]; }
alive() { ! gone "$1"; }
no_sessions() { [ "$("$BOBBIN" sessions 2>/dev/null)" = "no sessions" ]; }
# other ARGS: bobbin ARGS in another tmux server (a new one each time)
other() {
	others=$((others + 1)); SOCK2="bobbin-detach2-$$-$others"
	tmux -L "$SOCK2" -f /dev/null new-session -d -x 100 -y 30 -c "$T" \
		"env TERM=xterm-256color LANG=C.UTF-8 LC_ALL= JUPYTER_RUNTIME_DIR=$JUPYTER_RUNTIME_DIR XDG_CONFIG_HOME=$XDG_CONFIG_HOME XDG_DATA_HOME=$XDG_DATA_HOME $BOBBIN $*; echo BOBBIN-EXIT \$?; sleep 600"
}
other_screen() { tmux -L "$SOCK2" capture-pane -p 2>/dev/null; }
other_shows() { other_screen | grep -qF -- "$1"; }

# ---- a hangup mid-run, with a cell queued behind; reattach mid-run ----
mknb "$T/h.ipynb" "$COUNTER" "print('second', 'cell', 'done')"
start -- h.ipynb
idle
kp=$(kpid)
keys R R
t "hangup: the second cell is queued behind the counter" "+1 queued" 20
until_ok 20 shown 25
TM kill-server # the terminal goes: a real hangup
if until_ok 10 listed_detached; then ok "hangup: bobbin sessions lists the session as detached"; else notok "hangup: session listed" "$("$BOBBIN" sessions 2>&1)"; fi
sp=$(spid)
if [ -n "$kp" ] && alive "$kp" && [ "$(ps -o ppid= -p "$kp" | tr -d ' ')" = "$sp" ]; then
	ok "hangup: the kernel lives on, a child of the session"
else notok "hangup: kernel $kp (session $sp)" "$(ps -ef | grep -v grep | grep -e ipykernel -e bobbin)"; fi
# another user gets nothing from the session even where the socket's mode would let it in
# (root only: the test opens the modes and connects as nobody)
hello_as() { # hello_as SETPRIV-ARGS...: what the session answers "hello" with
	"$@" $PY -c 'import socket,sys
s=socket.socket(socket.AF_UNIX); s.settimeout(3)
try: s.connect(sys.argv[1]); s.sendall(b"hello\n"); print(s.recv(4096).decode(errors="replace"))
except OSError: pass' "$(ls "$JUPYTER_RUNTIME_DIR"/bobbin-session-*.sock | head -1)" 2>&1
}
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	chmod 0711 "$T" "$JUPYTER_RUNTIME_DIR"; chmod 0666 "$JUPYTER_RUNTIME_DIR"/bobbin-session-*.sock
	mine=$(hello_as) other=$(hello_as setpriv --reuid=65534 --regid=65534 --clear-groups)
	chmod 0700 "$T" "$JUPYTER_RUNTIME_DIR"; chmod 0600 "$JUPYTER_RUNTIME_DIR"/bobbin-session-*.sock
	if [ -n "$mine" ] && [ -z "$other" ]; then ok "socket: another user is refused, the owner answered"
	else notok "socket: another user" "owner: $mine" "other: $other"; fi
else ok "# SKIP socket: needs root to connect as another user"; fi
if until_ok 20 rec_has h.ipynb 60; then ok "hangup: output produced while detached reaches the recovery file"; else notok "hangup: recovery file" "$(ls -la "$T")"; fi
start -- h.ipynb
t "reattach: bobbin NB reattaches and says so" "reattached to a detached session (pid $sp" 20
if shown 99; then notok "reattach: mid-run (the counter had ended)"; else ok "reattach: mid-run"; fi
t "queued: the second cell ran" "second cell done" 30
idle
cmd w
t "save: :w after the reattach" "saved" 10
if counted "$T/h.ipynb"; then ok "hangup: the saved notebook holds every value 0..$((N - 1)) once, in order"
else notok "hangup: counter values" "$($PY -c 'import json,sys; print(json.load(open(sys.argv[1]))["cells"][0]["outputs"])' "$T/h.ipynb" | head -c 600)"; fi
if $PY -c 'import json,sys; c=json.load(open(sys.argv[1]))["cells"][1]; sys.exit(0 if "".join(c["outputs"][0]["text"]) == "second cell done\n" and c["execution_count"] else 1)' "$T/h.ipynb"; then
	ok "queued: its output and execution count are saved"
else notok "queued: second cell saved"; fi
cmd q
t "quit: after the reattach bobbin quits" "BOBBIN-EXIT 0" 30
if until_ok 20 gone "$kp"; then ok "quit: the kernel is shut down"; else notok "quit: kernel $kp still there"; fi
if no_sessions && ! ls "$JUPYTER_RUNTIME_DIR"/bobbin-session-*.sock >/dev/null 2>&1; then ok "quit: no session and no socket left"
else notok "quit: sessions left" "$("$BOBBIN" sessions 2>&1)" "$(ls -la "$JUPYTER_RUNTIME_DIR")"; fi

# ---- the detach key mid-run; a second terminal refused, then taking over ----
mknb "$T/d.ipynb" "$COUNTER"
start -- d.ipynb
idle
keys R
until_ok 20 shown 25
keys D D
t "detach: D D gives the terminal back and says how to come back" "bobbin d.ipynb reattaches" 10
t "detach: the client exits 0" "BOBBIN-EXIT 0" 10
if until_ok 20 rec_has d.ipynb 60; then ok "detach: output produced while detached reaches the recovery file"; else notok "detach: recovery file"; fi
start -- d.ipynb
t "detach: bobbin NB reattaches" "reattached to a detached session" 20
if shown 99; then notok "detach: reattached mid-run (the counter had ended)"; else ok "detach: reattached mid-run"; fi
other d.ipynb
if until_ok 20 other_shows "BOBBIN-EXIT 1" && other_shows "d.ipynb is open in another terminal (pid" &&
	other_shows "bobbin attach --take d.ipynb takes it over"; then
	ok "second terminal: refused clearly, exit 1"
else notok "second terminal: refused" "$(other_screen)"; fi
other attach --take d.ipynb
t "take: the first terminal is told and its client exits 0" "BOBBIN-EXIT 0" 20
if screen | grep -qF "d.ipynb was taken over by another terminal"; then ok "take: the message names the notebook"; else notok "take: message"; fi
if until_ok 20 other_shows "taken over from another terminal"; then ok "take: the second terminal has the screen"; else notok "take: second screen" "$(other_screen)"; fi
until_ok 30 other_shows " idle"
tmux -L "$SOCK2" send-keys Escape ":w" Enter
until_ok 10 other_shows "saved"
if counted "$T/d.ipynb"; then ok "detach: the saved notebook holds every value 0..$((N - 1)) once, in order"; else notok "detach: counter values" "$(other_screen)"; fi
tmux -L "$SOCK2" send-keys ":q" Enter
if until_ok 30 other_shows "BOBBIN-EXIT 0"; then ok "take: quitting there ends the session"; else notok "take: quit" "$(other_screen)"; fi
tmux -L "$SOCK2" kill-server
sh "$HERE/nb/end_sessions.sh" # (only when something above failed)

# ---- faults while detached: the kernel dies, the file changes on disk, the recovery file
# cannot be written (a directory in its place: the same failure as a full disk) ----
mknb "$T/f.ipynb" "x = 1"
start -x 250 -- f.ipynb
idle
kp=$(kpid)
keys Enter " + 2" Escape
wait_for "x = 1 + 2" 10
mkdir -p "$T/.f.ipynb.recovery/in-the-way"
keys D D
wait_for "BOBBIN-EXIT 0" 10
# detached with nothing to do, the session sleeps in its poll (it once spun: nothing is drawn)
sp=$(spid)
ticks() { awk '{ print $14 + $15 }' "/proc/$sp/stat"; }
t0=$(ticks); sleep 2; t1=$(ticks)
if [ $((t1 - t0)) -lt 40 ]; then ok "detached: the idle session uses little CPU ($((t1 - t0)) ticks in 2 s)"
else notok "detached: the session spins ($((t1 - t0)) ticks in 2 s)"; fi
kill -9 "$kp"
until_ok 10 gone "$kp"
mknb "$T/f.ipynb" "x = 'changed elsewhere'"
start -x 250 -- f.ipynb
t "fault: the kernel's death while detached is said on reattach" "the kernel died while detached" 20
t "fault: so is the file changed on disk" "the file changed on disk (:w! overwrites it)" 10
t "fault: and the kernel shows dead" " dead" 10
t "fault: and the recovery file that could not be written" "while detached: recovery file .f.ipynb.recovery: write failed" 10
if [ -d "$T/.f.ipynb.recovery/in-the-way" ] && ! ls "$T"/.f.ipynb.recovery.* >/dev/null 2>&1; then
	ok "fault: what was in the recovery file's place is untouched, no temporary file left"
else notok "fault: recovery failure left" "$(ls -la "$T")"; fi
keys Enter " + 1" Escape
cmd w
t "fault: :w refuses to overwrite the changed file" "not saved" 10
if grep -q "changed elsewhere" "$T/f.ipynb"; then ok "fault: the file changed elsewhere is untouched"; else notok "fault: file overwritten"; fi
cmd q!
wait_for BOBBIN-EXIT 20

# ---- a stale socket from a crashed session ----
$PY -c 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.close()' \
	"$JUPYTER_RUNTIME_DIR/bobbin-session-0123456789abcdef.sock"
out=$("$BOBBIN" sessions 2>&1)
if echo "$out" | grep -q "removed a stale session socket" && [ ! -e "$JUPYTER_RUNTIME_DIR/bobbin-session-0123456789abcdef.sock" ]; then
	ok "stale: bobbin sessions removes a stale socket and says so"
else notok "stale socket" "$out"; fi
out=$("$BOBBIN" attach 2>&1 </dev/null); rc=$?
if [ $rc = 2 ] && echo "$out" | grep -q "needs a terminal"; then ok "attach: without a terminal, one line and exit 2"; else notok "attach without a tty: $rc $out"; fi
