package io.konnectreplay.operator.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.konnectreplay.operator.api.v1alpha1.CrdManifest;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The embedded API's admission of the project's CRD, by example: the messages kubectl prints. */
class CrdSchemaTest {
  static final ObjectMapper JSON = new ObjectMapper();
  /** The generated CRD, as the sandbox installs it. */
  static final CrdSchema JOBS = CrdSchema.of(JSON.valueToTree(CrdManifest.load().getSpec().getVersions().get(0)
      .getSchema().getOpenAPIV3Schema()));

  static ObjectNode job(String spec) {
    try {
      return (ObjectNode) JSON.readTree("""
          {"apiVersion":"konnectreplay.io/v1alpha1","kind":"AuditLogReplayJob","metadata":{"name":"x"},"spec":%s}"""
          .formatted(spec));
    } catch (Exception e) {
      throw new IllegalArgumentException(e);
    }
  }

  static List<String> errors(String spec) {
    return JOBS.admit(job(spec), null, Set.of("status")).errors().stream().map(FieldError::toString).toList();
  }

  static final String AUTH = "\"konnect\":{\"authRef\":{\"name\":\"konnect-token\"}}";

  @Test
  void aValidSpecIsAdmittedWithItsDefaults() {
    CrdSchema.Admission admission = JOBS.admit(job("{\"region\":\"us\",\"window\":{\"lookback\":\"1h\"}," + AUTH + "}"),
        null, Set.of("status"));
    assertThat(admission.errors()).isEmpty();
    assertThat(admission.prunedFields()).isEmpty();
    JsonNode spec = admission.object().get("spec");
    assertThat(spec.get("backoffLimit").asInt()).isZero();
    assertThat(spec.get("suspend").asBoolean()).isFalse();
    assertThat(spec.at("/konnect/authRef/key").asText()).isEqualTo("token");
  }

  @Test
  void regionInCapitalsIsRefusedByThePattern() {
    assertThat(errors("{\"region\":\"US\",\"window\":{\"lookback\":\"1h\"}," + AUTH + "}")).containsExactly(
        "spec.region: Invalid value: \"US\": spec.region in body should match '^[a-z]{2}$'");
  }

  @Test
  void aTypoIsPrunedAndTheWindowItLeavesEmptyBreaksTheWindowRule() {
    CrdSchema.Admission admission = JOBS.admit(job("{\"region\":\"us\",\"window\":{\"lookbak\":\"1h\"},"
        + "\"rerunnonce\":\"2\"," + AUTH + "}"), null, Set.of("status"));
    assertThat(admission.prunedFields()).containsExactly("spec.rerunnonce", "spec.window.lookbak");
    assertThat(admission.object().at("/spec/window").isEmpty()).isTrue();
    assertThat(admission.errors()).extracting(FieldError::toString).containsExactly("spec.window: Invalid value:"
        + " \"object\": set either both startAt and endAt, or lookback alone: exactly one window form");
  }

  @Test
  void typeRequiredEnumLengthAndBoundsAreWordedAsTheApiServerWordsThem() {
    assertThat(errors("{\"region\":\"us\",\"window\":{\"lookback\":\"1h\"},\"backoffLimit\":\"two\"," + AUTH + "}"))
        .containsExactly("spec.backoffLimit: Invalid value: \"string\": spec.backoffLimit in body must be of type"
            + " integer: \"string\"", "<nil>: Invalid value: \"null\": " + CrdSchema.NOT_CHECKED);
    assertThat(errors("{\"region\":\"us\",\"window\":{\"lookback\":\"1h\"},\"backoffLimit\":6," + AUTH + "}"))
        .containsExactly("spec.backoffLimit: Invalid value: 6: spec.backoffLimit in body should be less than or"
            + " equal to 5");
    assertThat(errors("{\"window\":{\"lookback\":\"1h\"}," + AUTH + "}")).containsExactly(
        "spec.region: Required value", "<nil>: Invalid value: \"null\": " + CrdSchema.NOT_CHECKED);
    assertThat(errors("{\"region\":\"us\",\"window\":{\"lookback\":\"1h\"},\"rerunNonce\":\"" + "n".repeat(64)
        + "\"," + AUTH + "}")).first().isEqualTo("spec.rerunNonce: Too long: may not be more than 63 bytes");
  }

  @Test
  void aTimestampThePatternAdmitsButCelCannotReadFailsItsRule() {
    List<String> errors = errors("{\"region\":\"us\",\"window\":{\"startAt\":\"2026-02-30T00:00:00Z\","
        + "\"endAt\":\"2026-11-20T06:00:00Z\"}," + AUTH + "}");
    assertThat(errors).isNotEmpty().allMatch(e -> e.startsWith("spec.window: Invalid value: \"object\": "));
    assertThat(errors).anyMatch(e -> e.endsWith("evaluating rule: endAt must be later than startAt"));
  }

  @Test
  void statusIsLeftAloneWhenItHasItsSubresource() {
    ObjectNode withStatus = job("{\"region\":\"us\",\"window\":{\"lookback\":\"1h\"}," + AUTH + "}");
    withStatus.putObject("status").put("phase", "NotAPhase").put("shard", 3);
    CrdSchema.Admission admission = JOBS.admit(withStatus, null, Set.of("status"));
    assertThat(admission.errors()).isEmpty();
    assertThat(admission.object().at("/status/shard").asInt()).isEqualTo(3);
    assertThat(JOBS.admit(withStatus, null, Set.of()).errors()).extracting(FieldError::toString).containsExactly(
        "status.phase: Unsupported value: \"NotAPhase\": supported values: \"Accepted\", \"Completed\", \"Failed\","
            + " \"Pending\", \"Queued\", \"Running\", \"Suspended\"",
        "<nil>: Invalid value: \"null\": " + CrdSchema.NOT_CHECKED);
  }

  @Test
  void transitionRulesSeeTheStoredValueOnUpdateOnly() throws Exception {
    CrdSchema immutable = CrdSchema.of(JSON.readTree("""
        {"type":"object","properties":{"spec":{"type":"object","properties":{
          "region":{"type":"string","x-kubernetes-validations":[
            {"rule":"self == oldSelf","message":"region is immutable"}]},
          "size":{"type":"integer","x-kubernetes-validations":[
            {"rule":"self <= 10","messageExpression":"'size ' + string(self) + ' is over 10'"}]}}}}}"""));
    ObjectNode eu = (ObjectNode) JSON.readTree("{\"spec\":{\"region\":\"eu\"}}");
    ObjectNode us = (ObjectNode) JSON.readTree("{\"spec\":{\"region\":\"us\",\"size\":11}}");
    assertThat(immutable.admit(eu, null, Set.of()).errors()).isEmpty();
    assertThat(immutable.admit(us, eu, Set.of()).errors()).extracting(FieldError::toString).containsExactly(
        "spec.region: Invalid value: \"string\": region is immutable",
        "spec.size: Invalid value: \"integer\": size 11 is over 10");
  }

  @Test
  void aRuleThatDoesNotCompileIsNamed() {
    assertThatThrownBy(() -> CrdSchema.of(JSON.readTree("""
        {"type":"object","properties":{"spec":{"type":"object","x-kubernetes-validations":[{"rule":"self.("}]}}}""")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("rule at spec does not compile");
  }
}
