#!/usr/bin/python3
"""Scenario checks for bobbin's routing agent against a real kernel (routing.md cases (a)-(h)).

For every policy (kernel, origin, current, auto) a fresh kernel gets the agent, the default
policy is set on the control channel, and each scenario runs as separate execute_requests.
Thread lines carry the kernel-side time they were written; the client knows when each request
was busy/idle, so the expected parent of each line follows from the policy (lines within MARGIN
of a request boundary are not judged).  Metadata tags are checked on every output.

Usage: /usr/bin/python3 tests/agent/test_scenarios.py [-k NAME] [policy ...]
Prints 'N passed, N failed'; exit status 1 on any failure.
"""
import os
import sys
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Kernel, kernel_version, vtuple  # noqa: E402

MARGIN = 0.04
POLICIES = ("kernel", "origin", "current", "auto")
VERSION = vtuple(kernel_version())
# the stock kernel's rule for threads: 6.29-7.0 parent a thread's output to the cell that started it
THREAD_ORIGIN_RULE = (6, 29) <= VERSION < (7, 1)
ASYNCIO_ORIGIN_RULE = VERSION >= (6, 29)

PRELUDE = """
import threading, time, asyncio, queue
from concurrent.futures import ThreadPoolExecutor
from IPython.display import display
def _line(tag, i):
    print(f"{tag} {i} {time.time():.4f}")
"""


class Run:
    """Requests of one scenario in order: (msg_id, kind) where kind is 'cell' or 'other'."""

    def __init__(self, k):
        self.k = k
        self.reqs = []
        self.cells = {}

    def cell(self, name, code, wait=True):
        mid = self.k.execute(code, wait=wait)
        self.reqs.append((mid, "cell"))
        self.cells[name] = mid
        return mid

    def other(self, mid):
        self.k.wait_idle(mid)
        self.reqs.append((mid, "other"))

    def window(self, mid):
        busy = idle = None
        for t, m in self.k.msgs:
            if m["msg_type"] == "status" and m["parent_header"].get("msg_id") == mid:
                if m["content"]["execution_state"] == "busy" and busy is None:
                    busy = t
                elif m["content"]["execution_state"] == "idle":
                    idle = t
        return busy, idle

    def windows(self):
        return [(mid, kind) + self.window(mid) for mid, kind in self.reqs]

    def expected(self, t, policy, origin, kind):
        """Expected parent msg_id of a line written at kernel time t, or None if too close to call."""
        wins = self.windows()
        for _mid, _kind, b, i in wins:
            if abs(t - b) < MARGIN or (i is not None and abs(t - i) < MARGIN):
                return None
        executing = None
        latest_cell = latest_req = None
        for mid, k, b, i in wins:
            if b < t:
                latest_req = mid
                if k == "cell":
                    latest_cell = mid
                    if i is None or t < i:
                        executing = mid
        if policy == "origin":
            return origin
        if policy == "current":
            return executing or latest_cell
        if policy == "auto":
            return executing or origin
        # kernel: the stock rule at write time
        if kind == "thread" and THREAD_ORIGIN_RULE:
            return origin
        if kind == "asyncio" and ASYNCIO_ORIGIN_RULE:
            return origin
        return latest_req


