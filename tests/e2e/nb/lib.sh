# SPDX-License-Identifier: GPL-3.0-or-later
# Helpers for the notebook screen's end-to-end tests: bobbin runs in a private tmux server, keys
# go in with send-keys, and the screen is read with capture-pane, polled until the expected text
# shows or a generous deadline passes (never a bare sleep as synchronisation). Sourced by
# tests/e2e/test_notebook*.sh after they set T (a temp dir).
PY=/usr/bin/python3
SOCK="bobbin-nb-$$-0"
sessions=0
TM() { tmux -L "$SOCK" "$@"; }
n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
notok() {
	n=$((n + 1)); echo "not ok $n - $1"; shift
	for l in "$@"; do printf '# %s\n' "$l"; done
	screen | sed 's/^/#   | /'
}
cleanup() {
	i=0
	while [ $i -le $sessions ]; do tmux -L "bobbin-nb-$$-$i" kill-server 2>/dev/null; i=$((i + 1)); done
	sh "$HERE/nb/end_sessions.sh"
	# the kernels' last files may still be going away
	for i in 1 2 3 4 5 6 7 8 9 10; do rm -rf "$T" 2>/dev/null && break; sleep 0.5; done
}
export JUPYTER_RUNTIME_DIR="$T/runtime" XDG_CONFIG_HOME="$T/config" XDG_DATA_HOME="$T/data"
mkdir -p "$JUPYTER_RUNTIME_DIR" "$XDG_CONFIG_HOME/bobbin" "$XDG_DATA_HOME"

# start [-x W -y H] [ENV=V ...] -- ARGS: a fresh session running bobbin in $T (the one before
# ended; with KEEP_SESSIONS set, its bobbin goes on detached)
start() {
	w=100 h=30
	while [ $# -gt 0 ]; do
		case $1 in
		-x) w=$2; shift 2 ;;
		-y) h=$2; shift 2 ;;
		*) break ;;
		esac
	done
	envs=""
	while [ $# -gt 0 ] && [ "$1" != "--" ]; do envs="$envs $1"; shift; done
	[ "${1:-}" = "--" ] && shift
	TM kill-server 2>/dev/null
	# the bobbin killed with its terminal goes on as a detached session (docs/detach.md): ended
	# here, as it ended with the terminal before, unless the test is about that
	[ -n "${KEEP_SESSIONS:-}" ] || sh "$HERE/nb/end_sessions.sh"
	sessions=$((sessions + 1))
	SOCK="bobbin-nb-$$-$sessions"
	# keep the test's environment out of tmux's global one except what we pass
	TM -f /dev/null new-session -d -x "$w" -y "$h" -c "$T" \
		"env TERM=xterm-256color LANG=C.UTF-8 LC_ALL= $envs JUPYTER_RUNTIME_DIR=$JUPYTER_RUNTIME_DIR XDG_CONFIG_HOME=$XDG_CONFIG_HOME XDG_DATA_HOME=$XDG_DATA_HOME $BOBBIN $*; echo BOBBIN-EXIT \$?; sleep 600"
	TM set-option -g set-clipboard on >/dev/null 2>&1
	TM set-option -g allow-rename on >/dev/null 2>&1
}
screen() { TM capture-pane -p 2>/dev/null; }
keys() { TM send-keys "$@"; }
hexkeys() { TM send-keys -H "$@"; }
# wait_for TEXT [SECONDS]: 0 when TEXT (fixed string) is on the screen before the deadline
wait_for() {
	limit=$(( $(date +%s) + ${2:-40} ))
	while [ "$(date +%s)" -le "$limit" ]; do
		screen | grep -qF -- "$1" && return 0
		TM has-session 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}
# until_ok SECONDS CMD...: 0 as soon as CMD succeeds, 1 if it still fails at the deadline
until_ok() {
	lim=$(( $(date +%s) + $1 )); shift
	while [ "$(date +%s)" -le "$lim" ]; do
		"$@" && return 0
		sleep 0.1
	done
	return 1
}
# wait_gone TEXT [SECONDS]
wait_gone() {
	limit=$(( $(date +%s) + ${2:-40} ))
	while [ "$(date +%s)" -le "$limit" ]; do
		screen | grep -qF -- "$1" || return 0
		sleep 0.1
	done
	return 1
}
# wait_file PATH [SECONDS]
wait_file() {
	limit=$(( $(date +%s) + ${2:-40} ))
	while [ "$(date +%s)" -le "$limit" ]; do
		[ -e "$1" ] && return 0
		sleep 0.1
	done
	return 1
}
# t NAME TEXT [SECONDS]: a test that TEXT shows
t() { if wait_for "$2" "${3:-40}"; then ok "$1"; else notok "$1" "waited for: $2"; fi; }
# idle: the kernel answered
idle() { wait_for " idle" "${1:-60}"; }
# cmd LINE: a `:` command
cmd() { keys Escape; wait_for COMMAND 10; keys ":$1" Enter; }
# mknb FILE CELL...: a notebook of code cells (a cell starting with "md:" is markdown)
mknb() {
	f=$1; shift
	$PY - "$f" "$@" <<'PYEOF'
import sys, nbformat
nb = nbformat.v4.new_notebook()
nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
for s in sys.argv[2:]:
    if s.startswith("md:"):
        nb.cells.append(nbformat.v4.new_markdown_cell(s[3:]))
    else:
        nb.cells.append(nbformat.v4.new_code_cell(s))
nbformat.write(nb, sys.argv[1])
PYEOF
}
# sources FILE: the saved notebook's cell sources, one per line, newlines as |
sources() {
	$PY -c 'import json,sys; print("\n".join(c["cell_type"][0]+":"+"".join(c["source"]).replace("\n","|") for c in json.load(open(sys.argv[1]))["cells"]))' "$1"
}
