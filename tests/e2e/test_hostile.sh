#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Hostile strings from outside (a notebook's kernelspec name, a kernel's output and error fields,
# a kernel's stderr when it dies at start, kernelspec fields and directory names, connection file
# values) reach the terminal as text only: in a tmux pane with set-titles and set-clipboard on,
# each of run, exec, console, kernels and the notebook screen runs against them, and after each
# the pane title is unchanged, no tmux buffer was created (OSC 52) and a marker printed before it
# is still on the screen (no clear). Prints TAP. Needs tmux and Debian's ipykernel.
BOBBIN=${BOBBIN:-$PWD/bobbin}
T=$(mktemp -d)
SOCK=bobbin-hostile-$$
trap 'tmux -L $SOCK kill-server 2>/dev/null; sh "$(dirname "$0")/nb/end_sessions.sh"; rm -rf "$T"' EXIT
export JUPYTER_RUNTIME_DIR="$T/runtime" XDG_CONFIG_HOME="$T/config" XDG_DATA_HOME="$T/data"
mkdir -p "$JUPYTER_RUNTIME_DIR" "$XDG_CONFIG_HOME" "$XDG_DATA_HOME"
n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
no() { n=$((n + 1)); echo "not ok $n - $1"; shift; for l in "$@"; do printf '%s\n' "$l" | sed 's/^/# /'; done; }
TM() { tmux -L $SOCK "$@"; }

if ! command -v tmux >/dev/null 2>&1; then echo "ok 1 - # SKIP tmux is not installed"; exit 0; fi

# The payload, in JSON string form: title, clipboard (OSC 52 "pwned"), clear and home.
HJ='\u001b]0;pwned\u0007\u001b]52;c;cHduZWQ=\u0007\u001b[2J\u001b[H'
# The same bytes for the shell's printf.
HS='\033]0;pwned\007\033]52;c;cHduZWQ=\007\033[2J\033[H'

mkdir -p "$T/kp/kernels/dies" "$T/kp/kernels/badmode" "$T/kp/kernels/lang"
printf '{"argv": ["/bin/sh", "-c", "printf %s >&2; exit 4"], "display_name": "d", "language": "x"}\n' \
	"'$(printf '%s' "$HS" | sed 's/\\/\\\\/g')'" >"$T/kp/kernels/dies/kernel.json"
printf '{"argv": ["/usr/bin/python3", "-m", "ipykernel_launcher", "-f", "{connection_file}"], "display_name": "m", "language": "python", "interrupt_mode": "%s"}\n' \
	"$HJ" >"$T/kp/kernels/badmode/kernel.json"
printf '{"argv": ["/bin/true"], "display_name": "l", "language": "%s"}\n' "$HJ" >"$T/kp/kernels/lang/kernel.json"
evil="$T/kp/kernels/$(printf 'ev\033]0;pwned\007il')"
mkdir -p "$evil" && printf '{"argv": [' >"$evil/kernel.json"
printf '{"shell_port": 1, "iopub_port": 2, "stdin_port": 3, "control_port": 4, "hb_port": 5, "ip": "127.0.0.1", "key": "k", "transport": "%s"}\n' \
	"$HJ" >"$T/transport.json"
printf '{"shell_port": 1, "iopub_port": 2, "stdin_port": 3, "control_port": 4, "hb_port": 5, "ip": "127.0.0.1", "key": "k", "transport": "tcp", "signature_scheme": "%s"}\n' \
	"$HJ" >"$T/scheme.json"
printf '{"cells": [{"cell_type": "code", "execution_count": null, "id": "a", "metadata": {}, "outputs": [], "source": "1"}], "metadata": {"kernelspec": {"name": "%s", "display_name": "x"}}, "nbformat": 4, "nbformat_minor": 5}\n' \
	"$HJ" >"$T/evil.ipynb"
