package dev.switchboard.backend;

import dev.switchboard.bus.AnswerStream;
import dev.switchboard.config.ModelDeployment;
import dev.switchboard.error.OpenAiError;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeoutException;

/**
 * One call answered by an HTTP backend: sends the provider's request, then pipes the backend's body
 * through the call's translator into its answer stream ({@link HeldResponse} → {@link Translation} →
 * {@link AnswerStream}), so a client that does not read stops the reading of the backend's socket; and
 * cancels the upstream request on cancel or timeout so that the backend stops generating for nobody.
 *
 * <p>Timeouts (LiteLLM's meaning): {@code timeout} bounds the whole call; for streams,
 * {@code stream_timeout} bounds the wait for the first byte and between two chunks, and once the first
 * chunk came, {@code stream_silence_timeout} (when lower) bounds the silence between two chunks.
 */
final class HttpExchange implements Exchange {

  private static final Logger LOG = LoggerFactory.getLogger(HttpExchange.class);

  /** Longest TCP connect: a refused connection fails at once anyway; this bounds a black hole. */
  private static final long MAX_CONNECT_MS = 5_000;

  private final Vertx vertx;
  private final HttpClient client;
  private final Provider provider;
  private final ModelDeployment deployment;
  private final AnswerStream answer;
  private final Accounting accounting;
  private final Promise<ExchangeOutcome> outcome = Promise.promise();
  private final int retries;
  private final ConnectionHistory connections;
  private int attempt;
  private boolean onReusedConnection;
  private UpstreamRequest upstream;
  private long idleMs;
  private long silenceMs;
  private HttpClientRequest request;
  private boolean answered;
  private long deadlineTimer = -1;
  private long silenceTimer = -1;
  private long headersAt;
  private HeldResponse body;
  private String upstreamContentType;
  private boolean done;

  /**
   * @param retries how many times a request that never reached the backend (a pooled connection the
   *                backend had closed) is sent again; never once the backend started answering, and
   *                never after a fresh connection was lost (see {@link ConnectionHistory})
   */
  HttpExchange(Vertx vertx, HttpClient client, ConnectionHistory connections, Provider provider,
               ModelDeployment deployment, AnswerStream answer, long acceptedAt, int retries) {
    this.retries = retries;
    this.connections = connections;
    this.vertx = vertx;
    this.client = client;
    this.provider = provider;
    this.deployment = deployment;
    this.answer = answer;
    this.accounting = new Accounting(answer.call(), deployment, acceptedAt);
  }

  @Override
  public Future<ExchangeOutcome> start() {
    accounting.started();
    answer.cancelled().onSuccess(this::cancel);
    try {
      upstream = provider.toUpstream(answer.call(), deployment);
    } catch (OpenAiError.Failure f) {
      fail(f.error(), "error", ExchangeOutcome.Kind.CLIENT_ERROR, "not sent: the request does not suit this backend ("
          + f.error().type() + (f.error().param() == null ? "" : ", " + f.error().param()) + ")");
      return outcome.future();
    }
    long timeoutMs = timeoutMs();
    idleMs = answer.call().stream() ? Math.min(deployment.streamTimeout().toMillis(), timeoutMs) : timeoutMs;
    silenceMs = Math.min(idleMs, deployment.streamSilenceTimeout().toMillis());
    deadlineTimer = vertx.setTimer(timeoutMs, id -> timedOut(timeoutMs / 1000.0 + " s (timeout)"));
    send();
    return outcome.future();
  }

  /** The model's {@code timeout}, or the request's own {@code timeout} (seconds) as LiteLLM allows. */
  private long timeoutMs() {
    Object requested = answer.call().body().get("timeout");
    if (requested instanceof Number n && n.doubleValue() > 0) {
      return Math.max(1, (long) (n.doubleValue() * 1000));
    }
    return deployment.timeout().toMillis();
  }

