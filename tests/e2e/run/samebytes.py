#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
# Checks that cells bobbin did not execute keep their exact bytes: for every markdown and raw cell
# of IN (and the code cells whose ids are given), the bytes nbformat wrote for that cell in IN must
# occur unchanged in OUT. A cell's bytes are found as nbformat writes them (indent 1, sorted keys,
# non-ASCII kept, nested two levels deep in "cells"); the check first asserts they occur in IN, so
# a change in that assumption fails loudly instead of passing vacuously.
# Usage: samebytes.py IN OUT [CODE_CELL_ID...]; exit 0 when all are unchanged.
import json
import sys


def cell_bytes(c):
    s = json.dumps(c, indent=1, sort_keys=True, ensure_ascii=False, separators=(",", ": "))
    return ("\n".join("  " + line for line in s.split("\n"))).encode("utf-8")


def main():
    src = open(sys.argv[1], "rb").read()
    out = open(sys.argv[2], "rb").read()
    ids = set(sys.argv[3:])
    n = 0
    for c in json.loads(src)["cells"]:
        if c["cell_type"] == "code" and c.get("id") not in ids:
            continue
        b = cell_bytes(c)
        if b not in src:
            print("cell %s: its nbformat bytes were not found in %s" % (c.get("id"), sys.argv[1]))
            return 1
        if b not in out:
            print("cell %s: bytes changed in %s" % (c.get("id"), sys.argv[2]))
            return 1
        n += 1
    if n == 0:
        print("no cell to check")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
