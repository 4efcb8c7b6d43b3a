#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Writes the benchmarks' large notebook: gen_notebook.py PATH CELLS.

Every fifth cell is markdown; each code cell has six lines of source, a 60-line stdout stream
and an execute_result with text/plain and text/html, and every tenth cell also a display_data
whose image/png is 60,000 random bytes, so 5,000 cells make about 54 MB. Seeded, so the same CELLS
give the same bytes. Written by Debian's nbformat; used by bench_nbformat.sh and bench_tui.sh.
"""
import base64, random, sys
import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output
if len(sys.argv) != 3:
    sys.exit("usage: gen_notebook.py PATH CELLS")
random.seed(1)
path, n = sys.argv[1], int(sys.argv[2])
nb = new_notebook(metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                           "language": "python"}})
words = "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu".split()
for i in range(n):
    if i % 5 == 4:
        nb.cells.append(new_markdown_cell("## Section %d\n\n%s\n" % (i, " ".join(random.choices(words, k=40)))))
        continue
    src = "\n".join("x%d = compute(%d, %r)" % (j, i, random.choice(words)) for j in range(6))
    outs = [new_output("stream", name="stdout",
                       text="".join("step %d: %s %.6f\n" % (k, random.choice(words), random.random())
                                    for k in range(60)))]
    if i % 10 == 3:
        png = base64.b64encode(random.randbytes(60000)).decode() + "\n"
        outs.append(new_output("display_data", data={"image/png": png,
                               "text/plain": "<Figure size 640x480 with 1 Axes>"},
                               metadata={"image/png": {"width": 640, "height": 480}}))
    outs.append(new_output("execute_result", execution_count=i + 1,
                           data={"text/plain": repr([random.random() for _ in range(8)]),
                                 "text/html": "<table>\n" + "<tr><td>%d</td></tr>\n" * 20 % tuple(range(20)) + "</table>\n"}))
    nb.cells.append(new_code_cell(src, execution_count=i + 1, outputs=outs))
nbformat.write(nb, path)
