package dev.switchboard.bus;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;

/**
 * A request for a model, as the API verticle sends it to the model's BackendVerticle
 * ({@link Addresses#backend}). Immutable; {@code body} is the parsed client body and must be treated
 * as read-only (locally it is handed over without a copy).
 *
 * @param requestId  the call id ({@code x-litellm-call-id}), for logs and metrics
 * @param streamId   identifies this call's frames in both directions
 * @param replyTo    the API endpoint address that receives this call's frames
 * @param endpoint   which OpenAI endpoint the client called
 * @param modelName  the model name the client asked for (the response is re-stamped with it)
 * @param body       the client's JSON body
 * @param rawBody    the bytes {@code body} was parsed from, exactly as the client sent them, or null
 *                   when {@code body} no longer matches them; lets a backend that forwards the body
 *                   edit the bytes instead of encoding the parsed object again (an agent's context
 *                   is often hundreds of KB). Read-only, like {@code body}
 * @param stream     whether the client asked for {@code stream: true}
 * @param window     how many bytes of DATA the backend may send before it needs a credit
 * @param startedAt  when the API received the request (epoch millis), for latency accounting
 */
public record Call(
    String requestId,
    String streamId,
    String replyTo,
    Endpoint endpoint,
    String modelName,
    JsonObject body,
    Buffer rawBody,
    boolean stream,
    int window,
    long startedAt) {

  /** A call to send: {@link dev.switchboard.bus.impl.CallClient} gives it its stream id, address and window. */
  public static Call of(String requestId, Endpoint endpoint, String modelName, JsonObject body, Buffer rawBody,
                        boolean stream, long startedAt) {
    return new Call(requestId, null, null, endpoint, modelName, body, rawBody, stream, 0, startedAt);
  }

  /** This call under {@code streamId}, answered to {@code replyTo}, with {@code window} bytes of credit. */
  public Call withStream(String streamId, String replyTo, int window) {
    return new Call(requestId, streamId, replyTo, endpoint, modelName, body, rawBody, stream, window, startedAt);
  }
}
