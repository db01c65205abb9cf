package io.konnectreplay.operator.sandbox;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.mockwebserver.http.MockResponse;
import java.util.List;
import java.util.stream.Collectors;

/** The API server's failure answers ({@code kind: Status}), worded as kube-apiserver words them. */
final class ApiStatus {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private ApiStatus() {}

  static ObjectNode body(int code, String reason, String message) {
    ObjectNode status = NODES.objectNode().put("kind", "Status").put("apiVersion", "v1");
    status.putObject("metadata");
    status.put("status", "Failure").put("message", message).put("reason", reason).put("code", code);
    return status;
  }

  static MockResponse response(ObjectNode status) {
    return new MockResponse().setResponseCode(status.path("code").asInt())
        .setHeader("Content-Type", "application/json").setBody(status.toString());
  }

  static MockResponse failure(int code, String reason, String message) {
    return response(body(code, reason, message));
  }

  /**
   * 422 Invalid: {@code AuditLogReplayJob.konnectreplay.io "x" is invalid: spec.region: Invalid value: …}, one cause per
   * error (several are listed in brackets, as the API server aggregates them).
   */
  static MockResponse invalid(String group, String kind, String name, List<FieldError> errors) {
    String qualified = group.isEmpty() ? kind : kind + "." + group;
    String listed = errors.size() == 1 ? errors.get(0).toString()
        : errors.stream().map(FieldError::toString).collect(Collectors.joining(", ", "[", "]"));
    ObjectNode status = body(422, "Invalid", qualified + " " + FieldError.quote(name == null ? "" : name)
        + " is invalid: " + listed);
    ObjectNode details = status.putObject("details");
    if (name != null) details.put("name", name);
    details.put("group", group).put("kind", kind);
    ArrayNode causes = details.putArray("causes");
    for (FieldError e : errors) causes.addObject().put("reason", e.reason()).put("message", e.body()).put("field", e.field());
    return response(status);
  }

  /** 400 for unknown fields under {@code fieldValidation=Strict}, as the API server's strict decoder words it. */
  static MockResponse strictDecoding(String kind, String version, List<String> unknown) {
    String fields = unknown.stream().map(f -> "unknown field " + FieldError.quote(f)).collect(Collectors.joining(", "));
    return failure(400, "BadRequest", kind + " in version " + FieldError.quote(version) + " cannot be handled as a "
        + kind + ": strict decoding error: " + fields);
  }

  static MockResponse notFound(ApiPath path) {
    ObjectNode status = body(404, "NotFound", path.groupResource() + " " + FieldError.quote(path.name())
        + " not found");
    status.putObject("details").put("name", path.name()).put("group", path.group()).put("kind", path.resource());
    return response(status);
  }

  static MockResponse conflict(ApiPath path) {
    ObjectNode status = body(409, "Conflict", "Operation cannot be fulfilled on " + path.groupResource() + " "
        + FieldError.quote(path.name()) + ": the object has been modified; please apply your changes to the latest"
        + " version and try again");
    status.putObject("details").put("name", path.name()).put("group", path.group()).put("kind", path.resource());
    return response(status);
  }

  static MockResponse unsupportedPatch(String contentType, boolean customResource) {
    String accepted = customResource
        ? "application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml"
        : "application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json,"
            + " application/apply-patch+yaml";
    return failure(415, "UnsupportedMediaType", "the body of the request was in an unknown format - accepted media"
        + " types include: " + accepted);
  }
}
