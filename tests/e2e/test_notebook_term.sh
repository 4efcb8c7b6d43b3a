#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# The notebook screen and the terminal: escape sequences from a kernel and from stored outputs
# change nothing (title, clipboard, layout), TERM=vt100 with a non-UTF-8 locale (ASCII borders),
# resize, theme switch and a bad theme file, NO_COLOR, hangup writing a recovery file that
# restores the edit, xeus-python dying on an interrupt. Prints TAP. Needs $BOBBIN, tmux,
# Debian's ipykernel and xeus-python.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
BOBBIN=${BOBBIN:-$HERE/../../bobbin}
T=$(mktemp -d /tmp/bobbin-nbt-XXXXXX)
. "$HERE/nb/lib.sh"
trap cleanup EXIT INT TERM

title() { TM display-message -p '#{pane_title}'; }
buffers() { TM list-buffers 2>/dev/null | wc -l; }

# ---- hostile output from the kernel ----
mknb "$T/esc.ipynb" "import sys
sys.stdout.write('\\x1b]0;PWNED-TITLE\\x07\\x1b]52;c;UFdORUQtQ0xJUA==\\x07\\x1b[2J\\x1b[H\\x1b[5;5HMOVED\\x1b[31mRED-TEXT\\x1b[0m\\x1b[?1049h\\n')
print('after-escapes')"
start -- esc.ipynb
idle
before=$(title)
keys R
t "escapes: a kernel's output is shown" "after-escapes" 30
if title | grep -q PWNED; then notok "escapes: the window title is unchanged" "title: $(title)"; else ok "escapes: the window title is unchanged"; fi
if [ "$(buffers)" = 0 ]; then ok "escapes: OSC 52 set no clipboard"; else notok "escapes: OSC 52 set a tmux buffer"; fi
if screen | head -1 | grep -q "esc.ipynb" && screen | grep -q "MOVEDRED-TEXT"; then
	ok "escapes: layout intact, text in place (cursor moves and clears dropped)"
else
	notok "escapes: layout"
fi
if TM capture-pane -p -e | grep RED-TEXT | grep -q '\[31m\|;31m\|38;5;1m\|91m'; then ok "escapes: SGR colour kept as colour"; else notok "escapes: SGR red shown red"; fi
cmd "w"
wait_for saved 10
cmd "q"
wait_for BOBBIN-EXIT 30

# ---- hostile stored outputs and sources in a notebook file ----
$PY - "$T/stored.ipynb" <<'PYEOF'
import sys, nbformat
nb = nbformat.v4.new_notebook()
nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
c = nbformat.v4.new_code_cell("x = '\x1b]0;SRC-TITLE\x07'  # source with an escape")
c.outputs = [nbformat.v4.new_output("stream", name="stdout", text="\x1b]0;STORED-TITLE\x07\x1b]52;c;U1RPUkVE\x07\x1b[2J\x1b[10;1Hstored-text\n"),
             nbformat.v4.new_output("display_data", data={"image/png": "iVBORw0KGgo=" * 100, "text/plain": "<Figure>"})]
nb.cells = [c]
nbformat.write(nb, sys.argv[1])
PYEOF
start -- stored.ipynb
t "stored: the notebook's outputs show" "stored-text" 30
if title | grep -q "TITLE"; then notok "stored: title unchanged" "title: $(title)"; else ok "stored: title unchanged by stored outputs and sources"; fi
if [ "$(buffers)" = 0 ]; then ok "stored: no clipboard set"; else notok "stored: a tmux buffer was set"; fi
t "stored: a rich output is a placeholder naming type and size" "[image/png 900 B]" 10
keys q
wait_for BOBBIN-EXIT 30

# ---- TERM=vt100 and a non-UTF-8 locale ----
mknb "$T/v.ipynb" "print('vt100 ok é')"
start TERM=vt100 LANG=C LC_ALL=C -- v.ipynb
t "vt100/C locale: ASCII borders" "#=====" 30
idle
keys R
t "vt100/C locale: runs, non-ASCII shown as ?" "vt100 ok ?" 30
if screen | grep -q "[┌│└━]"; then notok "vt100/C locale: no box-drawing characters"; else ok "vt100/C locale: no box-drawing characters"; fi
cmd "q!"
wait_for BOBBIN-EXIT 30

