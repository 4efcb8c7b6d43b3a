# SPDX-License-Identifier: GPL-3.0-or-later
"""bobbin routing agent: the kernel side of bobbin's thread attribution and routing.

An ordinary module that runs inside an IPython kernel (ipykernel 6.x, 7.x, main).  It gets there in
one of two ways:

- bobbin ships this file inside its binary and sends it as ONE silent execute_request
  (silent: true, store_history: false) right after the kernel is ready and after every restart.
  The request creates a module object outside sys.modules, runs this file in it and calls
  install(): nothing is left in the user namespace (see scripts/embed_agent.sh).
- Any other frontend (JupyterLab, VS Code, jupyter console): with this file on the kernel's path,
  `%load_ext bobbin_agent` installs the same agent and adds the magics %routing and %route.

The active agent is registered as sys.modules["_bobbin_agent"] (attributes `agent`, `version`);
installing the same or an older version again is a no-op, a newer version takes over the older's
state and replaces its hooks.  The protocol (control messages bobbin_routing_request /
bobbin_routing_reply, events on the comm target "bobbin.routing", message metadata
`metadata.bobbin`) is docs/routing-protocol.md.
"""
import asyncio
import contextvars
import fnmatch
import inspect
import os
import sys
import threading
import time
import types
import uuid
from collections import namedtuple

import concurrent.futures.thread as cft

VERSION = 2
PROTOCOL = "1.1"
REG = "_bobbin_agent"
POLICIES = ("kernel", "origin", "current", "auto")
REQ_TYPE = "bobbin_routing_request"
REPLY_TYPE = "bobbin_routing_reply"
COMM_TARGET = "bobbin.routing"
ORIGIN_ATTR = "_bobbin_origin"  # on Thread objects: the origin header; stable across versions
MAX_DEAD = 64  # ended threads kept in the table
MAX_HEADERS = 4096
EVENT_DELAY = 0.05
STATS_DELAY = 1.0
# Packages whose own threads (IOPub, Heartbeat, Control, the fd watcher, history saving, the parent
# poller) are the kernel's machinery, not the user's.
KERNEL_PACKAGES = ("ipykernel", "IPython", "jupyter_client", "zmq", "tornado", "debugpy", "comm",
                   "traitlets", "ipyparallel.engine")

_get_ident = threading.get_ident
_now = time.time
_origin_cv = contextvars.ContextVar("bobbin_origin", default=None)
_NO_CV = object()  # in a fast-path entry of a thread whose decision does not depend on the context

# What the agent decided for output written now: `key` groups writes into one message (route,
# policy, origin, kind), `route` is the parent header the output is sent with.
Decision = namedtuple("Decision", "key route origin kind policy")


def hdr_id(hdr):
    return hdr.get("msg_id") if hdr else None


def running_task():
    try:
        if asyncio._get_running_loop() is None:
            return None
        return asyncio.current_task()
    except Exception:
        return None


def check_policy(pol):
    if pol not in POLICIES:
        raise ValueError(f"unknown policy {pol!r} (one of {', '.join(POLICIES)})")


def policy_for(override, rules, name, kind, default):
    """The policy for a thread: its override, the first rule matching its name, explicit, default."""
    if override is not None:
        return override
    for pat, pol in rules:
        if fnmatch.fnmatchcase(name, pat):
            return pol
    if kind == "explicit":
        return "explicit"
    return default


def route_for(policy, origin, exec_hdr, latest_hdr):
    """The parent header a policy picks, or None for the kernel's own choice (policy `kernel`)."""
    if policy in ("explicit", "origin"):
        return origin
    if policy == "current":
        return exec_hdr or latest_hdr
    if policy == "auto":
        return exec_hdr or origin
    return None


def _module_of(obj):
    if obj is None:
        return ""
    owner = getattr(obj, "__self__", None)
    if owner is not None and not isinstance(owner, types.ModuleType):
        return type(owner).__module__ or ""
    return getattr(obj, "__module__", "") or ""


def thread_role(thread):
    """'fd' for ipykernel's fd watcher, 'kernel' for other kernel machinery, None for user threads.

    Judged by the module of the thread's class or target: a thread subclass or target from the
    kernel's own packages is machinery unless user code started it (see ThreadInfo.internal)."""
    if thread is None or thread is threading.main_thread():
        return None
    target = getattr(thread, "_target", None)
    if target is not None and getattr(target, "__name__", "") == "_watch_pipe_fd":
        return "fd"
    for mod in (type(thread).__module__ or "", _module_of(target)):
        if mod.split(".")[0] in KERNEL_PACKAGES or mod.startswith(KERNEL_PACKAGES):
            return "kernel"
    return None


