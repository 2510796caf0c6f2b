package dev.switchboard.backend;

/** How an exchange ended, as far as the backend's liveness and the verticle's bookkeeping care. */
record ExchangeOutcome(Kind kind, String detail) {

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
