#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# `bobbin console` draws its prompts and Out[n] in the theme's roles, like the notebook screen:
# the default theme's prompt_in / prompt_out colours, another theme's (--theme, the config's
# theme), and no colour at all under NO_COLOR (the kernel's own SGR included). The pane is read
# with its escape sequences (capture-pane -e). Prints TAP. Needs $BOBBIN, tmux and ipykernel.
set -u
BOBBIN=${BOBBIN:-$(cd "$(dirname "$0")/../.." && pwd)/bobbin}
. "$(dirname "$0")/console/lib.sh"
setup_root
export JUPYTER_RUNTIME_DIR="$TMPROOT/rt" XDG_DATA_HOME="$TMPROOT/data" XDG_CONFIG_HOME="$TMPROOT/cfg"
mkdir -p "$JUPYTER_RUNTIME_DIR" "$XDG_DATA_HOME" "$XDG_CONFIG_HOME/bobbin"
epane() { tmux -L "$SOCK" capture-pane -p -e -N -S -200 2>/dev/null; }
# before TEXT: the escape sequences in front of TEXT on its first line in $S (tmux re-encodes
# what it got: compare the colours, not the bytes bobbin wrote)
before() { printf '%s\n' "$S" | awk -v t="$1" 'i = index($0, t) { print substr($0, 1, i - 1); exit }'; }
ESC=$(printf '\033')
# run ENV... : a console (TERM=xterm-256color), 6*7 and a red print, then the screen with SGR
run() {
	start "env TERM=xterm-256color $* $BOBBIN console -k python3"
	wait_for '^In \[1\]: $' 60 || return 1
	type_text '6 * 7'; keys Enter
	wait_for '^In \[2\]: $' || return 1
	type_text 'print("\x1b[31mred\x1b[0m")'; keys Enter
	wait_for '^In \[3\]: $' || return 1
	S=$(epane)
}

# default theme: prompt_in and prompt_out are 256-colour (or RGB) foregrounds, different ones
run
IN=$(before "In [1]:"); OUT=$(before "Out[1]:")
case $IN in *"38;"*) check 0 "default theme: In [n] in prompt_in's colour" ;; *) check 1 "default theme: In [n] coloured" ;; esac
case $OUT in *"38;"*) check 0 "default theme: Out[n] in prompt_out's colour" ;; *) check 1 "default theme: Out[n] coloured" ;; esac
[ "$IN" != "$OUT" ]; check $? "default theme: In and Out differ"
printf '%s\n' "$S" | grep -q "${ESC}\[31mred" ; check $? "default theme: the kernel's SGR passes"

# --theme mono: bold prompts, no colour

start "env TERM=xterm-256color $BOBBIN console -k python3 --theme mono"
wait_for '^In \[1\]: $' 60; type_text '6 * 7'; keys Enter; wait_for '^In \[2\]: $'
S=$(epane)
[ "$(before "In [1]:")" = "${ESC}[1m" ]; check $? "--theme mono: In [n] bold"
[ "$(before "Out[1]:")" = "${ESC}[1m" ]; check $? "--theme mono: Out[n] bold"
! printf '%s\n' "$S" | grep -q "38;5;149" ; check $? "--theme mono: not the default's colour"

# the config's theme
echo "theme = high-contrast" >"$XDG_CONFIG_HOME/bobbin/config"
start "env TERM=xterm-256color $BOBBIN console -k python3"
wait_for '^In \[1\]: $' 60
S=$(epane)
case $(before "In [1]:") in *1m*92m* | *92m*1m* | *"1;92m"*) check 0 "config theme high-contrast: In [n] bright green bold" ;;
*) check 1 "config theme high-contrast: In [n] bright green bold" ;; esac
rm "$XDG_CONFIG_HOME/bobbin/config"

# NO_COLOR: no SGR at all, not even the kernel's
run NO_COLOR=1
printf '%s\n' "$S" | grep -q "^In \[1\]: 6 \* 7" ; check $? "NO_COLOR: the prompt is plain"
printf '%s\n' "$S" | grep -q "^red$" ; check $? "NO_COLOR: the kernel's colours are dropped"
! printf '%s\n' "$S" | grep -q "${ESC}\[" ; check $? "NO_COLOR: no escape sequence on the screen"

echo "1..$N"
[ "$FAILED" -eq 0 ]
