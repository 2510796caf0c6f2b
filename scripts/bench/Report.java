import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * Turns scripts/bench.sh's raw figures into the summary table: printed, compared with issues 9 and 19's
 * targets and with the previous run, and written between the bench:results markers of the doc. The
 * floor every ratio is taken against is the keep-alive nginx hop (target {@code nginx}); {@code nginxcpr}
 * is nginx's default connection-per-request hop; the peers ({@code targets.peers}) and the skipped
 * targets ({@code skip.NAME}) get rows of their own.
 *
 * <p>Usage: {@code Report RESULTS.tsv MACHINE.tsv [--doc FILE]}. Raw keys: {@code name<TAB>value}, a
 * {@code @rN} suffix for one round's figure (see LoadGen). Every figure is computed from the pooled
 * samples and again per round; the spread over rounds is the in-run noise.
 */
public final class Report {

  static final String BEGIN = "<!-- bench:results:begin";
  static final String END = "<!-- bench:results:end -->";
  static final String DATA = "<!-- bench:data";

  private final Map<String, String> raw = new LinkedHashMap<>();
  private final Map<String, String> machine = new LinkedHashMap<>();
  private final List<Row> rows = new ArrayList<>();
  private final boolean nginx;
  private final List<String> peers = new ArrayList<>();

  /** One line of the table. {@code met}: null when there is no target. */
  record Row(String key, String label, String unit, double value, double lo, double hi, String target, Boolean met) {
  }

  private Report(Path results, Path machineFile) throws IOException {
    read(results, raw);
    read(machineFile, machine);
    nginx = raw.keySet().stream().anyMatch(k -> k.startsWith("seq.nginx."));
    for (String t : raw.getOrDefault("targets.peers", "").trim().split("\\s+")) {
      if (!t.isEmpty()) {
        peers.add(t);
      }
    }
  }

  private static void read(Path p, Map<String, String> into) throws IOException {
    for (String line : Files.readAllLines(p, StandardCharsets.UTF_8)) {
      int tab = line.indexOf('\t');
      if (tab > 0) {
        into.put(line.substring(0, tab).trim(), line.substring(tab + 1).trim());
      }
    }
  }

  public static void main(String[] args) throws IOException {
    Report r = new Report(Path.of(args[0]), Path.of(args[1]));
    r.build();
    Path doc = args.length >= 4 && args[2].equals("--doc") ? Path.of(args[3]) : null;
    Map<String, Double> previous = doc != null && Files.exists(doc) ? previousData(Files.readString(doc)) : Map.of();
    String previousDate = doc != null && Files.exists(doc) ? previousDate(Files.readString(doc)) : null;
    System.out.println();
    System.out.print(r.table(previous, previousDate, false));
    System.out.println("Other processes used " + r.raw.getOrDefault("machine.others_pct", "?")
        + " % of all CPUs during the run (the figures are that much noisier).");
    if (doc != null) {
      r.write(doc, previous, previousDate);
    }
  }

  // ---- figures ----

  private double v(String key) {
    String s = raw.get(key);
    if (s == null || s.isEmpty()) {
      return Double.NaN;
    }
    try {
      return Double.parseDouble(s);
    } catch (NumberFormatException e) {
      return Double.NaN;
    }
  }

  /** How many rounds some key was measured in ({@code key@r1}, {@code key@r2}, ...). */
  private int rounds(String key) {
    int n = 0;
    while (raw.containsKey(key + "@r" + (n + 1))) {
      n++;
    }
    return n;
  }

  /**
   * A figure computed by {@code f} from a key lookup, pooled ({@code ""}) and per round
   * ({@code "@rN"}); rounds are counted on {@code probe}.
   */
  private void add(String key, String label, String unit, String probe, Function<Function<String, Double>, Double> f,
                   String target, Function<Double, Boolean> check) {
    double value = f.apply(k -> v(k));
    double lo = Double.NaN;
    double hi = Double.NaN;
    int n = rounds(probe);
    for (int r = 1; r <= n; r++) {
      String suffix = "@r" + r;
      double x = f.apply(k -> v(k + suffix));
      if (!Double.isNaN(x)) {
        lo = Double.isNaN(lo) ? x : Math.min(lo, x);
        hi = Double.isNaN(hi) ? x : Math.max(hi, x);
      }
    }
    if (Double.isNaN(value) && n > 0) {
      double sum = 0;
      for (int r = 1; r <= n; r++) {
        String suffix = "@r" + r;
        sum += f.apply(k -> v(k + suffix));
      }
      value = sum / n;
    }
    Boolean met = check == null || Double.isNaN(value) ? null : check.apply(value);
    rows.add(new Row(key, label, unit, value, lo, hi, target, met));
  }

