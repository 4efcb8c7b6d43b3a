#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# A "\r" progress bar that crosses its cell's end, through `bobbin run` on Debian's ipykernel
# (issue 10, defect 3): the main thread writes its first state, a thread writes the rest one
# message per state and finishes after the cell's idle (collected with --linger). The saved
# notebook must hold only the bar's last state, in one stream output, with and without the
# routing agent and under each policy; the chunks' provenance is kept (a late part without the
# agent, the thread's with it). Prints TAP. Needs $BOBBIN and /usr/bin/python3.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
TMPNAME=progress
. "$HERE/run/lib.sh"

nb="$T/bar.ipynb"
$PY - "$nb" <<'PYEOF'
import json, sys
src = """import sys, threading, time
sys.stdout.write('\\rdownloading 0/30'); sys.stdout.flush()
def bar():
    time.sleep(0.5)
    for i in range(1, 31):
        sys.stdout.write('\\rdownloading %d/30' % i); sys.stdout.flush()
        time.sleep(0.05)
    print(' done')
threading.Thread(target=bar, name='bar').start()"""
nb = {"cells": [{"cell_type": "code", "execution_count": None, "id": "bar", "metadata": {},
                 "outputs": [], "source": src}],
      "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3",
                                  "language": "python"}},
      "nbformat": 4, "nbformat_minor": 5}
json.dump(nb, open(sys.argv[1], "w"))
PYEOF

# check OUT AGENT: one stream output with the last state only; its provenance in parts
check() {
	$PY - "$1" "$2" <<'PYEOF'
import json, sys
nb = json.load(open(sys.argv[1]))
agent = sys.argv[2] == "agent"
cells = [c for c in nb["cells"] if c["cell_type"] == "code"]
fails = []
if len(cells) != 1:
    fails.append("%d code cells" % len(cells))
outs = cells[0]["outputs"]
text = ["".join(o["text"]) if isinstance(o["text"], list) else o["text"] for o in outs
        if o["output_type"] == "stream"]
if text != ["downloading 30/30 done\n"]:
    fails.append("stream outputs %r, want ['downloading 30/30 done\\n']" % text)
attr = cells[0]["metadata"].get("bobbin", {}).get("attribution", [])
if not any(a["late"] for a in attr):
    fails.append("no late chunk in the attribution: %r" % attr)
if agent and not any((a.get("thread") or {}).get("name") == "bar" for a in attr):
    fails.append("no chunk of thread 'bar' in the attribution: %r" % attr)
if not agent and any(a.get("thread") for a in attr):
    fails.append("a thread named without the agent: %r" % attr)
if any(a["output"] != 0 for a in attr):
    fails.append("attribution names another output: %r" % attr)
print("\n".join(fails))
sys.exit(1 if fails else 0)
PYEOF
}

run() {
	name=$1 agent=$2; shift 2
	out="$T/out-$(echo "$name" | tr -c 'A-Za-z0-9\n' _).ipynb"
	"$BOBBIN" run --linger 3 "$@" "$nb" -o "$out" >"$T/out" 2>"$T/err"; rc=$?
	if [ $rc != 0 ]; then
		notok "$name" "bobbin run exited $rc" "$(cat "$T/err")"
	elif msg=$(check "$out" "$agent" 2>&1); then
		ok "$name"
	else
		notok "$name" "$msg"
	fi
}

run "--no-agent: the bar is saved as its last state, one output, late chunks attributed" \
	no --no-agent
for p in kernel origin current auto; do
	run "agent, --routing $p: the bar is saved as its last state, the thread's chunks attributed" \
		agent --routing "$p"
done
echo "1..$n"
