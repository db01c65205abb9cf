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
