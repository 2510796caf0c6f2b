package dev.switchboard.cluster;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Cluster mistakes on the command line are one line and exit 2, like every other user mistake. */
class ClusterCommandLineTest {

  @TempDir
  Path dir;

  record Run(int exit, String err) {
  }

  Run run(String... args) throws Exception {
    Files.writeString(dir.resolve("config.yaml"), "model_list: []\n");
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), "dev.switchboard.Main", "--config", "config.yaml",
        "--host", "127.0.0.1", "--port", "0"));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).directory(dir.toFile()).start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("exits by itself").isTrue();
    return new Run(p.exitValue(), new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
  }

  @Test
  void missingClusterConfigIsOneLineAndExit2() throws Exception {
    Run r = run("--cluster", "--cluster-config", "nope.xml");
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err().strip()).startsWith("switchboard: --cluster-config: cannot read nope.xml").doesNotContain("\n");
  }

  @Test
  void unknownClusterHostIsOneLineAndExit2() throws Exception {
    Run r = run("--cluster", "--cluster-host", "no-such-host.invalid");
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err().strip()).isEqualTo("switchboard: cluster host: unknown host no-such-host.invalid");
  }
}
