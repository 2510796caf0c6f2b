package dev.switchboard.backend;

import dev.switchboard.config.ModelDeployment;
import dev.switchboard.error.OpenAiError;

/**
 * A deployment's {@code rpm} and {@code tpm} as limits, per calendar minute as LiteLLM counts them. Owned
 * by the deployment's BackendVerticle (single-threaded). A call over a limit is refused with 429 and a
 * Retry-After until the minute ends, so that the router tries another deployment of the group.
 */
final class MinuteLimits {

  private final ModelDeployment deployment;
  private long minute;
  private long requests;
  private long tokens;

  MinuteLimits(ModelDeployment deployment) {
    this.deployment = deployment;
  }

  /** Counts a call in, or says why it is over a limit (null: within them). */
  OpenAiError admit() {
    long rpm = deployment.routing().rpm();
    long tpm = deployment.routing().tpm();
    if (rpm == 0 && tpm == 0) {
      return null;
    }
    roll();
    if (rpm > 0 && requests >= rpm) {
      return limited("rpm", requests, rpm);
    }
    if (tpm > 0 && tokens >= tpm) {
      return limited("tpm", tokens, tpm);
    }
    requests++;
    return null;
  }

  /** Tokens a finished call used. */
  void used(long n) {
    if (n > 0 && deployment.routing().tpm() > 0) {
      roll();
      tokens += n;
    }
  }

  private OpenAiError limited(String what, long used, long limit) {
    long now = System.currentTimeMillis();
    int secondsLeft = (int) Math.max(1, (60_000 - now % 60_000 + 999) / 1000);
    return OpenAiError.tooManyRequests("litellm.RateLimitError: deployment " + deployment.id()
        + " of model=" + deployment.modelName()
        + " reached its " + what + " limit (" + used + " of " + limit + " this minute)").withRetryAfter(secondsLeft);
  }

  private void roll() {
    long now = System.currentTimeMillis() / 60_000;
    if (now != minute) {
      minute = now;
      requests = 0;
      tokens = 0;
    }
  }
}
