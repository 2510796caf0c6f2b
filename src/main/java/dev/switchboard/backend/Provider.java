package dev.switchboard.backend;

import dev.switchboard.bus.Call;
import dev.switchboard.config.ModelDeployment;
import dev.switchboard.error.OpenAiError;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;

/**
 * A translator between OpenAI's API, which clients speak, and one kind of backend. Stateless; the
 * BackendVerticle does the HTTP (pool, timeouts, flow control, cancellation) and asks the provider only
 * what to send and how to read the answer. Adding a backend kind is adding one implementation.
 */
public interface Provider {

  /** The upstream request for {@code call}; fails with {@link OpenAiError.Failure} for what cannot be sent. */
  UpstreamRequest toUpstream(Call call, ModelDeployment deployment);

  /** A translator for a 2xx answer to {@code call}. */
  ResponseTranslator translator(Call call, ModelDeployment deployment);

  /** The same, knowing the answer's {@code Content-Type} (null when it has none). */
  default ResponseTranslator translator(Call call, ModelDeployment deployment, String contentType) {
    return translator(call, deployment);
  }

  /** The client's error for a non-2xx answer, keeping the backend's message. */
  OpenAiError translateError(int status, MultiMap headers, Buffer body, ModelDeployment deployment);

  /** The content type of what the translator emits for {@code call}. */
  default String contentType(Call call) {
    return call.stream() ? "text/event-stream" : "application/json";
  }

  /** The liveness probe's URL: a cheap GET that lists the server's models, never a generation. */
  String probeUrl(ModelDeployment deployment);

  /** Reads the probe's 2xx answer: up, or up but not serving the deployment's model (with why). */
  ProbeResult readProbe(ModelDeployment deployment, Buffer body);
}
