package dev.switchboard.responses;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.Map;
import java.util.TreeMap;

/**
 * One chat-completion stream → the Responses stream events, as OpenAI sends them and Codex reads them:
 * {@code response.created}, {@code response.in_progress}, then per output item {@code output_item.added},
 * its deltas (reasoning text, output text within a content part, function-call arguments) and
 * {@code output_item.done}, and last {@code response.completed} or {@code response.failed}. Every event
 * has a {@code sequence_number}. Not thread-safe: one request's, on its event loop.
 */
public final class ResponsesStream {

  private final SseDataReader reader = new SseDataReader();
  private final ResponsesRequest request;
  private final JsonObject response;
  private final JsonArray output = new JsonArray();
  private int sequence;
  private boolean started;
  private boolean ended;
  private Item reasoning;
  private Item message;
  /** Tool calls by their chat index; closed only at the end, as a backend may interleave their deltas. */
  private final Map<Integer, Item> calls = new TreeMap<>();
  private String finishReason;
  private JsonObject usage;

  /** An output item being streamed: its place in {@code output} and the text gathered so far. */
  private static final class Item {
    final String id;
    final int index;
    final StringBuilder text = new StringBuilder();
    String callId;
    String name;

    Item(String id, int index) {
      this.id = id;
      this.index = index;
    }
  }

  public ResponsesStream(String id, String model, ResponsesRequest request) {
    this.request = request;
    this.response = ResponseObject.envelope(id, System.currentTimeMillis() / 1000, model, request.echo(),
        "in_progress");
  }

  /** The events for a piece of the chat-completion stream. */
  public Buffer data(Buffer piece) {
    Buffer out = Buffer.buffer();
    if (ended) {
      return out;
    }
    start(out);
    for (String data : reader.read(piece)) {
      chunk(data, out);
    }
    return out;
  }

  /** The events that end a stream that ended well: open items closed, then {@code response.completed}. */
  public Buffer end() {
    Buffer out = Buffer.buffer();
    if (ended) {
      return out;
    }
    start(out);
    for (String data : reader.end()) {
      chunk(data, out);
    }
    if (ended) {
      return out;
    }
    closeReasoning(out);
    closeMessage(out);
    calls.values().forEach(c -> closeCall(c, out));
    calls.clear();
    ended = true;
    response.put("output", output);
    ResponseObject.finish(response, finishReason);
    response.put("usage", ResponseObject.usage(usage));
    event(out, "response.completed", new JsonObject().put("response", response));
    return out;
  }

  /**
   * The events that end a failed stream: {@code error}, then {@code response.failed} with the error
   * ({@code code} as OpenAI names it, so Codex knows a context overflow or a rate limit).
   */
  public Buffer fail(int status, String message) {
    Buffer out = Buffer.buffer();
    if (ended) {
      return out;
    }
    start(out);
    ended = true;
    String code = ResponsesErrors.code(status, message);
    event(out, "error", new JsonObject().put("code", code).put("message", message).putNull("param"));
    response.put("output", output).put("status", "failed")
        .put("error", new JsonObject().put("code", code).put("message", message));
    event(out, "response.failed", new JsonObject().put("response", response));
    return out;
  }

  /**
   * For a backend silent before its first token (a long prompt on a CPU): the stream's start if it had
   * not started, else another {@code response.in_progress}. A real event, since an idle timer such as
   * Codex's counts events, not bytes (an SSE comment would not reset it); nothing once an output item
   * has begun (an event between an item's deltas is not where OpenAI sends one) or the stream ended.
   */
  public Buffer keepAlive() {
    Buffer out = Buffer.buffer();
    if (ended || !output.isEmpty()) {
      return out;
    }
    if (started) {
      event(out, "response.in_progress", new JsonObject().put("response", response.copy()));
    }
    start(out);
    return out;
  }

  public boolean isStarted() {
    return started;
  }

  /** The finished Response object (completed, incomplete or failed), or null while it streams. */
  public JsonObject finished() {
    return ended ? response : null;
  }

  private void start(Buffer out) {
    if (!started) {
      started = true;
      event(out, "response.created", new JsonObject().put("response", response.copy()));
      event(out, "response.in_progress", new JsonObject().put("response", response.copy()));
    }
  }

  private void chunk(String data, Buffer out) {
    if (ended || data.isBlank() || data.equals("[DONE]")) {
      return;
    }
    JsonObject chunk;
    try {
      chunk = new JsonObject(data);
    } catch (DecodeException e) {
      out.appendBuffer(fail(502, "The backend sent an event that is not JSON: " + cut(data)));
      return;
    }
    if (chunk.getValue("error") != null) {
      Object error = chunk.getValue("error");
      String message = error instanceof JsonObject e ? e.getString("message", e.encode()) : String.valueOf(error);
      int status = error instanceof JsonObject e && e.getValue("code") instanceof String c && c.matches("\\d{3}")
          ? Integer.parseInt(c) : 500;
      out.appendBuffer(fail(status, message));
      return;
    }
    if (chunk.getValue("usage") instanceof JsonObject u) {
      usage = u;
    }
    if (!(chunk.getValue("choices") instanceof JsonArray choices) || choices.isEmpty()
        || !(choices.getValue(0) instanceof JsonObject choice)) {
      return;
    }
    if (choice.getValue("delta") instanceof JsonObject delta) {
      String thinking = ResponsesAnswer.reasoningOf(delta);
      if (thinking != null && !thinking.isEmpty()) {
        reasoningDelta(thinking, out);
      }
      if (delta.getValue("content") instanceof String text && !text.isEmpty()) {
        textDelta(text, out);
      }
      if (delta.getValue("tool_calls") instanceof JsonArray toolCalls) {
        for (Object tc : toolCalls) {
          if (tc instanceof JsonObject call) {
            callDelta(call, out);
          }
        }
      }
    }
    if (choice.getValue("finish_reason") instanceof String reason) {
      finishReason = reason;
    }
  }

