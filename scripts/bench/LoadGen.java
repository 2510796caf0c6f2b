import java.io.BufferedInputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * The benchmark's load generator (scripts/bench.sh): plain JDK, blocking sockets, HTTP/1.1 keep-alive,
 * no framework between the clock and the socket. Prints one {@code key<TAB>value} line per figure;
 * keys ending in {@code @rN} are one round's figure, the others pool every round.
 *
 * <pre>
 * LoadGen seq    --n 1000 --rounds 3 --warmup 300                NAME=URL...   sequential, requests interleaved
 *                [--pause-ms 40 --label idle]                                 ... each after an idle pause
 * LoadGen rate   --rate 300 --seconds 10 --conns 16 --rounds 2   NAME=URL...   fixed rate, from intended start
 * LoadGen stream --n 100 --rounds 2 --warmup 30                  NAME=URL...   sequential streams, interleaved
 *                [--pause-ms 40]                                              ... each after an idle pause
 * LoadGen hold   --streams 1000 --ramp-ms 3000 --label L          NAME=URL      concurrent streams
 * LoadGen startup --n 3 --url URL -- COMMAND...                                 start COMMAND, time first 200
 * LoadGen ports  N                                                              N free loopback ports
 * </pre>
 * Common: {@code --model M} (the body's model; a target {@code NAME=URL#MODEL} sends MODEL instead),
 * {@code --key K} (bearer key), {@code --body-kb N} (a request body of ~N KB: earlier turns of a
 * conversation). A target {@code NAME=URL[#MODEL]|Header: value|...} adds those headers to its requests (a
 * peer gateway's routing headers). A URL ending in {@code /responses} gets an OpenAI Responses body
 * ({@code input} instead of {@code messages}). Every URL must be on 127.0.0.1.
 */
public final class LoadGen {

  private final Map<String, String> opts = new LinkedHashMap<>();
  private final List<String[]> targets = new ArrayList<>();
  private final List<String> command = new ArrayList<>();

  private LoadGen(String[] args, int from) {
    for (int i = from; i < args.length; i++) {
      String a = args[i];
      if (a.equals("--")) {
        command.addAll(Arrays.asList(args).subList(i + 1, args.length));
        break;
      } else if (a.startsWith("--")) {
        opts.put(a.substring(2), args[++i]);
      } else {
        int eq = a.indexOf('=');
        if (eq < 1) {
          throw new IllegalArgumentException("target: '" + a + "' (expected: NAME=URL)");
        }
        targets.add(new String[] {a.substring(0, eq), a.substring(eq + 1)});
      }
    }
  }

  public static void main(String[] args) throws Exception {
    if (args.length == 0) {
      System.err.println("usage: LoadGen seq|rate|stream|hold|startup|ports ... (see the class comment)");
      System.exit(2);
    }
    if (args[0].equals("ports")) {
      ports(Integer.parseInt(args[1]));
      return;
    }
    LoadGen g = new LoadGen(args, 1);
    switch (args[0]) {
      case "seq" -> g.seq();
      case "rate" -> g.rate();
      case "stream" -> g.stream();
      case "hold" -> g.hold();
      case "startup" -> g.startup();
      default -> {
        System.err.println("LoadGen: unknown mode " + args[0]);
        System.exit(2);
      }
    }
    System.out.flush();
    System.exit(0);
  }

  private int num(String key, int dflt) {
    return opts.containsKey(key) ? Integer.parseInt(opts.get(key)) : dflt;
  }

  /** {@code url}, or {@code url#model} to send another model than {@code --model} to that target. */
  private Http client(String url, boolean stream) {
    String[] parts = url.split("\\|");
    url = parts[0];
    StringBuilder headers = new StringBuilder();
    for (int i = 1; i < parts.length; i++) {
      headers.append(parts[i].trim()).append("\r\n");
    }
    int hash = url.lastIndexOf('#');
    String model = hash < 0 ? opts.getOrDefault("model", "fast") : url.substring(hash + 1);
    return new Http(hash < 0 ? url : url.substring(0, hash), model, stream, opts.get("key"), num("body-kb", 0),
        headers.toString());
  }

  // ---- sequential requests: the peer comparison's method ----

  private void seq() throws IOException {
    int n = num("n", 1000);
    int rounds = num("rounds", 3);
    int warmup = num("warmup", 300);
    // --pause-ms: idle time before each request (not timed), for the cost of a request that finds the
    // machine idle, as an LLM proxy's requests mostly do; --label: the figures' key prefix.
    int pauseMs = num("pause-ms", 0);
    String label = opts.getOrDefault("label", "seq");
    Http[] c = new Http[targets.size()];
    for (int t = 0; t < c.length; t++) {
      c[t] = client(targets.get(t)[1], false);
    }
    for (int i = 0; i < warmup; i++) {
      for (Http h : c) {
        h.exchange(null);
      }
    }
    Samples[] all = newSamples(c.length, n * rounds);
    for (int r = 1; r <= rounds; r++) {
      Samples[] round = newSamples(c.length, n);
      // Interleaved request by request, so that whatever else the machine does hits every target alike.
      for (int i = 0; i < n; i++) {
        for (int k = 0; k < c.length; k++) {
          int t = (k + i + r) % c.length;
          if (pauseMs > 0) {
            sleepMs(pauseMs);
          }
          long t0 = System.nanoTime();
          int status = c[t].exchange(null);
          long dt = System.nanoTime() - t0;
          record(status, dt, round[t], all[t]);
        }
      }
      for (int t = 0; t < c.length; t++) {
        round[t].print(label + "." + targets.get(t)[0], "@r" + r);
      }
    }
    for (int t = 0; t < c.length; t++) {
      all[t].print(label + "." + targets.get(t)[0], "");
    }
  }

  // ---- a fixed rate, timed from each request's intended start (no coordinated omission) ----

  private void rate() throws Exception {
    double rate = Double.parseDouble(opts.getOrDefault("rate", "300"));
    double seconds = Double.parseDouble(opts.getOrDefault("seconds", "10"));
    int conns = num("conns", 16);
    int rounds = num("rounds", 2);
    Samples[] all = newSamples(targets.size(), (int) (rate * seconds * rounds) + 16);
    for (String[] t : targets) {
      runAtRate(t[1], rate, Math.min(seconds, 2), conns); // warm-up: connections, JIT on both sides
    }
    for (int r = 1; r <= rounds; r++) {
      for (int k = 0; k < targets.size(); k++) {
        int t = (k + r) % targets.size();
        Samples s = runAtRate(targets.get(t)[1], rate, seconds, conns);
        s.print("rate." + targets.get(t)[0], "@r" + r);
        all[t].addAll(s);
      }
    }
    for (int t = 0; t < targets.size(); t++) {
      all[t].print("rate." + targets.get(t)[0], "");
    }
  }

  /**
   * {@code conns} connections share one schedule: request j is due at {@code t0 + j/rate}, and
   * connection k sends requests k, k+conns, ... A request sent late because its connection was still
   * busy is timed from when it was due, as a user arriving on schedule would see it.
   */
  private Samples runAtRate(String url, double rate, double seconds, int conns) throws Exception {
    long period = (long) (1e9 / rate);
    int total = (int) (rate * seconds);
    Samples s = new Samples(total + 16);
    Http[] c = new Http[conns];
    for (int k = 0; k < conns; k++) {
      c[k] = client(url, false);
      c[k].exchange(null); // connect before the clock starts
    }
    long t0 = System.nanoTime() + 20_000_000;
    CountDownLatch done = new CountDownLatch(conns);
    for (int k = 0; k < conns; k++) {
      Http h = c[k];
      int first = k;
      Thread th = new Thread(() -> {
        long[] lat = new long[total / conns + 2];
        int[] st = new int[lat.length];
        int m = 0;
        for (int j = first; j < total; j += conns) {
          long due = t0 + j * period;
          sleepUntil(due);
          int status = h.exchange(null);
          lat[m] = System.nanoTime() - due;
          st[m++] = status;
        }
        synchronized (s) {
          for (int i = 0; i < m; i++) {
            s.add(st[i], lat[i]);
          }
        }
        done.countDown();
      }, "rate-" + k);
      th.setDaemon(true);
      th.start();
    }
    done.await();
    for (Http h : c) {
      h.close();
    }
    return s;
  }

  private static void sleepUntil(long due) {
    long left;
    while ((left = due - System.nanoTime()) > 200_000) {
      LockSupport.parkNanos(left - 150_000);
    }
    while (System.nanoTime() < due) {
      Thread.onSpinWait();
    }
  }

  // ---- sequential streams: time to first chunk, total time, each chunk's delay ----

  private static void sleepMs(int ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void stream() throws IOException {
    int n = num("n", 100);
    int rounds = num("rounds", 2);
    int warmup = num("warmup", 30);
    int pauseMs = num("pause-ms", 0); // idle before each stream, as in seq
    String label = opts.getOrDefault("label", "stream");
    Http[] c = new Http[targets.size()];
    for (int t = 0; t < c.length; t++) {
      c[t] = client(targets.get(t)[1], true);
    }
    StreamStats[] all = new StreamStats[c.length];
    for (int t = 0; t < c.length; t++) {
      all[t] = new StreamStats(n * rounds);
      for (int i = 0; i < warmup; i++) {
        c[t].stream(new StreamStats(1));
      }
    }
    for (int r = 1; r <= rounds; r++) {
      StreamStats[] round = new StreamStats[c.length];
      for (int t = 0; t < c.length; t++) {
        round[t] = new StreamStats(n);
      }
      for (int i = 0; i < n; i++) {
        for (int k = 0; k < c.length; k++) {
          int t = (k + i + r) % c.length;
          if (pauseMs > 0) {
            sleepMs(pauseMs);
          }
          c[t].stream(round[t]);
        }
      }
      for (int t = 0; t < c.length; t++) {
        round[t].print(label + "." + targets.get(t)[0], "@r" + r);
        all[t].addAll(round[t]);
      }
    }
    for (int t = 0; t < c.length; t++) {
      all[t].print(label + "." + targets.get(t)[0], "");
    }
  }

  // ---- many concurrent long streams ----

  private void hold() throws Exception {
    int streams = num("streams", 1000);
    int rampMs = num("ramp-ms", 3000);
    String label = opts.getOrDefault("label", "");
    String name = targets.get(0)[0];
    String url = targets.get(0)[1];
    StreamStats stats = new StreamStats(streams);
    AtomicInteger failed = new AtomicInteger();
    StringBuilder firstError = new StringBuilder();
    CountDownLatch done = new CountDownLatch(streams);
    long t0 = System.nanoTime() + 200_000_000;
    for (int i = 0; i < streams; i++) {
      long start = t0 + (long) i * rampMs * 1_000_000L / streams;
      Thread th = new Thread(null, () -> {
        try (Http h = client(url, true)) {
          sleepUntil(start);
          StreamStats mine = new StreamStats(1);
          if (h.stream(mine)) {
            synchronized (stats) {
              stats.addAll(mine);
            }
          } else {
            failed.incrementAndGet();
          }
        } catch (RuntimeException e) {
          failed.incrementAndGet();
          synchronized (firstError) {
            if (firstError.length() == 0) {
              firstError.append(e);
            }
          }
        } finally {
          done.countDown();
        }
      }, "hold-" + i, 256 * 1024);
      th.setDaemon(true);
      th.start();
    }
    boolean finished = done.await(num("timeout-s", 180), TimeUnit.SECONDS);
    String p = "hold." + name;
    System.out.println(p + ".streams" + label + "\t" + streams);
    System.out.println(p + ".failed" + label + "\t" + (streams - stats.completed));
    if (!finished || firstError.length() > 0) {
      System.err.println("hold: " + (finished ? "" : "timed out; ") + firstError);
    }
    stats.print(p, label);
  }

  // ---- start-up time: from exec to the first answered request ----

  /**
   * Starts {@code command} and, every 5 ms from then on, sends a request on a new connection, with
   * up to 3 of them waiting for an answer at once: a connection the server accepted too early to
   * serve (it hangs, see docs/benchmarks.md) cannot delay the figure, and a server still warming up
   * is not flooded. Stops the process with SIGTERM (its graceful shutdown) afterwards.
   */
  private void startup() throws Exception {
    int n = num("n", 3);
    String url = opts.get("url");
    File log = new File(opts.getOrDefault("log", "/dev/null"));
    Samples s = new Samples(n);
    for (int i = 1; i <= n; i++) {
      long t0 = System.nanoTime();
      Process p = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(log)).start();
      long deadline = t0 + TimeUnit.SECONDS.toNanos(num("timeout-s", 30));
      java.util.concurrent.atomic.AtomicLong first = new java.util.concurrent.atomic.AtomicLong(-1);
      java.util.concurrent.Semaphore inFlight = new java.util.concurrent.Semaphore(3);
      while (first.get() < 0 && System.nanoTime() < deadline && p.isAlive()) {
        if (!inFlight.tryAcquire(5, TimeUnit.MILLISECONDS)) {
          continue;
        }
        Thread attempt = new Thread(() -> {
          try (Http h = client(url, false)) {
            h.timeoutMs = 10_000;
            int status = h.exchange(null);
            if (status == 200) {
              first.compareAndSet(-1, System.nanoTime() - t0);
            }
          } catch (RuntimeException notListeningYet) {
            // refused: try again in 5 ms
          } finally {
            inFlight.release();
          }
        });
        attempt.setDaemon(true);
        attempt.start();
        Thread.sleep(5);
      }
      long took = first.get();
      p.destroy(); // SIGTERM: the graceful shutdown
      if (!p.waitFor(20, TimeUnit.SECONDS)) {
        p.destroyForcibly().waitFor();
      }
      if (took < 0) {
        System.err.println("startup: no answer from " + url + " (see " + log + ")");
        System.exit(1);
      }
      System.out.println("startup.ms@r" + i + "\t" + fmt(took / 1e6));
      s.add(200, took);
      Thread.sleep(300);
    }
    System.out.println("startup.ms\t" + fmt(s.pct(0.5) / 1e6));
    System.out.println("startup.ms_max\t" + fmt(s.pct(1.0) / 1e6));
  }

  private static void ports(int n) throws IOException {
    List<ServerSocket> held = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      ServerSocket ss = new ServerSocket();
      ss.bind(new InetSocketAddress("127.0.0.1", 0));
      held.add(ss);
      System.out.println(ss.getLocalPort());
    }
    for (ServerSocket ss : held) {
      ss.close();
    }
  }

  // ---- figures ----

  private static Samples[] newSamples(int n, int capacity) {
    Samples[] s = new Samples[n];
    for (int i = 0; i < n; i++) {
      s[i] = new Samples(capacity);
    }
    return s;
  }

  private static void record(int status, long dt, Samples a, Samples b) {
    a.add(status, dt);
    b.add(status, dt);
  }

  static String fmt(double v) {
    return String.format(Locale.ROOT, "%.3f", v);
  }

  /** Latencies in nanoseconds, and how many answers were not 200. */
  static final class Samples {
    long[] v;
    int n;
    int errors;
    boolean sorted;

    Samples(int capacity) {
      v = new long[Math.max(1, capacity)];
    }

    void add(int status, long ns) {
      if (status != 200) {
        errors++;
      }
      if (n == v.length) {
        v = Arrays.copyOf(v, n * 2);
      }
      v[n++] = ns;
      sorted = false;
    }

    void addAll(Samples o) {
      for (int i = 0; i < o.n; i++) {
        add(200, o.v[i]);
      }
      errors += o.errors;
    }

    long pct(double q) {
      if (n == 0) {
        return -1;
      }
      if (!sorted) {
        Arrays.sort(v, 0, n);
        sorted = true;
      }
      int i = (int) Math.ceil(q * n) - 1;
      return v[Math.max(0, Math.min(n - 1, i))];
    }

    double mean() {
      double sum = 0;
      for (int i = 0; i < n; i++) {
        sum += v[i];
      }
      return n == 0 ? -1 : sum / n;
    }

    /** In microseconds. */
    void print(String prefix, String suffix) {
      printUs(prefix, suffix, "");
      System.out.println(prefix + ".count" + suffix + "\t" + n);
      System.out.println(prefix + ".errors" + suffix + "\t" + errors);
    }

    void printUs(String prefix, String suffix, String what) {
      System.out.println(prefix + "." + what + "p50_us" + suffix + "\t" + fmt(pct(0.50) / 1e3));
      System.out.println(prefix + "." + what + "p99_us" + suffix + "\t" + fmt(pct(0.99) / 1e3));
      System.out.println(prefix + "." + what + "p999_us" + suffix + "\t" + fmt(pct(0.999) / 1e3));
      System.out.println(prefix + "." + what + "max_us" + suffix + "\t" + fmt(pct(1.0) / 1e3));
      System.out.println(prefix + "." + what + "mean_us" + suffix + "\t" + fmt(mean() / 1e3));
    }
  }

  /** Per stream: time to first chunk and to the end; per chunk: backend write to our read. */
  static final class StreamStats {
    final Samples ttfc;
    final Samples total;
    final Samples transit;
    int completed;
    int chunks = -1;

    StreamStats(int streams) {
      ttfc = new Samples(streams);
      total = new Samples(streams);
      transit = new Samples(streams * 21);
    }

    void addAll(StreamStats o) {
      ttfc.addAll(o.ttfc);
      total.addAll(o.total);
      transit.addAll(o.transit);
      completed += o.completed;
      chunks = o.chunks;
    }

    void print(String prefix, String suffix) {
      ttfc.printUs(prefix, suffix, "ttfc_");
      total.printUs(prefix, suffix, "total_");
      transit.printUs(prefix, suffix, "chunk_");
      System.out.println(prefix + ".completed" + suffix + "\t" + completed);
      System.out.println(prefix + ".chunks" + suffix + "\t" + chunks);
    }
  }

  /** One keep-alive HTTP/1.1 connection sending one prepared POST again and again. */
  static final class Http implements AutoCloseable {
    private final InetSocketAddress addr;
    private final byte[] request;
    private Socket socket;
    private InputStream in;
    private OutputStream out;
    int timeoutMs = 120_000;

    /** @param bodyKb 0: one short message; N: a conversation of ~N KB, as an agent's context is */
    Http(String url, String model, boolean stream, String key, int bodyKb, String extraHeaders) {
      URI u = URI.create(url);
      if (!"127.0.0.1".equals(u.getHost())) {
        throw new IllegalArgumentException("url: " + url + " (expected: http://127.0.0.1:PORT/...)");
      }
      addr = new InetSocketAddress("127.0.0.1", u.getPort());
      // max_tokens makes the same body a valid Anthropic Messages request too (the /v1/messages row).
      // The Responses API takes the same turns as "input" items, and "max_output_tokens".
      boolean responses = u.getRawPath().endsWith("/responses");
      byte[] body = ("{\"model\":\"" + model + "\"," + (responses ? "\"max_output_tokens\"" : "\"max_tokens\"")
          + ":256,\"stream\":" + stream + (responses ? ",\"input\":[" : ",\"messages\":[") + conversation(bodyKb)
          + "{\"role\":\"user\",\"content\":\"ping\"}]}")
          .getBytes(StandardCharsets.UTF_8);
      String head = "POST " + u.getRawPath() + " HTTP/1.1\r\nHost: 127.0.0.1:" + u.getPort() + "\r\n"
          + "Content-Type: application/json\r\n"
          + (key == null ? "" : "Authorization: Bearer " + key + "\r\n")
          + extraHeaders
          + "Content-Length: " + body.length + "\r\n\r\n";
      byte[] h = head.getBytes(StandardCharsets.US_ASCII);
      request = Arrays.copyOf(h, h.length + body.length);
      System.arraycopy(body, 0, request, h.length, body.length);
    }

    /** ~{@code kb} KB of earlier turns, each ~1 KB of text with the escapes code and logs bring (quotes, newlines). */
    private static String conversation(int kb) {
      String turn = "Here is the file you asked for:\\n```java\\nclass A { String s = \\\"quoted\\\"; }\\n```\\n"
          + "The test log says: FAILED at line 42\\tExpected <3> but was <4>. ";
      StringBuilder text = new StringBuilder();
      while (text.length() < 960) {
        text.append(turn);
      }
      StringBuilder out = new StringBuilder();
      for (int i = 0; i < kb; i++) {
        out.append("{\"role\":\"").append(i % 2 == 0 ? "user" : "assistant").append("\",\"content\":\"")
            .append(text).append("\"},");
      }
      return out.toString();
    }

    /** Sends the request; returns the status (-1 on an I/O failure). Reads the whole answer. */
    int exchange(StreamStats stats) {
      return exchange(stats, System.nanoTime());
    }

    private int exchange(StreamStats stats, long t0) {
      if (socket == null) {
        try {
          socket = new Socket();
          socket.setTcpNoDelay(true);
          socket.connect(addr, 5000);
          socket.setSoTimeout(timeoutMs);
          in = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
          out = socket.getOutputStream();
        } catch (IOException e) {
          close();
          throw new IllegalStateException("connect to " + addr + ": " + e, e);
        }
      }
      try {
        out.write(request);
        out.flush();
        return read(stats, t0);
      } catch (IOException | RuntimeException e) {
        close(); // the next request reconnects; this one counts as an error
        return -1;
      }
    }

    /** One streamed request; false if it did not end with 200 and [DONE]. */
    boolean stream(StreamStats stats) {
      long t0 = System.nanoTime();
      int status = exchange(stats, t0);
      if (status == 200 && stats.chunks >= 0) {
        stats.total.add(200, System.nanoTime() - t0);
        stats.completed++;
        return true;
      }
      stats.total.add(status == 200 ? -1 : status, System.nanoTime() - t0);
      return false;
    }

    private int read(StreamStats stats, long t0) throws IOException {
      String status = line();
      int code = Integer.parseInt(status.substring(9, 12));
      long length = -1;
      boolean chunked = false;
      boolean close = false;
      for (String h; !(h = line()).isEmpty(); ) {
        int colon = h.indexOf(':');
        String name = h.substring(0, colon).trim().toLowerCase(Locale.ROOT);
        String value = h.substring(colon + 1).trim();
        if (name.equals("content-length")) {
          length = Long.parseLong(value);
        } else if (name.equals("transfer-encoding") && value.toLowerCase(Locale.ROOT).contains("chunked")) {
          chunked = true;
        } else if (name.equals("connection") && value.equalsIgnoreCase("close")) {
          close = true;
        }
      }
      Events events = stats == null ? null : new Events(stats, t0);
      if (chunked) {
        for (int size; (size = Integer.parseInt(line().split(";")[0].trim(), 16)) > 0; ) {
          byte[] data = in.readNBytes(size);
          if (events != null) {
            events.feed(data, System.nanoTime());
          }
          line();
        }
        while (!line().isEmpty()) {
          // trailers
        }
      } else if (length >= 0) {
        byte[] data = in.readNBytes((int) length);
        if (events != null) {
          events.feed(data, System.nanoTime());
        }
      } else {
        byte[] data = in.readAllBytes();
        if (events != null) {
          events.feed(data, System.nanoTime());
        }
        close = true;
      }
      if (events != null) {
        stats.chunks = events.done ? events.chunks : -1;
      }
      if (close) {
        close();
      }
      return code;
    }

    private String line() throws IOException {
      StringBuilder sb = new StringBuilder(64);
      for (int c; (c = in.read()) != '\n'; ) {
        if (c < 0) {
          throw new IOException("connection closed by the server");
        }
        if (c != '\r') {
          sb.append((char) c);
        }
      }
      return sb.toString();
    }

    @Override
    public void close() {
      if (socket != null) {
        try {
          socket.close();
        } catch (IOException ignored) {
          // closing anyway
        }
      }
      socket = null;
    }
  }

  /** SSE events as they complete: the first one's arrival, each one's {@code "ts"}, the [DONE]. */
  static final class Events {
    private final StreamStats stats;
    private final long t0;
    private final StringBuilder pending = new StringBuilder();
    int chunks;
    boolean done;

    Events(StreamStats stats, long t0) {
      this.stats = stats;
      this.t0 = t0;
    }

    void feed(byte[] data, long now) {
      pending.append(new String(data, StandardCharsets.UTF_8));
      for (int end; (end = pending.indexOf("\n\n")) >= 0; ) {
        String event = pending.substring(0, end);
        pending.delete(0, end + 2);
        if (chunks == 0 && !done) {
          stats.ttfc.add(200, now - t0);
        }
        // OpenAI's streams end with [DONE]; Anthropic's Messages streams with message_stop; Responses
        // streams with response.completed.
        if (event.startsWith("data: [DONE]") || event.contains("\"type\":\"message_stop\"")
            || event.contains("\"type\":\"response.completed\"")) {
          done = true;
          continue;
        }
        int ts = event.lastIndexOf("\"ts\":");
        if (ts >= 0) {
          int e = ts + 5;
          while (e < event.length() && Character.isDigit(event.charAt(e))) {
            e++;
          }
          stats.transit.add(200, now - Long.parseLong(event.substring(ts + 5, e)));
        }
        chunks++;
      }
    }
  }
}