cat >"$T/shows.py" <<'PY'
from IPython.display import publish_display_data
publish_display_data({"\x1b]0;pwned\x07\x1b]52;c;cHduZWQ=\x07\x1b[2J\x1b[H/x": "a"})
PY
cat >"$T/raises.py" <<'PY'
E = type("\x1b]0;pwned\x07E", (Exception,), {"_render_traceback_": lambda self: []})
raise E("\x1b]52;c;cHduZWQ=\x07\x1b[2J\x1b[H")
PY

TM -f /dev/null new -d -s x -x 120 -y 30 -c "$T" "env JUPYTER_PATH=$T/kp sh"
TM set -g set-titles on
TM set -g set-clipboard on
TM set -g allow-rename on

pane() { TM capture-pane -p -t x 2>/dev/null; }
wait_pane() {
	i=0
	while [ $i -lt 600 ]; do
		pane | grep -qF -- "$1" && return 0
		i=$((i + 1))
		sleep 0.1
	done
	return 1
}
# step NAME COMMAND: runs COMMAND in the pane after a marker; judges title, buffers and the
# marker once it has finished. With WAIT=TEXT, COMMAND is the notebook screen, quit once TEXT
# shows. With SEE=RE, a line matching RE must be on the screen too (an unterminated sequence
# swallows what follows it).
s=0
step() {
	name=$1 cmd=$2
	s=$((s + 1))
	TM send-keys -t x "clear; printf '\\033]0;before\\007'; echo MARK-$s; $cmd; : >done.$s" Enter
	if [ -n "${WAIT:-}" ]; then
		# The notebook screen: back to command mode, then :q!
		wait_pane "$WAIT" || no "$name: came up" "$(pane)"
		TM send-keys -t x Escape
		wait_pane COMMAND || no "$name: command mode" "$(pane)"
		TM send-keys -t x ":q!" Enter
	fi
	i=0
	while [ ! -e "$T/done.$s" ] && [ $i -lt 600 ]; do i=$((i + 1)); sleep 0.1; done
	[ -e "$T/done.$s" ] || no "$name: finished" "$(pane)"
	title=$(TM display -p -t x '#{pane_title}')
	[ "$title" = before ] && ok "$name: pane title unchanged" || no "$name: pane title unchanged" "title=$title"
	bufs=$(TM list-buffers 2>/dev/null)
	[ -z "$bufs" ] && ok "$name: no tmux buffer (OSC 52) created" || no "$name: no tmux buffer (OSC 52) created" "$bufs"
	pane | grep -q "^MARK-$s\$" && ok "$name: screen not cleared" || no "$name: screen not cleared" "$(pane)"
	if [ -n "${SEE:-}" ]; then
		pane | grep -q -- "$SEE" && ok "$name: the message is shown whole" || no "$name: the message is shown whole" "wanted: $SEE" "$(pane)"
	fi
	while TM delete-buffer 2>/dev/null; do :; done
}

step "run: kernelspec name not installed" "'$BOBBIN' run evil.ipynb"
step "exec: display without text/plain" "'$BOBBIN' exec <shows.py"
step "exec: error with an empty traceback" "'$BOBBIN' exec <raises.py"
step "exec: kernel dies at start" "'$BOBBIN' exec -k dies -c 1"
step "run: kernel dies at start" "'$BOBBIN' run -k dies evil.ipynb"
step "console: kernel dies at start" "'$BOBBIN' console -k dies </dev/null"
step "kernels: language and directory names" "'$BOBBIN' kernels"
step "exec: interrupt_mode in an error" "'$BOBBIN' exec -k badmode -c 1"
SEE='transport ".*"' step "exec: transport in an error" "'$BOBBIN' exec --existing=transport.json -c 1"
SEE='signature.*".*"' step "exec: signature_scheme in an error" "'$BOBBIN' exec --existing=scheme.json -c 1"
WAIT="evil.ipynb" step "notebook screen: kernelspec name not installed" "'$BOBBIN' evil.ipynb"
