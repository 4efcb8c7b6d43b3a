#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# The notebook screen on an R notebook (IRkernel, kernelspec "ir"), end to end in tmux: open it
# (the kernel comes from metadata.kernelspec), save it unedited byte-identical, run all (values,
# streams, a data frame, a plot, a warning, stop() and the cells queued behind it, which R
# aborts without a word), R's syntax colours, R's help on S-Tab, Ctrl-C on Sys.sleep(60), another
# client's output flagged stray, save the run. One R kernel. Prints TAP. Needs $BOBBIN, tmux and
# r-cran-irkernel.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
BOBBIN=${BOBBIN:-$HERE/../../bobbin}
T=$(mktemp -d /tmp/bobbin-nb-XXXXXX)
. "$HERE/nb/lib.sh"
trap cleanup EXIT INT TERM
E=$(printf '\033')

cp "$HERE/../data/conformance/r_outputs.ipynb" "$T/r.ipynb"
start -x 100 -y 40 -- r.ipynb
t "open: an R notebook opens with its kernel" "R idle" 60
cmd "w"
wait_for saved 10
if cmp -s "$HERE/../data/conformance/r_outputs.ipynb" "$T/r.ipynb"; then
	ok "save: the unedited R notebook saves byte-identical"
else
	notok "save: bytes differ" "$(diff "$HERE/../data/conformance/r_outputs.ipynb" "$T/r.ipynb" | head -5)"
fi

# ---- syntax colours from language_info (R): a comment and a string differ from plain code ----
keys b
wait_for EDIT 5 || keys Enter
wait_for EDIT 10
keys "# a comment 'x'" Enter "s <- \"str\"" Escape
wait_for COMMAND 10
# the comment, the string and the assignment arrow each in their own colour (an SGR right before)
screen_e() { TM capture-pane -p -e 2>/dev/null; }
limit=$(( $(date +%s) + 10 ))
while ! screen_e | grep -q "$E\[[0-9;]*m# a comment 'x'" && [ "$(date +%s)" -le "$limit" ]; do sleep 0.1; done
line=$(screen_e | grep "a comment 'x'" | head -1)
code=$(screen_e | grep -F '"str"' | head -1)
if printf '%s' "$line" | grep -q "$E\[[0-9;]*m# a comment 'x'" &&
	printf '%s' "$code" | grep -q "$E\[[0-9;]*m\"str\"" &&
	printf '%s' "$code" | grep -q "$E\[[0-9;]*m<-"; then
	ok "highlight: R comments, strings and <- are coloured"
else
	notok "highlight: R colours" "$(printf '%s\n%s' "$line" "$code" | cat -v)"
fi
# The comment keeps one colour to its end: the quote inside it starts no string.
if printf '%s' "$line" | grep -q "$E\[[0-9;]*m# a comment 'x'" &&
	! printf '%s' "$line" | grep -q "# a comment $E"; then
	ok "highlight: a quote inside an R comment starts no string"
else
	notok "highlight: comment split by a quote" "$(printf '%s' "$line" | od -c | head -5)"
fi

# ---- inspect: R's help in the popup, its overstruck headings as plain words ----
keys b
wait_for EDIT 5 || keys Enter
wait_for EDIT 10
keys paste BTab
t "inspect: S-Tab shows R's documentation" "R Documentation" 30
if wait_for "Concatenate Strings" 10 && ! screen | grep -q "_C_o_n"; then
	ok "inspect: overstruck headings show as plain words"
else
	notok "inspect: overstruck headings show as plain words"
fi
keys Escape
wait_gone "R Documentation" 10
keys Escape
wait_for COMMAND 10
keys d d
wait_gone "┃ paste" 10

# ---- run all ----
cmd "run all"
wait_for " idle" 60
# each output is found by search (/), which brings its cell on screen; the output line (indented,
# not the search's echo on the status line) is what counts
find() {
	keys Escape; wait_for COMMAND 10; keys "/$2" Enter
	limit=$(( $(date +%s) + 10 ))
	while ! screen | grep -qxF -- "         $2" && [ "$(date +%s)" -le "$limit" ]; do sleep 0.1; done
	if screen | grep -qxF -- "         $2"; then ok "$1"; else notok "$1" "waited for the output line: $2"; fi
}
find "run: cat() and every visible value" "[1] 42"
find "run: a data frame from its text form" "3 3 été"
keys Escape; wait_for COMMAND 10; keys "/ten points" Enter
# the plot is drawn as block art (tui/image.c), or as its placeholder where colours are off
art_rows() { screen | grep -c '[▀▄█▌▐▖▗▘▝▚▞▙▛▜▟]'; }
has_art() { [ "$(art_rows)" -ge 4 ]; }
if until_ok 10 has_art; then
	ok "run: a plot arrives as an image, drawn as block art ($(art_rows) rows)"
else
	notok "run: a plot arrives as an image" "rows with block characters: $(art_rows)"
fi
find "run: a warning shows as R writes it" "“careful”"
find "run: stop() shows R's error and traceback" "Error in g(): boom"
keys G
if wait_for "list(a = 1" 10 && ! screen | grep -q "output may be missing" &&
	! screen | grep -q "^ *after the error$"; then
	ok "run: the cells R aborted after the error are left unrun, with no false alarm"
else
	notok "run: cells after the error"
fi

# ---- interrupt ----
keys Escape; wait_for COMMAND 10
keys G b
wait_for EDIT 5 || keys Enter
wait_for EDIT 10
keys 'cat("sle", "eping\n", sep = ""); Sys.sleep(60)' Escape
wait_for COMMAND 10
keys F5
if wait_for "sleeping" 30; then
	keys I I
	if wait_for " idle" 20; then ok "interrupt: I I stops Sys.sleep(60)"; else notok "interrupt: I I stops Sys.sleep(60)"; fi
else
	notok "interrupt: the sleeping cell started"
fi

# ---- another client's output lands on the screen, flagged (no routing agent needed) ----
JUPYTER_RUNTIME_DIR="$JUPYTER_RUNTIME_DIR" "$BOBBIN" exec --existing -c 'cat("from elsewhere\n")' \
	>"$T/other.out" 2>&1
t "another client: its output shows on the R notebook's screen" "from elsewhere" 20

# ---- save the run ----
cmd "w"
wait_for saved 10
if $PY - "$T/r.ipynb" <<'PYEOF'
import sys, nbformat
nb = nbformat.read(sys.argv[1], 4)
nbformat.validate(nb)

assert nb.metadata.kernelspec["name"] == "ir"
outs = {c.get("id"): c.get("outputs", []) for c in nb.cells if c.cell_type == "code"}
assert [o["data"]["text/plain"] for o in outs["r-outputs-1"] if o["output_type"] == "display_data"] == ["[1] 2", "[1] 42"], outs["r-outputs-1"]
assert any("image/png" in o.get("data", {}) for o in outs["r-outputs-7"])
assert outs["r-outputs-8"][0]["ename"] == "ERROR"
assert outs["r-outputs-9"] == [], outs["r-outputs-9"]
other = [c for c in nb.cells for o in c.get("outputs", []) if "elsewhere" in "".join(o.get("text", ""))]
assert len(other) == 1 and any(a.get("stray") for a in other[0].metadata["bobbin"]["attribution"]), other
PYEOF
then ok "save: the run is saved as valid nbformat with R's outputs, the other client's flagged stray"
else notok "save: the saved run"; fi
keys q
t "quit: q after saving quits" "BOBBIN-EXIT 0" 30
