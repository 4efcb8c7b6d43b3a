#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# The notebook screen under a flood from xeus-python (100,000 lines, one stream message each, as
# fast as the kernel sends): the cell finishes (its prompt leaves [*], the kernel shows idle) and
# the saved notebook holds the lines in order. Before the client's receive queue was unlimited,
# about 40% of the messages and the idle were lost here and the cell stayed busy [*] for good.
# Prints TAP. Needs $BOBBIN, tmux and Debian's xeus-python.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
BOBBIN=${BOBBIN:-$HERE/../../bobbin}
T=$(mktemp -d /tmp/bobbin-nbf-XXXXXX)
. "$HERE/nb/lib.sh"
trap cleanup EXIT INT TERM

if [ ! -x /usr/bin/xpython ]; then
	echo "ok 1 - # SKIP xeus-python not installed"
	exit 0
fi
# A sanitizer build of bobbin is several times slower: 10,000 lines there.
case "${BOBBIN}" in *san*) lines=10000 ;; *) lines=100000 ;; esac
mknb "$T/f.ipynb" "import sys
for i in range($lines):
    sys.stdout.write('%d\n' % i)
    sys.stdout.flush()"
start -- -k xpython f.ipynb
if idle; then ok "flood: xeus-python starts"; else notok "flood: xeus-python starts"; fi
keys R
t "flood: the output shows" "more lines (o unfolds" 60
# The status bar says busy while a cell runs, whatever the kernel last said.
t "flood: the cell finishes (the status bar shows idle)" " idle" 120
keys k
t "flood: its prompt is [1]:, not [*]:" "[1]:" 10
cmd "w"
t "flood: saved" "saved" 20
# xeus-python itself may drop lines at this rate (its publisher thread's queue): the count is
# reported, order and uniqueness are checked.
got=$($PY -c '
import json, sys
c = json.load(open(sys.argv[1]))["cells"][0]
lines = "".join("".join(o.get("text", "")) for o in c["outputs"] if o.get("name") == "stdout").split("\n")[:-1]
nums = [int(x) for x in lines if x.isdigit()]
print(len(nums), "inorder" if nums == sorted(set(nums)) else "disorder")' "$T/f.ipynb")
echo "# lines saved: $got"
case "$got" in
*inorder) ok "flood: the saved lines are in order, none twice" ;;
*) notok "flood: saved lines" "got: $got" ;;
esac
cmd "q!"
wait_for BOBBIN-EXIT 30
echo "1..$n"
