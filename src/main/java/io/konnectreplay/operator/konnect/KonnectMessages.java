package io.konnectreplay.operator.konnect;

import java.time.Duration;
import java.util.regex.Pattern;

/** Turns what Konnect says into short, one-line, trace-id-free text for conditions and events. */
public final class KonnectMessages {

  /** Longest excerpt of a body that is not Konnect's JSON. */
  static final int MAX_EXCERPT = 200;
  /** Most characters of upstream text (a problem's detail, a body) that reach any message. */
  static final int MAX_UPSTREAM = 1024;

  /** Credentials an upstream may echo: a bearer header's value, and Konnect token shapes. */
  private static final Pattern BEARER = Pattern.compile("(?i)\\bbearer\\s+[^\\s\"',;]+");
  private static final Pattern KONNECT_TOKEN = Pattern.compile("\\b[ks]pat_[A-Za-z0-9_\\-]*");

  /** Konnect correlation ids, e.g. kong:trace:8347343766220159418 or konnect:trace:6644808935508571943. */
  private static final Pattern TRACE_ID =
      Pattern.compile("(?i)\\b(?:kong|konnect):trace:[A-Za-z0-9_-]*");
  private static final Pattern EMPTY_BRACKETS = Pattern.compile("\\(\\s*\\)|\\[\\s*]|\\{\\s*}");
  private static final Pattern HTML_TAG = Pattern.compile("<[^>]*>");
  private static final Pattern WHITESPACE = Pattern.compile("\\s+");
  private static final Pattern SPACE_BEFORE_PUNCT = Pattern.compile("\\s+([,.;:])");

  private KonnectMessages() {}

  /**
   * Upstream text made safe for a message: the token, any {@code Bearer …} value and anything shaped like a Konnect
   * token are redacted first, on the whole text, and only then is it cleaned and cut to {@code max} characters. (Cut
   * first, a token straddling the cut would leave its prefix behind, which no redaction recognises.)
   */
  static String upstream(String text, KonnectToken token, int max) {
    if (text == null) return "";
    return truncate(clean(redactCredentials(text, token)), max);
  }

  /** Text of unknown origin (an exception's message, say) made safe for a condition: redacted, one line, ≤ 1 KiB. */
  public static String safe(String text) { return upstream(text, null, MAX_UPSTREAM); }

  static String redactCredentials(String text, KonnectToken token) {
    String s = token == null ? text : token.redact(text);
    s = BEARER.matcher(s).replaceAll("Bearer [redacted]");
    return KONNECT_TOKEN.matcher(s).replaceAll("[redacted]");
  }

  /** One line, trace ids removed, trimmed; null becomes "". */
  static String clean(String text) {
    if (text == null) return "";
    String s = TRACE_ID.matcher(text).replaceAll("");
    s = EMPTY_BRACKETS.matcher(s).replaceAll("");
    s = WHITESPACE.matcher(s).replaceAll(" ");
    s = SPACE_BEFORE_PUNCT.matcher(s).replaceAll("$1");
    s = s.strip();
    // a detail like "Not allowed, trace: kong:trace:1" leaves a dangling separator
    while (!s.isEmpty() && ",;:-".indexOf(s.charAt(s.length() - 1)) >= 0) s = s.substring(0, s.length() - 1).strip();
    return s;
  }

  /** A short excerpt of a body that is not JSON: tags dropped for HTML, cleaned, at most {@link #MAX_EXCERPT} chars. */
  static String excerpt(String body) { return excerpt(body, null); }

  /** The same, redacting the token and credential shapes before cutting. */
  static String excerpt(String body, KonnectToken token) {
    if (body == null) return "";
    String s = body;
    if (s.stripLeading().startsWith("<")) s = HTML_TAG.matcher(s).replaceAll(" ");
    return upstream(s, token, MAX_EXCERPT);
  }

  static String truncate(String s, int max) {
    if (s.length() <= max) return s;
    int end = max - 1;
    if (Character.isHighSurrogate(s.charAt(end - 1))) end--;
    return s.substring(0, end) + "…";
  }

  /** Go-style short duration: 250ms, 15s, 1m30s, 1h. */
  static String formatDuration(Duration d) {
    if (d.isNegative() || d.isZero()) return "0s";
    if (d.compareTo(Duration.ofSeconds(1)) < 0) return Math.max(1, d.toMillis()) + "ms";
    long seconds = d.getSeconds() + (d.getNano() > 0 ? 1 : 0); // round up: never promise an earlier retry
    long h = seconds / 3600;
    long m = (seconds % 3600) / 60;
    long s = seconds % 60;
    StringBuilder b = new StringBuilder();
    if (h > 0) b.append(h).append('h');
    if (m > 0) b.append(m).append('m');
    if (s > 0 || b.length() == 0) b.append(s).append('s');
    return b.toString();
  }

  /** The standard reason phrase of the codes Konnect is known to send, or "" for others. */
  static String reasonPhrase(int code) {
    return switch (code) {
      case 400 -> "Bad Request";
      case 401 -> "Unauthorized";
      case 403 -> "Forbidden";
      case 404 -> "Not Found";
      case 405 -> "Method Not Allowed";
      case 406 -> "Not Acceptable";
      case 408 -> "Request Timeout";
      case 409 -> "Conflict";
      case 410 -> "Gone";
      case 413 -> "Content Too Large";
      case 415 -> "Unsupported Media Type";
      case 422 -> "Unprocessable Content";
      case 429 -> "Too Many Requests";
      case 500 -> "Internal Server Error";
      case 501 -> "Not Implemented";
      case 502 -> "Bad Gateway";
      case 503 -> "Service Unavailable";
      case 504 -> "Gateway Timeout";
      default -> "";
    };
  }
}
