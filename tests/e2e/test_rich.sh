#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Rich outputs on the notebook screen, from a real ipykernel: a matplotlib figure (Debian's
# python3-matplotlib, inline backend) drawn as block-character art at 80×24 and at 200×60, the
# placeholder with images=none and with TERM=vt100; a markdown output with a GFM table (task
# lists, strikethrough and bare URLs in a cell, "~" around struck text on a vt100), a LaTeX
# output with "\," kept, an HTML table as a text table, a markdown cell's table in columns.
# `bobbin exec` prints the figure as art too. Prints TAP. Needs $BOBBIN, tmux, ipykernel.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
BOBBIN=${BOBBIN:-$HERE/../../bobbin}
T=$(mktemp -d /tmp/bobbin-rich-XXXXXX)
. "$HERE/nb/lib.sh"
trap cleanup EXIT INT TERM

# rows of the screen holding block art (half blocks, quadrants, shades): the figure
art_rows() { screen | grep -c '[▀▄█▌▐▖▗▘▝▚▞▙▛▜▟▁▂▃▅▆▇▊▋▍▎▏▔▕]'; }
has_art() { [ "$(art_rows)" -ge "$1" ]; }

mknb "$T/fig.ipynb" "import matplotlib.pyplot as plt
plt.figure(figsize=(6.4, 4.8))
plt.plot([0, 1, 2, 3], [0, 1, 4, 9], 'r-', linewidth=6)
plt.title('rich-e2e'); print('fig' + '-done')"
start -x 80 -y 24 -- fig.ipynb
idle
keys R
t "figure: the cell ran" "fig-done" 90
if until_ok 30 has_art 8; then
	ok "80x24: the figure is block art ($(art_rows) rows)"
else
	notok "80x24: the figure is block art" "rows with block characters: $(art_rows)"
fi
if screen | grep -q '\[image/png'; then notok "80x24: no placeholder"; else ok "80x24: no placeholder"; fi
# colours: the art's cells carry SGR colours (the red line and the white background)
colour_art() {
	TM capture-pane -p -e | grep '[▀▄▌▐▖▗▘▝▚▞▁▂▃▅▆▇▊▔▕]' | grep -c "$(printf '\033')\[[0-9;]*[34]8;[25];"
}
if [ "$(colour_art)" -ge 8 ]; then
	ok "80x24: the art is in colour"
else
	notok "80x24: the art is in colour" "rows of art with SGR colours: $(colour_art)"
fi
cmd "w"
wait_for saved 10
cmd "q"
wait_for BOBBIN-EXIT 30

# the pager (O): the image as tall as the screen; e: saved to a file, shown by the viewer
printf '#!/bin/sh\ncp "$1" "%s/seen.png"\n' "$T" >"$T/viewer.sh"
chmod +x "$T/viewer.sh"
start -x 80 -y 24 BOBBIN_IMAGE_VIEWER="$T/viewer.sh" -- fig.ipynb
t "pager: the notebook is shown" "fig-done" 30
keys O
t "pager: open" "q closes" 10
if until_ok 10 has_art 19; then
	ok "pager: the figure fills the screen ($(art_rows) rows)"
else
	notok "pager: the figure fills the screen" "rows with block characters: $(art_rows)"
fi
keys q
wait_gone "q closes" 10
keys e
t "e: the viewer ran" "shown by \$BOBBIN_IMAGE_VIEWER" 10
if $PY -c 'import sys; sys.exit(open(sys.argv[1], "rb").read(8) != b"\x89PNG\r\n\x1a\n")' "$T/seen.png"; then
	ok "e: the viewer got the PNG"
else
	notok "e: the viewer got the PNG"
fi
cmd "q"
wait_for BOBBIN-EXIT 30

start -x 200 -y 60 -- fig.ipynb
if until_ok 30 has_art 12; then
	ok "200x60: the figure is block art ($(art_rows) rows)"
