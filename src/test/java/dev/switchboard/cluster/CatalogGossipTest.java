package dev.switchboard.cluster;

import dev.switchboard.bus.Addresses;
import dev.switchboard.config.ConfigHolder;
import dev.switchboard.routing.ModelCatalog;
import dev.switchboard.testkit.Await;
import dev.switchboard.testkit.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The catalog announcements as one node sees them, on one (unclustered) event bus with a stand-in
 * for Hazelcast's membership: what is listed, what stays routable, and when streams are ended.
 */
@ExtendWith(VertxExtension.class)
class CatalogGossipTest {

  static final Duration SOON = Duration.ofSeconds(5);

  final List<String> members = new CopyOnWriteArrayList<>(List.of("me", "gpu-2"));
  final List<Consumer<String>> leftListeners = new CopyOnWriteArrayList<>();
  ClusterCatalog catalog;

  @BeforeEach
  void start(Vertx vertx) {
    ConfigHolder config = new ConfigHolder(TestNode.config("model_list: []"));
    catalog = new ClusterCatalog(ModelCatalog.local(config, "me"));
    ClusterMembership membership = new ClusterMembership() {
      @Override
      public String nodeId() {
        return "me";
      }

      @Override
      public List<String> nodes() {
        return members;
      }

      @Override
      public void onNodeLeft(Consumer<String> listener) {
        leftListeners.add(listener);
      }
    };
    vertx.deployVerticle(new CatalogGossip(config, "me", membership, catalog)).await();
  }

  static JsonObject announcement(String node, boolean leaving, String... models) {
    JsonArray list = new JsonArray();
    for (String m : models) {
      list.add(new ModelCatalog.Entry(m, "openai", new JsonObject(), new JsonObject(), m + "-id", List.of(node)).toJson());
    }
    return new JsonObject().put("version", 1).put("ts", 0L).put("node", node).put("leaving", leaving).put("models", list);
  }

  List<String> listed() {
    return catalog.entries().stream().map(ModelCatalog.Entry::modelName).toList();
  }

  @Test
  void aMembersModelsAreListedAndItsGoodbyeKeepsThemRoutableAs503(Vertx vertx) {
    vertx.eventBus().publish(Addresses.CATALOG, announcement("gpu-2", false, "qwen3-235b"));
    Await.until(SOON, "qwen3-235b listed", () -> listed().contains("qwen3-235b"));

    vertx.eventBus().publish(Addresses.CATALOG, announcement("gpu-2", true));
    Await.until(SOON, "qwen3-235b unlisted", () -> listed().isEmpty());
    assertThat(catalog.find("qwen3-235b")).get().extracting(ModelCatalog.Entry::nodes).isEqualTo(List.of());
  }

  @Test
  void aNodeBackWithoutAModelMakesItUnknown(Vertx vertx) {
    vertx.eventBus().publish(Addresses.CATALOG, announcement("gpu-2", false, "old", "kept"));
    Await.until(SOON, "both listed", () -> listed().size() == 2);
    vertx.eventBus().publish(Addresses.CATALOG, announcement("gpu-2", true));
    Await.until(SOON, "unlisted", () -> listed().isEmpty());

    vertx.eventBus().publish(Addresses.CATALOG, announcement("gpu-2", false, "kept"));
    Await.until(SOON, "kept listed again", () -> listed().equals(List.of("kept")));
    assertThat(catalog.find("old")).as("no node has it: a 400, not a 503 forever").isEmpty();
  }

  @Test
  void anAnnouncementFromANonMemberIsNotListed(Vertx vertx) {
    vertx.eventBus().publish(Addresses.CATALOG, announcement("stranger", false, "evil"));
    vertx.eventBus().publish(Addresses.CATALOG, announcement("gpu-2", false, "real"));
    Await.until(SOON, "the member's model listed", () -> listed().contains("real"));
    assertThat(listed()).doesNotContain("evil");
  }

  @Test
  void aNodeHazelcastDropsEndsItsStreamsAtOnce(Vertx vertx) throws Exception {
    vertx.eventBus().publish(Addresses.CATALOG, announcement("gpu-2", false, "qwen3-235b"));
    Await.until(SOON, "listed", () -> listed().contains("qwen3-235b"));
    CompletableFuture<JsonObject> nodeLeft = new CompletableFuture<>();
    vertx.eventBus().<JsonObject>localConsumer(Addresses.NODE_LEFT, m -> nodeLeft.complete(m.body())).completion().await();

    members.remove("gpu-2");
    leftListeners.forEach(l -> l.accept("gpu-2"));
    assertThat(nodeLeft.get(5, TimeUnit.SECONDS).getString("node")).isEqualTo("gpu-2");
    Await.until(SOON, "unlisted", () -> listed().isEmpty());
  }
}
