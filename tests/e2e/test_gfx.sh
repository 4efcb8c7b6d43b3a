#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Pixel images: bobbin in a pty whose peer (this script) plays a terminal that answers the
# start-up queries as kitty (graphics OK), as a sixel terminal (DA1 with 4) or as neither. The
# bytes bobbin writes are checked: the queries, then kitty's image commands or a sixel DCS for
# the notebook's matplotlib PNG, the old placement deleted (kitty) when scrolling moves the image,
# and nothing but block art for a terminal without either; images=symbols asks nothing. Prints
# TAP. Needs $BOBBIN, Debian's python3-matplotlib, nbformat.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
BOBBIN=${BOBBIN:-$HERE/../../bobbin}
T=$(mktemp -d /tmp/bobbin-gfx-XXXXXX)
trap 'rm -rf "$T"' EXIT INT TERM
export HERE BOBBIN T JUPYTER_RUNTIME_DIR="$T/runtime" XDG_CONFIG_HOME="$T/config" XDG_DATA_HOME="$T/data"
mkdir -p "$JUPYTER_RUNTIME_DIR" "$XDG_CONFIG_HOME/bobbin" "$XDG_DATA_HOME"
/usr/bin/python3 - <<'PY'
import os, pty, select, signal, struct, subprocess, fcntl, sys, termios, time
sys.path.insert(0, os.environ["HERE"] + "/nb")
from figs import Tap, figure_notebook

T, BOBBIN = os.environ["T"], os.environ["BOBBIN"]
png = figure_notebook(T + "/fig.ipynb", cells=3)
tap = Tap()
ok = tap.ok

def session(answer, config="", keys=(), want=None, seconds=20, late=False):
    """bobbin in a pty; answer: bytes sent when the DA1 query arrives (None: never answer), or
    with late only once the first screen is up. Returns everything bobbin wrote."""
    open(os.environ["XDG_CONFIG_HOME"] + "/bobbin/config", "w").write(config)
    env = {k: v for k, v in os.environ.items() if k not in ("TMUX", "TMUX_PANE")}
    env.update(TERM="xterm-256color", COLORTERM="truecolor", LANG="C.UTF-8", LC_ALL="")
    pid, fd = pty.fork()
    if pid == 0:
        os.execve(BOBBIN, [BOBBIN, T + "/fig.ipynb"], env)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 100, 0, 0))
    out, answered, t0, sent = b"", False, time.time(), 0
    while time.time() - t0 < seconds:
        r, _, _ = select.select([fd], [], [], 0.1)
        if r:
            try:
                d = os.read(fd, 65536)
            except OSError:
                break
            out += d
        if answer is not None and not answered and b"\x1b[c" in out and (
                not late or b"fig.ipynb" in out):
            os.write(fd, answer)
            answered = True
        # keys once the first screen is up
        if sent < len(keys) and b"fig.ipynb" in out and b"\x1b_Ga=T" in out:
            os.write(fd, keys[sent]); sent += 1
            continue
        if want is not None and sent == len(keys) and (
                want(out) if callable(want) else all(w in out for w in want)):
            break
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    os.close(fd)
    # the notebook's session goes on detached (docs/detach.md): ended, so the next one starts
    # afresh with its own config
    subprocess.run(["sh", os.environ["HERE"] + "/nb/end_sessions.sh"])
    return out

KITTY_OK = b"\x1b_Gi=31;OK\x1b\\"
CELL = b"\x1b[6;20;10t"
DA1_SIXEL = b"\x1b[?62;4;22c"
DA1_PLAIN = b"\x1b[?62;22c"

# kitty: the query, then image commands at the art's place; scrolling deletes and places again
out = session(KITTY_OK + CELL + DA1_PLAIN, keys=[b"G"],
              want=[b"\x1b_Ga=T", b"\x1b_Ga=d,d=A"])
ok(b"\x1b_Gi=31,s=1,v=1,a=q" in out and b"\x1b[c" in out, "kitty: the terminal is asked")
ok(b"\x1b_Ga=T" in out and b"f=32" in out, "kitty: the image is sent (RGBA from bobbin's decoder)",
   repr(out[-300:]))
ok(b"\x1b_Ga=d,d=A" in out, "kitty: scrolling deletes the old placements")
ok(png[:40].encode() not in out, "kitty: the notebook's base64 never reaches the terminal")

# the answers are not waited for: a terminal that answers only after the first screen is up
# (a slow link) still gets pixels
out = session(KITTY_OK + CELL + DA1_PLAIN, late=True, want=[b"\x1b_Ga=T"])
first = out.find(b"fig.ipynb")
ok(0 <= first < out.find(b"\x1b_Ga=T"), "kitty: a late answer (after the first screen) switches to pixels",
   repr(out[-200:]))

# sixel: DA1 says 4
def sixel_done(out):
    i = out.find(b"\x1bP", out.find(b"\x1b[c"))
    return i >= 0 and out.find(b"\x1b\\", i) > 0
out = session(CELL + DA1_SIXEL, want=sixel_done, seconds=20)
i = out.find(b"\x1bP", out.find(b"\x1b[c"))
sixel = sixel_done(out) and b"q" in out[i:i + 20] and b"#" in out[i:]
ok(sixel and b"\x1b_Ga=T" not in out, "sixel: a sixel image is drawn", repr(out[i:i + 60]))

# images = sixel forced: only CSI questions (a late answer is skipped by the key reader), sixel
out = session(CELL + DA1_PLAIN, config="images = sixel\n", want=sixel_done, seconds=20)
ok(b"\x1b[16t" in out and b"\x1b_Gi=31" not in out and b"\x1b[>0q" not in out and sixel_done(out),
   "images=sixel: only the cell size and DA1 asked, sixel drawn")

# neither: block art only, no pixel protocol
out = session(DA1_PLAIN, want=["▀".encode()], seconds=15)
ok(b"\x1b_Ga=T" not in out and b"\x1bPq" not in out and "▀".encode() in out,
   "plain terminal: block art, no pixels")

# images=symbols: no query at all; a terminal that never answers does not hold the start up
t0 = time.time()
out = session(None, config="images = symbols\n", want=[b"fig.ipynb", "▀".encode()], seconds=15)
ok(b"\x1b[c" not in out and b"\x1b_G" not in out, "images=symbols: nothing asked, nothing sent")
t0 = time.time()
out = session(None, want=[b"fig.ipynb"], seconds=15)
ok(b"fig.ipynb" in out and time.time() - t0 < 5, "auto with a silent terminal: starts anyway")
tap.done()
PY
