package dev.switchboard.anthropic;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * One chat-completion stream (OpenAI SSE, in pieces of any size) as Anthropic's Messages stream, event by
 * event as chunks arrive: {@code message_start}; per content block {@code content_block_start}, its
 * deltas ({@code thinking_delta}, {@code text_delta}, {@code input_json_delta}) and
 * {@code content_block_stop}, one block open at a time with indexes in order, never a delta for a block
 * that is not open; then {@code message_delta} (stop reason, usage) and {@code message_stop}. A backend's
 * error event becomes Anthropic's {@code error} event. One instance per request; not thread-safe.
 */
public final class ChatStreamToMessages {

  private enum Block { NONE, THINKING, TEXT, TOOL }

  private final String model;
  private final long estimatedInputTokens;
  private Buffer partial = Buffer.buffer();
  private boolean started;
  private boolean done;
  private Block open = Block.NONE;
  private int openIndex = -1;
  private int nextIndex;
  /** The stream's tool-call index to the content block it opened. */
  private final Map<Integer, Integer> toolBlocks = new HashMap<>();
  private int openTool = -1;
  private String finishReason;
  private boolean sawToolUse;
  private JsonObject usage;

  /**
   * {@code model}: the name the client asked for; {@code estimatedInputTokens}: what message_start says
   * before the backend's count is known (it comes with the last chunk, and message_delta carries it).
   */
  public ChatStreamToMessages(String model, long estimatedInputTokens) {
    this.model = model;
    this.estimatedInputTokens = estimatedInputTokens;
  }

  /** Whether the stream has ended (message_stop or an error event written). */
  public boolean isDone() {
    return done;
  }


  /** The Anthropic events for the next piece of the chat stream (possibly none yet). */
  public Buffer data(Buffer piece) {
    Buffer out = Buffer.buffer();
    if (done) {
      return out;
    }
    Buffer bytes = partial.length() == 0 ? piece : partial.appendBuffer(piece);
    int lineStart = 0;
    for (int i = 0; i < bytes.length() && !done; i++) {
      if (bytes.getByte(i) == '\n') {
        line(bytes.getString(lineStart, i, StandardCharsets.UTF_8.name()), out);
        lineStart = i + 1;
      }
    }
    partial = done || lineStart == bytes.length() ? Buffer.buffer() : bytes.getBuffer(lineStart, bytes.length());
    return out;
  }

  /** What ends the stream when the backend's ended: the closing events, unless they went out already. */
  public Buffer end() {
    Buffer out = Buffer.buffer();
    if (partial.length() > 0 && !done) {
      line(partial.toString(StandardCharsets.UTF_8), out);
      partial = Buffer.buffer();
    }
    finish(out);
    return out;
  }

  /** An error event that ends the stream (the backend failed, the client's time ran out, ...). */
  public Buffer error(int status, String message) {
    Buffer out = Buffer.buffer();
    if (!done) {
      done = true;
      event(out, "error", AnthropicErrors.body(status, message));
    }
    return out;
  }

  /** A ping, for a stream the backend keeps silent (Claude Code gives up after minutes without a byte). */
  public Buffer ping() {
    Buffer out = Buffer.buffer();
    if (!done) {
      start(out);
      event(out, "ping", new JsonObject().put("type", "ping"));
    }
    return out;
  }

  private void line(String line, Buffer out) {
    String l = line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
    if (!l.startsWith("data:")) {
      return; // blank separators, comments, event names: OpenAI's stream carries all in data lines
    }
    String payload = l.substring(5).trim();
    if (payload.equals("[DONE]")) {
      finish(out);
      return;
    }
    JsonObject chunk;
    try {
      chunk = new JsonObject(payload);
    } catch (RuntimeException notJson) {
      return;
    }
    if (chunk.getValue("error") != null) {
      Object e = chunk.getValue("error");
      String message = e instanceof JsonObject o ? o.getString("message", o.encode()) : String.valueOf(e);
      int status = e instanceof JsonObject o && o.getValue("code") != null ? statusOf(o.getValue("code")) : 500;
      out.appendBuffer(error(status, message));
      return;
    }
    start(out);
    if (chunk.getValue("usage") instanceof JsonObject u) {
      usage = u;
    }
    if (!(chunk.getValue("choices") instanceof JsonArray choices) || choices.isEmpty()
        || !(choices.getValue(0) instanceof JsonObject choice)) {
      return;
    }
    if (choice.getValue("delta") instanceof JsonObject delta) {
      String reasoning = ChatToMessage.reasoning(delta);
      if (reasoning != null && !reasoning.isEmpty()) {
        open(out, Block.THINKING, new JsonObject().put("type", "thinking").put("thinking", "").put("signature", ""));
        delta(out, new JsonObject().put("type", "thinking_delta").put("thinking", reasoning));
      }
      if (delta.getValue("content") instanceof String text && !text.isEmpty()) {
        open(out, Block.TEXT, new JsonObject().put("type", "text").put("text", ""));
        delta(out, new JsonObject().put("type", "text_delta").put("text", text));
      }
      if (delta.getValue("tool_calls") instanceof JsonArray calls) {
        for (int i = 0; i < calls.size(); i++) {
          if (calls.getValue(i) instanceof JsonObject call) {
            toolCall(out, call, i);
          }
        }
      }
    }
    if (choice.getValue("finish_reason") instanceof String finish) {
      finishReason = finish;
    }
  }

