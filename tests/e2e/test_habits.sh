#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# JupyterLab habits on the notebook screen, end to end on ipykernel: Ctrl-/ comments, Ctrl-Shift-
# minus splits (as the terminal reports them once bobbin asked for modified keys), a selection of
# cells (J/K) that run, delete and merge act on, z / Z undo and redo cell operations, edit undo
# that survives leaving the cell, a run key pressed while the kernel starts, and the
# terminal's key reporting asked for at start and restored at exit. Prints TAP. Needs $BOBBIN,
# tmux and Debian's ipykernel.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
BOBBIN=${BOBBIN:-$HERE/../../bobbin}
T=$(mktemp -d /tmp/bobbin-habits-XXXXXX)
. "$HERE/nb/lib.sh"
trap cleanup EXIT INT TERM

# save; then FILE's sources must be WANT (one line, cells separated by spaces)
saved_is() {
	keys Escape; wait_for COMMAND 10
	TM send-keys ":w" Enter
	wait_for "written" 10 || wait_for "saved" 10
	got=$(sources "$T/$1" | tr '\n' ' ')
	if [ "$got" = "$3 " ]; then ok "$2"; else notok "$2" "got: $got" "want: $3"; fi
}
# wait_re REGEX...: every extended regex matches a line of the screen before a deadline
wait_re() {
	limit=$(( $(date +%s) + 40 ))
	while [ "$(date +%s)" -le "$limit" ]; do
		s=$(screen); all=1
		for re in "$@"; do printf '%s\n' "$s" | grep -qE -- "$re" || { all=0; break; }; done
		[ $all = 1 ] && return 0
		sleep 0.1
	done
	return 1
}

# ---- the run key while the kernel starts: queued, said, then run ----
mknb "$T/q.ipynb" "print('queued', 6 * 7)" "x = 1"
start -- q.ipynb
wait_for "cell 1/2" 10
keys R
if screen | head -1 | grep -q " idle"; then
	ok "# SKIP starting: the kernel was ready before the key"
else
	t "starting: a run key while the kernel starts says it is queued" "queued: runs when the kernel is ready" 10
fi
t "starting: the queued cell runs once the kernel is ready" "queued 42" 60
cmd "q!"
wait_for BOBBIN-EXIT 10
# queued while starting, then another kernel picked before the first was ready: the cell waits
# for the new kernel instead of being forgotten
start -- q.ipynb
wait_for "cell 1/2" 10
keys R ":kernel xpython" Enter
if screen | head -1 | grep -q "ipykernel) idle"; then
	ok "# SKIP starting: the kernel was ready before the switch"
else
	t "starting: the cell queued before :kernel runs on the new kernel" "queued 42" 60
	t "starting: on the kernel picked" "XPython" 10
fi
cmd "q!"
wait_for BOBBIN-EXIT 10

# ---- comments, split, edit undo across cells; key reporting asked for and restored ----
mknb "$T/c.ipynb" "a = 1
b = 2" "c = 3"
# script(1) keeps every byte bobbin writes; tmux forwards modified keys only to a program that
# asked for them (extended-keys on), so Ctrl-Shift-minus splitting shows the request arrived

TM kill-server 2>/dev/null
sh "$HERE/nb/end_sessions.sh"
sessions=$((sessions + 1)); SOCK="bobbin-nb-$$-$sessions"
TM -f /dev/null new-session -d -x 100 -y 30 -c "$T" \
	"env TERM=xterm-256color LANG=C.UTF-8 LC_ALL= JUPYTER_RUNTIME_DIR=$JUPYTER_RUNTIME_DIR XDG_CONFIG_HOME=$XDG_CONFIG_HOME XDG_DATA_HOME=$XDG_DATA_HOME script -q -f -c '$BOBBIN c.ipynb' $T/typescript; echo BOBBIN-EXIT \$?; sleep 600"
TM set-option -g extended-keys on
idle
keys Enter
wait_for EDIT 10
keys C-/
t "comment: Ctrl-/ comments the cursor's line out with #" "# b = 2" 10
keys C-z
wait_gone "# b = 2" 10 && ok "comment: C-z undoes it" || notok "comment: C-z undoes it"
keys C-y
t "comment: C-y redoes it" "# b = 2" 10
keys C-/
wait_gone "# b = 2" 10 && ok "comment: Ctrl-/ again uncomments" || notok "comment: uncomment"
# legacy byte 0x1f (what Ctrl-/ sends where keys are not reported) also comments
hexkeys 1f
t "comment: the byte 0x1f (Ctrl-/ of a terminal without key reports) comments" "# b = 2" 10
hexkeys 1f
wait_gone "# b = 2" 10
keys Up End
keys C-S-_
t "split: Ctrl-Shift-minus splits the cell at the cursor" "cell 2/3" 10
saved_is c.ipynb "split: the cell was split at the cursor" "c:a = 1 c:b = 2 c:c = 3"
# edit undo survives leaving the cell: type in cell 3, leave, come back, C-z
keys G Enter
wait_for EDIT 10
keys " # typed"
t "edit: typed text shows" "c = 3 # typed" 10
keys Escape
wait_for COMMAND 10
keys k Enter
wait_for "cell 2/3" 10
keys Escape
wait_for COMMAND 10
keys j Enter
wait_for EDIT 10
keys C-z
wait_gone "c = 3 # typed" 10 && ok "edit: C-z after leaving and coming back undoes the typing" \
	|| notok "edit: undo survives leaving the cell"
