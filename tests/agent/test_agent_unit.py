# SPDX-License-Identifier: GPL-3.0-or-later
"""Unit tests of the routing agent's pieces (no kernel): run with Debian's python3-pytest,
`/usr/bin/python3 -m pytest tests/agent/test_agent_unit.py` (tests/run.sh does, through
tests/agent/pytest_tap.sh).  The agent in a live kernel is tests/agent/test_scenarios.py."""
import os
import sys
import threading
import types

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "kernelclient", "agents"))
import bobbin_agent as ba  # noqa: E402

C1 = {"msg_id": "c1", "msg_type": "execute_request"}
C2 = {"msg_id": "c2", "msg_type": "execute_request"}


def started(target=None, name=None):
    """A real thread, started and joined, so it has an ident."""
    t = threading.Thread(target=target or (lambda: None), name=name)
    t.start()
    t.join()
    return t


# ---------------------------------------------------------------- policies and routes
def test_policy_precedence():
    rules = [["pool-*", "current"], ["*", "origin"]]
    assert ba.policy_for("auto", rules, "pool-1", "thread", "kernel") == "auto"  # override wins
    assert ba.policy_for(None, rules, "pool-1", "thread", "kernel") == "current"  # first rule
    assert ba.policy_for(None, rules, "other", "explicit", "kernel") == "origin"  # rule over explicit
    assert ba.policy_for(None, [], "other", "explicit", "kernel") == "explicit"
    assert ba.policy_for(None, [], "other", "thread", "auto") == "auto"


def test_rules_are_case_sensitive_globs():
    assert ba.policy_for(None, [["Tick*", "current"]], "ticker", "thread", "kernel") == "kernel"
    assert ba.policy_for(None, [["tick?r", "current"]], "ticker", "thread", "kernel") == "current"


@pytest.mark.parametrize("policy,exec_hdr,want", [
    ("origin", C2, C1), ("explicit", C2, C1),
    ("current", C2, C2), ("current", None, "latest"),
    ("auto", C2, C2), ("auto", None, C1),
    ("kernel", C2, None),
])
def test_route_for(policy, exec_hdr, want):
    latest = {"msg_id": "latest"}
    got = ba.route_for(policy, C1, exec_hdr, latest)
    assert (got and got["msg_id"]) == (want["msg_id"] if isinstance(want, dict) else want)


def test_route_without_origin_falls_to_kernel():
    assert ba.route_for("origin", None, C2, C2) is None
    assert ba.route_for("auto", None, None, C2) is None


def test_check_policy():
    ba.check_policy("auto")
    with pytest.raises(ValueError, match="unknown policy 'nope'"):
        ba.check_policy("nope")


# ---------------------------------------------------------------- thread roles
def _ipykernel_like_target():
    pass


def test_thread_roles():
    # judged before the thread runs (Thread.run drops its target when it returns), as the agent does
    assert ba.thread_role(threading.main_thread()) is None
    assert ba.thread_role(threading.Thread(name="user")) is None
    _ipykernel_like_target.__module__ = "ipykernel.heartbeat"
    try:
        assert ba.thread_role(threading.Thread(target=_ipykernel_like_target)) == "kernel"
    finally:
        _ipykernel_like_target.__module__ = __name__

    class Watcher:
        def _watch_pipe_fd(self):
            pass

    assert ba.thread_role(threading.Thread(target=Watcher()._watch_pipe_fd)) == "fd"

    class HistorySaver(threading.Thread):
        pass

    HistorySaver.__module__ = "IPython.core.history"
    t = HistorySaver()
    assert ba.thread_role(t) == "kernel"


def test_kernel_package_thread_started_by_a_cell_is_the_users():
    def job():
        pass

    job.__module__ = "IPython.lib.backgroundjobs"
    t = threading.Thread(target=job)
    assert ba.ThreadInfo(t, 7, None, "unknown").role == "kernel"
    assert ba.ThreadInfo(t, 7, C1, "thread").role is None
    assert ba.ThreadInfo(t, 7, None, "unknown").tag()["internal"] is True
    assert "internal" not in ba.ThreadInfo(t, 7, C1, "thread").tag()


# ---------------------------------------------------------------- unfinished lines
def test_line_memory_holds_within_its_request():
    mem = ba.LineMemory()
    t = started()
    info = ba.ThreadInfo(t, t.ident, None, "main")
    d = ba.Decision(("c1", "kernel", None, "main"), C1, None, "main", "kernel")
    mem.wrote(info, 1, d, "A")
    assert mem.get(info, 1) is d
    assert mem.get(info, 2) is None  # a new request: the line does not pull output back
    mem.wrote(info, 1, d, "rest\n")
    assert mem.get(info, 1) is None  # the line ended
    mem.wrote(info, 1, d, "")
    assert mem.get(info, 1) is None  # an empty write opens nothing


def test_line_memory_is_per_thread_object_not_ident():
    mem = ba.LineMemory()
    old = started()
    a = ba.ThreadInfo(old, old.ident, C1, "thread")
    d = ba.Decision(("c1", "origin", "c1", "thread"), C1, C1, "thread", "origin")
    mem.wrote(a, 5, d, "half a line")
    b = ba.ThreadInfo(started(), old.ident, C2, "thread")  # the OS gave the same ident again
    assert mem.get(b, 5) is None
    mem.forget(a)
    assert mem.get(a, 5) is None