  private void build() {
    add("startup_ms", "Start to first served request", "ms", "startup.ms", g -> g.apply("startup.ms"),
        "≤ 1500", x -> x <= 1500);
    add("seq_p50_added_us", "Sequential, added p50", "µs", "seq.sb.p50_us",
        g -> g.apply("seq.sb.p50_us") - g.apply("seq.direct.p50_us"), "≤ 300", x -> x <= 300);
    add("seq_p99_added_us", "Sequential, added p99", "µs", "seq.sb.p99_us",
        g -> g.apply("seq.sb.p99_us") - g.apply("seq.direct.p99_us"), null, null);
    if (nginx) {
      add("seq_nginx_p50_added_us", "Sequential, keep-alive nginx hop's added p50", "µs", "seq.nginx.p50_us",
          g -> g.apply("seq.nginx.p50_us") - g.apply("seq.direct.p50_us"), null, null);
    }
    double rateNginxP50 = v("rate.nginx.p50_us") - v("rate.direct.p50_us");
    double rateNginxP99 = v("rate.nginx.p99_us") - v("rate.direct.p99_us");
    add("rate_p50_added_us", "300 req/s, added p50", "µs", "rate.sb.p50_us",
        g -> g.apply("rate.sb.p50_us") - g.apply("rate.direct.p50_us"),
        nginx ? "≤ 2× the hop's (" + fmt(2 * rateNginxP50) + ")" : null,
        nginx ? x -> x <= 2 * Math.max(rateNginxP50, 0) : null);
    add("rate_p99_added_us", "300 req/s, added p99", "µs", "rate.sb.p99_us",
        g -> g.apply("rate.sb.p99_us") - g.apply("rate.direct.p99_us"),
        // Direct's p99 can come out worse than the hop's (noise): then there is no bar to judge by.
        !nginx ? null : rateNginxP99 > 0 ? "≤ 3× the hop's (" + fmt(3 * rateNginxP99) + ")"
            : "≤ 3× the hop's (none: its added p99 came out negative)",
        nginx && rateNginxP99 > 0 ? x -> x <= 3 * rateNginxP99 : null);
    if (nginx) {
      add("rate_nginx_p50_added_us", "300 req/s, keep-alive nginx hop's added p50", "µs", "rate.nginx.p50_us",
          g -> g.apply("rate.nginx.p50_us") - g.apply("rate.direct.p50_us"), null, null);
      add("rate_nginx_p99_added_us", "300 req/s, keep-alive nginx hop's added p99", "µs", "rate.nginx.p99_us",
          g -> g.apply("rate.nginx.p99_us") - g.apply("rate.direct.p99_us"), null, null);
    }
    for (int c : new int[] {32, 256}) {
      add("sat_c" + c + "_rps", "Saturation, " + c + " connections", "req/s", "sat.c" + c + ".sb.rps",
          g -> g.apply("sat.c" + c + ".sb.rps"), null, null);
      if (nginx) {
        double bar = 0.8;
        add("sat_c" + c + "_vs_nginx", "Saturation, " + c + " connections, ÷ keep-alive nginx hop", "×", "sat.c" + c + ".sb.rps",
            g -> g.apply("sat.c" + c + ".sb.rps") / g.apply("sat.c" + c + ".nginx.rps"), "≥ " + bar, x -> x >= bar);
      }
      add("sat_c" + c + "_cpu_us", "CPU time per request at saturation, " + c + " connections", "µs",
          "sat.c" + c + ".sb.cpu_us", g -> g.apply("sat.c" + c + ".sb.cpu_us"), null, null);
      add("sat_c" + c + "_nginx_cpu_us", "Keep-alive nginx hop's CPU time per request, " + c + " connections", "µs",
          "sat.c" + c + ".nginx.cpu_us", g -> g.apply("sat.c" + c + ".nginx.cpu_us"), null, null);
      add("sat_c" + c + "_cpu_vs_nginx", "CPU time per request, " + c + " connections, ÷ keep-alive nginx hop's", "×",
          "sat.c" + c + ".sb.cpu_us", g -> g.apply("sat.c" + c + ".sb.cpu_us") / g.apply("sat.c" + c + ".nginx.cpu_us"),
          "≤ 1.25", x -> x <= 1.25);
      for (String peer : peers) {
        boolean litellm = peer.startsWith("litellm");
        add("sat_c" + c + "_vs_" + peer, "Saturation, " + c + " connections, ÷ " + name(peer), "×",
            "sat.c" + c + ".sb.rps", g -> g.apply("sat.c" + c + "." + peer + ".rps") > 0
                ? g.apply("sat.c" + c + ".sb.rps") / g.apply("sat.c" + c + "." + peer + ".rps") : Double.NaN,
            (litellm ? "≥ 20" : "> 1 (ahead)"), x -> litellm ? x >= 20 : x > 1);
      }
      add("sat_c" + c + "_vs_direct", "Saturation, " + c + " connections, ÷ direct", "×", "sat.c" + c + ".sb.rps",
          g -> g.apply("sat.c" + c + ".sb.rps") / g.apply("sat.c" + c + ".direct.rps"), null, null);
      // The stack's floor: how near nginx the least a Vert.x proxy does comes, and how far above it Switchboard is.
      if (nginx && floors().contains("vertxbus")) {
        add("sat_c" + c + "_vertx_vs_nginx", "Saturation, " + c + " connections, Vert.x hop ÷ keep-alive nginx hop",
            "×", "sat.c" + c + ".vertx.rps",
            g -> g.apply("sat.c" + c + ".vertx.rps") / g.apply("sat.c" + c + ".nginx.rps"), null, null);
        add("sat_c" + c + "_vertx_cpu_vs_nginx", "CPU time per request, " + c
                + " connections, Vert.x hop's ÷ keep-alive nginx hop's", "×", "sat.c" + c + ".vertx.cpu_us",
            g -> g.apply("sat.c" + c + ".vertx.cpu_us") / g.apply("sat.c" + c + ".nginx.cpu_us"), null, null);
        add("sat_c" + c + "_cpu_vs_vertxbus", "CPU time per request, " + c
                + " connections, Switchboard's ÷ the Vert.x hop over the bus's", "×", "sat.c" + c + ".sb.cpu_us",
            g -> g.apply("sat.c" + c + ".sb.cpu_us") / g.apply("sat.c" + c + ".vertxbus.cpu_us"), null, null);
      }
    }
    double ttfcBar = v("stream.nginx.ttfc_p50_us") - v("stream.direct.ttfc_p50_us");
    add("stream_ttfc_p50_added_us", "Stream, added time to first chunk p50", "µs", "stream.sb.ttfc_p50_us",
        g -> g.apply("stream.sb.ttfc_p50_us") - g.apply("stream.direct.ttfc_p50_us"),
        "≤ 2× the hop's + 300 (" + fmt(2 * ttfcBar + 300) + ")", x -> x <= 2 * Math.max(ttfcBar, 0) + 300);
    add("stream_ttfc_nginx_p50_added_us", "Stream, keep-alive nginx hop's added time to first chunk p50", "µs",
        "stream.nginx.ttfc_p50_us", g -> g.apply("stream.nginx.ttfc_p50_us") - g.apply("stream.direct.ttfc_p50_us"),
        null, null);
    add("stream_ttfc_p99_added_us", "Stream, added time to first chunk p99", "µs", "stream.sb.ttfc_p99_us",
        g -> g.apply("stream.sb.ttfc_p99_us") - g.apply("stream.direct.ttfc_p99_us"), null, null);
    // A stream's first request arrives after the 20-chunk streams of the other targets (~80 ms idle for
    // this one); a plain request after the same kind of idle shows what of that is the idle, not streaming.
    add("idle_p50_added_us", "Plain request after 40 ms idle, added p50", "µs", "idle.sb.p50_us",
        g -> g.apply("idle.sb.p50_us") - g.apply("idle.direct.p50_us"), null, null);
    if (nginx) {
      add("idle_nginx_p50_added_us", "Plain request after 40 ms idle, keep-alive nginx hop's added p50", "µs",
          "idle.nginx.p50_us", g -> g.apply("idle.nginx.p50_us") - g.apply("idle.direct.p50_us"), null, null);
    }
    // An agent's request carries its whole conversation: what a ~100 KB body costs on top of a plain one.
    add("group_p50_added_us", "Two-deployment model group against one deployment, p50 difference", "µs",
        "group.group.p50_us", g -> g.apply("group.group.p50_us") - g.apply("group.single.p50_us"), null, null);
    add("messages_ttfc_added_us", "Anthropic Messages stream: first event p50 against a chat stream's first chunk",
        "µs", "stream.doormessages.ttfc_p50_us",
        g -> g.apply("stream.doormessages.ttfc_p50_us") - g.apply("stream.doorchat.ttfc_p50_us"), "≤ 1000",
        x -> x <= 1000);
    add("responses_ttfc_added_us", "OpenAI Responses stream: first event p50 against a chat stream's first chunk",
        "µs", "stream.doorresponses.ttfc_p50_us",
        g -> g.apply("stream.doorresponses.ttfc_p50_us") - g.apply("stream.doorchat.ttfc_p50_us"), null, null);
    add("door_messages_p50_us", "Anthropic Messages, plain request p50 against chat completions'", "µs",
        "door.messages.p50_us", g -> g.apply("door.messages.p50_us") - g.apply("door.chat.p50_us"), null, null);
    add("door_responses_p50_us", "OpenAI Responses, plain request p50 against chat completions'", "µs",
        "door.responses.p50_us", g -> g.apply("door.responses.p50_us") - g.apply("door.chat.p50_us"), null, null);
    add("ollama_p50_added_us", "Ollama translation (/api/chat), added p50", "µs", "ollama.sb.p50_us",
        g -> g.apply("ollama.sb.p50_us") - g.apply("ollama.direct.p50_us"), null, null);
    for (String peer : peers) {
      if (raw.containsKey("ollama." + peer + ".p50_us")) {
        add("ollama_" + peer + "_p50_added_us", "Ollama translation, " + name(peer) + "'s added p50", "µs",
            "ollama." + peer + ".p50_us", g -> g.apply("ollama." + peer + ".p50_us") - g.apply("ollama.direct.p50_us"),
            null, null);
      }
    }
    for (String peer : peers) {
      double pp50 = v("seq." + peer + ".p50_us") - v("seq.direct.p50_us");
      double pp99 = v("seq." + peer + ".p99_us") - v("seq.direct.p99_us");
      add("seq_" + peer + "_p50_added_us", "Sequential, " + name(peer) + "'s added p50", "µs",
          "seq." + peer + ".p50_us", g -> g.apply("seq." + peer + ".p50_us") - g.apply("seq.direct.p50_us"), null, null);
      add("seq_p50_vs_" + peer, "Sequential, Switchboard's added p50 below " + name(peer) + "'s", "µs",
          "seq.sb.p50_us", g -> g.apply("seq.sb.p50_us") - g.apply("seq.direct.p50_us"),
          "< " + fmt(pp50), x -> x < pp50);
      add("seq_p99_vs_" + peer, "Sequential, Switchboard's added p99 below " + name(peer) + "'s", "µs",
          "seq.sb.p99_us", g -> g.apply("seq.sb.p99_us") - g.apply("seq.direct.p99_us"),
          "< " + fmt(pp99), x -> x < pp99);
    }
    double bigBar = v("big.nginx.p50_us") - v("big.direct.p50_us");
    add("big_p50_added_us", "Sequential, ~100 KB body, added p50", "µs", "big.sb.p50_us",
        g -> g.apply("big.sb.p50_us") - g.apply("big.direct.p50_us"),
        "≤ 2× the hop's (" + fmt(2 * bigBar) + ")", x -> x <= 2 * Math.max(bigBar, 0));
    if (nginx) {
      add("big_nginx_p50_added_us", "Sequential, ~100 KB body, keep-alive nginx hop's added p50", "µs",
          "big.nginx.p50_us", g -> g.apply("big.nginx.p50_us") - g.apply("big.direct.p50_us"), null, null);
    }
    add("stream_total_p50_added_us", "Stream of 20 chunks, added total p50", "µs", "stream.sb.total_p50_us",
        g -> g.apply("stream.sb.total_p50_us") - g.apply("stream.direct.total_p50_us"), null, null);
    add("stream_chunk_p50_added_us", "Stream, added delay of each chunk p50", "µs", "stream.sb.chunk_p50_us",
        g -> g.apply("stream.sb.chunk_p50_us") - g.apply("stream.direct.chunk_p50_us"),
        "≤ 500 (flushed as it arrives)", x -> x <= 500);
    add("stream_chunk_p99_added_us", "Stream, added delay of each chunk p99", "µs", "stream.sb.chunk_p99_us",
        g -> g.apply("stream.sb.chunk_p99_us") - g.apply("stream.direct.chunk_p99_us"),
        "< 2000 (the chunk interval)", x -> x < 2000);
    double streams = v("hold.streams");
    add("hold_complete_pct", "Held streams: complete (worst of 3 runs)", "%", "hold.sb.completed",
        g -> 100.0 * minOverRounds("hold.sb.completed") / streams, "100", x -> x >= 100);
    add("hold_chunk_p99_added_us", "Held streams: added chunk delay p99", "µs", "hold.sb.chunk_p99_us",
        g -> g.apply("hold.sb.chunk_p99_us") - v("hold.direct.chunk_p99_us"), null, null);
    add("hold_ttfc_p99_added_us", "Held streams: added time to first chunk p99", "µs", "hold.sb.ttfc_p99_us",
        g -> g.apply("hold.sb.ttfc_p99_us") - v("hold.direct.ttfc_p99_us"), null, null);
    add("hold_rss_peak_mb", "Held streams: Switchboard's peak RSS (worst run)", "MB", "hold.rss_peak_mb",
        g -> g.apply("hold.rss_peak_mb"), "≤ 160", x -> x <= 160);
    worstOfRounds();
    add("hold_heap_after_mb", "Held streams: live heap after each run (largest)", "MB", "hold.heap_after_mb",
        g -> g.apply("hold.heap_after_mb"), "flat (run 3 ≤ run 1 + 10%)",
        x -> v("hold.heap_after_mb@r3") <= 1.1 * v("hold.heap_after_mb@r1") + 0.5);
    worstOfRounds();
    add("rss_idle_start_mb", "RSS idle, just started", "MB", "rss.idle_start_mb", g -> g.apply("rss.idle_start_mb"),
        null, null);
    add("rss_idle_warm_mb", "RSS idle, after warm-up", "MB", "rss.idle_warm_mb", g -> g.apply("rss.idle_warm_mb"),
        null, null);
    add("rss_saturation_mb", "RSS peak under saturation (256 connections)", "MB", "rss.saturation_peak_mb",
        g -> g.apply("rss.saturation_peak_mb"), null, null);
    add("rss_idle_after_mb", "RSS idle, after all the load", "MB", "rss.idle_after_mb",
        g -> g.apply("rss.idle_after_mb"), null, null);
  }

