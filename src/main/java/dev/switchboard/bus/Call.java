package dev.switchboard.bus;

/**
 * A request for a model, as the API verticle sends it to the model's BackendVerticle
 * ({@link Addresses#backend}). Immutable; locally its {@code body} is handed over without a copy.
 *
 * @param requestId  the call id ({@code x-litellm-call-id}), for logs and metrics
 * @param streamId   identifies this call's frames in both directions
 * @param replyTo    the API endpoint address that receives this call's frames
 * @param endpoint   which OpenAI endpoint the client called
 * @param modelName  the model name the client asked for (the response is re-stamped with it)
 * @param body       the JSON body: the client's bytes as read by one pass (a backend that forwards
 *                   them edits {@code model} in place; an agent's context is often hundreds of KB),
 *                   or one the gateway made (a front door's translation)
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
    RequestBody body,
    boolean stream,
    int window,
    long startedAt) {

  /** A call to send: {@link dev.switchboard.bus.impl.CallClient} gives it its stream id, address and window. */
  public static Call of(String requestId, Endpoint endpoint, String modelName, RequestBody body, boolean stream,
                        long startedAt) {
    return new Call(requestId, null, null, endpoint, modelName, body, stream, 0, startedAt);
  }

  /** This call under {@code streamId}, answered to {@code replyTo}, with {@code window} bytes of credit. */
  public Call withStream(String streamId, String replyTo, int window) {
    return new Call(requestId, streamId, replyTo, endpoint, modelName, body, stream, window, startedAt);
  }
}
