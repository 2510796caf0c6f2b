"""Turns what a proxy answered (and what the backend received) into "aspects": a flat mapping of
name -> normalised value, the unit in which the two proxies are compared. Ids, timestamps and
durations are normalised away; values a client cannot tell apart (a null field and a missing one)
are treated as equal."""
import json
import re

VOLATILE_KEYS = {"id", "created", "system_fingerprint", "created_at", "total_duration", "load_duration",
                 "prompt_eval_duration", "eval_duration"}
# Response headers clients read, compared by value; the others only by presence.
HEADERS_BY_VALUE = ["x-litellm-model-api-base", "retry-after", "x-should-retry", "x-litellm-attempted-fallbacks",
                    "access-control-allow-origin", "access-control-allow-credentials"]
HEADERS_BY_PRESENCE = ["x-litellm-call-id", "x-litellm-model-id", "x-litellm-version", "x-litellm-response-cost",
                       "x-litellm-response-duration-ms", "x-litellm-overhead-duration-ms", "x-litellm-key-spend",
                       "x-litellm-model-group"]
BACKEND_HEADERS = ["authorization", "content-type", "x-team", "api-key"]
ID_LIKE = re.compile(r"^(chatcmpl|cmpl|call|resp|toolu)[-_][A-Za-z0-9_-]+$")


def mime(v):
    return v.split(";")[0].strip().lower() if v else None


def message_prefix(msg):
    """The part of an error message a client branches on: LiteLLM's `litellm.<Class>` (or the route
    prefix such as `/chat/completions`), else the first words."""
    if msg is None:
        return None
    if not isinstance(msg, str):
        msg = json.dumps(msg)
    m = re.match(r"^\s*(\{'error': ')?(litellm\.[A-Za-z]+|/[a-z/]+:|[A-Za-z][A-Za-z ,]{0,40}?(?=[.:!]|$))", msg)
    return (m.group(2) if m else msg[:30]).strip()


def flatten(value, prefix, out):
    """Leaves of a JSON value by path; null, {} and [] leaves are skipped (a client reads them as absent)."""
    if isinstance(value, dict):
        for k, v in value.items():
            if k in VOLATILE_KEYS:
                continue
            flatten(v, f"{prefix}.{k}", out)
    elif isinstance(value, list):
        if value and all(not isinstance(v, (dict, list)) for v in value):
            out[prefix] = json.dumps(value)  # a vector or a list of names: one leaf
            return
        for i, v in enumerate(value):
            flatten(v, f"{prefix}[{i}]", out)
    elif value is None:
        return
    else:
        if isinstance(value, str) and ID_LIKE.match(value):
            value = "<id>"
        elif isinstance(value, str) and prefix.endswith(".arguments"):
            try:  # tool-call arguments: the JSON they carry, not its spacing
                value = json.dumps(json.loads(value), sort_keys=True, separators=(",", ":"))
            except ValueError:
                pass
        out[prefix] = value


def headers_aspects(headers, out):
    out["header.content-type"] = mime(headers.get("content-type"))
    for h in HEADERS_BY_VALUE:
        if h in headers:
            out[f"header.{h}"] = headers[h]
    for h in HEADERS_BY_PRESENCE:
        if h in headers:
            out[f"header.{h}"] = "present"


def parse_sse(raw: bytes):
    events, done, trailing = [], False, None
    text = raw.decode("utf-8", "replace")
    blocks = re.split(r"\r?\n\r?\n", text)
    for b in blocks:
        if not b.strip():
            continue
        data = "\n".join(line[5:].lstrip() for line in b.splitlines() if line.startswith("data:"))
        if not data:
            continue
        if data.strip() == "[DONE]":
            done = True
            continue
        try:
            events.append(json.loads(data))
        except ValueError:
            trailing = data[:80]
    return events, done, trailing


def anthropic_stream_aspects(events, out):
    """An Anthropic Messages stream: the event types in order (repeats folded), text, tool input, stop reason."""
    kinds, text, tool_json, tools, stop, usage = [], [], [], [], None, {}
    for e in events:
        t = e.get("type")
        if not kinds or kinds[-1] != t:
            kinds.append(t)
        if t == "content_block_start" and (e.get("content_block") or {}).get("type") == "tool_use":
            tools.append(e["content_block"].get("name"))
        d = e.get("delta") or {}
        if d.get("type") == "text_delta":
            text.append(d.get("text", ""))
        if d.get("type") == "input_json_delta":
            tool_json.append(d.get("partial_json", ""))
        if t == "message_delta":
            stop = d.get("stop_reason", stop)
            usage.update(e.get("usage") or {})
        if t == "message_start":
            usage.update(((e.get("message") or {}).get("usage")) or {})
        if t == "error":
            out["stream.error.type"] = (e.get("error") or {}).get("type")
    out["stream.events"] = ",".join(str(k) for k in kinds if k != "ping")
    out["stream.text"] = "".join(text) or None
    out["stream.tool_use"] = ",".join(str(t) for t in tools) or None
    if tool_json:
        try:
            out["stream.tool_input"] = json.dumps(json.loads("".join(tool_json)), sort_keys=True)
        except ValueError:
            out["stream.tool_input"] = "".join(tool_json)
    out["stream.stop_reason"] = stop
    out["stream.usage"] = "{}/{}".format(usage.get("input_tokens"), usage.get("output_tokens"))


