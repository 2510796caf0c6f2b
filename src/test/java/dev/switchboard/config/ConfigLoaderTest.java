package dev.switchboard.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConfigLoaderTest {

  private static final Map<String, String> SEED_ENV = Map.of(
      "OLLAMA_API_BASE", "http://127.0.0.1:11434",
      "QWEN3_CODER_LLAMA_API_BASE", "http://127.0.0.1:8082/v1/",
      "LITELLM_MASTER_KEY", "sk-seed");

  static SwitchboardConfig load(String yaml) throws ConfigException {
    return load(yaml, Map.of());
  }

  static SwitchboardConfig load(String yaml, Map<String, String> env) throws ConfigException {
    return ConfigLoader.parse(yaml, "config.yaml", env);
  }

  static ConfigException failure(String yaml, Map<String, String> env) {
    try {
      load(yaml, env);
    } catch (ConfigException e) {
      return e;
    }
    throw new AssertionError("expected a ConfigException for:\n" + yaml);
  }

  static ConfigException failure(String yaml) {
    return failure(yaml, Map.of());
  }

  private static Path seed() throws URISyntaxException {
    return Path.of(ConfigLoaderTest.class.getResource("/config/seed.yaml").toURI());
  }

  @Test
  void seedConfigLoads() throws Exception {
    SwitchboardConfig config = ConfigLoader.load(seed(), SEED_ENV);

    assertThat(config.source()).isEqualTo(seed().toString());
    assertThat(config.warnings()).isEmpty();
    assertThat(config.models()).extracting(ModelDeployment::modelName)
        .containsExactly("qwen3-coder", "qwen3-coder-llama", "kimi-linear", "qwen3-235b");

    ModelDeployment ollama = config.models().get(0);
    assertThat(ollama.kind()).isEqualTo(ProviderKind.OLLAMA);
    assertThat(ollama.provider()).isEqualTo("ollama_chat");
    assertThat(ollama.backendModel()).isEqualTo("qwen3-coder:30b");
    assertThat(ollama.apiBase()).isEqualTo("http://127.0.0.1:11434");

    ModelDeployment llama = config.models().get(1);
    assertThat(llama.kind()).isEqualTo(ProviderKind.OPENAI_COMPATIBLE);
    assertThat(llama.apiBase()).isEqualTo("http://127.0.0.1:8082/v1");
    assertThat(llama.apiKey()).isEqualTo("none");
    assertThat(llama.publicParams().containsKey("api_key")).isFalse();
    assertThat(llama.litellmParams().getString("api_base")).isEqualTo("http://127.0.0.1:8082/v1/");

    ModelDeployment big = config.models().get(3);
    assertThat(big.timeout()).isEqualTo(Duration.ofSeconds(1800));
    assertThat(big.streamTimeout()).isEqualTo(Duration.ofSeconds(120));
    assertThat(big.modelInfo().getInteger("max_input_tokens")).isEqualTo(131072);
    assertThat(big.index()).isEqualTo(3);
    assertThat(big.id()).matches("[0-9a-f]{64}");

    assertThat(config.general().masterKey()).isEqualTo("sk-seed");
    assertThat(config.router().numRetries()).isEqualTo(2);
    assertThat(config.switchboard().maxBodyBytes()).isEqualTo(32L * 1024 * 1024);
  }

  @Test
  void seedConfigWithoutItsVariablesNamesTheFirstMissingOne() throws Exception {
    Map<String, String> env = Map.of("OLLAMA_API_BASE", "http://127.0.0.1:11434", "LITELLM_MASTER_KEY", "k");
    assertThatThrownBy(() -> ConfigLoader.load(seed(), env))
        .isInstanceOf(ConfigException.class)
        .hasMessage(seed() + ": model_list[1].litellm_params.api_base: environment variable "
            + "QWEN3_CODER_LLAMA_API_BASE is not set (referenced as os.environ/QWEN3_CODER_LLAMA_API_BASE)");
  }

  @Test
  void resolvesOsEnvironAnywhere() throws Exception {
    SwitchboardConfig config = load("""
        model_list:
          - model_name: os.environ/NAME
            litellm_params:
              model: os.environ/MODEL
              api_base: os.environ/BASE
              api_key: os.environ/KEY
              timeout: os.environ/TIMEOUT
              stop: [os.environ/STOP, literal]
              options: {nested: {deep: os.environ/DEEP}}
            model_info: {owner: os.environ/OWNER}
        """, Map.of("NAME", "m", "MODEL", "openai/x", "BASE", "http://h:1/v1", "KEY", "sk-1",
        "TIMEOUT", "12.5", "STOP", "END", "DEEP", "down", "OWNER", "me"));

    ModelDeployment m = config.models().get(0);
    assertThat(m.modelName()).isEqualTo("m");
    assertThat(m.backendModel()).isEqualTo("x");
    assertThat(m.apiBase()).isEqualTo("http://h:1/v1");
    assertThat(m.apiKey()).isEqualTo("sk-1");
    assertThat(m.timeout()).isEqualTo(Duration.ofMillis(12500));
    assertThat(m.litellmParams().getJsonArray("stop").getList()).containsExactly("END", "literal");
    assertThat(m.litellmParams().getJsonObject("options").getJsonObject("nested").getString("deep"))
        .isEqualTo("down");
    assertThat(m.modelInfo().getString("owner")).isEqualTo("me");
  }

  @Test
  void missingEnvVariableNamesItAndItsPath() {
    ConfigException e = failure("""
        model_list:
          - model_name: a
            litellm_params: {model: openai/a, api_base: http://h/v1}
          - model_name: b
            litellm_params: {model: openai/b, api_base: os.environ/QWEN_API_BASE}
        """);
    assertThat(e.getMessage()).isEqualTo("config.yaml: model_list[1].litellm_params.api_base: "
        + "environment variable QWEN_API_BASE is not set (referenced as os.environ/QWEN_API_BASE)");
    assertThat(e.path()).isEqualTo("model_list[1].litellm_params.api_base");
  }

  @Test
  void missingEnvVariableInAnIgnoredSettingDoesNotFail() throws Exception {
    SwitchboardConfig config = load("""
        general_settings: {database_url: os.environ/DATABASE_URL, alerting_webhook: os.environ/SLACK}
        model_list:
          - model_name: claude
            litellm_params: {model: anthropic/claude-3, api_key: os.environ/ANTHROPIC_API_KEY}
        """);
    assertThat(config.models()).isEmpty();
    assertThat(config.warnings()).hasSize(3);
  }

  @Test
  void environmentVariablesSectionFeedsResolutionButRealEnvWins() throws Exception {
    SwitchboardConfig config = load("""
        environment_variables: {BASE: "http://from-config:1/v1", KEY: from-config, PORT: 8000}
        model_list:
          - model_name: m
            litellm_params: {model: openai/m, api_base: os.environ/BASE, api_key: os.environ/KEY}
        """, Map.of("KEY", "from-env"));
    assertThat(config.models().get(0).apiBase()).isEqualTo("http://from-config:1/v1");
    assertThat(config.models().get(0).apiKey()).isEqualTo("from-env");
  }

  @Test
  void wrongTypeNamesYamlPath() {
    ConfigException e = failure("""
        model_list:
          - model_name: a
            litellm_params: {model: openai/a, api_base: http://h/v1}
          - model_name: b
            litellm_params: {model: openai/b, api_base: http://h/v1}
          - model_name: c
            litellm_params: {model: openai/c, api_base: http://h/v1, timeout: abc}
        """);
    assertThat(e.getMessage()).isEqualTo(
        "config.yaml: model_list[2].litellm_params.timeout: \"abc\" (expected: a number of seconds > 0)");
    assertThat(e.path()).isEqualTo("model_list[2].litellm_params.timeout");
  }

  @Test
  void wrongTypesElsewhereNameTheirPaths() {
    assertThat(failure("model_list: {a: 1}").getMessage())
        .startsWith("config.yaml: model_list: a mapping (expected: a list");
    assertThat(failure("router_settings: {num_retries: -1}").path()).isEqualTo("router_settings.num_retries");
    assertThat(failure("general_settings: {background_health_checks: maybe}").getMessage())
        .isEqualTo("config.yaml: general_settings.background_health_checks: \"maybe\" (expected: true or false)");
    assertThat(failure("model_list: [{model_name: a, litellm_params: {model: openai/a, api_base: ftp://h}}]")
        .path()).isEqualTo("model_list[0].litellm_params.api_base");
    assertThat(failure("model_list: [{model_name: a, litellm_params: {model: openai/a, api_base: 'http://'}}]")
        .path()).isEqualTo("model_list[0].litellm_params.api_base");
    assertThat(failure("model_list: [{model_name: a, litellm_params: {model: openai/a, api_base: http://h,"
        + " extra_headers: {X-A: [1]}}}]").path()).isEqualTo("model_list[0].litellm_params.extra_headers.X-A");
  }

  @Test
  void unknownLiteLlmKeysWarnButLoad() throws Exception {
    SwitchboardConfig config = load("""
        credential_list: []
        model_list:
          - model_name: a
            litellm_params: {model: openai/a, api_base: http://h/v1, temperature: 0.2, rpm: 60}
        litellm_settings: {drop_params: true, num_retries: 4}
        router_settings: {routing_strategy: least-busy, enable_pre_call_checks: true}
        general_settings: {alerting: [slack]}
        """);
    assertThat(config.models()).hasSize(1);
    assertThat(config.models().get(0).litellmParams().getDouble("temperature")).isEqualTo(0.2);
    assertThat(config.router().numRetries()).isEqualTo(4);
    assertThat(config.router().strategy()).isEqualTo(RoutingStrategy.LEAST_BUSY);
    assertThat(config.warnings()).containsExactlyInAnyOrder(
        "credential_list: LiteLLM setting not used by Switchboard; ignored",
        "litellm_settings.drop_params: LiteLLM setting not used by Switchboard; ignored",
        "router_settings.enable_pre_call_checks: LiteLLM setting not used by Switchboard; ignored",
        "general_settings.alerting: LiteLLM setting not used by Switchboard; ignored");
  }

  @Test
  void aRoutingStrategySwitchboardLacksIsAWarningAndSimpleShuffle() throws Exception {
    SwitchboardConfig config = load("""
        router_settings:
          routing_strategy: cost-based-routing
          model_group_alias: {gpt-4o: coder, hidden-one: {model: coder, hidden: true}}
          routing_strategy_args: {lowest_latency_buffer: 0.5, ttl: 60}
          retry_policy: {TimeoutErrorRetries: 2, RateLimitErrorRetries: 1}
        """);
    assertThat(config.router().strategy()).isEqualTo(RoutingStrategy.SIMPLE_SHUFFLE);
    assertThat(config.warnings()).singleElement().asString().contains("cost-based-routing", "simple-shuffle");
    assertThat(config.router().aliases()).containsEntry("gpt-4o", new RouterSettings.GroupAlias("coder", false))
        .containsEntry("hidden-one", new RouterSettings.GroupAlias("coder", true));
    assertThat(config.router().latency().buffer()).isEqualTo(0.5);
    assertThat(config.router().latency().ttl()).hasSeconds(60);
    assertThat(config.router().retryPolicy().retriesFor(408)).isEqualTo(2);
    assertThat(config.router().retryPolicy().retriesFor(429)).isEqualTo(1);
    assertThat(config.router().retryPolicy().retriesFor(500)).isZero();
  }

  @Test
  void databaseUrlWarnsOnce() throws Exception {
    SwitchboardConfig config = load("""
        general_settings: {database_url: "postgresql://u:p@db:5432/litellm"}
        """);
    assertThat(config.warnings()).containsExactly(
        "general_settings.database_url: Switchboard keeps no database; ignored");
    assertThat(load("general_settings: {database_url: null}").warnings()).isEmpty();
  }

  @Test
  void yamlSyntaxErrorGivesLineAndColumn() {
    ConfigException e = failure("""
        model_list:
          - model_name: a
            litellm_params: {model: openai/a
        general_settings: {}
        """);
    assertThat(e.getMessage()).startsWith("config.yaml: invalid YAML at line ").contains("column ")
        .doesNotContain("\n");
    assertThat(e.path()).isEmpty();
  }

  @Test
  void emptyOrNonMappingFileIsRejected() {
    assertThat(failure("").getMessage()).startsWith("config.yaml: the file is empty");
    assertThat(failure("# only a comment\n").getMessage()).startsWith("config.yaml: the file is empty");
    assertThat(failure("- a\n- b\n").getMessage()).startsWith("config.yaml: the top level is a list");
  }

  @Test
  void unreadableFileNamesIt(@TempDir Path dir) {
    Path missing = dir.resolve("nope.yaml");
    assertThatThrownBy(() -> ConfigLoader.load(missing, Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessage("cannot read config file " + missing + ": no such file");
  }

  @Test
  void loadReadsAFile(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("config.yaml");
    Files.writeString(file, "model_list: []\n");
    SwitchboardConfig config = ConfigLoader.load(file, Map.of());
    assertThat(config.models()).isEmpty();
    assertThat(config.source()).isEqualTo(file.toString());
  }

  @Test
  void masterKeyFromEnvWhenAbsent() throws Exception {
    assertThat(load("model_list: []", Map.of("LITELLM_MASTER_KEY", "sk-env")).general().masterKey())
        .isEqualTo("sk-env");
    assertThat(load("general_settings: {master_key: sk-file}", Map.of("LITELLM_MASTER_KEY", "sk-env"))
        .general().masterKey()).isEqualTo("sk-file");
    assertThat(load("general_settings: {master_key: ''}").general().masterKey()).isNull();
    assertThat(load("model_list: []").general().masterKey()).isNull();
  }

  @Test
  void fromJsonAcceptsNestedJsonObjectsAndArrays() throws Exception {
    JsonObject root = new JsonObject()
        .put("model_list", new JsonArray().add(new JsonObject()
            .put("model_name", "j")
            .put("litellm_params", new JsonObject().put("model", "vllm/j").put("api_base", "os.environ/B")
                .put("stop", new JsonArray().add("x")))));
    SwitchboardConfig config = ConfigLoader.fromJson(root, "cluster", Map.of("B", "https://gpu/v1"));
    assertThat(config.source()).isEqualTo("cluster");
    assertThat(config.models().get(0).apiBase()).isEqualTo("https://gpu/v1");
    assertThat(config.models().get(0).litellmParams().getJsonArray("stop").getString(0)).isEqualTo("x");
  }

  @Test
  void anchorThatRefersToItselfIsRejected() {
    assertThat(failure("model_list: &loop [*loop]").getMessage()).contains("nested more than");
  }
}
