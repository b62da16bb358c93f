#!/usr/bin/env python3
"""Re-runs issue 20's hostile-client probes against a running `hearth serve` (loopback). Prints one line per probe.

usage: hardening_probes.py PORT MODEL [ADMIN_KEY AGENT_KEY]
"""
import json
import socket
import sys
import time
import urllib.request

PORT = int(sys.argv[1])
MODEL = sys.argv[2]
ADMIN = sys.argv[3] if len(sys.argv) > 3 else None
AGENT = sys.argv[4] if len(sys.argv) > 4 else None
SMUGGLED = b"GET /v1/models HTTP/1.1\r\nHost: x\r\n\r\n"


def raw(data, wait=15.0, trickle=None):
    """Sends bytes; returns (what came back, seconds until the server closed, or None if it stayed open)."""
    s = socket.create_connection(("127.0.0.1", PORT))
    start = time.time()
    try:
        if trickle:
            for b in data:
                try:
                    s.sendall(bytes([b]))
                except OSError:
                    return b"", time.time() - start
                time.sleep(trickle)
        else:
            s.sendall(data)
        s.settimeout(wait)
        out = b""
        while True:
            try:
                chunk = s.recv(65536)
            except socket.timeout:
                return out, None
            except OSError:
                return out, time.time() - start
            if not chunk:
                return out, time.time() - start
            out += chunk
    finally:
        s.close()


def http(method, path, body=None, key=None, headers=()):
    req = urllib.request.Request(f"http://127.0.0.1:{PORT}{path}", method=method,
                                 data=None if body is None else body.encode())
    req.add_header("Content-Type", "application/json")
    if key:
        req.add_header("Authorization", "Bearer " + key)
    for k, v in headers:
        req.add_header(k, v)
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def line(name, result):
    print(f"{name:58s} {result}")


auth = f"Authorization: Bearer {ADMIN}\r\n".encode() if ADMIN else b""
out, closed = raw(b"GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n" + auth + b"Content-Length: 36\r\n\r\n"
                  + SMUGGLED)
line("1 smuggle after GET /health + Connection: close", f"{out.count(b'HTTP/1.1 ')} answer(s), closed after {closed}")
out, closed = raw(b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\n" + auth + b"Content-Length: 99999999\r\n\r\n"
                  + SMUGGLED)
line("1 smuggle after a 413", f"{out.count(b'HTTP/1.1 ')} answer(s) {out.split(b' ')[1:2]}, closed after {closed}")
out, closed = raw(b"POST /nope HTTP/1.1\r\nHost: x\r\n" + auth + b"Content-Length: 36\r\n\r\n" + SMUGGLED)
line("1 smuggle after a 404", f"{out.count(b'HTTP/1.1 ')} answer(s) {out.split(b' ')[1:2]}, closed after {closed}")
out, closed = raw(b"GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
line("2 Connection: close", f"closed after {closed and round(closed, 2)} s")
out, closed = raw(b"GET /health HTTP/1.1\r\nHost: x\r\n", wait=90)
line("2 half-sent headers", f"cut after {closed and round(closed, 1)} s")
out, closed = raw(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n", trickle=1.0, wait=90)
line("2 request line at 1 byte/s", f"cut after {closed and round(closed, 1)} s")
out, closed = raw(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n", wait=120)
line("2 idle kept-alive connection", f"closed after {closed and round(closed, 1)} s")
socks = [socket.create_connection(("127.0.0.1", PORT)) for _ in range(300)]
time.sleep(1)
for s in socks:
    s.settimeout(120)
t0 = time.time()
closed = 0
for s in socks:
    try:
        if s.recv(1) == b"":
            closed += 1
    except OSError:
        closed += 1
    s.close()
line("2 300 idle connections", f"{closed} closed by the server within {round(time.time() - t0, 1)} s")
for ep in ["/v1/chat/completions", "/v1/completions", "/v1/embeddings", "/api/chat", "/api/generate", "/api/embed",
           "/api/show", "/api/pull"]:
    code, body = http("POST", ep, "null", key=ADMIN)
    line(f"4 null body {ep}", f"{code} {body[:90]}")
code, body = http("POST", "/v1/chat/completions", json.dumps({"model": MODEL, "messages": "hi"}), key=ADMIN)
line("8 wrong type message", f"{code} {body[:150]}")
code, body = http("POST", "/v1/chat/completions", json.dumps({"model": MODEL, "messages": [{"role": "user",
                                                                                          "content": 5}]}), key=ADMIN)
line("8 wrong type message (content: 5)", f"{code} {body[:150]}")
code, body = http("GET", "/health")
line("6 /health", f"{code} {body[:200]}")
if AGENT:
    line("8 /metrics with an agent key", http("GET", "/metrics", key=AGENT)[0])
    line("8 /metrics with the admin key", http("GET", "/metrics", key=ADMIN)[0])
    line("8 /api/pull with an agent key", http("POST", "/api/pull", '{"model": "qwen2.5:0.5b"}', key=AGENT)[0])
    code, body = http("POST", "/v1/chat/completions", json.dumps({"model": "qwen2.5:0.5b", "messages": [
        {"role": "user", "content": "hi"}]}), key=AGENT)
    line("8 pull on first use by an agent", f"{code} {body[:120]}")
    out, _ = raw(f"GET /v1/models HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {AGENT}\r\nAuthorization: Bearer "
                 f"{ADMIN}\r\nConnection: close\r\n\r\n".encode())
    line("8 two Authorization headers", out.split(b"\r\n")[0].decode())
