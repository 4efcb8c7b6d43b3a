# SPDX-License-Identifier: GPL-3.0-or-later
"""The comparison for bench/bench_server.sh: a stdlib-only Python client of a Jupyter Server
kernel's WebSocket (socket, hashlib, base64, struct, json; the legacy JSON framing, as
jupyter_server's own websocket handler speaks it), doing what bench/srvbench.c does: the median
of N kernel_info round trips and the client's CPU time for a cell printing 10,000 lines.
Usage: peers_server.py URL ID N [quickack]  (token in JUPYTER_TOKEN)"""
import base64, json, os, socket, statistics, struct, sys, time, urllib.parse, uuid

url, kid, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
QUICKACK = len(sys.argv) > 4 and sys.argv[4] == "quickack"
u = urllib.parse.urlparse(url)
sid = uuid.uuid4().hex
sock = socket.create_connection((u.hostname, u.port))
key = base64.b64encode(os.urandom(16)).decode()
sock.sendall((f"GET {u.path.rstrip('/')}/api/kernels/{kid}/channels?session_id={sid} HTTP/1.1\r\n"
              f"Host: {u.hostname}:{u.port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
              f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
              f"Authorization: token {os.environ.get('JUPYTER_TOKEN', '')}\r\n\r\n").encode())
buf = b""
while b"\r\n\r\n" not in buf:
    buf += sock.recv(65536)
assert buf.startswith(b"HTTP/1.1 101"), buf[:100]
buf = buf.split(b"\r\n\r\n", 1)[1]


def recv_exact(k):
    global buf
    while len(buf) < k:
        chunk = sock.recv(1 << 20)
        if not chunk:
            raise EOFError
        if QUICKACK:  # as libkernelclient does: no delayed ACK against the server's Nagle
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_QUICKACK, 1)
        buf += chunk
    out, buf = buf[:k], buf[k:]
    return out


def recv_msg():
    data = b""
    while True:
        b0, b1 = recv_exact(2)
        ln = b1 & 0x7F
        if ln == 126:
            ln = struct.unpack("!H", recv_exact(2))[0]
        elif ln == 127:
            ln = struct.unpack("!Q", recv_exact(8))[0]
        data += recv_exact(ln)
        if b0 & 0x80:
            if b0 & 0x0F in (1, 2):
                return json.loads(data)
            data = b""


def send(channel, msg_type, content):
    mid = uuid.uuid4().hex
    msg = {"header": {"msg_id": mid, "msg_type": msg_type, "session": sid, "username": "bench",
                      "version": "5.3", "date": ""},
           "parent_header": {}, "metadata": {}, "content": content, "channel": channel,
           "buffers": []}
    payload = json.dumps(msg).encode()
    mask = os.urandom(4)
    masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
    ln = len(payload)
    head = struct.pack("!BB", 0x81, 0x80 | ln) if ln < 126 else \
        struct.pack("!BBH", 0x81, 0x80 | 126, ln) if ln < 65536 else \
        struct.pack("!BBQ", 0x81, 0x80 | 127, ln)
    sock.sendall(head + mask + masked)
    return mid


def wait(mid, count=None):
    """Until the reply and the idle for mid; counts stdout lines into count."""
    reply = idle = False
    while not (reply and idle):
        m = recv_msg()
        if m.get("parent_header", {}).get("msg_id") != mid:
            continue
        t = m["header"]["msg_type"]
        if m["channel"] == "shell":
            reply = True
        elif t == "status" and m["content"].get("execution_state") == "idle":
            idle = True
        elif t == "stream" and count is not None:
            count[0] += m["content"]["text"].count("\n")


rtt = []
wait(send("shell", "kernel_info_request", {}))
for _ in range(n):
    t0 = time.perf_counter()
    wait(send("shell", "kernel_info_request", {}))
    rtt.append((time.perf_counter() - t0) * 1e3)
print("rtt_ms %.3f" % statistics.median(rtt))
count = [0]
c0, w0 = time.process_time(), time.perf_counter()
wait(send("shell", "execute_request", {"code": "for i in range(10000):\n    print(i)",
                                       "silent": False, "store_history": False,
                                       "user_expressions": {}, "allow_stdin": False,
                                       "stop_on_error": True}), count)
print("flood_cpu_ms %.1f\nflood_wall_ms %.1f\nflood_lines %d" %
      ((time.process_time() - c0) * 1e3, (time.perf_counter() - w0) * 1e3, count[0]))
sys.exit(0 if count[0] == 10000 else 1)
