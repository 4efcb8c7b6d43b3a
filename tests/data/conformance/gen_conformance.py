#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
# Writes the conformance corpus for `bobbin run` (tests/e2e/test_run.sh): notebooks that
# tests/e2e/run/compare.py runs both with bobbin and with Debian's `jupyter nbconvert --execute`
# and compares, plus bobbin_*.ipynb, whose cases nbconvert cannot run to a file (a timeout, a
# kernel that dies, stop at the first error), checked against bobbin's documented behaviour.
# Run with Debian's python3 (nbformat 5.x): /usr/bin/python3 gen_conformance.py [DIR]
import base64
import os
import sys
import zlib
import struct

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_raw_cell, new_output

OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))


def png_bytes(w=4, h=3):
    """A small valid RGB PNG, built by hand so the corpus needs no imaging library."""
    # one filter byte per row, then w RGB pixels
    raw = b"".join(b"\x00" + b"".join(bytes((x * 60 % 256, y * 80 % 256, 200)) for x in range(w))
                   for y in range(h))

    def chunk(t, d):
        c = struct.pack(">I", len(d)) + t + d
        return c + struct.pack(">I", zlib.crc32(t + d) & 0xFFFFFFFF)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


PNG_B64 = base64.b64encode(png_bytes()).decode()


PYTHON = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
R = {"name": "ir", "display_name": "R", "language": "R"}


def nb(name, cells, kernelspec=PYTHON):
    n = new_notebook(cells=cells)
    n.metadata["kernelspec"] = dict(kernelspec)
    # Stable ids, so that regenerating gives the same bytes.
    for i, c in enumerate(n.cells):
        c["id"] = "%s-%d" % (name.replace("_", "-"), i)
    nbformat.validate(n)
    with open(os.path.join(OUT, name + ".ipynb"), "w", encoding="utf-8") as f:
        nbformat.write(n, f)


code, md, raw = new_code_cell, new_markdown_cell, new_raw_cell

nb("outputs", [
    md("# print, display and execute_result"),
    code("print('hello')\nprint('world', 42)"),
    code("6 * 7"),
    code("x = {'b': [1, 2.5, None], 'a': 'text'}\nx"),
    code("from IPython.display import display, HTML, Markdown, JSON\n"
         "display('a string')\ndisplay(HTML('<b>bold</b>'))\ndisplay(Markdown('*md*'))\n"
         "'and a result'"),
    code("display({'text/plain': 'plain', 'text/html': '<i>html</i>', 'application/json': {'k': [1, 2]}},"
         " raw=True, metadata={'application/json': {'expanded': True}})"),
    code("import sys\nprint('to stderr', file=sys.stderr)"),
    code("1;"),
    code("print('multi\\nline\\n\\nwith blanks')\nNone"),
    code("class Obj: pass\nObj()"),
    raw("raw cell text\n  kept as is"),
])

nb("clear_output", [
    code("from IPython.display import clear_output\nprint('gone')\nclear_output()\nprint('kept')"),
    code("import time\nfor i in range(3):\n    clear_output(wait=True)\n    print('step', i)"),
    code("print('a')\nclear_output(wait=True)\ndisplay('replaces a')"),
    code("print('before')\nclear_output()"),
    code("print('stays')"),
])

nb("display_update", [
    code("from IPython.display import display, update_display\n"
         "h = display('first', display_id=True)\ndisplay('plain one', display_id='fixed')"),
    code("h.update('updated from cell 2')\nprint('cell 2')"),
    code("update_display('fixed updated', display_id='fixed')\n"
         "display('second copy', display_id='fixed')"),
    code("update_display({'text/plain': 'both copies', 'text/html': '<p>both</p>'}, "
         "display_id='fixed', raw=True)"),
])

nb("progress", [
    code("import sys, time\nfor i in range(0, 101, 10):\n"
         "    print('\\r%3d%%' % i, end='')\n    sys.stdout.flush()\n    time.sleep(0.01)\n"
         "print()\nprint('done')"),
    code("print('[....]\\r[#...]\\r[##..]\\r[###.]\\r[####]')"),
    code("print('abc\\b\\bXY')\nprint('12345\\b')"),
    code("import sys\nfor i in range(5):\n    sys.stdout.write('\\rline %d' % i)\n"
         "    sys.stdout.flush()\nsys.stdout.write('\\n')"),
    code("print('x\\r\\ny')"),
])

