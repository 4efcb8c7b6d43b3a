#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
# Compares a notebook executed by `bobbin run` with the same notebook executed by Debian's
# `jupyter nbconvert --to notebook --execute`: same cells (type, id, source, metadata), same
# execution counts, same outputs in the same order with the same text and MIME bundles.
# Both sides are normalised the same way first:
#  - cell metadata.execution (nbclient's timestamps) is dropped;
#  - bobbin's saved attribution (metadata.bobbin.attribution) is dropped when every entry only says
#    that a thread of the cell itself wrote the output (e.g. %%bash's reader thread): not late, not
#    stray, not cross-cell, origin the cell itself. Any other entry stays and fails the comparison;
#  - memory addresses (0x7f…) and ipykernel's per-process temp file names are masked;
#  - nbclient appends every stream message as its own output: consecutive stream outputs of the
#    same name are merged (bobbin merges them as JupyterLab does);
#  - stream text goes through JupyterLab >= 4.3's cursor rule for \r and \b (docs/protocol §4.5),
#    applied to both sides, so raw nbclient text and bobbin's processed text compare equal.
# Usage: compare.py BOBBIN.ipynb NBCONVERT.ipynb; exit 0 when equivalent, else 1 with the first
# difference on stdout.
import json
import re
import sys

ADDR = re.compile(r"0x[0-9a-fA-F]{6,}")
TMPF = re.compile(r"ipykernel_\d+/\d+\.py")


def cursor(text):
    """JupyterLab >= 4.3 processText: \r to line start, then overwrite; \b deletes the previous
    character unless it is a newline; \n appends at the end."""
    buf, cur = [], 0
    for ch in text:
        if ch == "\n":
            buf.append("\n")
            cur = len(buf)
        elif ch == "\r":
            while cur > 0 and buf[cur - 1] != "\n":
                cur -= 1
        elif ch == "\b":
            if cur > 0 and buf[cur - 1] != "\n":
                del buf[cur - 1]
                cur -= 1
        elif cur < len(buf):
            buf[cur] = ch
            cur += 1
        else:
            buf.append(ch)
            cur += 1
    return "".join(buf)


def text(v):
    return "".join(v) if isinstance(v, list) else v


def mask(v):
    if isinstance(v, str):
        return TMPF.sub("ipykernel_N/N.py", ADDR.sub("0xADDR", v))
    if isinstance(v, list):
        return [mask(x) for x in v]
    if isinstance(v, dict):
        return {k: mask(x) for k, x in v.items()}
    return v


def norm_outputs(outs):
    merged = []
    for o in outs:
        o = dict(o)
        if o.get("output_type") == "stream":
            o["text"] = text(o["text"])
            if merged and merged[-1].get("output_type") == "stream" and \
               merged[-1]["name"] == o["name"]:
                merged[-1]["text"] += o["text"]
                continue
        merged.append(o)
    res = []
    for o in merged:
        if o.get("output_type") == "stream":
            o["text"] = cursor(o["text"])
        if "data" in o:
            o["data"] = {k: text(v) if isinstance(v, list) else v for k, v in o["data"].items()}
        res.append(mask(o))
    return res


def norm(nb):
    cells = []
    for c in nb["cells"]:
        c = dict(c)
        md = dict(c.get("metadata", {}))
        md.pop("execution", None)
        bob = md.get("bobbin")
        if isinstance(bob, dict) and set(bob) == {"attribution"} and all(
                not e.get("late") and not e.get("stray") and not e.get("cross_cell") and
                e.get("origin") == c.get("id") for e in bob["attribution"]):
            del md["bobbin"]
        c["metadata"] = md
        c["source"] = text(c["source"])
        if c["cell_type"] == "code":
            c["outputs"] = norm_outputs(c["outputs"])
        cells.append(c)
    return cells


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        a = norm(json.load(f))
    with open(sys.argv[2], encoding="utf-8") as f:
        b = norm(json.load(f))
    if len(a) != len(b):
        print("cell count differs: bobbin %d, nbconvert %d" % (len(a), len(b)))
        return 1
    for i, (x, y) in enumerate(zip(a, b)):
        for key in sorted(set(x) | set(y)):
            if x.get(key) != y.get(key):
                print("cell %d (%s): %s differs\n  bobbin:    %s\n  nbconvert: %s" % (
                    i, x.get("id"), key, json.dumps(x.get(key), ensure_ascii=False)[:600],
                    json.dumps(y.get(key), ensure_ascii=False)[:600]))
                return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