  /** The last row shows its largest round instead of the mean of its rounds. */
  private void worstOfRounds() {
    Row r = rows.remove(rows.size() - 1);
    Boolean met = r.met();
    if (met != null && !Double.isNaN(r.hi()) && r.key().equals("hold_rss_peak_mb")) {
      met = r.hi() <= 160;
    }
    rows.add(new Row(r.key(), r.label(), r.unit(), Double.isNaN(r.hi()) ? r.value() : r.hi(), r.lo(), r.hi(),
        r.target(), met));
  }

  private double minOverRounds(String key) {
    int n = rounds(key);
    double m = Double.NaN;
    for (int r = 1; r <= n; r++) {
      double x = v(key + "@r" + r);
      m = Double.isNaN(m) ? x : Math.min(m, x);
    }
    return m;
  }

  static String name(String target) {
    return switch (target) {
      case "sb" -> "Switchboard";
      case "nginx" -> "nginx, keep-alive hop (the floor)";
      case "nginxcpr" -> "nginx, connection per request";
      case "litellm" -> "LiteLLM";
      case "litellm1" -> "LiteLLM (--num_workers 1)";
      case "portkey" -> "Portkey";
      case "bifrost" -> "Bifrost";
      case "vertx" -> "Vert.x hop (the stack's floor)";
      case "vertxbus" -> "Vert.x hop over the event bus";
      default -> target;
    };
  }

