# SPDX-License-Identifier: GPL-3.0-or-later
# Helpers for tests/e2e/test_console.sh: drive `bobbin console` in a tmux pty and poll the pane
# until expected text appears (or a generous deadline passes); TAP output. Sourced, POSIX sh.
# Each test uses its own tmux server (-L), temp JUPYTER_RUNTIME_DIR and XDG_DATA_HOME.

N=0
FAILED=0
BASE=bobbintest$$
SEQ=0
SOCK=$BASE.0
DEADLINE=${DEADLINE:-30}

ok() { N=$((N + 1)); printf 'ok %d - %s\n' "$N" "$1"; }
notok() {
	N=$((N + 1)); FAILED=$((FAILED + 1)); printf 'not ok %d - %s\n' "$N" "$1"
	echo "# pane:"; pane | sed 's/^/#   /'
}
check() { if [ "$1" -eq 0 ]; then ok "$2"; else notok "$2"; fi; }

# start CMD: a new tmux server running CMD in a 100x30 pane; the pane stays after CMD exits.
start() {
	tmux -L "$SOCK" kill-server 2>/dev/null
	SEQ=$((SEQ + 1)); SOCK=$BASE.$SEQ
	tmux -L "$SOCK" -f /dev/null new -d -x 100 -y 30 \
		"$1; echo \"[exit \$?]\"; sleep 600"
	tmux -L "$SOCK" set -g remain-on-exit on >/dev/null 2>&1
}
stop() { tmux -L "$SOCK" kill-server 2>/dev/null; }
keys() { tmux -L "$SOCK" send-keys "$@"; }
# Literal text (no key names).
type_text() { tmux -L "$SOCK" send-keys -l "$1"; }
pane() { tmux -L "$SOCK" capture-pane -p -N -S -200 2>/dev/null; }
# wait_for ERE [seconds]: 0 once the pane matches.
wait_for() {
	end=$(( $(date +%s) + ${2:-$DEADLINE} ))
	while [ "$(date +%s)" -le "$end" ]; do
		pane | grep -Eq -- "$1" && return 0
		# Polling interval, not synchronisation: the loop ends on the text or the deadline.
		sleep 0.1
	done
	return 1
}
# count ERE: lines of the pane matching.
count() { pane | grep -Ec -- "$1"; }

# setup_root: a temp dir $TMPROOT removed on exit with the tmux server (and the kernel $KPID,
# when a test started one); the whole test is skipped when tmux is not installed.
setup_root() {
	TMPROOT=$(mktemp -d)
	KPID=
	trap 'stop; [ -n "$KPID" ] && kill "$KPID" 2>/dev/null; rm -rf "$TMPROOT"' EXIT
	trap 'exit 1' INT TERM HUP
	if ! command -v tmux >/dev/null 2>&1; then
		echo "ok 1 - # SKIP tmux is not installed"
		exit 0
	fi
}
