package dev.switchboard.backend;

import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;

/** The HTTP request a provider wants sent to its backend. */
public record UpstreamRequest(HttpMethod method, String url, MultiMap headers, Buffer body) {
}
