package dev.switchboard.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code switchboard_settings}: Switchboard's own section. Unlike the LiteLLM sections it is
 * strict, because nothing but Switchboard writes it, so an unknown key can only be a typo.
 */
final class SwitchboardSettingsParser {

  private static final String AT = "switchboard_settings";
  private static final Set<String> KEYS = Set.of("max_body_size_mb", "queue_size", "queue_timeout", "ack_timeout_ms",
      "keepalive_interval_ms", "stream_peer_timeout_ms", "shutdown_grace", "client_idle_timeout", "metrics", "event_bridge", "cluster",
      "response_store");
  private static final String MS = "an integer number of milliseconds > 0";
  /**
   * nginx's keepalive_timeout (75 s). Long enough that clients pooling connections (httpx keeps them
   * 5 s, OkHttp 5 min) rarely meet a close racing their next request; short enough that abandoned and
   * never-used connections (a slowloris' trickle of headers) do not pile up for ever.
   */
  private static final Duration DEFAULT_CLIENT_IDLE = Duration.ofSeconds(75);

  private SwitchboardSettingsParser() {
  }

  /** {@code generalBodyBytes}: general_settings.max_request_size_mb, used when this section sets no limit. */
  static SwitchboardSettings parse(Object raw, Long generalBodyBytes, Fields f) throws ConfigException {
    Map<String, Object> s = section(raw, AT, KEYS, f);
    Double bodyMb = f.number(s.get("max_body_size_mb"), AT + ".max_body_size_mb", "a number of MB > 0");
    if (bodyMb != null && bodyMb <= 0) {
      throw f.wrong(AT + ".max_body_size_mb", bodyMb, "a number of MB > 0");
    }
    long bodyBytes = bodyMb != null ? SettingsParser.megabytes(bodyMb)
        : generalBodyBytes != null ? generalBodyBytes : SettingsParser.megabytes(32);
    Integer queueSize = f.integer(s.get("queue_size"), AT + ".queue_size", 0, "an integer >= 0");
    Duration queueTimeout = f.seconds(s.get("queue_timeout"), AT + ".queue_timeout", false);
    Duration ack = f.millis(s.get("ack_timeout_ms"), AT + ".ack_timeout_ms", MS);
    Duration keepalive = f.millis(s.get("keepalive_interval_ms"), AT + ".keepalive_interval_ms", MS);
    Duration peerTimeout = f.millis(s.get("stream_peer_timeout_ms"), AT + ".stream_peer_timeout_ms", MS);
    keepalive = keepalive != null ? keepalive : Duration.ofMillis(400);
    peerTimeout = peerTimeout != null ? peerTimeout : Duration.ofMillis(1500);
    if (peerTimeout.compareTo(keepalive) <= 0) {
      // A peer that keeps alive every N ms would be taken for dead before it could speak.
      throw f.error(AT + ".stream_peer_timeout_ms", peerTimeout.toMillis()
          + " (expected: more than keepalive_interval_ms, " + keepalive.toMillis() + ")");
    }
    Duration grace = f.seconds(s.get("shutdown_grace"), AT + ".shutdown_grace", true);
    Duration clientIdle = f.seconds(s.get("client_idle_timeout"), AT + ".client_idle_timeout", true);

    Map<String, Object> metrics = section(s.get("metrics"), AT + ".metrics", Set.of("require_auth", "vertx_meters"), f);
    Boolean requireAuth = f.bool(metrics.get("require_auth"), AT + ".metrics.require_auth");
    Boolean vertxMeters = f.bool(metrics.get("vertx_meters"), AT + ".metrics.vertx_meters");

    String bridgeAt = AT + ".event_bridge";
    Map<String, Object> bridge = section(s.get("event_bridge"), bridgeAt, Set.of("port", "host"), f);
    Long port = f.integer(bridge.get("port"), bridgeAt + ".port", 0, 65535, "an integer from 0 (off) to 65535");
    String host = nonEmpty(bridge.get("host"), bridgeAt + ".host", "a host name or IP address", f);

    ClusterSettings cluster = cluster(s.get("cluster"), f);
    ResponseStoreSettings responseStore = responseStore(s.get("response_store"), f);

    return new SwitchboardSettings(
        bodyBytes,
        queueSize != null ? queueSize : 100,
        queueTimeout != null ? queueTimeout : Duration.ofSeconds(600),
        ack != null ? ack : Duration.ofMillis(1500),
        keepalive,
        peerTimeout,
        grace != null ? grace : Duration.ofSeconds(30),
        clientIdle != null ? clientIdle : DEFAULT_CLIENT_IDLE,
        requireAuth != null && requireAuth,
        vertxMeters == null || vertxMeters,
        port != null ? port.intValue() : 0,
        host != null ? host : "127.0.0.1",
        cluster,
        responseStore);
  }

