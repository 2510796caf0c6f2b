import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;

/**
 * The floor of the stack Switchboard is built on (scripts/bench.sh's "Vert.x hop" rows): the least a
 * Vert.x 5 proxy does to relay a request, with nothing of Switchboard's in it. An HTTP server reads the
 * request's body, a pooled keep-alive HTTP client sends it to the backend, and the backend's answer is
 * read whole and written back with its status and content type. No JSON, no routing, no auth, no
 * meters, no log, one event loop.
 *
 * <p>With {@code --bus} the relay crosses the local event bus as Switchboard's does: the server's
 * verticle sends the body to a second verticle (on the same event loop) that owns the HTTP client, and
 * the answer comes back as the reply. The difference between the two rows is what the shape the user
 * fixed (an HTTP verticle, the bus, a BackendVerticle) costs by itself; the difference between the bus
 * row and Switchboard is what Switchboard's own work costs.
 *
 * <p>Usage: {@code java -cp switchboard.jar scripts/bench/VertxHop.java PORT BACKEND-PORT [--bus]}.
 * Listens on 127.0.0.1 only.
 */
public final class VertxHop {

  private static final String ADDRESS = "vertx-hop.call";

  private VertxHop() {
  }

  public static void main(String[] args) {
    int port = Integer.parseInt(args[0]);
    int backendPort = Integer.parseInt(args[1]);
    boolean bus = args.length > 2 && args[2].equals("--bus");
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
    Future<String> backend = bus
        ? vertx.deployVerticle(new BackendSide(backendPort), new DeploymentOptions())
        : Future.succeededFuture();
    backend.compose(id -> vertx.deployVerticle(new ServerSide(port, backendPort, bus)))
        .onSuccess(id -> System.out.println("vertx hop listening on 127.0.0.1:" + port + (bus ? " (bus)" : "")))
        .onFailure(e -> {
          System.err.println("vertx hop: " + e.getMessage());
          System.exit(1);
        });
  }

  /**
   * A keep-alive client pool to the backend, as Switchboard's BackendVerticle keeps one; at most 64
   * connections, the nginx hop's {@code keepalive 64} (Switchboard's own pool has no cap below 1,024).
   */
  static HttpClientAgent client(Vertx vertx) {
    return vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true).setTcpNoDelay(true),
        new PoolOptions().setHttp1MaxSize(64));
  }

  /** The backend's answer: status, content type and body, read whole. */
  record Answer(int status, String contentType, Buffer body) {
  }

  static Future<Answer> relay(HttpClient client, int backendPort, String path, MultiMap headers, Buffer body) {
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1")
        .setPort(backendPort).setURI(path).putHeader("content-type", headers.get("content-type"));
    return client.request(options)
        .compose(request -> request.send(body))
        .compose(response -> response.body().map(answer ->
            new Answer(response.statusCode(), response.getHeader("content-type"), answer)));
  }

  /** The HTTP verticle: reads a request, relays it directly or over the bus, writes the answer. */
  static final class ServerSide extends VerticleBase {
    private final int port;
    private final int backendPort;
    private final boolean bus;
    private HttpClient client;

    ServerSide(int port, int backendPort, boolean bus) {
      this.port = port;
      this.backendPort = backendPort;
      this.bus = bus;
    }

    @Override
    public Future<?> start() {
      if (!bus) {
        client = client(vertx);
      }
      return vertx.createHttpServer(new HttpServerOptions().setTcpNoDelay(true).setIdleTimeout(0))
          .requestHandler(this::handle)
          .listen(port, "127.0.0.1");
    }

    private void handle(HttpServerRequest request) {
      request.body()
          .compose(body -> bus ? overTheBus(request, body) : relay(client, backendPort, request.path(),
              request.headers(), body))
          .onSuccess(answer -> request.response().setStatusCode(answer.status())
              .putHeader("content-type", answer.contentType()).end(answer.body()))
          .onFailure(e -> request.response().setStatusCode(502).end(e.getMessage()));
    }

    private Future<Answer> overTheBus(HttpServerRequest request, Buffer body) {
      DeliveryOptions options = new DeliveryOptions().addHeader("path", request.path())
          .addHeader("content-type", request.getHeader("content-type"));
      return vertx.eventBus().<Buffer>request(ADDRESS, body, options)
          .map(reply -> new Answer(Integer.parseInt(reply.headers().get("status")),
              reply.headers().get("content-type"), reply.body()));
    }
  }

  /** The backend verticle of the bus row: owns the client pool, answers each call with the backend's answer. */
  static final class BackendSide extends VerticleBase {
    private final int backendPort;
    private HttpClient client;

    BackendSide(int backendPort) {
      this.backendPort = backendPort;
    }

    @Override
    public Future<?> start() {
      client = client(vertx);
      return vertx.eventBus().<Buffer>localConsumer(ADDRESS, this::onCall).completion();
    }

    private void onCall(Message<Buffer> call) {
      relay(client, backendPort, call.headers().get("path"), call.headers(), call.body())
          .onSuccess(answer -> call.reply(answer.body(), new DeliveryOptions()
              .addHeader("status", Integer.toString(answer.status()))
              .addHeader("content-type", answer.contentType())))
          .onFailure(e -> call.fail(502, e.getMessage()));
    }
  }
}
