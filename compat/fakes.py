"""Fake model servers that speak the real wire formats and record what they receive.

- OpenAI-compatible (/v1/chat/completions, /v1/completions, /v1/embeddings, /v1/models): JSON and SSE
  (`data: {...}` events, `data: [DONE]`, a usage chunk with `choices: []` when asked).
- Ollama (/api/chat, /api/generate, /api/embed, /api/tags, /api/show): JSON and NDJSON.

The answer is fixed for a given request, so both proxies see the same thing. Markers in the last user
message pick a behaviour: TOOLCALL (answer with a tool call), THINK (Ollama thinking), SLOW (wait 3 s
before answering), ERR400 / ERR404 / ERR429 / ERR500 (the backend's error), MIDSTREAM (a stream that
fails after two chunks), NOJSON (a body that is not JSON), NODONE (an SSE stream without [DONE]).
"""
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Recorder:
    def __init__(self):
        self.lock = threading.Lock()
        self.items = []

    def add(self, item):
        with self.lock:
            self.items.append(item)

    def take(self):
        with self.lock:
            items, self.items = self.items, []
            return items


def last_user_text(messages):
    for m in reversed(messages or []):
        if m.get("role") == "user":
            c = m.get("content")
            if isinstance(c, list):
                return " ".join(p.get("text", "") for p in c if isinstance(p, dict))
            return c or ""
    return ""


def marker_of(body):
    if not isinstance(body, dict):
        return ""
    text = last_user_text(body.get("messages"))
    if not text:
        p = body.get("prompt")
        text = p if isinstance(p, str) else (p[0] if isinstance(p, list) and p and isinstance(p[0], str) else "")
    for m in ("TOOLCALL", "THINK", "SLOW", "ERR400", "ERR404", "ERR429", "ERR500", "MIDSTREAM", "NOJSON", "NODONE",
              "LENGTH"):
        if m in (text or ""):
            return m
    return ""


REPLY = "Hello from the fake backend."
WORDS = ["Hello", " from", " the", " fake", " backend."]
TOOL_ARGS = {"city": "Paris"}


