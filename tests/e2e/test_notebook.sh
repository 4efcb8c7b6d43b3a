#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# The notebook screen end to end on ipykernel: bobbin in tmux, keys in, the screen read back.
# Open, navigate, edit, run (Shift-Enter / Ctrl-Enter / Alt-Enter as the bytes terminals send),
# run all, input() and getpass(), interrupt, restart, a kernel killed from outside, save
# (byte-identical when unedited), the unsaved-changes question, move/merge/split, help, pager,
# folding. Prints TAP. Needs $BOBBIN, tmux and Debian's ipykernel.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
BOBBIN=${BOBBIN:-$HERE/../../bobbin}
T=$(mktemp -d /tmp/bobbin-nb-XXXXXX)
. "$HERE/nb/lib.sh"
trap cleanup EXIT INT TERM

echo "fold_height = 8" >"$XDG_CONFIG_HOME/bobbin/config"

# ---- open, navigate, edit, run ----
mknb "$T/a.ipynb" "md:# A title
Some *text*." "print('hello', 6 * 7)" "x = 41" "for i in range(60):
    print('line', i)"
cp "$T/a.ipynb" "$T/a.orig"
start -- a.ipynb
t "open: notebook name and first cell shown" "A title" 30
if idle; then ok "open: the kernel starts and shows idle"; else notok "open: kernel idle"; fi
keys j
t "navigate: j moves the focus" "cell 2/4" 10
# Shift-Enter as CSI u (ESC [ 13 ; 2 u)
hexkeys 1b 5b 31 33 3b 32 75
t "run: Shift-Enter (CSI u) runs the cell and shows its output" "hello 42"
t "run: Shift-Enter advances the focus" "cell 3/4" 10
# Ctrl-Enter as xterm modifyOtherKeys (ESC [ 27 ; 5 ; 13 ~) runs and stays
keys Enter; keys C-e; keys " + 1"; keys Escape
t "edit: Enter, typing and Esc change the cell" "x = 41 + 1" 10
# The edited text is on screen before Esc is handled: wait for command mode, or the next bytes
# would arrive within the Esc timeout and read as Alt+key.
t "edit: Esc returns to command mode" "COMMAND" 10
hexkeys 1b 5b 32 37 3b 35 3b 31 33 7e
t "run: Ctrl-Enter (modifyOtherKeys) runs the cell" "[2]:" 30
t "run: Ctrl-Enter keeps the focus" "cell 3/4" 10
# Alt-Enter (ESC CR in one write) runs and inserts a cell below
hexkeys 1b 0d
t "run: Alt-Enter (ESC CR) runs and inserts a cell" "cell 4/5" 20
t "edit: Alt-Enter leaves the new cell in edit mode" "EDIT" 10
keys "print(x * 2)"
keys F5
t "run: F5 (the non-modifier alternative) runs the cell" "84" 30
# folding: 60 lines fold to fold_height (20) with a marker; o unfolds
keys Escape; wait_for COMMAND 10; keys G
hexkeys 1b 5b 32 37 3b 35 3b 31 33 7e
t "output: a long output folds with '… N more lines'" "more lines (o unfolds" 30
keys o
if wait_gone "more lines (o unfolds" 10; then ok "output: o unfolds it"; else notok "output: o unfolds it"; fi
keys o
keys O
t "pager: O shows the whole output" "PAGER" 10
keys G
t "pager: G goes to its end" "line 59" 10
keys q
wait_for COMMAND 10
# help screen generated from the keymap
keys h
t "help: h shows the keymap with every way to run" "S-Enter, F5, R" 10
# the : commands are listed from the command table, the ones it used to lack too
keys G
t "help: lists :noh from the command table" ":noh " 10
t "help: lists :e! from the command table" ":e! FILE" 10
t "help: lists :x from the command table" ":x [FILE]" 10
keys q
wait_for COMMAND 10
# an unknown : command says so
cmd "nosuch"
t "cmdline: an unknown command says so" ":nosuch is not a command" 10
# run all
cmd "clear"
t ":clear clears the outputs" "outputs cleared" 10
cmd "run all"
t ":run all runs every cell" "hello 42" 30
# search: / moves to the cell and the matches are marked (the mono theme marks them reverse +
# underline, which capture-pane -e shows as SGR 4;7); :noh removes the marks
cmd "theme mono"
wait_for "theme mono" 10
keys Escape; wait_for COMMAND 10; keys "/line 4" Enter
t "search: / finds the text in an output and moves there" "/line 4: cell 5" 10
# from the first cell the match lies ahead: not "(wrapped)"
keys g g
wait_for "cell 1/5" 10
keys n
if wait_for "/line 4: cell 5" 10 && ! screen | grep -qF "/line 4: cell 5 (wrapped)"; then
	ok "search: n from the top finds it without wrapping"
else notok "search: n from the top finds it without wrapping"; fi
E=$(printf '\033')
if TM capture-pane -p -e | grep -q "$E\[[0-9;]*7[0-9;]*mline 4"; then ok "search: the match is highlighted"
else notok "search: the match is highlighted"; fi
cmd "noh"
# positive sync: a later command's message shows only after :noh was handled and drawn
cmd "theme mono"
wait_for "theme mono" 10
if TM capture-pane -p -e | grep -q "$E\[[0-9;]*7[0-9;]*mline 4"; then notok "search: :noh clears the highlight"
else ok "search: :noh clears the highlight"; fi
cmd "theme default"
# ---- save ----
cmd "w"
t ":w saves" "saved" 10
if grep -q "x = 41 + 1" "$T/a.ipynb" && $PY -c 'import nbformat,sys; nbformat.validate(nbformat.read(sys.argv[1], 4))' "$T/a.ipynb"; then
	ok "save: the file has the edit and is valid nbformat"
