package io.konnectreplay.operator.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.konnectreplay.operator.sandbox.CrdSchema;
import io.konnectreplay.operator.sandbox.FieldError;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** What the committed AuditLogReplayPolicy CRD admits, checked with the embedded API's validator. */
class PolicyCrdValidationTest {

  static final ObjectMapper JSON = new ObjectMapper();

  @SuppressWarnings("unchecked")
  static final CrdSchema VALIDATOR = CrdSchema.of(JSON.valueToTree(((Map<String, Object>) ((Map<String, Object>)
      ((List<Map<String, Object>>) ((Map<String, Object>) DeployFiles.yamlMap(DeployFiles.read(DeployFiles.root()
          .resolve("crds/auditlogreplaypolicies.konnectreplay.io-v1.yml"))).get("spec")).get("versions")).get(0)
      .get("schema")).get("openAPIV3Schema"))));

  static List<String> errors(String extra) {
    ObjectNode policy = JSON.createObjectNode().put("apiVersion", "konnectreplay.io/v1alpha1")
        .put("kind", "AuditLogReplayPolicy");
    policy.putObject("metadata").put("name", "x");
    try {
      policy.set("spec", JSON.readTree("{\"region\":\"us\",\"konnect\":{\"authRef\":{\"name\":\"konnect-token\"}}"
          + extra + "}"));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    CrdSchema.Admission admission = VALIDATOR.admit(policy, null, java.util.Set.of("status"));
    return Stream.concat(admission.schemaErrors().stream().filter(e -> !e.field().equals("<nil>")),
        admission.ruleErrors().stream()).map(FieldError::detail).toList();
  }

  static Stream<Arguments> specs() {
    return Stream.of(
        Arguments.of("", List.of()),
        Arguments.of(",\"checkInterval\":\"10s\",\"margin\":\"0s\"", List.of()),
        Arguments.of(",\"checkInterval\":\"1h\",\"margin\":\"1h\"", List.of()),
        Arguments.of(",\"checkInterval\":\"9s\"", List.of("checkInterval must be between 10s and 1h")),
        Arguments.of(",\"checkInterval\":\"61m\"", List.of("checkInterval must be between 10s and 1h")),
        Arguments.of(",\"margin\":\"1h1s\"", List.of("margin must be between 0s and 1h")),
        Arguments.of(",\"successfulJobsHistoryLimit\":101", List.of("should be less than or equal to 100")),
        Arguments.of(",\"failedJobsHistoryLimit\":-1", List.of("should be greater than or equal to 0")),
        Arguments.of(",\"portalID\":\"not-a-uuid\"", List.of("should match")),
        Arguments.of(",\"checkInterval\":\"soon\"", List.of("should match")));
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @MethodSource("specs")
  void theCrdAdmitsTheDocumentedBoundsOnly(String extra, List<String> expected) {
    List<String> errors = errors(extra);
    if (expected.isEmpty()) {
      assertThat(errors).isEmpty();
    } else {
      assertThat(errors).isNotEmpty().anyMatch(e -> e.contains(expected.get(0)));
    }
  }
}
