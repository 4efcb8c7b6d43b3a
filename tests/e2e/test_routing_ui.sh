#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Thread routing in the notebook screen end to end on Debian's ipykernel: bobbin in tmux, keys
# in, the screen read back with capture-pane (polled with generous deadlines, never a bare sleep
# as synchronisation). A notebook whose cell 1 starts a thread named Ticker that prints a line
# every 0.2 s and whose cell 2 sleeps: the attribution view (A) labels the Ticker's lines in the
# gutter; the threads pane (T) lists Ticker, and switching it to `current` (c) while cell 2 runs
# makes its next lines land under cell 2; the misrouting list (W) lists them and Enter jumps to
# a cell. The markers the checks wait for ("TICK n", "celltwo") are built by concatenation in the
# code, so only output, never the typed/displayed source, can contain them. Prints TAP.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
BOBBIN=${BOBBIN:-$PWD/bobbin}
T=$(mktemp -d /tmp/bobbin-rui-XXXXXX)
. "$HERE/nb/lib.sh"
WIDE=rui
. "$HERE/nb/wide.sh"
# the screen's rows from cell 2's output ("celltwo") to the next cell's prompt
cell2_out() { awk '/celltwo/ { f = 1 } f && /\[.\]: / { f = 0 } f'; }
tick_in_cell2() { cell2_out | grep -qE 'TICK [0-9]+'; }
tick_labelled() { grep -qE '^Ticker +TICK [0-9]+'; }
tick_shown() { grep -qE 'TICK [0-9]+'; }
ticker_current() { grep -qE '^Ticker +alive +[^ ]+ +current +[0-9]+ '; }
misrouted_cell2() { grep -qE '^cell +2 +output .*Ticker .*from cell 1'; }
ticker_alive() { grep -qE '^Ticker .* alive '; }
ticker_origin() { grep -qE '^Ticker +alive +[^ ]+ +origin +[0-9]+ '; }
# select_ticker: move the threads pane's selection (row 0 when opened, under the title and the
# column headers) down to Ticker's row
select_ticker() {
	poll ticker_alive 20 || return 1
	idx=$(screen | awk '/^Threads/ { s = NR; next } s && /^Ticker / { print NR - s - 2; exit }')
	[ -n "$idx" ] || return 1
	i=0
	while [ "$i" -lt "$idx" ]; do keys j; i=$((i + 1)); done
}

echo "fold_height = 6" >"$XDG_CONFIG_HOME/bobbin/config"
mknb "$T/r.ipynb" "import threading, time
def tick():
    for i in range(200):
        print('TI' + 'CK', i, flush=True)
        time.sleep(0.2)
threading.Thread(target=tick, name='Ticker', daemon=True).start()" "import time
print('cell' + 'two')
time.sleep(20)"

start r.ipynb
t "open: the notebook shows" "name='Ticker'" 30
if idle; then ok "open: the kernel starts and shows idle"; else notok "open: kernel idle"; fi
t "open: the routing agent is installed" " routing " 30
# ---- (a) attribution view ----
keys F6
if poll tick_shown 30; then ok "run: cell 1 starts the Ticker thread, its lines show"; else notok "run: Ticker output"; fi
if screen | tick_labelled; then notok "attribution: off by default (no gutter labels)"; else ok "attribution: off by default (no gutter labels)"; fi
keys A
t "attribution: A turns the view on" "attribution view on" 10
if poll tick_labelled 10; then ok "attribution: the Ticker's lines carry its label in the gutter"; else notok "attribution: Ticker label in the gutter"; fi
# ---- (b) threads pane: origin first (so the lines stay in cell 1), then current ----
keys T
t "threads: T opens the threads pane" "Threads — default policy" 10
if poll ticker_alive 20; then ok "threads: the table lists Ticker, alive"; else notok "threads: Ticker listed"; fi
if select_ticker; then
	keys o
	if poll ticker_origin 20; then ok "threads: o sets Ticker to origin, as the kernel confirmed"; else notok "threads: Ticker origin confirmed"; fi
else
	notok "threads: Ticker's row not found"
fi
keys q
wait_for COMMAND 10
keys j
t "navigate: j focuses cell 2" "cell 2/2" 10
keys F6
t "run: cell 2 runs" "[*]:" 30
t "run: cell 2's output shows" "celltwo" 30
# its lines keep going to cell 1 while Ticker is on origin: none under cell 2 yet
if screen | tick_in_cell2; then notok "threads: with origin, Ticker's lines stay in cell 1"; else ok "threads: with origin, Ticker's lines stay in cell 1"; fi
cmd threads
t "threads: :threads opens the pane" "Threads — default policy" 10
if select_ticker; then
	keys c
	if poll ticker_current 20; then ok "threads: c switches Ticker to current, as the kernel confirmed"; else notok "threads: Ticker current confirmed"; fi
else
	notok "threads: Ticker's row not found"
fi
keys q
wait_for COMMAND 10
if screen | grep -q '\[\*\]:' && poll tick_in_cell2 20; then
	ok "threads: Ticker's next lines land under the running cell 2"
else
	notok "threads: Ticker's lines under cell 2" "$(screen | cell2_out | head -5)"
fi
if screen | cell2_out | grep -q '↩ \[1\]'; then ok "attribution: they carry the origin marker ↩ [1]"; else notok "attribution: origin marker under cell 2"; fi
# ---- (c) the misrouting list ----
t "focus: cell 2 is focused" "cell 2/2" 5
keys W
t "misrouted: W opens the list" "Misrouted outputs" 10
if poll misrouted_cell2 10; then ok "misrouted: it lists Ticker's output in cell 2 from cell 1"; else notok "misrouted: cell 2 entry"; fi
if screen | grep -qE '^cell +1 +output'; then
	keys Enter   # the first row is one of cell 1's (late) outputs
	t "misrouted: Enter jumps to its cell (the focus moves to cell 1)" "cell 1/2" 10
else
	# only cell 2's rows: go to cell 1 first, then jump back
	keys q; wait_for COMMAND 10; keys k; wait_for "cell 1/2" 10
	keys W; wait_for "Misrouted outputs" 10; keys Enter
	t "misrouted: Enter jumps to its cell (the focus moves to cell 2)" "cell 2/2" 10
fi
t "misrouted: Enter closes the list" "COMMAND" 10
cmd "q!"
t "quit: :q! quits" "BOBBIN-EXIT" 30
echo "1..$n"