  /** The Vert.x hops this run measured (scripts/bench/VertxHop.java): the stack's floor, direct and over the bus. */
  private List<String> floors() {
    return List.of("vertx", "vertxbus").stream().filter(t -> rounds("sat.c32." + t + ".rps") > 0).toList();
  }

  /** A figure pooled over rounds, or the mean of its rounds when only those were recorded. */
  private double pooled(String key) {
    double x = v(key);
    if (Double.isNaN(x) && rounds(key) > 0) {
      double sum = 0;
      for (int r = 1; r <= rounds(key); r++) {
        sum += v(key + "@r" + r);
      }
      x = sum / rounds(key);
    }
    return x;
  }

  /** Every target against the keep-alive nginx hop, in one table; skipped targets with the reason. */
  String ratios() {
    List<String> targets = new ArrayList<>(List.of("nginx", "nginxcpr", "sb"));
    targets.addAll(floors());
    targets.addAll(peers);
    StringBuilder sb = new StringBuilder();
    sb.append("| Target | req/s, 32 conn. | ÷ floor | req/s, 256 conn. | ÷ floor | CPU µs/request (32 conn.) | ÷ floor's "
        + "| added p50 (µs) | ÷ floor's | added p99 (µs) | 300 req/s added p50 | ~100 KB added p50 | ÷ floor's "
        + "| stream first chunk added p50 | chunk delay p50 | stream total added p50 | errors at saturation |\n");
    sb.append("|---|").append("---|".repeat(16)).append("\n");
    for (String t : targets) {
      double e = 0;
      for (String k : raw.keySet()) {
        if (k.startsWith("sat.") && k.contains("." + t + ".errors")) {
          e += v(k);
        }
      }
      // A peer that rewrites each chunk drops the backend's "ts": no chunk delay then (-1 in the raw figures).
      boolean streamed = pooled("stream." + t + ".completed") > 0;
      double seq = pooled("seq." + t + ".p50_us") - pooled("seq.direct.p50_us");
      double seqFloor = pooled("seq.nginx.p50_us") - pooled("seq.direct.p50_us");
      double big = pooled("big." + t + ".p50_us") - pooled("big.direct.p50_us");
      double bigFloor = pooled("big.nginx.p50_us") - pooled("big.direct.p50_us");
      sb.append("| ").append(name(t))
          .append(" | ").append(fmt(pooled("sat.c32." + t + ".rps")))
          .append(" | ").append(fmt(pooled("sat.c32." + t + ".rps") / pooled("sat.c32.nginx.rps")))
          .append(" | ").append(fmt(pooled("sat.c256." + t + ".rps")))
          .append(" | ").append(fmt(pooled("sat.c256." + t + ".rps") / pooled("sat.c256.nginx.rps")))
          .append(" | ").append(fmt(pooled("sat.c32." + t + ".cpu_us")))
          .append(" | ").append(fmt(pooled("sat.c32." + t + ".cpu_us") / pooled("sat.c32.nginx.cpu_us")))
          .append(" | ").append(fmt(seq)).append(" | ").append(fmt(seq / seqFloor))
          .append(" | ").append(fmt(pooled("seq." + t + ".p99_us") - pooled("seq.direct.p99_us")))
          .append(" | ").append(fmt(pooled("rate." + t + ".p50_us") - pooled("rate.direct.p50_us")))
          .append(" | ").append(fmt(big)).append(" | ").append(fmt(big / bigFloor))
          .append(" | ").append(streamed ? fmt(pooled("stream." + t + ".ttfc_p50_us") - pooled("stream.direct.ttfc_p50_us"))
              : floors().contains(t) ? "– (plain requests only)" : "no stream completed")
          .append(" | ").append(streamed && pooled("stream." + t + ".chunk_p50_us") > 0
              ? fmt(pooled("stream." + t + ".chunk_p50_us")) : "–")
          .append(" | ").append(streamed ? fmt(pooled("stream." + t + ".total_p50_us") - pooled("stream.direct.total_p50_us"))
              : "–")
          .append(" | ").append(fmt(e)).append(" |\n");
    }
    sb.append("\nThe direct backend itself: ").append(fmt(pooled("sat.c32.direct.rps"))).append(" req/s at 32 connections, ")
        .append(fmt(pooled("sat.c32.direct.cpu_us"))).append(" µs of CPU per request (nginx returning a fixed answer).\n");
    boolean any = false;
    for (Map.Entry<String, String> e : raw.entrySet()) {
      if (e.getKey().startsWith("skip.") || e.getKey().startsWith("skip_ollama.")) {
        if (!any) {
          sb.append("\nSkipped:\n\n");
          any = true;
        }
        String t = e.getKey().substring(e.getKey().indexOf('.') + 1);
        sb.append("- ").append(name(t)).append(e.getKey().startsWith("skip_ollama.") ? " (Ollama row)" : "")
            .append(": ").append(e.getValue()).append("\n");
      }
    }
    return sb.toString();
  }

