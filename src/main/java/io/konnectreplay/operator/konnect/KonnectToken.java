package io.konnectreplay.operator.konnect;

import java.util.Objects;

/** A Konnect access token. Its value leaves this object only as an Authorization header. */
public final class KonnectToken {
  private final String value;

  private KonnectToken(String value) { this.value = value; }

  public static KonnectToken of(String value) {
    Objects.requireNonNull(value, "token");
    String trimmed = value.strip();
    String problem = problem(trimmed);
    if (problem != null) throw new IllegalArgumentException("not a usable token: " + problem);
    return new KonnectToken(trimmed);
  }

  /** The most bytes a token may have; Konnect's are far shorter, and an HTTP header must stay small. */
  public static final int MAX_LENGTH = 4096;

  /**
   * Why {@code value} cannot be sent as a bearer token, or null when it can: after trimming surrounding whitespace it
   * must be visible ASCII (no control characters, no inner whitespace, no non-ASCII), 1..4096 characters. The answer
   * never quotes the value.
   */
  public static String problem(String value) {
    if (value == null) return "it is missing";
    String trimmed = value.strip();
    if (trimmed.isEmpty()) return "it is empty";
    if (trimmed.length() > MAX_LENGTH) return "it is longer than " + MAX_LENGTH + " characters";
    for (int i = 0; i < trimmed.length(); i++) {
      char c = trimmed.charAt(i);
      if (c < 0x21 || c > 0x7E) {
        return "character " + (i + 1) + " is " + (Character.isWhitespace(c) ? "whitespace"
            : c < 0x20 || c == 0x7F ? "a control character" : "not ASCII")
            + " (a token is visible ASCII with no spaces or line breaks inside)";
      }
    }
    return null;
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
