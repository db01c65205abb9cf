package io.konnectreplay.operator.config;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses Go-style durations ("90m", "1h30m", "1.5h", "250ms"), the form Kubernetes users know. */
public final class GoDuration {
  private static final Pattern WHOLE = Pattern.compile("([0-9]+(?:\\.[0-9]+)?(?:ns|us|µs|ms|s|m|h))+");
  private static final Pattern PART = Pattern.compile("([0-9]+(?:\\.[0-9]+)?)(ns|us|µs|ms|s|m|h)");

  private GoDuration() {}

  public static Duration parse(String text) {
    if (text == null || !WHOLE.matcher(text.strip()).matches()) {
      throw new IllegalArgumentException("not a duration: \"" + text + "\" (use for example 30s, 90m or 24h)");
    }
    BigDecimal nanos = BigDecimal.ZERO;
    Matcher m = PART.matcher(text.strip());
    while (m.find()) {
      BigDecimal value = new BigDecimal(m.group(1));
      long unit = switch (m.group(2)) {
        case "ns" -> 1L;
        case "us", "µs" -> 1_000L;
        case "ms" -> 1_000_000L;
        case "s" -> 1_000_000_000L;
        case "m" -> 60_000_000_000L;
        default -> 3_600_000_000_000L;
      };
      nanos = nanos.add(value.multiply(BigDecimal.valueOf(unit)));
    }
    try {
      return Duration.ofNanos(nanos.longValueExact());
    } catch (ArithmeticException e) {
      throw new IllegalArgumentException("not a duration: \"" + text + "\" (longer than 292 years or finer than 1ns)");
    }
  }

  /** Formats a duration the Go way, for messages: 1h30m0s → "1h30m", 45s → "45s". */
  public static String format(Duration d) {
    long s = Math.max(0, d.toSeconds());
    if (s == 0) return d.toMillis() + "ms";
    StringBuilder b = new StringBuilder();
    if (s >= 3600) b.append(s / 3600).append('h');
    if (s % 3600 >= 60) b.append((s % 3600) / 60).append('m');
    if (s % 60 != 0) b.append(s % 60).append('s');
    return b.toString();
  }
}