def stream_aspects(raw, out):
    events, done, junk = parse_sse(raw)
    if events and all("type" in e and "choices" not in e for e in events):
        out["stream.done"] = done
        return anthropic_stream_aspects(events, out)
    out["stream.done"] = done
    if junk:
        out["stream.unparsable_event"] = junk
    content, reasoning, text, finish, role, tools, errors = [], [], [], None, None, {}, []
    objects, models, ids, usage_chunks = set(), set(), set(), []
    for e in events:
        if "error" in e and "choices" not in e:
            err = e["error"] if isinstance(e["error"], dict) else {"message": e["error"]}
            errors.append(err)
            continue
        objects.add(e.get("object"))
        models.add(e.get("model"))
        ids.add(e.get("id"))
        if e.get("usage"):
            usage_chunks.append(e)
        for c in e.get("choices") or []:
            d = c.get("delta") or {}
            if role is None and d.get("role"):
                role = d["role"]
            if d.get("content"):
                content.append(d["content"])
            if d.get("reasoning_content"):
                reasoning.append(d["reasoning_content"])
            if c.get("text"):
                text.append(c["text"])
            for tc in d.get("tool_calls") or []:
                slot = tools.setdefault(tc.get("index", 0), {"name": "", "arguments": "", "type": None, "id": False})
                fn = tc.get("function") or {}
                slot["name"] += fn.get("name") or ""
                slot["arguments"] += fn.get("arguments") or ""
                slot["type"] = tc.get("type") or slot["type"]
                slot["id"] = slot["id"] or bool(tc.get("id"))
            if c.get("finish_reason"):
                finish = c["finish_reason"]
    out["stream.object"] = ",".join(sorted(str(o) for o in objects)) if objects else None
    out["stream.model"] = ",".join(sorted(str(m) for m in models)) if models else None
    out["stream.one_id"] = len(ids) <= 1
    out["stream.role"] = role
    out["stream.content"] = "".join(content) or None
    out["stream.reasoning_content"] = "".join(reasoning) or None
    out["stream.text"] = "".join(text) or None
    out["stream.finish_reason"] = finish
    for i, t in sorted(tools.items()):
        try:
            t["arguments"] = json.loads(t["arguments"]) if t["arguments"] else t["arguments"]
        except ValueError:
            pass
        out[f"stream.tool_calls[{i}]"] = json.dumps(t, sort_keys=True)
    if usage_chunks:
        u = usage_chunks[-1]["usage"]
        out["stream.usage"] = "{}/{}/{}".format(u.get("prompt_tokens"), u.get("completion_tokens"),
                                                u.get("total_tokens"))
        out["stream.usage_chunk_choices"] = len(usage_chunks[-1].get("choices") or [])
        out["stream.usage_chunks"] = len(usage_chunks)
    for i, err in enumerate(errors):
        out[f"stream.error[{i}].type"] = err.get("type")
        out[f"stream.error[{i}].code"] = err.get("code")
        out[f"stream.error[{i}].message_prefix"] = message_prefix(err.get("message"))


def body_aspects(status, raw, ctype, out):
    try:
        body = json.loads(raw) if raw else None
    except ValueError:
        out["body.text"] = raw.decode("utf-8", "replace")[:60]
        return
    if isinstance(body, dict) and "error" in body and status >= 400:
        err = body["error"]
        if isinstance(err, dict):
            out["error.type"] = repr(err.get("type"))
            out["error.code"] = repr(err.get("code"))
            out["error.param"] = repr(err.get("param"))
            out["error.message_prefix"] = message_prefix(err.get("message"))
            out["error.keys"] = ",".join(sorted(err.keys()))
            out["info.message"] = str(err.get("message"))[:400]  # kept for reading, never compared
        else:
            out["error.message_prefix"] = message_prefix(err)
        out["body.keys"] = ",".join(sorted(body.keys()))
        return
    if isinstance(body, dict) and "detail" in body and status >= 400:
        out["body.keys"] = "detail"
        out["error.message_prefix"] = message_prefix(body["detail"] if isinstance(body["detail"], str)
                                                     else json.dumps(body["detail"]))
        return
    if isinstance(body, dict):
        for k in ("healthy_endpoints", "unhealthy_endpoints"):  # /health: the order of probes finishing
            if isinstance(body.get(k), list):
                body[k] = sorted(body[k], key=lambda e: json.dumps(e.get("model")) if isinstance(e, dict) else "")
    flat = {}
    flatten(body, "body", flat)
    out.update(flat)


def response_aspects(status, headers, raw):
    out = {"status": status}
    headers_aspects(headers, out)
    if mime(headers.get("content-type")) == "text/event-stream" and status == 200:
        stream_aspects(raw, out)
    else:
        body_aspects(status, raw, mime(headers.get("content-type")), out)
    return out


PROBE_PATHS = ("/v1/models", "/models", "/api/tags", "/api/version", "/")


def backend_aspects(records, out):
    """What the fake backends received for one request (liveness probes left out)."""
    calls = [r for r in records if not (r["method"] == "GET" and r["path"].split("?")[0] in PROBE_PATHS)]
    out["backend.calls"] = len(calls)
    for i, r in enumerate(calls):
        p = f"backend[{i}]" if len(calls) > 1 else "backend"
        out[f"{p}.request"] = f"{r['server']} {r['method']} {r['path']}"
        for h in BACKEND_HEADERS:
            if h in r["headers"]:
                v = r["headers"][h]
                out[f"{p}.header.{h}"] = mime(v) if h == "content-type" else v
        flat = {}
        flatten(r["body"], f"{p}.body", flat)
        out.update(flat)