  private void reasoningDelta(String text, Buffer out) {
    if (reasoning == null) {
      reasoning = open("rs", ResponseObject.reasoning(null, null), out);
      event(out, "response.content_part.added", part(reasoning)
          .put("part", ResponseObject.reasoningText("")));
    }
    reasoning.text.append(text);
    event(out, "response.reasoning_text.delta", part(reasoning).put("delta", text));
  }

  private void closeReasoning(Buffer out) {
    if (reasoning == null) {
      return;
    }
    String text = reasoning.text.toString();
    event(out, "response.reasoning_text.done", part(reasoning).put("text", text));
    event(out, "response.content_part.done", part(reasoning).put("part", ResponseObject.reasoningText(text)));
    done(reasoning, ResponseObject.reasoning(reasoning.id, text), out);
    reasoning = null;
  }

  private void textDelta(String text, Buffer out) {
    closeReasoning(out);
    if (message == null) {
      message = open("msg", ResponseObject.message(null, null, "in_progress"), out);
      event(out, "response.content_part.added", part(message).put("part", ResponseObject.outputText("")));
    }
    message.text.append(text);
    event(out, "response.output_text.delta", part(message).put("delta", text).put("logprobs", new JsonArray()));
  }

  private void closeMessage(Buffer out) {
    if (message == null) {
      return;
    }
    String text = message.text.toString();
    event(out, "response.output_text.done", part(message).put("text", text).put("logprobs", new JsonArray()));
    event(out, "response.content_part.done", part(message).put("part", ResponseObject.outputText(text)));
    done(message, ResponseObject.message(message.id, text, "completed"), out);
    message = null;
  }

  private void callDelta(JsonObject delta, Buffer out) {
    int index = delta.getValue("index") instanceof Number n ? n.intValue() : calls.size();
    JsonObject fn = delta.getValue("function") instanceof JsonObject f ? f : new JsonObject();
    Item call = calls.get(index);
    if (call == null) {
      closeReasoning(out);
      closeMessage(out);
      String callId = delta.getString("id", ResponseObject.itemId("call"));
      String name = fn.getString("name", "");
      boolean custom = request.names().isCustom(name);
      call = open(custom ? "ctc" : "fc", ResponseObject.call(null, callId, name, "", "in_progress",
          request.names()), out);
      call.callId = callId;
      call.name = name;
      calls.put(index, call);
    }
    if (fn.getValue("arguments") instanceof String args && !args.isEmpty()) {
      call.text.append(args);
      if (!request.names().isCustom(call.name)) {
        event(out, "response.function_call_arguments.delta", item(call).put("delta", args));
      }
    }
  }

  private void closeCall(Item call, Buffer out) {
    String args = call.text.toString();
    if (request.names().isCustom(call.name)) {
      // The input is a string inside the arguments' JSON: whole only once the arguments are.
      String input = ResponseObject.customInput(args);
      event(out, "response.custom_tool_call_input.delta", item(call).put("delta", input));
      event(out, "response.custom_tool_call_input.done", item(call).put("input", input));
      done(call, ResponseObject.call(call.id, call.callId, call.name, args, "completed", request.names()), out);
      return;
    }
    event(out, "response.function_call_arguments.done", item(call).put("name", request.names().clientName(call.name))
        .put("arguments", args));
    done(call, ResponseObject.functionCall(call.id, call.callId, call.name, args, "completed", request.names()), out);
  }

  /** Adds an item to the output (its final form replaces it at done) and announces it. */
  private Item open(String kind, JsonObject shape, Buffer out) {
    Item item = new Item(ResponseObject.itemId(kind), output.size());
    shape.put("id", item.id);
    output.add(shape);
    event(out, "response.output_item.added", new JsonObject().put("output_index", item.index).put("item", shape.copy()));
    return item;
  }

  private void done(Item item, JsonObject finalShape, Buffer out) {
    output.set(item.index, finalShape);
    event(out, "response.output_item.done", new JsonObject().put("output_index", item.index).put("item", finalShape));
  }

  private static JsonObject item(Item item) {
    return new JsonObject().put("item_id", item.id).put("output_index", item.index);
  }

  private static JsonObject part(Item item) {
    return item(item).put("content_index", 0);
  }

  private void event(Buffer out, String type, JsonObject fields) {
    JsonObject data = new JsonObject().put("type", type).put("sequence_number", sequence++);
    fields.forEach(e -> data.put(e.getKey(), e.getValue()));
    out.appendString("event: ").appendString(type).appendString("\ndata: ").appendString(data.encode())
        .appendString("\n\n");
  }

  private static String cut(String s) {
    return s.length() > 200 ? s.substring(0, 200) + "…" : s;
  }
}