  // ---- output ----

  static String fmt(double x) {
    if (Double.isNaN(x)) {
      return "–";
    }
    double a = Math.abs(x);
    if (a >= 1000) {
      return String.format(Locale.ROOT, "%,.0f", x);
    }
    if (a >= 100) {
      return String.format(Locale.ROOT, "%.0f", x);
    }
    if (a >= 10) {
      return String.format(Locale.ROOT, "%.1f", x);
    }
    return String.format(Locale.ROOT, "%.2f", x);
  }

  private String table(Map<String, Double> previous, String previousDate, boolean markdown) {
    List<String[]> lines = new ArrayList<>();
    boolean withPrevious = !previous.isEmpty();
    List<String> head = new ArrayList<>(List.of("Figure", "Unit", "This run", "Rounds (min–max)"));
    if (withPrevious) {
      head.add("Previous run");
    }
    head.add("Target");
    head.add("Met");
    lines.add(head.toArray(new String[0]));
    for (Row r : rows) {
      List<String> l = new ArrayList<>(List.of(r.label(), r.unit(), fmt(r.value()),
          Double.isNaN(r.lo()) ? "" : fmt(r.lo()) + " – " + fmt(r.hi())));
      if (withPrevious) {
        l.add(previous.containsKey(r.key()) ? fmt(previous.get(r.key())) : "");
      }
      l.add(r.target() == null ? "" : r.target());
      l.add(r.met() == null ? "" : r.met() ? "yes" : "**NO**");
      lines.add(l.toArray(new String[0]));
    }
    StringBuilder sb = new StringBuilder();
    if (markdown) {
      for (int i = 0; i < lines.size(); i++) {
        sb.append("| ").append(String.join(" | ", lines.get(i))).append(" |\n");
        if (i == 0) {
          sb.append("|").append("---|".repeat(lines.get(0).length)).append("\n");
        }
      }
      return sb.toString();
    }
    int[] w = new int[lines.get(0).length];
    for (String[] l : lines) {
      for (int i = 0; i < l.length; i++) {
        w[i] = Math.max(w[i], l[i].replace("**", "").length());
      }
    }
    for (String[] l : lines) {
      for (int i = 0; i < l.length; i++) {
        String cell = l[i].replace("**", "");
        sb.append(i == 0 ? "" : "  ").append(cell).append(" ".repeat(w[i] - cell.length()));
      }
      sb.append('\n');
    }
    if (withPrevious && previousDate != null) {
      sb.append("(previous run: ").append(previousDate).append(")\n");
    }
    return sb.toString();
  }

