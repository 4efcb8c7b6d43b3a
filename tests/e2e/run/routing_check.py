#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
# Checks a routing scenario notebook executed by `bobbin run --routing POLICY` against the
# expectations it carries (metadata.bobbin_test.expect, written by tests/data/routing/
# gen_routing.py): every marker line occurs exactly once, in the cell the policy sends it to, and
# the saved attribution of its output (metadata.bobbin.attribution) names the producing thread and
# the origin cell — or, for the main thread's own output, there is no attribution entry.
# With --no-agent (kernels that cannot route, e.g. xeus-python): only that every marker is there
# once and that no attribution entry claims a thread.
# Usage: routing_check.py NOTEBOOK POLICY [--no-agent]; exit 0 or 1 with every failure listed.
import fnmatch
import json
import sys


def j(v):
    return "".join(v) if isinstance(v, list) else (v or "")


def main():
    path, policy = sys.argv[1], sys.argv[2]
    no_agent = "--no-agent" in sys.argv[3:]
    with open(path, encoding="utf-8") as f:
        nb = json.load(f)
    fails = []
    for e in nb["metadata"]["bobbin_test"]["expect"]:
        m = e["marker"]
        hits = []
        for c in nb["cells"]:
            for i, o in enumerate(c.get("outputs", [])):
                if o["output_type"] == "stream":
                    n = j(o["text"]).split("\n").count(m)
                else:
                    n = m in j(o.get("data", {}).get("text/plain"))
                hits += [(c, i, o)] * int(n)
        if len(hits) != 1:
            fails.append("%r: found %d times (%s)" % (m, len(hits), [h[0]["id"] for h in hits]))
            continue
        c, i, o = hits[0]
        entries = [a for a in c.get("metadata", {}).get("bobbin", {}).get("attribution", [])
                   if a.get("output") == i]
        if no_agent:
            if any(a.get("thread") for a in entries):
                fails.append("%r: attribution names a thread on a kernel without the agent: %s"
                             % (m, entries))
            continue
        want = e["cells"][policy]
        if c["id"] != want:
            fails.append("%r (%s): landed in %s, expected %s" % (m, policy, c["id"], want))
        if e["thread"] is None:
            if entries:
                fails.append("%r: main-thread output has an attribution entry %s" % (m, entries))
            continue
        if len(entries) != 1:
            fails.append("%r: %d attribution entries for output %d of %s" % (m, len(entries), i,
                                                                              c["id"]))
            continue
        a = entries[0]
        name = (a.get("thread") or {}).get("name")
        if not name or not fnmatch.fnmatchcase(name, e["thread"]):
            fails.append("%r: attribution thread %r, expected %r" % (m, name, e["thread"]))
        if a.get("origin") != e["origin"]:
            fails.append("%r: attribution origin %r, expected %r" % (m, a.get("origin"),
                                                                     e["origin"]))
        if a.get("policy") != policy:
            fails.append("%r: attribution policy %r, expected %r" % (m, a.get("policy"), policy))
    for f in fails:
        print(f)
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
