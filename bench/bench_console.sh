#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Benchmark (not a test): `bobbin console` against Debian's `jupyter-console`, in one run, each
# driven in a pty: both attached with --existing to the same running ipykernel (launch to first
# prompt, `1+1` Enter to the result, client CPU for the whole session), and both starting their
# own kernel (launch to prompt, against the kernel's own readiness: launch to its first
# kernel_info reply). A direct client (jupyter_client, blocking) gives the floor for `1+1`.
# RUNS runs of each, interleaved (bobbin, jupyter-console, bobbin, ...); medians with min-max.
# Usage: sh bench/bench_console.sh [BOBBIN]  (default ./bobbin or build/rel-cc/bobbin)
BOBBIN=${1:-${BOBBIN:-}}
[ -n "$BOBBIN" ] || for b in build/rel-cc/bobbin ./bobbin; do [ -x "$b" ] && BOBBIN=$b && break; done
RUNS=${RUNS:-4}
export BOBBIN RUNS
export JUPYTER_RUNTIME_DIR=$(mktemp -d) XDG_DATA_HOME=$(mktemp -d)
trap 'rm -rf "$JUPYTER_RUNTIME_DIR" "$XDG_DATA_HOME"' EXIT
exec /usr/bin/python3 - <<'PY'
import fcntl, os, pty, re, select, signal, statistics, struct, subprocess, sys, termios, time

from jupyter_client.manager import KernelManager

BOBBIN = os.path.abspath(os.environ["BOBBIN"])
RUNS = int(os.environ["RUNS"])
ANSI = re.compile(rb"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(\x07|\x1b\\)|\x1b[()][0-9A-B]|\x1b[=>78]")
env = dict(os.environ, TERM="xterm-256color", COLUMNS="100", LINES="30")

def session(argv, timeout=60):
    """Runs argv in a pty: returns (launch->prompt s, 1+1 Enter->result s, client CPU s)."""
    pid, fd = pty.fork()
    if pid == 0:
        os.execvpe(argv[0], argv, env)
    # (the size is set right after the fork; a client reading it at once may still see 0x0)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
    raw = b""
    t0 = time.perf_counter()
    def wait_for(pat, start):
        nonlocal raw
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            if pat.search(ANSI.sub(b"", raw[start:])):
                return time.perf_counter()
            r, _, _ = select.select([fd], [], [], 0.5)
            if r:
                try:
                    chunk = os.read(fd, 65536)
                except OSError:
                    break
                raw += chunk
                if b"\x1b[6n" in chunk:        # prompt_toolkit asks where the cursor is
                    os.write(fd, b"\x1b[1;1R")
        raise RuntimeError("timed out waiting for %r in %r" % (pat, ANSI.sub(b"", raw)[-300:]))
    t_prompt = wait_for(re.compile(rb"In \[\d+\]: "), 0) - t0
    # Let start-up work behind the prompt finish (bobbin installs its routing agent, one
    # execute of ~70 ms kernel time, right after showing the prompt) so 1+1 measures the steady
    # state; this settle time is not part of any figure.
    settle = time.perf_counter() + 0.5
    while time.perf_counter() < settle:
        if select.select([fd], [], [], 0.05)[0]:
            raw += os.read(fd, 65536)
    mark = len(raw)
    t1 = time.perf_counter()
    os.write(fd, b"1+1\r")
    t_result = wait_for(re.compile(rb"Out\[\d+\]: 2"), mark) - t1
    wait_for(re.compile(rb"Out\[\d+\]: 2[\s\S]*In \[\d+\]: "), mark)
    os.write(fd, b"\x04")
    deadline = time.time() + 20
    while True:
        r, _, _ = select.select([fd], [], [], 0.2)
        if r:
            try:
                os.read(fd, 65536)
            except OSError:
                pass
        wpid, status, ru = os.wait4(pid, os.WNOHANG)
        if wpid:
            break
        if time.time() > deadline:
            os.kill(pid, signal.SIGKILL)
    os.close(fd)
    return t_prompt, t_result, ru.ru_utime + ru.ru_stime