  private void toolCall(Buffer out, JsonObject call, int position) {
    int index = call.getValue("index") instanceof Number n ? n.intValue() : position;
    JsonObject fn = call.getValue("function") instanceof JsonObject f ? f : new JsonObject();
    if (!toolBlocks.containsKey(index)) {
      closeBlock(out);
      String id = call.getValue("id") instanceof String s && !s.isEmpty() ? s : "toolu_" + ChatToMessage.messageId().substring(4);
      toolBlocks.put(index, nextIndex);
      openTool = index;
      sawToolUse = true;
      openBlock(out, Block.TOOL, new JsonObject().put("type", "tool_use").put("id", id)
          .put("name", fn.getString("name", "")).put("input", new JsonObject()));
    }
    if (fn.getValue("arguments") instanceof String args && !args.isEmpty() && open == Block.TOOL && openTool == index) {
      delta(out, new JsonObject().put("type", "input_json_delta").put("partial_json", args));
    }
    // Arguments for a call whose block was closed (calls interleaved) cannot be sent: Anthropic's stream
    // has no delta for a stopped block, and Claude Code stops reading at one.
  }

  private void start(Buffer out) {
    if (started) {
      return;
    }
    started = true;
    JsonObject message = new JsonObject().put("id", ChatToMessage.messageId()).put("type", "message")
        .put("role", "assistant").put("model", model).put("content", new JsonArray())
        .put("stop_reason", null).put("stop_sequence", null)
        .put("usage", new JsonObject().put("input_tokens", estimatedInputTokens).put("cache_creation_input_tokens", 0)
            .put("cache_read_input_tokens", 0).put("output_tokens", 0));
    event(out, "message_start", new JsonObject().put("type", "message_start").put("message", message));
  }

  /** Opens a block of {@code kind} unless one is open already (text after text continues it). */
  private void open(Buffer out, Block kind, JsonObject contentBlock) {
    if (open == kind && kind != Block.TOOL) {
      return;
    }
    closeBlock(out);
    openBlock(out, kind, contentBlock);
  }

  private void openBlock(Buffer out, Block kind, JsonObject contentBlock) {
    open = kind;
    openIndex = nextIndex++;
    event(out, "content_block_start", new JsonObject().put("type", "content_block_start").put("index", openIndex)
        .put("content_block", contentBlock));
  }

  private void delta(Buffer out, JsonObject delta) {
    event(out, "content_block_delta", new JsonObject().put("type", "content_block_delta").put("index", openIndex)
        .put("delta", delta));
  }

  private void closeBlock(Buffer out) {
    if (open == Block.NONE) {
      return;
    }
    event(out, "content_block_stop", new JsonObject().put("type", "content_block_stop").put("index", openIndex));
    open = Block.NONE;
    openTool = -1;
  }

  private void finish(Buffer out) {
    if (done) {
      return;
    }
    start(out);
    closeBlock(out);
    String stop = finishReason == null && sawToolUse ? "tool_use"
        : ChatToMessage.stopReason(finishReason, sawToolUse
            ? new JsonArray().add(new JsonObject().put("type", "tool_use")) : null);
    JsonObject finalUsage = ChatToMessage.usage(usage, estimatedInputTokens);
    event(out, "message_delta", new JsonObject().put("type", "message_delta")
        .put("delta", new JsonObject().put("stop_reason", stop).put("stop_sequence", null))
        .put("usage", finalUsage));
    event(out, "message_stop", new JsonObject().put("type", "message_stop"));
    done = true;
  }

  private static int statusOf(Object code) {
    try {
      int s = code instanceof Number n ? n.intValue() : Integer.parseInt(String.valueOf(code));
      return s >= 400 && s < 600 ? s : 500;
    } catch (NumberFormatException notAStatus) {
      return 500;
    }
  }

  private static void event(Buffer out, String name, JsonObject data) {
    out.appendString("event: ").appendString(name).appendString("\ndata: ").appendString(data.encode())
        .appendString("\n\n");
  }
}
