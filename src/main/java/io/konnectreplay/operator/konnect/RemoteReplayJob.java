package io.konnectreplay.operator.konnect;

import java.time.Instant;

/**
 * A replay job as Konnect reports it. Timestamps Konnect never set are year-1 ("0001-01-01T00:00:00Z") and are
 * kept as such; {@link #configured()} tells them apart. {@code status} is kept verbatim, unknown values included.
 */
public record RemoteReplayJob(Instant startAt, Instant endAt, String status, Instant updatedAt) {

  public static final String UNCONFIGURED = "unconfigured";
  public static final String ACCEPTED = "accepted";
  public static final String PENDING = "pending";
  public static final String RUNNING = "running";
  public static final String COMPLETED = "completed";
  public static final String FAILED = "failed";

  /** The earliest instant Konnect uses as "never set". */
  private static final Instant YEAR_2 = Instant.parse("0002-01-01T00:00:00Z");

  public boolean completed() { return COMPLETED.equals(status); }
  public boolean failed() { return FAILED.equals(status); }
  public boolean terminal() { return completed() || failed(); }
  public boolean unconfigured() { return status == null || UNCONFIGURED.equals(status); }

  /** The target is free for a new PUT: nothing configured, or the last job ended. */
  public boolean targetFree() { return unconfigured() || terminal(); }

  public boolean configured() { return startAt != null && startAt.isAfter(YEAR_2); }

  public boolean hasWindow(ReplayWindowRange window) {
    return window != null && window.startAt().equals(startAt) && window.endAt().equals(endAt);
  }
}
