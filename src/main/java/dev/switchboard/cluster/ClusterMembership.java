package dev.switchboard.cluster;

import java.util.List;
import java.util.function.Consumer;

/**
 * What a node needs to know of the cluster it is in: its own id (the cluster manager's node id, which
 * is also the {@code node} of its acks, events and announcements) and which nodes leave.
 */
public interface ClusterMembership {

  String nodeId();

  /** The ids of the nodes in the cluster now, this one included. */
  List<String> nodes();

  /** Calls {@code listener}, on any thread, with the id of each node that leaves (or is dropped). */
  void onNodeLeft(Consumer<String> listener);
}
