#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Benchmark (not a test): `bobbin console` against Debian's `jupyter-console`, in one run, each
# driven in a pty: both attached with --existing to the same running ipykernel (launch to first
# prompt, `1+1` Enter to the result, client CPU for the whole session), and both starting their
# own kernel (launch to prompt, against the kernel's own readiness as jupyter_client measures it).
# A direct client (jupyter_client, blocking) gives the floor for `1+1`. Medians of RUNS runs.
# Usage: sh bench/bench_console.sh [BOBBIN]  (default ./bobbin or build/rel-cc/bobbin)
BOBBIN=${1:-${BOBBIN:-}}
[ -n "$BOBBIN" ] || for b in build/rel-cc/bobbin ./bobbin; do [ -x "$b" ] && BOBBIN=$b && break; done
RUNS=${RUNS:-7}
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

def runs(argv):
    res = [session(argv) for _ in range(RUNS)]
    return [med([r[i] for r in res]) for i in range(3)]

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
d_direct = med(direct)
b = runs([BOBBIN, "console", "--existing", conn])
j = runs(JC + ["--existing", conn])
kc.stop_channels(); km.shutdown_kernel(now=True)

# ---- own kernel ----
ready = []
for _ in range(RUNS):
    t = time.perf_counter()
    k2 = KernelManager(kernel_name="python3"); k2.start_kernel()
    c2 = k2.client(); c2.start_channels(); c2.wait_for_ready(timeout=60)
    ready.append(time.perf_counter() - t)
    c2.stop_channels(); k2.shutdown_kernel(now=True)
r_kernel = med(ready)
bo = runs([BOBBIN, "console", "-k", "python3"])
jo = runs(JC + ["--kernel", "python3"])

def ms(x): return "%7.1f ms" % (x * 1000)
print("bobbin console vs jupyter-console, medians of %d runs, in a pty" % RUNS)
print("attached (--existing, same ipykernel)      bobbin     jupyter-console   ratio")
print("  launch -> prompt                       %s  %s   %5.1fx" % (ms(b[0]), ms(j[0]), j[0] / b[0]))
print("  1+1 Enter -> result                    %s  %s   %5.1fx" % (ms(b[1]), ms(j[1]), j[1] / b[1]))
print("  client CPU (launch, 1+1, exit)         %s  %s   %5.1fx" % (ms(b[2]), ms(j[2]), j[2] / b[2]))
print("  direct client 1+1 (jupyter_client)     %s   bobbin/direct %.2fx" % (ms(d_direct), b[1] / d_direct))
print("own kernel (-k python3)")
print("  launch -> prompt                       %s  %s   %5.1fx" % (ms(bo[0]), ms(jo[0]), jo[0] / bo[0]))
print("  kernel readiness (jupyter_client)      %s   bobbin/kernel %.2fx" % (ms(r_kernel), bo[0] / r_kernel))
print("  CPU, client + its kernel               %s  %s   %5.1fx" % (ms(bo[2]), ms(jo[2]), jo[2] / bo[2]))
PY
