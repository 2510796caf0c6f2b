package dev.switchboard.backend;

import dev.switchboard.bus.AnswerStream;
import dev.switchboard.bus.Call;
import dev.switchboard.bus.Endpoint;
import dev.switchboard.config.ModelDeployment;
import dev.switchboard.error.OpenAiError;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * LiteLLM's {@code mock_response}: an answer in OpenAI's shape with no backend at all, streamed word
 * by word when asked. For trying Switchboard on a bare machine and for tests, not for production.
 */
final class MockExchange implements Exchange {

  private static final Pattern WORDS = Pattern.compile("\\S*\\s*");

  private final AnswerStream answer;
  private final String text;
  private final Accounting accounting;

  MockExchange(ModelDeployment deployment, AnswerStream answer, long acceptedAt, String text) {
    this.answer = answer;
    this.text = text;
    this.accounting = new Accounting(answer.call(), deployment, acceptedAt);
  }

  /** The mock text for a call: the request's {@code mock_response}, else the model's; null if neither. */
  static String mockText(Call call, ModelDeployment deployment) {
    Object fromRequest = call.body().get("mock_response");
    if (fromRequest != null) {
      return String.valueOf(fromRequest);
    }
    Object fromConfig = deployment.litellmParams().getValue("mock_response");
    return fromConfig == null ? null : String.valueOf(fromConfig);
  }

  /** The whole answer is written at once; it ends as the answer stream takes it, within its window or not. */
  @Override
  public Future<ExchangeOutcome> start() {
    accounting.started();
    accounting.firstByte();
    Call call = answer.call();
    long prompt = Math.max(1, call.body().bytes().length() / 4);
    long completion = Math.max(1, text.length() / 4);
    accounting.promptTokens = prompt;
    accounting.completionTokens = call.endpoint() == Endpoint.EMBEDDINGS ? 0 : completion;
    answer.head(200, accounting.head(call.stream() ? "text/event-stream" : "application/json"));
    if (call.stream()) {
      stream(call, prompt, completion);
    } else {
      answer.write(whole(call, prompt, completion).toBuffer());
    }
    return answer.end(accounting.meta("ok")).transform(ar -> Future.succeededFuture(ar.succeeded()
        ? ExchangeOutcome.ok(accounting) : new ExchangeOutcome(ExchangeOutcome.Kind.CANCELLED, "cancelled")));
  }

  @Override
  public void cancel(OpenAiError error) {
    // The whole answer was written in start(); what the client has not taken yet ends with the node.
  }

  private JsonObject whole(Call call, long prompt, long completion) {
    String id = "chatcmpl-" + UUID.randomUUID();
    long created = System.currentTimeMillis() / 1000;
    JsonObject usage = new JsonObject().put("prompt_tokens", prompt);
    return switch (call.endpoint()) {
      case EMBEDDINGS -> new JsonObject().put("object", "list").put("model", call.modelName())
          .put("data", new JsonArray().add(new JsonObject().put("object", "embedding").put("index", 0)
              .put("embedding", new JsonArray().add(0.1).add(0.2).add(0.3))))
          .put("usage", usage.put("total_tokens", prompt));
      case COMPLETIONS -> new JsonObject().put("id", id).put("object", "text_completion")
          .put("created", created).put("model", call.modelName())
          .put("choices", new JsonArray().add(new JsonObject().put("index", 0).put("text", text)
              .put("logprobs", (Object) null).put("finish_reason", "stop")))
          .put("usage", usage.put("completion_tokens", completion).put("total_tokens", prompt + completion));
      case INPUT_TOKENS -> new JsonObject().put("object", "response.input_tokens").put("input_tokens", prompt);
      case CHAT, MESSAGES, COUNT_TOKENS, RESPONSES -> new JsonObject().put("id", id).put("object", "chat.completion")
          .put("created", created).put("model", call.modelName())
          .put("choices", new JsonArray().add(new JsonObject().put("index", 0)
              .put("message", new JsonObject().put("role", "assistant").put("content", text))
              .put("finish_reason", "stop")))
          .put("usage", usage.put("completion_tokens", completion).put("total_tokens", prompt + completion));
    };
  }

  private void stream(Call call, long prompt, long completion) {
    String id = "chatcmpl-" + UUID.randomUUID();
    long created = System.currentTimeMillis() / 1000;
    boolean chat = call.endpoint() == Endpoint.CHAT;
    String object = chat ? "chat.completion.chunk" : "text_completion";
    Matcher m = WORDS.matcher(text);
    boolean first = true;
    while (m.find() && !m.group().isEmpty()) {
      JsonObject choice = new JsonObject().put("index", 0);
      if (chat) {
        JsonObject delta = new JsonObject().put("content", m.group());
        if (first) {
          delta.put("role", "assistant");
        }
        choice.put("delta", delta);
      } else {
        choice.put("text", m.group());
      }
      first = false;
      send(chunk(id, object, created, call).put("choices", new JsonArray().add(choice.put("finish_reason", (Object) null))));
    }
    JsonObject last = new JsonObject().put("index", 0).put("finish_reason", "stop");
    last.put(chat ? "delta" : "text", chat ? new JsonObject() : "");
    send(chunk(id, object, created, call).put("choices", new JsonArray().add(last)));
    JsonObject options = call.body().get("stream_options") instanceof JsonObject o ? o : null;
    if (options != null && Boolean.TRUE.equals(options.getValue("include_usage"))) {
      send(chunk(id, object, created, call).put("choices", new JsonArray()).put("usage", new JsonObject()
          .put("prompt_tokens", prompt).put("completion_tokens", completion).put("total_tokens", prompt + completion)));
    }
    answer.write(Buffer.buffer("data: [DONE]\n\n"));
  }

  private static JsonObject chunk(String id, String object, long created, Call call) {
    return new JsonObject().put("id", id).put("object", object).put("created", created).put("model", call.modelName());
  }

  private void send(JsonObject event) {
    answer.write(Buffer.buffer("data: " + event.encode() + "\n\n"));
  }
}
