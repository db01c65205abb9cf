package io.konnectreplay.operator.sandbox;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One field's validation error, shaped and worded as kube-apiserver reports it in a 422 Status cause: the field path
 * ({@code spec.window.startAt}, {@code spec.items[0]}), the error type ("Invalid value", "Required value", …), the
 * offending value where the API server shows one, and the detail.
 */
public record FieldError(Type type, String field, JsonNode value, String detail) {

  /** The API server's error types: the text it prints, the Status cause reason, and whether CEL then is skipped. */
  public enum Type {
    INVALID("Invalid value", "FieldValueInvalid", false, true),
    TYPE_INVALID("Invalid value", "FieldValueTypeInvalid", true, true),
    REQUIRED("Required value", "FieldValueRequired", true, false),
    NOT_SUPPORTED("Unsupported value", "FieldValueNotSupported", true, true),
    TOO_LONG("Too long", "FieldValueTooLong", true, false),
    TOO_MANY("Too many", "FieldValueTooMany", true, true),
    FORBIDDEN("Forbidden", "FieldValueForbidden", false, false),
    DUPLICATE("Duplicate value", "FieldValueDuplicate", false, true);

    final String text;
    final String reason;
    /** The API server skips the CEL rules when the schema found an error of this type. */
    final boolean blocksRules;
    final boolean showsValue;

    Type(String text, String reason, boolean blocksRules, boolean showsValue) {
      this.text = text;
      this.reason = reason;
      this.blocksRules = blocksRules;
      this.showsValue = showsValue;
    }
  }

  /** The cause's field: the path, or {@code <nil>} for an error about the whole object. */
  public String field() {
    return field == null || field.isEmpty() ? "<nil>" : field;
  }

  public String reason() { return type.reason; }

  boolean blocksRules() { return type.blocksRules; }

  /** The cause's message: {@code Invalid value: "US": spec.region in body should match '^[a-z]{2}$'}. */
  public String body() {
    StringBuilder s = new StringBuilder(type.text);
    if (type.showsValue) s.append(": ").append(show(value));
    if (detail != null && !detail.isEmpty()) s.append(": ").append(detail);
    return s.toString();
  }

  /** {@code spec.region: Invalid value: …}, as in the Status message. */
  @Override
  public String toString() {
    return field() + ": " + body();
  }

  /** Strings quoted, numbers and booleans bare, anything else (or nothing) as "null" or its JSON. */
  static String show(JsonNode value) {
    if (value == null || value.isNull() || value.isMissingNode()) return "\"null\"";
    if (value.isTextual()) return quote(value.asText());
    if (value.isNumber() || value.isBoolean()) return value.asText();
    return value.toString();
  }

  static String quote(String s) {
    StringBuilder q = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      switch (c) {
        case '"' -> q.append("\\\"");
        case '\\' -> q.append("\\\\");
        case '\n' -> q.append("\\n");
        case '\t' -> q.append("\\t");
        default -> q.append(c);
      }
    }
    return q.append('"').toString();
  }
}
