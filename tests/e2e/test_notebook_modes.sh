#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# The notebook screen's modes that the other checks do not reach, on ipykernel: the completion
# popup (Tab offers several names, Down moves, Enter takes one, the popup closes), the
# documentation popup (S-Tab; any other key closes it and acts in edit mode), and the kernel
# picker (a kernel that is not installed opens it; q leaves no kernel and says how; Enter starts
# the one chosen). Prints TAP. Needs $BOBBIN, tmux and Debian's ipykernel.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
BOBBIN=${BOBBIN:-$HERE/../../bobbin}
T=$(mktemp -d /tmp/bobbin-nbm-XXXXXX)
. "$HERE/nb/lib.sh"
trap cleanup EXIT INT TERM

# ---- completion and documentation popups ----
# the names are made at run time, so they are on screen only in the popup
mknb "$T/c.ipynb" "exec('zq_' + 'first = 1'); exec('zq_' + 'second = 2')" "zq_"
start -- c.ipynb
idle
keys R
wait_for "[1]:" 30
keys Enter
t "edit: Enter edits the cell" "EDIT" 10
keys Tab
t "popup: Tab shows the kernel's completions" "zq_second" 30
if screen | grep -qF "zq_first"; then ok "popup: every match is offered"; else notok "popup: every match is offered"; fi
t "popup: the bottom line still says EDIT" "EDIT" 10
keys Down Enter
if wait_gone "zq_first" 10; then ok "popup: Enter takes the chosen one and closes"; else notok "popup: Enter takes the chosen one and closes"; fi
t "popup: the chosen completion is in the cell" "zq_second" 10
keys BTab
t "popup: S-Tab shows the documentation" "String form" 30
keys Left
if wait_gone "String form" 10; then ok "popup: another key closes the documentation"; else notok "popup: another key closes the documentation"; fi
keys " + 1" Escape
t "popup: the key that closed it acted in edit mode" "zq_secon + 1d" 10
cmd "q!"
t "quit: :q! quits (status 0: nothing leaked under ASan)" "BOBBIN-EXIT 0" 30

# ---- the kernel picker ----
start -- -k no-such-kernel c.ipynb
t "picker: a kernel that is not installed opens the picker" "Pick a kernel" 30
t "picker: says why" "kernel \"no-such-kernel\" is not installed" 10
t "picker: the bottom line says LIST" "LIST" 10
keys q
t "picker: q leaves no kernel and says how to start one" "no kernel: :kernel NAME starts one" 10
cmd "kernel no-such-kernel"
t "picker: :kernel with a kernel not installed opens it again" "Pick a kernel" 30
keys Enter
t "picker: Enter starts the kernel chosen" "starting kernel" 10
if wait_gone "Pick a kernel" 10; then ok "picker: and closes"; else notok "picker: and closes"; fi
cmd "q!"
t "quit: :q! quits (status 0: nothing leaked under ASan)" "BOBBIN-EXIT 0" 30
