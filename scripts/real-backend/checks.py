#!/usr/bin/env python3
"""Checks run by scripts/real-backend-check.sh against a real llama-server, through Switchboard or
directly. Standard library only; every request goes to 127.0.0.1.

  checks.py soak       --port P --model M [--key K] --streams N --concurrency C --max-tokens T
  checks.py disconnect --port P --model M [--key K] --llama-port L
  checks.py recover    --port P --model M [--key K] --llama-port L --since EPOCH_S

Each prints one JSON line with its result; the shell script builds the table from them.
"""
from __future__ import annotations

import argparse
import http.client
import json
import socket
import sys
import threading
import time


def stream_request(port: int, model: str, key: str | None, max_tokens: int, seed: int) -> tuple[str, bytes]:
    body = json.dumps({
        "model": model, "stream": True, "max_tokens": max_tokens, "seed": seed, "temperature": 1.0,
        "messages": [{"role": "user", "content": f"Tell me a long story, number {seed}."}],
    }).encode()
    head = (f"POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n")
    if key:
        head += f"Authorization: Bearer {key}\r\n"
    return head + "\r\n", body


def one_stream(port: int, model: str, key: str | None, max_tokens: int, seed: int) -> dict:
    """Runs one stream to its end; returns what a client would judge it by."""
    t0 = time.monotonic()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    headers = {"Content-Type": "application/json"}
    if key:
        headers["Authorization"] = f"Bearer {key}"
    body = json.dumps({
        "model": model, "stream": True, "max_tokens": max_tokens, "seed": seed,
        "messages": [{"role": "user", "content": f"Tell me a long story, number {seed}."}],
    })
    try:
        conn.request("POST", "/v1/chat/completions", body=body, headers=headers)
        resp = conn.getresponse()
        status = resp.status
        raw = resp.read()
    except Exception as e:  # a cut connection is a failed stream, whatever its type
        return {"ok": False, "status": None, "why": f"{type(e).__name__}: {e}", "ms": ms_since(t0)}
    finally:
        conn.close()
    text = raw.decode("utf-8", "replace")
    events = [e for e in text.split("\n\n") if e.strip()]
    if status != 200:
        return {"ok": False, "status": status, "why": text[:300], "ms": ms_since(t0)}
    content = [e for e in events if e.startswith("data: {") and '"choices":[{' in e]
    errors = [e for e in events if e.startswith("data: {\"error\"")]
    done = bool(events) and events[-1].strip() == "data: [DONE]"
    ok = done and not errors and len(content) >= max_tokens
    why = None if ok else (errors[0][:300] if errors else f"{len(content)} content events, [DONE]={done}")
    return {"ok": ok, "status": status, "why": why, "events": len(events), "ms": ms_since(t0)}


def ms_since(t0: float) -> int:
    return int((time.monotonic() - t0) * 1000)


def soak(a) -> dict:
    results: list[dict] = []
    lock = threading.Lock()
    next_seed = [0]

    def worker():
        while True:
            with lock:
                if next_seed[0] >= a.streams:
                    return
                next_seed[0] += 1
                seed = next_seed[0]
            r = one_stream(a.port, a.model, a.key, a.max_tokens, seed)
            with lock:
                results.append(r)
                if not r["ok"]:
                    print(f"  stream {seed} FAILED: status={r['status']} {r['why']}", file=sys.stderr, flush=True)
                if len(results) % 100 == 0:
                    print(f"  {len(results)}/{a.streams} streams", file=sys.stderr, flush=True)

    t0 = time.monotonic()
    threads = [threading.Thread(target=worker) for _ in range(a.concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    failed = [r for r in results if not r["ok"]]
    lat = sorted(r["ms"] for r in results)
    return {"check": "soak", "streams": len(results), "failed": len(failed), "concurrency": a.concurrency,
            "max_tokens": a.max_tokens, "wall_s": round(time.monotonic() - t0, 1),
            "p50_ms": lat[len(lat) // 2] if lat else None, "max_ms": lat[-1] if lat else None,
            "failures": [f"{r['status']}: {r['why']}" for r in failed[:5]]}


def slots_busy(llama_port: int) -> int | None:
    try:
        conn = http.client.HTTPConnection("127.0.0.1", llama_port, timeout=2)
        conn.request("GET", "/slots")
        r = conn.getresponse()
        data = r.read()
        conn.close()
        if r.status != 200:
            return None
        return sum(1 for s in json.loads(data) if s.get("is_processing"))
    except Exception:
        return None


def disconnect(a) -> dict:
    """Opens a long stream, reads 4 events, closes the socket; how soon does llama-server stop?"""
    head, body = stream_request(a.port, a.model, a.key, 1800, 7)
    s = socket.create_connection(("127.0.0.1", a.port), timeout=30)
    s.sendall(head.encode() + body)
    got = b""
    while got.count(b"data: ") < 4:
        chunk = s.recv(4096)
        if not chunk:
            break
        got += chunk
    busy_before = slots_busy(a.llama_port)
    s.close()
    t0 = time.monotonic()
    while time.monotonic() - t0 < 5:
        busy = slots_busy(a.llama_port)
        if busy == 0:
            return {"check": "disconnect", "ok": True, "stopped_ms": ms_since(t0), "busy_before": busy_before}
        time.sleep(0.005)
    return {"check": "disconnect", "ok": False, "stopped_ms": None, "busy_before": busy_before}


def recover(a) -> dict:
    """After a restart of llama-server (ready at --since): how soon does a request get 200 again?"""
    t0 = time.monotonic()
    while time.monotonic() - t0 < 30:
        conn = http.client.HTTPConnection("127.0.0.1", a.port, timeout=10)
        headers = {"Content-Type": "application/json"}
        if a.key:
            headers["Authorization"] = f"Bearer {a.key}"
        try:
            conn.request("POST", "/v1/chat/completions", headers=headers, body=json.dumps(
                {"model": a.model, "max_tokens": 2, "messages": [{"role": "user", "content": "hi"}]}))
            status = conn.getresponse().status
        except Exception:
            status = None
        finally:
            conn.close()
        if status == 200:
            return {"check": "recover", "ok": True, "after_ready_ms": int((time.time() - a.since) * 1000)}
        time.sleep(0.02)
    return {"check": "recover", "ok": False, "after_ready_ms": None}


def killed(a) -> dict:
    """Reads a stream until the backend is killed under it: it must end with an error event, not be cut."""
    head, body = stream_request(a.port, a.model, a.key, 1800, 11)
    s = socket.create_connection(("127.0.0.1", a.port), timeout=30)
    s.sendall(head.encode() + body)
    got = b""
    signalled = False
    while True:
        chunk = s.recv(65536)
        if not chunk:
            break
        got += chunk
        if not signalled and got.count(b"data: ") >= 4:
            print("streaming", flush=True)  # the shell kills llama-server now
            signalled = True
    s.close()
    text = got.decode("utf-8", "replace")
    ok = 'data: {"error"' in text and "data: [DONE]" not in text
    return {"check": "killed", "ok": ok, "tail": text[-200:] if not ok else None}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("check", choices=["soak", "disconnect", "recover", "killed"])
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--model", required=True)
    ap.add_argument("--key")
    ap.add_argument("--streams", type=int, default=2000)
    ap.add_argument("--concurrency", type=int, default=8)
    ap.add_argument("--max-tokens", type=int, default=400)
    ap.add_argument("--llama-port", type=int)
    ap.add_argument("--since", type=float)
    a = ap.parse_args()
    result = {"soak": soak, "disconnect": disconnect, "recover": recover, "killed": killed}[a.check](a)
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
