package dev.switchboard.responses;

import dev.switchboard.bus.Addresses;
import dev.switchboard.bus.impl.SharedBytesCodec;
import dev.switchboard.error.OpenAiError;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Reaches the response stores over the event bus. A response id is {@code resp_<node key><random>}: the
 * node key (12 hex digits) names the node that stored it, so a lookup goes straight to that node's
 * store, in this JVM or, clustered, on another one. A stored entry is
 * {@code {"response": {...}, "history": [items]}}.
 */
public final class ResponseStoreClient {

  static final int KEY_CHARS = 12;
  /** A store answers in microseconds; a node that stays silent this long has frozen or died. */
  private static final long TIMEOUT_MS = 2_000;

  private final Vertx vertx;
  private final String nodeKey;

  public ResponseStoreClient(Vertx vertx, String nodeKey) {
    this.vertx = vertx;
    this.nodeKey = nodeKey;
  }

  /** A node's key: a stable digest of its id, short enough to ride in every response id. */
  public static String keyOf(String nodeId) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(nodeId.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(d).substring(0, KEY_CHARS);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JVM", e);
    }
  }

  /** A new id for a response of this node. */
  public String newId() {
    return ResponseObject.newId(nodeKey);
  }

  public Future<Boolean> put(String id, JsonObject entry) {
    return request(nodeKey, "put", id, entry.toBuffer()).map(m -> (Boolean) m);
  }

  /** The entry stored under {@code id}, wherever it was stored; a 404 error when there is none. */
  public Future<JsonObject> get(String id) {
    String key = keyIn(id);
    if (key == null) {
      return Future.failedFuture(notFound(id, "").asException());
    }
    return request(key, "get", id, Buffer.buffer()).map(b -> new JsonObject((Buffer) b))
        .recover(err -> Future.failedFuture(translate(err, id)));
  }

  /** Deletes the entry; a 404 error when there was none. */
  public Future<Void> delete(String id) {
    String key = keyIn(id);
    if (key == null) {
      return Future.failedFuture(notFound(id, "").asException());
    }
    return request(key, "delete", id, Buffer.buffer())
        .recover(err -> Future.failedFuture(translate(err, id)))
        .compose(deleted -> Boolean.TRUE.equals(deleted) ? Future.<Void>succeededFuture()
            : Future.failedFuture(notFound(id, "").asException()));
  }

  private Future<Object> request(String key, String op, String id, Buffer body) {
    DeliveryOptions options = new DeliveryOptions().addHeader("op", op).addHeader("id", id).setSendTimeout(TIMEOUT_MS)
        .setCodecName(SharedBytesCodec.NAME) // an entry is encoded once, here, and not copied on its way
        // This node's own store: delivered at once, with no cluster-wide lookup of the address, so that a
        // response's put is queued at its store before the client has the answer and can ask for it
        // through another node.
        .setLocalOnly(key.equals(nodeKey));
    return vertx.eventBus().request(Addresses.responses(key), body, options).map(m -> m.body());
  }

  private static String keyIn(String id) {
    if (id == null || !id.startsWith("resp_") || id.length() < 5 + KEY_CHARS) {
      return null;
    }
    return id.substring(5, 5 + KEY_CHARS);
  }

  private static Throwable translate(Throwable err, String id) {
    if (err instanceof ReplyException r) {
      if (r.failureType() == ReplyFailure.NO_HANDLERS) {
        return notFound(id, " (it was stored by a node that is not running now: responses live in the memory "
            + "of the node that answered them)").asException();
      }
      if (r.failureCode() == ResponseStoreVerticle.NOT_FOUND) {
        return notFound(id, "").asException();
      }
      if (r.failureType() == ReplyFailure.TIMEOUT) {
        return OpenAiError.unavailable("The node that stored response " + id + " did not answer within "
            + TIMEOUT_MS / 1000 + " s (it may have just left the cluster)").asException();
      }
    }
    return err;
  }

  private static OpenAiError notFound(String id, String why) {
    return new OpenAiError(404, "Response with id '" + id + "' not found" + why
        + ". Responses are kept in memory for switchboard_settings.response_store.ttl, unless sent with store: false.",
        "invalid_request_error", "response_id");
  }
}
