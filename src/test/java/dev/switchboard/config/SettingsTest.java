package dev.switchboard.config;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static dev.switchboard.config.ConfigLoaderTest.failure;
import static dev.switchboard.config.ConfigLoaderTest.load;
import static org.assertj.core.api.Assertions.assertThat;

class SettingsTest {

  private static final String ONE_MODEL = """
      model_list:
        - {model_name: m, litellm_params: {model: openai/m, api_base: http://h/v1}}
      """;

  @Test
  void timeoutsFallBackThroughRouterAndLitellmSettings() throws Exception {
    ModelDeployment bare = load(ONE_MODEL).models().get(0);
    assertThat(bare.timeout()).isEqualTo(Duration.ofSeconds(6000));
    assertThat(bare.streamTimeout()).isEqualTo(Duration.ofSeconds(6000));

    ModelDeployment fromLitellm = load(ONE_MODEL + "litellm_settings: {request_timeout: 600}").models().get(0);
    assertThat(fromLitellm.timeout()).isEqualTo(Duration.ofSeconds(600));
    assertThat(fromLitellm.streamTimeout()).isEqualTo(Duration.ofSeconds(600));

    ModelDeployment fromRouter = load(ONE_MODEL + """
        litellm_settings: {request_timeout: 600}
        router_settings: {timeout: "300", stream_timeout: 60}
        """).models().get(0);
    assertThat(fromRouter.timeout()).isEqualTo(Duration.ofSeconds(300));
    assertThat(fromRouter.streamTimeout()).isEqualTo(Duration.ofSeconds(60));

    ModelDeployment own = load("""
        model_list:
          - {model_name: m, litellm_params: {model: openai/m, api_base: http://h/v1, timeout: 1.5}}
        router_settings: {timeout: 300}
        """).models().get(0);
    assertThat(own.timeout()).isEqualTo(Duration.ofMillis(1500));
    assertThat(own.streamTimeout()).isEqualTo(Duration.ofMillis(1500));
  }

  @Test
  void streamSilenceTimeoutDefaultsToAMinuteAndComesFromRouterSettingsOrTheModel() throws Exception {
    assertThat(load(ONE_MODEL).models().get(0).streamSilenceTimeout()).isEqualTo(Duration.ofSeconds(60));
    assertThat(load(ONE_MODEL + "router_settings: {stream_silence_timeout: 300}").models().get(0)
        .streamSilenceTimeout()).isEqualTo(Duration.ofSeconds(300));
    ModelDeployment own = load("""
        model_list:
          - {model_name: m, litellm_params: {model: openai/m, api_base: http://h/v1, stream_silence_timeout: 2.5}}
        router_settings: {stream_silence_timeout: 300}
        """).models().get(0);
    assertThat(own.streamSilenceTimeout()).isEqualTo(Duration.ofMillis(2500));
    assertThat(failure(ONE_MODEL + "router_settings: {stream_silence_timeout: -1}").getMessage())
        .isEqualTo("config.yaml: router_settings.stream_silence_timeout: -1 (expected: a number of seconds > 0)");
  }

  @Test
  void zeroTimeoutIsRejected() {
    assertThat(failure(ONE_MODEL + "router_settings: {timeout: 0}").getMessage())
        .isEqualTo("config.yaml: router_settings.timeout: 0 (expected: a number of seconds > 0)");
  }

  @Test
  void routerSettingsWinOverLitellmSettings() throws Exception {
    RouterSettings router = load("""
        litellm_settings:
          num_retries: 5
          fallbacks: [{a: [z]}]
        router_settings:
          num_retries: 1
          fallbacks: [{a: [b, c]}, {b: c}]
        """).router();
    assertThat(router.numRetries()).isEqualTo(1);
    assertThat(router.fallbacks()).containsExactly(Map.entry("a", List.of("b", "c")), Map.entry("b", List.of("c")));
    assertThat(load("litellm_settings: {fallbacks: [{a: [z]}]}").router().fallbacks())
        .containsExactly(Map.entry("a", List.of("z")));
    assertThat(failure("router_settings: {fallbacks: {a: b}}").path()).isEqualTo("router_settings.fallbacks");
  }

