package dev.switchboard;

import io.vertx.core.Vertx;
import io.vertx.core.metrics.MetricsOptions;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.Locale;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The jar carries Netty's native epoll library, the node's options make Vert.x use it, and the test
 * suite runs on it too (src/test/resources/vertx-options.json), so that what is tested is what runs.
 */
@ExtendWith(VertxExtension.class)
class EventLoopTransportTest {

  private static void assumeBundledPlatform() {
    String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
    String arch = System.getProperty("os.arch");
    assumeTrue(os.contains("linux") && (arch.equals("amd64") || arch.equals("aarch64")),
        "the bundled native library is for Linux on x86-64 and ARM64");
  }

  @Test
  void theVertxTestsAreGivenRunsOnNativeEpollToo(Vertx injected) {
    assumeBundledPlatform();
    assertThat(injected.isNativeTransportEnabled())
        .as("vertx-junit5 reads vertx.parameter.filename (pom.xml, surefire)")
        .isTrue();
  }

  @Test
  void onLinuxTheEventLoopsRunOnNativeEpoll() throws Exception {
    assumeBundledPlatform();
    Vertx vertx = Vertx.builder().with(Launcher.vertxOptions(1).setMetricsOptions(new MetricsOptions())).build();
    try {
      assertThat(vertx.isNativeTransportEnabled())
          .as("native transport (cause if not: %s)", vertx.unavailableNativeTransportCause())
          .isTrue();
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }
}