# Ctrl-Z: the terminal's modes are given back, the process stops; continued, it takes them again
# bobbin_pid: the bobbin under this pane (tmux's pane process, then its descendants)
bobbin_pid() {
	ps -e -o pid=,ppid=,comm= | awk -v root="$(TM display -p '#{pane_pid}')" '
		{ par[$1] = $2; name[$1] = $3 }
		END { for (p in name) if (name[p] == "bobbin") { q = p
			while (q != "" && q != root && q in par) q = par[q]
			if (q == root) print p } }'
}
pid=$(bobbin_pid)
# what bobbin wrote before Ctrl-Z; script(1) stops itself with bobbin and may not have copied
# bobbin's last bytes yet, so they are looked for once both run again
size=$(wc -c <"$T/typescript")
keys Escape; wait_for COMMAND 10
keys C-z
i=0; while [ $i -lt 100 ] && [ "$(ps -o stat= -p "$pid" 2>/dev/null | cut -c1)" != T ]; do sleep 0.1; i=$((i + 1)); done
if [ "$(ps -o stat= -p "$pid" | cut -c1)" = T ]; then ok "suspend: Ctrl-Z stops bobbin"; else notok "suspend: stopped" "pid $pid"; fi
# script(1) stops itself too when its child stops (as a shell's job would be): continue both
kill -CONT "$pid" "$(ps -o ppid= -p "$pid")"
keys C-l
t "suspend: continued, the screen comes back" "c = 3" 10
# after the Ctrl-Z: the key reports turned off (before stopping), then asked for again
modes_cycled() {
	tail -c +$((size + 1)) "$T/typescript" | tr -d '\n' |
		grep -q "$(printf '\033\\[<u\033\\[>4m.*\033\\[>4;2m\033\\[>1u')"
}
i=0; while [ $i -lt 100 ] && ! modes_cycled; do sleep 0.1; i=$((i + 1)); done
if modes_cycled; then
	ok "suspend: the key reports were turned off before stopping, and back after"
else notok "suspend: modes off, then on again"; fi
cmd "q!"
t "quit: bobbin exits" "BOBBIN-EXIT" 20
if grep -q "$(printf '\033\\[>4;2m\033\\[>1u')" "$T/typescript"; then
	ok "keys: modifyOtherKeys and the kitty protocol are asked for at start"
else notok "keys: asked for"; fi
if tr -d '\n' <"$T/typescript" | grep -q "$(printf '\033\\[>1u.*\033\\[<u\033\\[>4m')"; then
	ok "keys: and restored at exit"
else notok "keys: restored at exit"; fi

# ---- a selection of cells; z / Z undo any cell operation ----
mknb "$T/s.ipynb" "print('one')" "print('two')" "print('three')" "four"
start -- s.ipynb
idle
keys J
t "select: J extends the selection" "cell 2/4" 10
hexkeys 1b 5b 31 3b 32 42 # Shift-Down
t "select: Shift-Down extends it further" "cell 3/4" 10
if [ "$(screen | grep -c '┏')" = 3 ]; then ok "select: the three selected cells are drawn as focused"
else notok "select: drawn"; fi
keys F6
if wait_re "^ +one$" "^ +two$" "^ +three$"; then ok "select: F6 (Ctrl-Enter) runs every selected cell"
else notok "select: all selected cells ran"; fi
keys g g
wait_for "cell 1/4" 10
keys J
wait_for "cell 2/4" 10
keys M
t "merge: M merges the selected cells" "merged 2 cells" 10
saved_is s.ipynb "merge: the selection became one cell" "c:print('one')|print('two') c:print('three') c:four"
keys z
t "undo: z undoes the merge" "undone (Z redoes)" 10
saved_is s.ipynb "undo: the cells are back" "c:print('one') c:print('two') c:print('three') c:four"
keys Z
t "redo: Z redoes the merge" "redone (z undoes)" 10
saved_is s.ipynb "redo: merged again" "c:print('one')|print('two') c:print('three') c:four"
keys z
wait_for "undone" 10
# delete a selection, insert, type change, move; each undone in turn
keys j K
wait_for "cell 1/4" 10
keys d d
t "delete: d d deletes the selected cells" "2 cells deleted" 10
keys b
wait_for "cell 2/3" 10
keys m
hexkeys 1b 5b 31 3b 35 41 # Ctrl-Up
saved_is s.ipynb "ops: delete, insert, type change, move" "m: c:print('three') c:four"
keys z; wait_for "undone" 10; keys z; wait_for "cell 2/3" 10; keys z; keys z
saved_is s.ipynb "undo: z four times undoes move, type change, insert and delete" "c:print('one') c:print('two') c:print('three') c:four"
cmd "q!"
wait_for BOBBIN-EXIT 10

