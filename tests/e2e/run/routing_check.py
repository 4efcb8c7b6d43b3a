#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
# Checks a routing scenario notebook executed by `bobbin run --routing POLICY` against the
# expectations it carries (metadata.bobbin_test.expect, written by tests/data/routing/
# gen_routing.py): every marker line occurs exactly once, in the cell the policy sends it to, and
# the saved attribution of its output (metadata.bobbin.attribution) names the producing thread and
# the origin cell — or, for the main thread's own output, there is no attribution entry. Chunks of
# one stream continue one output whoever wrote them (JupyterLab's rule), with one entry per
# distinct provenance ("part"), so a marker's entry is one of its output's entries, and the main
# thread's marker may share an output whose entries all belong to the other markers in it.
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
    expect = nb["metadata"]["bobbin_test"]["expect"]

    def matches(a, e):
        name = (a.get("thread") or {}).get("name")
        return (e["thread"] is not None and name and fnmatch.fnmatchcase(name, e["thread"])
                and a.get("origin") == e["origin"] and a.get("policy") == policy)

    def markers_in(o):
        if o["output_type"] == "stream":
            lines = j(o["text"]).split("\n")
            return [x for x in expect if x["marker"] in lines]
        return [x for x in expect if x["marker"] in j(o.get("data", {}).get("text/plain"))]

    for e in expect:
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
        others = [x for x in markers_in(o) if x is not e]
        if e["thread"] is None:
            stray = [a for a in entries if not any(matches(a, x) for x in others)]
            if stray:
                fails.append("%r: main-thread output has an attribution entry %s" % (m, stray))
            continue
        if not any(matches(a, e) for a in entries):
            fails.append("%r: no attribution entry of output %d of %s names thread %r, origin "
                         "%r, policy %r: %s" % (m, i, c["id"], e["thread"], e["origin"], policy,
                                                entries))
    for f in fails:
        print(f)
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
