package io.konnectreplay.operator.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.konnectreplay.operator.sandbox.CrdSchema;
import io.konnectreplay.operator.sandbox.FieldError;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What the API server would admit, checked with the sandbox's embedded API validator ({@link CrdSchema}) on the
 * committed CRD: its OpenAPI schema (types, patterns, bounds, required) and its x-kubernetes-validations CEL rules,
 * evaluated the Kubernetes way with {@code self} bound to the value at the rule's path. Rules and patterns are read
 * from the committed CRD, never copied here.
 */
class CrdValidationTest {
  static final String WINDOW_FORM = "set either both startAt and endAt, or lookback alone: exactly one window form";
  static final String END_AFTER_START = "endAt must be later than startAt";
  static final String MAX_SPAN = "the window may span at most 167h: it is submitted once endAt has passed and must then"
      + " still start within the 7 days Konnect keeps audit logs (use lookback: 168h for everything Konnect still has)";
  static final String LOOKBACK_BOUNDS = "lookback must be between 1m and 168h (7 days)";
  static final ObjectMapper JSON = new ObjectMapper();

  static final Map<String, Object> SCHEMA = openApiSchema();
  static final CrdSchema VALIDATOR = CrdSchema.of(JSON.valueToTree(SCHEMA));

  @SuppressWarnings("unchecked")
  static Map<String, Object> openApiSchema() {
    Map<String, Object> crd = DeployFiles.yamlMap(DeployFiles.read(DeployFiles.rootCrd()));
    Map<String, Object> version = ((List<Map<String, Object>>) ((Map<String, Object>) crd.get("spec")).get("versions")).get(0);
    return (Map<String, Object>) ((Map<String, Object>) version.get("schema")).get("openAPIV3Schema");
  }

  /** The rules of the committed CRD, as "path: message". */
  @SuppressWarnings("unchecked")
  static List<String> rules(Map<String, Object> schema, String path) {
    List<String> rules = new ArrayList<>();
    for (Map<String, Object> v : (List<Map<String, Object>>) schema.getOrDefault("x-kubernetes-validations", List.of())) {
      rules.add(path + ": " + v.get("message"));
    }
    ((Map<String, Map<String, Object>>) schema.getOrDefault("properties", Map.of()))
        .forEach((name, child) -> rules.addAll(rules(child, path.isEmpty() ? name : path + "." + name)));
    return rules;
  }

  static CrdSchema.Admission admit(Map<String, Object> spec) {
    ObjectNode job = JSON.createObjectNode().put("apiVersion", "konnectreplay.io/v1alpha1")
        .put("kind", "AuditLogReplayJob");
    job.putObject("metadata").put("name", "x");
    job.set("spec", JSON.valueToTree(spec));
    return VALIDATOR.admit(job, null, java.util.Set.of("status"));
  }

  /** The messages of the rules the spec breaks (evaluated only when the schema found nothing blocking). */
  static List<String> celViolations(Map<String, Object> spec) {
    return admit(spec).ruleErrors().stream().map(FieldError::detail).toList();
  }

  /** Schema violations as "path: check" (pattern, maxLength, enum, minimum, maximum, required, unknown field). */
  static List<String> schemaViolations(Map<String, Object> spec) {
    CrdSchema.Admission admission = admit(spec);
    List<String> errors = new ArrayList<>();
    for (FieldError e : admission.schemaErrors()) {
      if (e.field().equals("<nil>")) continue; // the note that the rules were skipped
      String detail = String.valueOf(e.detail());
      String check = switch (e.reason()) {
        case "FieldValueRequired" -> "required";
        case "FieldValueTooLong" -> "maxLength";
        case "FieldValueNotSupported" -> "enum";
        case "FieldValueTypeInvalid" -> "type";
        default -> detail.contains("should match") ? "pattern" : detail.contains("less than") ? "maximum"
            : detail.contains("greater than") ? "minimum" : detail;
      };
      errors.add(e.field() + ": " + check);
    }
    admission.prunedFields().forEach(f -> errors.add(f + ": unknown field"));
    return errors;
  }

  static Map<String, Object> spec(Map<String, Object> window) {
    return Map.of("region", "us", "window", window, "konnect", Map.of("authRef", Map.of("name", "konnect-token")));
  }

  static Map<String, Object> absolute(String startAt, String endAt) {
    return spec(Map.of("startAt", startAt, "endAt", endAt));
  }

  static Map<String, Object> lookback(String lookback) {
    return spec(Map.of("lookback", lookback));
  }

  static Map<String, Object> with(Map<String, Object> spec, String key, Object value) {
    Map<String, Object> copy = new LinkedHashMap<>(spec);
    copy.put(key, value);
    return copy;
  }

  // ---------------------------------------------------------------------------------------------

