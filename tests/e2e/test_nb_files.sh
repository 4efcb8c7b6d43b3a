#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# The recovery file in a directory somebody else can write to: symlinks planted at every name the
# writer may use (the recovery name itself and the old pid-suffixed temporary name) point at the
# user's files; the periodic autosave and the write on SIGHUP leave those files untouched and
# put a regular file of the edit at the recovery name. A planted symlink at the recovery name is
# not offered for recovery on open. `:w FILE` does not overwrite an existing other file without
# `!`. A notebook without metadata.kernelspec is not modified by opening it (the kernel bobbin
# picks is written when something is run, with a message). A single completion from the kernel
# with control characters in it is inserted as text only (no control byte in the saved source).
# Prints TAP. Needs $BOBBIN, tmux, Debian's nbformat and ipykernel.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
BOBBIN=${BOBBIN:-$HERE/../../bobbin}
T=$(mktemp -d /tmp/bobbin-rec-XXXXXX)
. "$HERE/nb/lib.sh"
trap cleanup EXIT INT TERM

echo "autosave_interval = 1" >"$XDG_CONFIG_HOME/bobbin/config"
for v in victim1 victim2 victim3; do printf 'precious %s\n' $v >"$T/$v"; chmod 600 "$T/$v"; done
untouched() {
	for v in victim1 victim2 victim3; do [ "$(cat "$T/$v")" = "precious $v" ] || return 1; done
}

mknb "$T/s.ipynb" "a = 1"
start -- s.ipynb
wait_for "a = 1" 30
pid=$(pgrep -f "^$BOBBIN s.ipynb" | head -1)
ln -s "$T/victim1" "$T/.s.ipynb.recovery.$pid"
ln -s "$T/victim2" "$T/.s.ipynb.recovery"
keys Enter " + 12345" Escape
wait_for "a = 1 + 12345" 10
# The periodic autosave replaces the planted link at the recovery name with its own file.
wait_regular() {
	i=0
	while [ $i -lt 300 ]; do
		[ -f "$T/.s.ipynb.recovery" ] && [ ! -L "$T/.s.ipynb.recovery" ] && grep -q 12345 "$T/.s.ipynb.recovery" && return 0
		i=$((i + 1)); sleep 0.1
	done
	return 1
}
if wait_regular; then ok "autosave: the recovery file is a regular file with the edit"; else notok "autosave: recovery file" "$(ls -la "$T")"; fi
if untouched; then ok "autosave: the files behind the planted symlinks are untouched"; else notok "autosave: a planted symlink was written through" "$(head "$T"/victim*)"; fi

rm -f "$T/.s.ipynb.recovery"
ln -s "$T/victim3" "$T/.s.ipynb.recovery"
kill -HUP "$pid"
t "hangup: bobbin exits on SIGHUP" "BOBBIN-EXIT" 30
if untouched; then ok "hangup: the files behind the planted symlinks are untouched"; else notok "hangup: a planted symlink was written through" "$(head "$T"/victim*)"; fi
if [ -f "$T/.s.ipynb.recovery" ] && [ ! -L "$T/.s.ipynb.recovery" ] && grep -q 12345 "$T/.s.ipynb.recovery"; then
	ok "hangup: the recovery file is a regular file with the edit"
else
	notok "hangup: recovery file" "$(ls -la "$T")"
fi
[ -z "$(find "$T" -name '.s.ipynb.recovery.*' ! -type l)" ]; if [ $? = 0 ]; then ok "no temporary file left behind"; else notok "temporary files left" "$(ls -la "$T")"; fi

# A symlink at the recovery name (to another notebook) is not offered as this one's recovery.
mknb "$T/other.ipynb" "b = 'other-notebook'"
mknb "$T/u.ipynb" "u = 2"
ln -s "$T/other.ipynb" "$T/.u.ipynb.recovery"
start -- u.ipynb
wait_for "u = 2" 30
idle 60
if screen | grep -q "recovery file"; then notok "open: a planted recovery symlink is not offered"; else ok "open: a planted recovery symlink is not offered"; fi
cmd "q!"
wait_for BOBBIN-EXIT 30

