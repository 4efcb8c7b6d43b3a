#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Generates the .ipynb corpus for bobbin's document tests (tests/data/notebooks/) with nbformat.

Run once with Debian's Python (/usr/bin/python3, nbformat 5.5); the outputs are committed, so the
tests do not need Python. Every NAME.ipynb is written by nbformat.write() and must load and save
byte-identical in bobbin. Every NAME.input.ipynb is hand-written JSON that nbformat would rewrite;
NAME.nbformat.ipynb next to it is what nbformat.write(nbformat.read(...)) gives, and bobbin must
give the same bytes.

    /usr/bin/python3 tests/data/gen_notebooks.py            # (re)write the corpus
    /usr/bin/python3 tests/data/gen_notebooks.py --check D  # nbformat reads and re-writes
                                                            # every D/*.ipynb unchanged
"""
import base64
import json
import os
import sys
import zlib
import struct

import nbformat
from nbformat.v4 import (new_code_cell, new_markdown_cell, new_notebook, new_output,
                         new_raw_cell)

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "notebooks")


def tiny_png(w=4, h=3):
    rows = b"".join(b"\x00" + bytes((x * 60, y * 80, 200)) * 1 + b"\x10\x20\x30" * (w - 1)
                    for y in range(h) for x in range(1))
    raw = zlib.compress(rows)

    def chunk(t, d):
        return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d))
    png = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
           + chunk(b"IDAT", raw) + chunk(b"IEND", b""))
    return base64.b64encode(png).decode() + "\n"


def ids(nb, prefix):
    for i, c in enumerate(nb.cells):
        c.id = "%s%02d" % (prefix, i)
    return nb


def write(name, nb):
    nbformat.write(nb, os.path.join(OUT, name + ".ipynb"))


def kernel_meta():
    return {"kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python",
                           "name": "python3"},
            "language_info": {"name": "python", "version": "3.11.2",
                              "codemirror_mode": {"name": "ipython", "version": 3},
                              "file_extension": ".py", "mimetype": "text/x-python"}}


def unicode_nb():
    nb = new_notebook(metadata=kernel_meta())
    nb.cells = [
        new_markdown_cell("# 漢字とかな — CJK\n\n한국어 텍스트, 中文段落。\n"),
        new_markdown_cell("Emoji: 🎉🐍👩‍👩‍👧 (ZWJ) 🇫🇷 flags\nCombining: e\u0301 a\u0308 "
                          "n\u0303 Z\u0335\u0321a\u0337l\u0336g\u0334o\n"),
        new_code_cell("print('مرحبا بالعالم')  # RTL Arabic\nprint('שלום עולם')  # Hebrew\n"
                      "s = '\u202eevil\u202c'  # bidi override",
                      execution_count=1,
                      outputs=[new_output("stream", name="stdout",
                                          text="مرحبا بالعالم\nשלום עולם\n")]),
        new_code_cell("'ｆｕｌｌｗｉｄｔｈ' + 'é' * 3", execution_count=2,
                      outputs=[new_output("execute_result", execution_count=2,
                                          data={"text/plain": "'ｆｕｌｌｗｉｄｔｈééé'"})]),
    ]
    nb.cells[0].metadata["tags"] = ["日本語", "🎉"]
    write("unicode", ids(nb, "uni"))


def traceback_nb():
    tb = ["\x1b[0;31m---------------------------------------------------------------------------"
          "\x1b[0m",
          "\x1b[0;31mZeroDivisionError\x1b[0m                         Traceback (most recent "
          "call last)",
          "Cell \x1b[0;32mIn[3], line 1\x1b[0m\n\x1b[0;32m----> 1\x1b[0m \x1b[38;5;241m1\x1b"
          "[39m\x1b[38;5;241m/\x1b[39m\x1b[38;5;241m0\x1b[39m\n",
          "\x1b[0;31mZeroDivisionError\x1b[0m: division by zero"]
    nb = new_notebook(metadata=kernel_meta())
    nb.cells = [
        new_code_cell("1/0", execution_count=3, outputs=[
            new_output("error", ename="ZeroDivisionError", evalue="division by zero",
                       traceback=tb)]),
        new_code_cell("import sys; print('\\033[1;33mwarn\\033[0m', file=sys.stderr)",
                      execution_count=4, outputs=[
                          new_output("stream", name="stderr",
                                     text="\x1b[1;33mwarn\x1b[0m\n\x1b[2K\x1b[1Gdone\n")]),
    ]
    write("ansi_traceback", ids(nb, "tb"))


def images_nb():
    svg = ('<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20">\n'
           '  <rect width="40" height="20" fill="#c33"/>\n'
           '  <text x="2" y="14">hi &amp; "bye"</text>\n</svg>\n')
    nb = new_notebook(metadata=kernel_meta())
    nb.cells = [
        new_code_cell("plot()", execution_count=5, outputs=[
            new_output("display_data", data={"image/png": tiny_png(),
                                             "text/plain": "<Figure size 640x480 with 1 Axes>"},
                       metadata={"image/png": {"width": 640, "height": 480}}),
            new_output("display_data", data={"image/svg+xml": svg, "text/plain": "<SVG>"}),
            new_output("execute_result", execution_count=5,
                       data={"text/html": "<b>bold</b>\n<i>it</i>\n", "text/plain": "x",
                             "application/javascript": "console.log(1);\nalert(2)\n",
                             "application/json": {"a": [1, 2.5, None, True],
                                                  "text": "not\nsplit"},
                             "application/vnd.custom+json": {"lines": "a\nb\n"}}),
        ]),
    ]
    write("images", ids(nb, "img"))


def nested_nb():
    meta = kernel_meta()
    meta["myext"] = {"deep": {"er": {"est": [1, {"k": [[], {}, [{}]]}, "v"]}},
                     "empty": {}, "list": [], "flag": False, "none": None}
    meta["authors"] = [{"name": "Ada"}, {"name": "Grace"}]
    nb = new_notebook(metadata=meta)
    c = new_code_cell("x = 1", execution_count=None)
    c.metadata = {"tags": ["parameters", "a b"], "jupyter": {"source_hidden": True,
                                                             "outputs_hidden": False},
                  "collapsed": False, "scrolled": "auto",
                  "execution": {"iopub.execute_input": "2024-01-02T03:04:05.678901Z",
                                "shell.execute_reply": "2024-01-02T03:04:05.700000Z"},
                  "bobbin": {"x": {"y": {"z": [1, 2, {"w": "deep"}]}}}}
    m = new_markdown_cell("see *above*")
    m.metadata = {"E": 1, "_": 2, "a": 3, "z": 4, "é": 5, "Ａ": 6, "🎉": 7, "Z": {"b": 1, "a": 2}}
    nb.cells = [c, m]
    write("nested_metadata", ids(nb, "nest"))


def floats_nb():
    floats = [0.1, 1e-7, 1e22, -0.0, 3.0, 1.7976931348623157e308, 5e-324, 0.30000000000000004,
              1e16, 1e15, 123456789012345680.0, 1e-4, 1e-5, 2.5e-5, 100.0, -1.5, 1 / 3,
              2.2250738585072014e-308, 9007199254740993.0, 0.0, 12345.678]
    nb = new_notebook(metadata={"floats": floats, "ints": [0, -1, 2 ** 63 - 1, -(2 ** 63), 10 ** 18]})
    nb.cells = [new_code_cell("floats", execution_count=1, outputs=[
        new_output("execute_result", execution_count=1,
                   data={"application/json": {"values": floats}, "text/plain": repr(floats)},
                   metadata={"scale": 0.5})])]
    nb.cells[0].metadata["threshold"] = 1e-7
    write("floats", ids(nb, "flt"))


def empty_nb():
    nb = new_notebook()
    nb.cells = [new_code_cell(""), new_markdown_cell(""), new_raw_cell(""),
                new_code_cell("", execution_count=0, outputs=[
                    new_output("stream", name="stdout", text=""),
                    new_output("display_data", data={"text/plain": ""})])]
    write("empty_cells", ids(nb, "e"))
    nb = new_notebook()
    nb.cells = []
    write("no_cells", nb)


def raw_nb():
    nb = new_notebook()
    r1 = new_raw_cell("<div>raw html</div>\n<p>two</p>")
    r1.metadata["format"] = "text/html"
    r2 = new_raw_cell(".. note::\n\n   reST\n")
    r2.metadata = {"format": "text/restructuredtext", "raw_mimetype": "text/restructuredtext"}
    r3 = new_raw_cell("\\LaTeX{} $x^2$")
    r3.metadata["format"] = "text/latex"
    nb.cells = [r1, r2, r3]
    write("raw_cells", ids(nb, "raw"))


def attachments_nb():
    nb = new_notebook()
    m = new_markdown_cell("![img](attachment:dot.png)\n![t](attachment:note.txt)")
    m.attachments = {"dot.png": {"image/png": tiny_png(2, 2)},
                     "note.txt": {"text/plain": "line one\nline two\n"},
                     "pic.svg": {"image/svg+xml": "<svg>\n</svg>"}}
    r = new_raw_cell("raw with attachment")
    r.attachments = {"a.txt": {"text/plain": "x\ny"}}
    nb.cells = [m, r]
    write("attachments", ids(nb, "att"))


def multiline_nb():
    nb = new_notebook()
    nb.cells = [
        new_code_cell("def f(x):\n    return x\n\n\nprint(f(1))\n"),
        new_code_cell(["already\n", "a list\n", "of lines"]),
        new_markdown_cell(["# list form\n", "\n", "- a\n", "- b"]),
        new_markdown_cell("no trailing newline"),
        new_markdown_cell("trailing blank lines\n\n\n"),
        new_code_cell("crlf\r\nendings\r\nmixed\nand\rcr", execution_count=1, outputs=[
            new_output("stream", name="stdout", text=["one\n", "two\n", "three"]),
            new_output("stream", name="stdout", text="four\nfive\n")]),
    ]
    write("multiline", ids(nb, "ml"))


def progress_nb():
    text = "".join("\rprogress %3d%% [%-10s]" % (p, "#" * (p // 10)) for p in range(0, 101, 10))
    nb = new_notebook()
    nb.cells = [new_code_cell("for i in tqdm(...): ...", execution_count=7, outputs=[
        new_output("stream", name="stderr", text=text + "\n"),
        new_output("stream", name="stdout",
                   text="progress 10%\rprogress 100%\n"),
        new_output("stream", name="stdout",
                   text="a\x0bb\x0cc\x1cd\x1de\x1ef\x85g\u2028h\u2029i\r\nj"),
    ])]
    write("progress", ids(nb, "prog"))


def control_nb():
    nb = new_notebook()
    s = "nul:\x00 bell:\x07 bs:\x08 tab:\t esc:\x1b[0m del:\x7f c1:\x9b csi \x85 nel\n"
    nb.cells = [
        new_code_cell("print(%r)" % s, execution_count=1, outputs=[
            new_output("stream", name="stdout", text=s),
            new_output("execute_result", execution_count=1,
                       data={"text/plain": "'\\\\ \\\" / \\u2603 \u2603'",
                             "application/json": {"k\x01": "v\x1f\"\\/"}})]),
        new_markdown_cell("quotes \" and backslashes \\ and slash / and \u2028 separator"),
    ]
    nb.cells[1].metadata["ctl"] = "\x01\x02\x03\x0e\x0f\x10\x1f"
    write("control_chars", ids(nb, "ctl"))


def old_nb(minor, name):
    nb = new_notebook(metadata=kernel_meta())
    nb.nbformat_minor = minor
    c = new_code_cell("print('old')", execution_count=1,
                      outputs=[new_output("stream", name="stdout", text="old\n")])
    nb.cells = [new_markdown_cell("# nbformat 4.%d\nno cell ids" % minor), c]
    for cell in nb.cells:
        del cell["id"]
    write(name, nb)


def unknown_nb():
    nb = new_notebook(metadata={"future_feature": {"x": 1}})
    nb["future_top_key"] = {"kept": True}
    c = new_code_cell("x", execution_count=1, outputs=[
        new_output("stream", name="stdout", text="out\n")])
    c["future_cell_key"] = ["a", 1]
    c.outputs.append(nbformat.from_dict({"output_type": "future_output", "payload": {"n": 1},
                                         "text": "t"}))
    c.outputs[0]["future_output_key"] = "kept"
    m = new_markdown_cell("m")
    m.metadata["namespace"] = {"anything": [None]}
    nb.cells = [c, m]
    write("unknown_keys", ids(nb, "unk"))


def outputs_nb():
    nb = new_notebook(metadata=kernel_meta())
    outs = [new_output("stream", name="stdout", text="a\n"),
            new_output("stream", name="stdout", text="b\n"),
            new_output("stream", name="stderr", text="err\n"),
            new_output("display_data", data={"text/markdown": "**md**\n\n* item\n",
                                              "text/latex": "$$x$$"},
                       metadata={"isolated": True}),
            new_output("execute_result", execution_count=9, data={"text/plain": "42"})]
    nb.cells = [new_code_cell("many()", execution_count=9, outputs=outs)]
    write("outputs", ids(nb, "out"))


def noncanonical():
    """Hand-written files that nbformat rewrites; the expected bytes come from nbformat."""
    docs = {
        "strings_form": {
            "nbformat": 4, "nbformat_minor": 5, "metadata": {"z": 1, "a": [1.0, 1E5, 0.10]},
            "cells": [
                {"id": "s1", "cell_type": "code", "execution_count": 2, "metadata": {},
                 "source": "one\ntwo\n",
                 "outputs": [{"output_type": "stream", "name": "stdout", "text": "x\ny\n"},
                             {"output_type": "display_data", "metadata": {},
                              "data": {"image/png": ["aGVs\n", "bG8=\n"],
                                       "text/plain": ["p", "q\n", "r"]}},
                             {"output_type": "error", "ename": "E", "evalue": "v",
                              "traceback": ["t1", "t2"]}]},
                {"id": "s2", "cell_type": "markdown", "metadata": {},
                 "source": ["half ", "a line\n", "", "x"]},
            ]},
    }
    for name, d in docs.items():
        path = os.path.join(OUT, name + ".input.ipynb")
        with open(path, "w", encoding="utf8") as f:
            f.write(json.dumps(d, indent=2, ensure_ascii=True) + "\n")
        nb = nbformat.read(path, as_version=nbformat.NO_CONVERT)
        nbformat.write(nb, os.path.join(OUT, name + ".nbformat.ipynb"))


def check(d):
    bad = 0
    for n in sorted(os.listdir(d)):
        if not n.endswith(".ipynb"):
            continue
        p = os.path.join(d, n)
        raw = open(p, encoding="utf8").read()
        nb = nbformat.reads(raw, as_version=nbformat.NO_CONVERT)
        again = nbformat.writes(nb) + "\n"
        ok = again == raw
        try:
            nbformat.validate(nb)
            valid = "valid"
        except nbformat.ValidationError as e:
            valid = "invalid (%s)" % str(e).splitlines()[0]
        print("%-40s %s, %s" % (n, "nbformat rewrites it unchanged" if ok else "DIFFERS", valid))
        bad += not ok
    return bad


def main():
    if len(sys.argv) > 2 and sys.argv[1] == "--check":
        sys.exit(1 if check(sys.argv[2]) else 0)
    os.makedirs(OUT, exist_ok=True)
    unicode_nb()
    traceback_nb()
    images_nb()
    nested_nb()
    floats_nb()
    empty_nb()
    raw_nb()
    attachments_nb()
    multiline_nb()
    progress_nb()
    control_nb()
    old_nb(4, "v4_4_noids")
    old_nb(0, "v4_0_noids")
    unknown_nb()
    outputs_nb()
    noncanonical()


if __name__ == "__main__":
    main()
