package io.konnectreplay.operator.emulator;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/** A Konnect error answer (problem+json), thrown by the emulator's state and written by its HTTP handler. */
final class ApiError extends RuntimeException {
  final int status;
  final String title;
  final String detail;
  final List<ObjectNode> invalidParameters;
  /** "kong:trace:" for most errors; the documented replay-job 409 example uses "konnect:trace:". */
  final String tracePrefix;

  private ApiError(int status, String title, String detail, List<ObjectNode> invalidParameters, String tracePrefix) {
    super(status + " " + detail, null, false, false);
    this.status = status;
    this.title = title;
    this.detail = detail;
    this.invalidParameters = invalidParameters;
    this.tracePrefix = tracePrefix;
  }

  static ApiError unauthorized() {
    return new ApiError(401, "Unauthorized", "Unauthorized", List.of(), "kong:trace:");
  }

  static ApiError forbidden() {
    return new ApiError(403, "Forbidden", "You do not have permission to perform this action", List.of(),
        "kong:trace:");
  }

  static ApiError notFound() {
    return new ApiError(404, "Not Found", "Not Found", List.of(), "kong:trace:");
  }

  static ApiError methodNotAllowed() {
    return new ApiError(405, "Method Not Allowed", "Method Not Allowed", List.of(), "kong:trace:");
  }

  static ApiError jobRunning() {
    return new ApiError(409, "Resource Conflict", "A replay job is currently running", List.of(), "konnect:trace:");
  }

  static ApiError conflict(String detail) {
    return new ApiError(409, "Conflict", detail, List.of(), "kong:trace:");
  }

  static ApiError badRequest(String detail, List<ObjectNode> invalidParameters) {
    if (invalidParameters.isEmpty()) {
      throw new IllegalArgumentException("a 400 needs at least one invalid parameter");
    }
    return new ApiError(400, "Bad Request", detail, List.copyOf(invalidParameters), "kong:trace:");
  }

  /** The body {@code {"field":"body","rule":"invalid","reason":"request format is invalid","source":"body"}}. */
  static ApiError unparseableBody() {
    return badRequest("Could not parse request body", List.of(param("body", "invalid", "request format is invalid")));
  }

  /** One {field, rule, reason, source:"body"} item (the spec's InvalidParameterStandard). */
  static ObjectNode param(String field, String rule, String reason) {
    ObjectNode p = JsonNodeFactory.instance.objectNode();
    p.put("field", field);
    if (rule != null) {
      p.put("rule", rule);
    }
    p.put("reason", reason);
    p.put("source", "body");
    return p;
  }
}
