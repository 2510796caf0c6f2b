package dev.switchboard.backend.ollama;

import dev.switchboard.bus.Call;
import dev.switchboard.config.ModelDeployment;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * /api/chat lines → {@code chat.completion.chunk} events. The first delta carries the role;
 * {@code message.thinking} becomes {@code delta.reasoning_content} (never content); tool calls, which
 * Ollama sends whole in one line, become tool-call deltas with index, id, type, name and the full
 * arguments string, and make the finish_reason {@code tool_calls} (LiteLLM issues #6135, #7094, #35711:
 * there they arrive as text or with finish_reason stop).
 */
final class OllamaChatStreamTranslator extends OllamaStreamTranslator {

  private boolean roleSent;
  private int toolCalls;

  OllamaChatStreamTranslator(Call call, ModelDeployment deployment) {
    super(call, deployment, "chatcmpl-", "chat.completion.chunk");
  }

  @Override
  void delta(JsonObject line, Buffer into) {
    JsonObject message = line.getValue("message") instanceof JsonObject m ? m : new JsonObject();
    JsonObject delta = new JsonObject();
    if (!roleSent) {
      delta.put("role", "assistant");
    }
    String thinking = message.getString("thinking");
    if (thinking != null && !thinking.isEmpty()) {
      delta.put("reasoning_content", thinking);
    }
    String content = message.getString("content");
    if (content != null && !content.isEmpty()) {
      delta.put("content", content);
    }
    if (message.getValue("tool_calls") instanceof JsonArray calls && !calls.isEmpty()) {
      delta.put("tool_calls", OllamaAnswers.toolCalls(calls, toolCalls, true));
      toolCalls += calls.size();
    }
    boolean carries = delta.size() > (roleSent ? 0 : 1);
    if (!carries && roleSent) {
      return; // nothing to say, e.g. the done line's empty message
    }
    if (!roleSent && !delta.containsKey("content") && !delta.containsKey("tool_calls")) {
      delta.put("content", "");
    }
    roleSent = true;
    event(into, new JsonArray().add(new JsonObject().put("index", 0).put("delta", delta)
        .putNull("finish_reason")), null);
  }

  @Override
  JsonObject finalChoice(JsonObject doneLine) {
    return new JsonObject().put("index", 0).put("delta", new JsonObject())
        .put("finish_reason", OllamaAnswers.finishReason(doneLine, toolCalls > 0));
  }
}