  /** The per-target figures the summary is computed from. */
  private String perTarget() {
    List<String> targets = new ArrayList<>(List.of("direct", "nginx", "nginxcpr", "sb"));
    targets.addAll(floors());
    targets.addAll(peers);
    StringBuilder sb = new StringBuilder();
    sb.append("| Measurement | ").append(String.join(" | ", targets.stream()
        .map(t -> t.equals("direct") ? "direct" : name(t)).toList())).append(" |\n");
    sb.append("|---|").append("---|".repeat(targets.size())).append("\n");
    String[][] what = {
        {"seq", "p50_us", "Sequential p50 (µs)"}, {"seq", "p99_us", "Sequential p99 (µs)"},
        {"idle", "p50_us", "Sequential, 40 ms idle before each, p50 (µs)"},
        {"rate", "p50_us", "300 req/s p50 (µs)"}, {"rate", "p99_us", "300 req/s p99 (µs)"},
        {"rate", "p999_us", "300 req/s p99.9 (µs)"},
        {"sat.c32", "rps", "wrk, 32 connections (req/s)"}, {"sat.c256", "rps", "wrk, 256 connections (req/s)"},
        {"sat.c32", "cpu_us", "CPU per request, 32 connections (µs)"},
        {"sat.c256", "cpu_us", "CPU per request, 256 connections (µs)"},
        {"big", "p50_us", "~100 KB body p50 (µs)"}, {"ollama", "p50_us", "Ollama path p50 (µs)"},
        {"stream", "ttfc_p50_us", "Stream: first chunk p50 (µs)"}, {"stream", "total_p50_us", "Stream: total p50 (µs)"},
        {"stream", "chunk_p50_us", "Stream: chunk delay p50 (µs)"}, {"stream", "chunk_p99_us", "Stream: chunk delay p99 (µs)"},
    };
    for (String[] m : what) {
      sb.append("| ").append(m[2]);
      for (String t : targets) {
        String key = m[0] + "." + t + "." + m[1];
        double x = v(key);
        if (Double.isNaN(x) && rounds(key) > 0) {
          double sum = 0;
          for (int r = 1; r <= rounds(key); r++) {
            sum += v(key + "@r" + r);
          }
          x = sum / rounds(key);
        }
        sb.append(" | ").append(fmt(x));
      }
      sb.append(" |\n");
    }
    sb.append("\nHeld streams (").append(fmt(v("hold.streams"))).append(" × ~").append(fmt(v("hold.seconds")))
        .append(" s): direct chunk delay p50/p99 ").append(fmt(v("hold.direct.chunk_p50_us"))).append("/")
        .append(fmt(v("hold.direct.chunk_p99_us"))).append(" µs; through Switchboard, per run:\n\n");
    sb.append("| Run | Complete | Chunk delay p50 (µs) | p99 | max | First chunk p99 (µs) | Peak RSS (MB) | Live heap after (MB) |\n");
    sb.append("|---|---|---|---|---|---|---|---|\n");
    for (int r = 1; r <= rounds("hold.sb.completed"); r++) {
      String s = "@r" + r;
      sb.append("| ").append(r).append(" | ").append(fmt(v("hold.sb.completed" + s))).append("/")
          .append(fmt(v("hold.sb.streams" + s))).append(" | ").append(fmt(v("hold.sb.chunk_p50_us" + s)))
          .append(" | ").append(fmt(v("hold.sb.chunk_p99_us" + s))).append(" | ").append(fmt(v("hold.sb.chunk_max_us" + s)))
          .append(" | ").append(fmt(v("hold.sb.ttfc_p99_us" + s))).append(" | ").append(fmt(v("hold.rss_peak_mb" + s)))
          .append(" | ").append(fmt(v("hold.heap_after_mb" + s))).append(" |\n");
    }
    sb.append("\nLive heap before the first run: ").append(fmt(v("hold.heap_before_mb"))).append(" MB.\n");
    return sb.toString();
  }

