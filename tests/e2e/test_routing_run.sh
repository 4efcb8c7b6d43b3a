#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Thread routing through `bobbin run`: every scenario notebook of tests/data/routing (routing.md's
# cases: ticker, lazily spawned pool workers, an I/O thread, display() from a thread, nested
# threads, an asyncio task) runs on Debian's ipykernel under each policy (--routing kernel,
# origin, current, auto), and tests/e2e/run/routing_check.py asserts which cell every output
# landed in and its saved attribution (thread name, origin cell id), against the expectations the
# notebook carries. Then per-thread-name rules (--route), and xeus-python: routing is refused with
# one note on stderr and the notebook still runs. Prints TAP. Needs $BOBBIN and /usr/bin/python3.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
DATA="$HERE/../data/routing"
TMPNAME=routing
. "$HERE/run/lib.sh"

# scenario NAME NOTEBOOK EXPECT_POLICY [--no-agent] -- BOBBIN_ARGS...
scenario() {
	name=$1 nb=$2 want=$3; shift 3
	flag=""
	if [ "$1" = --no-agent ]; then flag=--no-agent; shift; fi
	shift # --
	out="$T/$(echo "$name" | tr -c 'A-Za-z0-9\n' _).ipynb"
	"$BOBBIN" run "$@" "$DATA/$nb.ipynb" -o "$out" >"$T/out" 2>"$T/err"; rc=$?
	if [ $rc != 0 ]; then
		notok "$name" "bobbin run exited $rc" "$(cat "$T/err")"
	elif [ -z "$flag" ] && [ -s "$T/err" ]; then
		notok "$name" "unexpected stderr: $(cat "$T/err")"
	elif msg=$($PY "$HERE/run/routing_check.py" "$out" "$want" $flag 2>&1); then
		ok "$name"
	else
		notok "$name" "$msg"
	fi
}

for nb in ticker pool iothread display nested asyncio_task openline; do
	for p in kernel origin current auto; do
		scenario "$nb --routing $p: outputs in the policy's cells, attribution saved" \
			"$nb" "$p" -- --routing "$p"
	done
done

# A rule by thread name wins over the default.
scenario "pool --routing current --route 'ThreadPoolExecutor-*=origin': tasks go to their origin" \
	pool origin -- --routing current --route 'ThreadPoolExecutor-*=origin'
scenario "ticker --routing origin --route 'tick*=current': the ticker follows the running cell" \
	ticker current -- --routing origin --route 'tick*=current'

# xeus-python: no agent, routing refused in one line, the notebook still runs.
for nb in ticker iothread; do
	out="$T/x-$nb.ipynb"
	"$BOBBIN" run -k xpython --routing origin "$DATA/$nb.ipynb" -o "$out" >"$T/out" 2>"$T/err"
	rc=$?
	lines=$(wc -l <"$T/err")
	if [ $rc = 0 ] && [ "$lines" = 1 ] && grep -q 'routing' "$T/err" &&
		grep -qi 'not support' "$T/err"; then
		ok "xpython $nb: routing refused with one line on stderr, exit 0"
	else
		notok "xpython $nb: routing refused with one line on stderr, exit 0" \
			"rc $rc, $lines lines: $(cat "$T/err")"
	fi
	if msg=$($PY "$HERE/run/routing_check.py" "$out" origin --no-agent 2>&1); then
		ok "xpython $nb: every output is there once, no thread attribution"
	else
		notok "xpython $nb: every output is there once, no thread attribution" "$msg"
	fi
done
echo "1..$n"
