# SPDX-License-Identifier: GPL-3.0-or-later
# The peers' side of bench_kernelclient.sh, run with Debian's Python: jupyter_client's
# BlockingKernelClient, and a bare pyzmq client (the kernel's own floor), doing what kcbench.c
# does. Prints "peer.key value" lines.
import hashlib, hmac, json, os, queue, resource, statistics, sys, time, uuid
import zmq
from jupyter_client import KernelManager

name = sys.argv[1] if len(sys.argv) > 1 else "python3"
n = int(sys.argv[2]) if len(sys.argv) > 2 else 1000
lines = int(sys.argv[3]) if len(sys.argv) > 3 else 10000

def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime

km = KernelManager(kernel_name=name)
km.start_kernel()
kc = km.client()
kc.start_channels()
kc.wait_for_ready(timeout=60)

def jc_roundtrip(fn):
    ts = []
    for _ in range(n):
        t0 = time.perf_counter()
        msg_id = fn()
        # finished = reply and idle, as bobbin counts it
        while True:
            m = kc.get_shell_msg(timeout=10)
            if m["parent_header"].get("msg_id") == msg_id:
                break
        while True:
            m = kc.get_iopub_msg(timeout=10)
            if m["parent_header"].get("msg_id") == msg_id and m["msg_type"] == "status" \
                    and m["content"]["execution_state"] == "idle":
                break
        ts.append(time.perf_counter() - t0)
    return statistics.median(ts) * 1e3

print("jupyter_client.kernel_info_ms %.3f" % jc_roundtrip(kc.kernel_info))
print("jupyter_client.execute_pass_ms %.3f" % jc_roundtrip(lambda: kc.execute("pass", store_history=False)))
c0 = cpu()
count = 0
msg_id = kc.execute("for i in range(%d): print(i, flush=True)" % lines)
idle = 1
while True:
    try:
        m = kc.get_iopub_msg(timeout=10)
    except queue.Empty:     # it lost the idle (and more): 10 s of silence ends the wait
        idle = 0
        break
    if m["parent_header"].get("msg_id") != msg_id:
        continue
    if m["msg_type"] == "stream":
        count += 1
    if m["msg_type"] == "status" and m["content"]["execution_state"] == "idle":
        break
print("jupyter_client.flood_messages %d" % count)
print("jupyter_client.flood_idle %d" % idle)
print("jupyter_client.flood_cpu_us_per_msg %.2f" % ((cpu() - c0) * 1e6 / max(count, 1)))
kc.stop_channels()

# A bare pyzmq client: sign, send, receive, verify, json-decode, nothing else.
info = km.get_connection_info()
key = info["key"] if isinstance(info["key"], bytes) else info["key"].encode()
ctx = zmq.Context()
session = uuid.uuid4().hex
shell = ctx.socket(zmq.DEALER); shell.setsockopt(zmq.IDENTITY, session.encode())
shell.connect("tcp://%s:%d" % (info["ip"], info["shell_port"]))
iopub = ctx.socket(zmq.SUB); iopub.setsockopt(zmq.SUBSCRIBE, b"")
iopub.connect("tcp://%s:%d" % (info["ip"], info["iopub_port"]))
time.sleep(0.5)

def send(msg_type, content):
    h = {"msg_id": uuid.uuid4().hex, "session": session, "username": "b", "msg_type": msg_type,
         "version": "5.3", "date": "2026-01-01T00:00:00Z"}
    parts = [json.dumps(x).encode() for x in (h, {}, {}, content)]
    sig = hmac.new(key, b"".join(parts), hashlib.sha256).hexdigest().encode()
    shell.send_multipart([b"<IDS|MSG>", sig] + parts)
    return h["msg_id"]

def recv(sock):
    f = sock.recv_multipart()
    i = f.index(b"<IDS|MSG>")
    parts = f[i + 2:i + 6]
    assert hmac.compare_digest(hmac.new(key, b"".join(parts), hashlib.sha256).hexdigest().encode(), f[i + 1])
    return [json.loads(p) for p in parts]

def bare(msg_type, content):
    ts = []
    poller = zmq.Poller(); poller.register(shell, zmq.POLLIN); poller.register(iopub, zmq.POLLIN)
    for _ in range(n):
        t0 = time.perf_counter()
        mid = send(msg_type, content)
        got_reply = got_idle = False
        while not (got_reply and got_idle):
            for s, _ in poller.poll(10000):
                h, p, md, c = recv(s)
                if p.get("msg_id") != mid:
                    continue
                if s is shell:
                    got_reply = True
                elif h["msg_type"] == "status" and c["execution_state"] == "idle":
                    got_idle = True
        ts.append(time.perf_counter() - t0)
    return statistics.median(ts) * 1e3

print("pyzmq.kernel_info_ms %.3f" % bare("kernel_info_request", {}))
print("pyzmq.execute_pass_ms %.3f" % bare("execute_request", {"code": "pass", "silent": False,
      "store_history": False, "user_expressions": {}, "allow_stdin": False, "stop_on_error": True}))
c0 = cpu(); count = 0
mid = send("execute_request", {"code": "for i in range(%d): print(i, flush=True)" % lines,
           "silent": False, "store_history": False, "user_expressions": {}, "allow_stdin": False,
           "stop_on_error": True})
idle = 1
while True:
    if not iopub.poll(10000):
        idle = 0
        break
    h, p, md, c = recv(iopub)
    if p.get("msg_id") != mid:
        continue
    if h["msg_type"] == "stream":
        count += 1
    if h["msg_type"] == "status" and c["execution_state"] == "idle":
        break
print("pyzmq.flood_messages %d" % count)
print("pyzmq.flood_idle %d" % idle)
print("pyzmq.flood_cpu_us_per_msg %.2f" % ((cpu() - c0) * 1e6 / max(count, 1)))
km.shutdown_kernel(now=True)