else
	notok "200x60: the figure is block art" "rows with block characters: $(art_rows)"
fi
cmd "q"
wait_for BOBBIN-EXIT 30

printf 'images = none\n' >"$XDG_CONFIG_HOME/bobbin/config"
start -x 80 -y 24 -- fig.ipynb
t "images=none: the placeholder" "[image/png" 30
if [ "$(art_rows)" -eq 0 ]; then ok "images=none: no art"; else notok "images=none: no art"; fi
cmd "q"
wait_for BOBBIN-EXIT 30
rm "$XDG_CONFIG_HOME/bobbin/config"

start -x 80 -y 24 TERM=vt100 LANG=C LC_ALL=C -- fig.ipynb
t "TERM=vt100: the placeholder" "[image/png" 30
cmd "q"
wait_for BOBBIN-EXIT 30

start -x 80 -y 24 NO_COLOR=1 TMPDIR="$T" -- fig.ipynb
t "NO_COLOR: the placeholder" "[image/png" 30
keys e
t "e without a viewer: the path shown" "image saved to $T/bobbin-image-" 10
cmd "q"
wait_for BOBBIN-EXIT 30

# ---- text types ----
mknb "$T/text.ipynb" "md:| fruit | count |
|:--|--:|
| apple | 3 |
| kiwi | 120 |

- [x] done ~~old~~ at www.example.org
- [ ] todo" "from IPython.display import Markdown, Latex, HTML, display
display(Markdown('**bold** and a table:\n\n| k | v |\n|---|---|\n| one | 1 |'))
display(Latex(r'\$\alpha \, \beta^2 \leq \infty\$'))
display(HTML('<table><tr><th>name</th><th>qty</th></tr><tr><td>pear</td><td>17</td></tr></table>'))
print('text' + '-done')"
start -x 100 -y 40 -- text.ipynb
t "markdown cell: the table in columns" "fruit  count" 30
t "markdown cell: numbers right-aligned" "kiwi     120" 5
t "markdown cell: a task list, struck text, a bare URL" "[x] done old at www.example.org" 5
t "markdown cell: an open task" "[ ] todo" 5
idle
keys j R
t "text types: the cell ran" "text-done" 90
t "markdown output: rendered, its table in columns" "one  1" 10
if screen | grep -q 'Markdown object'; then notok "markdown output: no repr"; else ok "markdown output: no repr"; fi
t "LaTeX output: symbols as Unicode, \\, kept" 'α \, β² ≤ ∞' 10
t "HTML table: as a text table" "pear   17" 10
cmd "q!"
wait_for BOBBIN-EXIT 30

# no dim attribute on a vt100: struck text is marked
start -x 100 -y 40 TERM=vt100 LANG=C LC_ALL=C -- text.ipynb
t "TERM=vt100: struck text between ~" "[x] done ~old~ at www.example.org" 30
cmd "q!"
wait_for BOBBIN-EXIT 30

# ---- bobbin exec ----
TM kill-server 2>/dev/null
sessions=$((sessions + 1))
SOCK="bobbin-nb-$$-$sessions"
TM -f /dev/null new-session -d -x 80 -y 40 -c "$T" \
	"env TERM=xterm-256color LANG=C.UTF-8 JUPYTER_RUNTIME_DIR=$JUPYTER_RUNTIME_DIR XDG_CONFIG_HOME=$XDG_CONFIG_HOME $BOBBIN exec -c 'import matplotlib.pyplot as plt; plt.plot([0, 1], [0, 1], linewidth=6); plt.show()'; echo BOBBIN-EXIT \$?; sleep 600"
wait_for BOBBIN-EXIT 90
if has_art 8; then ok "exec: the figure is block art"; else notok "exec: the figure is block art"; fi
if screen | grep -q 'BOBBIN-EXIT 0'; then ok "exec: exit 0"; else notok "exec: exit 0"; fi
echo "1..$n"