  @Test
  void crdCarriesTheRulesThisTestExercises() {
    assertThat(rules(SCHEMA, "")).containsExactlyInAnyOrder("spec.window: " + WINDOW_FORM,
        "spec.window: " + END_AFTER_START, "spec.window: " + MAX_SPAN, "spec.window.lookback: " + LOOKBACK_BOUNDS);
  }

  @SuppressWarnings("unchecked")
  static Stream<Arguments> samples() throws IOException {
    Path dir = DeployFiles.root().resolve("deploy/samples");
    List<Arguments> jobs = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path file : files.sorted().toList()) {
        for (String doc : DeployFiles.read(file).split("(?m)^---\\s*$")) {
          Map<String, Object> object = DeployFiles.yamlMap(doc);
          if ("AuditLogReplayJob".equals(object.get("kind"))) {
            String name = (String) ((Map<String, Object>) object.get("metadata")).get("name");
            jobs.add(Arguments.of(file.getFileName() + " " + name, object));
          }
        }
      }
    }
    return jobs.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("samples")
  @SuppressWarnings("unchecked")
  void samplesAreAdmitted(String name, Map<String, Object> sample) {
    assertThat(sample).containsEntry("apiVersion", "konnectreplay.io/v1alpha1");
    Map<String, Object> spec = (Map<String, Object>) sample.get("spec");
    assertThat(schemaViolations(spec)).isEmpty();
    assertThat(celViolations(spec)).isEmpty();
  }

  static Stream<Arguments> validSpecs() {
    return Stream.of(
        Arguments.of("six hours", absolute("2026-11-20T00:00:00Z", "2026-11-20T06:00:00Z")),
        Arguments.of("167 hours", absolute("2026-11-13T01:00:00Z", "2026-11-20T00:00:00Z")),
        Arguments.of("offsets at the bounds", absolute("2026-11-20T00:00:00+18:00", "2026-11-20T00:00:00-18:00")),
        Arguments.of("nanoseconds", absolute("2026-11-20T00:00:00.123456789Z", "2026-11-20T00:00:01.000000001Z")),
        Arguments.of("one second", absolute("2026-11-20T00:00:00Z", "2026-11-20T00:00:01Z")),
        Arguments.of("fractions", absolute("2026-11-20T00:00:00.5Z", "2026-11-20T00:00:00.75Z")),
        Arguments.of("offsets compared as instants", absolute("2026-11-20T10:00:00+02:00", "2026-11-20T09:00:00Z")),
        Arguments.of("lookback 1m", lookback("1m")),
        Arguments.of("lookback 168h", lookback("168h")),
        Arguments.of("lookback 1h30m", lookback("1h30m")),
        Arguments.of("lookback 0.5h", lookback("0.5h")),
        Arguments.of("lookback 10080m", lookback("10080m")),
        Arguments.of("portal, nonce, backoff, server", with(with(with(with(lookback("24h"),
            "portalID", "3E551B39-0F5E-4A84-B0A9-2D7B4B0E6A11"), "rerunNonce", "2"), "backoffLimit", 5),
            "suspend", true)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("validSpecs")
  void validSpecsPassEveryRule(String name, Map<String, Object> spec) {
    assertThat(schemaViolations(spec)).isEmpty();
    assertThat(celViolations(spec)).isEmpty();
  }

  static Stream<Arguments> specsBreakingOneRule() {
    return Stream.of(
        Arguments.of("both forms", spec(Map.of("startAt", "2026-11-20T00:00:00Z", "endAt", "2026-11-20T06:00:00Z",
            "lookback", "6h")), WINDOW_FORM),
        Arguments.of("lookback and startAt", spec(Map.of("startAt", "2026-11-20T00:00:00Z", "lookback", "6h")),
            WINDOW_FORM),
        Arguments.of("no form", spec(Map.of()), WINDOW_FORM),
        Arguments.of("startAt alone", spec(Map.of("startAt", "2026-11-20T00:00:00Z")), WINDOW_FORM),
        Arguments.of("endAt alone", spec(Map.of("endAt", "2026-11-20T00:00:00Z")), WINDOW_FORM),
        Arguments.of("end before start", absolute("2026-11-20T06:00:00Z", "2026-11-20T00:00:00Z"), END_AFTER_START),
        Arguments.of("empty window", absolute("2026-11-20T06:00:00Z", "2026-11-20T06:00:00Z"), END_AFTER_START),
        Arguments.of("end before start once offsets count",
            absolute("2026-11-20T10:00:00Z", "2026-11-20T11:00:00+02:00"), END_AFTER_START),
        Arguments.of("exactly 7 days (always expired once it has ended)",
            absolute("2026-11-13T00:00:00Z", "2026-11-20T00:00:00Z"), MAX_SPAN),
        Arguments.of("167 hours and a second", absolute("2026-11-13T00:59:59Z", "2026-11-20T00:00:00Z"), MAX_SPAN),
        Arguments.of("a month", absolute("2026-10-20T00:00:00Z", "2026-11-20T00:00:00Z"), MAX_SPAN),
        Arguments.of("lookback 30s", lookback("30s"), LOOKBACK_BOUNDS),
        Arguments.of("lookback 59999ms", lookback("59999ms"), LOOKBACK_BOUNDS),
        Arguments.of("lookback 0m", lookback("0m"), LOOKBACK_BOUNDS),
        Arguments.of("lookback 168h1s", lookback("168h1s"), LOOKBACK_BOUNDS),
        Arguments.of("lookback 200h", lookback("200h"), LOOKBACK_BOUNDS));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("specsBreakingOneRule")
  void invalidSpecIsRejectedByExactlyItsRule(String name, Map<String, Object> spec, String message) {
    assertThat(schemaViolations(spec)).as("the schema alone admits it").isEmpty();
    assertThat(celViolations(spec)).containsExactly(message);
  }

  static Stream<Arguments> specsBreakingTheSchema() {
    Map<String, Object> ok = lookback("24h");
    return Stream.of(
        Arguments.of("region in capitals", with(ok, "region", "US"), "spec.region: pattern"),
        Arguments.of("region of three letters", with(ok, "region", "usa"), "spec.region: pattern"),
        Arguments.of("empty region", with(ok, "region", ""), "spec.region: pattern"),
        Arguments.of("portalID not a uuid", with(ok, "portalID", "portal-1"), "spec.portalID: pattern"),
        Arguments.of("portalID in braces", with(ok, "portalID", "{3e551b39-0f5e-4a84-b0a9-2d7b4b0e6a11}"),
            "spec.portalID: pattern"),
        Arguments.of("portalID too short", with(ok, "portalID", "3e551b39-0f5e-4a84-b0a9-2d7b4b0e6a1"),
            "spec.portalID: pattern"),
        Arguments.of("backoffLimit 6", with(ok, "backoffLimit", 6), "spec.backoffLimit: maximum"),
        Arguments.of("backoffLimit -1", with(ok, "backoffLimit", -1), "spec.backoffLimit: minimum"),
        Arguments.of("lookback in days", lookback("1d"), "spec.window.lookback: pattern"),
        Arguments.of("lookback in words", lookback("24 hours"), "spec.window.lookback: pattern"),
        Arguments.of("negative lookback", lookback("-1h"), "spec.window.lookback: pattern"),
        Arguments.of("lookback without unit", lookback("24"), "spec.window.lookback: pattern"),
        Arguments.of("startAt without T", absolute("2026-11-20 00:00:00Z", "2026-11-20T06:00:00Z"),
            "spec.window.startAt: pattern"),
        Arguments.of("lowercase z", absolute("2026-11-20T00:00:00z", "2026-11-20T06:00:00Z"),
            "spec.window.startAt: pattern"),
        Arguments.of("offset beyond +18:00", absolute("2026-11-20T00:00:00Z", "2026-11-20T06:00:00+18:01"),
            "spec.window.endAt: pattern"),
        Arguments.of("offset of 19 hours", absolute("2026-11-20T00:00:00-19:00", "2026-11-20T06:00:00Z"),
            "spec.window.startAt: pattern"),
        Arguments.of("minute offset out of range", absolute("2026-11-20T00:00:00+05:60", "2026-11-20T06:00:00Z"),
            "spec.window.startAt: pattern"),
        Arguments.of("month 13", absolute("2026-13-20T00:00:00Z", "2026-11-20T06:00:00Z"),
            "spec.window.startAt: pattern"),
        Arguments.of("hour 24", absolute("2026-11-20T00:00:00Z", "2026-11-20T24:00:00Z"),
            "spec.window.endAt: pattern"),
        Arguments.of("endAt without zone", absolute("2026-11-20T00:00:00Z", "2026-11-20T06:00:00"),
            "spec.window.endAt: pattern"),
        Arguments.of("secret name with capitals", with(ok, "konnect", Map.of("authRef", Map.of("name", "Konnect_Token"))),
            "spec.konnect.authRef.name: pattern"),
        Arguments.of("server URL not http", with(ok, "konnect",
            Map.of("authRef", Map.of("name", "t"), "serverURL", "ftp://us.api.konghq.com")), "spec.konnect.serverURL: pattern"),
        Arguments.of("no region", new LinkedHashMap<>(Map.of("window", Map.of("lookback", "1h"),
            "konnect", Map.of("authRef", Map.of("name", "t")))), "spec.region: required"),
        Arguments.of("unknown field", with(ok, "windows", Map.of()), "spec.windows: unknown field"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("specsBreakingTheSchema")
  void schemaRejectsBadFields(String name, Map<String, Object> spec, String violation) {
    assertThat(schemaViolations(spec)).containsExactly(violation);
  }
}
