#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Routing in the notebook screen, issue 10 (defects 4, 6, 7), end to end on Debian's ipykernel:
# bobbin in tmux, keys in, the screen read back with capture-pane and polled with generous
# deadlines. (a) The threads pane has column headers, shows a thread's origin cell before the
# thread printed anything, lists the user's threads first, hides the kernel's own threads until
# `i`, and labels ipykernel's fd watchers (which carry a subprocess's output) as
# "fd output (subprocess/C)", told apart by id. (b) `:routing` alone shows the policy and rules;
# `:route PATTERN=POLICY` adds a rule, `:route -PATTERN` removes it. (c) A cell whose thread keeps
# printing is deleted: its output shows in a stray-output cell at the end and in the misrouting
# list, and `:w` saves it there. Markers are built by concatenation so that only output, never
# the displayed source, contains them. Prints TAP.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
BOBBIN=${BOBBIN:-$PWD/bobbin}
T=$(mktemp -d /tmp/bobbin-rsc-XXXXXX)
. "$HERE/nb/lib.sh"
WIDE=rsc
. "$HERE/nb/wide.sh"
threads_rows() { awk '/^Threads/ { s = 1; next } s'; }
header() { threads_rows | grep -qE '^THREAD +STATE +ORIGIN +POLICY +OUTPUTS +LAST +KIND'; }
waiter_origin() { grep -qE '^Waiter +alive +\[1\] +kernel +0 '; }
# the user's thread comes before MainThread and the fd watchers
waiter_first() { threads_rows | sed -n 2p | grep -q '^Waiter '; }
fd_rows() { threads_rows | grep -cE '^#[0-9]+ fd output \(subprocess/C\) .*fd 1/2'; }
two_fd_rows() { [ "$(fd_rows)" -eq 2 ]; }
fd_printed() { threads_rows | grep -qE '^#[0-9]+ fd output \(subprocess/C\) +alive +[^ ]+ +[a-z]+ +[1-9][0-9]* '; }
heartbeat() { threads_rows | grep -qE '^Heartbeat .* kernel$'; }
more_lines() { grep -qE '[1-9][0-9]+ more lines'; }
no_heartbeat() { ! threads_rows | grep -q '^Heartbeat'; }

echo "fold_height = 6" >"$XDG_CONFIG_HOME/bobbin/config"

# ---- (a) threads pane, (b) :routing ----
mknb "$T/a.ipynb" "import threading, os
ev = threading.Event()
threading.Thread(target=ev.wait, name='Waiter', daemon=True).start()
os.system('echo SUB' + 'PROC')"
start a.ipynb
t "open: the notebook shows" "name='Waiter'" 30
if idle; then ok "open: the kernel starts and shows idle"; else notok "open: kernel idle"; fi
t "open: the routing agent is installed" " routing " 30
keys F6
t "run: the subprocess's output shows" "SUBPROC" 30
keys T
t "threads: T opens the threads pane" "Threads — default policy" 10
if poll header 10; then ok "threads: column headers"; else notok "threads: column headers"; fi
if poll waiter_origin 10; then ok "threads: a thread that never printed shows its origin cell [1]"; else notok "threads: Waiter's origin"; fi
if screen | waiter_first; then ok "threads: the user's thread is listed first"; else notok "threads: Waiter first"; fi
if poll two_fd_rows 10; then ok "threads: both fd watchers read 'fd output (subprocess/C)', told apart by id"; else notok "threads: fd watcher rows"; fi
if poll fd_printed 10; then ok "threads: the subprocess's output is counted on an fd-output row"; else notok "threads: fd output counted"; fi
if screen | no_heartbeat && screen | grep -q 'i shows [1-9][0-9]* kernel threads'; then
	ok "threads: the kernel's own threads are hidden, the title says how many"
else
	notok "threads: kernel threads hidden"
fi
keys i
if poll heartbeat 10; then ok "threads: i shows them, marked kernel"; else notok "threads: i shows Heartbeat"; fi
keys i
if poll no_heartbeat 10; then ok "threads: i hides them again"; else notok "threads: i hides Heartbeat"; fi
keys q
wait_for COMMAND 10
cmd routing
t ":routing alone shows the policy and that there are no rules" "routing: default kernel; no rules" 10
cmd "route Wait*=current"
t ":route PATTERN=POLICY adds a rule, shown as the kernel confirmed it" \
	"routing (the kernel confirmed): default kernel; rules Wait*=current (:route -PATTERN removes one)" 10
cmd "route -Nope"
t ":route -PATTERN of an unknown rule says so" "routing: no such rule: default kernel; rules Wait*=current" 10
cmd "route -Wait*"
t ":route -PATTERN removes the rule" "routing (the kernel confirmed): default kernel; no rules" 10
cmd "q!"
t "quit" "BOBBIN-EXIT" 30

# ---- (c) output for a deleted cell ----
mknb "$T/c.ipynb" "import threading, time
def tick():
    for i in range(300):
        print('TI' + 'CK', i, flush=True)
        time.sleep(0.1)
threading.Thread(target=tick, name='Ticker', daemon=True).start()"
start c.ipynb
t "stray: the notebook shows" "name='Ticker'" 30
idle
t "stray: the routing agent is installed" " routing " 30
keys F6
t "stray: the ticker prints" "TICK 3" 30
keys Escape
wait_for COMMAND 10
keys d d
t "stray: the deleted cell's later output shows in a stray-output cell" "stray output: its cell was deleted or is unknown" 20
t "stray: with the ticker's lines" "TICK 5" 20
if poll more_lines 20; then ok "stray: more keep coming (the fold counts 10 or more)"; else notok "stray: more lines"; fi
keys W
t "stray: W lists them" "its cell was deleted" 10
keys q
wait_for COMMAND 10
cmd "w"
wait_for "saved" 10
if $PY - "$T/c.ipynb" <<'PYEOF'
import json, sys
nb = json.load(open(sys.argv[1]))
last = nb["cells"][-1]
b = last["metadata"].get("bobbin", {})
text = "".join("".join(o.get("text", "")) for o in last["outputs"])
assert b.get("stray_outputs") is True, b
assert text.count("TICK ") >= 10, text
assert b["attribution"] and all(a["stray"] for a in b["attribution"]), b
assert "".join(last["source"]).startswith("# bobbin:"), last["source"]
PYEOF
then ok "stray: :w saves them in the stray-output cell, attributed"; else notok "stray: saved stray-output cell"; fi
cmd "q!"
t "quit" "BOBBIN-EXIT" 30
echo "1..$n"
