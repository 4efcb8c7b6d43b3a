# SPDX-License-Identifier: GPL-3.0-or-later
"""Shared by the pixel-image e2e tests (test_gfx.sh, test_gfx_tmux.sh): a notebook of
matplotlib figures (Debian's python3-matplotlib, Agg) saved as display_data outputs, and TAP
lines."""
import base64
import io

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
import nbformat
from nbformat.v4 import new_code_cell, new_notebook, new_output


def figure_notebook(path, cells=1, size=(6.4, 4.8)):
    """Writes a notebook of `cells` code cells, each with the same red-line figure as an
    image/png output; returns the PNG's base64."""
    fig, ax = plt.subplots(figsize=size)
    ax.plot([0, 1, 2, 3], [0, 1, 4, 9], "r-", linewidth=6)
    b = io.BytesIO()
    fig.savefig(b, format="png")
    png = base64.b64encode(b.getvalue()).decode()
    nb = new_notebook(metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                               "language": "python"}})
    for i in range(cells):
        nb.cells.append(new_code_cell("plot(%d)" % i, execution_count=i + 1, outputs=[
            new_output("display_data", data={"image/png": png, "text/plain": "<Figure>"})]))
    nbformat.write(nb, path)
    return png


class Tap:
    """ok(cond, name, detail) prints a numbered TAP line; done() the plan."""

    def __init__(self):
        self.n = 0

    def ok(self, cond, name, detail=""):
        self.n += 1
        print("%s %d - %s" % ("ok" if cond else "not ok", self.n, name))
        if not cond and detail:
            print("# " + detail.replace("\n", "\n# "))

    def done(self):
        print("1..%d" % self.n)