  private static ResponseStoreSettings responseStore(Object raw, Fields f) throws ConfigException {
    String at = AT + ".response_store";
    Map<String, Object> r = section(raw, at, Set.of("max_responses", "max_size_mb", "ttl"), f);
    ResponseStoreSettings d = ResponseStoreSettings.DEFAULTS;
    Long max = f.integer(r.get("max_responses"), at + ".max_responses", 0, Integer.MAX_VALUE,
        "an integer >= 0 (0: no store)");
    Double mb = f.number(r.get("max_size_mb"), at + ".max_size_mb", "a number of MB > 0");
    if (mb != null && mb <= 0) {
      throw f.wrong(at + ".max_size_mb", mb, "a number of MB > 0");
    }
    Duration ttl = f.seconds(r.get("ttl"), at + ".ttl", false);
    return new ResponseStoreSettings(max != null ? max.intValue() : d.maxResponses(),
        mb != null ? SettingsParser.megabytes(mb) : d.maxBytes(), ttl != null ? ttl : d.ttl());
  }

  private static ClusterSettings cluster(Object raw, Fields f) throws ConfigException {
    String at = AT + ".cluster";
    Map<String, Object> c = section(raw, at, Set.of("name", "members", "host", "public_host", "port",
        "event_bus_port", "tls"), f);
    String name = nonEmpty(c.get("name"), at + ".name", "a non-empty string", f);
    List<String> members = new ArrayList<>();
    Object rawMembers = f.resolve(c.get("members"), at + ".members");
    if (rawMembers instanceof String one) {
      rawMembers = List.of(one.split("\\s*,\\s*")); // "a,b" from an environment variable
    }
    if (rawMembers != null && !(rawMembers instanceof List<?>)) {
      throw f.wrong(at + ".members", rawMembers, "a list of host or host:port");
    }
    if (rawMembers instanceof List<?> list) {
      for (int i = 0; i < list.size(); i++) {
        members.add(nonEmpty(list.get(i), at + ".members[" + i + "]", "host or host:port", f));
      }
    }
    String host = nonEmpty(c.get("host"), at + ".host", "a host name or IP address", f);
    String publicHost = nonEmpty(c.get("public_host"), at + ".public_host", "a host name or IP address", f);
    Long port = f.integer(c.get("port"), at + ".port", 0, 65535, "an integer from 1 to 65535 (0: the default)");
    Long busPort = f.integer(c.get("event_bus_port"), at + ".event_bus_port", 0, 65535,
        "an integer from 1 to 65535 (0: a free port)");
    ClusterSettings.Tls tls = null;
    Map<String, Object> t = section(c.get("tls"), at + ".tls", Set.of("cert", "key", "ca"), f);
    if (!t.isEmpty()) {
      tls = new ClusterSettings.Tls(pemFile(t.get("cert"), at + ".tls.cert", f),
          pemFile(t.get("key"), at + ".tls.key", f), pemFile(t.get("ca"), at + ".tls.ca", f));
    }
    ClusterSettings d = ClusterSettings.DEFAULTS;
    return new ClusterSettings(name != null ? name : d.name(), members, host, publicHost,
        port != null ? port.intValue() : 0, busPort != null ? busPort.intValue() : 0, tls);
  }

  /** A PEM file that must exist now: a node that cannot read its certificate must not start. */
  private static Path pemFile(Object raw, String path, Fields f) throws ConfigException {
    String s = nonEmpty(raw, path, "the path of a PEM file", f);
    if (s == null) {
      throw f.error(path, "missing (expected: the path of a PEM file; cert, key and ca go together)");
    }
    Path p = Path.of(s);
    if (!Files.isReadable(p)) {
      throw f.error(path, "cannot read " + s);
    }
    return p;
  }

  private static Map<String, Object> section(Object raw, String path, Set<String> keys, Fields f)
      throws ConfigException {
    Map<String, Object> map = SettingsParser.orEmpty(f.mapping(raw, path, "a mapping"));
    for (String key : map.keySet()) {
      if (!keys.contains(key)) {
        throw f.error(Fields.child(path, key), "unknown setting (expected one of: "
            + String.join(", ", keys.stream().sorted().toList()) + ")");
      }
    }
    return map;
  }

  private static String nonEmpty(Object raw, String path, String expected, Fields f) throws ConfigException {
    String s = f.string(raw, path, expected);
    if (s != null && s.isBlank()) {
      throw f.wrong(path, s, expected);
    }
    return s;
  }
}