# ---------------------------------------------------------------- requests and state
class _Kernel:
    """The few attributes Agent.__init__ reads; requests and state need no sockets."""
    session = None


def _agent():
    shell = types.SimpleNamespace()
    a = ba.Agent(shell, _Kernel(), msg_header=None)
    t = threading.current_thread()
    a.threads[t.ident] = ba.ThreadInfo(t, t.ident, C1, "thread")
    return a, t.ident


def test_requests_change_state_and_report_it():
    a, ident = _agent()
    reply, changed = a.request({"op": "set_default", "policy": "origin"})
    assert reply["status"] == "ok" and changed == "set_default" and reply["state"]["default"] == "origin"
    a.request({"op": "add_rule", "pattern": "pool-*", "policy": "current"})
    a.request({"op": "add_rule", "pattern": "pool-*", "policy": "auto"})  # same pattern: in place
    assert a.state()["rules"] == [{"pattern": "pool-*", "policy": "auto"}]
    reply, _ = a.request({"op": "set_thread", "ident": ident, "policy": "current"})
    entry = [e for e in reply["state"]["threads"] if e["ident"] == ident][0]
    assert entry["override"] == "current" and entry["policy"] == "current"
    reply, _ = a.request({"op": "reset"})
    st = reply["state"]
    assert st["default"] == "kernel" and st["rules"] == []
    assert all(e["override"] is None for e in st["threads"])


@pytest.mark.parametrize("req,msg", [
    ({"op": "set_default", "policy": "sideways"}, "unknown policy"),
    ({"op": "remove_rule", "pattern": "nope"}, "no rule with pattern 'nope'"),
    ({"op": "set_thread", "ident": 1, "policy": "origin"}, "no thread with ident 1"),
    ({"op": "set_thread", "ident": True, "policy": "origin"}, "ident must be an integer"),
    ({"op": "add_rule", "pattern": "", "policy": "origin"}, "non-empty"),
    ({"op": "frobnicate"}, "unknown op"),
])
def test_bad_requests_are_errors_with_state(req, msg):
    a, _ = _agent()
    reply, changed = a.request(req)
    assert reply["status"] == "error" and msg in reply["evalue"] and changed is None
    assert reply["state"]["default"] == "kernel"


def test_ended_thread_cannot_be_overridden_and_is_bounded():
    a, _ = _agent()
    infos = []
    for _ in range(ba.MAX_DEAD + 5):
        t = started()
        info = ba.ThreadInfo(t, t.ident, C1, "thread")
        a.threads[t.ident] = info
        a.on_end(info)
        infos.append(info)
    last = infos[-1]
    reply, _ = a.request({"op": "set_thread", "ident": last.ident, "policy": "origin"})
    assert reply["status"] == "error" and "has ended" in reply["evalue"]
    assert len(a.dead) == ba.MAX_DEAD


def test_decision_follows_a_rename_when_rules_exist():
    a, ident = _agent()
    a.request({"op": "add_rule", "pattern": "renamed-*", "policy": "current"})
    a.exec_hdr = C2
    info = a.threads[ident]

    class Stream:
        def kernel_parent(self):
            return C2

    rs = Stream()
    t = threading.current_thread()
    old = t.name
    try:
        t.name = "plain"
        assert a.decide(info, rs).policy == "kernel"
        t.name = "renamed-1"  # no request in between: only the name changed
        d = a.decide(info, rs)
        assert d.policy == "current" and d.route is C2
    finally:
        t.name = old


def test_a_new_request_closes_open_lines():
    a, _ = _agent()
    e = a.epoch
    a.on_request({"header": C2, "content": {}})
    assert a.epoch > e
    e = a.epoch
    a.exec_start(C2)
    a.exec_end(C2)
    assert a.epoch >= e + 2


# ---------------------------------------------------------------- the extension's magics
def test_magics_without_an_agent_say_so():
    assert "not installed" in ba.routing_magic("")
    assert "not installed" in ba.route_magic("x=origin")


def test_magics_drive_the_active_agent():
    a, _ = _agent()
    a.active = True
    reg = ba.registry()
    saved = (reg.agent, reg.version)
    reg.agent = a
    try:
        assert ba.routing_magic("origin") == "routing: default origin; rules: none"
        assert "unknown policy 'up'" in ba.routing_magic("up")
        assert ba.route_magic("pool-* = current") == "routing: default origin; rules: pool-*=current"
        assert ba.route_magic("") == "routing: default origin; rules: pool-*=current"
        assert ba.route_magic("-pool-*") == "routing: default origin; rules: none"
        assert "no rule with pattern 'x'" in ba.route_magic("-x")
        assert "usage" in ba.route_magic("justaname")
    finally:
        reg.agent, reg.version = saved


def test_install_outside_a_kernel_changes_nothing():
    before = threading.Thread.start
    assert ba.install(types.SimpleNamespace()) is None
    assert threading.Thread.start is before
