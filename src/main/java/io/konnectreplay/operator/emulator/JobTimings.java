package io.konnectreplay.operator.emulator;

import java.time.Duration;
import java.util.Objects;

/**
 * How long a replay job stays in each state before the engine moves it on. {@code running} is the minimum time in
 * {@code running}: a slower delivery keeps the job running until it returns.
 */
public record JobTimings(Duration accepted, Duration pending, Duration running) {

  public JobTimings {
    Objects.requireNonNull(accepted, "accepted");
    Objects.requireNonNull(pending, "pending");
    Objects.requireNonNull(running, "running");
    if (accepted.isNegative() || pending.isNegative() || running.isNegative()) {
      throw new IllegalArgumentException("job timings must not be negative");
    }
  }

  /** A few hundred milliseconds end to end: the default, for tests. */
  public static JobTimings fast() {
    return new JobTimings(Duration.ofMillis(100), Duration.ofMillis(100), Duration.ofMillis(150));
  }

  /** Slow enough to watch each state with kubectl: for the sandbox and demos. */
  public static JobTimings demo() {
    return new JobTimings(Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofSeconds(2));
  }
}