  private void send() {
    attempt++;
    long timeoutMs = timeoutMs();
    RequestOptions options = new RequestOptions()
        .setMethod(upstream.method())
        .setAbsoluteURI(upstream.url())
        .setHeaders(upstream.headers())
        .setConnectTimeout(Math.min(timeoutMs, MAX_CONNECT_MS))
        .setIdleTimeout(idleMs);
    client.request(options)
        .compose(req -> {
          if (done) {
            // Given up (client gone, timeout) while the connection was being made: never start a
            // generation nobody will read.
            req.exceptionHandler(ourOwnReset -> { }).reset();
            return Future.failedFuture(new CancellationException("call ended before sending"));
          }
          request = req;
          onReusedConnection = connections.reused(req.connection());
          return req.send(upstream.body());
        })
        .onComplete(ar -> {
          if (ar.succeeded()) {
            onResponse(ar.result());
          } else {
            onFailure(ar.cause());
          }
        });
  }

  /** The API side cancelled the call (its client left) or was lost: the backend stops generating. */
  private void cancel(String reason) {
    if (done) {
      return;
    }
    done = true;
    cancelUpstream();
    outcome.tryComplete(new ExchangeOutcome(ExchangeOutcome.Kind.CANCELLED, reason));
  }

  @Override
  public long lastHeardAt() {
    return Math.max(headersAt, body == null ? 0 : body.lastDataAt());
  }

