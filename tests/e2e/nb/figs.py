# SPDX-License-Identifier: GPL-3.0-or-later
"""Shared by the pixel-image e2e tests (test_gfx.sh, test_gfx_tmux.sh, test_console_gfx.sh): a
notebook of matplotlib figures (Debian's python3-matplotlib, Agg) saved as display_data outputs,
nested tmux servers, and TAP lines."""
import base64
import io
import os
import subprocess

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


class NestedTmux:
    """command in the right pane (80 columns, pane 1) of an inner tmux (allow-passthrough on, no
    status line) whose client runs in a 120x40 pane of an outer tmux, whose pipe-pane records
    what the inner tmux sends its terminal (raw()). Sockets sock-o and sock-i, files in tmp."""

    def __init__(self, sock, tmp, command):
        self.sock, self.rawf, go = sock, tmp + "/outer.raw", tmp + "/go"
        self.stop()
        for f in (self.rawf, go):
            if os.path.exists(f):
                os.unlink(f)
        open(tmp + "/inner.conf", "w").write("set -g allow-passthrough on\nset -g status off\n")
        inner = ("tmux -L %s-i -f %s/inner.conf new-session -x 120 -y 40 'sleep 600' \\; "
                 "split-window -h -l 80 \"%s\"" % (sock, tmp, command))
        # the inner tmux starts only once the outer pane is recorded
        self.tm("o", "-f", "/dev/null", "new-session", "-d", "-x", "120", "-y", "40", "-c", tmp,
                "while [ ! -e %s ]; do sleep 0.05; done; env -u TMUX TERM=xterm-256color %s; "
                "sleep 600" % (go, inner))
        self.tm("o", "pipe-pane", "-o", "cat >> " + self.rawf)
        open(go, "w").close()

    def tm(self, which, *args):
        return subprocess.run(["tmux", "-L", self.sock + "-" + which] + list(args),
                              capture_output=True, text=True).stdout

    def raw(self):
        return open(self.rawf, "rb").read() if os.path.exists(self.rawf) else b""

    def stop(self):
        for w in ("o", "i"):
            self.tm(w, "kill-server")