  private void write(Path doc, Map<String, Double> previous, String previousDate) throws IOException {
    StringBuilder b = new StringBuilder();
    b.append(BEGIN).append(" (written by scripts/bench.sh: edits between these markers are overwritten) -->\n");
    b.append("## Latest run\n\n");
    b.append("- Date: ").append(machine.getOrDefault("date", "?")).append("; commit ")
        .append(machine.getOrDefault("commit", "?")).append("; ").append(machine.getOrDefault("mode", "?"))
        .append(" mode\n");
    b.append("- Machine: ").append(machine.getOrDefault("cpu", "?")).append(", ")
        .append(machine.getOrDefault("memory", "?")).append(", ").append(machine.getOrDefault("kernel", "?"))
        .append("; ").append(machine.getOrDefault("java", "?")).append("; nginx ")
        .append(machine.getOrDefault("nginx", "?")).append("; ").append(machine.getOrDefault("wrk", "?")).append("\n");
    b.append("- ").append(machine.getOrDefault("pinning", "")).append("; Switchboard's JVM flags: `")
        .append(machine.getOrDefault("switchboard_jvm", "")).append("`\n");
    b.append("- Other load on the machine: processes other than the benchmark's used ")
        .append(raw.getOrDefault("machine.others_pct", "?"))
        .append(" % of all CPUs during the run; load average ")
        .append(raw.getOrDefault("machine.load_before", "?")).append(" before, ")
        .append(raw.getOrDefault("machine.load_after", "?")).append(" after\n");
    b.append("- Peers: ").append(machine.getOrDefault("peers", "?")).append("\n\n");
    b.append(table(previous, previousDate, true));
    if (!previous.isEmpty()) {
      b.append("\nPrevious run: ").append(previousDate == null ? "?" : previousDate).append(".\n");
    }
    b.append("\n### Every target against the floor (the keep-alive nginx hop)\n\n").append(ratios());
    b.append("\n### Per target\n\n").append(perTarget());
    b.append("\n").append(DATA).append(" date=").append(machine.getOrDefault("date", "?")).append("\n");
    for (Row r : rows) {
      if (!Double.isNaN(r.value())) {
        b.append(r.key()).append('\t').append(String.format(Locale.ROOT, "%.4f", r.value())).append('\n');
      }
    }
    b.append("-->\n").append(END).append("\n");
    String text = Files.exists(doc) ? Files.readString(doc) : "# Benchmarks\n\n";
    int begin = text.indexOf(BEGIN);
    int end = text.indexOf(END);
    String out;
    if (begin >= 0 && end > begin) {
      out = text.substring(0, begin) + b + text.substring(end + END.length()).replaceFirst("^\n", "");
    } else {
      out = text + (text.endsWith("\n") ? "\n" : "\n\n") + b;
    }
    Files.writeString(doc, out);
  }

  private static Map<String, Double> previousData(String text) {
    Map<String, Double> m = new LinkedHashMap<>();
    int d = text.indexOf(DATA);
    if (d < 0) {
      return m;
    }
    int end = text.indexOf("-->", d);
    String[] lines = text.substring(d, end < 0 ? text.length() : end).split("\n");
    for (int i = 1; i < lines.length; i++) {
      String[] kv = lines[i].split("\t");
      if (kv.length == 2) {
        try {
          m.put(kv[0].trim(), Double.parseDouble(kv[1].trim()));
        } catch (NumberFormatException ignored) {
          // not a figure
        }
      }
    }
    return m;
  }

  private static String previousDate(String text) {
    int d = text.indexOf(DATA);
    if (d < 0) {
      return null;
    }
    int eol = text.indexOf('\n', d);
    String line = text.substring(d, eol < 0 ? text.length() : eol);
    int at = line.indexOf("date=");
    return at < 0 ? null : line.substring(at + 5).trim();
  }
}
