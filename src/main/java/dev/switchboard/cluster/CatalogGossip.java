package dev.switchboard.cluster;

import dev.switchboard.bus.Addresses;
import dev.switchboard.config.ConfigHolder;
import dev.switchboard.routing.ModelCatalog;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Tells the cluster which models this node serves, and learns what the others serve
 * (docs/event-bus.md, "Catalog announcements"). Every node publishes its list on
 * {@code switchboard.catalog} once a second and at once after a reload; a node that says it is
 * leaving, that Hazelcast drops, or that has been silent for {@link #EXPIRE_AFTER_MS} leaves the
 * listing. Calls are not routed by this catalog (the event bus balances them over every node that
 * has the model's consumer); it decides what /v1/models lists and which names are known.
 */
public final class CatalogGossip extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(CatalogGossip.class);
  static final int VERSION = 1;
  static final long ANNOUNCE_INTERVAL_MS = 1_000;
  /** Three missed announcements. Hazelcast drops a frozen member only after its heartbeat timeout. */
  static final long EXPIRE_AFTER_MS = 3_500;
  private static final DeliveryOptions LOCAL = new DeliveryOptions().setLocalOnly(true);

  private record Peer(List<ModelCatalog.Entry> entries, long lastSeen) {
  }

  private final ConfigHolder config;
  private final String nodeId;
  private final ClusterMembership membership;
  private final ClusterCatalog catalog;
  /** Node id → what it announced last; ordered so that listings are stable. */
  private final Map<String, Peer> peers = new TreeMap<>();
  /** A model whose every node left: its last entry (with no nodes) and the node that served it last. */
  private record Gone(ModelCatalog.Entry entry, String lastNode) {
  }

  /** Model name → models whose every node left; cleared when a node serves it again. */
  private final Map<String, Gone> gone = new LinkedHashMap<>();
  private final List<MessageConsumer<?>> consumers = new ArrayList<>();
  private long timerId = -1;
  private boolean running;

  public CatalogGossip(ConfigHolder config, String nodeId, ClusterMembership membership, ClusterCatalog catalog) {
    this.config = config;
    this.nodeId = nodeId;
    this.membership = membership;
    this.catalog = catalog;
  }

  @Override
  public Future<?> start() {
    MessageConsumer<JsonObject> announcements = vertx.eventBus().consumer(Addresses.CATALOG, this::onAnnouncement);
    MessageConsumer<JsonObject> reloads = vertx.eventBus().localConsumer(Addresses.CONFIG_RELOADED, msg -> {
      if (nodeId.equals(msg.body().getString("node")) && msg.body().getBoolean("ok", false)) {
        announce(false);
      }
    });
    consumers.add(announcements);
    consumers.add(reloads);
    var ctx = context;
    running = true;
    membership.onNodeLeft(id -> ctx.runOnContext(v -> {
      if (running) {
        dropped(id, "left the cluster", true);
      }
    }));
    timerId = vertx.setPeriodic(ANNOUNCE_INTERVAL_MS, id -> {
      announce(false);
      expireSilentPeers();
    });
    return Future.all(announcements.completion(), reloads.completion()).onSuccess(v -> announce(false));
  }

  /** Says goodbye first, so that other nodes stop listing our models before our verticles stop. */
  @Override
  public Future<?> stop() {
    running = false;
    vertx.cancelTimer(timerId);
    // Unregister first: our own goodbye would otherwise reach a consumer on its way out (a warning).
    return Future.all(consumers.stream().map(MessageConsumer::unregister).toList())
        .onComplete(v -> announce(true));
  }

  private void announce(boolean leaving) {
    JsonArray models = new JsonArray();
    if (!leaving) {
      config.current().models().forEach(d -> models.add(ModelCatalog.Entry.of(d, nodeId).toJson()));
    }
    vertx.eventBus().publish(Addresses.CATALOG, new JsonObject().put("version", VERSION)
        .put("ts", System.currentTimeMillis()).put("node", nodeId).put("leaving", leaving).put("models", models));
  }

  private void onAnnouncement(Message<JsonObject> msg) {
    JsonObject a = msg.body();
    String node = a.getString("node");
    if (node == null || node.equals(nodeId)) {
      return;
    }
    if (a.getBoolean("leaving", false)) {
      // Not a departure yet: the node drains the requests it has (shutdown_grace) before it leaves.
      dropped(node, "is shutting down", false);
      return;
    }
    if (!membership.nodes().contains(node)) {
      // Reachable on the event bus but not (or no longer) a cluster member, e.g. dropped while frozen
      // and not merged back yet: calls could not reach its verticles, so its models are not listed.
      return;
    }
    List<ModelCatalog.Entry> entries = new ArrayList<>();
    JsonArray models = a.getJsonArray("models", new JsonArray());
    for (int i = 0; i < models.size(); i++) {
      entries.add(ModelCatalog.Entry.fromJson(models.getJsonObject(i), node));
    }
    Peer before = peers.put(node, new Peer(entries, System.currentTimeMillis()));
    if (before == null) {
      LOG.info("cluster: node {} serves {}", node, names(entries));
      announce(false); // a node that just joined learns our models now, not at our next tick
    } else if (!names(before.entries()).equals(names(entries))) {
      LOG.info("cluster: node {} now serves {}", node, names(entries));
    }
    entries.forEach(e -> gone.remove(e.modelName()));
    // A node back without a model it had (its config changed meanwhile): that model is unknown now.
    gone.values().removeIf(g -> g.lastNode().equals(node));
    publishSnapshot();
  }

  private void expireSilentPeers() {
    long now = System.currentTimeMillis();
    List<String> silent = peers.entrySet().stream()
        .filter(p -> now - p.getValue().lastSeen() > EXPIRE_AFTER_MS).map(Map.Entry::getKey).toList();
    // Not announced as a departure: a node that is merely slow keeps its streams (their own keepalives judge).
    silent.forEach(id -> dropped(id, "silent for more than " + EXPIRE_AFTER_MS + " ms", false));
  }

  /**
   * A node is gone: its models leave the listing (those nobody else serves stay known, answering 503),
   * and, when it really left, API verticles end the streams it was serving at once.
   */
  private void dropped(String node, String why, boolean departed) {
    Peer peer = peers.remove(node);
    if (peer != null) {
      Set<String> stillServed = new HashSet<>();
      peers.values().forEach(p -> p.entries().forEach(e -> stillServed.add(e.modelName())));
      config.current().models().forEach(d -> stillServed.add(d.modelName()));
      for (ModelCatalog.Entry e : peer.entries()) {
        if (!stillServed.contains(e.modelName())) {
          gone.put(e.modelName(), new Gone(new ModelCatalog.Entry(e.modelName(), e.provider(), e.publicParams(),
              e.modelInfo(), e.id(), List.of()), node));
        }
      }
      LOG.warn("cluster: node {} {}; its models {} leave the listing", node, why, names(peer.entries()));
      publishSnapshot();
    }
    if (departed) {
      vertx.eventBus().publish(Addresses.NODE_LEFT, new JsonObject().put("node", node).put("reason", why), LOCAL);
    }
  }

  private void publishSnapshot() {
    List<ModelCatalog.Entry> served = new ArrayList<>();
    peers.values().forEach(p -> served.addAll(p.entries()));
    Map<String, ModelCatalog.Entry> goneEntries = new HashMap<>();
    gone.forEach((name, g) -> goneEntries.put(name, g.entry()));
    catalog.update(served, goneEntries);
  }

  private static List<String> names(List<ModelCatalog.Entry> entries) {
    return entries.stream().map(ModelCatalog.Entry::modelName).toList();
  }
}