  @Override
  public void cancel(OpenAiError error) {
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
        Buffer error = ar.succeeded() ? ar.result() : Buffer.buffer();
        OpenAiError err = provider.translateError(status < 400 ? 502 : status, resp.headers(), error, deployment);
        fail(err, "error", status >= 500 ? ExchangeOutcome.Kind.HTTP_ERROR : ExchangeOutcome.Kind.CLIENT_ERROR,
            "the backend answered HTTP " + status + " (" + err.type() + ")");
      });
      return;
    }
    upstreamContentType = resp.getHeader("content-type");
    ResponseTranslator translator = provider.translator(answer.call(), deployment, upstreamContentType);
    if (answer.call().stream()) {
      answer.head(200, accounting.head(contentType()));
      watchSilence(Math.min(idleMs, silenceMs));
    }
    body = new HeldResponse(resp, request.connection());
    body.pipe().endOnFailure(false).to(new Translation(translator, answer, accounting.head(contentType())))
        .onComplete(ar -> {
          if (done) {
            return;
          }
          accounting.usage(translator.usage());
          if (ar.succeeded()) {
            finish();
          } else if (ar.cause() instanceof OpenAiError.Failure broken) {
            fail(broken.error(), "error", ExchangeOutcome.Kind.BAD_ANSWER,
                "the backend's answer was an error or could not be read (" + broken.error().type() + ")");
          } else if (ar.cause() instanceof Translation.TranslatorFailed bug) {
            translatorFailed(bug.getCause());
          } else {
            onFailure(ar.cause());
          }
        });
  }

  /** A translator that throws on an answer it did not expect (our bug) ends the call, never hangs it. */
  private void translatorFailed(Throwable bug) {
    LOG.error("model {}: unexpected failure reading the backend's answer", deployment.modelName(), bug);
    fail(OpenAiError.internal("Internal error in Switchboard (logged) reading the answer of model="
        + deployment.modelName() + ": " + bug.getClass().getSimpleName()), "error", ExchangeOutcome.Kind.BAD_ANSWER);
  }

  /**
   * stream_timeout once the stream's headers are in: Vert.x's idle timeout covers only the wait for
   * them, and llama-server or vLLM send them at once, then may go silent. After the first chunk, the
   * silence limit (a stuck backend, such as llama-server after one SIGTERM, keeps its connection open
   * and says nothing more). A stream we stopped reading because the client is not reading is not a
   * silent backend. Looks again at least every silence limit, so the shorter one applies from the
   * first chunk on.
   */
  private void watchSilence(long delayMs) {
    silenceTimer = vertx.setTimer(Math.max(1, delayMs), id -> {
      if (done) {
        return;
      }
      boolean dataSeen = body != null && body.lastDataAt() > 0;
      long limit = dataSeen ? silenceMs : idleMs;
      long heard = Math.max(headersAt, body == null ? 0 : Math.max(body.lastDataAt(), body.readingSince()));
      long silent = System.currentTimeMillis() - heard;
      boolean waiting = body != null && body.waiting();
      if (waiting || silent < limit) {
        watchSilence(Math.min(silenceMs, waiting ? limit : limit - silent));
        return;
      }
      timedOut(silence(dataSeen));
    });
  }

  private String silence(boolean dataSeen) {
    if (dataSeen && silenceMs < idleMs) {
      return silenceMs / 1000.0 + " s without data after the stream had started (stream_silence_timeout)";
    }
    return idleMs / 1000.0 + " s without data (stream_timeout)";
  }

  /**
   * What the translator emits; for a JSON answer, the backend's own header when it names the same
   * type (llama-server's {@code application/json; charset=utf-8} keeps its charset).
   */
  private String contentType() {
    String ours = provider.contentType(answer.call());
    String theirs = upstreamContentType;
    if (!answer.call().stream() && theirs != null && theirs.regionMatches(true, 0, ours, 0, ours.length())
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
      timedOut(answer.call().stream() ? silence(body != null && body.lastDataAt() > 0)
          : timeoutMs() / 1000.0 + " s (timeout)");
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
              + deployment.modelName() + " at " + deployment.shownApiBase() + " (" + describe(t) + "). Is it running?"),
          "error", ExchangeOutcome.Kind.CONNECT_FAILED);
      return;
    }
    String when = body != null ? "while streaming its answer" : "before answering";
    fail(OpenAiError.unavailable("litellm.ServiceUnavailableError: The backend of model=" + deployment.modelName()
        + " at " + deployment.shownApiBase() + " failed " + when + ": " + describe(t)), "error",
        ExchangeOutcome.Kind.BACKEND_ERROR);
  }

  private static boolean isStaleConnection(Throwable t) {
    return t instanceof HttpClosedException
        || t instanceof VertxException && "Connection was closed".equals(t.getMessage())
        || t instanceof IOException && String.valueOf(t.getMessage()).contains("reset");
  }

  private static boolean isConnectFailure(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof ConnectException || c instanceof UnknownHostException || c instanceof NoRouteToHostException) {
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
    fail(OpenAiError.timeout("litellm.Timeout: Request to model=" + deployment.modelName() + " at " + deployment.shownApiBase()
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
    cancelUpstream();
    JsonObject meta = accounting(outcome).put("error_type", err.type()).put("reason", reason);
    if (kind == ExchangeOutcome.Kind.CONNECT_FAILED) {
      meta.put("unsent", true); // the router may try another deployment: no backend saw this call
    }
    answer.fail(err, meta);
    this.outcome.tryComplete(new ExchangeOutcome(kind, err.message()));
  }

  /** The backend's body and the translator's output went out whole: the answer ends, after the last byte. */
  private void finish() {
    done = true;
    vertx.cancelTimer(deadlineTimer);
    vertx.cancelTimer(silenceTimer);
    answer.head(200, accounting.head(contentType()));
    answer.end(accounting("ok")).onComplete(ar -> outcome.tryComplete(ExchangeOutcome.ok(accounting)));
  }

  private JsonObject accounting(String outcome) {
    if (body != null && body.firstDataAt() > 0) {
      accounting.firstByteAt = body.firstDataAt();
    }
    return accounting.meta(outcome);
  }

  private void cancelUpstream() {
    if (body != null) {
      body.cancel();
    }
    vertx.cancelTimer(deadlineTimer);
    vertx.cancelTimer(silenceTimer);
    if (request != null) {
      request.reset();
    }
  }
}
