#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# --ssh HOST end to end on loopback: a private sshd on 127.0.0.1 (tests/e2e/ssh/lib.sh), kernels
# started "remotely" through it or attached with --existing, bobbin exec, run, console (input())
# and the notebook screen through the tunnel; the tunnel's ssh killed mid-session (the state
# shown, the recovery, the marker on a cell whose output may be lost); a ControlMaster
# configuration; bad input (exit 2, one line naming the host, no ssh child or socket left).
# Prints TAP.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
BOBBIN=${BOBBIN:-$HERE/../../bobbin}
case $BOBBIN in /*) ;; *) BOBBIN=$PWD/$BOBBIN ;; esac
T=$(mktemp -d /tmp/bobbin-ssh-test-XXXXXX)
. "$HERE/nb/lib.sh"
. "$HERE/ssh/lib.sh"
trap 'ssh_down; kill $KPID 2>/dev/null; cleanup' EXIT INT TERM
KPID=""
PY=/usr/bin/python3
check() { if [ "$1" = 0 ]; then ok "$2"; else notok "$2" "${3:-}"; fi; }
# wait_re ERE [SECONDS]: 0 when a line of the screen matches
wait_re() {
	limit=$(( $(date +%s) + ${2:-40} ))
	while [ "$(date +%s)" -le "$limit" ]; do
		screen | grep -Eq -- "$1" && return 0
		sleep 0.1
	done
	return 1
}

if [ ! -x "$SSHD" ]; then
	echo "1..0 # SKIP no $SSHD (make deps installs openssh-server)"
	exit 0
fi
if ! ssh_up; then
	echo "not ok 1 - the private sshd starts"
	exit 1
fi
ok "a private sshd on 127.0.0.1:$SSH_PORT answers"

# No ssh child, no socket or directory of ours left, no kernel of ours left running.
clean() {
	sleep_left=50
	while [ -n "$(ssh_children)" ] && [ $sleep_left -gt 0 ]; do sleep 0.1; sleep_left=$((sleep_left - 1)); done
	[ -z "$(ssh_children)" ] && [ -z "$(ssh_leftovers)" ]
}
why_unclean() { echo "children: $(ssh_children) left: $(ssh_leftovers)"; }

# ---- a kernel started on the host (-k) ----
out=$("$BOBBIN" exec --ssh $HOST -k python3 -c 'import os; print(os.environ.get("JUPYTER_RUNTIME_DIR")); 1+1' 2>"$T/err"); rc=$?
[ "$rc" = 0 ] && [ "$out" = "$T/rt
2" ]; check $? "exec --ssh -k python3: the kernel runs on the host (its runtime dir) and answers" "rc=$rc out=$out err=$(cat "$T/err")"
clean; check $? "exec --ssh: no ssh child, socket or directory left" "$(why_unclean)"
[ -z "$(ls "$T/rt")" ] && ! pgrep -f "$T/rt/kernel-" >/dev/null
check $? "exec --ssh -k: the remote kernel is shut down and its files removed on exit" "$(ls "$T/rt")"

# --ssh-keep: the kernel outlives bobbin, and the line to attach again is printed.
"$BOBBIN" exec --ssh $HOST --ssh-keep -c 'kept = 7' >"$T/out" 2>"$T/err"; rc=$?
f=$(sed -n 's/.*--existing=\([^ ]*\)$/\1/p' "$T/err")
[ "$rc" = 0 ] && [ -n "$f" ] && [ -f "$f" ]; check $? "--ssh-keep: the kernel keeps running and its connection file is named" "rc=$rc $(cat "$T/err")"
out=$("$BOBBIN" exec --ssh $HOST --existing="$f" -c 'kept * 6' 2>"$T/err"); rc=$?
[ "$rc" = 0 ] && [ "$out" = 42 ]; check $? "--existing=FILE over ssh: attaches to the kept kernel" "rc=$rc out=$out $(cat "$T/err")"
kpid=$("$BOBBIN" exec --ssh $HOST --existing="$f" -c 'import os; print(os.getpid())' 2>/dev/null)
[ -n "$kpid" ] && kill "$kpid"
rm -f "$f" "${f%.json}.log"

# ---- a kernel started "remotely" by hand, attached with --existing ----
setsid $PY -m ipykernel_launcher -f "$T/rt/kernel-hand.json" >"$T/kernel.log" 2>&1 &
KPID=$!
wait_file "$T/rt/kernel-hand.json" 60
out=$("$BOBBIN" exec --ssh $HOST --existing -c 'x = 41; x + 1' 2>"$T/err"); rc=$?
[ "$rc" = 0 ] && [ "$out" = 42 ]; check $? "exec --ssh --existing: the newest remote kernel-*.json" "rc=$rc out=$out $(cat "$T/err")"
out=$("$BOBBIN" exec --ssh $HOST --existing=hand -c 'x' 2>"$T/err"); rc=$?
[ "$rc" = 0 ] && [ "$out" = 41 ]; check $? "exec --ssh --existing=ID: found by name in the remote runtime dir, the kernel kept" "rc=$rc out=$out $(cat "$T/err")"
clean; check $? "attach over ssh: nothing left behind" "$(why_unclean)"

# ---- bobbin run ----
mknb "$T/r.ipynb" "a = 20" "print(a + 3)"
"$BOBBIN" run --ssh $HOST "$T/r.ipynb" -o "$T/r.out.ipynb" >"$T/out" 2>"$T/err"; rc=$?
[ "$rc" = 0 ] && grep -q '"23' "$T/r.out.ipynb"; check $? "run --ssh: a notebook runs on a kernel started on the host" "rc=$rc $(cat "$T/err")"
"$BOBBIN" run --ssh $HOST --existing=hand "$T/r.ipynb" -o "$T/r2.out.ipynb" >"$T/out" 2>"$T/err"; rc=$?
[ "$rc" = 0 ] && grep -q '"23' "$T/r2.out.ipynb"; check $? "run --ssh --existing: on the remote kernel" "rc=$rc $(cat "$T/err")"
clean; check $? "run --ssh: nothing left behind" "$(why_unclean)"

# ---- the console, input(), and the link killed mid-session ----
tunnel_pid() { pgrep -f -- "-F $T/ssh_config .* -tt " | head -n 1; }
start -- console --ssh $HOST --existing=hand
t "console --ssh: the prompt comes" "In [" 40
keys 'name = input("Name? ")' Enter
wait_re '^Name\? ?$' 30; check $? "console --ssh: input() shows its prompt"
keys Ada Enter; keys 'name.upper()' Enter
t "console --ssh: input() got the answer" "'ADA'" 30
p=$(tunnel_pid)
[ -n "$p" ] && kill -9 "$p"
t "console: the tunnel's death is said at once" "ssh link lost" 10
# is_complete times out (1 s) while the link is down: a blank line ends the block then.
keys 'print("queued", 6 * 7)' Enter Enter
t "console: a request typed while the link is down goes through once it is back" "queued 42" 40
p2=$(tunnel_pid)
[ -n "$p2" ] && [ "$p2" != "$p" ]; check $? "console: a new ssh child carries the tunnel" "old=$p new=$p2"
keys C-d
t "console --ssh: Ctrl-D quits" "BOBBIN-EXIT 0" 20
clean; check $? "console --ssh: nothing left behind after quitting" "$(why_unclean)"

# ---- a kernel started on the host: Ctrl-C by `ssh HOST kill -INT`, \restart ----
start -- console --ssh $HOST -k python3
t "console --ssh -k: the prompt comes" "In [" 60
keys 'import os, time; print("pid", os.getpid()); time.sleep(60)' Enter
wait_re '^pid [0-9]+$' 30
pid1=$(screen | sed -n 's/^pid \([0-9]*\)$/\1/p' | head -n 1)
t0=$(date +%s)
keys C-c
t "console --ssh -k: Ctrl-C interrupts the remote kernel (interrupt_mode signal)" "Traceback (most recent call last)" 20
[ $(( $(date +%s) - t0 )) -lt 20 ]; check $? "console --ssh -k: the interrupt took effect well before the sleep ended"
keys '\restart' Enter
wait_for "kernel is ready" 60 && wait_re '^In \[1\]: ?$' 30
check $? "console --ssh -k: the restart command restarts the remote kernel"
keys 'import os; print("pid", os.getpid())' Enter
i=0
while [ "$(screen | grep -cE '^pid [0-9]+$')" -lt 2 ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
pid2=$(screen | sed -n 's/^pid \([0-9]*\)$/\1/p' | tail -n 1)
[ -n "$pid2" ] && [ "$pid2" != "$pid1" ] && ! kill -0 "$pid1" 2>/dev/null
check $? "console --ssh -k: a new kernel process, the old one gone" "old=$pid1 new=$pid2"
keys C-d
t "console --ssh -k: Ctrl-D quits" "BOBBIN-EXIT 0" 30
! kill -0 "$pid2" 2>/dev/null && [ -z "$(ls "$T/rt" | grep -v kernel-hand)" ]
check $? "console --ssh -k: the remote kernel is shut down on quit" "$(ls "$T/rt")"
clean; check $? "console --ssh -k: nothing left behind" "$(why_unclean)"

# ---- the notebook screen through the tunnel ----
mknb "$T/s.ipynb" "n = globals().get('n', 0) + 1; print('via', 'ssh', n)" "import time; time.sleep(4); print('after the outage')"
start -- --ssh $HOST --existing=hand s.ipynb
t "notebook --ssh: the screen opens" "cell 1/2" 30
idle 60; check $? "notebook --ssh: the remote kernel is idle"
keys F5
t "notebook --ssh: a cell runs through the tunnel" "via ssh 1" 30
keys j; wait_for "cell 2/2" 10; keys F5
wait_for " busy" 20
p=$(tunnel_pid)
[ -n "$p" ] && kill -9 "$p"
t "notebook: the status line says ssh link lost" "ssh link lost" 10
t "notebook: the running cell completes after the link is back" "after the outage" 40
t "notebook: the cell is marked: output of the outage may be missing" "output may be missing" 30
idle 30; check $? "notebook: idle again after the reconnection"
keys g g; wait_for "cell 1/3" 10; keys F5
t "notebook: cells run after the recovery" "via ssh 2" 30
keys Escape; wait_for COMMAND 10; cmd "q!"
t "notebook --ssh: quits" "BOBBIN-EXIT 0" 20
clean; check $? "notebook --ssh: nothing left behind" "$(why_unclean)"

# ---- a ControlMaster in the user's config: our ssh must not hand its forwards to it ----
{ printf 'Host bobbintest\n  ControlMaster auto\n  ControlPath %s/cm-%%C\n  ControlPersist 60\n' "$T"; cat "$T/ssh_config"; } >"$T/ssh_config_cm"
ssh -F "$T/ssh_config_cm" bobbintest true
[ -S "$(ls "$T"/cm-* 2>/dev/null | head -n 1)" ]; check $? "ControlMaster: a master is running for the host"
out=$(BOBBIN_SSH="ssh -F $T/ssh_config_cm" "$BOBBIN" exec --ssh $HOST --existing=hand -c '3 * 3' 2>"$T/err"); rc=$?
[ "$rc" = 0 ] && [ "$out" = 9 ]; check $? "ControlMaster: the tunnel works" "rc=$rc out=$out $(cat "$T/err")"
# Through the master the forwards would be the master's: still listening after bobbin is gone.
left=$(grep -c "$T/tmp/" /proc/net/unix)
[ "$left" = 0 ]; check $? "ControlMaster: no forward left listening in the master (ControlPath=none)" "$left sockets"
ssh -F "$T/ssh_config_cm" -O exit bobbintest 2>/dev/null

# ---- bad input: exit 2, one line naming the host and the cause, nothing left ----
bad() { # NAME EXPECTED-TEXT ARGS...
	name=$1 want=$2; shift 2
	timeout 60 "$BOBBIN" exec "$@" -c 1 >"$T/out" 2>"$T/err"; rc=$?
	[ "$rc" = 2 ] && head -n 1 "$T/err" | grep -q -- "$want"
	check $? "bad input: $name: exit 2 and one line that says so" "rc=$rc $(cat "$T/err")"
	clean; check $? "bad input: $name: no ssh child or socket left" "$(why_unclean)"
}
bad "unknown host" "nosuch.invalid: .*[Cc]ould not resolve" --ssh nosuch.invalid
bad "refused key" "wrongkey: .*Permission denied" --ssh wrongkey
bad "remote file missing" "$HOST: /nonexistent/kernel-1.json: no such file" --ssh $HOST --existing=/nonexistent/kernel-1.json
printf 'hello\n' >"$T/notconn.json"
bad "not a connection file" "$HOST:$T/notconn.json: not a connection file" --ssh $HOST --existing="$T/notconn.json"
bad "no such kernelspec there" "no kernel named \"nosuch\" is installed there" --ssh $HOST -k nosuch
sed 's/"shell_port": [0-9]*/"shell_port": 1/; s/"hb_port": [0-9]*/"hb_port": 2/' "$T/rt/kernel-hand.json" >"$T/dead.json"
bad "remote kernel dead" "no kernel answers" --ssh $HOST --existing="$T/dead.json"
mkdir -p "$T/jp/kernels/broken"
printf '{"argv": ["/bin/sh", "-c", "echo boom >&2; exit 3", "{connection_file}"], "display_name": "B", "language": "x"}\n' >"$T/jp/kernels/broken/kernel.json"
bad "remote kernel dies at start" "$HOST: the kernel died at start" --ssh $HOST -k broken
"$BOBBIN" exec --ssh >"$T/out" 2>"$T/err"; rc=$?
[ "$rc" = 2 ] && grep -q "needs a host" "$T/err"; check $? "--ssh without a host: exit 2 and a usage line" "rc=$rc $(cat "$T/err")"

# ---- kernels --ssh ----
"$BOBBIN" kernels --ssh $HOST >"$T/out" 2>"$T/err"; rc=$?
[ "$rc" = 0 ] && grep -q "^broken " "$T/out" && grep -q "^python3 " "$T/out"
check $? "kernels --ssh: the host's kernelspecs" "rc=$rc $(cat "$T/out" "$T/err")"

echo "1..$n"
