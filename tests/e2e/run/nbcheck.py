#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
# Asserts facts about an executed notebook for the e2e shell tests: evaluates each Python
# expression given after the file name with these names bound, and exits 1 printing the first one
# that is false (or raises). Helpers:
#   nb            the notebook as loaded by json
#   cells         nb["cells"]
#   cell(i)       cell i; cell("id") the cell with that id
#   outs(i)       its outputs; types(i) their output_type list
#   text(i)       the concatenated stream text of cell i (all names)
#   count(i)      execution_count
#   attr(i)       metadata.bobbin.attribution of cell i (a list, [] when absent)
# Usage: nbcheck.py FILE 'count(1) == 1' 'types(2) == ["stream", "error"]' ...
import json
import sys


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        nb = json.load(f)
    cells = nb["cells"]

    def cell(i):
        if isinstance(i, str):
            return next(c for c in cells if c.get("id") == i)
        return cells[i]

    def j(v):
        return "".join(v) if isinstance(v, list) else v

    def outs(i):
        return cell(i).get("outputs", [])

    def types(i):
        return [o["output_type"] for o in outs(i)]

    def text(i):
        return "".join(j(o["text"]) for o in outs(i) if o["output_type"] == "stream")

    def count(i):
        return cell(i).get("execution_count")

    def attr(i):
        return cell(i).get("metadata", {}).get("bobbin", {}).get("attribution", [])

    env = dict(nb=nb, cells=cells, cell=cell, outs=outs, types=types, text=text, count=count,
               attr=attr, j=j)
    for expr in sys.argv[2:]:
        try:
            ok = eval(expr, env)
        except Exception as e:  # a failed look-up is a failed check
            print("%s: %s raised %r" % (sys.argv[1], expr, e))
            return 1
        if not ok:
            print("%s: false: %s" % (sys.argv[1], expr))
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
