package io.konnectreplay.operator.deploy;

import java.util.List;
import java.util.Map;

/** The project's own admission check of a spec: the committed CRD's schema and CEL rules, as the embedded API runs them. */
public final class CrdAdmission {
  private CrdAdmission() {}

  /** Why the CRD refuses {@code spec}; empty when it admits it. */
  public static List<String> violations(Map<String, Object> spec) {
    List<String> schemaViolations = CrdValidationTest.schemaViolations(spec);
    if (!schemaViolations.isEmpty()) return schemaViolations;
    return CrdValidationTest.celViolations(spec);
  }
}
