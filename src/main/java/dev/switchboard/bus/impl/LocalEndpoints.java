package dev.switchboard.bus.impl;

import io.vertx.core.Vertx;
import io.vertx.core.shareddata.LocalMap;

/**
 * The stream endpoints of this node (one {@code Vertx}): API instances' and BackendVerticles'. A peer
 * here cannot vanish while the node runs, so its silence is not taken for a death: only streams with
 * another node are kept alive and reaped. On a node whose CPUs a local llama-server takes, an event loop
 * can wait longer than the peer timeout for a core (4 of 2,000 streams of a soak were ended so, while
 * their backend was generating them); a peer on another node is exactly what keepalives are for.
 */
final class LocalEndpoints {

  private LocalEndpoints() {
  }

  private static LocalMap<String, Boolean> map(Vertx vertx) {
    return vertx.sharedData().getLocalMap("switchboard.stream.endpoints");
  }

  static void add(Vertx vertx, String address) {
    map(vertx).put(address, Boolean.TRUE);
  }

  static void remove(Vertx vertx, String address) {
    map(vertx).remove(address);
  }

  static boolean isLocal(Vertx vertx, String address) {
    return map(vertx).containsKey(address);
  }
}