class Checker:
    def __init__(self):
        self.errors = []
        self.judged = 0

    def check(self, cond, what):
        if not cond:
            self.errors.append(what)

    def lines(self, run, marker, policy, origin, kind, name=None, min_lines=1, pool_spawn=None):
        lines = run.k.lines(marker + " ")
        self.check(len(lines) >= min_lines, f"{marker}: {len(lines)} lines, wanted >= {min_lines}")
        for ln, parent, md, _m in lines:
            parts = ln.split()
            t = float(parts[-1])
            self.check(md is not None, f"{marker}: no metadata.bobbin on {ln!r}")
            if md is None:
                continue
            exp_kind = kind
            self.check(md.get("origin_kind") == exp_kind, f"{marker}: origin_kind {md.get('origin_kind')} != {exp_kind}")
            self.check(md.get("origin") == origin, f"{marker}: origin {md.get('origin')} != {origin}")
            self.check(md.get("routed_to") == parent, f"{marker}: routed_to {md.get('routed_to')} != parent {parent}")
            self.check(md.get("policy") == policy, f"{marker}: policy {md.get('policy')} != {policy}")
            th = md.get("thread") or {}
            self.check(isinstance(th.get("ident"), int) and isinstance(th.get("native_id"), int), f"{marker}: thread ids {th}")
            if name:
                self.check(th.get("name", "").startswith(name), f"{marker}: thread name {th.get('name')} !~ {name}")
            if kind == "pool" and policy == "kernel" and THREAD_ORIGIN_RULE:
                exp = pool_spawn
            elif policy == "kernel" and THREAD_ORIGIN_RULE and ident_reused(run.k, th.get("ident"), th.get("name")):
                # 6.29-7.0's own rule looks threads up by ident in maps that keep entries of ended
                # threads until a garbage collection: a reused ident can get another cell or the
                # latest request.  `kernel` reproduces that; only the tags are judged.
                continue
            else:
                exp = run.expected(t, policy, origin, kind)
            if exp is None:
                continue
            self.judged += 1
            self.check(parent == exp, f"{marker}: {ln!r} landed in {run.label(parent)}, expected {run.label(exp)} ({policy})")


def ident_reused(k, ident, name):
    """Did a thread of another name print with this ident before?"""
    for _t, m in k.outputs(("stream", "display_data")):
        th = (m["metadata"].get("bobbin") or {}).get("thread") or {}
        if th.get("ident") == ident and th.get("name") != name:
            return True
    return False


def _label(self, mid):
    for name, m in self.cells.items():
        if m == mid:
            return name
    for m, k in self.reqs:
        if m == mid:
            return "request " + mid[-6:]
    return str(mid)


Run.label = _label


# ---------------------------------------------------------------- scenarios
def sc_a(k, pol, ck):
    """(a) ticker thread started in C1; C2, C3 sleep; then late output."""
    r = Run(k)
    r.cell("C1", "def _ta():\n    for i in range(30):\n        _line('A', i); time.sleep(0.05)\n"
                 "threading.Thread(target=_ta, name='ticker-a').start()")
    r.cell("C2", "time.sleep(0.5)")
    r.cell("C3", "time.sleep(0.5)")
    k.drain(0.8)
    ck.lines(r, "A", pol, r.cells["C1"], "thread", "ticker-a", 25)


def sc_b(k, pol, ck):
    """(b) ThreadPoolExecutor made in C1; C2, C3 submit and wait; C4 submits and returns."""
    r = Run(k)
    r.cell("C1", "_ex = ThreadPoolExecutor(2)\n"
                 "def _job(tag, n, gap):\n    for i in range(n):\n        _line(tag, i); time.sleep(gap)")
    r.cell("C2", "_ex.submit(_job, 'B2', 3, 0.05).result()")
    r.cell("C3", "_ex.submit(_job, 'B3', 3, 0.05).result()")
    r.cell("C4", "_ex.submit(_job, 'B4', 4, 0.15)")
    k.drain(0.9)
    for c, tag in (("C2", "B2"), ("C3", "B3"), ("C4", "B4")):
        ck.lines(r, tag, pol, r.cells[c], "pool", "ThreadPoolExecutor-", 3, pool_spawn=r.cells["C2"])


def sc_c(k, pol, ck):
    """(c) I/O thread from C1 fed from C2 and C3 (the ipyparallel case)."""
    r = Run(k)
    r.cell("C1", "_q = queue.Queue()\n"
                 "def _io():\n    while True:\n        tag = _q.get()\n        if tag is None: break\n"
                 "        for i in range(4):\n            _line(tag, i); time.sleep(0.05)\n        _q.task_done()\n"
                 "threading.Thread(target=_io, name='io-c', daemon=True).start()")
    r.cell("C2", "_q.put('CC2'); _q.join()")
    r.cell("C3", "_q.put('CC3'); _q.join(); _q.put(None)")
    for tag in ("CC2", "CC3"):
        ck.lines(r, tag, pol, r.cells["C1"], "thread", "io-c", 4)


