package dev.switchboard.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.InvalidConfigurationException;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import com.hazelcast.config.XmlConfigBuilder;
import dev.switchboard.config.ClusterSettings;
import dev.switchboard.metrics.Metrics;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Starts a clustered Vertx on Hazelcast from the Hazelcast XML (conf/cluster.xml, bundled in the jar,
 * unless {@code --cluster-config} names another), {@code switchboard_settings.cluster} and the
 * command line, in that order of precedence (last wins). Only this class names Hazelcast's config API.
 */
public final class ClusterStart {

  /** The bundled copy of conf/cluster.xml (see pom.xml): loopback TCP/IP join, fast failure detection. */
  static final String BUNDLED_XML = "/switchboard/cluster.xml";

  /**
   * Failure detection: Hazelcast drops a member after 60 s of silence by default, during which every
   * call to a frozen node times out. These defaults apply when the XML does not set them.
   */
  static final Map<String, String> DEFAULT_PROPERTIES = Map.of(
      "hazelcast.heartbeat.interval.seconds", "1",
      "hazelcast.max.no.heartbeat.seconds", "5",
      "hazelcast.merge.first.run.delay.seconds", "5",
      "hazelcast.merge.next.run.delay.seconds", "5",
      "hazelcast.phone.home.enabled", "false",
      "hazelcast.logging.type", "slf4j",
      "hazelcast.wait.seconds.before.join", "0",
      "hazelcast.tcp.join.port.try.count", "10");

  /** A connect to a dead host must not hang a send for the event bus's default 60 s. */
  static final int EVENT_BUS_CONNECT_TIMEOUT_MS = 2_000;

  /** A clustered Vertx and the membership view Switchboard uses. */
  public record Started(Vertx vertx, ClusterMembership membership) {
  }

  /** What the command line and environment say, over the config: null or empty where they say nothing. */
  public record Overrides(Path configFile, String host, String publicHost, List<String> members) {
    public Overrides {
      members = members == null ? List.of() : members.stream().map(String::strip).filter(m -> !m.isEmpty()).toList();
    }

    public Overrides(Path configFile, String host, String publicHost) {
      this(configFile, host, publicHost, List.of());
    }
  }

  private ClusterStart() {
  }

  /**
   * Builds the Hazelcast config; fails with an {@link IllegalArgumentException} whose message is one
   * line for the user (an unreadable or invalid XML, an unknown host).
   */
  public static Config hazelcastConfig(ClusterSettings s, Overrides o) {
    Config hz = loadXml(o.configFile());
    hz.setClusterName(s.name());
    DEFAULT_PROPERTIES.forEach((k, v) -> {
      if (hz.getProperty(k) == null && System.getProperty(k) == null) {
        hz.setProperty(k, v);
      }
    });
    NetworkConfig net = hz.getNetworkConfig();
    if (s.port() > 0) {
      net.setPort(s.port());
    }
    List<String> members = !o.members().isEmpty() ? o.members() : s.members();
    if (!members.isEmpty()) {
      JoinConfig join = net.getJoin();
      join.getMulticastConfig().setEnabled(false);
      join.getAutoDetectionConfig().setEnabled(false);
      join.getTcpIpConfig().setEnabled(true).setMembers(members);
    }
    String host = o.host() != null ? o.host() : s.host();
    if (host != null) {
      // Hazelcast matches interfaces by IP address, not by name.
      net.getInterfaces().setEnabled(true).setInterfaces(List.of(ipOf(host, "cluster host")));
    }
    String publicHost = o.publicHost() != null ? o.publicHost() : s.publicHost();
    if (publicHost != null) {
      net.setPublicAddress(publicHost);
    }
    return hz;
  }

  /** The event bus's TCP server: where prompts and answers travel between nodes. */
  public static EventBusOptions eventBusOptions(ClusterSettings s, Overrides o) {
    EventBusOptions bus = new EventBusOptions().setConnectTimeout(EVENT_BUS_CONNECT_TIMEOUT_MS)
        .setPort(s.eventBusPort());
    String host = o.host() != null ? o.host() : s.host();
    if (host != null) {
      bus.setHost(host);
    }
    String publicHost = o.publicHost() != null ? o.publicHost() : s.publicHost();
    if (publicHost != null) {
      bus.setClusterPublicHost(publicHost);
    }
    if (s.tls() != null) {
      bus.setSsl(true)
          .setKeyCertOptions(new PemKeyCertOptions().setCertPath(s.tls().cert().toString())
              .setKeyPath(s.tls().key().toString()))
          .setTrustOptions(new PemTrustOptions().addCertPath(s.tls().ca().toString()))
          .setClientAuth(ClientAuth.REQUIRED);
    }
    return bus;
  }

  /** Joins the cluster. The future fails when Hazelcast cannot start (e.g. no free port). */
  public static Future<Started> start(VertxOptions base, ClusterSettings s, Overrides o) {
    // Read before the config is: without it Hazelcast's first lines go to java.util.logging.
    if (System.getProperty("hazelcast.logging.type") == null) {
      System.setProperty("hazelcast.logging.type", "slf4j");
    }
    Config hz = hazelcastConfig(s, o);
    HazelcastClusterManager manager = new HazelcastClusterManager(hz);
    VertxOptions options = new VertxOptions(base).setEventBusOptions(eventBusOptions(s, o));
    return Metrics.vertxBuilder(options).withClusterManager(manager).buildClustered()
        .map(vertx -> new Started(vertx, new HazelcastMembership(manager)));
  }

  private static Config loadXml(Path file) {
    try (InputStream in = file != null ? Files.newInputStream(file) : ClusterStart.class.getResourceAsStream(BUNDLED_XML)) {
      if (in == null) {
        throw new IllegalArgumentException("the bundled cluster config " + BUNDLED_XML + " is missing from the jar");
      }
      return new XmlConfigBuilder(in).build();
    } catch (IOException e) {
      throw new IllegalArgumentException("--cluster-config: cannot read " + file + ": " + e.getMessage());
    } catch (InvalidConfigurationException e) {
      throw new IllegalArgumentException((file != null ? file.toString() : BUNDLED_XML)
          + ": not a valid Hazelcast config: " + firstLine(e.getMessage()));
    }
  }

  private static String ipOf(String host, String what) {
    try {
      return InetAddress.getByName(host).getHostAddress();
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(what + ": unknown host " + host);
    }
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}
