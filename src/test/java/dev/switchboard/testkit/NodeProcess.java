package dev.switchboard.testkit;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A Switchboard node in a JVM of its own ({@code dev.switchboard.Main}, as the jar runs it), for tests
 * that kill, freeze and restart nodes. Its output is read line by line as it comes, so a test waits
 * for a log line (an event), never for a fixed time.
 */
public final class NodeProcess implements AutoCloseable {

  /** What Hazelcast asks for on JDK 9+; the jar's manifest carries the same (Add-Opens). */
  private static final List<String> JVM_FLAGS = List.of("-Xmx256m",
      "--add-opens", "java.base/java.lang=ALL-UNNAMED", "--add-opens", "java.base/java.nio=ALL-UNNAMED",
      "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED", "--add-exports", "java.base/jdk.internal.ref=ALL-UNNAMED",
      "--add-opens", "java.management/sun.management=ALL-UNNAMED",
      "--add-opens", "jdk.management/com.sun.management.internal=ALL-UNNAMED");

  private final String name;
  private final Path config;
  private final int port;
  private final List<String> args;
  private final List<String> lines = new CopyOnWriteArrayList<>();
  private final List<Watch> watches = new CopyOnWriteArrayList<>();
  private Process process;

  private record Watch(Predicate<String> match, CompletableFuture<String> found) {
  }

  private NodeProcess(String name, Path config, int port, List<String> args) {
    this.name = name;
    this.config = config;
    this.port = port;
    this.args = List.copyOf(args);
  }

  /** Writes {@code yaml} to {@code dir/<name>.yaml} and starts a node on it, on a free port. */
  public static NodeProcess start(Path dir, String name, String yaml, String... extraArgs) {
    try {
      Path config = dir.resolve(name + ".yaml");
      Files.writeString(config, yaml);
      NodeProcess node = new NodeProcess(name, config, freePort(), List.of(extraArgs));
      node.launch();
      return node;
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Starts the node again, on the same config and port, after {@link #kill()}. */
  public void restart() {
    lines.clear();
    launch();
  }

  private void launch() {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(JVM_FLAGS);
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "dev.switchboard.Main",
        "--config", config.toString(), "--host", "127.0.0.1", "--port", Integer.toString(port)));
    cmd.addAll(args);
    try {
      ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).directory(config.getParent().toFile());
      pb.environment().remove("LITELLM_MASTER_KEY");
      process = pb.start();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    Process p = process;
    Thread reader = new Thread(() -> read(p), "node-" + name + "-output");
    reader.setDaemon(true);
    reader.start();
  }

  private void read(Process p) {
    try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = in.readLine()) != null) {
        lines.add(line);
        for (Watch w : watches) {
          if (w.match().test(line) && w.found().complete(line)) {
            watches.remove(w);
          }
        }
      }
    } catch (IOException ignored) {
      // the process was killed
    }
  }

  /** Completes with the first line (from now on, or already printed) that {@code match} accepts. */
  public CompletableFuture<String> line(Predicate<String> match) {
    CompletableFuture<String> found = new CompletableFuture<>();
    watches.add(new Watch(match, found));
    lines.stream().filter(match).findFirst().ifPresent(l -> {
      found.complete(l);
      watches.removeIf(w -> w.found() == found);
    });
    return found;
  }

  /** Waits until the node logged that it is ready; fails with its output if it did not in time. */
  public NodeProcess awaitReady(Duration max) {
    try {
      line(l -> l.contains("Application startup complete")).get(max.toMillis(), TimeUnit.MILLISECONDS);
      return this;
    } catch (Exception e) {
      throw new AssertionError("node " + name + " not ready within " + max.toMillis() + " ms; output:\n"
          + output(), e);
    }
  }

  public String baseUrl() {
    return "http://127.0.0.1:" + port;
  }

  public Path config() {
    return config;
  }

  public String output() {
    return String.join("\n", lines);
  }

  public long pid() {
    return process.pid();
  }

  /** SIGKILL: the node dies with no goodbye, as in a crash or a power cut. */
  public void kill() {
    process.destroyForcibly();
    try {
      process.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** SIGTERM, without waiting: the node shuts down gracefully, draining what it serves. */
  public void terminate() {
    process.destroy();
  }

  /** Completes when the process has exited. */
  public java.util.concurrent.CompletableFuture<Process> exited() {
    return process.onExit();
  }

  /** SIGSTOP: the node freezes (a long GC pause, a hung host) with its sockets open. */
  public void freeze() {
    signal("-STOP");
  }

  /** SIGCONT after {@link #freeze()}. */
  public void thaw() {
    signal("-CONT");
  }

  private void signal(String sig) {
    try {
      Process kill = new ProcessBuilder("kill", sig, Long.toString(process.pid())).start();
      if (!kill.waitFor(5, TimeUnit.SECONDS) || kill.exitValue() != 0) {
        throw new IllegalStateException("kill " + sig + " failed");
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    if (process != null && process.isAlive()) {
      thaw(); // a frozen process ignores SIGTERM until it runs again
      process.destroy();
      try {
        if (!process.waitFor(15, TimeUnit.SECONDS)) {
          process.destroyForcibly();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