def sc_d(k, pol, ck):
    """(d) a thread from C1 calls display() / update_display during C2."""
    r = Run(k)
    r.cell("C1", "_ev_d, _done_d = threading.Event(), threading.Event()\n"
                 "def _disp():\n    _ev_d.wait()\n    h = display('D-one', display_id=True)\n"
                 "    h.update('D-two')\n    _line('D', 0)\n    _done_d.set()\n"
                 "threading.Thread(target=_disp, name='disp-d').start()")
    r.cell("C2", "_ev_d.set(); _done_d.wait(5); time.sleep(0.1)")
    c1, c2 = r.cells["C1"], r.cells["C2"]
    ck.lines(r, "D", pol, c1, "thread", "disp-d", 1)
    disp = [m for _t, m in k.outputs(("display_data", "update_display_data"))
            if "D-" in str(m["content"]["data"].get("text/plain", ""))]
    ck.check(len(disp) == 2, f"D: {len(disp)} display messages, wanted 2")
    for m in disp:
        md = m["metadata"].get("bobbin") or {}
        ck.check(md.get("origin") == c1 and md.get("origin_kind") == "thread", f"D: display metadata {md}")
        ck.check(md.get("routed_to") == m["parent_header"].get("msg_id"), "D: routed_to != parent")
        if pol == "origin":
            exp = c1
        elif pol in ("current", "auto"):
            exp = c2
        elif VERSION < (6, 29) or VERSION >= (7, 1):
            exp = c2
        elif VERSION >= (7, 0):
            exp = c1  # 7.0.x raises LookupError; the agent gives the thread its origin as display parent
        else:
            exp = c2  # 6.29.5: display keeps the latest cell
        ck.judged += 1
        ck.check(m["parent_header"].get("msg_id") == exp, f"D: {m['msg_type']} in {r.label(m['parent_header'].get('msg_id'))}, expected {r.label(exp)}")


def sc_e(k, pol, ck):
    """(e) a thread from C1 starts an inner thread during C2."""
    r = Run(k)
    r.cell("C1", "_ev_e, _done_e = threading.Event(), threading.Event()\n"
                 "def _inner():\n    for i in range(4):\n        _line('E', i); time.sleep(0.05)\n"
                 "def _outer():\n    _ev_e.wait()\n    t = threading.Thread(target=_inner, name='inner-e'); t.start(); t.join()\n    _done_e.set()\n"
                 "threading.Thread(target=_outer, name='outer-e').start()")
    r.cell("C2", "_ev_e.set(); _done_e.wait(5)")
    ck.lines(r, "E", pol, r.cells["C1"], "thread", "inner-e", 4)


def sc_f(k, pol, ck):
    """(f) an asyncio task from C1 prints while C1 is done and during C2."""
    r = Run(k)
    r.cell("C1", "async def _tf():\n    for i in range(8):\n        _line('F', i)\n        await asyncio.sleep(0.1)\n"
                 "_task_f = asyncio.ensure_future(_tf())")
    time.sleep(0.25)
    r.cell("C2", "await asyncio.sleep(0.7)")
    k.drain(0.3)
    ck.lines(r, "F", pol, r.cells["C1"], "asyncio", "MainThread", 6)


def sc_g(k, pol, ck):
    """(g) a thread prints 0.08 s after C1 ends; C2 is sent 0.15 s after that."""
    r = Run(k)
    r.cell("C1", "_tg = threading.Timer(0.08, _line, ('G', 0)); _tg.name = 'timer-g'; _tg.start()")
    time.sleep(0.15)
    r.cell("C2", "pass")
    k.drain(0.4)
    if pol == "kernel" and THREAD_ORIGIN_RULE:
        # 6.29-7.0's own rule looks the thread up by ident in a map that keeps entries of ended
        # threads; a reused ident gets an older cell.  `kernel` reproduces that; only tags checked.
        ck.check(len(k.lines("G ")) == 1, "G: one line")
        return
    ck.lines(r, "G", pol, r.cells["C1"], "thread", "timer-g", 1)


