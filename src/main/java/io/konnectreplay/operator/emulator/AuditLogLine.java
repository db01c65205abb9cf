package io.konnectreplay.operator.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.konnectreplay.operator.emulator.AuditLogSigner.Format;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One delivered audit-log line (CEF, JSON or CPS) taken apart into its fields, as a receiver reads it. Every field is
 * kept as text, including sig; header fields of CEF lines use their JSON names, so both formats read
 * alike: {@code event_ts}, {@code event_vendor}, {@code event_product}, {@code event_version}, {@code event_class_id},
 * {@code name}, {@code severity}.
 */
final class AuditLogLine {

  /** An extension key at the start of the extension part or after a space: {@code key=}. */
  private static final Pattern CEF_KEY = Pattern.compile("(?:^| )([A-Za-z0-9_]+)=");
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final Format format;
  private final String raw;
  private final Map<String, String> fields;

  private AuditLogLine(Format format, String raw, Map<String, String> fields) {
    this.format = format;
    this.raw = raw;
    this.fields = Collections.unmodifiableMap(fields);
  }

  /** CPS when the line is a JSON object with {@code "event"} first, JSON for another object, CEF otherwise. */
  static Format detectFormat(String line) {
    String trimmed = line.stripLeading();
    if (trimmed.startsWith("{")) {
      return trimmed.startsWith(AuditLogSigner.CPS_PREFIX) ? Format.CPS : Format.JSON;
    }
    return Format.CEF;
  }

  /** Parses a line; throws IllegalArgumentException when it is neither a JSON object nor a CEF record. */
  static AuditLogLine parse(String line) {
    Format format = detectFormat(line);
    return switch (format) {
      case CEF -> new AuditLogLine(format, line, parseCef(line));
      case JSON -> new AuditLogLine(format, line, parseJson(line, false));
      case CPS -> new AuditLogLine(format, line, parseJson(line, true));
    };
  }

  private static Map<String, String> parseJson(String line, boolean cps) {
    JsonNode node;
    try {
      node = MAPPER.readTree(line);
    } catch (IOException e) {
      throw new IllegalArgumentException("not a JSON object: " + e.getMessage(), e);
    }
    if (cps) {
      node = node == null ? null : node.get("event");
    }
    if (node == null || !node.isObject()) {
      throw new IllegalArgumentException(cps ? "no \"event\" object" : "not a JSON object");
    }
    Map<String, String> fields = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> field = it.next();
      JsonNode value = field.getValue();
      fields.put(field.getKey(), value.isValueNode() ? value.asText() : value.toString());
    }
    return fields;
  }

  private static Map<String, String> parseCef(String line) {
    int cef = line.indexOf("CEF:");
    if (cef < 0) {
      throw new IllegalArgumentException("neither JSON nor CEF: " + AuditLogSigner.abbreviate(line));
    }
    Map<String, String> fields = new LinkedHashMap<>();
    // "{timestamp} {host} CEF:…": the timestamp may itself contain spaces (syslog style), the host does not.
    String prefix = line.substring(0, cef).trim();
    int lastSpace = prefix.lastIndexOf(' ');
    fields.put("event_ts", lastSpace < 0 ? prefix : prefix.substring(0, lastSpace));
    fields.put("host", lastSpace < 0 ? "" : prefix.substring(lastSpace + 1));

    String[] header = new String[8];
    int count = 0;
    StringBuilder current = new StringBuilder();
    int i = cef + "CEF:".length();
    for (; i < line.length() && count < 7; i++) {
      char c = line.charAt(i);
      if (c == '\\' && i + 1 < line.length()) {
        current.append(line.charAt(++i));
      } else if (c == '|') {
        header[count++] = current.toString();
        current.setLength(0);
      } else {
        current.append(c);
      }
    }
    if (count < 7) {
      throw new IllegalArgumentException("a CEF header has 7 fields separated by '|'");
    }
    fields.put("cef_version", header[0]);
    fields.put("event_vendor", header[1]);
    fields.put("event_product", header[2]);
    fields.put("event_version", header[3]);
    fields.put("event_class_id", header[4]);
    fields.put("name", header[5]);
    fields.put("severity", header[6]);
    parseExtensions(line.substring(i), fields);
    return fields;
  }

  /** Values run to the next {@code " key="}, so they may contain spaces (Konnect does not escape them). */
  private static void parseExtensions(String extensions, Map<String, String> into) {
    Matcher matcher = CEF_KEY.matcher(extensions);
    String key = null;
    int valueStart = 0;
    while (matcher.find()) {
      if (key != null) {
        into.put(key, unescapeCefValue(extensions.substring(valueStart, matcher.start())));
      }
      key = matcher.group(1);
      valueStart = matcher.end();
    }
    if (key != null) {
      into.put(key, unescapeCefValue(extensions.substring(valueStart)));
    }
  }

  private static String unescapeCefValue(String value) {
    if (value.indexOf('\\') < 0) {
      return value;
    }
    StringBuilder out = new StringBuilder(value.length());
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == '\\' && i + 1 < value.length()) {
        char next = value.charAt(++i);
        out.append(next == 'n' ? '\n' : next == 'r' ? '\r' : next);
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  Format format() { return format; }

  String raw() { return raw; }

  Map<String, String> fields() { return fields; }

  String get(String key) { return fields.get(key); }

  /** The event's id: its {@code trace_id} (a string or a number in JSON), or null. */
  String eventId() {
    String id = fields.get("trace_id");
    return id == null || id.isEmpty() ? null : id;
  }

  /** When the event happened: {@code rt} (epoch milliseconds), else the RFC3339 {@code event_ts}, else null. */
  Instant eventTime() {
    String rt = fields.get("rt");
    if (rt != null) {
      try {
        return Instant.ofEpochMilli(Long.parseLong(rt.trim()));
      } catch (NumberFormatException e) {
        // fall through to event_ts
      }
    }
    String ts = fields.get("event_ts");
    if (ts != null) {
      try {
        return Instant.parse(ts.trim());
      } catch (DateTimeParseException e) {
        return null;
      }
    }
    return null;
  }

  /** {@code portal:<portal_id>} for a Dev Portal event, {@code org:<org_id>} otherwise. */
  String target() {
    String portal = fields.get("portal_id");
    if (portal != null && !portal.isEmpty()) {
      return "portal:" + portal;
    }
    return "org:" + fields.getOrDefault("org_id", "");
  }

  @Override
  public String toString() { return format + " " + fields; }
}
