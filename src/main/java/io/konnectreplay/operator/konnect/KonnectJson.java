package io.konnectreplay.operator.konnect;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Konnect's JSON bodies, read leniently: unknown fields are ignored, unknown enum values kept verbatim, a missing or
 * null field becomes null, and timestamps are accepted with the spec's own typo ("0001-01-01T00:00:0Z").
 */
final class KonnectJson {

  static final ObjectMapper MAPPER = new ObjectMapper();

  /**
   * RFC3339 with single-digit fields tolerated, as in the spec's "0001-01-01T00:00:0Z". Groups: year, month, day,
   * hour, minute, second, fraction, offset.
   */
  private static final Pattern LENIENT_TIMESTAMP = Pattern.compile(
      "(\\d{1,4})-(\\d{1,2})-(\\d{1,2})[Tt ](\\d{1,2}):(\\d{1,2}):(\\d{1,2})(?:\\.(\\d{1,9}))?([Zz]|[+-]\\d{2}:?\\d{2})");

  private KonnectJson() {}

  /** A value Konnect sent that the operator cannot read. */
  static final class UnreadableException extends Exception {
    UnreadableException(String message) { super(message, null, false, false); }
  }

  /** The PUT body: exactly {"start_at":"…Z","end_at":"…Z"}. */
  static byte[] windowBody(ReplayWindowRange window) {
    ObjectNode node = MAPPER.createObjectNode();
    node.put("start_at", DateTimeFormatter.ISO_INSTANT.format(window.startAt()));
    node.put("end_at", DateTimeFormatter.ISO_INSTANT.format(window.endAt()));
    try {
      return MAPPER.writeValueAsBytes(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e); // cannot happen for two strings
    }
  }

  static RemoteReplayJob replayJob(String body) throws UnreadableException {
    JsonNode node = object(body, "replay job");
    return new RemoteReplayJob(
        timestamp(node, "start_at"), timestamp(node, "end_at"), text(node, "status"), timestamp(node, "updated_at"));
  }

  static Webhook webhook(String body) throws UnreadableException {
    JsonNode node = object(body, "webhook");
    Boolean enabled = bool(node, "enabled");
    return new Webhook(enabled != null && enabled, text(node, "endpoint"), text(node, "log_format"),
        text(node, "audit_log_destination_id"));
  }

  static WebhookStatus webhookStatus(String body) throws UnreadableException {
    JsonNode node = object(body, "webhook status");
    JsonNode code = node.get("last_response_code");
    Integer lastResponseCode = null;
    if (code != null && !code.isNull()) {
      if (code.isIntegralNumber() && code.canConvertToInt()) {
        lastResponseCode = code.intValue();
      } else if (code.isTextual() && code.asText().matches("\\d{1,9}")) {
        lastResponseCode = Integer.valueOf(code.asText());
      } else {
        throw new UnreadableException("last_response_code is not a number");
      }
    }
    return new WebhookStatus(text(node, "webhook_status"), bool(node, "webhook_enabled"),
        timestamp(node, "last_attempt_at"), lastResponseCode, text(node, "last_response_message"));
  }

  /** Parses a JSON object, or returns null when the body is not one. */
  static JsonNode tryObject(String body) {
    if (body == null || body.isBlank()) return null;
    try {
      JsonNode node = MAPPER.readTree(body);
      return node != null && node.isObject() ? node : null;
    } catch (JsonProcessingException e) {
      return null;
    }
  }

  static String text(JsonNode node, String field) {
    JsonNode v = node.get(field);
    if (v == null || v.isNull() || v.isContainerNode()) return null;
    return v.asText();
  }

  /** RFC3339, tolerating single-digit fields; null, missing and "" are null. */
  static Instant parseTimestamp(String text) throws UnreadableException {
    if (text == null || text.isBlank()) return null;
    String s = text.strip();
    try {
      return OffsetDateTime.parse(s, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
    } catch (DateTimeParseException e) {
      // fall through to the lenient form
    }
    Matcher m = LENIENT_TIMESTAMP.matcher(s);
    if (!m.matches()) throw new UnreadableException("not an RFC3339 timestamp: " + KonnectMessages.excerpt(s));
    try {
      int nanos = m.group(7) == null ? 0 : Integer.parseInt((m.group(7) + "00000000").substring(0, 9));
      String offset = m.group(8).equalsIgnoreCase("Z") ? "Z" : m.group(8);
      return OffsetDateTime.of(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)),
          Integer.parseInt(m.group(3)), Integer.parseInt(m.group(4)), Integer.parseInt(m.group(5)),
          Integer.parseInt(m.group(6)), nanos, ZoneOffset.of(offset)).toInstant();
    } catch (RuntimeException e) {
      throw new UnreadableException("not a valid timestamp: " + KonnectMessages.excerpt(s));
    }
  }

  private static JsonNode object(String body, String what) throws UnreadableException {
    JsonNode node = tryObject(body);
    if (node == null) throw new UnreadableException("the body is not a JSON " + what);
    return node;
  }

  private static Instant timestamp(JsonNode node, String field) throws UnreadableException {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) return null;
    if (!v.isTextual()) throw new UnreadableException(field + " is not a timestamp");
    try {
      return parseTimestamp(v.asText());
    } catch (UnreadableException e) {
      throw new UnreadableException(field + " is " + e.getMessage());
    }
  }

  private static Boolean bool(JsonNode node, String field) throws UnreadableException {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) return null;
    if (v.isBoolean()) return v.booleanValue();
    if (v.isTextual() && (v.asText().equalsIgnoreCase("true") || v.asText().equalsIgnoreCase("false"))) {
      return Boolean.valueOf(v.asText());
    }
    throw new UnreadableException(field + " is not a boolean");
  }
}