def sc_h(k, pol, ck):
    """(h) a ticker runs while the client sends kernel_info, complete and a silent execute."""
    r = Run(k)
    r.cell("C1", "def _th():\n    for i in range(40):\n        _line('H', i); time.sleep(0.03)\n"
                 "threading.Thread(target=_th, name='ticker-h').start()")
    time.sleep(0.15)
    r.other(k.kc.kernel_info())
    time.sleep(0.15)
    r.other(k.kc.complete("threa", 5))
    time.sleep(0.15)
    r.other(k.kc.execute("time.sleep(0.3)", silent=True, store_history=False))
    k.drain(0.8)
    ck.lines(r, "H", pol, r.cells["C1"], "thread", "ticker-h", 30)


def _texts(k, mids):
    """stream text per (parent msg_id, stream name) for the given requests, in arrival order."""
    out = {}
    for _t, m in k.outputs(("stream",)):
        p = m["parent_header"].get("msg_id")
        if p in mids:
            key = (p, m["content"]["name"])
            out[key] = out.get(key, "") + m["content"]["text"]
    return out


def sc_i(k, pol, ck):
    """(i) unfinished lines: each cell keeps exactly its own text (issue 10, defect 1)."""
    r = Run(k)
    cells = [
        ("I1", 'print("A", end="")', "A"),
        ("I2", 'print("B", end="")', "B"),
        ("I3", 'print("C")', "C\n"),
        ("I4", 'import sys\nfor i in range(5):\n    sys.stdout.write(f"\\rP {i}"); sys.stdout.flush(); time.sleep(0.01)',
         "".join(f"\rP {i}" for i in range(5))),
        ("I5", 'print("D")', "D\n"),
        ("I6", 'sys.stdout.write("E")', "E"),
        ("I7", 'print("\\x1b[H\\x1b[2J", end="")', "\x1b[H\x1b[2J"),
        ("I8", 'print("F")', "F\n"),
        ("I9", 'print("G", end="", file=sys.stderr)', None),
        ("I10", 'print("H", file=sys.stderr)', None),
    ]
    for name, code, _want in cells:
        r.cell(name, code)
    k.drain(0.4)
    got = _texts(k, set(r.cells.values()))
    for name, _code, want in cells:
        mid = r.cells[name]
        if want is not None:
            ck.check(got.get((mid, "stdout"), "") == want, f"{name}: stdout {got.get((mid, 'stdout'))!r}, wanted {want!r}")
    ck.check(got.get((r.cells["I9"], "stderr"), "") == "G", f"I9: stderr {got.get((r.cells['I9'], 'stderr'))!r}")
    ck.check(got.get((r.cells["I10"], "stderr"), "") == "H\n", f"I10: stderr {got.get((r.cells['I10'], 'stderr'))!r}")
    for _t, m in k.outputs(("stream",)):
        p = m["parent_header"].get("msg_id")
        if p in r.cells.values():
            md = m["metadata"].get("bobbin") or {}
            ck.check(md.get("routed_to") == p and md.get("origin") == p and md.get("origin_kind") == "main",
                     f"{r.label(p)}: tags {md}")
    ck.judged += len(cells)


