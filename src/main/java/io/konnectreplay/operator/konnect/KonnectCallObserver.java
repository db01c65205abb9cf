package io.konnectreplay.operator.konnect;

import java.time.Duration;

/**
 * Hears about every Konnect call, for metrics. Methods are called on the calling thread, must be fast and must not
 * throw (exceptions are logged at debug and ignored). Server names are {@code scheme://host[:port][/prefix]}, without
 * user info, query or token.
 */
public interface KonnectCallObserver {

  /** Observes nothing. */
  KonnectCallObserver NONE = new KonnectCallObserver() {};

  /**
   * A request was sent and either answered or failed.
   *
   * @param operation getReplayJob, submitReplayJob, getWebhook or getWebhookStatus
   * @param httpStatusOrZero the HTTP status, or 0 when no complete answer came (timeout, refused, reset)
   * @param latency from sending the request to reading the whole answer (or to the failure)
   */
  default void onCall(String operation, int httpStatusOrZero, Duration latency) {}

  /** Konnect answered 429: every call to {@code server} is paused for {@code wait}. */
  default void onRateLimited(String server, Duration wait) {}

  /**
   * A call was refused locally and nothing was sent: the server is still paused after a 429, or the operator's own
   * request budget for it is spent. {@code wait} is how long until a call may go out.
   */
  default void onThrottled(String server, Duration wait) {}
}
