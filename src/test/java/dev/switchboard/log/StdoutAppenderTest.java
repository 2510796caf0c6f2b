package dev.switchboard.log;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/** Log lines reach stdout whole, in order, soon, and all of them by the time the appender stops. */
class StdoutAppenderTest {

  private final LoggerContext context = new LoggerContext();
  private final Logger logger = context.getLogger("switchboard.requests");
  private final ByteArrayOutputStream out = new ByteArrayOutputStream() {
    @Override
    public synchronized void write(byte[] b, int off, int len) {
      super.write(b, off, len);
    }
  };
  private final StdoutAppender appender = new StdoutAppender();

  private void start(int queueSize) {
    context.setMDCAdapter(new LogbackMDCAdapter()); // as logback's own start-up does
    PatternLayoutEncoder encoder = new PatternLayoutEncoder();
    encoder.setContext(context);
    encoder.setPattern("%level %msg%n");
    encoder.start();
    appender.setContext(context);
    appender.setName("TEST");
    appender.setEncoder(encoder);
    appender.setQueueSize(queueSize);
    appender.setOutputStream(out);
    appender.start();
  }

  @AfterEach
  void stop() {
    appender.stop();
  }

  private void log(Level level, String msg) {
    appender.doAppend(new LoggingEvent(Logger.FQCN, logger, level, msg, null, null));
  }

  private String written() {
    synchronized (out) {
      return out.toString(StandardCharsets.UTF_8);
    }
  }

  @Test
  void aLoneLineIsWrittenWithinMilliseconds() throws InterruptedException {
    start(8192);
    log(Level.INFO, "POST /v1/chat/completions status=200");
    long deadline = System.currentTimeMillis() + 2000;
    while (written().isEmpty() && System.currentTimeMillis() < deadline) {
      Thread.sleep(1);
    }
    assertThat(written()).isEqualTo("INFO POST /v1/chat/completions status=200\n");
  }

  @Test
  void aBurstArrivesWholeAndInOrderByTheStop() {
    start(8192);
    IntStream.range(0, 5000).forEach(i -> log(Level.INFO, "line " + i));
    appender.stop();
    assertThat(written().split("\n")).containsExactly(IntStream.range(0, 5000).mapToObj(i -> "INFO line " + i)
        .toArray(String[]::new));
  }

  @Test
  void aFloodDropsInfoLinesButKeepsWarnings() {
    start(10);
    // The worker may take a line or two meanwhile; what matters is that nothing blocks and WARN stays.
    IntStream.range(0, 1000).forEach(i -> log(Level.INFO, "info " + i));
    log(Level.WARN, "the warning");
    appender.stop();
    assertThat(written()).contains("WARN the warning");
    assertThat(written().split("\n").length).isLessThan(1000);
  }
}