def sc_j(k, pol, ck):
    """(j) a thread that ends mid-line does not hand its route to the next thread with its ident."""
    r = Run(k)
    r.cell("J1", "_j_go = threading.Event(); _j_ident = [None]\n"
                 "def _j_old():\n    _j_go.wait(); _j_ident[0] = threading.get_ident(); sys.stdout.write('J-open')\n"
                 "_j_t = threading.Thread(target=_j_old, name='j-old'); _j_t.start()")
    r.cell("J2", "import sys\n_j_go.set(); _j_t.join()\n"
                 "def _j_new():\n    print('J2', 'same' if threading.get_ident() == _j_ident[0] else 'other', time.time())\n"
                 "for _ in range(20):\n    _t = threading.Thread(target=_j_new, name='j-new'); _t.start(); _t.join()\n"
                 "    if _t.ident == _j_ident[0]: break\n"
                 "time.sleep(0.1)")
    k.drain(0.4)
    c1, c2 = r.cells["J1"], r.cells["J2"]
    # judged per message: the two threads share an ident, so their text may join on one line
    msgs = [(m["content"]["text"], m["parent_header"].get("msg_id"), m["metadata"].get("bobbin") or {})
            for _t, m in k.outputs(("stream",))]
    ck.check(any("J2 same" in t for t, _p, _md in msgs), "no thread reused the ended thread's ident")
    for text, parent, md in msgs:
        if "J2 " not in text:
            continue
        ck.check("J-open" not in text, f"{text!r}: one message for two threads")
        # origin, current, auto: J2; kernel: the latest request (6.x) or the thread's origin (6.29-7.0)
        ck.check(parent == c2, f"{text!r} landed in {r.label(parent)}, expected J2 ({pol})")
        ck.check(md.get("origin") == c2 and md["thread"]["name"] == "j-new", f"{text!r}: tags {md}")
        ck.judged += 1
    opened = [(p, md) for t, p, md in msgs if "J-open" in t]
    want_open = c1 if pol == "origin" else c2
    if pol == "kernel" and THREAD_ORIGIN_RULE:
        want_open = opened[0][0] if opened else c1  # the stock rule's stale ident map: see ident_reused
    ck.check(len(opened) == 1 and opened[0][0] == want_open,
             f"J-open: {[(r.label(p), md and md.get('policy')) for p, md in opened]}, expected {r.label(want_open)}")


def sc_k(k, pol, ck):
    """(k) a thread renamed after it printed follows the rule for its new name (defect 5)."""
    r = Run(k)
    assert k.routing("add_rule", pattern="renamed-*", policy="current")["status"] == "ok"
    try:
        r.cell("K1", "_k_go = threading.Event()\n"
                     "def _k():\n    _k_go.wait(); print('K0', time.time())\n"
                     "    threading.current_thread().name = 'renamed-1'; print('K1', time.time())\n"
                     "_k_t = threading.Thread(target=_k, name='kname'); _k_t.start()")
        r.cell("K2", "_k_go.set(); _k_t.join(); time.sleep(0.1)")
        k.drain(0.3)
    finally:
        k.routing("remove_rule", pattern="renamed-*")
    c2 = r.cells["K2"]
    k1 = k.lines("K1 ")
    ck.check(len(k1) == 1, f"K1: {len(k1)} lines")
    for ln, parent, md, _m in k1:
        ck.check(parent == c2 and md.get("policy") == "current" and md["thread"]["name"] == "renamed-1",
                 f"{ln!r}: in {r.label(parent)}, policy {md.get('policy')}, thread {md.get('thread')}")
        ck.judged += 1
    k0 = k.lines("K0 ")
    ck.check(len(k0) == 1 and k0[0][2].get("policy") == (pol if pol != "kernel" else "kernel"),
             f"K0: {[(r.label(p), md.get('policy')) for _l, p, md, _m in k0]}")


SCENARIOS = [sc_a, sc_b, sc_c, sc_d, sc_e, sc_f, sc_g, sc_h, sc_i, sc_j, sc_k]


