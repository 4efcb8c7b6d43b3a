#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Help pages from the kernel (`obj?`, an execute_reply payload with source "page"): the notebook
# screen shows them in the pager (q closes it, nothing is saved into the cell), `bobbin console`
# and `bobbin exec` print them after the cell's output. The docstring is made at run time, so it
# is on screen only when the page is. Prints TAP. Needs $BOBBIN, tmux and Debian's ipykernel.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
BOBBIN=${BOBBIN:-$HERE/../../bobbin}
T=$(mktemp -d /tmp/bobbin-page-XXXXXX)
. "$HERE/nb/lib.sh"
trap cleanup EXIT INT TERM

DEF='def zz(): pass
zz.__doc__ = "page" + "-doc of zz, " + "made at run time"'
DOC="page-doc of zz, made at run time"

# ---- console (piped) and exec ----
out=$(printf '%s\nzz?\nprint("after" + "-page")\n' "$DEF" | "$BOBBIN" console -k python3 2>&1)
if printf '%s\n' "$out" | grep -qF "$DOC" &&
	printf '%s\n' "$out" | sed -n "/$DOC/,\$p" | grep -qx "after-page"; then
	ok "console: zz? prints the page, before the next cell's output"
else
	notok "console: zz? prints the page" "output: $out"
fi
out=$("$BOBBIN" exec -k python3 -c "$DEF
zz?" 2>&1)
if printf '%s\n' "$out" | grep -qF "$DOC"; then ok "exec: zz? prints the page"
else notok "exec: zz? prints the page" "output: $out"; fi
out=$("$BOBBIN" exec -k python3 -c "print(1)" 2>&1)
if [ "$out" = 1 ]; then ok "exec: no page, nothing more printed"
else notok "exec: no page, nothing more printed" "output: $out"; fi

# ---- the notebook screen ----
mknb "$T/p.ipynb" "$DEF" "zz?" "1 + 41"
start -x 80 -y 24 -- p.ipynb
idle
keys R R
t "notebook: zz? opens the page in the pager" "$DOC" 30
t "notebook: the status line says what it is" "help from the kernel" 5
keys q
if wait_gone "$DOC" 10; then ok "notebook: q closes the pager"
else notok "notebook: q closes the pager"; fi
cmd "w"
wait_for "saved" 10
if $PY -c 'import json,sys; nb=json.load(open(sys.argv[1])); sys.exit(1 if nb["cells"][1]["outputs"] else 0)' "$T/p.ipynb"; then
	ok "notebook: the page is not saved as an output"
else
	notok "notebook: the page is not saved as an output" "$(cat "$T/p.ipynb")"
fi
echo "1..$n"
