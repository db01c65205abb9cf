package io.konnectreplay.operator.konnect;

import java.time.Instant;
import java.util.Objects;

/** An absolute replay window, as sent to Konnect in the PUT body. */
public record ReplayWindowRange(Instant startAt, Instant endAt) {
  public ReplayWindowRange {
    Objects.requireNonNull(startAt, "startAt");
    Objects.requireNonNull(endAt, "endAt");
  }
}