# ---------------------------------------------------------------- policy-independent tests
def t_install(ck):
    """Namespace stays clean; reinstall is a no-op; a newer version takes over state and hooks."""
    k = Kernel()
    try:
        k.execute("_before = set(globals())")
        k.install()
        k.install()
        k.execute("import sys\n_agent_names = sorted(set(globals()) - _before - {'_before', 'sys'})\n"
                  "assert not [n for n in _agent_names if 'bobbin' in n], _agent_names\n"
                  "assert sys.modules['_bobbin_agent'].version == 2")
        st = k.routing("set_default", policy="origin")
        ck.check(st["status"] == "ok" and st["state"]["default"] == "origin", f"set_default: {st}")
        src = k.execute  # noqa
        from harness import agent_install_code, agent_source
        newer = agent_source().replace("VERSION = 2\n", "VERSION = 3\n", 1)
        k.execute(agent_install_code(newer), silent=True, store_history=False)
        st = k.routing("get")["state"]
        ck.check(st["agent_version"] == 3, f"upgrade: agent_version {st['agent_version']}")
        ck.check(st["default"] == "origin", f"upgrade kept default: {st['default']}")
        c = k.execute("import threading\nfor i in range(5): print('U', i)\n"
                      "t = threading.Thread(target=lambda: [print('UT', i) for i in range(5)]); t.start(); t.join()")
        lines = k.lines("U")
        ck.check(len(lines) == 10, f"upgrade: {len(lines)} lines, wanted 10 (no duplicates)")
        ck.check(all(p == c and md and md.get("routed_to") == c for _l, p, md, _m in lines), "upgrade: routing/tags")
        st = k.routing("add_rule", pattern="ThreadPoolExecutor-*", policy="current")
        ck.check(st["state"]["rules"] == [{"pattern": "ThreadPoolExecutor-*", "policy": "current"}], f"rule: {st}")
        st = k.routing("remove_rule", pattern="nope")
        ck.check(st["status"] == "error" and "nope" in st["evalue"], f"remove_rule error: {st}")
        st = k.routing("set_thread", ident=12345, policy="origin")
        ck.check(st["status"] == "error", f"set_thread unknown ident: {st}")
        st = k.routing("frobnicate")
        ck.check(st["status"] == "error", f"unknown op: {st}")
        ck.judged += 1
    finally:
        k.close()


def t_internal(ck):
    """Kernel threads are marked internal; fd-level output is tagged as the fd watcher's."""
    k = Kernel()
    try:
        k.execute("import threading\n_u = threading.Event()\n"
                  "threading.Thread(target=_u.wait, name='user-thread').start()")
        st = k.routing("get")["state"]
        by_name = {t["name"]: t for t in st["threads"] if t["alive"]}
        ck.check(by_name.get("user-thread", {}).get("internal") is False, f"user thread: {by_name.get('user-thread')}")
        ck.check(by_name.get("MainThread", {}).get("internal") is False, "main thread marked internal")
        kern = [n for n, t in by_name.items() if t.get("internal")]
        ck.check(any("IOPub" in n for n in kern) or any(t.get("role") == "fd" for t in by_name.values()),
                 f"no kernel thread marked internal: {sorted(by_name)}")
        c = k.execute("import os\nos.system('echo FDX-line')\n_u.set()")
        k.drain(0.5)
        fd = k.lines("FDX-line")
        watcher = [t for t in by_name.values() if t.get("role") == "fd"]
        if watcher:  # this ipykernel captures fd output
            ck.check(len(fd) == 1, f"fd output: {len(fd)} lines")
            for _ln, parent, md, _m in fd:
                ck.check(parent == c and md.get("origin_kind") == "fd" and md["thread"].get("internal") is True,
                         f"fd output: parent {parent == c}, tags {md}")
        ck.judged += 1
    finally:
        k.close()


def t_extension(ck):
    """%load_ext bobbin_agent gives the same routing and tags; bobbin's own install then shares it."""
    from harness import AGENT

    k = Kernel(agent=False, path=[os.path.dirname(AGENT)])
    try:
        c1 = k.execute("%load_ext bobbin_agent\n%routing origin\n%route tick*=current")
        out = "".join(m["content"]["text"] for _t, m in k.outputs(("stream",))
                      if m["parent_header"].get("msg_id") == c1)
        ck.check(out == "routing: default origin; rules: none\nrouting: default origin; rules: tick*=current\n",
                 f"magics printed {out!r}")
        st = k.routing("get")["state"]
        ck.check(st["default"] == "origin" and st["rules"] == [{"pattern": "tick*", "policy": "current"}],
                 f"state over the control channel: {st['default']} {st['rules']}")
        k.execute("import threading\n_e = threading.Event()\n"
                  "def _w():\n    _e.wait(); print('EXT line')\n"
                  "threading.Thread(target=_w, name='ext').start()")
        c3 = k.execute("_e.set(); import time; time.sleep(0.3)")
        k.drain(0.3)
        lines = k.lines("EXT line")
        ck.check(len(lines) == 1 and lines[0][1] != c3 and lines[0][2].get("policy") == "origin",
                 f"thread output under %routing origin: {[(p == c3, md) for _l, p, md, _m in lines]}")
        k.install()  # what bobbin sends: the same version is already active, nothing changes
        st = k.routing("get")["state"]
        ck.check(st["default"] == "origin" and len(st["rules"]) == 1, f"after bobbin's install: {st['default']}")
        c4 = k.execute("%unload_ext bobbin_agent\nimport sys\nprint(sys.modules['_bobbin_agent'].agent)")
        k.drain(0.2)
        out = "".join(m["content"]["text"] for _t, m in k.outputs(("stream",))
                      if m["parent_header"].get("msg_id") == c4)
        ck.check(out == "None\n", f"after %unload_ext: {out!r}")
        ck.judged += 1
    finally:
        k.close()


