"""Real client libraries on top of each proxy: the litellm SDK as OpenHands configures it
(`litellm_proxy/<name>`, api_base, api_key) and the official openai SDK. Each case returns aspects of
what the library handed its caller (text, tool calls, usage, the exception it raised)."""
import json

import httpx

from observe import message_prefix

KEY = "sk-compat"
TOOLS = [{"type": "function", "function": {"name": "get_weather", "description": "Weather in a city",
                                           "parameters": {"type": "object",
                                                          "properties": {"city": {"type": "string"}},
                                                          "required": ["city"]}}}]


def _exc(e):
    out = {"raised": type(e).__name__, "status": getattr(e, "status_code", None)}
    msg = getattr(e, "message", None) or str(e)
    out["message_prefix"] = message_prefix(msg.replace("litellm.", "", 1) if msg.startswith("litellm.litellm.")
                                           else msg)
    body = getattr(e, "body", None)
    if isinstance(body, dict):
        out["body.type"] = repr(body.get("type"))
        out["body.code"] = repr(body.get("code"))
        out["body.param"] = repr(body.get("param"))
    return out


def _message(msg, out, prefix="message"):
    out[f"{prefix}.role"] = getattr(msg, "role", None)
    out[f"{prefix}.content"] = getattr(msg, "content", None)
    for i, tc in enumerate(getattr(msg, "tool_calls", None) or []):
        out[f"{prefix}.tool_calls[{i}]"] = json.dumps({"type": tc.type, "name": tc.function.name,
                                                       "arguments": json.loads(tc.function.arguments)},
                                                      sort_keys=True)
    if getattr(msg, "reasoning_content", None):
        out[f"{prefix}.reasoning_content"] = msg.reasoning_content


def _usage(u, out):
    if u is not None:
        out["usage"] = f"{u.prompt_tokens}/{u.completion_tokens}/{u.total_tokens}"


def _collect_stream(chunks, out):
    content, tools, finish, usage, n, models = [], {}, None, None, 0, set()
    for ch in chunks:
        n += 1
        models.add(getattr(ch, "model", None))
        if getattr(ch, "usage", None):
            usage = ch.usage
        for c in ch.choices or []:
            d = c.delta
            if d and d.content:
                content.append(d.content)
            for tc in (d.tool_calls if d else None) or []:
                slot = tools.setdefault(tc.index or 0, {"name": "", "arguments": ""})
                if tc.function and tc.function.name:
                    slot["name"] += tc.function.name
                if tc.function and tc.function.arguments:
                    slot["arguments"] += tc.function.arguments
            if c.finish_reason:
                finish = c.finish_reason
    out["content"] = "".join(content) or None
    out["finish_reason"] = finish
    out["model"] = ",".join(sorted(str(m) for m in models))
    for i, t in sorted(tools.items()):
        out[f"tool_calls[{i}]"] = json.dumps({"name": t["name"], "arguments": json.loads(t["arguments"] or "null")},
                                             sort_keys=True)
    _usage(usage, out)


# ---- litellm SDK (what OpenHands does) ----

def _ll(**kw):
    import litellm
    litellm.suppress_debug_info = True  # no "Give Feedback / Get Help" banner per exception
    return litellm


def litellm_chat(model, stream=False, tools=None, text="Say hello", usage=False):
    def run(base, key):
        litellm = _ll()
        out = {}
        kw = dict(model=f"litellm_proxy/{model}", api_base=base, api_key=key,
                  messages=[{"role": "user", "content": text}], num_retries=0)
        if tools:
            kw["tools"] = tools
        if stream:
            kw["stream"] = True
            if usage:
                kw["stream_options"] = {"include_usage": True}
        try:
            r = litellm.completion(**kw)
            if stream:
                _collect_stream(r, out)
            else:
                out["model"] = r.model
                out["finish_reason"] = r.choices[0].finish_reason
                _message(r.choices[0].message, out)
                _usage(r.usage, out)
        except Exception as e:  # the exception is the observation
            out.update(_exc(e))
        return out
    return run


