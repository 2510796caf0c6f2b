package dev.switchboard.cluster;

import dev.switchboard.config.ConfigHolder;
import dev.switchboard.routing.ModelCatalog;
import dev.switchboard.testkit.TestNode;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** What a clustered node lists and routes: its own models, the others', and those whose nodes left. */
class ClusterCatalogTest {

  static final String LOCAL = """
      model_list:
        - model_name: qwen3-coder
          litellm_params: {model: openai/qwen3-coder-30b, api_base: "http://gpu-1:8080/v1"}
      """;

  final ConfigHolder config = new ConfigHolder(TestNode.config(LOCAL));
  final ClusterCatalog catalog = new ClusterCatalog(ModelCatalog.local(config, "me"));

  static ModelCatalog.Entry remote(String name, String id, String node) {
    return new ModelCatalog.Entry(name, "openai", new JsonObject().put("model", "openai/" + name),
        new JsonObject(), id, List.of(node));
  }

  @Test
  void listsOwnModelsAndEveryOtherNodes() {
    catalog.update(List.of(remote("kimi-linear", "k1", "gpu-2"), remote("qwen3-235b", "q1", "gpu-2")), Map.of());
    assertThat(catalog.entries()).extracting(ModelCatalog.Entry::modelName)
        .containsExactly("qwen3-coder", "kimi-linear", "qwen3-235b");
    assertThat(catalog.find("kimi-linear")).get().extracting(ModelCatalog.Entry::nodes).isEqualTo(List.of("gpu-2"));
    assertThat(catalog.find("qwen3-coder")).get().extracting(ModelCatalog.Entry::nodes).isEqualTo(List.of("me"));
    assertThat(catalog.find("nope")).isEmpty();
  }

  @Test
  void theSameDeploymentOnTwoNodesIsOneRowWithBothNodes() {
    catalog.update(List.of(remote("kimi-linear", "k1", "gpu-2"), remote("kimi-linear", "k1", "gpu-3")), Map.of());
    List<ModelCatalog.Entry> kimi = catalog.entries().stream().filter(e -> e.modelName().equals("kimi-linear")).toList();
    assertThat(kimi).singleElement().extracting(ModelCatalog.Entry::nodes).isEqualTo(List.of("gpu-2", "gpu-3"));
  }

  @Test
  void differentDeploymentsOfOneNameAreOneGroupOfRows() {
    catalog.update(List.of(remote("kimi-linear", "k1", "gpu-2"), remote("kimi-linear", "k2", "gpu-3")), Map.of());
    assertThat(catalog.entries().stream().filter(e -> e.modelName().equals("kimi-linear"))).hasSize(2);
    // One model group of two deployments, each on its node.
    assertThat(catalog.group("kimi-linear")).extracting(ModelCatalog.Entry::nodes)
        .containsExactly(List.of("gpu-2"), List.of("gpu-3"));
  }

  @Test
  void aModelWhoseNodesLeftIsRoutableButNotListed() {
    ModelCatalog.Entry gone = new ModelCatalog.Entry("qwen3-235b", "openai", new JsonObject(), new JsonObject(),
        "q1", List.of());
    catalog.update(List.of(), Map.of("qwen3-235b", gone));
    assertThat(catalog.entries()).extracting(ModelCatalog.Entry::modelName).containsExactly("qwen3-coder");
    // Found, with no node: a request for it is sent and answered 503 (down), not 400 (unknown).
    assertThat(catalog.find("qwen3-235b")).get().extracting(ModelCatalog.Entry::nodes).isEqualTo(List.of());
  }

  @Test
  void anotherNodesDeploymentOfOurModelJoinsItsGroup() {
    catalog.update(List.of(remote("qwen3-coder", "other", "gpu-2")), Map.of());
    // Another node's different deployment of the same name joins the group: two deployments, one node each.
    List<ModelCatalog.Entry> group = catalog.group("qwen3-coder");
    assertThat(group).extracting(ModelCatalog.Entry::id).first().isNotEqualTo("other");
    assertThat(group).extracting(ModelCatalog.Entry::nodes).containsExactly(List.of("me"), List.of("gpu-2"));
    assertThat(catalog.entries()).hasSize(2); // /model/info shows both deployments
  }

  @Test
  void announcedEntryRoundTripsThroughJson() {
    ModelCatalog.Entry e = remote("kimi-linear", "k1", "gpu-2");
    assertThat(ModelCatalog.Entry.fromJson(e.toJson(), "gpu-2")).isEqualTo(e);
  }
}