nb("unicode", [
    md("Ünïcödé **markdown** — ✓ 日本語"),
    code("print('héllo wörld ✓ 日本語 🎉 \\u0301e combining')"),
    code("'ÄÖÜ ß ﬁ'"),
    code("print('\\u200b zero width \\u202e rtl override')\nprint('tab\\tseparated\\tcols')"),
    code("import sys\nprint('stderr: ñ', file=sys.stderr)"),
    code("s = '€' * 3\ns"),
])

nb("images", [
    code("import base64\nfrom IPython.display import Image, SVG, display\n"
         "png = base64.b64decode('%s')\ndisplay(Image(data=png))" % PNG_B64),
    code("Image(data=png, width=40)"),
    code("display(SVG('<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\">"
         "<rect width=\"10\" height=\"10\" fill=\"red\"/></svg>'))"),
    code("display({'image/png': '%s', 'text/plain': '<an image>'}, raw=True)" % PNG_B64),
])

nb("errors", [
    code("1/0"),
    code("print('after the error')"),
    code("class MyError(Exception): pass\nraise MyError('custom ✗ message')"),
    code("undefined_name"),
    code("def f(\n    pass"),
    code("print('partial output')\nraise KeyError('k')"),
    code("import warnings\nwarnings.warn('a warning')"),
])

nb("magics", [
    code("%env BOBBIN_TEST_VAR=value"),
    code("!echo from the shell"),
    code("%%capture captured\nprint('captured text')"),
    code("captured.show()"),
    code("%%html\n<div>an html magic</div>"),
    code("%%bash\necho from bash"),
    code("a_var = 1\n%who_ls int"),
    code("%%markdown\n*markdown magic*"),
])

nb("stdin", [
    code("name = input('your name? ')"),
    code("print('still running')"),
    code("import getpass\ngetpass.getpass('password: ')"),
])

empty_stale = code("")
empty_stale.outputs = [new_output("stream", name="stdout", text="stale output\n")]
empty_stale.execution_count = 7
nb("empty", [
    code(""),
    code("   \n\t\n"),
    code("# only a comment"),
    empty_stale,
    md(""),
    raw(""),
    code("pass"),
    md("a *markdown* cell\n\nwith two paragraphs"),
    raw("raw"),
    code("print('last')"),
])

# IRkernel: every visible value is display_data (four textual forms), message() and warnings
# are stderr, a plot is image/png, stop() an error whose ename is "ERROR".
nb("r_outputs", [
    md("# R: values, streams, data frames, plots, warnings, errors"),
    code("cat('hello\\n')\nprint(1:3)\n1 + 1\nx <- 6 * 7\nx"),
    code("invisible(5)"),
    code("message('to stderr')"),
    code("f <- function(v) { warning('careful'); v * 2 }\nf(21)"),
    code("data.frame(n = 1:3, s = c('a', 'b', '\u00e9t\u00e9'), stringsAsFactors = FALSE)"),
    code("summary(c(1, 2, 3, 4, 100))"),
    code("plot(1:10, main = 'ten points')"),
    code("g <- function() stop('boom')\ng()"),
    code("cat('after the error\\n')"),
    code("list(a = 1, b = 'two')"),
    raw("raw cell text"),
], R)

# --- bobbin's own behaviour (nbconvert writes no file for these) ---
nb("bobbin_stop", [
    md("The run stops at the first error unless --allow-errors."),
    code("print('one')"),
    code("raise RuntimeError('stop here')"),
    code("print('three')"),
])

nb("bobbin_timeout", [
    code("print('before')"),
    code("import time\nprint('sleeping')\ntime.sleep(120)"),
    code("print('after the timeout')"),
])

nb("bobbin_death", [
    code("print('alive')"),
    code("import os, sys\nprint('dying')\nsys.stdout.flush()\nos._exit(1)"),
    code("print('never')"),
])

nb("bobbin_linger", [
    code("import threading, time\n"
         "def late():\n    time.sleep(0.5)\n    print('late line', flush=True)\n"
         "threading.Thread(target=late, name='late-thread').start()\nprint('main')"),
])
