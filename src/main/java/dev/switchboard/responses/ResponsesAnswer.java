package dev.switchboard.responses;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * A whole chat completion → a Response object: reasoning (from {@code reasoning_content}, or
 * {@code reasoning} as some servers name it), then the message, then one {@code function_call} item per
 * tool call ({@code custom_tool_call} for a freeform tool), in that order, as OpenAI lists them.
 */
public final class ResponsesAnswer {

  private ResponsesAnswer() {
  }

  public static JsonObject translate(JsonObject completion, String id, String model, ResponsesRequest request) {
    long created = completion.getValue("created") instanceof Number n ? n.longValue()
        : System.currentTimeMillis() / 1000;
    JsonObject response = ResponseObject.envelope(id, created, model, request.echo(), "completed");
    JsonArray output = response.getJsonArray("output");
    JsonObject choice = completion.getValue("choices") instanceof JsonArray choices && !choices.isEmpty()
        && choices.getValue(0) instanceof JsonObject c ? c : new JsonObject();
    JsonObject message = choice.getValue("message") instanceof JsonObject m ? m : new JsonObject();
    String reasoning = reasoningOf(message);
    if (reasoning != null && !reasoning.isEmpty()) {
      output.add(ResponseObject.reasoning(ResponseObject.itemId("rs"), reasoning));
    }
    if (message.getValue("content") instanceof String text && !text.isEmpty()) {
      output.add(ResponseObject.message(ResponseObject.itemId("msg"), text, "completed"));
    }
    if (message.getValue("tool_calls") instanceof JsonArray calls) {
      for (Object c : calls) {
        if (c instanceof JsonObject call && call.getValue("function") instanceof JsonObject f) {
          Object args = f.getValue("arguments");
          output.add(ResponseObject.call(ResponseObject.itemId(request.names().isCustom(f.getString("name"))
                  ? "ctc" : "fc"), call.getString("id", ResponseObject.itemId("call")), f.getString("name"),
              args instanceof String s ? s : args == null ? "{}" : args.toString(), "completed", request.names()));
        }
      }
    }
    ResponseObject.finish(response, choice.getString("finish_reason"));
    response.put("usage", ResponseObject.usage(completion.getJsonObject("usage")));
    return response;
  }

  /** The reasoning text of a chat message or delta: {@code reasoning_content}, else {@code reasoning}. */
  static String reasoningOf(JsonObject messageOrDelta) {
    if (messageOrDelta.getValue("reasoning_content") instanceof String r) {
      return r;
    }
    return messageOrDelta.getValue("reasoning") instanceof String r ? r : null;
  }
}