class ThreadInfo:
    """What the agent knows of one thread.  Keyed by identity, never by its reusable ident."""

    __slots__ = (
        "ident", "native_id", "thread", "origin", "kind", "override", "explicit",
        "explicit_stack", "task", "outputs", "nbytes", "last_output", "started", "ended",
        "preexisting", "lgen", "cache", "stats_dirty", "daemon", "role",
    )

    def __init__(self, thread, ident, origin, kind, preexisting=False):
        self.ident = ident
        self.thread = thread
        self.native_id = getattr(thread, "native_id", None)
        self.daemon = bool(getattr(thread, "daemon", False))
        self.origin = origin  # parent header dict or None
        self.kind = kind  # thread | main | unknown
        self.override = None  # per-thread policy set by the user
        self.explicit = None  # header from set_parent / set_thread_parent in this thread
        self.explicit_stack = []
        self.task = None  # header of the pool task running now
        self.outputs = 0
        self.nbytes = 0
        self.last_output = None
        self.started = _now()
        self.ended = None
        self.preexisting = preexisting
        self.lgen = 0  # bumped when something only this thread's decision depends on changes
        self.cache = {}  # stream -> (gen, lgen, name or None, Decision)
        self.stats_dirty = False
        role = thread_role(thread)
        # a kernel-package thread that a cell started (IPython's background jobs) is the user's
        self.role = role if role == "fd" or (role and origin is None) else None

    def name(self):
        try:
            return self.thread.name
        except Exception:
            return "?"

    def tag(self):
        t = {"name": self.name(), "ident": self.ident, "native_id": self.native_id}
        if self.role:
            t["internal"] = True
        return t


class Segment:
    """Consecutive writes of one thread to one stream that share a decision: one message."""

    __slots__ = ("decision", "info", "parts", "live")

    def __init__(self, decision, info):
        self.decision = decision
        self.info = info
        self.parts = []
        self.live = True  # still in the stream's buffer (not yet taken by a flush)


class LineMemory:
    """The decision of each thread's unfinished line on one stream, so that one print() (several
    writes) is not split by a change of route.  A remembered decision holds only within the request
    it was made in (`epoch`): a line left open when a cell ends must not pull the next cell's output
    back into the old one.  Keyed by ThreadInfo, so a thread that ends mid-line cannot hand its route
    to a new thread that the OS gives the same ident.  Each entry is a list [last text written,
    epoch, decision] that the write fast path updates in place."""

    def __init__(self):
        self.open = {}  # ThreadInfo -> [last text, epoch, Decision]

    def get(self, info, epoch):
        e = self.open.get(info)
        if e is not None and e[1] == epoch and e[0] and e[0][-1] != "\n":
            return e[2]
        return None

    def wrote(self, info, epoch, decision, text):
        """Records a write; returns the entry (for the fast path), or None for an empty write."""
        e = self.open.get(info)
        if e is None:
            if not text:
                return None
            e = self.open[info] = [text, epoch, decision]
        elif text:
            e[0] = text
            e[1] = epoch
            e[2] = decision
        return e

    def forget(self, info):
        self.open.pop(info, None)

    def clear(self):
        self.open.clear()


