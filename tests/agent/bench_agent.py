#!/usr/bin/python3
"""Measure the routing agent's cost and toggle latency on one kernel (not a timed test).

1. Overhead: a cell in which 4 threads print 100,000 lines in total (and the main thread waits
   for them and flushes), timed inside the kernel; without the agent, with it at policy `kernel`
   and at policy `origin`; ROUNDS rounds, alternating, median reported.  Every line is counted
   on the client.
1b. Flood: a cell whose main thread prints 1,000,000 lines (one print each), timed from the
   request to its idle on the client, with the kernel process's CPU time from /proc; the same
   three modes, alternating, medians with min-max and the ratio to no agent.
2. Toggle latency: a thread prints every 5 ms while a cell sleeps; the client sends set_thread
   on the control channel and measures the time until the first output routed by the new policy
   arrives (and the control round trip).

Usage: /usr/bin/python3 tests/agent/bench_agent.py [ROUNDS]
"""
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Kernel, kernel_version  # noqa: E402

N = 100_000
THREADS = 4

BENCH = f"""
import threading, time, sys
def _w(k):
    for i in range({N // THREADS}):
        print('BL', k, i)
_t0 = time.perf_counter(); _c0 = time.process_time()
_ts = [threading.Thread(target=_w, args=(k,)) for k in range({THREADS})]
for _t in _ts: _t.start()
for _t in _ts: _t.join()
sys.stdout.flush()
_bench_dt = (time.perf_counter() - _t0, time.process_time() - _c0)
"""


def run_once(k):
    start = len(k.msgs)
    mid = k.kc.execute(BENCH, user_expressions={"dt": "_bench_dt"})
    k.wait_idle(mid)
    rep = k.reply(mid)
    dt = eval(rep["content"]["user_expressions"]["dt"]["data"]["text/plain"])  # (wall, process CPU)
    n = 0
    for _t, m in k.msgs[start:]:
        if m["msg_type"] == "stream":
            n += m["content"]["text"].count("\n")  # lines interleave within a line without the agent
    k.msgs = k.msgs[:start]  # keep memory flat
    return dt, n


def set_mode(k, mode):
    """No agent ("none"), or the agent installed with that default policy."""
    if mode == "none":
        if k.agent:
            k.execute("import sys\n_a = sys.modules['_bobbin_agent'].agent\n_a.uninstall(); del _a",
                      silent=True, store_history=False)
            k.agent = False
    else:
        k.install()
        k.routing("set_default", policy=mode)


def overhead(rounds):
    k = Kernel(agent=False)
    try:
        res = {"none": [], "kernel": [], "origin": []}
        run_once(k)  # warm up
        for _ in range(rounds):
            for mode in ("none", "kernel", "origin"):
                set_mode(k, mode)
                dt, n = run_once(k)
                if n != N:
                    print(f"  !! {mode}: {n} lines received, expected {N}")
                res[mode].append(dt)
        print(f"overhead ({THREADS} threads, {N} lines, {rounds} rounds; kernel process CPU seconds, then wall):")
        for mode, v in res.items():
            cpu = [x[1] for x in v]
            base = statistics.median([x[1] for x in res["none"]])
            print(f"  {mode:7s} CPU median {statistics.median(cpu):.3f} s ({100 * (statistics.median(cpu) / base - 1):+.1f}%)"
                  f"   all: {' '.join(f'{x:.2f}' for x in cpu)}")
        for mode, v in res.items():
            v = [x[0] for x in v]
            base = statistics.median([x[0] for x in res["none"]])
            med = statistics.median(v)
            print(f"  {mode:7s} median {med:.3f} s ({100 * (med / base - 1):+.1f}%), min {min(v):.3f} s"
                  f" ({100 * (min(v) / min(x[0] for x in res['none']) - 1):+.1f}%)   all: {' '.join(f'{x:.3f}' for x in v)}")
    finally:
        k.close()


FLOOD_N = 1_000_000


def _proc_cpu(pid):
    f = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(f[11]) + int(f[12])) / os.sysconf("SC_CLK_TCK")


def _flood_once(k, pid):
    c0, t0 = _proc_cpu(pid), time.time()
    mid = k.kc.execute(f"for i in range({FLOOD_N}): print(i)")
    n = 0
    while True:
        m = k.kc.get_iopub_msg(timeout=300)
        if m["msg_type"] == "stream":
            n += m["content"]["text"].count("\n")
        elif (m["msg_type"] == "status" and m["content"]["execution_state"] == "idle"
              and m["parent_header"].get("msg_id") == mid):
            break
    k.reply(mid)
    return time.time() - t0, _proc_cpu(pid) - c0, n


def flood(rounds):
    k = Kernel(agent=False)
    try:
        pid = k.km.provisioner.process.pid if getattr(k.km, "provisioner", None) else k.km.kernel.pid
        res = {"none": [], "kernel": [], "origin": []}
        for _ in range(rounds):
            for mode in res:
                set_mode(k, mode)
                wall, cpu, n = _flood_once(k, pid)
                if n != FLOOD_N:
                    print(f"  !! {mode}: {n} lines received, expected {FLOOD_N}")
                res[mode].append((wall, cpu))
        print(f"flood (main thread prints {FLOOD_N:,} lines; {rounds} rounds, alternating; "
              f"load average {' '.join(open('/proc/loadavg').read().split()[:3])}):")
        for j, what in ((1, "kernel CPU"), (0, "request to idle")):
            base = statistics.median(x[j] for x in res["none"])
            for mode, v in res.items():
                xs = [x[j] for x in v]
                med = statistics.median(xs)
                print(f"  {what:15s} {mode:7s} median {med:.2f} s (min {min(xs):.2f}, max {max(xs):.2f})"
                      f"  {med / base:.2f}x no agent")
    finally:
        k.close()


def toggle_latency(n=10):
    k = Kernel()
    try:
        c1 = k.execute("import threading, time\n_stop = threading.Event()\n"
                       "def _tk():\n    while not _stop.is_set():\n        print('TL', time.time()); time.sleep(0.005)\n"
                       "threading.Thread(target=_tk, name='lat').start()")
        ident = k.thread_ident("lat")
        c2 = k.execute(f"time.sleep({0.5 * n + 1}); _stop.set()", wait=False)
        k.drain(0.5)
        lat, rtt = [], []
        for j in range(n):
            pol = "origin" if j % 2 == 0 else "kernel"
            want = c1 if pol == "origin" else c2
            mark = len(k.msgs)
            t0 = time.time()
            rep = k.routing("set_thread", ident=ident, policy=pol)
            rtt.append(time.time() - t0)
            assert rep["status"] == "ok", rep
            got = None
            while got is None and time.time() - t0 < 2:
                k._take(0.01)
                for t, m in k.msgs[mark:]:
                    md = m.get("metadata", {}).get("bobbin") or {}
                    if m["msg_type"] == "stream" and md.get("policy") == pol and m["parent_header"].get("msg_id") == want:
                        got = t
                        break
            lat.append((got or float("inf")) - t0)
            k.drain(0.3)
        k.wait_idle(c2)
        print(f"toggle latency over {n} toggles (request sent -> first output routed by the new policy arrives):")
        print(f"  median {1000 * statistics.median(lat):.1f} ms, max {1000 * max(lat):.1f} ms;"
              f" control round trip median {1000 * statistics.median(rtt):.1f} ms")
    finally:
        k.close()


if __name__ == "__main__":
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    print(f"ipykernel {kernel_version()}")
    overhead(rounds)
    flood(rounds)
    toggle_latency()
