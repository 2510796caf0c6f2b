package dev.switchboard.backend;

import dev.switchboard.bus.AnswerStream;
import dev.switchboard.config.ModelDeployment;
import dev.switchboard.config.SwitchboardSettings;
import dev.switchboard.error.OpenAiError;
import io.vertx.core.Vertx;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * The bounded FIFO of calls waiting for one of a model's {@code max_parallel_requests} slots. A call
 * that waits too long, or whose client leaves, is out at once. Estimates {@code Retry-After} from how
 * long calls have been taking. Confined to the BackendVerticle's event loop.
 */
final class AdmissionQueue {

  private final Vertx vertx;
  private final ModelDeployment deployment;
  private final SwitchboardSettings settings;
  private final Deque<Waiting> waiting = new ArrayDeque<>();
  /** Moving average of how long a call holds a slot, for the Retry-After estimate. */
  private double avgServiceMs = 1_000;
  private final Deque<Long> startedAt = new ArrayDeque<>();

  /** A call waiting for a slot, and since when. */
  static final class Waiting {
    final AnswerStream answer;
    final long since = System.currentTimeMillis();
    long timer;

    Waiting(AnswerStream answer) {
      this.answer = answer;
    }
  }

  AdmissionQueue(Vertx vertx, ModelDeployment deployment, SwitchboardSettings settings) {
    this.vertx = vertx;
    this.deployment = deployment;
    this.settings = settings;
  }

  boolean isFull() {
    return waiting.size() >= settings.queueSize();
  }

  boolean isEmpty() {
    return waiting.isEmpty();
  }

  int size() {
    return waiting.size();
  }

  void add(AnswerStream answer) {
    Waiting w = new Waiting(answer);
    waiting.addLast(w);
    w.timer = vertx.setTimer(settings.queueTimeout().toMillis(), id -> {
      if (waiting.remove(w)) {
        answer.fail(OpenAiError.tooManyRequests("Request for model=" + deployment.modelName() + " waited "
            + settings.queueTimeout().toSeconds() + " s for a free slot (max_parallel_requests="
            + deployment.maxParallelRequests() + "). Try again later.").withRetryAfter(retryAfterSeconds()), null);
      }
    });
    answer.cancelled().onSuccess(reason -> {
      waiting.remove(w);
      vertx.cancelTimer(w.timer);
    });
  }

  /** The next call to run, or null. */
  Waiting poll() {
    Waiting w = waiting.pollFirst();
    if (w != null) {
      vertx.cancelTimer(w.timer);
    }
    return w;
  }

  void failAll(OpenAiError error) {
    for (Waiting w : waiting) {
      vertx.cancelTimer(w.timer);
      w.answer.fail(error, null);
    }
    waiting.clear();
  }

  /** A call took a slot. */
  void started() {
    startedAt.addLast(System.currentTimeMillis());
  }

  /** A call gave its slot back; slots are interchangeable, so the oldest start approximates its age. */
  void finished() {
    Long t = startedAt.pollFirst();
    if (t != null) {
      avgServiceMs = 0.8 * avgServiceMs + 0.2 * (System.currentTimeMillis() - t);
    }
  }

  OpenAiError fullError(int inFlight) {
    return OpenAiError.tooManyRequests("Crossed Max Parallel Request Limit for model=" + deployment.modelName() + ": "
        + inFlight + " in flight (max_parallel_requests=" + deployment.maxParallelRequests() + ") and " + waiting.size()
        + " waiting (queue full). Try again later.").withRetryAfter(retryAfterSeconds());
  }

  /** Seconds until a slot is likely free for a newcomer: the queue ahead, served max_parallel at a time. */
  int retryAfterSeconds() {
    int slots = Math.max(1, deployment.maxParallelRequests());
    double ms = (waiting.size() + 1) * avgServiceMs / slots;
    return (int) Math.max(1, Math.ceil(ms / 1000));
  }
}
