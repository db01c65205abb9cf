package io.konnectreplay.operator.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.konnectreplay.operator.api.v1alpha1.AuditLogReplayJob;
import io.konnectreplay.operator.api.v1alpha1.AuditLogReplayJobStatus;
import io.konnectreplay.operator.api.v1alpha1.Phase;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The embedded API writes as kube-apiserver writes: admission, status subresource, generation, patches, apply. */
class EmbeddedApiStrictnessTest {
  static EmbeddedKubernetes k8s;
  static final String NS = "strict";

  @BeforeAll
  static void start() {
    k8s = EmbeddedKubernetes.start(0);
    k8s.createNamespace(NS);
  }

  @AfterAll
  static void stop() {
    k8s.close();
  }

  static GenericKubernetesResource job(String name, Map<String, Object> spec) {
    GenericKubernetesResource job = new GenericKubernetesResource();
    job.setApiVersion("konnectreplay.io/v1alpha1");
    job.setKind("AuditLogReplayJob");
    job.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder().withName(name).withNamespace(NS).build());
    job.setAdditionalProperty("spec", spec);
    return job;
  }

  static Map<String, Object> spec(String region, Map<String, Object> window) {
    return Map.of("region", region, "window", window, "konnect", Map.of("authRef", Map.of("name", "konnect-token")));
  }

  static io.fabric8.kubernetes.client.dsl.MixedOperation<GenericKubernetesResource,
      io.fabric8.kubernetes.api.model.GenericKubernetesResourceList,
      io.fabric8.kubernetes.client.dsl.Resource<GenericKubernetesResource>> raw() {
    return k8s.client().genericKubernetesResources("konnectreplay.io/v1alpha1", "AuditLogReplayJob");
  }

  @Test
  void anInvalidSpecIsRefusedWith422AndTheFieldPaths() {
    assertThatThrownBy(() -> raw().inNamespace(NS).resource(job("capitals", spec("US", Map.of("lookback", "1h"))))
        .create())
        .isInstanceOfSatisfying(KubernetesClientException.class, e -> {
          assertThat(e.getCode()).isEqualTo(422);
          assertThat(e.getStatus().getReason()).isEqualTo("Invalid");
          assertThat(e.getStatus().getMessage()).isEqualTo("AuditLogReplayJob.konnectreplay.io \"capitals\" is invalid:"
              + " spec.region: Invalid value: \"US\": spec.region in body should match '^[a-z]{2}$'");
          assertThat(e.getStatus().getDetails().getCauses()).singleElement().satisfies(c -> {
            assertThat(c.getField()).isEqualTo("spec.region");
            assertThat(c.getReason()).isEqualTo("FieldValueInvalid");
          });
        });
    assertThat(raw().inNamespace(NS).withName("capitals").get()).isNull();
  }

  @Test
  @SuppressWarnings("unchecked")
  void unknownFieldsArePrunedAndDefaultsSet() {
    Map<String, Object> spec = new java.util.LinkedHashMap<>(spec("us", Map.of("lookback", "1h", "lookbak", "2h")));
    spec.put("rerunnonce", "typo");
    GenericKubernetesResource stored = raw().inNamespace(NS).resource(job("typo", spec)).create();
    @SuppressWarnings("unchecked")
    Map<String, Object> storedSpec = (Map<String, Object>) stored.getAdditionalProperties().get("spec");
    assertThat(storedSpec).doesNotContainKey("rerunnonce").containsEntry("backoffLimit", 0)
        .containsEntry("suspend", false);
    assertThat(((Map<String, Object>) storedSpec.get("window")).keySet()).containsExactly("lookback");
    AuditLogReplayJob typed = k8s.client().resources(AuditLogReplayJob.class).inNamespace(NS).withName("typo").get();
    assertThat(typed.getSpec().getKonnect().getAuthRef().getKey()).isEqualTo("token");
  }

  @Test
  void statusIsWrittenThroughItsSubresourceOnlyAndGenerationCountsSpecChanges() {
    var jobs = k8s.client().resources(AuditLogReplayJob.class).inNamespace(NS);
    raw().inNamespace(NS).resource(job("sub", spec("eu", Map.of("lookback", "2h")))).create();
    AuditLogReplayJob job = jobs.withName("sub").get();
    assertThat(job.getMetadata().getGeneration()).isEqualTo(1);

    AuditLogReplayJobStatus status = new AuditLogReplayJobStatus();
    status.setPhase(Phase.Queued);
    job.setStatus(status);
    job.getSpec().setRerunNonce("a");
    AuditLogReplayJob updated = jobs.resource(job).update();
    assertThat(updated.getStatus().getPhase()).as("a main-resource update leaves status alone").isNull();
    assertThat(updated.getMetadata().getGeneration()).isEqualTo(2);

    updated.setStatus(status);
    updated.getSpec().setRerunNonce("b");
    AuditLogReplayJob afterStatus = jobs.resource(updated).updateStatus();
    assertThat(afterStatus.getStatus().getPhase()).isEqualTo(Phase.Queued);
    assertThat(afterStatus.getSpec().getRerunNonce()).as("a status write leaves spec alone").isEqualTo("a");
    assertThat(afterStatus.getMetadata().getGeneration()).isEqualTo(2);

    AuditLogReplayJob labelled = jobs.withName("sub").edit(j -> {
      j.getMetadata().setLabels(Map.of("team", "siem"));
      return j;
    });
    assertThat(labelled.getMetadata().getGeneration()).as("metadata is not spec").isEqualTo(2);
    assertThat(labelled.getStatus().getPhase()).isEqualTo(Phase.Queued);
  }

  @Test
  void aPatchIsAdmittedLikeAnUpdateAndMergePatchesReplaceLists() {
    raw().inNamespace(NS).resource(job("patched", spec("us", Map.of("lookback", "1h")))).create();
    assertThatThrownBy(() -> raw().inNamespace(NS).withName("patched").patch(PatchContext.of(PatchType.JSON_MERGE),
        "{\"spec\":{\"backoffLimit\":9}}"))
        .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getStatus().getMessage())
            .endsWith("spec.backoffLimit: Invalid value: 9: spec.backoffLimit in body should be less than or equal to 5"));
    var jobs = k8s.client().resources(AuditLogReplayJob.class).inNamespace(NS);
    var status = "{\"status\":{\"conditions\":[{\"type\":\"Ready\",\"status\":\"False\"},{\"type\":\"Stalled\","
        + "\"status\":\"False\"}]}}";
    jobs.withName("patched").subresource("status").patch(PatchContext.of(PatchType.JSON_MERGE), status);
    jobs.withName("patched").subresource("status").patch(PatchContext.of(PatchType.JSON_MERGE),
        "{\"status\":{\"conditions\":[{\"type\":\"Ready\",\"status\":\"True\"}]}}");
    assertThat(jobs.withName("patched").get().getStatus().getConditions()).singleElement()
        .satisfies(c -> assertThat(c.getStatus()).isEqualTo("True"));
  }

  @Test
  void strategicMergeOfASecretMergesMapsAndStringDataBecomesData() {
    Secret secret = new SecretBuilder().withNewMetadata().withName("token").withNamespace(NS).endMetadata()
        .withStringData(Map.of("token", "kpat_a")).build();
    Secret created = k8s.client().secrets().inNamespace(NS).resource(secret).create();
    assertThat(created.getStringData()).isNullOrEmpty();
    assertThat(created.getData()).containsEntry("token", Base64.getEncoder().encodeToString("kpat_a".getBytes()));
    Secret patched = k8s.client().secrets().inNamespace(NS).withName("token").patch(
        PatchContext.of(PatchType.STRATEGIC_MERGE), "{\"metadata\":{\"labels\":{\"a\":\"1\"}},\"stringData\":{\"other\":\"x\"}}");
    assertThat(patched.getData()).containsOnlyKeys("token", "other");
    assertThat(patched.getMetadata().getLabels()).containsEntry("a", "1");
    raw().inNamespace(NS).resource(job("no-strategic-merge", spec("us", Map.of("lookback", "1h")))).create();
    assertThatThrownBy(() -> raw().inNamespace(NS).withName("no-strategic-merge").patch(
        PatchContext.of(PatchType.STRATEGIC_MERGE), "{\"spec\":{}}"))
        .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(415));
  }

  @Test
  @SuppressWarnings("unchecked")
  void serverSideApplyCreatesThenUpdatesAndRemovesWhatItNoLongerApplies() {
    GenericKubernetesResource applied = job("applied", Map.of("region", "us", "rerunNonce", "1",
        "window", Map.of("lookback", "1h"), "konnect", Map.of("authRef", Map.of("name", "konnect-token"))));
    GenericKubernetesResource first = raw().inNamespace(NS).resource(applied).fieldManager("flux").forceConflicts()
        .serverSideApply();
    assertThat(first.getMetadata().getGeneration()).isEqualTo(1);
    assertThat(first.getMetadata().getManagedFields()).extracting(m -> m.getManager()).containsExactly("flux");
    GenericKubernetesResource again = raw().inNamespace(NS).resource(applied).fieldManager("flux").forceConflicts()
        .serverSideApply();
    assertThat(again.getMetadata().getGeneration()).as("the same configuration changes nothing").isEqualTo(1);
    GenericKubernetesResource withoutNonce = job("applied", spec("us", Map.of("lookback", "1h")));
    GenericKubernetesResource second = raw().inNamespace(NS).resource(withoutNonce).fieldManager("flux")
        .forceConflicts().serverSideApply();
    assertThat(((Map<String, Object>) second.getAdditionalProperties().get("spec")).keySet()).doesNotContain("rerunNonce");
    assertThat(second.getMetadata().getGeneration()).isEqualTo(2);
    assertThatThrownBy(() -> raw().inNamespace(NS).resource(job("applied", spec("USA", Map.of("lookback", "1h"))))
        .fieldManager("flux").forceConflicts().serverSideApply())
        .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(422));
    assertThat(List.of(first.getMetadata().getUid())).containsExactly(second.getMetadata().getUid());
  }
}