else
	notok "save: file content"
fi
keys q
t "quit: q after saving quits without asking" "BOBBIN-EXIT 0" 30

# ---- unedited save is byte-identical; unsaved-changes question ----
cp "$T/a.orig" "$T/b.ipynb"
start -- b.ipynb
idle
cmd "w"
wait_for saved 10
if cmp -s "$T/a.orig" "$T/b.ipynb"; then ok "save: an unedited notebook saves byte-identical"; else notok "save: bytes differ" "$(diff "$T/a.orig" "$T/b.ipynb" | head -5)"; fi
keys j Enter "# changed" Escape
keys q
t "quit: unsaved changes ask first" "Unsaved changes" 10
keys c
t "quit: c cancels" "not quitting" 10
keys q
wait_for "Unsaved changes" 10
keys n
t "quit: n quits without saving" "BOBBIN-EXIT 0" 30
if cmp -s "$T/a.orig" "$T/b.ipynb"; then ok "quit: n leaves the file alone"; else notok "quit: file changed"; fi

# ---- input() and getpass() ----
mknb "$T/in.ipynb" "name = input('your name? ')
print('hi', name)" "import getpass
pw = getpass.getpass('secret? ')
print('length', len(pw))"
start -- in.ipynb
idle
keys R
t "input: the prompt shows at the cell" "INPUT" 30
keys "Ada" Enter
t "input: the answer reaches the kernel" "hi Ada" 30
wait_for COMMAND 10
keys R
t "getpass: the prompt shows" "INPUT" 30
keys "hunter2"
# nothing on screen changes while a password is typed, so there is no positive sync: watch the
# screen for the whole window instead of looking once after a sleep
if wait_for hunter2 2; then notok "getpass: the password is not echoed"; else ok "getpass: the password is not echoed"; fi
keys Enter
t "getpass: the answer reaches the kernel" "length 7" 30

# ---- interrupt, restart, death ----
mknb "$T/k.ipynb" "import time
v = 5
time.sleep(120)" "print('v is', v)"
start -- k.ipynb
idle
keys R
t "interrupt: a running cell shows [*] and the elapsed time" "busy [1] 2." 30
keys I I
t "interrupt: I I interrupts the running cell" "KeyboardInterrupt" 30
# ipykernel aborts what arrives before it is idle again after an error (stop_on_error): wait
idle
keys R
t "interrupt: the kernel keeps its state" "v is 5" 30
keys 0 0
t "restart: 0 0 restarts the kernel" "restarting" 20
idle
keys k R
t "restart: the state is gone after a restart" "NameError" 40
keys g g R
wait_for "[*]:" 30
pid=$(pgrep -f "$JUPYTER_RUNTIME_DIR/kernel" | head -1)
if [ -n "$pid" ]; then kill -9 "$pid"; fi
t "death: a kernel killed from outside shows dead" " dead" 30
t "death: the cell it died in is marked, with the restart key" "kernel died while running this cell" 10
keys 0 0
idle
t "death: 0 0 restarts a dead kernel" " idle" 30
cmd "q!"
t "quit: :q! quits" "BOBBIN-EXIT" 30

# ---- move, merge, split ----
mknb "$T/m.ipynb" "first" "second" "third"
start -- m.ipynb
wait_for "first" 30
hexkeys 1b 5b 31 3b 35 42 # Ctrl-Down
keys Escape; cmd "w"
wait_for saved 10
if [ "$(sources "$T/m.ipynb" | tr '\n' ' ')" = "c:second c:first c:third " ]; then ok "move: Ctrl-Down moves the cell down"; else notok "move" "$(sources "$T/m.ipynb")"; fi
hexkeys 1b 5b 31 3b 35 41 # Ctrl-Up
keys M
cmd "w"
wait_for saved 10
if [ "$(sources "$T/m.ipynb" | tr '\n' ' ')" = "c:first|second c:third " ]; then ok "merge: M merges with the next cell"; else notok "merge" "$(sources "$T/m.ipynb")"; fi
keys Enter Home
hexkeys 1b 2d
wait_for "cell 2/3" 10
keys Escape
cmd "w"
wait_for saved 10
if [ "$(sources "$T/m.ipynb" | tr '\n' ' ')" = "c:first c:second c:third " ]; then ok "split: Alt-minus splits at the cursor"; else notok "split" "$(sources "$T/m.ipynb")"; fi
keys d d
t "delete: d d deletes the cell" "cell deleted" 10
keys z
t "delete: z brings it back" "cell 2/3" 10
cmd "q"
t "quit: :q refuses with unsaved changes" "unsaved changes: :w saves" 10
cmd "wq"
t "quit: :wq saves and quits" "BOBBIN-EXIT 0" 30
if [ "$(sources "$T/m.ipynb" | tr '\n' ' ')" = "c:first c:second c:third " ]; then ok "quit: :wq wrote the notebook"; else notok ":wq" "$(sources "$T/m.ipynb")"; fi