def t_toggle_running(ck):
    """A toggle sent while C2 sleeps moves the thread's next output in that same run, and back."""
    k = Kernel()
    try:
        c1 = k.execute("import threading, time\n_stop = threading.Event()\n"
                       "def _tk():\n    i = 0\n    while not _stop.is_set():\n"
                       "        print(f'K {i} {time.time():.4f}'); i += 1; time.sleep(0.02)\n"
                       "threading.Thread(target=_tk, name='toggler').start()")
        ident = k.thread_ident("toggler")
        # baseline `current` (the stock rule differs across versions: 6.29-7.0 keep the origin)
        assert k.routing("set_thread", ident=ident, policy="current")["status"] == "ok"
        c2 = k.execute("time.sleep(3); _stop.set()", wait=False)
        k.drain(0.8)
        t0 = time.time()
        rep = k.routing("set_thread", ident=ident, policy="origin")
        t1 = time.time()
        ck.check(rep["status"] == "ok", f"toggle: {rep}")
        ent = [t for t in rep["state"]["threads"] if t["ident"] == ident][0]
        ck.check(ent["override"] == "origin" and ent["policy"] == "origin", f"confirmed state: {ent}")
        k.drain(0.8)
        t2 = time.time()
        rep = k.routing("set_thread", ident=ident, policy="current")
        t3 = time.time()
        k.wait_idle(c2)
        k.drain(0.3)
        before = after = back = 0
        for ln, parent, md, _m in k.lines("K "):
            t = float(ln.split()[-1])
            if k.idle.get(c1, 0) + MARGIN < t < t0 and t > Run(k).window(c2)[0] + MARGIN:
                ck.check(parent == c2 and md["policy"] == "current", f"toggle: before {ln} in {parent}")
                before += 1
            elif t1 < t < t2:
                ck.check(parent == c1 and md["policy"] == "origin", f"toggle: after {ln} in {parent}")
                after += 1
            elif t > t3 and t < k.idle[c2] - MARGIN:
                ck.check(parent == c2 and md["policy"] == "current", f"toggle: back {ln} in {parent}")
                back += 1
        ck.check(before > 10 and after > 10 and back > 10, f"toggle: {before}/{after}/{back} lines")
        ck.judged += before + after + back
        print(f"  toggle during a running cell: {before} lines before in C2, {after} after in C1, {back} back in C2;"
              f" request round trip {1000 * (t1 - t0):.1f} ms")
    finally:
        k.close()


