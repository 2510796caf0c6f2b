package dev.switchboard.backend;

import dev.switchboard.bus.AnswerStream;
import dev.switchboard.error.OpenAiError;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.VertxException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.streams.WriteStream;

/**
 * The translating stage of the pipe from a backend's body to the call's {@link AnswerStream}: each
 * piece of the body goes through the call's {@link ResponseTranslator} and what it makes of it goes on;
 * backpressure is the answer stream's. Ending this stage flushes the translator (the answer itself is
 * ended by the exchange, with its accounting). An answer the translator finds broken, or a translator
 * that throws, fails the write, and so the pipe.
 *
 * <p>The head goes out with the first bytes at the latest, so that a non-streamed answer the translator
 * rejects is still a plain error with its status.
 */
final class Translation implements WriteStream<Buffer> {

  private final ResponseTranslator translator;
  private final AnswerStream answer;
  private final JsonObject head;

  Translation(ResponseTranslator translator, AnswerStream answer, JsonObject head) {
    this.translator = translator;
    this.answer = answer;
    this.head = head;
  }

  @Override
  public Future<Void> write(Buffer chunk) {
    Buffer out;
    try {
      out = translator.translate(chunk);
    } catch (RuntimeException bug) {
      return Future.failedFuture(new TranslatorFailed(bug));
    }
    return forward(out);
  }

  @Override
  public Future<Void> end() {
    Buffer out;
    try {
      out = translator.end();
    } catch (RuntimeException bug) {
      return Future.failedFuture(new TranslatorFailed(bug));
    }
    return forward(out);
  }

  /** Sends what the translator made, then its verdict: a broken answer fails the pipe. */
  private Future<Void> forward(Buffer out) {
    Future<Void> written = Future.succeededFuture();
    if (out.length() > 0) {
      answer.head(200, head);
      written = answer.write(out);
    }
    OpenAiError failure = translator.failure();
    return failure == null ? written : Future.failedFuture(failure.asException());
  }

  @Override
  public boolean writeQueueFull() {
    return answer.writeQueueFull();
  }

  @Override
  public Translation drainHandler(Handler<Void> handler) {
    answer.drainHandler(handler);
    return this;
  }

  @Override
  public Translation exceptionHandler(Handler<Throwable> handler) {
    answer.exceptionHandler(handler);
    return this;
  }

  @Override
  public Translation setWriteQueueMaxSize(int maxSize) {
    return this;
  }

  /** A translator threw on an answer it did not expect: our bug, not the backend's. */
  static final class TranslatorFailed extends VertxException {
    TranslatorFailed(RuntimeException bug) {
      super(bug);
    }
  }
}
