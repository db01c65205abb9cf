package io.konnectreplay.operator.deploy;

import java.util.List;
import java.util.Map;

/** The project's own admission check of a spec: the CRD's structural schema and its CEL rules, as tests run them. */
public final class CrdAdmission {
  private CrdAdmission() {}

  /** Why the CRD refuses {@code spec}; empty when it admits it. */
  @SuppressWarnings("unchecked")
  public static List<String> violations(Map<String, Object> spec) {
    Map<String, Object> schema = (Map<String, Object>) ((Map<String, Object>) CrdValidationTest.SCHEMA
        .get("properties")).get("spec");
    List<String> schemaViolations = CrdValidationTest.schemaViolations(spec, schema, "spec");
    if (!schemaViolations.isEmpty()) return schemaViolations;
    return CrdValidationTest.celViolations(CrdValidationTest.job(spec));
  }
}
