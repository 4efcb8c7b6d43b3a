#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Pixel images inside tmux: bobbin runs in a pane of an inner tmux (allow-passthrough on), whose
# client runs in a pane of an outer tmux; the outer pane's pipe-pane records what the inner tmux
# sends its terminal. With images = kitty, bobbin's kitty commands come out of the passthrough,
# each with its own cursor move to the art's place in the outer terminal's coordinates (the pane
# is the right half of a split, so its left edge counts); with images = auto, block art only.
# Prints TAP. Needs $BOBBIN, tmux, Debian's python3-matplotlib, nbformat.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
BOBBIN=${BOBBIN:-$HERE/../../bobbin}
T=$(mktemp -d /tmp/bobbin-gfxtmux-XXXXXX)
SOCK="bobbin-gfxtmux-$$"
trap 'tmux -L "$SOCK-o" kill-server 2>/dev/null; tmux -L "$SOCK-i" kill-server 2>/dev/null; rm -rf "$T"' EXIT INT TERM
export HERE BOBBIN T SOCK JUPYTER_RUNTIME_DIR="$T/runtime" XDG_CONFIG_HOME="$T/config" XDG_DATA_HOME="$T/data"
mkdir -p "$JUPYTER_RUNTIME_DIR" "$XDG_CONFIG_HOME/bobbin" "$XDG_DATA_HOME"
/usr/bin/python3 - <<'PY'
import os, re, subprocess, sys, time
sys.path.insert(0, os.environ["HERE"] + "/nb")
from figs import NestedTmux, Tap, figure_notebook

T, BOBBIN, SOCK = os.environ["T"], os.environ["BOBBIN"], os.environ["SOCK"]
png = figure_notebook(T + "/fig.ipynb", size=(3.2, 2.4))
tap = Tap()
ok = tap.ok

def session(config, want, seconds=30):
    """bobbin in the right pane of the inner tmux; returns what the inner tmux wrote."""
    open(os.environ["XDG_CONFIG_HOME"] + "/bobbin/config", "w").write(config)
    bob = ("env LANG=C.UTF-8 LC_ALL= JUPYTER_RUNTIME_DIR=%s XDG_CONFIG_HOME=%s XDG_DATA_HOME=%s %s fig.ipynb"
           % (os.environ["JUPYTER_RUNTIME_DIR"], os.environ["XDG_CONFIG_HOME"],
              os.environ["XDG_DATA_HOME"], BOBBIN))
    nt = NestedTmux(SOCK, T, bob)
    t0, out = time.time(), b""
    while time.time() - t0 < seconds:
        out = nt.raw()
        if want(out):
            break
        time.sleep(0.1)
    left = nt.tm("i", "display-message", "-p", "-t", ":.1", "#{pane_left}").strip()
    nt.stop()
    # the notebook's session goes on detached (docs/detach.md): ended, so the next one starts
    # afresh with its own config
    subprocess.run(["sh", os.environ["HERE"] + "/nb/end_sessions.sh"])
    return out, int(left or -1)

# images = kitty: through the passthrough, every chunk with its own move
out, left = session("images = kitty\n", lambda o: b"\x1b_Gm=0" in o)
chunks = out.count(b"\x1b_G")
moves = re.findall(rb"\x1b7\x1b\[(\d+);(\d+)H\x1b_G", out)
ok(b"\x1b_Ga=T" in out and b"f=32" in out, "kitty: the image reaches the outer terminal",
   repr(out[-200:]))
ok(chunks > 2 and len(moves) == chunks, "kitty: every chunk comes with a cursor move",
   "%d chunks, %d moves" % (chunks, len(moves)))
ok(left > 0 and moves and all(int(c) > left + 1 for _, c in moves)
   and all(int(r) >= 2 for r, _ in moves),
   "kitty: the move is in the outer terminal's coordinates (pane left %d)" % left,
   repr(moves[:3]))
ok(b"\x1bPtmux;" not in out, "kitty: the inner tmux unwrapped every passthrough")
ok(png[:40].encode() not in out, "kitty: the notebook's base64 never reaches the terminal")

# images = auto inside tmux: block art, no pixels
out, _ = session("", lambda o: "▀".encode() in o or "▄".encode() in o, seconds=20)
ok(b"\x1b_G" not in out and b"\x1bPq" not in out and
   ("▀".encode() in out or "▄".encode() in out), "auto inside tmux: block art, no pixels")
tap.done()
PY
