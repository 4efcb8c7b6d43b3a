#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Benchmark (not a test): the notebook screen against Debian's jupyter-console, in one run, both
# attached (--existing) to the same ipykernel, each in a pty that is read as fast as it can be:
#  - bytes written to the terminal and client CPU (utime+stime from /proc/PID/stat, from the key
#    that runs the cell until the output has settled) while a cell prints 1,000,000 lines
#    (ipykernel sends a handful of large messages) and while one prints 10,000 lines one message
#    each (flush=True). bobbin opens a one-cell notebook and runs it with F6; jupyter-console
#    gets the same code as one line. The cell is done when the kernel's iopub says idle for that
#    execution (a listener on the same kernel), and the client's output has then been quiet for
#    QUIET seconds. FLOOD_RUNS rounds (default 2), each running jupyter-console, bobbin
#    --no-agent and bobbin as it ships in turn on each flood; medians with min-max.
#  - time from start to the first screen (the notebook name and the first cell's source arrive
#    on the pty) for generated 5,000-cell ~50 MB and 18,500-cell ~200 MB notebooks
#    (bench/gen_notebook.py), vs
#    nbformat.read of the same file (in-process, after import), interleaved. Medians of RUNS runs.
# Usage: sh bench/bench_tui.sh [BOBBIN]  (default ./bobbin or build/rel-cc/bobbin)
BOBBIN=${1:-${BOBBIN:-}}
[ -n "$BOBBIN" ] || for b in ./bobbin build/rel-cc/bobbin; do [ -x "$b" ] && BOBBIN=$b && break; done
RUNS=${RUNS:-3} FLOOD_RUNS=${FLOOD_RUNS:-2} CELLS=${CELLS:-5000} CELLS_HUGE=${CELLS_HUGE:-18500} QUIET=${QUIET:-1.0}
T=$(mktemp -d)
HERE=$(cd "$(dirname "$0")" && pwd)
export BOBBIN RUNS FLOOD_RUNS CELLS CELLS_HUGE QUIET T HERE
export JUPYTER_RUNTIME_DIR="$T/runtime" XDG_DATA_HOME="$T/data" XDG_CONFIG_HOME="$T/config" HOME="$T/home"
mkdir -p "$JUPYTER_RUNTIME_DIR" "$XDG_DATA_HOME" "$XDG_CONFIG_HOME" "$HOME"
trap 'rm -rf "$T"' EXIT
trap 'exit 1' INT TERM
exec /usr/bin/python3 - <<'PY'
import os, pty, fcntl, queue, re, select, signal, statistics, struct, subprocess, sys, termios, time
import nbformat
from jupyter_client.manager import KernelManager

BOBBIN = os.path.abspath(os.environ["BOBBIN"])
HERE = os.environ["HERE"]
RUNS, CELLS, QUIET, T = int(os.environ["RUNS"]), int(os.environ["CELLS"]), float(os.environ["QUIET"]), os.environ["T"]
FLOOD_RUNS, CELLS_HUGE = int(os.environ["FLOOD_RUNS"]), int(os.environ["CELLS_HUGE"])
TICK = os.sysconf("SC_CLK_TCK")
ANSI = re.compile(rb"\x1b\[[0-9;?>]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(\x07|\x1b\\)|\x1b[()][0-9A-B]|\x1b[=>78]")
ROWS, COLS = 40, 120
env = dict(os.environ, TERM="xterm-256color", LANG="C.UTF-8", LC_ALL="", COLUMNS=str(COLS), LINES=str(ROWS))

def cpu(pid):
    """utime+stime of pid and every process under it: bobbin NB is a thin client whose child, the
    session, does the work (docs/detach.md); jupyter-console has no children here."""
    procs = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open("/proc/%s/stat" % d) as f:
                    st = f.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            procs[int(d)] = (int(st[1]), int(st[11]) + int(st[12]))   # ppid, utime + stime
    total = 0
    for p, (ppid, t) in procs.items():
        q = p
        while q in procs and q != pid and q > 1:
            q = procs[q][0]
        if q == pid:
            total += t
    return total / TICK

