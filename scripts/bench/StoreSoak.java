import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Load for scripts/store-soak.sh: {@code n} POST /v1/responses of about {@code kb} KB of input each,
 * {@code conns} at a time, stored or not. Prints {@code ok}, {@code failed}, {@code seconds}, and the
 * first and last response ids (to ask the store afterwards which were kept).
 *
 * <pre>StoreSoak URL KEY MODEL N KB CONNS STORE(true|false)</pre>
 */
public final class StoreSoak {

  public static void main(String[] args) throws Exception {
    String url = args[0];
    String key = args[1];
    String model = args[2];
    int n = Integer.parseInt(args[3]);
    int kb = Integer.parseInt(args[4]);
    int conns = Integer.parseInt(args[5]);
    boolean store = Boolean.parseBoolean(args[6]);
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5)).build();
    Semaphore slots = new Semaphore(conns);
    AtomicInteger ok = new AtomicInteger();
    AtomicInteger failed = new AtomicInteger();
    AtomicReference<String> first = new AtomicReference<>();
    AtomicReference<String> last = new AtomicReference<>();
    String filler = "x".repeat(kb * 1024);
    long start = System.nanoTime();
    CompletableFuture<?>[] all = new CompletableFuture<?>[n];
    for (int i = 0; i < n; i++) {
      slots.acquire();
      // Each input differs (its number first), as real conversations do.
      String body = "{\"model\":\"" + model + "\",\"store\":" + store + ",\"input\":\"" + i + " " + filler + "\"}";
      HttpRequest req = HttpRequest.newBuilder(URI.create(url + "/v1/responses"))
          .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
          .timeout(Duration.ofSeconds(60)).POST(HttpRequest.BodyPublishers.ofString(body)).build();
      int index = i;
      all[i] = http.sendAsync(req, HttpResponse.BodyHandlers.ofString()).whenComplete((r, err) -> {
        slots.release();
        if (err == null && r.statusCode() == 200) {
          ok.incrementAndGet();
          String id = idOf(r.body());
          if (index == 0) {
            first.set(id);
          }
          if (index == n - 1) {
            last.set(id);
          }
        } else {
          failed.incrementAndGet();
        }
      });
    }
    CompletableFuture.allOf(all).exceptionally(e -> null).join();
    System.out.printf("ok\t%d%nfailed\t%d%nseconds\t%.1f%nfirst\t%s%nlast\t%s%n", ok.get(), failed.get(),
        (System.nanoTime() - start) / 1e9, first.get(), last.get());
  }

  private static String idOf(String body) {
    int at = body.indexOf("\"id\":\"");
    return at < 0 ? "" : body.substring(at + 6, body.indexOf('"', at + 6));
  }
}
