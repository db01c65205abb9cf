package io.konnectreplay.operator.konnect;

import java.util.Objects;

/** A Konnect access token. Its value leaves this object only as an Authorization header. */
public final class KonnectToken {
  private final String value;

  private KonnectToken(String value) { this.value = value; }

  public static KonnectToken of(String value) {
    Objects.requireNonNull(value, "token");
    String trimmed = value.strip();
    if (trimmed.isEmpty()) throw new IllegalArgumentException("empty token");
    return new KonnectToken(trimmed);
  }

  public String bearerHeader() { return "Bearer " + value; }

  /** True when {@code text} contains the token: used to keep it out of messages. */
  public boolean appearsIn(String text) { return text != null && text.contains(value); }

  /** {@code text} with every occurrence of the token replaced by "[redacted]"; null stays null. */
  public String redact(String text) {
    return text == null || !text.contains(value) ? text : text.replace(value, "[redacted]");
  }

  @Override public boolean equals(Object o) { return o instanceof KonnectToken t && t.value.equals(value); }
  @Override public int hashCode() { return value.hashCode(); }
  @Override public String toString() { return "KonnectToken[redacted]"; }
}
