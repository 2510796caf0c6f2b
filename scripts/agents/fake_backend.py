#!/usr/bin/env python3
"""A fake OpenAI-compatible model server for scripts/agents-check.sh (standard library only).

The first turn of a conversation asks for one tool call (the agent's file-reading tool, told by
--tool/--arg); once the history holds a tool result, it answers with the text AGENT-CHECK-OK and the
result's first line. Streams (SSE, with a usage chunk) and plain JSON both. Every request body is
appended to --log, one JSON per line.
"""
import argparse
import json
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def parse():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--tool", required=True, help="the tool name the agent offers for reading a file")
    p.add_argument("--arg", required=True, help="that tool's argument name for the path")
    p.add_argument("--path", required=True, help="the file to ask for")
    p.add_argument("--log", required=True)
    return p.parse_args()


ARGS = parse()


def tool_result(messages):
    for m in messages:
        if m.get("role") == "tool":
            content = m.get("content")
            if isinstance(content, list):
                content = " ".join(p.get("text", "") for p in content if isinstance(p, dict))
            return str(content)
    return None


def offered(body, name):
    for t in body.get("tools") or []:
        if (t.get("function") or {}).get("name") == name:
            return True
    return False


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def send_json(self, status, obj):
        data = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        self.send_json(200, {"object": "list", "data": [{"id": "fake", "object": "model"}]})

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers.get("content-length", 0))) or b"{}")
        with open(ARGS.log, "a") as log:
            log.write(json.dumps(body) + "\n")
        result = tool_result(body.get("messages", []))
        if result is None and offered(body, ARGS.tool):
            call = {"id": "call_agent_check", "type": "function",
                    "function": {"name": ARGS.tool, "arguments": json.dumps({ARGS.arg: ARGS.path})}}
            message, finish = {"role": "assistant", "content": None, "tool_calls": [call]}, "tool_calls"
        else:
            first = (result or "no tool result").strip().splitlines()[0] if (result or "").strip() else "empty"
            message, finish = {"role": "assistant", "content": "AGENT-CHECK-OK " + first}, "stop"
        created = int(time.time())
        if not body.get("stream"):
            self.send_json(200, {"id": "chatcmpl-agent", "object": "chat.completion", "created": created,
                                 "model": "fake", "choices": [{"index": 0, "message": message,
                                                               "finish_reason": finish}],
                                 "usage": {"prompt_tokens": 20, "completion_tokens": 5, "total_tokens": 25}})
            return
        self.send_response(200)
        self.send_header("content-type", "text/event-stream")
        self.send_header("transfer-encoding", "chunked")
        self.end_headers()

        def event(obj):
            data = ("data: " + (obj if isinstance(obj, str) else json.dumps(obj)) + "\n\n").encode()
            self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
            self.wfile.flush()

        def chunk(delta, finish_reason=None):
            event({"id": "chatcmpl-agent", "object": "chat.completion.chunk", "created": created, "model": "fake",
                   "choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason}]})

        if "tool_calls" in message:
            call = message["tool_calls"][0]
            chunk({"role": "assistant", "tool_calls": [dict(call, index=0, function={
                "name": call["function"]["name"], "arguments": ""})]})
            chunk({"tool_calls": [{"index": 0, "function": {"arguments": call["function"]["arguments"]}}]})
        else:
            words = message["content"].split(" ")
            for i, w in enumerate(words):
                chunk({"content": (w if i == 0 else " " + w)} if i else {"role": "assistant", "content": w})
        chunk({}, finish)
        event({"id": "chatcmpl-agent", "object": "chat.completion.chunk", "created": created, "model": "fake",
               "choices": [], "usage": {"prompt_tokens": 20, "completion_tokens": 5, "total_tokens": 25}})
        event("[DONE]")
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()


ThreadingHTTPServer(("127.0.0.1", ARGS.port), Handler).serve_forever()
