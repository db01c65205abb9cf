package io.konnectreplay.operator.konnect;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Classifies an unsuccessful Konnect answer into a {@link KonnectException}, once, so callers never look at HTTP
 * codes. Reads Konnect's problem+json, the gateway's plain {"message": …} and non-JSON bodies alike.
 */
final class KonnectErrors {

  /** Kong's own operator waits this long after a 429 without a usable Retry-After. */
  static final Duration DEFAULT_RETRY_AFTER = Duration.ofSeconds(15);
  static final Duration MIN_RETRY_AFTER = Duration.ofSeconds(1);
  static final Duration MAX_RETRY_AFTER = Duration.ofHours(1);

  private KonnectErrors() {}

  /**
   * @param retryAfterHeader the Retry-After header, or null
   * @param now the current time, for a Retry-After given as an HTTP-date
   */
  static KonnectException fromResponse(int code, String body, String retryAfterHeader, Instant now,
      KonnectToken token) {
    JsonNode json = KonnectJson.tryObject(body);
    String reason = KonnectMessages.reasonPhrase(code);
    String text = KonnectMessages.upstream(explanation(json, body, token), token, KonnectMessages.MAX_UPSTREAM);
    if (text.equalsIgnoreCase(reason)) text = "";
    String answered = "Konnect answered " + code + (reason.isEmpty() ? "" : " " + reason);
    String message = text.isEmpty() ? answered : answered + ": " + text;

    switch (code) {
      case 400 -> {
        List<KonnectException.InvalidParameter> params = invalidParameters(json, token);
        if (!params.isEmpty()) {
          message += " [" + params.stream().map(Object::toString).collect(Collectors.joining("; ")) + "]";
        }
        return new KonnectException.BadRequest(oneLine(message, token), params);
      }
      case 401 -> { return new KonnectException.Unauthorized(oneLine(message, token)); }
      case 403 -> { return new KonnectException.Forbidden(oneLine(message, token)); }
      case 404 -> { return new KonnectException.NotFound(oneLine(message, token)); }
      case 409 -> { return new KonnectException.Conflict(oneLine(message, token)); }
      case 429 -> {
        Duration wait = retryAfter(retryAfterHeader, now);
        message += " (every call to this server waits " + KonnectMessages.formatDuration(wait) + ")";
        return new KonnectException.RateLimited(oneLine(message, token), wait, false);
      }
      default -> {
        if (code >= 500 && code <= 599) return new KonnectException.Unavailable(code, oneLine(message, token), null);
        return new KonnectException.UnexpectedResponse(code, oneLine(message, token));
      }
    }
  }

  /**
   * The wait a 429 asks for: Retry-After as delta-seconds or an HTTP-date (relative to {@code now}); 15s when absent
   * or unreadable; always within [1s, 1h] so that neither a storm nor an hours-long stall can follow.
   */
  static Duration retryAfter(String header, Instant now) {
    Duration wait = DEFAULT_RETRY_AFTER;
    if (header != null && !header.isBlank()) {
      String h = header.strip();
      if (h.matches("\\d{1,18}")) {
        wait = Duration.ofSeconds(Long.parseLong(h));
      } else if (!h.matches("\\d+")) {
        try {
          wait = Duration.between(now, ZonedDateTime.parse(h, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
        } catch (DateTimeParseException e) {
          wait = DEFAULT_RETRY_AFTER;
        }
      } else {
        wait = MAX_RETRY_AFTER; // more digits than a long holds: as long as we ever wait
      }
    }
    if (wait.compareTo(MIN_RETRY_AFTER) < 0) return MIN_RETRY_AFTER;
    if (wait.compareTo(MAX_RETRY_AFTER) > 0) return MAX_RETRY_AFTER;
    return wait;
  }

  /** What Konnect said, before cleaning: detail (or title) of a problem, a gateway message, or the raw body. */
  private static String explanation(JsonNode json, String body, KonnectToken token) {
    if (json != null) {
      String detail = KonnectJson.text(json, "detail");
      if (detail != null && !detail.isBlank()) return detail;
      String message = KonnectJson.text(json, "message");
      if (message != null && !message.isBlank()) return message;
      String title = KonnectJson.text(json, "title");
      if (title != null && !title.isBlank()) return title;
    }
    return KonnectMessages.excerpt(body, token);
  }

  private static List<KonnectException.InvalidParameter> invalidParameters(JsonNode json, KonnectToken token) {
    List<KonnectException.InvalidParameter> params = new ArrayList<>();
    if (json == null || !json.path("invalid_parameters").isArray()) return params;
    for (JsonNode item : json.get("invalid_parameters")) {
      if (!item.isObject()) continue;
      params.add(new KonnectException.InvalidParameter(
          cleanOrNull(KonnectJson.text(item, "field"), token),
          cleanOrNull(KonnectJson.text(item, "rule"), token),
          cleanOrNull(KonnectJson.text(item, "reason"), token)));
    }
    return params;
  }

  private static String cleanOrNull(String s, KonnectToken token) {
    if (s == null) return null;
    return KonnectMessages.upstream(s, token, KonnectMessages.MAX_EXCERPT);
  }

  private static String oneLine(String message, KonnectToken token) {
    // every upstream part is already redacted; the whole is bounded so that, past our short prefix, at most
    // MAX_UPSTREAM characters of what Konnect said reach a condition
    return KonnectMessages.upstream(message, token, KonnectMessages.MAX_UPSTREAM + 64);
  }
}