def med(xs):
    return statistics.median(xs)

def interleaved(*argvs):
    """RUNS sessions of each argv, alternating; per argv the three lists of figures."""
    res = [[] for _ in argvs]
    for _ in range(RUNS):
        for i, argv in enumerate(argvs):
            res[i].append(session(argv))
    return [[[r[k] for r in rs] for k in range(3)] for rs in res]

JC = ["jupyter-console", "--ZMQTerminalInteractiveShell.confirm_exit=False",
      "--ZMQTerminalInteractiveShell.banner="]

# ---- attached to one running kernel ----
km = KernelManager(kernel_name="python3")
km.start_kernel()
kc = km.client(); kc.start_channels(); kc.wait_for_ready(timeout=60)
conn = km.connection_file
direct = []
for _ in range(max(RUNS, 15)):
    t = time.perf_counter()
    mid = kc.execute("1+1")
    while True:
        m = kc.get_iopub_msg(timeout=10)
        if m["parent_header"].get("msg_id") == mid and m["msg_type"] == "execute_result":
            break
    direct.append(time.perf_counter() - t)
    while True:   # drain to idle
        m = kc.get_iopub_msg(timeout=10)
        if m["parent_header"].get("msg_id") == mid and m["msg_type"] == "status" \
           and m["content"]["execution_state"] == "idle":
            break
b, j = interleaved([BOBBIN, "console", "--existing", conn], JC + ["--existing", conn])
kc.stop_channels(); km.shutdown_kernel(now=True)
def ms(xs):
    return "%7.1f ms (%.0f-%.0f)" % (med(xs) * 1000, min(xs) * 1000, max(xs) * 1000)
def ratio(a, b):
    return "%5.2fx" % (med(a) / med(b))
print("bobbin console vs jupyter-console, %d runs each interleaved, in a pty; median (min-max)" % RUNS)
print("attached (--existing, same ipykernel)      bobbin                  jupyter-console         jc/bobbin")
print("  launch -> prompt                       %s  %s  %s" % (ms(b[0]), ms(j[0]), ratio(j[0], b[0])))
print("  1+1 Enter -> result                    %s  %s  %s" % (ms(b[1]), ms(j[1]), ratio(j[1], b[1])))
print("  client CPU (launch, 1+1, exit)         %s  %s  %s" % (ms(b[2]), ms(j[2]), ratio(j[2], b[2])))
print("  direct client 1+1 (jupyter_client)     %s   bobbin/direct %s" % (ms(direct), ratio(b[1], direct)))
sys.stdout.flush()

# ---- own kernel ----
def raw_ready():
    """The kernel's own readiness: launch to its first kernel_info reply (a blocking client)."""
    t = time.perf_counter()
    k2 = KernelManager(kernel_name="python3"); k2.start_kernel()
    c2 = k2.client(); c2.start_channels()
    mid = c2.kernel_info()
    while c2.get_shell_msg(timeout=60)["parent_header"].get("msg_id") != mid:
        pass
    r = time.perf_counter() - t
    c2.stop_channels(); k2.shutdown_kernel(now=True)
    return r

raw, bo, jo = [], [[], [], []], [[], [], []]
for _ in range(RUNS):
    raw.append(raw_ready())
    for dst, argv in ((bo, [BOBBIN, "console", "-k", "python3"]), (jo, JC + ["--kernel", "python3"])):
        for k, x in enumerate(session(argv)):
            dst[k].append(x)

print("own kernel (-k python3)")
print("  launch -> prompt                       %s  %s  %s" % (ms(bo[0]), ms(jo[0]), ratio(jo[0], bo[0])))
print("  kernel's own readiness (first reply)   %s   bobbin/kernel %s (target <= 1.20x)" % (ms(raw), ratio(bo[0], raw)))
print("  CPU, client + its kernel               %s  %s  %s" % (ms(bo[2]), ms(jo[2]), ratio(jo[2], bo[2])))
PY
