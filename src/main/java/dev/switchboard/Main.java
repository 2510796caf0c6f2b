package dev.switchboard;

import dev.switchboard.node.Launcher;
import dev.switchboard.node.StartOptions;
import dev.switchboard.node.Version;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;

/**
 * {@code java -jar switchboard.jar --config config.yaml [--host H] [--port 4000] [--cluster]}.
 * User mistakes (a bad flag, an unreadable or invalid config) print one line and exit 2; a port in
 * use exits 1. Logging is configured from the flags before the first logger exists.
 */
@Command(name = "switchboard", mixinStandardHelpOptions = true, versionProvider = Main.VersionProvider.class,
    description = "An OpenAI-compatible router in front of local model servers; a drop-in for the LiteLLM proxy.")
public final class Main implements Callable<Integer> {

  @Option(names = "--config", paramLabel = "FILE", defaultValue = "config.yaml",
      description = "LiteLLM-format config file (default: ${DEFAULT-VALUE}).")
  Path config;

  @Option(names = "--host", defaultValue = "0.0.0.0", description = "Interface to listen on (default: ${DEFAULT-VALUE}).")
  String host;

  @Option(names = "--port", defaultValue = "4000", description = "Port to listen on (default: ${DEFAULT-VALUE}).")
  int port;

  @Option(names = "--env-file", paramLabel = "FILE",
      description = "KEY=value file filling variables the environment does not set (default: .env beside the config, if present).")
  Path envFile;

  @Option(names = "--log-format", defaultValue = "text", paramLabel = "text|json",
      description = "Log line format (default: ${DEFAULT-VALUE}).")
  String logFormat;

  @Option(names = "--log-level", defaultValue = "INFO", paramLabel = "LEVEL",
      description = "TRACE, DEBUG, INFO, WARN or ERROR (default: ${DEFAULT-VALUE}).")
  String logLevel;

  @Option(names = "--check-config",
      description = "Validate the config exactly as a reload would, print what it would serve, and exit (0 valid, 2 invalid).")
  boolean checkConfig;

  @Option(names = "--cluster", description = "Join a cluster (Hazelcast) so that every node serves every node's models.")
  boolean cluster;

  @Option(names = "--cluster-config", paramLabel = "FILE", defaultValue = "${env:SWITCHBOARD_CLUSTER_CONFIG}",
      description = "Hazelcast XML (default: the bundled conf/cluster.xml, joining peers on 127.0.0.1; env SWITCHBOARD_CLUSTER_CONFIG).")
  Path clusterConfig;

  @Option(names = "--cluster-host", paramLabel = "HOST", defaultValue = "${env:SWITCHBOARD_CLUSTER_HOST}",
      description = "Interface for cluster traffic, Hazelcast and event bus (env SWITCHBOARD_CLUSTER_HOST).")
  String clusterHost;

  @Option(names = "--cluster-members", paramLabel = "HOST[:PORT],...", defaultValue = "${env:SWITCHBOARD_CLUSTER_MEMBERS}",
      split = ",", description = "Peers to join by TCP/IP, instead of the config's or 127.0.0.1 (env SWITCHBOARD_CLUSTER_MEMBERS).")
  List<String> clusterMembers;

  @Option(names = "--cluster-public-host", paramLabel = "HOST", defaultValue = "${env:SWITCHBOARD_CLUSTER_PUBLIC_HOST}",
      description = "Address other nodes reach this one at, behind NAT or in a container (env SWITCHBOARD_CLUSTER_PUBLIC_HOST).")
  String clusterPublicHost;

  @Option(names = "--bridge-port", paramLabel = "PORT", description = "TCP event-bus bridge port for outside metrics consumers (default: off).")
  Integer bridgePort;

  public static void main(String[] args) {
    CommandLine cmd = new CommandLine(new Main());
    cmd.setParameterExceptionHandler((ex, a) -> {
      System.err.println("switchboard: " + ex.getMessage() + " (see --help)");
      return 2;
    });
    int code = cmd.execute(args);
    if (code != Launcher.KEEP_RUNNING) {
      System.exit(code);
    }
  }

  @Override
  public Integer call() {
    String format = logFormat.toLowerCase(Locale.ROOT);
    if (!format.equals("text") && !format.equals("json")) {
      System.err.println("switchboard: --log-format: '" + logFormat + "' (expected: text or json)");
      return 2;
    }
    String level = logLevel.toUpperCase(Locale.ROOT);
    if (!Set.of("TRACE", "DEBUG", "INFO", "WARN", "ERROR", "OFF").contains(level)) {
      System.err.println("switchboard: --log-level: '" + logLevel + "' (expected: TRACE, DEBUG, INFO, WARN, ERROR or OFF)");
      return 2;
    }
    // Logback reads these when the first logger is created, which is after this point.
    System.setProperty("switchboard.log.format", format.toUpperCase(Locale.ROOT));
    System.setProperty("switchboard.log.level", level);
    return new Launcher(new StartOptions(config, envFile, checkConfig, host, port, bridgePort, cluster,
        clusterConfig, clusterHost, clusterPublicHost, clusterMembers)).run();
  }

  static final class VersionProvider implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"switchboard " + Version.VERSION};
    }
  }
}