  @Test
  void maxParallelRequestsComesFromGeneralSettingsUnlessTheModelSetsIt() throws Exception {
    List<ModelDeployment> models = load("""
        model_list:
          - {model_name: a, litellm_params: {model: openai/a, api_base: http://h/v1}}
          - {model_name: b, litellm_params: {model: openai/b, api_base: http://h/v1, max_parallel_requests: 1}}
        general_settings: {max_parallel_requests: 4}
        """).models();
    assertThat(models).extracting(ModelDeployment::maxParallelRequests).containsExactly(4, 1);
    assertThat(load(ONE_MODEL).models().get(0).maxParallelRequests()).isZero();
  }

  @Test
  void healthCheckIntervalDefaultsDependOnWhetherHealthChecksAreConfigured() throws Exception {
    assertThat(load("model_list: []").general().healthCheckInterval()).isEqualTo(Duration.ofSeconds(30));
    GeneralSettings configured = load("general_settings: {background_health_checks: 'false'}").general();
    assertThat(configured.backgroundHealthChecks()).isFalse();
    assertThat(configured.healthCheckInterval()).isEqualTo(Duration.ofSeconds(300));
    assertThat(load("general_settings: {health_check_interval: 7}").general().healthCheckInterval())
        .isEqualTo(Duration.ofSeconds(7));
  }

  @Test
  void switchboardSettingsDefaults() throws Exception {
    SwitchboardSettings s = load("model_list: []").switchboard();
    assertThat(s).isEqualTo(new SwitchboardSettings(32L << 20, 100, Duration.ofSeconds(600),
        Duration.ofMillis(1500), Duration.ofMillis(400), Duration.ofMillis(1500), Duration.ofSeconds(30),
        Duration.ofSeconds(75), false, true, 0, "127.0.0.1", ClusterSettings.DEFAULTS, ResponseStoreSettings.DEFAULTS));
  }

  @Test
  void switchboardSettingsAreRead() throws Exception {
    SwitchboardSettings s = load("""
        switchboard_settings:
          max_body_size_mb: 0.5
          queue_size: 0
          queue_timeout: 5
          ack_timeout_ms: 200
          keepalive_interval_ms: 100
          stream_peer_timeout_ms: 300
          shutdown_grace: 0
          client_idle_timeout: 2.5
          metrics: {require_auth: true, vertx_meters: false}
          event_bridge: {port: 7000, host: 0.0.0.0}
          cluster: {name: lab}
          response_store: {max_responses: 5, max_size_mb: 1, ttl: 60}
        """).switchboard();
    assertThat(s).isEqualTo(new SwitchboardSettings(512L * 1024, 0, Duration.ofSeconds(5), Duration.ofMillis(200),
        Duration.ofMillis(100), Duration.ofMillis(300), Duration.ZERO, Duration.ofMillis(2500), true, false, 7000,
        "0.0.0.0",
        new ClusterSettings("lab", List.of(), null, null, 0, 0, null),
        new ResponseStoreSettings(5, 1L << 20, Duration.ofSeconds(60))));
  }

  @Test
  void bodyLimitFallsBackToLiteLlmsMaxRequestSize() throws Exception {
    assertThat(load("general_settings: {max_request_size_mb: 2}").switchboard().maxBodyBytes())
        .isEqualTo(2L << 20);
    assertThat(load("general_settings: {max_request_size_mb: 2}\nswitchboard_settings: {max_body_size_mb: 8}")
        .switchboard().maxBodyBytes()).isEqualTo(8L << 20);
  }

  @Test
  void unknownSwitchboardSettingFails() {
    ConfigException e = failure("switchboard_settings: {queue_sise: 10}");
    assertThat(e.path()).isEqualTo("switchboard_settings.queue_sise");
    assertThat(e.getMessage()).startsWith("config.yaml: switchboard_settings.queue_sise: unknown setting")
        .contains("queue_size");
    assertThat(failure("switchboard_settings: {event_bridge: {prot: 1}}").path())
        .isEqualTo("switchboard_settings.event_bridge.prot");
    assertThat(failure("switchboard_settings: {metrics: {vertx_meters: sometimes}}").path())
        .isEqualTo("switchboard_settings.metrics.vertx_meters");
  }

  @Test
  void streamPeerTimeoutMustExceedKeepalive() {
    assertThat(failure("switchboard_settings: {keepalive_interval_ms: 2000}").path())
        .isEqualTo("switchboard_settings.stream_peer_timeout_ms");
    assertThat(failure("switchboard_settings: {event_bridge: {port: 70000}}").getMessage())
        .isEqualTo("config.yaml: switchboard_settings.event_bridge.port: 70000 "
            + "(expected: an integer from 0 (off) to 65535)");
  }
}
