package dev.switchboard.node;

import java.nio.file.Path;
import java.util.List;

/**
 * What the command line asked for, checked by {@code Main}: the config file and where to listen, and, with
 * {@code cluster}, how to join (each cluster field null when not given).
 */
public record StartOptions(Path config, Path envFile, boolean checkConfig, String host, int port,
                           Integer bridgePort, boolean cluster, Path clusterConfig, String clusterHost,
                           String clusterPublicHost, List<String> clusterMembers) {
}
