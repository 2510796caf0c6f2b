package dev.switchboard.cluster;

import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;

import java.util.List;
import java.util.function.Consumer;

/**
 * Membership from Hazelcast. Vert.x keeps the cluster manager's single NodeListener slot for itself
 * (its HA manager), so we listen on Hazelcast's own membership events instead; a member carries its
 * Vert.x node id as the {@code __vertx.nodeId} attribute.
 */
final class HazelcastMembership implements ClusterMembership {

  private static final String NODE_ID_ATTRIBUTE = "__vertx.nodeId";

  private final HazelcastClusterManager manager;

  HazelcastMembership(HazelcastClusterManager manager) {
    this.manager = manager;
  }

  @Override
  public String nodeId() {
    return manager.getNodeId();
  }

  @Override
  public List<String> nodes() {
    return manager.getNodes();
  }

  @Override
  public void onNodeLeft(Consumer<String> listener) {
    manager.getHazelcastInstance().getCluster().addMembershipListener(new MembershipListener() {
      @Override
      public void memberAdded(MembershipEvent event) {
      }

      @Override
      public void memberRemoved(MembershipEvent event) {
        String id = event.getMember().getAttribute(NODE_ID_ATTRIBUTE);
        listener.accept(id != null ? id : event.getMember().getUuid().toString());
      }
    });
  }
}
