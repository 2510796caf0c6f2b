package dev.switchboard.config;

import java.nio.file.Path;
import java.util.List;

/**
 * {@code switchboard_settings.cluster}: how a node started with {@code --cluster} joins its peers.
 * Every field but {@code name} may be left out: the Hazelcast XML (conf/cluster.xml by default) and
 * the command line decide then. Read once at start; a change takes effect at the next restart.
 *
 * @param name         keeps separate clusters on one network apart
 * @param members      Hazelcast TCP/IP join list ({@code host} or {@code host:port} or {@code host:5701-5710});
 *                     empty: the XML's
 * @param host         interface for cluster traffic (Hazelcast and the event bus); null: the XML's / 127.0.0.1
 * @param publicHost   address other nodes reach this one at (NAT, containers); null: {@code host}
 * @param port         Hazelcast member port (auto-increments when taken); 0: the XML's (5701)
 * @param eventBusPort port of the event bus's own TCP server, which carries prompts and answers; 0: a free one
 * @param tls          mutual TLS on the event bus; null: plain TCP
 */
public record ClusterSettings(String name, List<String> members, String host, String publicHost, int port,
                              int eventBusPort, Tls tls) {

  public static final ClusterSettings DEFAULTS = new ClusterSettings("switchboard", List.of(), null, null, 0, 0, null);

  public ClusterSettings {
    members = List.copyOf(members);
  }

  /**
   * PEM files for event-bus TLS. Every node presents {@code cert} and accepts only peers whose
   * certificate {@code ca} signed, so a stranger can neither read the traffic nor join it.
   */
  public record Tls(Path cert, Path key, Path ca) {
  }
}
