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
# What the checks wait for ("after-escapes") and look at ("MOVEDRED-TEXT", MOVED and RED-TEXT with
# a real SGR between) only the kernel's output can show: the source on the screen has
# 'after' + '-escapes' and a literal "\x1b[31m" between MOVED and RED-TEXT. (It used to have
# print('after-escapes'), so the wait returned at once and the checks raced the kernel.)
mknb "$T/esc.ipynb" "import sys
sys.stdout.write('\\x1b]0;PWNED-TITLE\\x07\\x1b]52;c;UFdORUQtQ0xJUA==\\x07\\x1b[2J\\x1b[H\\x1b[5;5HMOVED\\x1b[31mRED-TEXT\\x1b[0m\\x1b[?1049h\\n')
print('after' + '-escapes')"
start -- esc.ipynb
idle
# every byte bobbin writes to the terminal from here on, checked once it has exited
TM pipe-pane -o "cat >>$T/esc.raw"
keys R
t "escapes: a kernel's output is shown" "after-escapes" 60
if title | grep -q PWNED; then notok "escapes: the window title is unchanged" "title: $(title)"; else ok "escapes: the window title is unchanged"; fi
if [ "$(buffers)" = 0 ]; then ok "escapes: OSC 52 set no clipboard"; else notok "escapes: OSC 52 set a tmux buffer"; fi
# The header on line 1, and MOVEDRED-TEXT with after-escapes on the next row in the same column
# (the output's text column; a gutter label or a mark at the end, should there be one, does not
# matter). Polled, so a capture taken in the middle of a frame is not the verdict; what a leaked
# clear, cursor move or screen switch did would stay, as nothing here makes bobbin repaint it all.
esc_layout() {
	screen | awk '
		NR == 1 { head = /^ esc\.ipynb / }
		NR > 1 && col && index($0, "after-escapes") == col { found = 1 }
		{ col = index($0, "MOVEDRED-TEXT") }
		END { exit !(head && found) }'
}
if until_ok 20 esc_layout; then
	ok "escapes: layout intact, text in place (cursor moves and clears dropped)"
else
	notok "escapes: layout" "wanted: the header on line 1, MOVEDRED-TEXT over after-escapes in one column"
fi
E=$(printf '\033')
sgr_red="MOVED\($E\[[0-9;]*m\)*$E\[\([0-9;]*;\)\{0,1\}\(31\|91\|38;5;1\|38;5;9\)m\($E\[[0-9;]*m\)*RED-TEXT"
if TM capture-pane -p -e | grep -q "$sgr_red"; then
	ok "escapes: SGR colour kept as colour"
else
	notok "escapes: SGR red shown red" "the line: $(TM capture-pane -p -e | grep MOVED | grep -v x1b | cat -v)"
fi
cmd "w"
wait_for saved 10
cmd "q"
wait_for BOBBIN-EXIT 30
# The bytes themselves: the output's text with only SGR between MOVED and RED-TEXT, and none of
# the kernel's OSCs, clear, cursor move or screen switch. bobbin sends none of those itself once
# it is running (its own ?1049h went out before the recording started).
until_ok 20 grep -q BOBBIN-EXIT "$T/esc.raw"
if leaks=$($PY "$HERE/nb/raw_leaks.py" "$T/esc.raw"); then
	ok "escapes: no escape sequence of the kernel's but SGR reached the terminal"
else
	notok "escapes: the bytes written to the terminal" "$leaks"
fi

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
t "stored: an image that does not decode is a placeholder naming type, size and why" "[image/png 900 B: invalid base64]" 10
keys q
wait_for BOBBIN-EXIT 30

# ---- TERM=vt100 and a non-UTF-8 locale ----
# the output "vt100 ok ?" is not in the source, which shows as print('vt100' + ' ok ?')
mknb "$T/v.ipynb" "print('vt100' + ' ok é')"
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

# ---- hangup writes a recovery file (the session detaches; ended, it is offered on open) ----
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
# the hangup detached the session (docs/detach.md); SIGTERM ends it, keeping the recovery file
sh "$HERE/nb/end_sessions.sh"
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