def litellm_embedding(model, inp):
    def run(base, key):
        litellm = _ll()
        out = {}
        try:
            r = litellm.embedding(model=f"litellm_proxy/{model}", api_base=base, api_key=key, input=inp)
            out["count"] = len(r.data)
            out["first"] = json.dumps(r.data[0]["embedding"] if isinstance(r.data[0], dict) else r.data[0].embedding)
            out["prompt_tokens"] = r.usage.prompt_tokens if r.usage else None
        except Exception as e:
            out.update(_exc(e))
        return out
    return run


def openhands_model_info(model):
    """OpenHands' init_model_info for litellm_proxy/ models: GET {base}/v1/model/info, pick the row whose
    model_name is the model, read its model_info."""
    def run(base, key):
        r = httpx.get(f"{base}/v1/model/info", headers={"Authorization": f"Bearer {key}"}, timeout=30)
        out = {"status": r.status_code}
        rows = [d for d in r.json().get("data", []) if d.get("model_name") == model]
        out["rows"] = len(rows)
        if rows:
            info = rows[0].get("model_info") or {}
            for k in ("max_input_tokens", "max_output_tokens", "supports_function_calling", "mode"):
                out[k] = info.get(k)
        return out
    return run


# ---- openai SDK ----

class _Count:
    def __init__(self):
        self.n = 0

    def hook(self, request):
        self.n += 1


def _oa(base, key, retries=0):
    import openai
    counter = _Count()
    client = openai.OpenAI(base_url=f"{base}/v1", api_key=key, max_retries=retries, timeout=30,
                           http_client=httpx.Client(event_hooks={"request": [counter.hook]}))
    return client, counter


def openai_chat(model, stream=False, tools=None, text="Say hello", usage=False, key=None, retries=0):
    def run(base, k):
        client, counter = _oa(base, key or k, retries)
        out = {}
        kw = dict(model=model, messages=[{"role": "user", "content": text}])
        if tools:
            kw["tools"] = tools
        try:
            if stream:
                if usage:
                    kw["stream_options"] = {"include_usage": True}
                _collect_stream(client.chat.completions.create(stream=True, **kw), out)
            else:
                r = client.chat.completions.create(**kw)
                out["model"] = r.model
                out["finish_reason"] = r.choices[0].finish_reason
                _message(r.choices[0].message, out)
                _usage(r.usage, out)
        except Exception as e:
            out.update(_exc(e))
        if retries:
            out["attempts"] = counter.n
        return out
    return run


def openai_embeddings(model, inp, fmt=None):
    def run(base, key):
        client, _ = _oa(base, key)
        out = {}
        try:
            kw = {"encoding_format": fmt} if fmt else {}
            r = client.embeddings.create(model=model, input=inp, **kw)
            out["count"] = len(r.data)
            out["first"] = json.dumps(r.data[0].embedding)
            out["prompt_tokens"] = r.usage.prompt_tokens
        except Exception as e:
            out.update(_exc(e))
        return out
    return run


def openai_models(retrieve=None):
    def run(base, key):
        client, _ = _oa(base, key)
        out = {}
        try:
            if retrieve:
                m = client.models.retrieve(retrieve)
                out.update({"id": m.id, "object": m.object, "owned_by": m.owned_by})
            else:
                out["ids"] = ",".join(sorted(m.id for m in client.models.list()))
        except Exception as e:
            out.update(_exc(e))
        return out
    return run


def openai_completion(model, stream=False):
    def run(base, key):
        client, _ = _oa(base, key)
        out = {}
        try:
            r = client.completions.create(model=model, prompt="Say hello", max_tokens=20, stream=stream)
            if stream:
                out["text"] = "".join(c.choices[0].text for c in r if c.choices)
            else:
                out["text"] = r.choices[0].text
                out["finish_reason"] = r.choices[0].finish_reason
        except Exception as e:
            out.update(_exc(e))
        return out
    return run