# ---- :w FILE onto an existing file that is not the notebook ----
printf 'my notes\n' >"$T/notes.txt"
mknb "$T/w.ipynb" "w = 1"
start -- w.ipynb
wait_for "w = 1" 30
cmd "w notes.txt"
t ":w FILE: an existing other file is refused, naming :w!" ":w! FILE overwrites" 10
if [ "$(cat "$T/notes.txt")" = "my notes" ]; then ok ":w FILE: the other file is untouched"; else notok ":w FILE: the other file was overwritten"; fi
cmd "w! notes.txt"
wait_for "saved notes.txt" 10
if grep -q '"w = 1"' "$T/notes.txt"; then ok ":w! FILE overwrites"; else notok ":w! FILE overwrites" "$(cat "$T/notes.txt")"; fi
cmd "q"
wait_for BOBBIN-EXIT 30

# ---- a notebook without metadata.kernelspec ----
$PY - "$T/nok.ipynb" <<'PYEOF'
import sys, nbformat
nb = nbformat.v4.new_notebook()
nb.cells.append(nbformat.v4.new_code_cell("k = 40 + 2"))
nbformat.write(nb, sys.argv[1])
PYEOF
cp "$T/nok.ipynb" "$T/nok.orig"
start -- nok.ipynb
wait_for "k = 40 + 2" 30
idle 60
if screen | head -1 | grep -qF "[+]"; then notok "no kernelspec: not marked modified once the kernel is up"; else ok "no kernelspec: not marked modified once the kernel is up"; fi
cmd "q"
t "no kernelspec: :q quits (nothing to save)" BOBBIN-EXIT 30
if cmp -s "$T/nok.ipynb" "$T/nok.orig"; then ok "no kernelspec: the file is unchanged"; else notok "no kernelspec: the file changed"; fi
start -- nok.ipynb
wait_for "k = 40 + 2" 30
idle 60
keys R
t "no kernelspec: running a cell says the kernelspec is now set" "metadata.kernelspec is now python3" 30
cmd "w"
wait_for "saved nok.ipynb" 10
if $PY -c 'import json,sys; sys.exit(json.load(open(sys.argv[1]))["metadata"]["kernelspec"]["name"] != "python3")' "$T/nok.ipynb"; then
	ok "no kernelspec: saved after running, the notebook names the kernel"
else
	notok "no kernelspec: kernelspec saved" "$(head -c 600 "$T/nok.ipynb")"
fi
cmd "q"
wait_for BOBBIN-EXIT 30

# ---- a single completion with control characters ----
mknb "$T/c.ipynb" 'get_ipython().set_custom_completer(lambda self, text: ["zqx\x1b]0;pwned\x07\x1b[2J" + "TAIL"] if text.startswith("zq") else [])' ""
start -- c.ipynb
wait_for "set_custom_completer" 30
idle 60
keys R
wait_for "[1]" 30
keys Enter
keys zq Tab
t "completion: a single match is inserted" "zqxTAIL" 30
keys Escape
cmd "w"
wait_for "saved c.ipynb" 10
if $PY -c 'import json,sys; s="".join(json.load(open(sys.argv[1]))["cells"][1]["source"]); sys.exit(not (s.startswith("zqx") and s.endswith("TAIL") and all(c >= " " for c in s)))' "$T/c.ipynb"; then
	ok "completion: no control character reaches the cell source"
else
	notok "completion: control characters inserted" "$($PY -c 'import json,sys; print(repr(json.load(open(sys.argv[1]))["cells"][1]["source"]))' "$T/c.ipynb")"
fi
cmd "q"
wait_for BOBBIN-EXIT 30