class Pty:
    def __init__(self, argv):
        self.t0 = time.perf_counter()
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            os.execvpe(argv[0], argv, env)
        fcntl.ioctl(self.fd, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLS, 0, 0))
        self.n = 0          # bytes the client wrote to the terminal
        self.tail = b""     # the last 64 KiB, for matching
        self.last = time.perf_counter()
        self.dead = False
    def pump(self, timeout):
        r, _, _ = select.select([self.fd], [], [], timeout)
        if not r:
            return False
        try:
            b = os.read(self.fd, 1 << 16)
        except OSError:
            self.dead = True
            return False
        if not b:
            self.dead = True
            return False
        self.n += len(b)
        self.last = time.perf_counter()
        self.tail = (self.tail + b)[-65536:]
        if b"\x1b[6n" in b:                 # prompt_toolkit asks where the cursor is
            os.write(self.fd, b"\x1b[1;1R")
        return True
    def wait_text(self, pats, timeout=60):
        """Reads until every regex in pats matched the ANSI-stripped output; returns the time."""
        deadline = time.perf_counter() + timeout
        seen = ANSI.sub(b"", self.tail)
        while not all(p.search(seen) for p in pats):
            if time.perf_counter() > deadline or self.dead:
                raise RuntimeError("timed out waiting for %r; screen tail %r" % (pats, seen[-300:]))
            if self.pump(0.2):
                seen = ANSI.sub(b"", self.tail[-8192:]) if len(seen) > 65536 else ANSI.sub(b"", self.tail)
        return time.perf_counter()
    def settle(self, quiet, timeout=300):
        deadline = time.perf_counter() + timeout
        while time.perf_counter() - self.last < quiet and time.perf_counter() < deadline:
            self.pump(0.05)
    def send(self, b):
        os.write(self.fd, b)
    def finish(self, keys_seq, timeout=20):
        """Sends each key group in turn until the client exits; returns total client CPU."""
        for k in keys_seq:
            self.send(k)
            end = time.perf_counter() + 3
            while time.perf_counter() < end:
                self.pump(0.05)
                wpid, status, ru = os.wait4(self.pid, os.WNOHANG)
                if wpid:
                    os.close(self.fd)
                    return ru.ru_utime + ru.ru_stime
        os.kill(self.pid, signal.SIGKILL)
        _, _, ru = os.wait4(self.pid, 0)
        os.close(self.fd)
        return ru.ru_utime + ru.ru_stime

