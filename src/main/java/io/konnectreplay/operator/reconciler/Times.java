package io.konnectreplay.operator.reconciler;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;

/** RFC3339 text ⇄ Instant, the way status fields store time. */
final class Times {
  private Times() {}

  static String format(Instant instant) {
    return instant == null ? null : instant.truncatedTo(ChronoUnit.SECONDS).toString();
  }

  /**
   * The whole-second window that contains {@code [start, end]}: start rounded down, end rounded up. Status fields keep
   * whole seconds, so the window is rounded once, here, and status.window, the PUT body and the request identity then
   * carry the same instants (a fraction kept in one place and cut in another made every reconcile a new request).
   */
  static Instant floorSecond(Instant instant) { return instant.truncatedTo(ChronoUnit.SECONDS); }

  static Instant ceilSecond(Instant instant) {
    Instant floor = instant.truncatedTo(ChronoUnit.SECONDS);
    return floor.equals(instant) ? floor : floor.plusSeconds(1);
  }

  static String formatExact(Instant instant) {
    return instant == null ? null : instant.toString();
  }

  /** Parses RFC3339 with Z or an offset; null for null or unparseable text. */
  static Instant parse(String text) {
    if (text == null || text.isBlank()) return null;
    try {
      return OffsetDateTime.parse(text.strip().replace('z', 'Z').replace('t', 'T')).toInstant();
    } catch (DateTimeParseException e) {
      return null;
    }
  }
}
