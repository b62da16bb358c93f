#!/usr/bin/env python3
"""Concurrent streaming clients against an OpenAI-compatible server (loopback only).

Usage: stream_load.py URL MODEL CONCURRENCY [REQUESTS_PER_CLIENT] [MAX_TOKENS]
Prints aggregate generated tokens/s and time to first token (first content delta) p50/p99 as JSON.
"""
import http.client
import json
import statistics
import sys
import threading
import time
import urllib.parse


def one_request(url, model, max_tokens, index, results):
    u = urllib.parse.urlparse(url)
    if u.hostname not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit("loopback targets only")
    body = json.dumps({"model": model, "stream": True, "max_tokens": max_tokens, "temperature": 0,
                       "stream_options": {"include_usage": True},
                       "messages": [{"role": "user", "content": f"Request {index}: write about the sea."}]})
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=600)
    start = time.perf_counter()
    conn.request("POST", "/v1/chat/completions", body, {"Content-Type": "application/json"})
    resp = conn.getresponse()
    first = None
    tokens = 0
    for raw in resp:
        line = raw.decode("utf-8").strip()
        if not line.startswith("data: ") or line == "data: [DONE]":
            continue
        chunk = json.loads(line[6:])
        if chunk.get("usage"):
            tokens = chunk["usage"]["completion_tokens"]
        for c in chunk.get("choices", []):
            if c.get("delta", {}).get("content") and first is None:
                first = time.perf_counter() - start
    conn.close()
    results.append((first if first is not None else time.perf_counter() - start, tokens, time.perf_counter() - start))


def main():
    url, model, concurrency = sys.argv[1], sys.argv[2], int(sys.argv[3])
    per_client = int(sys.argv[4]) if len(sys.argv) > 4 else 1
    max_tokens = int(sys.argv[5]) if len(sys.argv) > 5 else 64
    results = []

    def client(c):
        for r in range(per_client):
            one_request(url, model, max_tokens, c * 1000 + r, results)

    threads = [threading.Thread(target=client, args=(c,)) for c in range(concurrency)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - start
    ttft = sorted(r[0] * 1000 for r in results)
    total_tokens = sum(r[1] for r in results)
    print(json.dumps({"concurrency": concurrency, "requests": len(results), "generated_tokens": total_tokens,
                      "tokens_per_second": round(total_tokens / wall, 2),
                      "ttft_p50_ms": round(statistics.median(ttft), 1),
                      "ttft_p99_ms": round(ttft[min(len(ttft) - 1, int(len(ttft) * 0.99))], 1)}))


if __name__ == "__main__":
    main()
