package dev.switchboard.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The command-line contract: user mistakes are one line and exit 2, never a stack trace. */
class CommandLineTest {

  @TempDir
  Path dir;

  record Run(int exit, String out, String err) {
  }

  private Run run(String... args) throws Exception {
    return runWithEnv(java.util.Map.of(), args);
  }

  private Run runWithEnv(java.util.Map<String, String> env, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), "dev.switchboard.Main"));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile());
    pb.environment().remove("LITELLM_MASTER_KEY");
    pb.environment().putAll(env);
    Process p = pb.start();
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("exits by itself").isTrue();
    return new Run(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8),
        new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
  }

  private Path config(String yaml) throws IOException {
    Path f = dir.resolve("config.yaml");
    Files.writeString(f, yaml);
    return f;
  }

  @Test
  void unknownFlagIsOneLineAndExit2() throws Exception {
    Run r = run("--frobnicate");
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err().strip().lines()).hasSize(1);
    assertThat(r.err()).contains("--frobnicate");
  }

  @Test
  void missingConfigFileIsOneLineAndExit2() throws Exception {
    Run r = run("--config", "nope.yaml");
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err().strip().lines()).hasSize(1);
    assertThat(r.err()).contains("nope.yaml").doesNotContain("Exception");
  }

  @Test
  void invalidConfigNamesTheYamlPathAndExits2() throws Exception {
    config("model_list:\n  - model_name: a\n    litellm_params: {model: openai/a, api_base: 42}\n");
    Run r = run("--config", "config.yaml");
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err().strip().lines()).hasSize(1);
    assertThat(r.err()).contains("model_list[0].litellm_params.api_base");
  }

  @Test
  void missingEnvironmentVariableNamesItAndExits2() throws Exception {
    config("model_list:\n  - model_name: a\n    litellm_params: {model: openai/a, api_base: os.environ/NOT_SET_ANYWHERE}\n");
    Run r = run("--config", "config.yaml");
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("NOT_SET_ANYWHERE").contains("model_list[0].litellm_params.api_base");
  }

  @Test
  void helpAndVersionExit0() throws Exception {
    Run help = run("--help");
    assertThat(help.exit()).isZero();
    assertThat(help.out()).contains("--config").contains("--port");
    Run version = run("--version");
    assertThat(version.exit()).isZero();
    assertThat(version.out()).startsWith("switchboard ");
  }

  @Test
  void checkConfigPrintsWhatItWouldServe() throws Exception {
    config("model_list:\n  - model_name: demo\n    litellm_params: {model: openai/demo, mock_response: hi}\n");
    Run r = run("--config", "config.yaml", "--check-config");
    assertThat(r.exit()).isZero();
    assertThat(r.out()).contains("demo");
  }

  @Test
  void checkConfigNeverShowsAPasswordInAnApiBase() throws Exception {
    config("model_list:\n  - model_name: m\n    litellm_params: {model: openai/m, api_base: \"http://u:s3cret@gpu:8080/v1?key=k\"}\n");
    Run r = run("--config", "config.yaml", "--check-config");
    assertThat(r.exit()).isZero();
    assertThat(r.out()).contains("http://gpu:8080/v1").doesNotContain("s3cret").doesNotContain("key=k");
  }

  @Test
  void unknownLogLevelIsOneLineAndExit2() throws Exception {
    Run r = run("--log-level", "bogus");
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err().strip()).isEqualTo(
        "switchboard: --log-level: 'bogus' (expected: TRACE, DEBUG, INFO, WARN, ERROR or OFF)");
  }

  @Test
  void portInUseIsOneLineAndExit1() throws Exception {
    config("model_list:\n  - model_name: demo\n    litellm_params: {model: openai/demo, mock_response: hi}\n");
    try (ServerSocket taken = new ServerSocket(0, 50, java.net.InetAddress.getByName("127.0.0.1"))) {
      Run r = run("--config", "config.yaml", "--host", "127.0.0.1", "--port", String.valueOf(taken.getLocalPort()));
      assertThat(r.exit()).isEqualTo(1);
      assertThat(r.err().strip()).isEqualTo("switchboard: cannot listen on 127.0.0.1:" + taken.getLocalPort()
          + ": Address already in use (is another process using the port?)");
    }
  }

  @Test
  void envFileFillsOnlyUnsetVariables() throws Exception {
    config("model_list:\n  - model_name: demo\n    litellm_params: {model: openai/demo, api_base: os.environ/DEMO_BASE}\n");
    Files.writeString(dir.resolve(".env"), "# comment\nDEMO_BASE=http://127.0.0.1:8080/v1\n");
    Run r = run("--config", "config.yaml", "--check-config");
    assertThat(r.exit()).isZero();
    assertThat(r.out()).contains("http://127.0.0.1:8080/v1");

    Run realEnvWins = runWithEnv(java.util.Map.of("DEMO_BASE", "http://127.0.0.1:9999/v1"),
        "--config", "config.yaml", "--check-config");
    // Not just "8080": the temp directory's random name, printed too, may contain it.
    assertThat(realEnvWins.out()).contains("http://127.0.0.1:9999/v1").doesNotContain("127.0.0.1:8080");
  }
}