# ---- resize ----
start -x 100 -y 30 -- v.ipynb
wait_for "print(" 30
TM resize-window -x 60 -y 20 2>/dev/null || TM resize-pane -x 60 -y 20
limit=$(( $(date +%s) + 20 )); good=0
while [ "$(date +%s)" -le "$limit" ]; do
	w=$(screen | sed -n 2p | $PY -c 'import sys; print(len(sys.stdin.read().rstrip()))')
	[ "${w:-0}" -le 60 ] && [ "${w:-0}" -ge 50 ] && { good=1; break; }
	sleep 0.1
done
if [ $good = 1 ]; then ok "resize: panes re-laid out to the new width"; else notok "resize: width $w"; fi
TM resize-window -x 120 -y 40 2>/dev/null
limit=$(( $(date +%s) + 20 )); good=0
while [ "$(date +%s)" -le "$limit" ]; do
	w=$(screen | sed -n 2p | $PY -c 'import sys; print(len(sys.stdin.read().rstrip()))')
	[ "${w:-0}" -gt 100 ] && { good=1; break; }
	sleep 0.1
done
if [ $good = 1 ]; then ok "resize: and back wider"; else notok "resize wider: width $w"; fi

# ---- themes ----
cmd "theme light"
cmd "theme"
t ":theme switches the theme" "theme light" 10
cmd "theme no-such-theme"
t ":theme with an unknown name says so and keeps the theme" "using light" 10
cmd "q!"
wait_for BOBBIN-EXIT 30
printf 'normal = fg=white\nbogus line here\n' >"$T/bad.theme"
start -- --theme "$T/bad.theme" v.ipynb
t "theme: a bad theme file names file and line" "bad.theme:2" 30
t "theme: and falls back to the default" "using the default theme" 10
cmd "q!"
wait_for BOBBIN-EXIT 30
start NO_COLOR=1 -- v.ipynb
wait_for "print(" 30
if TM capture-pane -p -e | grep -q '\[3[0-7]m\|\[38;'; then notok "NO_COLOR: no colours"; else ok "NO_COLOR: no colours"; fi
cmd "q!"
wait_for BOBBIN-EXIT 30

# ---- hangup writes a recovery file that restores the edit ----
mknb "$T/r.ipynb" "a = 1"
start -- r.ipynb
wait_for "a = 1" 30
keys Enter " + 12345" Escape
wait_for "a = 1 + 12345" 10
pid=$(pgrep -f "^$BOBBIN r.ipynb" | head -1)
kill -HUP "$pid"
t "hangup: bobbin exits on SIGHUP" "BOBBIN-EXIT" 30
if [ -f "$T/.r.ipynb.recovery" ] && grep -q 12345 "$T/.r.ipynb.recovery"; then ok "hangup: the recovery file has the edit"; else notok "hangup: recovery file" "$(ls -la "$T")"; fi
if grep -q 12345 "$T/r.ipynb"; then notok "hangup: the notebook itself is untouched"; else ok "hangup: the notebook itself is untouched"; fi
start -- r.ipynb
t "recover: opening offers the recovery file" "recovery file" 30
keys r
t "recover: r restores the edit" "a = 1 + 12345" 10
cmd "w"
wait_for saved 10
if [ ! -e "$T/.r.ipynb.recovery" ] && grep -q 12345 "$T/r.ipynb"; then ok "recover: saving writes the notebook and removes the recovery file"; else notok "recover: after save"; fi
cmd "q"
wait_for BOBBIN-EXIT 30

# ---- xeus-python dies on SIGINT: shown, with a restart ----
if [ -x /usr/bin/xpython ]; then
	mknb "$T/x.ipynb" "import time
time.sleep(60)"
	start -- -k xpython x.ipynb
	idle
	keys R
	wait_for "busy [1] 2." 30
	keys I I
	t "xeus-python: an interrupt that kills the kernel shows it dead" " dead" 40
	t "xeus-python: the cell it died in is marked with the restart key" "kernel died while running" 10
	keys 0 0
	t "xeus-python: 0 0 restarts it" " idle" 60
	cmd "q!"
	wait_for BOBBIN-EXIT 30
else
	echo "ok $((n + 1)) - # SKIP xeus-python not installed"; n=$((n + 1))
fi
