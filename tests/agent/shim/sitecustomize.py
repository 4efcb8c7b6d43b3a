"""Test-only shim: lets ipykernel >= 7.0 run on Debian 12's pyzmq 24.

pyzmq >= 25 schedules the awaitable a ZMQStream on_recv callback returns; pyzmq 24 drops it, and
ipykernel 7's handlers are coroutines.  Do what pyzmq 25 does.  Put on PYTHONPATH only when
BOBBIN_IPYKERNEL_SRC points at an ipykernel 7.x tree (tests/agent/harness.py does that).
"""
import asyncio
import inspect

try:
    import zmq
    from zmq.eventloop import zmqstream

    if int(zmq.__version__.split(".")[0]) < 25:
        _orig = zmqstream.ZMQStream._run_callback

        def _run_callback(self, callback, *args, **kwargs):
            def call(*a, **kw):
                r = callback(*a, **kw)
                if inspect.isawaitable(r):
                    asyncio.ensure_future(r)
                return r

            return _orig(self, call, *args, **kwargs)

        zmqstream.ZMQStream._run_callback = _run_callback
except Exception:
    pass