def client_cases():
    cases = []

    def add(cid, desc, fn):
        cases.append({"id": cid, "desc": desc, "client": fn})

    for model in ["gpt-fake", "ollama-chat"]:
        add(f"sdk.litellm.{model}.chat", "litellm.completion", litellm_chat(model))
        add(f"sdk.litellm.{model}.stream", "litellm.completion(stream=True)", litellm_chat(model, stream=True))
        add(f"sdk.litellm.{model}.stream-usage", "stream with include_usage",
            litellm_chat(model, stream=True, usage=True))
        add(f"sdk.litellm.{model}.tools", "tools", litellm_chat(model, tools=TOOLS, text="TOOLCALL Paris?"))
        add(f"sdk.litellm.{model}.tools-stream", "tools, streamed",
            litellm_chat(model, stream=True, tools=TOOLS, text="TOOLCALL Paris?"))
        add(f"sdk.openai.{model}.chat", "chat.completions.create", openai_chat(model))
        add(f"sdk.openai.{model}.stream", "streamed", openai_chat(model, stream=True))
        add(f"sdk.openai.{model}.stream-usage", "streamed with usage", openai_chat(model, stream=True, usage=True))
        add(f"sdk.openai.{model}.tools", "tools", openai_chat(model, tools=TOOLS, text="TOOLCALL Paris?"))
        add(f"sdk.openai.{model}.tools-stream", "tools, streamed",
            openai_chat(model, stream=True, tools=TOOLS, text="TOOLCALL Paris?"))
    add("sdk.litellm.embed-fake.embedding", "litellm.embedding", litellm_embedding("embed-fake", ["hi"]))
    add("sdk.litellm.embed-ollama.embedding", "litellm.embedding (Ollama)", litellm_embedding("embed-ollama", ["hi"]))
    add("sdk.litellm.unknown-model", "unknown model", litellm_chat("nope"))
    add("sdk.litellm.down-openai", "backend down", litellm_chat("down-openai"))
    add("sdk.litellm.backend-400", "backend 400", litellm_chat("gpt-fake", text="ERR400 please"))
    add("sdk.litellm.midstream", "stream fails midway", litellm_chat("gpt-fake", stream=True, text="MIDSTREAM"))
    add("sdk.openhands.model-info", "OpenHands reads /v1/model/info", openhands_model_info("gpt-fake"))
    add("sdk.openhands.model-info-ollama", "OpenHands reads /v1/model/info", openhands_model_info("ollama-chat"))
    add("sdk.openai.embed-fake.embeddings", "embeddings.create", openai_embeddings("embed-fake", "hi"))
    add("sdk.openai.embed-fake.embeddings-base64", "embeddings base64 (the SDK's default decode)",
        openai_embeddings("embed-fake", ["hi", "there"], "base64"))
    add("sdk.openai.embed-ollama.embeddings", "embeddings.create (Ollama)", openai_embeddings("embed-ollama", "hi"))
    add("sdk.openai.models.list", "models.list", openai_models())
    add("sdk.openai.models.retrieve", "models.retrieve", openai_models("gpt-fake"))
    add("sdk.openai.models.retrieve-unknown", "models.retrieve unknown", openai_models("nope"))
    add("sdk.openai.completions", "completions.create", openai_completion("gpt-fake"))
    add("sdk.openai.completions-stream", "completions.create stream", openai_completion("gpt-fake", stream=True))
    add("sdk.openai.unknown-model", "unknown model", openai_chat("nope"))
    add("sdk.openai.wrong-key", "wrong key", openai_chat("gpt-fake", key="sk-wrong"))
    add("sdk.openai.backend-429", "backend 429", openai_chat("gpt-fake", text="ERR429 please"))
    add("sdk.openai.midstream", "stream fails midway", openai_chat("gpt-fake", stream=True, text="MIDSTREAM"))
    add("sdk.openai.retries.unknown-model", "default retries (2): unknown model", openai_chat("nope", retries=2))
    add("sdk.openai.retries.wrong-key", "default retries (2): wrong key", openai_chat("gpt-fake", key="sk-wrong",
                                                                                      retries=2))
    add("sdk.openai.retries.down", "default retries (2): backend down", openai_chat("down-openai", retries=2))
    return cases
