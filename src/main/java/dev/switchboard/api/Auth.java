package dev.switchboard.api;

import dev.switchboard.config.ConfigHolder;
import dev.switchboard.error.OpenAiError;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * LiteLLM's master-key check. The key may come in any header LiteLLM reads; it is compared in constant
 * time (digests of equal length, so not even its length leaks) and never logged. No master key
 * configured: every request passes (a warning is logged at start).
 */
final class Auth implements Handler<RoutingContext> {

  /** Headers LiteLLM takes a key from, after {@code Authorization}. */
  private static final String[] KEY_HEADERS = {
      "api-key", "x-api-key", "x-litellm-api-key", "x-goog-api-key", "ocp-apim-subscription-key"};

  private final ConfigHolder config;
  private final RequestLog log;
  /** One digest, reused: this handler runs on its verticle's event loop only (one router per instance). */
  private final MessageDigest sha256 = newSha256();
  /** The master key last seen and its digest: hashed again only when a reload changes it. */
  private String digestedMaster;
  private byte[] masterDigest;

  Auth(ConfigHolder config, RequestLog log) {
    this.config = config;
    this.log = log;
  }

  @Override
  public void handle(RoutingContext ctx) {
    String master = config.current().general().masterKey();
    if (master == null || master.isEmpty()) {
      ctx.next();
      return;
    }
    String presented = presentedKey(ctx.request());
    if (presented == null || presented.isEmpty()) {
      refuse(ctx, new OpenAiError(401, "Authentication Error, No api key passed in.", "auth_error", "None"));
      return;
    }
    if (!sameKey(master, presented)) {
      refuse(ctx, new OpenAiError(401, "Authentication Error, Invalid proxy server token passed. "
          + "Check that the key is the master key this Switchboard is configured with.", "auth_error", "None"));
      return;
    }
    ctx.next();
  }

  /** Answers 401, logs the request (never the key it presented) and reports it to the metrics. */
  private void refuse(RoutingContext ctx, OpenAiError error) {
    String requestId = CallId.of(ctx);
    ctx.response().putHeader(CallId.HEADER, requestId);
    if (MessagesRoutes.isMessagesPath(ctx.request().path())) {
      MessagesShape.write(ctx, error); // Anthropic's clients read Anthropic's errors
    } else {
      Responses.error(ctx, error);
    }
    log.denied(ctx, requestId, error);
  }

  static String presentedKey(HttpServerRequest req) {
    String auth = req.getHeader("authorization");
    if (auth != null) {
      return withoutScheme(auth);
    }
    for (String h : KEY_HEADERS) {
      String v = req.getHeader(h);
      if (v != null) {
        // LiteLLM strips the scheme from every key header: `x-litellm-api-key: Bearer sk-...` is the key sk-...
        return withoutScheme(v);
      }
    }
    return null;
  }

  private static String withoutScheme(String value) {
    String v = value.trim();
    for (String scheme : new String[] {"Bearer ", "bearer ", "Basic ", "basic "}) {
      if (v.startsWith(scheme)) {
        return v.substring(scheme.length()).trim();
      }
    }
    return v;
  }

  private boolean sameKey(String master, String presented) {
    if (!master.equals(digestedMaster)) {
      masterDigest = sha256.digest(master.getBytes(StandardCharsets.UTF_8));
      digestedMaster = master;
    }
    return MessageDigest.isEqual(masterDigest, sha256.digest(presented.getBytes(StandardCharsets.UTF_8)));
  }

  private static MessageDigest newSha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