class RoutedStream:
    """Shadows write/flush of one ipykernel OutStream; buffers per (thread, decision)."""

    def __init__(self, agent, stream):
        self.agent = agent
        self.stream = stream
        self.name = stream.name
        self.topic = getattr(stream, "topic", ("stream." + stream.name).encode())
        self.pub_thread = stream.pub_thread
        self.lock = threading.Lock()
        self.segs = []  # Segments in write order
        self.last = {}  # ThreadInfo -> its latest Segment in self.segs
        self.fast = {}  # ident -> (Segment, gen, epoch, lgen, ThreadInfo, context, line entry)
        self.lines = LineMemory()
        self.pending = False
        self.urgent = False
        self.pid = os.getpid()
        self.saved = {k: stream.__dict__[k] for k in ("write", "flush", "writelines") if k in stream.__dict__}
        self.orig_write = stream.write
        self.orig_flush = stream.flush
        self.interval = getattr(stream, "flush_interval", 0.2)

    def install(self):
        s = self.stream
        s.write = self.write
        s.writelines = self.writelines
        s.flush = self.flush

    def uninstall(self):
        s = self.stream
        for k in ("write", "writelines", "flush"):
            if k in self.saved:
                setattr(s, k, self.saved[k])
            else:
                s.__dict__.pop(k, None)
        self.flush()

    def kernel_parent(self):
        try:
            return self.stream.parent_header or {}
        except LookupError:
            return {}

    def write(self, string):
        a = self.agent
        if not a.active or os.getpid() != self.pid or self.stream.pub_thread is None:
            return self.orig_write(string)
        if string.__class__ is not str and not isinstance(string, str):
            raise TypeError(f"write() argument must be str, not {type(string)}")
        echo = getattr(self.stream, "echo", None)
        if echo is not None:
            try:
                echo.write(string)
            except OSError:
                pass
        # Fast path: the thread wrote to this stream's current buffer since the last change that a
        # decision depends on (agent gen and epoch, the thread's lgen, the main thread's context),
        # so the decision stands and the text joins the same message.  What the slow path checks
        # (rules on a renamed thread, threads not seen starting) never gets a fast entry.
        f = self.fast.get(_get_ident())
        if f is not None:
            seg, gen, epoch, lgen, info, cv, tail = f
            if (gen == a.gen and epoch == a.epoch and lgen == info.lgen and (tail is not None or not string)
                    and (cv is _NO_CV or cv is _origin_cv.get())):
                with self.lock:
                    if seg.live:
                        seg.parts.append(string)
                        if string:
                            tail[0] = string
                        return len(string)
        return self._write_slow(string)

    def _write_slow(self, string):
        a = self.agent
        info = a.info_here()
        epoch = a.epoch
        gen = a.gen
        lgen = info.lgen
        d = self.lines.get(info, epoch)
        if d is None:
            d = a.decide(info, self)
        tail = self.lines.wrote(info, epoch, d, string)
        main = info.ident == a.main_ident
        cacheable = not a.rules and info.kind != "unknown" and d.kind != "asyncio"
        with self.lock:
            seg = self.last.get(info)
            if seg is None or seg.decision.key != d.key:
                seg = Segment(d, info)
                self.segs.append(seg)
                self.last[info] = seg
            seg.parts.append(string)
            if cacheable:
                self.fast[info.ident] = (seg, gen, epoch, lgen, info, _origin_cv.get() if main else _NO_CV, tail)
            schedule = not self.pending
            self.pending = True
            urgent = self.urgent
            self.urgent = False
        if urgent:
            self.pub_thread.schedule(self._flush)
        elif schedule:
            pt = self.pub_thread
            pt.schedule(lambda: pt.io_loop.call_later(self.interval, self._flush))
        return len(string)

    def writelines(self, seq):
        for s in seq:
            self.write(s)

    def flush(self):
        if os.getpid() == self.pid:
            pt = self.pub_thread
            th = getattr(pt, "thread", None)
            if th is not None and th.is_alive() and th.ident != _get_ident():
                pt.schedule(self._flush)
                evt = threading.Event()
                pt.schedule(evt.set)
                if not evt.wait(getattr(self.stream, "flush_timeout", 10)):
                    print("bobbin agent: flush timed out", file=sys.__stderr__)
            else:
                self._flush()
        # The stream's own flush is a second trip through the IOPub thread. It is kept although
        # the first did the work: the sends our flush queued get that much longer to leave, and
        # a process that exits right after flush() (os._exit) keeps its last line as stock
        # ipykernel does (one trip lost it 4 times in 12; two, 0 in 24; stock, 0 in 20).
        return self.orig_flush()

    def _flush(self):
        with self.lock:
            segs = self.segs
            self.segs = []
            self.last = {}
            self.fast = {}
            self.pending = False
            for seg in segs:
                seg.live = False
        if not segs:
            return
        a = self.agent
        now = _now()
        for seg in segs:
            text = "".join(seg.parts)
            if not text:
                continue
            d = seg.decision
            info = seg.info
            md = a.meta(info, d)
            a.send(self.pub_thread, "stream", {"name": self.name, "text": text}, d.route, md, self.topic)
            info.outputs += 1
            info.nbytes += len(text)
            info.last_output = now
            a.output_counted(info)


