"""Drive a real ipykernel through jupyter_client to check bobbin's routing agent.

Dev tool (run with Debian's /usr/bin/python3).  Environment:
  BOBBIN_IPYKERNEL_SRC  a checkout of ipykernel (e.g. tag v7.3.0) to run instead of Debian's 6.17;
                        tests/agent/shim/ is put on PYTHONPATH with it (pyzmq 24 shim, see
                        shim/sitecustomize.py)
"""
import os
import queue
import sys
import time
import uuid

from jupyter_client.manager import KernelManager

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
AGENT = os.path.join(ROOT, "kernelclient", "agents", "bobbin_agent.py")


def agent_source():
    with open(AGENT) as f:
        return f.read()


def agent_install_code(src=None):
    """The silent execute that installs the agent, as scripts/embed_agent.sh builds it for bobbin."""
    src = agent_source() if src is None else src
    return ("(lambda m: (exec(compile(%r, 'bobbin_agent.py', 'exec'), m.__dict__), m.install()) and None)"
            "(__import__('types').ModuleType('bobbin_agent'))" % src)


class Kernel:
    """One kernel, one client; every iopub message is kept in self.msgs with its arrival time."""

    def __init__(self, agent=True, path=()):
        env = dict(os.environ)
        src = os.environ.get("BOBBIN_IPYKERNEL_SRC")
        paths = list(path)
        if src:
            paths += [src, os.path.join(HERE, "shim")]
        if paths:
            env["PYTHONPATH"] = os.pathsep.join(paths)
        env.pop("PYTEST_CURRENT_TEST", None)
        env["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"
        self.km = KernelManager(kernel_cmd=[sys.executable, "-Xfrozen_modules=off", "-m", "ipykernel_launcher", "-f", "{connection_file}"])
        self.km.start_kernel(env=env)
        self.kc = self.km.client()
        self.kc.start_channels()
        self.kc.wait_for_ready(timeout=60)
        self.msgs = []  # (arrival time, msg)
        self.idle = {}  # msg_id -> arrival time of its idle
        self.drain(0.3)
        self.agent = False
        if agent:
            self.install()

    def close(self):
        try:
            self.kc.stop_channels()
        finally:
            self.km.shutdown_kernel(now=True)

    # -- iopub
    def _take(self, timeout):
        try:
            m = self.kc.get_iopub_msg(timeout=timeout)
        except queue.Empty:
            return None
        t = time.time()
        self.msgs.append((t, m))
        if m["msg_type"] == "status" and m["content"]["execution_state"] == "idle":
            self.idle[m["parent_header"].get("msg_id")] = t
        return m

    def drain(self, seconds):
        end = time.time() + seconds
        while True:
            left = end - time.time()
            if left <= 0:
                return
            self._take(left)

    def wait_idle(self, msg_id, timeout=60):
        end = time.time() + timeout
        while msg_id not in self.idle:
            if time.time() > end:
                raise TimeoutError(f"no idle for {msg_id}")
            self._take(0.05)

    # -- shell
    def execute(self, code, wait=True, **kw):
        mid = self.kc.execute(code, **kw)
        if wait:
            self.wait_idle(mid)
            self.reply(mid)
        return mid

    def reply(self, msg_id, timeout=30):
        end = time.time() + timeout
        while True:
            m = self.kc.get_shell_msg(timeout=max(0.01, end - time.time()))
            if m["parent_header"].get("msg_id") == msg_id:
                if m["content"].get("status") != "ok":
                    raise RuntimeError(f"execute failed: {m['content']}")
                return m

    def install(self):
        mid = self.execute(agent_install_code(), silent=True, store_history=False)
        self.agent = True
        return mid

    # -- control
    def routing(self, op, **content):
        content["op"] = op
        msg = self.kc.session.msg("bobbin_routing_request", content)
        self.kc.control_channel.send(msg)
        mid = msg["header"]["msg_id"]
        end = time.time() + 10
        while time.time() < end:
            try:
                r = self.kc.get_control_msg(timeout=0.05)
            except queue.Empty:
                continue
            if r["parent_header"].get("msg_id") == mid:
                assert r["msg_type"] == "bobbin_routing_reply", r["msg_type"]
                return r["content"]
        raise TimeoutError("no bobbin_routing_reply")

    # -- results
    def outputs(self, types=("stream", "display_data", "update_display_data")):
        return [(t, m) for t, m in self.msgs if m["msg_type"] in types]

    def lines(self, marker):
        """[(text line, parent msg_id, bobbin metadata, msg)] for stream lines containing marker."""
        out = []
        partial = {}  # (parent, stream, thread) -> (text of an unfinished line, its first message)
        for _t, m in self.outputs(("stream",)):
            md = m["metadata"].get("bobbin") or {}
            key = (m["parent_header"].get("msg_id"), m["content"]["name"], (md.get("thread") or {}).get("ident"))
            head, first = partial.pop(key, ("", m))
            text = head + m["content"]["text"]
            lines = text.split("\n")
            if lines[-1]:
                partial[key] = (lines[-1], m if len(lines) > 1 else first)
            for j, ln in enumerate(lines[:-1]):
                src = first if j == 0 else m
                if marker in ln:
                    out.append((ln, src["parent_header"].get("msg_id"), src["metadata"].get("bobbin"), src))
        for (parent, _n, _i), (ln, src) in partial.items():
            if marker in ln:
                out.append((ln, parent, src["metadata"].get("bobbin"), src))
        return out

    def thread_ident(self, name):
        st = self.routing("get")["state"]
        for t in st["threads"]:
            if t["name"] == name and t["alive"]:
                return t["ident"]
        raise KeyError(name)


def kernel_version():
    src = os.environ.get("BOBBIN_IPYKERNEL_SRC")
    if src:
        ns = {}
        with open(os.path.join(src, "ipykernel", "_version.py")) as f:
            exec(f.read(), ns)
        return ns["__version__"]
    import ipykernel

    return ipykernel.__version__


def vtuple(v):
    out = []
    for p in v.split(".")[:3]:
        n = "".join(c for c in p if c.isdigit())
        out.append(int(n) if n else 0)
    return tuple(out)


def new_id():
    return uuid.uuid4().hex
