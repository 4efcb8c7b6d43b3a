# SPDX-License-Identifier: GPL-3.0-or-later
"""A hostile "Jupyter Server" for test_server's bad-input checks (stdlib only): what a real server
never sends. Usage: hostile_server.py MODE; prints its port, then serves until killed.

  silent   accepts connections and never answers
  html     answers every request 200 with an HTML page
  garbage  lists one kernel, accepts the WebSocket (picking v1), then sends a text frame that is
           not JSON, v1 frames with bad offsets and an unknown channel, and a frame that claims
           2**40 bytes (its first 4 KiB)
  close    lists one kernel, accepts the WebSocket, then sends a close frame (1011)
"""
import base64
import hashlib
import json
import socket
import struct
import sys
import threading

MODE = sys.argv[1]
KID = "0badc0de-0000-4000-8000-000000000000"


def frame(opcode, payload, length=None):
    n = len(payload) if length is None else length
    if n < 126:
        head = struct.pack("!BB", 0x80 | opcode, n)
    elif n < 1 << 16:
        head = struct.pack("!BBH", 0x80 | opcode, 126, n)
    else:
        head = struct.pack("!BBQ", 0x80 | opcode, 127, n)
    return head + payload


def v1(offsets, body):
    return struct.pack("<Q", len(offsets)) + b"".join(struct.pack("<Q", o) for o in offsets) + body


def handle(conn):
    try:
        if MODE == "silent":
            conn.recv(65536)
            threading.Event().wait(600)
            return
        req = b""
        while b"\r\n\r\n" not in req:
            chunk = conn.recv(65536)
            if not chunk:
                return
            req += chunk
        head = req.split(b"\r\n\r\n")[0].decode("latin-1")
        lines = head.split("\r\n")
        path = lines[0].split(" ")[1]
        hdrs = {l.split(":", 1)[0].strip().lower(): l.split(":", 1)[1].strip()
                for l in lines[1:] if ":" in l}
        if MODE == "html":
            body = b"<html><body>\x1b[31mLog in</body></html>"
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: %d\r\n"
                         b"Connection: close\r\n\r\n%s" % (len(body), body))
            return
        if "upgrade" not in hdrs:
            body = json.dumps([{"id": KID, "name": "python3"}]).encode()
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                         b"Content-Length: %d\r\nConnection: close\r\n\r\n%s" % (len(body), body))
            return
        accept = base64.b64encode(hashlib.sha1(
            (hdrs["sec-websocket-key"] + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").encode()).digest())
        conn.sendall(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                     b"Connection: Upgrade\r\nSec-WebSocket-Accept: " + accept +
                     b"\r\nSec-WebSocket-Protocol: v1.kernel.websocket.jupyter.org\r\n\r\n")
        if MODE == "close":
            conn.sendall(frame(0x8, struct.pack("!H", 1011) + b"\x1b[2Jgo away"))
        else:
            conn.sendall(frame(0x1, b"not json \x1b[31m"))
            conn.sendall(frame(0x2, v1([10**12, 5], b"")))                 # offsets past the end
            conn.sendall(frame(0x2, v1([8 * 3, 8 * 3 + 3], b"abc")))       # too few parts
            ok = [b"{}", b"{}", b"{}", b"{}"]
            offs = [8 * 7, 8 * 7 + 5]
            for p in ok:
                offs.append(offs[-1] + len(p))
            conn.sendall(frame(0x2, v1(offs, b"bogus" + b"".join(ok))))  # no such channel
            # a huge frame: its header and the start of its payload
            conn.sendall(frame(0x2, b"", length=1 << 40) + b"x" * 4096)
        threading.Event().wait(600)
    except OSError:
        pass
    finally:
        conn.close()


def main():
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", 0))
    srv.listen(16)
    print(srv.getsockname()[1], flush=True)
    while True:
        conn, _ = srv.accept()
        threading.Thread(target=handle, args=(conn,), daemon=True).start()


main()
