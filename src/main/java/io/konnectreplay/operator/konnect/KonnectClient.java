package io.konnectreplay.operator.konnect;

/**
 * The Konnect API as the operator uses it. Every method either returns what Konnect answered or throws one of the
 * typed {@link KonnectException}s: callers never see raw HTTP codes. Implementations apply the per-server request
 * budget and honour a 429's Retry-After for every call to that server.
 */
public interface KonnectClient {

  /** GET the replay job of the target. */
  RemoteReplayJob getReplayJob(Target target, KonnectToken token) throws KonnectException;

  /** PUT (replace) the replay job of the target; Konnect answers 202 with the accepted job. */
  RemoteReplayJob submitReplayJob(Target target, KonnectToken token, ReplayWindowRange window) throws KonnectException;

  /** GET the audit-log webhook of the target (organization v2 or portal). */
  Webhook getWebhook(Target target, KonnectToken token) throws KonnectException;

  /** GET the audit-log webhook delivery status of the target. */
  WebhookStatus getWebhookStatus(Target target, KonnectToken token) throws KonnectException;

  /**
   * The latest time Konnect's own clock showed in an answer from the target's server (its {@code Date} header), if
   * any answer carried one. Compared with Konnect's job timestamps, it tells what Konnect did after it, whatever the
   * operator's clock says.
   */
  default java.util.Optional<java.time.Instant> serverClock(Target target) { return java.util.Optional.empty(); }
}
