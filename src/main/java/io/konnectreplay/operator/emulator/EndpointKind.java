package io.konnectreplay.operator.emulator;

/**
 * What a request to the emulator addressed, independent of API version, region and scope (org or portal). Fault rules
 * and the request log use it. {@link #ANY} only appears in fault rules: it matches every kind.
 */
public enum EndpointKind {
  REPLAY_JOB_PUT,
  REPLAY_JOB_GET,
  WEBHOOK_GET,
  WEBHOOK_PATCH,
  WEBHOOK_DELETE,
  WEBHOOK_STATUS_GET,
  /** Any request under {@code /audit-log-destinations}. */
  DESTINATIONS,
  JWKS,
  /** A path or method the emulator does not serve (answered 404 or 405). */
  OTHER,
  ANY;

  boolean matches(EndpointKind actual) {
    return this == ANY || this == actual;
  }
}