class Agent:
    def __init__(self, shell, kernel, msg_header):
        self.version = VERSION
        self.active = False
        self.shell = shell
        self.kernel = kernel
        self.msg_header = msg_header
        self.session = kernel.session
        self.lock = threading.RLock()
        self.tls = threading.local()
        self.gen = 0  # bumped on any change a cached decision may depend on
        self.epoch = 0  # bumped on every shell request: open lines do not outlive their request
        self.default = "kernel"
        self.rules = []  # [pattern, policy]
        self.threads = {}  # ident -> ThreadInfo (live, or the latest with that ident)
        self.dead = []  # ThreadInfos of ended threads, oldest first
        self.headers = {}  # msg_id -> header of shell requests seen (bounded)
        self.shell_hdr = None  # the request the kernel handles now / handled last
        self.latest_hdr = None  # latest non-silent execute_request
        self.exec_hdr = None  # the non-silent execute_request running now
        self.main_ident = threading.main_thread().ident
        self.comms = {}  # comm_id -> comm_open header
        self.events = []
        self.events_pending = False
        self.stats_pending = False
        self.streams = []
        self.undo = []  # callables restoring what install() changed
        self.pid = os.getpid()
        self.pub_thread = None
        self.dp = None

    # ---------------------------------------------------------------- installing
    def install(self, state=None):
        if state:
            self.import_state(state)
        for t in threading.enumerate():
            if t.ident is not None and t.ident not in self.threads:
                main = t.ident == self.main_ident
                self.threads[t.ident] = ThreadInfo(
                    t, t.ident, None, "main" if main else "unknown", preexisting=not main
                )
        self.active = True
        self._patch_kernel()
        self._patch_threads()
        self._patch_streams()
        self._patch_display()
        kernel = self.kernel
        kernel.control_handlers[REQ_TYPE] = self.handle_request
        self.undo.append(lambda: kernel.control_handlers.pop(REQ_TYPE, None))
        try:
            kernel.comm_manager.register_target(COMM_TARGET, self.comm_opened)
            self.undo.append(lambda: kernel.comm_manager.unregister_target(COMM_TARGET, self.comm_opened))
        except Exception:
            pass
        # the install request itself is the current shell request: remember it, not as a cell
        try:
            p = kernel.get_parent("shell")
            if p and p.get("header"):
                self.shell_hdr = dict(p["header"])
        except Exception:
            pass

    def uninstall(self):
        """Restore everything; flush what is buffered; return the state for a successor."""
        with self.lock:
            state = self.export_state()
            self.active = False
        for fn in reversed(self.undo):
            try:
                fn()
            except Exception:
                pass
        self.undo = []
        return state

    def export_state(self):
        return {
            "version": VERSION,
            "default": self.default,
            "rules": [list(r) for r in self.rules],
            "latest_hdr": self.latest_hdr,
            "exec_hdr": self.exec_hdr,
            "shell_hdr": self.shell_hdr,
            "comms": dict(self.comms),
            "threads": [
                {
                    "thread": i.thread, "ident": i.ident, "origin": i.origin, "kind": i.kind,
                    "override": i.override, "explicit": i.explicit, "outputs": i.outputs,
                    "nbytes": i.nbytes, "last_output": i.last_output, "started": i.started,
                    "ended": i.ended, "preexisting": i.preexisting,
                }
                for i in self.threads.values()
            ],
        }

    def import_state(self, st):
        self.default = st.get("default", "kernel")
        self.rules = [list(r) for r in st.get("rules", [])]
        self.latest_hdr = st.get("latest_hdr")
        self.exec_hdr = st.get("exec_hdr")
        self.shell_hdr = st.get("shell_hdr")
        self.comms = dict(st.get("comms", {}))
        for d in st.get("threads", []):
            i = ThreadInfo(d["thread"], d["ident"], d["origin"], d["kind"], d.get("preexisting", False))
            for k in ("override", "explicit", "outputs", "nbytes", "last_output", "started", "ended"):
                setattr(i, k, d.get(k, getattr(i, k)))
            self.threads[i.ident] = i
            if i.ended is not None:
                self.dead.append(i)

    def _set_attr(self, obj, name, value):
        had = name in obj.__dict__
        old = obj.__dict__.get(name)
        setattr(obj, name, value)

        def undo():
            if obj.__dict__.get(name) is value:
                if had:
                    setattr(obj, name, old)
                else:
                    try:
                        delattr(obj, name)
                    except AttributeError:
                        pass

        self.undo.append(undo)

    def _patch_kernel(self):
        agent = self
        kernel = self.kernel
        shell = self.shell
        k_set_parent = kernel.set_parent

        def set_parent(ident, parent, channel="shell"):
            if agent.active and channel == "shell":
                agent.on_request(parent)
            tls = agent.tls
            tls.in_kernel = True
            try:
                return k_set_parent(ident, parent, channel)
            finally:
                tls.in_kernel = False
                agent.bump()  # the kernel's own parent changed only now

        self._set_attr(kernel, "set_parent", set_parent)

        s_set_parent = shell.set_parent

        def shell_set_parent(parent):
            explicit = agent.active and not getattr(agent.tls, "in_kernel", False)
            if explicit:
                agent.on_explicit(parent)
            try:
                return s_set_parent(parent)
            finally:
                if explicit:
                    agent.bump()

        self._set_attr(shell, "set_parent", shell_set_parent)

        if hasattr(shell, "set_thread_parent"):
            s_set_tp = shell.set_thread_parent
            s_reset_tp = shell.reset_thread_parent

            def set_thread_parent(parent):
                token = s_set_tp(parent)
                if agent.active:
                    agent.on_explicit(parent, push=True)
                return token

            def reset_thread_parent(token):
                r = s_reset_tp(token)
                if agent.active:
                    agent.on_explicit_reset()
                return r

            self._set_attr(shell, "set_thread_parent", set_thread_parent)
            self._set_attr(shell, "reset_thread_parent", reset_thread_parent)

        handlers = kernel.shell_handlers
        orig_exec = handlers.get("execute_request")
        if orig_exec is not None:

            def execute_request(stream, ident, parent):
                content = parent.get("content") or {}
                cell = agent.active and not content.get("silent", False)
                hdr = parent.get("header")
                if cell:
                    agent.exec_start(hdr)
                try:
                    r = orig_exec(stream, ident, parent)
                except BaseException:
                    if cell:
                        agent.exec_end(hdr)
                    raise
                if cell and inspect.isawaitable(r):

                    async def waiter():
                        try:
                            return await r
                        finally:
                            agent.exec_end(hdr)

                    return waiter()
                if cell:
                    agent.exec_end(hdr)
                return r

            handlers["execute_request"] = execute_request

            def undo_exec():
                if handlers.get("execute_request") is execute_request:
                    handlers["execute_request"] = orig_exec

            self.undo.append(undo_exec)

    def _patch_threads(self):
        agent = self
        T = threading.Thread
        orig_start = T.start
        orig_boot = T._bootstrap_inner

        def start(thread):
            if agent.active:
                try:
                    agent.on_start(thread)
                except Exception:
                    pass
            return orig_start(thread)

        def _bootstrap_inner(thread):
            info = None
            if agent.active:
                try:
                    info = agent.on_begin(thread)
                except Exception:
                    info = None
            try:
                orig_boot(thread)
            finally:
                if info is not None:
                    try:
                        agent.on_end(info)
                    except Exception:
                        pass

        T.start = start
        T._bootstrap_inner = _bootstrap_inner

        def undo_threads():
            if T.__dict__.get("start") is start:
                T.start = orig_start
            if T.__dict__.get("_bootstrap_inner") is _bootstrap_inner:
                T._bootstrap_inner = orig_boot

        self.undo.append(undo_threads)

        E = cft.ThreadPoolExecutor
        orig_submit = E.submit

        def submit(executor, fn, /, *args, **kwargs):
            if not agent.active:
                return orig_submit(executor, fn, *args, **kwargs)
            origin = agent.origin_here()[0]

            def bobbin_task(*a, **kw):
                if not agent.active:
                    return fn(*a, **kw)
                info = agent.info_here()
                prev = info.task
                info.task = origin
                info.lgen += 1
                try:
                    return fn(*a, **kw)
                finally:
                    info.task = prev
                    info.lgen += 1

            return orig_submit(executor, bobbin_task, *args, **kwargs)

        E.submit = submit

        def undo_pool():
            if E.__dict__.get("submit") is submit:
                E.submit = orig_submit

        self.undo.append(undo_pool)

    def _patch_streams(self):
        for s in (sys.stdout, sys.stderr):
            if s is None or not hasattr(s, "pub_thread") or not hasattr(s, "session"):
                continue
            if getattr(s.write, "__self__", None).__class__.__name__ == "RoutedStream":
                continue  # still shadowed by an agent that failed to uninstall: leave it
            rs = RoutedStream(self, s)
            rs.install()
            self.streams.append(rs)
            self.undo.append(rs.uninstall)
            if self.pub_thread is None:
                self.pub_thread = s.pub_thread

    def _patch_display(self):
        agent = self
        dp = getattr(self.shell, "display_pub", None)
        if dp is None or not hasattr(dp, "register_hook"):
            return
        self.dp = dp
        orig_publish = dp.publish

        def publish(*a, **kw):
            if agent.active:
                agent.prepare_display()
            return orig_publish(*a, **kw)

        self._set_attr(dp, "publish", publish)
        orig_clear = dp.clear_output

        def clear_output(wait=False):
            if not agent.active:
                return orig_clear(wait)
            agent.prepare_display()
            try:
                dp._flush_streams()
            except Exception:
                pass
            try:
                kp = dp.parent_header
            except LookupError:
                kp = {}
            info = agent.info_here()
            d = agent.decide(info, None, kp)
            agent.send(dp.pub_socket, "clear_output", {"wait": wait}, d.route, agent.meta(info, d), dp.topic)

        self._set_attr(dp, "clear_output", clear_output)

    # ---------------------------------------------------------------- tracking
    def on_request(self, parent):
        hdr = parent.get("header") if parent else None
        if not hdr:
            return
        hdr = dict(hdr)
        with self.lock:
            self.shell_hdr = hdr
            mid = hdr.get("msg_id")
            if mid:
                self.headers[mid] = hdr
                if len(self.headers) > MAX_HEADERS:
                    for k in list(self.headers)[: MAX_HEADERS // 4]:
                        del self.headers[k]
            content = parent.get("content") or {}
            if hdr.get("msg_type") == "execute_request" and not content.get("silent", False):
                self.latest_hdr = hdr
                _origin_cv.set(hdr)
            main = self.threads.get(self.main_ident)
            if main is not None and _get_ident() == self.main_ident:
                main.explicit = None
                main.explicit_stack = []
            self.epoch += 1
            self.gen += 1

    def bump(self):
        with self.lock:
            self.gen += 1

    def exec_start(self, hdr):
        with self.lock:
            self.exec_hdr = dict(hdr) if hdr else None
            self.epoch += 1
            self.gen += 1

    def exec_end(self, hdr):
        with self.lock:
            if self.exec_hdr is not None and hdr and self.exec_hdr.get("msg_id") == hdr.get("msg_id"):
                self.exec_hdr = None
                self.epoch += 1
                self.gen += 1

    def on_explicit(self, parent, push=False):
        hdr = parent.get("header", parent) if isinstance(parent, dict) else None
        info = self.info_here()
        with self.lock:
            if push:
                info.explicit_stack.append(info.explicit)
            info.explicit = dict(hdr) if hdr else None
            info.lgen += 1
            self.gen += 1

    def on_explicit_reset(self):
        info = self.info_here()
        with self.lock:
            info.explicit = info.explicit_stack.pop() if info.explicit_stack else None
            info.lgen += 1
            self.gen += 1

    def on_start(self, thread):
        origin = self.origin_here()[0]
        try:
            setattr(thread, ORIGIN_ATTR, origin)
        except Exception:
            pass

    def on_begin(self, thread):
        ident = _get_ident()
        origin = getattr(thread, ORIGIN_ATTR, None)
        info = ThreadInfo(thread, ident, origin, "thread")
        info.native_id = threading.get_native_id()
        with self.lock:
            self.threads[ident] = info
            self.gen += 1
        self.emit({"event": "thread_started", "thread": self.thread_entry(info)})
        return info

    def on_end(self, info):
        with self.lock:
            info.ended = _now()
            info.override = None  # a per-thread override dies with its thread
            self.dead.append(info)
            while len(self.dead) > MAX_DEAD:
                old = self.dead.pop(0)
                if self.threads.get(old.ident) is old:
                    del self.threads[old.ident]
            self.gen += 1
        for rs in self.streams:
            rs.lines.forget(info)
        self.emit({"event": "thread_ended", "thread": self.thread_entry(info)})

    def info_here(self):
        ident = _get_ident()
        info = self.threads.get(ident)
        if info is not None and info.ended is None:
            if info.kind != "unknown" or info.thread is threading.current_thread():
                return info
        # a thread we did not see start: started before the agent, or by _thread directly
        t = threading.current_thread()
        main = ident == self.main_ident
        info = ThreadInfo(t, ident, None, "main" if main else "unknown")
        info.native_id = threading.get_native_id()
        with self.lock:
            self.threads[ident] = info
        return info

    def origin_here(self):
        """(origin header, kind) of the code running in this thread now."""
        return self.origin_of(self.info_here())

    def origin_of(self, info):
        if info.explicit is not None:
            return info.explicit, "explicit"
        if info.task is not None:
            return info.task, "pool"
        if info.ident == self.main_ident:
            v = _origin_cv.get()
            if v is not None:
                ex = self.exec_hdr
                if (ex is None or v.get("msg_id") != ex.get("msg_id")) and running_task() is not None:
                    return v, "asyncio"
            return self.shell_hdr, "main"
        if info.role == "fd":
            return info.origin, "fd"
        return info.origin, info.kind

    def policy_of(self, info, kind):
        return policy_for(info.override, self.rules, info.name() if self.rules else "", kind, self.default)

    def decide(self, info, rs, kernel_parent=None):
        """The Decision for output written now by `info`'s thread to stream `rs` (None: display)."""
        gen = self.gen
        lgen = info.lgen
        main = info.ident == self.main_ident
        # a renamed thread may match other rules: the name is part of the cache key when rules exist
        name = info.name() if self.rules else None
        cv = _origin_cv.get() if main else None
        if rs is not None:
            c = info.cache.get(rs)
            if c is not None and c[0] == gen and c[1] == lgen and c[2] == name and c[3] is cv:
                return c[4]
        origin, kind = self.origin_of(info)
        pol = self.policy_of(info, kind)
        route = route_for(pol, origin, self.exec_hdr, self.latest_hdr)
        if route is None:
            pol = "kernel"
            route = kernel_parent if rs is None else rs.kernel_parent()
        res = Decision((hdr_id(route), pol, hdr_id(origin), kind), route, origin, kind, pol)
        # the main thread's kernel parent can change inside an asyncio task without a bump
        if rs is not None and not (main and kind == "asyncio"):
            info.cache[rs] = (gen, lgen, name, cv, res)
        return res

    def meta(self, info, d):
        m = {"thread": info.tag(), "origin_kind": d.kind, "policy": d.policy}
        oid = hdr_id(d.origin)
        if oid:
            m["origin"] = oid
        rid = hdr_id(d.route)
        if rid:
            m["routed_to"] = rid
        return {"bobbin": m}

    def send(self, dest, msg_type, content, parent, metadata, topic):
        sess = self.session
        hdr = self.msg_header(uuid.uuid4().hex, msg_type, sess.username, sess.session)
        msg = {
            "header": hdr,
            "msg_id": hdr["msg_id"],
            "msg_type": msg_type,
            "parent_header": parent or {},
            "content": content,
            "metadata": metadata,
        }
        if os.getpid() == self.pid:
            sess.pid = self.pid
        sess.send(dest, msg, ident=topic)

    # ---------------------------------------------------------------- display
    def prepare_display(self):
        tls = self.tls
        dp = self.dp
        if not getattr(tls, "hooked", False):
            dp.register_hook(self.display_hook)
            tls.hooked = True
        # ipykernel 7.0.x: a thread has no display parent at all (LookupError); give it the
        # one its streams get there: the origin cell
        try:
            dp.parent_header
        except LookupError:
            cv = getattr(dp, "_parent_header", None)
            if isinstance(cv, contextvars.ContextVar):
                cv.set(self.origin_here()[0] or self.latest_hdr or {})

    def display_hook(self, msg):
        if not self.active:
            return msg
        try:
            info = self.info_here()
            d = self.decide(info, None, msg.get("parent_header") or {})
            msg["parent_header"] = d.route or {}
            md = msg.get("metadata")
            if md is None:
                md = msg["metadata"] = {}
            md.update(self.meta(info, d))
            mid = uuid.uuid4().hex
            msg["header"]["msg_id"] = mid
            msg["msg_id"] = mid
            info.outputs += 1
            info.last_output = _now()
            self.output_counted(info)
        except Exception:
            pass
        return msg

    # ---------------------------------------------------------------- events and requests
    def thread_entry(self, info):
        origin, kind = (info.origin, info.kind)
        if info.explicit is not None:
            origin, kind = info.explicit, "explicit"
        if info.ident == self.main_ident:
            origin = self.shell_hdr
        e = {
            "ident": info.ident,
            "native_id": info.native_id,
            "name": info.name(),
            "alive": info.ended is None
            and (info.ident == _get_ident() or bool(getattr(info.thread, "is_alive", lambda: True)())),
            "daemon": info.daemon,
            "origin": hdr_id(origin),
            "origin_kind": kind,
            "pool_task": hdr_id(info.task),
            "policy": policy_for(info.override, self.rules, info.name(), kind, self.default),
            "override": info.override,
            "outputs": info.outputs,
            "bytes": info.nbytes,
            "last_output": info.last_output,
            "started": info.started,
            "ended": info.ended,
            "preexisting": info.preexisting,
            "internal": info.role is not None,
        }
        if info.role:
            e["role"] = info.role
        return e

    def state(self):
        with self.lock:
            threads = [self.thread_entry(i) for i in list(self.threads.values())]
            try:
                import ipykernel

                kv = ipykernel.__version__
            except Exception:
                kv = None
            return {
                "agent_version": VERSION,
                "protocol_version": PROTOCOL,
                "kernel_version": kv,
                "default": self.default,
                "rules": [{"pattern": p, "policy": q} for p, q in self.rules],
                "threads": threads,
                "current": hdr_id(self.exec_hdr or self.latest_hdr),
                "executing": self.exec_hdr is not None,
                "policies": list(POLICIES),
                "features": {
                    "set_thread_parent": hasattr(self.shell, "set_thread_parent"),
                    "asyncio": True,
                    "pool_tasks": True,
                },
            }

    def apply(self, c):
        op = c.get("op")
        pol = c.get("policy")
        with self.lock:
            if op == "get":
                return None
            if op == "set_default":
                check_policy(pol)
                self.default = pol
            elif op in ("set_thread", "clear_thread"):
                ident = c.get("ident")
                if not isinstance(ident, int) or isinstance(ident, bool):
                    raise ValueError("ident must be an integer")
                info = self.threads.get(ident)
                if info is None:
                    raise ValueError(f"no thread with ident {ident}")
                if info.ended is not None:
                    raise ValueError(f"thread {info.name()!r} ({ident}) has ended")
                if op == "set_thread":
                    check_policy(pol)
                    info.override = pol
                else:
                    info.override = None
                info.lgen += 1
            elif op == "add_rule":
                check_policy(pol)
                pat = c.get("pattern")
                if not isinstance(pat, str) or not pat:
                    raise ValueError("pattern must be a non-empty string")
                for r in self.rules:
                    if r[0] == pat:
                        r[1] = pol
                        break
                else:
                    self.rules.append([pat, pol])
            elif op == "remove_rule":
                pat = c.get("pattern")
                n = len(self.rules)
                self.rules = [r for r in self.rules if r[0] != pat]
                if len(self.rules) == n:
                    raise ValueError(f"no rule with pattern {pat!r}")
            elif op == "reset":
                self.default = "kernel"
                self.rules = []
                for i in self.threads.values():
                    i.override = None
                    i.lgen += 1
            else:
                raise ValueError(f"unknown op {op!r}")
            self.gen += 1
            for rs in self.streams:
                rs.urgent = True
            return op

    def request(self, content):
        """Apply one request's content; returns the reply content (status, state)."""
        changed = None
        try:
            changed = self.apply(content)
            reply = {"status": "ok"}
        except Exception as e:
            reply = {"status": "error", "ename": type(e).__name__, "evalue": str(e)}
        reply["state"] = self.state()
        return reply, changed

    def handle_request(self, stream, idents, msg):
        reply, changed = self.request(msg.get("content") or {})
        parent = msg.get("header") or {}
        sess = self.session
        hdr = self.msg_header(uuid.uuid4().hex, REPLY_TYPE, sess.username, sess.session)
        out = {"header": hdr, "msg_id": hdr["msg_id"], "msg_type": REPLY_TYPE,
               "parent_header": parent, "content": reply, "metadata": {}}
        sess.send(stream, out, ident=idents)
        if changed:
            self.emit({"event": "policy_changed", "op": changed, "request": parent.get("msg_id"),
                       "state": reply["state"]})

    def comm_opened(self, comm, msg):
        hdr = dict(msg.get("header") or {})
        self.comms[comm.comm_id] = hdr

        def closed(_msg=None, cid=comm.comm_id):
            self.comms.pop(cid, None)

        try:
            comm.on_close(closed)
        except Exception:
            pass
        self.emit({"event": "hello", "state": self.state()})

    def emit(self, ev):
        if not self.comms or self.pub_thread is None:
            return
        ev["time"] = _now()
        with self.lock:
            self.events.append(ev)
            if self.events_pending:
                return
            self.events_pending = True
        pt = self.pub_thread
        pt.schedule(lambda: pt.io_loop.call_later(EVENT_DELAY, self._send_events))

    def _send_events(self):
        with self.lock:
            evs = self.events
            self.events = []
            self.events_pending = False
        if len(evs) > 100:  # a flood of thread starts: one resync instead
            evs = [{"event": "state", "time": _now(), "state": self.state()}]
        for cid, hdr in list(self.comms.items()):
            for ev in evs:
                try:
                    self.send(self.kernel.iopub_socket, "comm_msg", {"comm_id": cid, "data": ev},
                              hdr, {}, ("comm-" + cid).encode("ascii"))
                except Exception:
                    pass

    def output_counted(self, info):
        if not self.comms:
            return
        info.stats_dirty = True
        if self.stats_pending or self.pub_thread is None:
            return
        self.stats_pending = True
        pt = self.pub_thread
        pt.schedule(lambda: pt.io_loop.call_later(STATS_DELAY, self._send_stats))

    def _send_stats(self):
        self.stats_pending = False
        rows = []
        for i in list(self.threads.values()):
            if i.stats_dirty:
                i.stats_dirty = False
                rows.append({"ident": i.ident, "outputs": i.outputs, "bytes": i.nbytes,
                             "last_output": i.last_output})
        if rows:
            self.emit({"event": "stats", "threads": rows})


# -------------------------------------------------------------------- install or find
def registry():
    reg = sys.modules.get(REG)
    if reg is None:
        reg = types.ModuleType(REG, "bobbin routing agent registry (see docs/routing-protocol.md)")
        reg.agent = None
        reg.version = 0
        sys.modules[REG] = reg
    return reg


def current():
    """The active agent in this process (of any version), or None."""
    a = getattr(sys.modules.get(REG), "agent", None)
    return a if a is not None and getattr(a, "active", False) else None


def install(shell=None):
    """Install the agent into an ipykernel shell (default: the running one); returns the active
    agent, or None when this is not an ipykernel (nothing is changed then)."""
    try:
        from jupyter_client.session import msg_header
    except Exception:
        return None
    if shell is None:
        try:
            from IPython import get_ipython
        except Exception:
            return None
        shell = get_ipython()
    kernel = getattr(shell, "kernel", None)
    if kernel is None or not hasattr(kernel, "control_handlers"):
        return None  # not an ipykernel (or an embedded shell): nothing to do
    reg = registry()
    old = current()
    if old is not None and getattr(old, "version", 0) >= VERSION:
        return old  # already installed (this version or newer)
    state = None
    if old is not None:
        try:
            state = old.uninstall()
        except Exception:
            state = None
    agent = Agent(shell, kernel, msg_header)
    try:
        agent.install(state)
    except Exception:
        agent.uninstall()
        raise
    reg.agent = agent
    reg.version = VERSION
    return agent


# -------------------------------------------------------------------- IPython extension
def _describe(state):
    rules = ", ".join(f"{r['pattern']}={r['policy']}" for r in state["rules"]) or "none"
    return f"routing: default {state['default']}; rules: {rules}"


def routing_magic(line):
    """%routing [POLICY]: show, or set, the kernel-wide routing policy."""
    a = current()
    if a is None:
        return "routing: the bobbin agent is not installed in this kernel"
    pol = line.strip()
    if pol:
        reply, _ = a.request({"op": "set_default", "policy": pol})
        if reply["status"] != "ok":
            return f"routing: {reply['evalue']}"
    return _describe(a.state())


def route_magic(line):
    """%route PATTERN=POLICY adds a rule for thread names; %route -PATTERN removes it; %route lists."""
    a = current()
    if a is None:
        return "route: the bobbin agent is not installed in this kernel"
    arg = line.strip()
    if arg.startswith("-") and len(arg) > 1:
        req = {"op": "remove_rule", "pattern": arg[1:]}
    elif "=" in arg:
        pat, pol = arg.rsplit("=", 1)
        req = {"op": "add_rule", "pattern": pat.strip(), "policy": pol.strip()}
    elif arg:
        return "route: usage: %route PATTERN=POLICY | %route -PATTERN | %route"
    else:
        req = {"op": "get"}
    reply, _ = a.request(req)
    if reply["status"] != "ok":
        return f"route: {reply['evalue']}"
    return _describe(reply["state"])


def load_ipython_extension(ip):
    """`%load_ext bobbin_agent`: install the agent and register %routing and %route."""
    if install(ip) is None:
        print("bobbin_agent: not an ipykernel kernel; routing needs ipykernel", file=sys.stderr)
        return
    for fn, name in ((routing_magic, "routing"), (route_magic, "route")):
        ip.register_magic_function(lambda line, fn=fn: print(fn(line)), "line", name)


def unload_ipython_extension(ip):
    a = current()
    if a is not None:
        a.uninstall()
        reg = registry()
        reg.agent = None
        reg.version = 0
