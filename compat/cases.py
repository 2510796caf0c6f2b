"""The corpus: every request both proxies get. A case is a dict:
id, desc, and either req = {method, path, json | raw, headers, auth} (sent by the harness as bytes) or
client = a function (base_url, key) -> aspects (an SDK used as a client, see clients.py)."""
import clients

KEY = "sk-compat"
CHAT_MODELS = ["gpt-fake", "vllm-fake", "ollama-chat", "ollama-gen"]
TOOLS = [{"type": "function", "function": {"name": "get_weather", "description": "Weather in a city",
                                           "parameters": {"type": "object",
                                                          "properties": {"city": {"type": "string"}},
                                                          "required": ["city"]}}}]
PNG = ("data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQ"
       "AAAABJRU5ErkJggg==")


def user(text):
    return [{"role": "user", "content": text}]


def chat(model, extra=None, text="Say hello", messages=None, stream=False):
    body = {"model": model, "messages": messages or user(text)}
    if stream:
        body["stream"] = True
    body.update(extra or {})
    return body


# Variants of a chat request, sent to every chat model: name -> (body extras, prompt, messages).
CHAT_VARIANTS = {
    "basic": ({}, "Say hello", None),
    "system": ({}, None, [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Say hello"}]),
    "multi-turn": ({}, None, [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello!"},
                              {"role": "user", "content": "Say hello"}]),
    "temperature-top_p": ({"temperature": 0.2, "top_p": 0.9}, "Say hello", None),
    "max_tokens": ({"max_tokens": 50}, "Say hello", None),
    "max_completion_tokens": ({"max_completion_tokens": 60}, "Say hello", None),
    "stop-string": ({"stop": "\n\n"}, "Say hello", None),
    "stop-list": ({"stop": ["END", "STOP"]}, "Say hello", None),
    "seed": ({"seed": 42}, "Say hello", None),
    "frequency_penalty": ({"frequency_penalty": 0.5}, "Say hello", None),
    "presence_penalty": ({"presence_penalty": 0.5}, "Say hello", None),
    "json_object": ({"response_format": {"type": "json_object"}}, "Say hello as JSON", None),
    "json_schema": ({"response_format": {"type": "json_schema", "json_schema": {
        "name": "greeting", "schema": {"type": "object", "properties": {"text": {"type": "string"}}}}}},
        "Say hello as JSON", None),
    "tools": ({"tools": TOOLS}, "TOOLCALL weather in Paris?", None),
    "tools-auto": ({"tools": TOOLS, "tool_choice": "auto"}, "TOOLCALL weather in Paris?", None),
    "tool-result": ({"tools": TOOLS}, None, [
        {"role": "user", "content": "Weather in Paris?"},
        {"role": "assistant", "content": None, "tool_calls": [{"id": "call_1", "type": "function", "function": {
            "name": "get_weather", "arguments": "{\"city\": \"Paris\"}"}}]},
        {"role": "tool", "tool_call_id": "call_1", "content": "sunny"}]),
    "image": ({}, None, [{"role": "user", "content": [{"type": "text", "text": "What is this?"},
                                                      {"type": "image_url", "image_url": {"url": PNG}}]}]),
    "text-parts": ({}, None, [{"role": "user", "content": [{"type": "text", "text": "Say"},
                                                           {"type": "text", "text": "hello"}]}]),
    "thinking": ({"reasoning_effort": "low"}, "THINK about it", None),
    "length": ({"max_tokens": 5}, "LENGTH please", None),
    "user-field": ({"user": "alice"}, "Say hello", None),
    "unknown-param": ({"foo_bar": 1}, "Say hello", None),
    "metadata": ({"metadata": {"tag": "x"}}, "Say hello", None),
    "num_ctx-top-level": ({"num_ctx": 4096}, "Say hello", None),
    "keep_alive": ({"keep_alive": "5m"}, "Say hello", None),
    "logprobs": ({"logprobs": True, "top_logprobs": 2}, "Say hello", None),
}

STREAM_VARIANTS = {
    "basic": ({}, "Say hello"),
    "include_usage": ({"stream_options": {"include_usage": True}}, "Say hello"),
    "tools": ({"tools": TOOLS}, "TOOLCALL weather in Paris?"),
    "tools-usage": ({"tools": TOOLS, "stream_options": {"include_usage": True}}, "TOOLCALL weather in Paris?"),
    "thinking": ({"reasoning_effort": "low"}, "THINK about it"),
    "length": ({"max_tokens": 5}, "LENGTH please"),
    "midstream-failure": ({}, "MIDSTREAM please"),
    "max_tokens-temperature": ({"max_tokens": 50, "temperature": 0.1}, "Say hello"),
}


def http(cid, desc, method, path, json=None, raw=None, headers=None, auth=True):
    return {"id": cid, "desc": desc, "req": {"method": method, "path": path, "json": json, "raw": raw,
                                             "headers": headers or {}, "auth": auth}}


def corpus():
    cases = []
    add = cases.append
    for model in CHAT_MODELS:
        for name, (extra, text, msgs) in CHAT_VARIANTS.items():
            add(http(f"chat.{model}.{name}", f"chat, {name}", "POST", "/v1/chat/completions",
                     chat(model, extra, text or "", msgs)))
        for name, (extra, text) in STREAM_VARIANTS.items():
            add(http(f"stream.{model}.{name}", f"chat stream, {name}", "POST", "/v1/chat/completions",
                     chat(model, extra, text, stream=True)))
    add(http("stream.gpt-fake.no-done", "backend stream ends without [DONE]", "POST", "/v1/chat/completions",
             chat("gpt-fake", text="NODONE please", stream=True)))
    add(http("chat.headers-fake.extra_headers", "extra_headers reach the backend", "POST", "/v1/chat/completions",
             chat("headers-fake")))
    add(http("chat.mock.basic", "mock_response model", "POST", "/v1/chat/completions", chat("mock")))
    add(http("stream.mock.basic", "mock_response model, streamed", "POST", "/v1/chat/completions",
             chat("mock", stream=True)))

    # Every other provider prefix.
    for prefix in ["openai_like", "custom_openai", "text-completion-openai", "litellm_proxy", "lm_studio",
                   "llamafile", "vllm", "xinference"]:
        add(http(f"prefix.{prefix}.chat", f"`{prefix}/` chat", "POST", "/v1/chat/completions", chat(f"p-{prefix}")))
        add(http(f"prefix.{prefix}.stream", f"`{prefix}/` chat stream", "POST", "/v1/chat/completions",
                 chat(f"p-{prefix}", {"stream_options": {"include_usage": True}}, stream=True)))
        add(http(f"prefix.{prefix}.embeddings", f"`{prefix}/` embeddings", "POST", "/v1/embeddings",
                 {"model": f"p-{prefix}", "input": "hi"}))

    # Model groups (several deployments per model_name).
    for model in ["group-ab", "group-down"]:
        add(http(f"group.{model}.chat", "model group, chat", "POST", "/v1/chat/completions", chat(model)))
        add(http(f"group.{model}.stream", "model group, stream", "POST", "/v1/chat/completions",
                 chat(model, stream=True)))
        add(http(f"group.{model}.health", "model group, /health?model=", "GET", f"/health?model={model}"))
    add(http("group.deployment-id", "a deployment's id as the model", "POST", "/v1/chat/completions",
             chat("group-ab-1")))
    add(http("group.models-entry", "the group in /v1/models/{id}", "GET", "/v1/models/group-ab"))
    add(http("group.model-info-by-id", "/model/info?litellm_model_id=", "GET", "/v1/model/info?litellm_model_id=group-ab-2"))
    add(http("group.embeddings-all-down", "embeddings on a group all down", "POST", "/v1/embeddings",
             {"model": "group-down", "input": "x"}))

    # Anthropic's Messages API (Claude Code), translated to chat completions by both proxies.
    anth = {"x-api-key": KEY, "anthropic-version": "2023-06-01"}
    atools = [{"name": "get_weather", "description": "Weather in a city",
               "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}]

    def msgs(model, text="Say hello", **extra):
        body = {"model": model, "max_tokens": 100, "messages": [{"role": "user", "content": text}]}
        body.update(extra)
        return body
    for model in ["gpt-fake", "ollama-chat"]:
        add(http(f"messages.{model}.basic", "/v1/messages", "POST", "/v1/messages", msgs(model), auth=False,
                 headers=anth))
        add(http(f"messages.{model}.stream", "/v1/messages, stream", "POST", "/v1/messages",
                 msgs(model, stream=True), auth=False, headers=anth))
        add(http(f"messages.{model}.tools", "/v1/messages, tools", "POST", "/v1/messages",
                 msgs(model, "TOOLCALL weather in Paris?", tools=atools), auth=False, headers=anth))
        add(http(f"messages.{model}.tools-stream", "/v1/messages, tools, stream", "POST", "/v1/messages",
                 msgs(model, "TOOLCALL weather in Paris?", tools=atools, stream=True), auth=False, headers=anth))
    add(http("messages.system", "/v1/messages with a system prompt", "POST", "/v1/messages",
             msgs("gpt-fake", system="Be brief."), auth=False, headers=anth))
    add(http("messages.tool-result", "/v1/messages, a tool result turn", "POST", "/v1/messages", {
        "model": "gpt-fake", "max_tokens": 100, "tools": atools, "messages": [
            {"role": "user", "content": "Weather in Paris?"},
            {"role": "assistant", "content": [{"type": "tool_use", "id": "toolu_1", "name": "get_weather",
                                               "input": {"city": "Paris"}}]},
            {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_1", "content": "sunny"}]}]},
        auth=False, headers=anth))
    add(http("messages.beta-query", "/v1/messages?beta=true (Claude Code)", "POST", "/v1/messages?beta=true",
             msgs("gpt-fake"), auth=False, headers=anth))
    add(http("messages.count_tokens", "/v1/messages/count_tokens", "POST", "/v1/messages/count_tokens",
             {"model": "gpt-fake", "messages": [{"role": "user", "content": "Say hello"}]}, auth=False, headers=anth))
    add(http("messages.unknown-model", "/v1/messages, unknown model", "POST", "/v1/messages", msgs("nope"),
             auth=False, headers=anth))
    add(http("messages.no-key", "/v1/messages without a key", "POST", "/v1/messages", msgs("gpt-fake"),
             auth=False, headers={"anthropic-version": "2023-06-01"}))
    add(http("messages.down", "/v1/messages, backend down", "POST", "/v1/messages", msgs("down-openai"),
             auth=False, headers=anth))

    # Operations.
    add(http("ops.POST /config/reload", "reload the config", "POST", "/config/reload"))
    add(http("ops.GET /metrics", "Prometheus metrics", "GET", "/metrics", auth=False))
    add(http("ops.CORS preflight", "a browser's preflight", "OPTIONS", "/v1/chat/completions", auth=False,
             headers={"Origin": "http://localhost:3000", "Access-Control-Request-Method": "POST",
                      "Access-Control-Request-Headers": "authorization,content-type"}))
    add(http("ops.CORS simple", "a browser's request with Origin", "GET", "/v1/models",
             headers={"Origin": "http://localhost:3000"}))

    # Route aliases.
    for path in ["/chat/completions", "/engines/gpt-fake/chat/completions",
                 "/openai/deployments/gpt-fake/chat/completions", "/v1/engines/gpt-fake/chat/completions"]:
        add(http(f"route.{path}", f"alias {path}", "POST", path, chat("gpt-fake")))
    add(http("route.deployment-path-wins", "the path's model wins over the body's", "POST",
             "/openai/deployments/gpt-fake/chat/completions", chat("vllm-fake")))

    # Legacy completions.
    for model in ["gpt-fake", "vllm-fake", "ollama-chat", "ollama-gen"]:
        add(http(f"completions.{model}.basic", "text completion", "POST", "/v1/completions",
                 {"model": model, "prompt": "Say hello", "max_tokens": 20}))
        add(http(f"completions.{model}.stream", "text completion streamed", "POST", "/v1/completions",
                 {"model": model, "prompt": "Say hello", "stream": True}))
    add(http("completions.gpt-fake.stream-usage", "text completion streamed with usage", "POST", "/v1/completions",
             {"model": "gpt-fake", "prompt": "Say hello", "stream": True, "stream_options": {"include_usage": True}}))
    add(http("completions.unversioned", "/completions alias", "POST", "/completions",
             {"model": "gpt-fake", "prompt": "Say hello"}))

    # Embeddings.
    for model in ["embed-fake", "embed-ollama"]:
        add(http(f"embeddings.{model}.string", "one input", "POST", "/v1/embeddings", {"model": model, "input": "hi"}))
        add(http(f"embeddings.{model}.list", "two inputs", "POST", "/v1/embeddings",
                 {"model": model, "input": ["hi", "there"]}))
        add(http(f"embeddings.{model}.float", "encoding_format float", "POST", "/v1/embeddings",
                 {"model": model, "input": "hi", "encoding_format": "float"}))
    add(http("embeddings.embed-fake.base64", "encoding_format base64", "POST", "/v1/embeddings",
             {"model": "embed-fake", "input": "hi", "encoding_format": "base64"}))
    add(http("embeddings.unversioned", "/embeddings alias", "POST", "/embeddings", {"model": "embed-fake", "input": "x"}))

    # Discovery.
    for path in ["/v1/models", "/models", "/v1/models/gpt-fake", "/models/ollama-chat", "/v1/models/nope",
                 "/model/info", "/v1/model/info"]:
        add(http(f"discovery.GET {path}", f"GET {path}", "GET", path))
    add(http("discovery.model-info-without-key", "GET /v1/model/info without a key", "GET", "/v1/model/info",
             auth=False))
    add(http("discovery.models-without-key", "GET /v1/models without a key", "GET", "/v1/models", auth=False))

    # Health.
    for path in ["/health/liveliness", "/health/liveness", "/health/readiness"]:
        add(http(f"health.GET {path}", f"GET {path} (public)", "GET", path, auth=False))
    add(http("health.OPTIONS /health/liveliness", "OPTIONS on a probe", "OPTIONS", "/health/liveliness", auth=False))
    add(http("health.GET /health?model=gpt-fake", "/health of one healthy model", "GET", "/health?model=gpt-fake"))
    add(http("health.GET /health?model=down-openai", "/health of one down model", "GET", "/health?model=down-openai"))
    add(http("health.GET /health", "/health of every model", "GET", "/health"))
    add(http("health.GET /health?model=nope", "/health of an unknown model", "GET", "/health?model=nope"))
    add(http("health.GET /health without key", "/health needs the key", "GET", "/health", auth=False))

    # Auth.
    body = chat("gpt-fake")
    add(http("auth.no-key", "no key", "POST", "/v1/chat/completions", body, auth=False))
    add(http("auth.wrong-key", "wrong key (no database)", "POST", "/v1/chat/completions", body, auth=False,
             headers={"Authorization": "Bearer sk-wrong"}))
    add(http("auth.no-bearer-prefix", "key without Bearer", "POST", "/v1/chat/completions", body, auth=False,
             headers={"Authorization": KEY}))
    add(http("auth.lowercase-bearer", "bearer in lower case", "POST", "/v1/chat/completions", body, auth=False,
             headers={"Authorization": "bearer " + KEY}))
    add(http("auth.x-api-key", "key in x-api-key", "POST", "/v1/chat/completions", body, auth=False,
             headers={"x-api-key": KEY}))
    add(http("auth.api-key", "key in api-key (Azure)", "POST", "/v1/chat/completions", body, auth=False,
             headers={"api-key": KEY}))
    add(http("auth.x-litellm-api-key", "key in x-litellm-api-key", "POST", "/v1/chat/completions", body, auth=False,
             headers={"x-litellm-api-key": "Bearer " + KEY}))
    add(http("auth.wrong-key-models", "wrong key on /v1/models", "GET", "/v1/models", auth=False,
             headers={"Authorization": "Bearer sk-wrong"}))
    add(http("auth.no-key-embeddings", "no key on embeddings", "POST", "/v1/embeddings",
             {"model": "embed-fake", "input": "x"}, auth=False))

    # Request errors.
    add(http("error.unknown-model.chat", "unknown model", "POST", "/v1/chat/completions", chat("nope")))
    add(http("error.unknown-model.stream", "unknown model, stream", "POST", "/v1/chat/completions",
             chat("nope", stream=True)))
    add(http("error.unknown-model.embeddings", "unknown model, embeddings", "POST", "/v1/embeddings",
             {"model": "nope", "input": "x"}))
    add(http("error.unknown-model.completions", "unknown model, completions", "POST", "/v1/completions",
             {"model": "nope", "prompt": "x"}))
    add(http("error.missing-model", "no model", "POST", "/v1/chat/completions", {"messages": user("hi")}))
    add(http("error.missing-messages", "no messages", "POST", "/v1/chat/completions", {"model": "gpt-fake"}))
    add(http("error.messages-not-list", "messages is a string", "POST", "/v1/chat/completions",
             {"model": "gpt-fake", "messages": "hi"}))
    add(http("error.missing-input", "embeddings without input", "POST", "/v1/embeddings", {"model": "embed-fake"}))
    add(http("error.missing-prompt", "completions without prompt", "POST", "/v1/completions", {"model": "gpt-fake"}))
    add(http("error.malformed-json", "truncated JSON", "POST", "/v1/chat/completions",
             raw=b'{"model": "gpt-fake", "messages": [', headers={"Content-Type": "application/json"}))
    add(http("error.empty-body", "empty body", "POST", "/v1/chat/completions", raw=b"",
             headers={"Content-Type": "application/json"}))
    add(http("error.body-is-array", "a JSON array", "POST", "/v1/chat/completions", raw=b"[1,2]",
             headers={"Content-Type": "application/json"}))
    add(http("error.not-json", "plain text", "POST", "/v1/chat/completions", raw=b"hello",
             headers={"Content-Type": "application/json"}))
    nonstrict = {
        "trailing-comma": b'{"model": "gpt-fake", "messages": [{"role": "user", "content": "Say hello"}],}',
        "single-quotes": b"{'model': 'gpt-fake', 'messages': [{'role': 'user', 'content': 'Say hello'}]}",
        "comment": b'{"model": "gpt-fake", /* c */ "messages": [{"role": "user", "content": "Say hello"}]}',
        "NaN": b'{"model": "gpt-fake", "temperature": NaN, "messages": [{"role": "user", "content": "Say hello"}]}',
        "duplicate-key": b'{"model": "nope", "model": "gpt-fake", "messages": [{"role": "user", "content": "Say hello"}]}',
        "bom": b'\xef\xbb\xbf{"model": "gpt-fake", "messages": [{"role": "user", "content": "Say hello"}]}',
    }
    for name, raw in nonstrict.items():
        add(http(f"nonstrict.{name}", f"non-strict JSON: {name}", "POST", "/v1/chat/completions", raw=raw,
                 headers={"Content-Type": "application/json"}))
    add(http("nonstrict.form-content-type", "JSON sent as form (curl -d)", "POST", "/v1/chat/completions",
             raw=b'{"model": "gpt-fake", "messages": [{"role": "user", "content": "Say hello"}]}',
             headers={"Content-Type": "application/x-www-form-urlencoded"}))
    add(http("nonstrict.no-content-type", "JSON with no content-type", "POST", "/v1/chat/completions",
             raw=b'{"model": "gpt-fake", "messages": [{"role": "user", "content": "Say hello"}]}'))
    add(http("error.GET-chat", "GET on a POST route", "GET", "/v1/chat/completions"))
    add(http("error.unknown-route.responses", "a route neither serves the same way (Codex)", "POST", "/v1/nothing-here",
             {"model": "gpt-fake"}))
    add(http("error.unknown-route.get", "GET an unknown path", "GET", "/v1/nothing-here"))

    # Backend failures.
    for model in ["gpt-fake", "ollama-chat"]:
        for marker in ["ERR400", "ERR404", "ERR429", "ERR500", "NOJSON"]:
            add(http(f"backend.{model}.{marker}", f"backend answers {marker}", "POST", "/v1/chat/completions",
                     chat(model, text=f"{marker} please")))
        add(http(f"backend.{model}.ERR500-stream", "backend 500 to a stream", "POST", "/v1/chat/completions",
                 chat(model, text="ERR500 please", stream=True)))
    for model in ["down-openai", "down-ollama"]:
        add(http(f"down.{model}.chat", "backend down", "POST", "/v1/chat/completions", chat(model)))
        add(http(f"down.{model}.stream", "backend down, stream", "POST", "/v1/chat/completions",
                 chat(model, stream=True)))
    add(http("timeout.slow-fake.chat", "backend slower than timeout", "POST", "/v1/chat/completions",
             chat("slow-fake", text="SLOW please")))
    add(http("timeout.slow-fake.stream", "backend slower than stream_timeout", "POST", "/v1/chat/completions",
             chat("slow-fake", text="SLOW please", stream=True)))
    add(http("timeout.request-timeout-param", "request's own timeout", "POST", "/v1/chat/completions",
             chat("gpt-fake", {"timeout": 1}, text="SLOW please")))

    cases.extend(clients.client_cases())
    return cases
