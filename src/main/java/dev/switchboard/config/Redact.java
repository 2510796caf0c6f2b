package dev.switchboard.config;

import java.net.URI;
import java.net.URISyntaxException;

/** What of a config value may be shown: in logs, events, headers and /model/info. */
public final class Redact {

  private Redact() {
  }

  /**
   * An api_base without user info, query or fragment, where a password or a token may hide
   * ({@code http://user:pass@host/v1}, {@code ?key=…}); null when it is not a URI at all.
   */
  public static String apiBase(String apiBase) {
    if (apiBase == null) {
      return null;
    }
    try {
      URI u = new URI(apiBase);
      if (u.getRawUserInfo() == null && u.getRawQuery() == null && u.getRawFragment() == null) {
        return apiBase;
      }
      return new URI(u.getScheme(), null, u.getHost(), u.getPort(), u.getPath(), null, null).toString();
    } catch (URISyntaxException e) {
      return null;
    }
  }
}