# ---- what loading repaired or a save will change is said on open ----
cat >"$T/d.ipynb" <<'J'
{"cells": [{"cell_type": "code", "id": "same", "metadata": {}, "source": "1", "outputs": [], "execution_count": null},
{"cell_type": "code", "id": "same", "metadata": {}, "source": "2", "outputs": [], "execution_count": null}],
"metadata": {"kernelspec": {"name": "python3", "display_name": "P", "language": "python"}}, "nbformat": 4, "nbformat_minor": 5}
J
cat >"$T/o.ipynb" <<'J'
{"cells": [{"cell_type": "code", "metadata": {}, "source": "1", "outputs": [], "execution_count": null}],
"metadata": {"kernelspec": {"name": "python3", "display_name": "P", "language": "python"}}, "nbformat": 4, "nbformat_minor": 2}
J
cat >"$T/k.ipynb" <<'J'
{"cells": [{"cell_type": "code", "id": "a1", "metadata": {}, "source": "1", "outputs": [], "execution_count": null}],
"metadata": {}, "nbformat": 4, "nbformat_minor": 5}
J
start -- d.ipynb
t "load: a duplicate cell id replaced is said on open" 'load warning: cells[1]: duplicate id "same" (replaced' 20
cmd "e o.ipynb"
t "load: an nbformat upgrade on save is said on open" "nbformat 4.2: upgraded to 4.5" 20
cmd "e k.ipynb"
t "load: a missing kernelspec is said on open" "no kernelspec in the file" 20
cmd "q!"
wait_for BOBBIN-EXIT 10

# ---- find and replace ----
mknb "$T/r.ipynb" "foo = 1
foo += foo" "print(foo)" "bar = 'foo'"
start -- r.ipynb
wait_for "cell 1/3" 20
cmd "s/foo/baz/"
t ":s: replaces the first match of each line of the cell" "2 replacements (z undoes)" 10
saved_is r.ipynb ":s: the cell's lines changed, the other cells not" "c:baz = 1|baz += foo c:print(foo) c:bar = 'foo'"
cmd "%s/fo(o)/[&\\1]/gc"
t ":%s with c asks for each match" 'replace "foo"? (y)es, (n)o, (a)ll, (q)uit' 10
keys n
t ":%s c: n skips to the next match" "cell 2/3" 10
keys y
t ":%s c: y replaces and asks again" "cell 3/3" 10
keys q
t ":%s c: q stops" "1 replacement (z undoes)" 10
saved_is r.ipynb ":%s: replaced only the answered match" "c:baz = 1|baz += foo c:print([fooo]) c:bar = 'foo'"
keys z
t ":%s: z undoes the replacement" "undone" 10
cmd "%s/foo/X/g"
t ":%s without c replaces everywhere" "3 replacements" 10
cmd "s/(/x/"
t ":s: a bad pattern is one clear line" "s: bad pattern" 10
cmd "set number"
t ":set number: code lines are numbered" "1  baz = 1" 10
t ":set number: the second line too" "2  baz += X" 10
cmd "set nonumber"
wait_for "line_numbers = false" 10
if wait_gone "1  baz = 1" 10 && screen | grep -q "┃ baz = 1"; then ok ":set nonumber: the numbers go"
else notok ":set nonumber: the numbers go"; fi
cmd "q!"
wait_for BOBBIN-EXIT 10

# ---- the system clipboard through OSC 52 (tmux's set-clipboard takes it into a buffer) ----
mknb "$T/y.ipynb" "print('out' + 'put')"
start -- y.ipynb
idle
keys Y
t "clipboard: off by default, Y says how to turn it on" "the system clipboard is off" 10
cmd "set osc52 true"
keys Escape; wait_for COMMAND 10
keys Y
t "clipboard: Y copies the cell source" "cell source copied to the system clipboard" 10
if [ "$(TM show-buffer 2>/dev/null)" = "print('out' + 'put')" ]; then ok "clipboard: the terminal got the source"
else notok "clipboard: source in the terminal's clipboard" "buffer: $(TM show-buffer 2>&1)"; fi
keys F6
t "clipboard: the cell ran" "output" 30
keys g y
t "clipboard: g y copies the output" "output copied to the system clipboard" 10
if [ "$(TM show-buffer 2>/dev/null)" = "output" ]; then ok "clipboard: the terminal got the output"
else notok "clipboard: output in the terminal's clipboard" "buffer: $(TM show-buffer 2>&1)"; fi
cmd "q!"
wait_for BOBBIN-EXIT 10

echo "1..$n"
