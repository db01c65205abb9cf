package io.konnectreplay.operator.konnect;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Konnect servers that answered 429, and until when every call to them waits. Konnect's rate limit is per
 * organization and token rather than per path, so one 429 pauses all targets on that server.
 */
final class ServerPauses {

  private final Clock clock;
  private final Map<String, Instant> pausedUntil = new ConcurrentHashMap<>();

  ServerPauses(Clock clock) { this.clock = Objects.requireNonNull(clock, "clock"); }

  /** Pauses {@code server} for {@code wait} from now, unless it is already paused for longer. */
  void pause(String server, Duration wait) {
    Instant until = clock.instant().plus(wait);
    pausedUntil.merge(server, until, (a, b) -> a.isAfter(b) ? a : b);
  }

  /** How long {@code server} stays paused, or empty when calls may go out. */
  Optional<Duration> remaining(String server) {
    Instant until = pausedUntil.get(server);
    if (until == null) return Optional.empty();
    Duration left = Duration.between(clock.instant(), until);
    if (left.isNegative() || left.isZero()) {
      pausedUntil.remove(server, until);
      return Optional.empty();
    }
    return Optional.of(left);
  }
}
