# SPDX-License-Identifier: GPL-3.0-or-later
# A 120x40 variant of lib.sh's sessions for the routing tests (test_routing_ui.sh,
# test_routing_screen.sh), sourced after lib.sh with WIDE set to a word naming the test: tmux
# servers bobbin-$WIDE-PID-N (apart from a concurrent test_notebook), $HOME in $T, cleanup on exit,
# and poll, which waits for a shell predicate on the screen. POSIX sh.
SOCK="bobbin-$WIDE-$$-0"
export HOME="$T/home"
mkdir -p "$HOME"
cleanup() {
	i=0
	while [ $i -le $sessions ]; do tmux -L "bobbin-$WIDE-$$-$i" kill-server 2>/dev/null; i=$((i + 1)); done
	sh "$HERE/nb/end_sessions.sh"
	for i in 1 2 3 4 5 6 7 8 9 10; do rm -rf "$T" 2>/dev/null && break; sleep 0.5; done
}
trap cleanup EXIT
trap 'exit 1' INT TERM
start() {
	TM kill-server 2>/dev/null
	sh "$HERE/nb/end_sessions.sh"
	sessions=$((sessions + 1))
	SOCK="bobbin-$WIDE-$$-$sessions"
	TM -f /dev/null new-session -d -x 120 -y 40 -c "$T" \
		"env TERM=xterm-256color LANG=C.UTF-8 LC_ALL= HOME=$HOME JUPYTER_RUNTIME_DIR=$JUPYTER_RUNTIME_DIR XDG_CONFIG_HOME=$XDG_CONFIG_HOME XDG_DATA_HOME=$XDG_DATA_HOME $BOBBIN $*; echo BOBBIN-EXIT \$?; sleep 600"
}
# poll CMD [SECONDS]: 0 when the shell function CMD succeeds on the screen before the deadline
poll() {
	limit=$(( $(date +%s) + ${2:-40} ))
	while [ "$(date +%s)" -le "$limit" ]; do
		screen | $1 && return 0
		TM has-session 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}
