#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Benchmark (not a test): images on the notebook screen.
#  - the time to turn a 640×480 matplotlib PNG into block art (base64, libspng, libchafa, SGR
#    text) at 80 and 200 columns, cold (cache cleared) and from the cache: bench/imgbench.c,
#    medians of 20 runs;
#  - the time from start to the first screen with its art (the notebook name and a half-block
#    character arrive on the pty) for a generated ~50 MB notebook of 200 cells, each with a
#    250×250 noise PNG (~190 KB, so nothing compresses), with images on (symbols) and with
#    images = none (the placeholders), vs nbformat.read of the same file. Medians of RUNS runs.
# Usage: sh bench/bench_images.sh [BOBBIN]  (default ./bobbin or build/rel-cc/bobbin)
BOBBIN=${1:-${BOBBIN:-}}
[ -n "$BOBBIN" ] || for b in ./bobbin build/rel-cc/bobbin; do [ -x "$b" ] && BOBBIN=$b && break; done
B=${B:-build/rel-cc}
RUNS=${RUNS:-5} IMAGES=${IMAGES:-200}
T=$(mktemp -d)
HERE=$(cd "$(dirname "$0")" && pwd)
export BOBBIN RUNS IMAGES T HERE IMGBENCH="$PWD/$B/bench/imgbench"
export JUPYTER_RUNTIME_DIR="$T/runtime" XDG_DATA_HOME="$T/data" XDG_CONFIG_HOME="$T/config" HOME="$T/home"
mkdir -p "$JUPYTER_RUNTIME_DIR" "$XDG_DATA_HOME" "$XDG_CONFIG_HOME/bobbin" "$HOME"
trap 'rm -rf "$T"' EXIT
trap 'exit 1' INT TERM
exec /usr/bin/python3 - <<'PY'
import base64, io, os, pty, fcntl, select, signal, statistics, struct, subprocess, termios, time
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import nbformat
from nbformat.v4 import new_code_cell, new_notebook, new_output

T, RUNS, N = os.environ["T"], int(os.environ["RUNS"]), int(os.environ["IMAGES"])
BOBBIN = os.path.abspath(os.environ["BOBBIN"])

def med(xs):
    return "%.1f ms (%.1f-%.1f)" % (statistics.median(xs), min(xs), max(xs))

# ---- one PNG ----
fig, ax = plt.subplots(figsize=(6.4, 4.8), dpi=100)
x = np.linspace(0, 10, 200)
ax.plot(x, np.sin(x)); ax.plot(x, np.cos(x)); ax.set_title("bench")
b = io.BytesIO(); fig.savefig(b, format="png")
open(T + "/fig.b64", "w").write(base64.b64encode(b.getvalue()).decode())
print("640x480 matplotlib PNG (%d bytes) as block art:" % len(b.getvalue()))
for w in (80, 200):
    out = subprocess.run([os.environ["IMGBENCH"], T + "/fig.b64", str(w), "20"], capture_output=True, text=True).stdout
    kv = dict(l.split("=") for l in out.split())
    print("  %3d columns: cold %s ms (min %s, max %s), cached %s ms" % (w, kv["cold_ms"], kv["cold_min_ms"], kv["cold_max_ms"], kv["cached_ms"]))

# ---- a notebook of N images ----
rng = np.random.default_rng(1)
nb = new_notebook(metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})
for i in range(N):
    px = rng.integers(0, 256, size=(250, 250, 3), dtype=np.uint8)
    b = io.BytesIO(); plt.imsave(b, px, format="png")
    out = new_output("display_data", data={"image/png": base64.b64encode(b.getvalue()).decode(),
                                          "text/plain": "<Figure size 250x250 with 0 Axes>"})
    nb.cells.append(new_code_cell("plt.imshow(noise(%d))" % i, outputs=[out], execution_count=i + 1))
path = T + "/images.ipynb"
nbformat.write(nb, path)
print("%d-image notebook: %.1f MB" % (N, os.path.getsize(path) / 1e6))

ROWS, COLS = 40, 120
def first_screen(cfg):
    open(os.environ["XDG_CONFIG_HOME"] + "/bobbin/config", "w").write(cfg)
    env = dict(os.environ, TERM="xterm-256color", COLORTERM="truecolor", LANG="C.UTF-8", LC_ALL="")
    t0 = time.perf_counter()
    pid, fd = pty.fork()
    if pid == 0:
        os.execve(BOBBIN, [BOBBIN, path], env)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLS, 0, 0))
    want = "▀▄▌▐▖▗▘▝▚▞█".encode() if "none" not in cfg else b"[image/png"
    buf, t = b"", None
    while time.perf_counter() - t0 < 30:
        r, _, _ = select.select([fd], [], [], 0.5)
        if not r:
            continue
        try:
            d = os.read(fd, 65536)
        except OSError:
            break
        buf += d
        if b"images.ipynb" in buf and (want == b"[image/png" and want in buf or
                                       want != b"[image/png" and any(ch.encode() in buf for ch in "▀▄▌▐▖▗▘▝▚▞█")):
            t = (time.perf_counter() - t0) * 1e3
            break
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    os.close(fd)
    return t

sym, none, nbf = [], [], []
for r in range(RUNS):
    sym.append(first_screen("images = symbols\n"))
    none.append(first_screen("images = none\n"))
    t0 = time.perf_counter(); nbformat.read(path, as_version=4); nbf.append((time.perf_counter() - t0) * 1e3)
if None in sym or None in none:
    print("first screen: not seen (symbols %r, none %r)" % (sym, none))
else:
    print("first screen of the %d-image notebook (%dx%d): images on %s, images = none %s; nbformat.read %s"
          % (N, COLS, ROWS, med(sym), med(none), med(nbf)))
PY
