package dev.switchboard.backend;

import dev.switchboard.error.OpenAiError;
import io.vertx.core.buffer.Buffer;

/** Where a {@link ResponseTranslator} puts what it made of the backend's bytes. */
public interface TranslationSink {

  /** Bytes for the client, in OpenAI's format (an SSE event or a whole JSON body). */
  void emit(Buffer clientBytes);

  /** Token counts reported by the backend, when it reports them. */
  void usage(long promptTokens, long completionTokens);

  /** The backend's answer is broken (e.g. a malformed line): the call ends with this error. */
  void fail(OpenAiError error);
}