class Base(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    recorder = None  # set per server class

    def log_message(self, *args):
        pass

    def _read(self):
        n = int(self.headers.get("content-length") or 0)
        raw = self.rfile.read(n) if n else b""
        if not n and self.headers.get("transfer-encoding", "").lower() == "chunked":
            chunks = []
            while True:
                size = int(self.rfile.readline().strip() or b"0", 16)
                if size == 0:
                    self.rfile.readline()
                    break
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            raw = b"".join(chunks)
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = {"__raw__": raw.decode("utf-8", "replace")}
        return body

    def _record(self, body):
        self.recorder.add({"method": self.command, "path": self.path,
                           "headers": {k.lower(): v for k, v in self.headers.items()}, "body": body})

    def _json(self, status, obj, ctype="application/json"):
        data = obj if isinstance(obj, bytes) else json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("content-type", ctype)
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _start_stream(self, ctype):
        self.send_response(200)
        self.send_header("content-type", ctype)
        self.send_header("transfer-encoding", "chunked")
        self.end_headers()

    def _chunk(self, data: bytes):
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        self.wfile.flush()

    def _end_chunks(self):
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()

    def _cut(self):
        self.wfile.flush()
        self.close_connection = True
        try:
            self.connection.shutdown(2)
        except OSError:
            pass

    def do_GET(self):
        self._record(None)
        self.handle_get()

    def do_POST(self):
        body = self._read()
        self._record(body)
        mk = marker_of(body)
        if mk == "SLOW":
            time.sleep(3)
        self.handle_post(body, mk)


class OpenAiHandler(Base):
    def handle_get(self):
        if self.path.rstrip("/").endswith("/models"):
            self._json(200, {"object": "list", "data": [{"id": "fake-model", "object": "model", "created": 1,
                                                         "owned_by": "fake"}]})
        else:
            self._json(404, {"error": {"message": "not found", "type": "invalid_request_error"}})

    def _error(self, mk):
        status = int(mk[3:])
        kinds = {400: "invalid_request_error", 404: "not_found_error", 429: "rate_limit_error", 500: "server_error"}
        self._json(status, {"error": {"message": f"fake backend says {status}", "type": kinds[status],
                                      "param": "messages" if status == 400 else None,
                                      "code": "fake_code" if status != 500 else None}})

    def handle_post(self, body, mk):
        path = self.path.split("?")[0]
        if mk.startswith("ERR"):
            return self._error(mk)
        if mk == "NOJSON":
            return self._json(200, b"this is not json", "text/plain")
        model = (body or {}).get("model", "?")
        if path.endswith("/embeddings"):
            inp = body.get("input")
            n = len(inp) if isinstance(inp, list) and inp and not isinstance(inp[0], int) else 1
            return self._json(200, {"object": "list", "model": model,
                                    "data": [{"object": "embedding", "index": i, "embedding": [0.25, -0.5, 0.125 * (i + 1)]}
                                             for i in range(n)],
                                    "usage": {"prompt_tokens": 4 * n, "total_tokens": 4 * n}})
        text = path.endswith("/completions") and not path.endswith("/chat/completions")
        stream = bool(body.get("stream"))
        usage = {"prompt_tokens": 9, "completion_tokens": 5, "total_tokens": 14}
        tool = mk == "TOOLCALL" and body.get("tools")
        finish = "length" if mk == "LENGTH" else ("tool_calls" if tool else "stop")
        if not stream:
            if text:
                return self._json(200, {"id": "cmpl-fake1", "object": "text_completion", "created": 1700000000,
                                        "model": model, "choices": [{"index": 0, "text": REPLY, "logprobs": None,
                                                                     "finish_reason": finish}], "usage": usage})
            msg = {"role": "assistant", "content": None if tool else REPLY}
            if tool:
                msg["tool_calls"] = [{"id": "call_fake1", "type": "function",
                                      "function": {"name": body["tools"][0]["function"]["name"],
                                                   "arguments": json.dumps(TOOL_ARGS)}}]
            return self._json(200, {"id": "chatcmpl-fake1", "object": "chat.completion", "created": 1700000000,
                                    "model": model, "choices": [{"index": 0, "message": msg, "finish_reason": finish}],
                                    "usage": usage})
        self._start_stream("text/event-stream")
        obj = "text_completion" if text else "chat.completion.chunk"

        def ev(choices, **extra):
            d = {"id": "chatcmpl-fake1", "object": obj, "created": 1700000000, "model": model, "choices": choices}
            d.update(extra)
            self._chunk(b"data: " + json.dumps(d).encode() + b"\n\n")

        if text:
            for i, w in enumerate(WORDS):
                ev([{"index": 0, "text": w, "logprobs": None, "finish_reason": None}])
            ev([{"index": 0, "text": "", "logprobs": None, "finish_reason": finish}])
        elif tool:
            name = body["tools"][0]["function"]["name"]
            ev([{"index": 0, "delta": {"role": "assistant", "content": None, "tool_calls": [
                {"index": 0, "id": "call_fake1", "type": "function", "function": {"name": name, "arguments": ""}}]},
                 "finish_reason": None}])
            ev([{"index": 0, "delta": {"tool_calls": [{"index": 0, "function": {"arguments": '{"city": '}}]},
                 "finish_reason": None}])
            ev([{"index": 0, "delta": {"tool_calls": [{"index": 0, "function": {"arguments": '"Paris"}'}}]},
                 "finish_reason": None}])
            ev([{"index": 0, "delta": {}, "finish_reason": finish}])
        else:
            ev([{"index": 0, "delta": {"role": "assistant", "content": ""}, "finish_reason": None}])
            for i, w in enumerate(WORDS):
                ev([{"index": 0, "delta": {"content": w}, "finish_reason": None}])
                if mk == "MIDSTREAM" and i == 1:
                    return self._cut()
            ev([{"index": 0, "delta": {}, "finish_reason": finish}])
        if (body.get("stream_options") or {}).get("include_usage"):
            ev([], usage=usage)
        if mk != "NODONE":
            self._chunk(b"data: [DONE]\n\n")
        self._end_chunks()


class OllamaHandler(Base):
    CREATED = "2024-01-01T00:00:00.000000Z"

    def handle_get(self):
        if self.path.startswith("/api/tags"):
            self._json(200, {"models": [{"name": n, "model": n} for n in ("llama3:8b", "nomic-embed-text:latest")]})
        elif self.path == "/" or self.path.startswith("/api/version"):
            self._json(200, {"version": "0.12.0"} if "version" in self.path else b"Ollama is running", "text/plain"
                       if "version" not in self.path else "application/json")
        else:
            self._json(404, {"error": "not found"})

    def handle_post(self, body, mk):
        path = self.path.split("?")[0]
        model = (body or {}).get("model", "?")
        if path == "/api/show":
            return self._json(200, {"modelfile": "", "parameters": "", "template": "{{ .Prompt }}",
                                    "details": {"family": "llama"}, "model_info": {"llama.context_length": 8192},
                                    "capabilities": ["completion", "tools"]})
        if mk == "ERR404":
            return self._json(404, {"error": f"model '{model}' not found"})
        if mk == "ERR400":
            return self._json(400, {"error": "fake ollama says 400"})
        if mk == "ERR500":
            return self._json(500, {"error": "fake ollama says 500"})
        if mk == "ERR429":
            return self._json(429, {"error": "fake ollama says 429"})
        if mk == "NOJSON":
            return self._json(200, b"this is not json", "text/plain")
        if path == "/api/embed" or path == "/api/embeddings":
            inp = body.get("input", body.get("prompt"))
            n = len(inp) if isinstance(inp, list) else 1
            if path == "/api/embeddings":
                return self._json(200, {"embedding": [0.25, -0.5, 0.125]})
            return self._json(200, {"model": model, "embeddings": [[0.25, -0.5, 0.125 * (i + 1)] for i in range(n)],
                                    "total_duration": 1000, "load_duration": 10, "prompt_eval_count": 4 * n})
        stream = body.get("stream", True)
        tools = body.get("tools")
        tool = mk == "TOOLCALL" and tools
        think = mk == "THINK"
        done_reason = "length" if mk == "LENGTH" else "stop"
        final = {"done": True, "done_reason": done_reason, "total_duration": 1000, "load_duration": 10,
                 "prompt_eval_count": 9, "prompt_eval_duration": 100, "eval_count": 5, "eval_duration": 200}
        gen = path == "/api/generate"

        def msg(content, thinking=None, tool_calls=None):
            if gen:
                d = {"response": content}
                if thinking:
                    d["thinking"] = thinking
                return d
            m = {"role": "assistant", "content": content}
            if thinking:
                m["thinking"] = thinking
            if tool_calls:
                m["tool_calls"] = tool_calls
            return {"message": m}

        tcs = None
        if tool:
            tcs = [{"function": {"name": tools[0]["function"]["name"], "arguments": TOOL_ARGS}}]
        if not stream:
            d = {"model": model, "created_at": self.CREATED}
            d.update(msg("" if tool else REPLY, "I think." if think else None, tcs))
            d.update(final)
            return self._json(200, d)
        self._start_stream("application/x-ndjson")

        def line(d):
            base = {"model": model, "created_at": self.CREATED}
            base.update(d)
            self._chunk(json.dumps(base).encode() + b"\n")

        if think:
            line(dict(msg("", "I think."), done=False))
        if tool:
            line(dict(msg("", None, tcs), done=False))
        else:
            for i, w in enumerate(WORDS):
                line(dict(msg(w), done=False))
                if mk == "MIDSTREAM" and i == 1:
                    line({"error": "fake ollama failed mid-stream"})
                    return self._end_chunks()
        last = msg("")
        last.update(final)
        line(last)
        self._end_chunks()


def serve(handler_cls, recorder):
    cls = type(handler_cls.__name__ + "Bound", (handler_cls,), {"recorder": recorder})
    srv = ThreadingHTTPServer(("127.0.0.1", 0), cls)
    srv.daemon_threads = True
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    return srv
