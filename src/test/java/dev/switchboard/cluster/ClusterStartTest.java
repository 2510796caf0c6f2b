package dev.switchboard.cluster;

import com.hazelcast.config.Config;
import dev.switchboard.config.ClusterSettings;
import dev.switchboard.config.ConfigException;
import dev.switchboard.testkit.TestNode;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.http.ClientAuth;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** How switchboard_settings.cluster and the command line shape Hazelcast and the event bus. */
class ClusterStartTest {

  static final ClusterStart.Overrides NONE = new ClusterStart.Overrides(null, null, null);

  @TempDir
  Path dir;

  static ClusterSettings settings(String clusterYaml) {
    return TestNode.config("model_list: []\nswitchboard_settings:\n  cluster:\n" + clusterYaml.indent(4))
        .switchboard().cluster();
  }

  @Test
  void bundledDefaultJoinsOnLoopbackWithoutMulticastAndDropsSilentNodesFast() {
    Config hz = ClusterStart.hazelcastConfig(ClusterSettings.DEFAULTS, NONE);
    assertThat(hz.getClusterName()).isEqualTo("switchboard");
    assertThat(hz.getNetworkConfig().getJoin().getMulticastConfig().isEnabled()).isFalse();
    assertThat(hz.getNetworkConfig().getJoin().getTcpIpConfig().getMembers()).containsExactly("127.0.0.1");
    assertThat(hz.getNetworkConfig().getInterfaces().getInterfaces()).containsExactly("127.0.0.1");
    assertThat(hz.getProperty("hazelcast.max.no.heartbeat.seconds")).isEqualTo("5");
    assertThat(hz.getProperty("hazelcast.phone.home.enabled")).isEqualTo("false");
    // What Vert.x needs to keep its subscriptions.
    assertThat(hz.getMultiMapConfigs()).containsKey("__vertx.subs");
  }

  @Test
  void settingsNameMembersHostAndPorts() {
    ClusterSettings s = settings("""
        name: lab
        members: [10.0.0.2, "10.0.0.3:5701"]
        host: 127.0.0.1
        public_host: gpu-box.tailnet.ts.net
        port: 5801
        event_bus_port: 5810
        """);
    Config hz = ClusterStart.hazelcastConfig(s, NONE);
    assertThat(hz.getClusterName()).isEqualTo("lab");
    assertThat(hz.getNetworkConfig().getJoin().getTcpIpConfig().getMembers()).containsExactly("10.0.0.2", "10.0.0.3:5701");
    assertThat(hz.getNetworkConfig().getPort()).isEqualTo(5801);
    assertThat(hz.getNetworkConfig().getPublicAddress()).isEqualTo("gpu-box.tailnet.ts.net");
    EventBusOptions bus = ClusterStart.eventBusOptions(s, NONE);
    assertThat(bus.getPort()).isEqualTo(5810);
    assertThat(bus.getHost()).isEqualTo("127.0.0.1");
    assertThat(bus.getClusterPublicHost()).isEqualTo("gpu-box.tailnet.ts.net");
    assertThat(bus.isSsl()).isFalse();
    assertThat(bus.getConnectTimeout()).as("a dead host must not hang a send for 60 s").isLessThanOrEqualTo(2_000);
  }

  @Test
  void membersMayComeFromAnEnvironmentVariableAsACommaList() throws Exception {
    ClusterSettings s = dev.switchboard.config.ConfigLoader.parse(
        "switchboard_settings: {cluster: {members: os.environ/PEERS}}", "c.yaml", java.util.Map.of("PEERS", "a, b:5702"))
        .switchboard().cluster();
    assertThat(s.members()).containsExactly("a", "b:5702");
  }

  @Test
  void commandLineHostWinsOverTheConfig() {
    ClusterSettings s = settings("host: 10.9.9.9");
    EventBusOptions bus = ClusterStart.eventBusOptions(s, new ClusterStart.Overrides(null, "127.0.0.1", "edge"));
    assertThat(bus.getHost()).isEqualTo("127.0.0.1");
    assertThat(bus.getClusterPublicHost()).isEqualTo("edge");
    assertThat(ClusterStart.hazelcastConfig(s, new ClusterStart.Overrides(null, "127.0.0.1", null))
        .getNetworkConfig().getInterfaces().getInterfaces()).containsExactly("127.0.0.1");
  }

  @Test
  void commandLineMembersWinOverTheConfigs() {
    ClusterSettings s = settings("members: [10.0.0.2]");
    Config hz = ClusterStart.hazelcastConfig(s, new ClusterStart.Overrides(null, null, null,
        List.of("switchboard", " switchboard-2 ", "")));
    assertThat(hz.getNetworkConfig().getJoin().getTcpIpConfig().getMembers())
        .containsExactly("switchboard", "switchboard-2");
  }

  @Test
  void tlsIsMutualWithTheGivenPemFiles() throws Exception {
    Path cert = Files.writeString(dir.resolve("node.crt"), "x");
    Path key = Files.writeString(dir.resolve("node.key"), "x");
    ClusterSettings s = settings("tls: {cert: %s, key: %s, ca: %s}".formatted(cert, key, cert));
    assertThat(s.tls()).isEqualTo(new ClusterSettings.Tls(cert, key, cert));
    EventBusOptions bus = ClusterStart.eventBusOptions(s, NONE);
    assertThat(bus.isSsl()).isTrue();
    assertThat(bus.getClientAuth()).isEqualTo(ClientAuth.REQUIRED);
  }

  @Test
  void anUnreadableTlsFileIsAConfigErrorWithItsPath() {
    assertThatThrownBy(() -> dev.switchboard.config.ConfigLoader.parse(
        "switchboard_settings: {cluster: {tls: {cert: /nope.crt, key: /nope.key, ca: /nope.crt}}}", "c.yaml", java.util.Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessage("c.yaml: switchboard_settings.cluster.tls.cert: cannot read /nope.crt");
  }

  @Test
  void anUnknownClusterSettingIsAnError() {
    assertThatThrownBy(() -> dev.switchboard.config.ConfigLoader.parse(
        "switchboard_settings: {cluster: {nmae: x}}", "c.yaml", java.util.Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("c.yaml: switchboard_settings.cluster.nmae: unknown setting");
  }

  @Test
  void aHazelcastXmlThatIsNotOneIsOneLine() throws Exception {
    Path bad = Files.writeString(dir.resolve("cluster.xml"), "<hazelcast><network><port>x</port></network>");
    assertThatThrownBy(() -> ClusterStart.hazelcastConfig(ClusterSettings.DEFAULTS,
        new ClusterStart.Overrides(bad, null, null)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(bad.toString()).hasMessageNotContaining("\n");
    assertThatThrownBy(() -> ClusterStart.hazelcastConfig(ClusterSettings.DEFAULTS,
        new ClusterStart.Overrides(dir.resolve("missing.xml"), null, null)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("--cluster-config: cannot read");
  }

  @Test
  void theDefaultsAreLoopbackAndTheNameSwitchboard() {
    assertThat(ClusterSettings.DEFAULTS.name()).isEqualTo("switchboard");
    assertThat(ClusterSettings.DEFAULTS.members()).isEqualTo(List.of());
    assertThat(settings("name: x").tls()).isNull();
  }
}
