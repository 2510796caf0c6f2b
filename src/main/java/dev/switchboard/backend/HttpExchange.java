package dev.switchboard.backend;

import dev.switchboard.bus.StreamSink;
import dev.switchboard.config.ModelDeployment;
import dev.switchboard.error.OpenAiError;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;

import java.net.ConnectException;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * One call answered by an HTTP backend: sends the provider's request, pipes the translated answer
 * into the stream sink chunk by chunk, pauses the backend while the client is not reading, and aborts
 * the upstream request on cancel or timeout so that the backend stops generating for nobody.
 *
 * <p>Timeouts (LiteLLM's meaning): {@code timeout} bounds the whole call; for streams,
 * {@code stream_timeout} bounds the wait for the first byte and between two chunks, and once the first
 * chunk came, {@code stream_silence_timeout} (when lower) bounds the silence between two chunks.
 */
final class HttpExchange implements Exchange {

  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(HttpExchange.class);

  /** Longest TCP connect: a refused connection fails at once anyway; this bounds a black hole. */
  private static final long MAX_CONNECT_MS = 5_000;

  private final Vertx vertx;
  private final HttpClient client;
  private final Provider provider;
  private final ModelDeployment d;
  private final StreamSink sink;
  private final Accounting acct;
  private final Consumer<ExchangeOutcome> onDone;
  private final int retries;
  private final ConnectionHistory connections;
  private int attempt;
  private boolean onReusedConnection;
  private UpstreamRequest up;
  private long idleMs;
  private long silenceMs;
  private boolean dataSeen;
  private HttpClientRequest request;
  private boolean answered;
  private long deadlineTimer = -1;
  private long silenceTimer = -1;
  private long lastDataAt;
  private long headersAt;
  private HeldResponse body;
  private String upstreamContentType;
  private boolean headSent;
  private boolean done;

  /**
   * @param retries how many times a request that never reached the backend (a pooled connection the
   *                backend had closed) is sent again; never once the backend started answering, and
   *                never after a fresh connection was lost (see {@link ConnectionHistory})
   */
  HttpExchange(Vertx vertx, HttpClient client, ConnectionHistory connections, Provider provider, ModelDeployment d,
               StreamSink sink, long acceptedAt, int retries, Consumer<ExchangeOutcome> onDone) {
    this.retries = retries;
    this.connections = connections;
    this.vertx = vertx;
    this.client = client;
    this.provider = provider;
    this.d = d;
    this.sink = sink;
    this.acct = new Accounting(sink.call(), d, acceptedAt);
    this.onDone = onDone;
  }

  @Override
  public void start() {
    acct.started();
    try {
      up = provider.toUpstream(sink.call(), d);
    } catch (OpenAiError.Failure f) {
      fail(f.error(), "error", ExchangeOutcome.Kind.CLIENT_ERROR, "not sent: the request does not suit this backend ("
          + f.error().type() + (f.error().param() == null ? "" : ", " + f.error().param()) + ")");
      return;
    }
    long timeoutMs = timeoutMs();
    idleMs = sink.call().stream() ? Math.min(d.streamTimeout().toMillis(), timeoutMs) : timeoutMs;
    silenceMs = Math.min(idleMs, d.streamSilenceTimeout().toMillis());
    deadlineTimer = vertx.setTimer(timeoutMs, id -> timedOut(timeoutMs / 1000.0 + " s (timeout)"));
    send();
  }

  /** The model's {@code timeout}, or the request's own {@code timeout} (seconds) as LiteLLM allows. */
  private long timeoutMs() {
    Object requested = sink.call().body().getValue("timeout");
    if (requested instanceof Number n && n.doubleValue() > 0) {
      return Math.max(1, (long) (n.doubleValue() * 1000));
    }
    return d.timeout().toMillis();
  }

  private void send() {
    attempt++;
    long timeoutMs = timeoutMs();
    RequestOptions options = new RequestOptions()
        .setMethod(up.method())
        .setAbsoluteURI(up.url())
        .setHeaders(up.headers())
        .setConnectTimeout(Math.min(timeoutMs, MAX_CONNECT_MS))
        .setIdleTimeout(idleMs);
    client.request(options)
        .compose(req -> {
          if (done) {
            // Given up (client gone, timeout) while the connection was being made: never start a
            // generation nobody will read.
            req.exceptionHandler(ourOwnReset -> { }).reset();
            return Future.failedFuture(new java.util.concurrent.CancellationException("call ended before sending"));
          }
          request = req;
          onReusedConnection = connections.reused(req.connection());
          return req.send(up.body());
        })
        .onComplete(ar -> {
          if (ar.succeeded()) {
            onResponse(ar.result());
          } else {
            onFailure(ar.cause());
          }
        });
  }

  @Override
  public void cancel(String reason) {
    if (done) {
      return;
    }
    done = true;
    abortUpstream();
    onDone.accept(new ExchangeOutcome(ExchangeOutcome.Kind.CANCELLED, reason));
  }

  @Override
  public long lastHeardAt() {
    return Math.max(headersAt, lastDataAt);
  }

  @Override
  public void cut(OpenAiError error) {
    fail(error, "error", ExchangeOutcome.Kind.CANCELLED);
  }

  private void onResponse(HttpClientResponse resp) {
    if (done) {
      return;
    }
    answered = true;
    headersAt = System.currentTimeMillis();
    int status = resp.statusCode();
    if (status < 200 || status >= 300) {
      resp.body().onComplete(ar -> {
        Buffer body = ar.succeeded() ? ar.result() : Buffer.buffer();
        OpenAiError err = provider.translateError(status < 400 ? 502 : status, resp.headers(), body, d);
        fail(err, "error", status >= 500 ? ExchangeOutcome.Kind.HTTP_ERROR : ExchangeOutcome.Kind.CLIENT_ERROR,
            "the backend answered HTTP " + status + " (" + err.type() + ")");
      });
      return;
    }
    upstreamContentType = resp.getHeader("content-type");
    ResponseTranslator translator = provider.translator(sink.call(), d, upstreamContentType);
    TranslationSink out = new Out();
    if (sink.call().stream()) {
      sendHead();
      lastDataAt = System.currentTimeMillis();
      watchSilence(idleMs);
    }
    body = new HeldResponse(resp, request.connection(), sink);
    resp.exceptionHandler(this::onFailure);
    body.start(chunk -> {
      acct.firstByte();
      lastDataAt = System.currentTimeMillis();
      if (!dataSeen) {
        dataSeen = true;
        if (sink.call().stream() && silenceMs < idleMs) {
          vertx.cancelTimer(silenceTimer); // the first token came: from now on the shorter silence limit
          watchSilence(silenceMs);
        }
      }
      try {
        translator.onData(chunk, out);
      } catch (RuntimeException bug) {
        translatorFailed(bug);
      }
    }, () -> {
      if (done) {
        return;
      }
      try {
        translator.onEnd(out);
      } catch (RuntimeException bug) {
        translatorFailed(bug);
        return;
      }
      if (!done) {
        finish();
      }
    });
  }

  /** A translator that throws on an answer it did not expect (our bug) ends the call, never hangs it. */
  private void translatorFailed(RuntimeException bug) {
    LOG.error("model {}: unexpected failure reading the backend's answer", d.modelName(), bug);
    fail(OpenAiError.internal("Internal error in Switchboard (logged) reading the answer of model=" + d.modelName()
        + ": " + bug.getClass().getSimpleName()), "error", ExchangeOutcome.Kind.BAD_ANSWER);
  }

  /**
   * stream_timeout once the stream's headers are in: Vert.x's idle timeout covers only the wait for
   * them, and llama-server or vLLM send them at once, then may go silent. After the first chunk, the
   * silence limit (a stuck backend, such as llama-server after one SIGTERM, keeps its connection open
   * and says nothing more). A stream we stopped reading because the client is not reading is not a
   * silent backend.
   */
  private void watchSilence(long delayMs) {
    silenceTimer = vertx.setTimer(Math.max(1, delayMs), id -> {
      if (done) {
        return;
      }
      long limit = dataSeen ? silenceMs : idleMs;
      long silent = System.currentTimeMillis() - Math.max(lastDataAt, body == null ? 0 : body.readingSince());
      boolean waiting = body != null && body.waiting();
      if (waiting || silent < limit) {
        watchSilence(waiting ? limit : limit - silent);
        return;
      }
      timedOut(silence());
    });
  }

  private String silence() {
    if (dataSeen && silenceMs < idleMs) {
      return silenceMs / 1000.0 + " s without data after the stream had started (stream_silence_timeout)";
    }
    return idleMs / 1000.0 + " s without data (stream_timeout)";
  }

  private void sendHead() {
    if (!headSent) {
      headSent = true;
      sink.head(200, acct.head(contentType()));
    }
  }

  /**
   * What the translator emits; for a JSON answer, the backend's own header when it names the same
   * type (llama-server's {@code application/json; charset=utf-8} keeps its charset).
   */
  private String contentType() {
    String ours = provider.contentType(sink.call());
    String theirs = upstreamContentType;
    if (!sink.call().stream() && theirs != null && theirs.regionMatches(true, 0, ours, 0, ours.length())
        && (theirs.length() == ours.length() || theirs.charAt(ours.length()) == ';')) {
      return theirs;
    }
    return ours;
  }

  private void onFailure(Throwable t) {
    if (done) {
      return;
    }
    if (t instanceof TimeoutException) {
      timedOut(sink.call().stream() ? silence() : timeoutMs() / 1000.0 + " s (timeout)");
      return;
    }
    if (!answered && onReusedConnection && attempt <= retries && isStaleConnection(t)) {
      // The request never got an answer on a connection the backend had closed while idle: it did not
      // reach the backend, so sending it again on a fresh connection is safe.
      request = null;
      send();
      return;
    }
    if (t instanceof ConnectException || isConnectFailure(t)) {
      fail(OpenAiError.unavailable("litellm.ServiceUnavailableError: Cannot connect to the backend of model="
              + d.modelName() + " at " + d.shownApiBase() + " (" + describe(t) + "). Is it running?"),
          "error", ExchangeOutcome.Kind.CONNECT_FAILED);
      return;
    }
    String when = headSent ? "while streaming its answer" : "before answering";
    fail(OpenAiError.unavailable("litellm.ServiceUnavailableError: The backend of model=" + d.modelName()
        + " at " + d.shownApiBase() + " failed " + when + ": " + describe(t)), "error",
        ExchangeOutcome.Kind.BACKEND_ERROR);
  }

  private static boolean isStaleConnection(Throwable t) {
    return t instanceof io.vertx.core.http.HttpClosedException
        || t instanceof io.vertx.core.VertxException && "Connection was closed".equals(t.getMessage())
        || t instanceof java.io.IOException && String.valueOf(t.getMessage()).contains("reset");
  }

  private static boolean isConnectFailure(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof ConnectException || c instanceof java.net.UnknownHostException
          || c instanceof java.net.NoRouteToHostException) {
        return true;
      }
    }
    return false;
  }

  private static String describe(Throwable t) {
    String m = t.getMessage();
    return m == null || m.isBlank() ? t.getClass().getSimpleName() : m;
  }

  private void timedOut(String what) {
    if (done) {
      return;
    }
    fail(OpenAiError.timeout("litellm.Timeout: Request to model=" + d.modelName() + " at " + d.shownApiBase()
        + " timed out after " + what + "; the upstream request was aborted"), "timeout",
        ExchangeOutcome.Kind.TIMEOUT);
  }

  private void fail(OpenAiError err, String outcome, ExchangeOutcome.Kind kind) {
    fail(err, outcome, kind, err.message());
  }

  /**
   * {@code reason}: why, for the request log; Switchboard's own words only, since a backend's message
   * may quote the prompt (the log never carries one).
   */
  private void fail(OpenAiError err, String outcome, ExchangeOutcome.Kind kind, String reason) {
    if (done) {
      return;
    }
    done = true;
    abortUpstream();
    JsonObject meta = acct.meta(outcome).put("error_type", err.type()).put("reason", reason);
    if (kind == ExchangeOutcome.Kind.CONNECT_FAILED) {
      meta.put("unsent", true); // the router may try another deployment: no backend saw this call
    }
    sink.error(err, meta);
    onDone.accept(new ExchangeOutcome(kind, err.message()));
  }

  private void finish() {
    done = true;
    vertx.cancelTimer(deadlineTimer);
    vertx.cancelTimer(silenceTimer);
    sendHead();
    sink.end(acct.meta("ok"));
    onDone.accept(ExchangeOutcome.ok(acct));
  }

  private void abortUpstream() {
    if (body != null) {
      body.stop();
    }
    vertx.cancelTimer(deadlineTimer);
    vertx.cancelTimer(silenceTimer);
    if (request != null) {
      request.reset();
    }
  }

  /** Translated output goes to the client; a translator's failure ends the call. */
  private final class Out implements TranslationSink {
    @Override
    public void emit(Buffer clientBytes) {
      if (done) {
        return;
      }
      sendHead();
      sink.data(clientBytes);
    }

    @Override
    public void usage(long promptTokens, long completionTokens) {
      acct.promptTokens = promptTokens;
      acct.completionTokens = completionTokens;
    }

    @Override
    public void fail(OpenAiError error) {
      HttpExchange.this.fail(error, "error", ExchangeOutcome.Kind.BAD_ANSWER,
          "the backend's answer was an error or could not be read (" + error.type() + ")");
    }
  }
}
