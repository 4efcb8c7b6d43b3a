#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# `bobbin console` while code runs (issue 10, defect 7), in a tmux pty on Debian's ipykernel: a
# `\routing current` typed while a cell sleeps takes effect at once (the console answers with the
# new policy before the cell ends), and a code line typed meanwhile is not lost nor run behind the
# user's back: a note says it waits, it runs at the next prompt, and Ctrl-C drops it. \threads lists
# the user's threads first and hides the kernel's own until \threads all. Every wait polls
# the pane; markers are built by concatenation so only output, never the echo, contains them.
. "$(dirname "$0")/console/lib.sh"

: "${BOBBIN:?BOBBIN must be the bobbin binary}"
setup_root
export JUPYTER_RUNTIME_DIR="$TMPROOT/rt" XDG_DATA_HOME="$TMPROOT/data" XDG_CONFIG_HOME="$TMPROOT/cfg"
mkdir -p "$JUPYTER_RUNTIME_DIR" "$XDG_DATA_HOME" "$XDG_CONFIG_HOME"

start "$BOBBIN console -k python3"
wait_for '^In \[1\]: $' 60; check $? "first prompt"
# the agent is installed after the first prompt: wait until \routing answers
type_text '\routing'; keys Enter
wait_for '^default policy: kernel' 30; check $? "\\routing shows the default policy"
wait_for '^In \[1\]: $'
# the cell runs until the test creates $GO: a positive release, not a sleep
GO="$TMPROOT/go"
type_text "import os, time; print('STA' + 'RT', flush=True)"
type_text "; exec('while not os.path.exists(%r): time.sleep(0.05)' % '$GO'); print('EN' + 'D')"
keys Enter
wait_for '^START$' 30; check $? "the cell runs"
type_text '\routing current'; keys Enter
wait_for '^default policy: current' 20
check $? "\\routing current typed while the cell runs is applied at once (the kernel confirmed)"
if pane | grep -q '^END$'; then notok "... before the cell ended"; else ok "... before the cell ended"; fi
type_text "print('AH' + 'EAD')"; keys Enter
wait_for 'that line runs when it finishes' 10
check $? "a code line typed while the cell runs: a note says it waits"
if pane | grep -q '^AHEAD$'; then notok "... and it is not run yet"; else ok "... and it is not run yet"; fi
touch "$GO"
wait_for '^END$' 20; check $? "the cell ends"
wait_for "^In \[2\]: print\('AH' \+ 'EAD'\)$" 20 && wait_for '^AHEAD$' 20
check $? "then the waiting line runs at the next prompt, shown there"
wait_for '^In \[3\]: $' 20
type_text '\routing'; keys Enter
wait_for '^In \[3\]: $' 20
n_cur=$(count '^default policy: current')
[ "$n_cur" -ge 2 ]; check $? "the policy set while the cell ran is still in force"
# Ctrl-C drops the lines typed while code ran
type_text "time.sleep(60)"; keys Enter
type_text "print('DRO' + 'PPED')"; keys Enter
wait_for 'that line runs when it finishes' 10
keys C-c
wait_for 'lines typed while it ran are dropped' 20; check $? "Ctrl-C interrupts and says the waiting line is dropped"
wait_for '^In \[4\]: $' 20; check $? "the next prompt is empty"
if pane | grep -q '^DROPPED$'; then notok "... and the line did not run"; else ok "... and the line did not run"; fi
# \threads: the user's thread first, the kernel's own hidden until "all"
type_text "import threading; threading.Thread(target=threading.Event().wait, name='Wai' + 'ter', daemon=True).start()"
keys Enter
wait_for '^In \[5\]: $' 20
type_text '\threads'; keys Enter
wait_for 'kernel threads not shown' 20; check $? "\\threads hides the kernel's own threads and says so"
pane | awk '/^IDENT +NAME/ { getline; print; exit }' | grep -qE '^[0-9]+ +Waiter '
check $? "\\threads lists the user's thread first"
pane | grep -qE '^[0-9]+ +fd output \(subprocess/C\) .*fd 1/2$'
check $? "\\threads labels ipykernel's fd watchers"
type_text '\threads all'; keys Enter
wait_for '^[0-9]+ +Heartbeat .* kernel$' 20; check $? "\\threads all shows them, marked kernel"
keys C-d
wait_for '\[exit 0\]' 30; check $? "Ctrl-D leaves"
echo "1..$N"
[ "$FAILED" -eq 0 ]
