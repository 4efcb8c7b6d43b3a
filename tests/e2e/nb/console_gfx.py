# SPDX-License-Identifier: GPL-3.0-or-later
"""test_console_gfx.sh's test (see there); $BOBBIN is the binary."""
import atexit, base64, fcntl, os, pty, re, select, shutil, signal, struct, subprocess, sys
import tempfile, termios, time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from figs import NestedTmux, Tap, figure_notebook

BOBBIN, T = os.path.abspath(os.environ["BOBBIN"]), tempfile.mkdtemp(prefix="bobbin-congfx-")
atexit.register(shutil.rmtree, T, True)
for var, sub in (("JUPYTER_RUNTIME_DIR", "runtime"), ("XDG_CONFIG_HOME", "config"),
                 ("XDG_DATA_HOME", "data")):
    os.environ[var] = T + "/" + sub
for sub in ("config/bobbin", "runtime", "data"):
    os.makedirs(T + "/" + sub)
png = figure_notebook(T + "/fig.ipynb")  # the PNG the kernel below shows
open(T + "/fig.png", "wb").write(base64.b64decode(png))
CELL = ("from IPython.display import Image, display; "
        "display(Image(filename=%r)); print('after' + 'image')" % (T + "/fig.png"))
tap = Tap()
ok = tap.ok

def env(term="xterm-256color"):
    e = {k: v for k, v in os.environ.items() if k not in ("TMUX", "TMUX_PANE", "NO_COLOR")}
    e.update(TERM=term, COLORTERM="truecolor", LANG="C.UTF-8", LC_ALL="")
    return e

def console(config, seconds=60, term="xterm-256color"):
    """bobbin console in a pty: the cell typed at the first prompt; returns every byte written
    until the prompt after its output."""
    open(os.environ["XDG_CONFIG_HOME"] + "/bobbin/config", "w").write(config)
    pid, fd = pty.fork()
    if pid == 0:
        os.execve(BOBBIN, [BOBBIN, "console", "-k", "python3"], env(term))
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 100, 0, 0))
    out, typed, t0 = b"", False, time.time()
    while time.time() - t0 < seconds:
        r, _, _ = select.select([fd], [], [], 0.1)
        if r:
            try:
                out += os.read(fd, 65536)
            except OSError:
                break
        if not typed and b"In [1]:" in out:
            os.write(fd, CELL.encode() + b"\r")
            typed = True
        if typed and b"In [2]:" in out:
            break
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    os.close(fd)
    return out

def sixel_at(out):
    i = out.find(b"\x1bP")
    while i >= 0 and not (out[i + 2:i + 20].find(b"q") >= 0 and b"#" in out[i:i + 200]):
        i = out.find(b"\x1bP", i + 1)
    return i

# kitty: the image command, RGBA from bobbin's decoder, before the text printed after it
out = console("images = kitty\n")
k = out.find(b"\x1b_Ga=T")
ok(k >= 0 and b"f=32" in out[k:k + 100], "console, images=kitty: kitty's a=T with f=32",
   repr(out[-300:]))
ok(png[:40].encode() not in out, "console, images=kitty: the PNG's base64 never reaches the terminal")
ok(0 <= k < out.find(b"afterimage") and out.find(b"afterimage") < out.find(b"In [2]:"),
   "console, images=kitty: the image, then the next output and the prompt after it")
ok("▀".encode() not in out and "▄".encode() not in out, "console, images=kitty: no block art")

# sixel
out = console("images = sixel\n")
i = sixel_at(out)
ok(i >= 0 and out.find(b"\x1b\\", i) > i and b"\x1b_G" not in out,
   "console, images=sixel: a sixel DCS", repr(out[-300:]))

# symbols: block art, no pixel sequence
out = console("images = symbols\n")
ok(("▀".encode() in out or "▄".encode() in out) and b"\x1b_G" not in out and sixel_at(out) < 0,
   "console, images=symbols: block art, no pixel sequence", repr(out[-300:]))

# over ssh from inside tmux (TERM tmux…, no $TMUX): tmux cannot be asked where the image goes
out = console("images = kitty\n", term="tmux-256color")
ok(("▀".encode() in out or "▄".encode() in out) and b"\x1b_G" not in out,
   "console, images=kitty, TERM=tmux-256color without $TMUX: block art", repr(out[-300:]))

# exec on a terminal draws kitty too; into a file, no escape sequence at all
open(os.environ["XDG_CONFIG_HOME"] + "/bobbin/config", "w").write("images = kitty\n")
pid, fd = pty.fork()
if pid == 0:
    os.execve(BOBBIN, [BOBBIN, "exec", "-c", CELL], env())
out = b""
while True:
    try:
        d = os.read(fd, 65536)
    except OSError:
        break
    if not d:
        break
    out += d
os.waitpid(pid, 0)
os.close(fd)
k = out.find(b"\x1b_Ga=T")
ok(k >= 0 and b"f=32" in out[k:k + 100] and k < out.find(b"afterimage"),
   "exec on a terminal, images=kitty: kitty's a=T with f=32", repr(out[-200:]))
with open(T + "/out", "wb") as f:
    rc = subprocess.run([BOBBIN, "exec", "-c", CELL], stdout=f, stderr=subprocess.STDOUT,
                        env=env()).returncode
data = open(T + "/out", "rb").read()
ok(rc == 0 and b"\x1b" not in data and b"afterimage" in data,
   "exec into a file, images=kitty: no escape sequence at all", repr(data[:200]))

# inside tmux: the console's bobbin in the right pane of the inner tmux
open(os.environ["XDG_CONFIG_HOME"] + "/bobbin/config", "w").write("images = kitty\n")
bob = ("env -u NO_COLOR LANG=C.UTF-8 LC_ALL= JUPYTER_RUNTIME_DIR=%s XDG_CONFIG_HOME=%s XDG_DATA_HOME=%s %s "
       "console -k python3" % (os.environ["JUPYTER_RUNTIME_DIR"], os.environ["XDG_CONFIG_HOME"],
                               os.environ["XDG_DATA_HOME"], BOBBIN))
nt = NestedTmux("bobbin-congfx-%d" % os.getpid(), T, bob)
atexit.register(nt.stop)
tm = nt.tm

def pane_until(text, seconds=60):
    t0 = time.time()
    while time.time() - t0 < seconds:
        p = tm("i", "capture-pane", "-p", "-t", ":.1")
        if text in p:
            return p
        time.sleep(0.1)
    return p

pane_until("In [1]")
tm("i", "send-keys", "-t", ":.1", "-l", CELL)
tm("i", "send-keys", "-t", ":.1", "Enter")
lines = pane_until("In [2]").split("\n")
left = int(tm("i", "display-message", "-p", "-t", ":.1", "#{pane_left}").strip() or -1)
after = next((i for i, l in enumerate(lines) if l.startswith("afterimage")), -1)
blank = 0
while after - blank - 1 >= 0 and not lines[after - blank - 1].strip():
    blank += 1
out = nt.raw()
moves = set(re.findall(rb"\x1b7\x1b\[(\d+);(\d+)H\x1b_G", out))
ok(b"\x1b_Ga=T" in out and blank >= 2 and
   moves == {(b"%d" % (after - blank + 1), b"%d" % (left + 1))},
   "console inside tmux: the kitty image at the rows made for it, in the outer terminal's "
   "coordinates", "moves %r, %d blank rows before line %d, pane left %d" % (moves, blank, after, left))
tap.done()