def t_flood_toggle(ck, n=20000):
    """Toggling a thread back and forth while it prints n lines loses and duplicates nothing."""
    k = Kernel()
    try:
        c1 = k.execute("import threading, time\n_go = threading.Event()\n"
                       f"def _fl():\n    _go.wait()\n    for i in range({n}):\n        print('L', i)\n"
                       "        if i % 50 == 0: time.sleep(0.002)\n"
                       "_tf = threading.Thread(target=_fl, name='flood'); _tf.start()")
        ident = k.thread_ident("flood")
        c2 = k.execute("_go.set(); _tf.join()", wait=False)
        toggles = 0
        pol = ["origin", "current", "auto", "kernel"]
        while c2 not in k.idle:
            rep = k.routing("set_thread", ident=ident, policy=pol[toggles % 4])
            if rep["status"] != "ok":
                break
            toggles += 1
            k.drain(0.005)
        k.wait_idle(c2)
        k.drain(0.5)
        seen = {}
        per_parent = {}
        for ln, parent, _md, _m in k.lines("L "):
            i = int(ln.split()[1])
            seen[i] = seen.get(i, 0) + 1
            per_parent.setdefault(parent, []).append(i)
        missing = [i for i in range(n) if i not in seen]
        dup = [i for i, c in seen.items() if c > 1]
        ck.check(not missing and not dup, f"flood: {len(missing)} missing, {len(dup)} duplicated")
        for p, seq in per_parent.items():
            ck.check(seq == sorted(seq), f"flood: order broken within {p}")
        ck.judged += 1
        print(f"  flood: {n} lines, {toggles} toggles, {len(missing)} missing, {len(dup)} duplicated; "
              f"lines per cell: C1 {len(per_parent.get(c1, []))}, C2 {len(per_parent.get(c2, []))}")
    finally:
        k.close()


def t_flush(ck):
    """print(flush=True) under the agent sends each line at once and in order."""
    k = Kernel()
    try:
        k.install()
        c = k.execute("import time\nfor i in range(300): print('FL', i, flush=True)\n"
                      "print('FX', flush=True); time.sleep(1.5); print('FY', flush=True)")
        msgs = [(t, m) for t, m in k.outputs(("stream",)) if m["parent_header"].get("msg_id") == c]
        # each flush sends what was written before it (the agent's 0.2 s timer may also send the
        # first half of a line on its own, so: at least one message per line, text in order)
        texts = [m["content"]["text"] for _t, m in msgs]
        want = "".join("FL %d\n" % i for i in range(300)) + "FX\nFY\n"
        nfl = next((i for i, t in enumerate(texts) if t.startswith("FX")), len(texts))
        ck.check("".join(texts) == want and nfl >= 300,
                 f"flushed lines: {nfl} messages before FX, text {'in order' if ''.join(texts) == want else 'wrong'}")
        tx = [t for t, m in msgs if m["content"]["text"].startswith("FX")]
        ty = [t for t, m in msgs if m["content"]["text"].startswith("FY")]
        ck.check(len(tx) == 1 and len(ty) == 1 and ty[0] - tx[0] > 1.0,
                 f"FX arrived before the sleep: {tx} {ty}")
        ck.judged += 1
    finally:
        k.close()


def main():
    args = sys.argv[1:]
    only = None
    if "-k" in args:
        j = args.index("-k")
        only = args[j + 1]
        del args[j : j + 2]
    policies = args or list(POLICIES)
    print(f"ipykernel {kernel_version()}")
    passed = failed = 0

    def report(name, ck, exc=None):
        nonlocal passed, failed
        if exc or ck.errors:
            failed += 1
            print(f"FAIL {name}")
            for e in ck.errors[:8]:
                print("   ", e)
            if len(ck.errors) > 8:
                print(f"    ... {len(ck.errors) - 8} more")
            if exc:
                print("   ", exc)
        else:
            passed += 1
            print(f"ok   {name} ({ck.judged} judged)")

    for pol in policies:
        if only and not any(only in s.__name__ for s in SCENARIOS):
            break
        k = Kernel()
        try:
            k.execute(PRELUDE)
            rep = k.routing("set_default", policy=pol)
            assert rep["status"] == "ok" and rep["state"]["default"] == pol, rep
            for sc in SCENARIOS:
                if only and only not in sc.__name__:
                    continue
                ck = Checker()
                exc = None
                try:
                    sc(k, pol, ck)
                except Exception:
                    exc = traceback.format_exc()
                report(f"{pol:8s} {sc.__doc__.split(')')[0]})  {sc.__doc__.split(')', 1)[1].strip()}", ck, exc)
        finally:
            k.close()
    for t in (t_install, t_internal, t_extension, t_flush, t_toggle_running, t_flood_toggle):
        if only and only not in t.__name__:
            continue
        ck = Checker()
        exc = None
        try:
            t(ck)
        except Exception:
            exc = traceback.format_exc()
        report(t.__doc__.split(";")[0].split(".")[0], ck, exc)
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