# ---- one kernel, and a listener on its iopub that tells when an execution is idle ----
km = KernelManager(kernel_name="python3")
km.start_kernel(stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
kc = km.client(); kc.start_channels(); kc.wait_for_ready(timeout=60)
CONN = km.connection_file

def drain():
    while True:
        try:
            kc.get_iopub_msg(timeout=0.05)
        except queue.Empty:
            return

def wait_idle(client, code_marker, timeout=600):
    """Waits for an execute_input whose code contains code_marker, then its parent's idle."""
    deadline = time.time() + timeout
    mid = None
    while time.time() < deadline:
        client.pump(0)                      # keep the client's pty drained
        try:
            m = kc.get_iopub_msg(timeout=0.01)
        except queue.Empty:
            continue
        p = m["parent_header"].get("msg_id")
        if m["msg_type"] == "execute_input" and code_marker in m["content"].get("code", ""):
            mid = p
        elif mid and p == mid and m["msg_type"] == "status" and m["content"]["execution_state"] == "idle":
            return
    raise RuntimeError("the execution did not finish")

FLOODS = [("1,000,000 lines", "for i in range(1000000): print(i)"),
          ("10,000 messages", "for i in range(10000): print(i, flush=True)")]

def flood_jc(code):
    drain()
    c = Pty(["jupyter-console", "--existing", CONN, "--ZMQTerminalInteractiveShell.confirm_exit=False",
             "--ZMQTerminalInteractiveShell.banner="])
    c.wait_text([re.compile(rb"In \[\d+\]: ")])
    c.settle(0.3)
    n0, c0 = c.n, cpu(c.pid)
    c.send(("exec(%r)\r" % code).encode())
    wait_idle(c, code)
    c.settle(QUIET)
    nb, cc = c.n - n0, cpu(c.pid) - c0
    total = c.finish([b"\x04", b"\x04"])
    return nb, cc, total

def flood_bobbin(code, k, extra=()):
    drain()
    path = os.path.join(T, "flood%d.ipynb" % k)
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
    nb.cells.append(nbformat.v4.new_code_cell(code))
    nbformat.write(nb, path)
    c = Pty([BOBBIN, *extra, "--existing", CONN, path])
    c.wait_text([re.compile(re.escape(os.path.basename(path)).encode()), re.compile(rb"range\(")])
    c.settle(1.0)                           # kernel_info, agent install: let the screen settle
    n0, c0 = c.n, cpu(c.pid)
    c.send(b"\x1b[17~")                     # F6: run the cell, stay
    wait_idle(c, code)
    c.settle(QUIET)
    nbytes, cc = c.n - n0, cpu(c.pid) - c0
    total = c.finish([b"q", b"n", b":q!\r"])
    return nbytes, cc, total

# FLOOD_RUNS rounds, interleaved: per round and flood, jupyter-console, bobbin --no-agent, bobbin.
# (The agent bobbin installs stays in the kernel for the rest of the run; jupyter-console and
# --no-agent runs after the first round run with it present but not asked to route.)
res = {}
for _ in range(FLOOD_RUNS):
    for k, (name, code) in enumerate(FLOODS):
        res.setdefault(("jc", k), []).append(flood_jc(code))
        res.setdefault(("noagent", k), []).append(flood_bobbin(code, k, ["--no-agent"]))
        res.setdefault(("bob", k), []).append(flood_bobbin(code, k))
kc.stop_channels()

# ---- the big notebooks: first screen vs nbformat.read, at ~50 MB and ~200 MB ----
rd = r'''
import sys, time, nbformat
t = time.perf_counter(); nbformat.read(sys.argv[1], as_version=nbformat.NO_CONVERT)
print(time.perf_counter() - t)
'''
bigs = []
for cells in (CELLS, CELLS_HUGE):
    big = os.path.join(T, "big.ipynb")
    subprocess.run([sys.executable, os.path.join(HERE, "gen_notebook.py"), big, str(cells)], check=True)
    size = os.path.getsize(big)
    with open(big, "rb") as f:
        f.read()                                # warm the page cache for both
    first, nbr = [], []
    for _ in range(RUNS):                        # interleaved: bobbin, nbformat.read, bobbin, ...
        c = Pty([BOBBIN, "--existing", CONN, big])
        t = c.wait_text([re.compile(rb"big\.ipynb"), re.compile(rb"x0 = compute\(0, ")])
        first.append(t - c.t0)
        c.settle(0.3)
        c.finish([b"q", b"n", b":q!\r"])
        t = time.perf_counter()
        out = subprocess.run([sys.executable, "-c", rd, big], check=True, capture_output=True, text=True,
                             timeout=120).stdout
        nbr.append((float(out), time.perf_counter() - t))
    bigs.append((cells, size, first, nbr))
    os.unlink(big)
km.shutdown_kernel(now=True)

med = statistics.median
def spread(xs, f):
    return "%s (%s-%s)" % (f(med(xs)), f(min(xs)).strip(), f(max(xs)).strip())
def mb(x): return "%.3f MB" % (x / 1e6)
def s(x): return "%.3f s" % x
def ratio(a, b): return "%.1fx" % (a / b) if b > 0 else "inf (below the clock tick)"
print("bobbin (notebook screen) vs jupyter-console, both --existing on one ipykernel, pty %dx%d;"
      " %d rounds interleaved, median (min-max)" % (COLS, ROWS, FLOOD_RUNS))
for k, (name, code) in enumerate(FLOODS):
    b, j, a = res[("bob", k)], res[("jc", k)], res[("noagent", k)]
    print(name)
    for i, what, f in ((0, "terminal bytes", mb), (1, "client CPU (run->settled)", s), (2, "client CPU (whole session)", s)):
        bv, jv, av = [x[i] for x in b], [x[i] for x in j], [x[i] for x in a]
        print("  %-27s bobbin %-30s jupyter-console %-30s jc/bobbin %s" % (what, spread(bv, f), spread(jv, f), ratio(med(jv), med(bv))))
        print("  %-27s bobbin --no-agent %-30s jc/no-agent %s" % ("", spread(av, f), ratio(med(jv), med(av))))
def msf(x): return "%.1f ms" % (x * 1e3)
for cells, size, first, nbr in bigs:
    fb = med(first)
    nr = [x[0] for x in nbr]; nw = [x[1] for x in nbr]
    print("big notebook: %d cells, %.1f MB, %d runs interleaved, median (min-max)" % (cells, size / 1e6, RUNS))
    print("  bobbin start -> first screen            %s" % spread(first, msf))
    print("  nbformat.read (in-process)              %s   ratio %.1fx" % (spread(nr, msf), med(nr) / fb))
    print("  python3 -c nbformat.read (with import)  %s   ratio %.1fx" % (spread(nw, msf), med(nw) / fb))
fb = max(med(b[2]) for b in bigs)
m = lambda who, k, i: med([x[i] for x in res[(who, k)]])
print("targets: >=50x fewer bytes on 1M lines: %s; >=20x less CPU on 10,000 messages: %s; first screen <150 ms: %s"
      % ("met" if m("jc", 0, 0) >= 50 * m("bob", 0, 0) else "NOT met",
         "met" if m("jc", 1, 1) >= 20 * m("bob", 1, 1) else "NOT met",
         "met" if fb < 0.150 else "NOT met"))
sys.stdout.flush()
os._exit(0)
PY
