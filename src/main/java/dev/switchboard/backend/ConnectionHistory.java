package dev.switchboard.backend;

import io.vertx.core.http.HttpConnection;

import java.util.Collections;
import java.util.Set;
import java.util.WeakHashMap;

/**
 * Which of a BackendVerticle's pooled connections have carried a request before. Only a request
 * lost on a reused connection may be sent again: the backend may have closed it while idle, before
 * the request arrived. One lost on a fresh connection reached a backend that then failed (a crash
 * on that prompt, say), and sending it again would only repeat that. Confined to the verticle's loop;
 * closed connections drop out with the garbage.
 */
final class ConnectionHistory {

  private final Set<HttpConnection> used = Collections.newSetFromMap(new WeakHashMap<>());

  /** Records a request on {@code connection}; true if an earlier request had used it already. */
  boolean reused(HttpConnection connection) {
    return !used.add(connection);
  }
}
