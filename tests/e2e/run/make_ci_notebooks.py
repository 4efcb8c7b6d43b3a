#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
# Writes the notebooks tests/e2e/test_run_ci.sh runs into the directory given: each is small and
# made for one behaviour of `bobbin run` (progress, failures, tags, parameters, several at once).
import sys

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

ESC, BEL = "\x1b", "\x07"


def write(name, cells, kernel="python3"):
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": kernel, "display_name": kernel, "language": "python"}
    nbformat.write(nb, f"{sys.argv[1]}/{name}.ipynb")


def tagged(src, *tags):
    return new_code_cell(src, metadata={"tags": list(tags)})


# Three cells, all fine.
write("ok", [new_code_cell("a = 1"), new_markdown_cell("# title"), new_code_cell("print(a + 1)"),
             new_code_cell("   \n"), new_code_cell("b = a * 3")])
# A failure in the second code cell, with control bytes in its message; a cell after it.
write("fail", [new_code_cell("x = 1"),
               new_code_cell(f"\n# first line is the comment {ESC}]0;TITLE{BEL}\n"
                             f"raise ValueError('bad {ESC}]0;pwned{BEL} value')"),
               new_code_cell("print('after')")])
# A cell that runs long enough for the terminal's status line, its first line with an OSC.
write("slow", [new_code_cell(f"import time; s = '{ESC}]0;TITLE{BEL}x'  # slow first line\n"
                             "time.sleep(2.5)")])
# nbclient's tags: skip-execution is not run, raises-exception may raise (and may not).
write("tags", [new_code_cell("print('one')"),
               tagged("print('skipped')", "skip-execution"),
               tagged("1/0", "raises-exception"),
               tagged("print('no error is fine')", "raises-exception"),
               new_code_cell("print('four')")])
# Which history file IPython uses.
write("hist", [new_code_cell("print(get_ipython().history_manager.hist_file)")])
# Parameters: a parameters cell with defaults, a cell that prints what arrived.
SHOW = "print(repr({k: v for k, v in globals().items() if k in NAMES}))"
write("params", [new_markdown_cell("doc"),
                 tagged("alpha = 1\nname = 'default'", "parameters"),
                 new_code_cell("NAMES = " + "{'alpha', 'name', 'flag', 'nothing', 'n', 'r'}"),
                 new_code_cell(SHOW)])
write("params_injected", [tagged("alpha = 1", "parameters"),
                          tagged("# Parameters\nalpha = 2\n", "injected-parameters"),
                          new_code_cell("print(alpha)")])
write("params_none", [new_code_cell("print(alpha)")])
# Two notebooks that only finish when both run at once: each says it started, then waits for the
# other (a positive rendezvous through files in the kernel's working directory).
RENDEZVOUS = """import os, time
open('{me}.started', 'w').close()
deadline = time.time() + {wait}
while not os.path.exists('{other}.started') and time.time() < deadline:
    time.sleep(0.05)
print('{other} seen' if os.path.exists('{other}.started') else '{other} never started')"""
for me, other in (("meet_a", "meet_b"), ("meet_b", "meet_a")):
    write(me, [new_code_cell(RENDEZVOUS.format(me=me, other=other, wait=30))])
# A kernel that dies in the middle.
write("dies", [new_code_cell("print('alive')"), new_code_cell("import os\nos._exit(1)"),
               new_code_cell("print('never')")])
