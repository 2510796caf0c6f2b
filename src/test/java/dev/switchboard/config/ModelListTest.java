package dev.switchboard.config;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static dev.switchboard.config.ConfigLoaderTest.failure;
import static dev.switchboard.config.ConfigLoaderTest.load;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ModelListTest {

  @Test
  void missingModelNamesTheExpectedForm() {
    ConfigException e = failure("""
        model_list:
          - model_name: a
            litellm_params: {api_base: http://h/v1}
        """);
    assertThat(e.getMessage()).isEqualTo("config.yaml: model_list[0].litellm_params.model: missing "
        + "(expected: \"<provider>/<model>\", e.g. \"openai/qwen3\")");
    assertThat(failure("model_list: [{litellm_params: {model: openai/a}}]").path())
        .isEqualTo("model_list[0].model_name");
    assertThat(failure("model_list: [{model_name: a}]").path()).isEqualTo("model_list[0].litellm_params");
    assertThat(failure("model_list: [just-a-string]").path()).isEqualTo("model_list[0]");
  }

  @Test
  void apiKeyOfTheWrongTypeIsNotShown() {
    ConfigException e = failure(
        "model_list: [{model_name: a, litellm_params: {model: openai/a, api_base: http://h, api_key: 123456789}}]");
    assertThat(e.path()).isEqualTo("model_list[0].litellm_params.api_key");
    assertThat(e.getMessage()).doesNotContain("123456789");
  }

  @Test
  void unsupportedProviderIsSkippedWithWarning() throws Exception {
    SwitchboardConfig config = load("""
        model_list:
          - model_name: a
            litellm_params: {model: openai/a, api_base: http://h/v1}
          - model_name: b
            litellm_params: {model: hosted_vllm/b, api_base: http://h/v1}
          - model_name: c
            litellm_params: {model: ollama/c}
          - model_name: claude
            litellm_params: {model: anthropic/claude-3-5-sonnet}
        """);
    assertThat(config.models()).extracting(ModelDeployment::modelName).containsExactly("a", "b", "c");
    assertThat(config.warnings()).containsExactly(
        "model_list[3] (claude): provider 'anthropic' is not supported by Switchboard; this model is skipped");
  }

  @Test
  void mockResponseMakesAMockWhateverThePrefix() throws Exception {
    ModelDeployment m = load("""
        model_list:
          - model_name: fake
            litellm_params: {model: anthropic/claude, mock_response: "hi"}
        """).models().get(0);
    assertThat(m.kind()).isEqualTo(ProviderKind.MOCK);
    assertThat(m.provider()).isEqualTo("anthropic");
    assertThat(m.apiBase()).isNull();
  }

  @Test
  void providerDefaultsAndPrefixes() throws Exception {
    SwitchboardConfig config = load("""
        model_list:
          - {model_name: a, litellm_params: {model: gpt-4o}}
          - {model_name: b, litellm_params: {model: lm_studio/org/model-7b}}
          - {model_name: c, litellm_params: {model: ollama_chat/llama3}}
          - {model_name: d, litellm_params: {model: llamafile/x}}
        """, Map.of("OLLAMA_API_BASE", "http://gpu:11434/"));
    assertThat(config.models()).extracting(ModelDeployment::apiBase).containsExactly(
        "https://api.openai.com/v1", "http://localhost:1234/v1", "http://gpu:11434", "http://127.0.0.1:8080/v1");
    assertThat(config.models().get(0).provider()).isEqualTo("openai");
    assertThat(config.models().get(0).backendModel()).isEqualTo("gpt-4o");
    assertThat(config.models().get(1).backendModel()).isEqualTo("org/model-7b");
    assertThat(load("model_list: [{model_name: c, litellm_params: {model: ollama/llama3}}]")
        .models().get(0).apiBase()).isEqualTo("http://localhost:11434");
  }

  @Test
  void openAiCompatibleWithoutApiBaseFails() {
    assertThat(failure("model_list: [{model_name: v, litellm_params: {model: hosted_vllm/v}}]").getMessage())
        .isEqualTo("config.yaml: model_list[0].litellm_params.api_base: missing "
            + "(expected: the URL of the server, e.g. http://localhost:8000/v1)");
  }

  @Test
  void ollamaApiBaseWithV1IsFixed() throws Exception {
    SwitchboardConfig config = load("""
        model_list:
          - model_name: q
            litellm_params: {model: ollama_chat/qwen3, api_base: "http://gpu:11434/v1/"}
        """);
    assertThat(config.models().get(0).apiBase()).isEqualTo("http://gpu:11434");
    assertThat(config.warnings()).singleElement().asString()
        .startsWith("model_list[0].litellm_params.api_base:").contains("/v1");
  }

  @Test
  void entriesSharingAModelNameAreDeploymentsOfOneGroup() throws Exception {
    SwitchboardConfig c = load("""
        model_list:
          - {model_name: x, litellm_params: {model: openai/a, api_base: http://h/v1}}
          - {model_name: y, litellm_params: {model: openai/b, api_base: http://h/v1, weight: 3, rpm: 60, order: 1}}
          - {model_name: z, litellm_params: {model: openai/c, api_base: http://h/v1}}
          - {model_name: y, litellm_params: {model: openai/d, api_base: http://h/v1}, model_info: {id: y-cpu}}
        """);
    assertThat(c.models()).extracting(ModelDeployment::modelName).containsExactly("x", "y", "z", "y");
    assertThat(c.models().get(1).routing()).isEqualTo(new DeploymentRouting(3, 60, 0, 1));
    assertThat(c.models().get(3).id()).isEqualTo("y-cpu");
    assertThat(c.deploymentsBySlot().keySet()).containsExactly("x", "y", "z", "y#2");
  }

  @Test
  void aRepeatedModelInfoIdFails() {
    ConfigException e = failure("""
        model_list:
          - {model_name: y, litellm_params: {model: openai/b, api_base: http://h/v1}, model_info: {id: same}}
          - {model_name: y, litellm_params: {model: openai/d, api_base: http://h/v1}, model_info: {id: same}}
        """);
    assertThat(e.getMessage()).isEqualTo("config.yaml: model_list[1].model_info.id: \"same\" is already the id of "
        + "model_list[0] (expected: an id no other entry has)");
  }

  @Test
  void aWrongWeightIsAnErrorThatNamesIt() {
    ConfigException e = failure("""
        model_list:
          - {model_name: y, litellm_params: {model: openai/b, api_base: http://h/v1, weight: -1}}
        """);
    assertThat(e.getMessage()).contains("model_list[0].litellm_params.weight", "a number > 0");
  }

  @Test
  void modelIdIsModelInfoIdOrAStableHash() throws Exception {
    String yaml = """
        model_list:
          - {model_name: a, litellm_params: {model: openai/a, api_base: http://h/v1}, model_info: {id: 42}}
          - {model_name: b, litellm_params: {model: openai/b, api_base: http://h/v1}}
        """;
    List<ModelDeployment> models = load(yaml).models();
    assertThat(models.get(0).id()).isEqualTo("42");
    assertThat(models.get(1).id()).matches("[0-9a-f]{64}").isEqualTo(load(yaml).models().get(1).id());
    assertThat(models.get(1).id()).isNotEqualTo(
        load(yaml.replace("openai/b", "openai/c")).models().get(1).id());
  }

  @Test
  void deploymentsAreReadOnly() throws Exception {
    ModelDeployment m = load("model_list: [{model_name: a, litellm_params: {model: openai/a, api_base: http://h,"
        + " extra_headers: {X-N: 1}}}]").models().get(0);
    assertThat(m.extraHeaders()).containsExactly(Map.entry("X-N", "1"));
    assertThatThrownBy(() -> m.litellmParams().put("x", 1)).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> m.extraHeaders().put("x", "1")).isInstanceOf(UnsupportedOperationException.class);
    assertThat(m.publicParams().put("x", 1).getInteger("x")).isEqualTo(1);
  }
}
