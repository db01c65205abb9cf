package io.konnectreplay.operator.deploy;

import java.util.List;
import java.util.Map;

/** The project's own admission check of a spec: the committed CRD's schema and CEL rules, as the embedded API runs them. */
public final class CrdAdmission {
  private CrdAdmission() {}

  /**
   * The AuditLogReplayPolicy CRD's answer to {@code spec}: why it refuses it (empty when it admits it), and the
   * spec as stored, defaults set, when it does.
   */
  public record PolicyAdmission(List<String> violations, Map<String, Object> stored) {}

  @SuppressWarnings("unchecked")
  public static PolicyAdmission admitPolicy(Map<String, Object> spec) {
    var json = PolicyCrdValidationTest.JSON;
    var policy = json.createObjectNode().put("apiVersion", "konnectreplay.io/v1alpha1")
        .put("kind", "AuditLogReplayPolicy");
    policy.putObject("metadata").put("name", "p");
    policy.set("spec", json.valueToTree(spec));
    var admission = PolicyCrdValidationTest.VALIDATOR.admit(policy, null, java.util.Set.of("status"));
    List<String> violations = admission.errors().stream().filter(e -> !e.field().equals("<nil>"))
        .map(e -> e.field() + ": " + e.detail()).toList();
    Map<String, Object> stored = violations.isEmpty()
        ? json.convertValue(admission.object().get("spec"), Map.class) : null;
    return new PolicyAdmission(violations, stored);
  }

  /** Why the CRD refuses {@code spec}; empty when it admits it. */
  public static List<String> violations(Map<String, Object> spec) {
    List<String> schemaViolations = CrdValidationTest.schemaViolations(spec);
    if (!schemaViolations.isEmpty()) return schemaViolations;
    return CrdValidationTest.celViolations(spec);
  }
}
