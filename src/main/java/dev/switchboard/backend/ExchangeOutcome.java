package dev.switchboard.backend;

/**
 * How an exchange ended, as far as the backend's liveness and the verticle's bookkeeping care.
 * {@code tokens}: prompt plus completion tokens the backend reported (0 when it did not), for tpm.
 */
record ExchangeOutcome(Kind kind, String detail, long tokens) {

  ExchangeOutcome(Kind kind, String detail) {
    this(kind, detail, 0);
  }

  static ExchangeOutcome ok(Accounting accounting) {
    return new ExchangeOutcome(Kind.OK, null, Math.max(0, accounting.promptTokens) + Math.max(0, accounting.completionTokens));
  }

  enum Kind {
    OK,
    /** The client's request was refused by the backend (4xx): says nothing about the backend's health. */
    CLIENT_ERROR,
    /** The backend could not be reached at all. */
    CONNECT_FAILED,
    /** The backend broke the connection. */
    BACKEND_ERROR,
    /** The backend answered with a 5xx status: it is up, but failed this request. */
    HTTP_ERROR,
    /** The backend's answer could not be read (malformed): it is up. */
    BAD_ANSWER,
    TIMEOUT,
    CANCELLED
  }
}
