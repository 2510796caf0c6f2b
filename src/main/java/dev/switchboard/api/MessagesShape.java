package dev.switchboard.api;

import dev.switchboard.anthropic.AnthropicErrors;
import dev.switchboard.anthropic.ChatStreamToMessages;
import dev.switchboard.anthropic.ChatToMessage;
import dev.switchboard.error.OpenAiError;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * A chat-completions answer written as Anthropic's Messages API: a message, its stream of events, or an
 * Anthropic error, with the status the backend or Switchboard gave. One per request.
 */
final class MessagesShape implements AnswerShape {

  /** Writes only errors, in Anthropic's shape: for requests refused before they have a shape of their own. */
  static final AnswerShape ERRORS = new AnswerShape() {
    @Override
    public void error(RoutingContext ctx, OpenAiError error) {
      write(ctx, error);
    }
  };

  private final String model;
  private final ChatStreamToMessages stream;
  /** The backend answered an error status: its body is an error to reshape whole, streamed or not. */
  private boolean backendError;
  private Buffer errorBody;
  private long lastDataAt = System.currentTimeMillis();
  /** A deployment that speaks Messages itself is answering: its bytes go through as they are. */
  private boolean nativeAnswer;
  private boolean nativeData;
  /** The last bytes passed through, to tell whether they end an event (a ping must not split one). */
  private final byte[] nativeTail = new byte[3];

  MessagesShape(String model, long estimatedInputTokens) {
    this.model = model;
    this.stream = new ChatStreamToMessages(model, estimatedInputTokens);
  }

  /** The stream's translator, for the pings a silent backend's stream gets. */
  ChatStreamToMessages stream() {
    return stream;
  }

  /**
   * The shape of an answer from a deployment that speaks Messages itself: its events pass through
   * whole (the backend's translator re-stamped the model), errors are Anthropic's, and the silence
   * between events is measured here too, for the pings.
   */
  AnswerShape passThrough() {
    return new AnswerShape() {
      @Override
      public String head(int status, boolean streaming) {
        nativeAnswer = true;
        return null;
      }

      @Override
      public Buffer streamData(Buffer data) {
        lastDataAt = System.currentTimeMillis();
        nativeData = true;
        for (int i = Math.max(0, data.length() - nativeTail.length); i < data.length(); i++) {
          System.arraycopy(nativeTail, 1, nativeTail, 0, nativeTail.length - 1);
          nativeTail[nativeTail.length - 1] = data.getByte(i);
        }
        return data;
      }

      @Override
      public void error(RoutingContext ctx, OpenAiError error) {
        HttpServerResponse resp = ctx.response();
        if (resp.headWritten() && !resp.ended() && !resp.closed()) {
          resp.end(stream.error(error.status(), error.message()));
          return;
        }
        write(ctx, error);
      }
    };
  }

  /**
   * A ping for a stream whose backend is silent, or null when none may go now: a translated stream
   * starts itself with it if need be; a passed-through one only after its backend's own message_start,
   * and only between two of its events (its bytes come in pieces of any size).
   */
  Buffer ping() {
    if (!nativeAnswer) {
      return stream.ping();
    }
    return nativeData && endsAnEvent() ? Buffer.buffer("event: ping\ndata: {\"type\": \"ping\"}\n\n") : null;
  }

  /** Whether the bytes passed through so far end with a blank line (LF LF, or LF CR LF). */
  private boolean endsAnEvent() {
    byte[] t = nativeTail;
    return t[2] == '\n' && (t[1] == '\n' || t[1] == '\r' && t[0] == '\n');
  }

  /** A ping went out: the silence is measured again from now. */
  void pinged() {
    lastDataAt = System.currentTimeMillis();
  }

  /** Milliseconds since the backend last sent something, or a ping went out (or since the request came). */
  long silentFor() {
    return System.currentTimeMillis() - lastDataAt;
  }

  @Override
  public String head(int status, boolean streaming) {
    backendError = status >= 400;
    if (backendError) {
      errorBody = Buffer.buffer();
      return "application/json";
    }
    return streaming ? "text/event-stream" : "application/json";
  }

  @Override
  public Buffer streamData(Buffer data) {
    lastDataAt = System.currentTimeMillis();
    if (backendError) {
      errorBody.appendBuffer(data);
      return Buffer.buffer();
    }
    return stream.data(data);
  }

  @Override
  public Buffer streamEnd() {
    if (backendError) {
      return Buffer.buffer(AnthropicErrors.fromBackend(500, errorBody.toString()).encode());
    }
    return stream.end();
  }

  @Override
  public Buffer body(int status, Buffer body) {
    if (status >= 400) {
      return Buffer.buffer(AnthropicErrors.fromBackend(status, body.toString()).encode());
    }
    try {
      return Buffer.buffer(ChatToMessage.translate(new JsonObject(body), model).encode());
    } catch (RuntimeException notACompletion) {
      return Buffer.buffer(AnthropicErrors.body(502, "The backend's answer is not a chat completion: "
          + body.toString().substring(0, Math.min(200, body.length()))).encode());
    }
  }

  @Override
  public void error(RoutingContext ctx, OpenAiError error) {
    write(ctx, error);
  }

  /**
   * An Anthropic error: a JSON answer with its status before anything went out, else the stream's last
   * event. Errors retrying cannot fix say {@code x-should-retry: false}: Claude Code otherwise retries a
   * 401 for minutes without a word.
   */
  static void write(RoutingContext ctx, OpenAiError error) {
    HttpServerResponse resp = ctx.response();
    if (resp.ended() || resp.closed()) {
      return;
    }
    if (resp.headWritten()) {
      resp.end(Buffer.buffer("event: error\ndata: " + AnthropicErrors.body(error).encode() + "\n\n"));
      return;
    }
    if (error.retryAfterSeconds() != null) {
      resp.putHeader("retry-after", String.valueOf(error.retryAfterSeconds()));
    }
    if (error.retryCannotHelp()) {
      resp.putHeader("x-should-retry", "false");
    }
    resp.setStatusCode(error.status()).putHeader("content-type", "application/json").end(AnthropicErrors.body(error).encode());
  }
}
