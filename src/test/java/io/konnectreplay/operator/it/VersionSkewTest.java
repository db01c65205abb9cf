package io.konnectreplay.operator.it;

import static io.konnectreplay.operator.TestJobs.job;
import static io.konnectreplay.operator.it.OperatorHarness.NAMESPACE;
import static io.konnectreplay.operator.it.OperatorHarness.TOKEN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaPropsBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.NonNamespaceOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import io.konnectreplay.operator.TestJobs;
import io.konnectreplay.operator.api.v1alpha1.AuditLogReplayJob;
import io.konnectreplay.operator.api.v1alpha1.Phase;
import io.konnectreplay.operator.emulator.EndpointKind;
import io.konnectreplay.operator.emulator.JobTimings;
import io.konnectreplay.operator.emulator.KonnectEmulator;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Version skew and typos, as the running operator meets them. The embedded API is as strict as kube-apiserver, so the
 * fields this version does not know come from where they come on a cluster: a newer CRD (installed here before the
 * test, as during a rollback of the operator behind its CRD) that declares a new spec field, a new status field and a
 * new condition field. Resources carrying them are read with those fields ignored, and neither they nor the normal
 * resources next to them stop the operator. A typo never reaches the operator: the API prunes it, and a window left
 * empty by it is refused with the CRD's message.
 */
class VersionSkewTest {

  static final Duration STATE = Duration.ofMillis(500);
  static final Instant NOW = Instant.now().truncatedTo(ChronoUnit.SECONDS);
  static final Instant START = NOW.minus(Duration.ofHours(3));
  static final Instant END = NOW.minus(Duration.ofHours(1));

  static OperatorHarness harness;

  @BeforeAll
  static void start() {
    KonnectEmulator konnect = KonnectEmulator.builder().token(TOKEN).timings(new JobTimings(STATE, STATE, STATE))
        .delivery(new ScriptedDelivery()).start();
    harness = new OperatorHarness(konnect, Map.of());
    installNewerCrd();
    harness.secret("konnect-token", TOKEN);
  }

  /** This version's CRD plus what a newer one would add: spec.priority, spec.konnect.proxyURL, status.shard, a top-level field and a condition field. */
  static void installNewerCrd() {
    var crds = harness.client().apiextensions().v1().customResourceDefinitions();
    CustomResourceDefinition crd = crds.withName(AuditLogReplayJob.CRD_NAME).get();
    JSONSchemaProps root = crd.getSpec().getVersions().get(0).getSchema().getOpenAPIV3Schema();
    JSONSchemaProps spec = root.getProperties().get("spec");
    spec.getProperties().put("priority", new JSONSchemaPropsBuilder().withType("integer").build());
    spec.getProperties().get("konnect").getProperties().put("proxyURL",
        new JSONSchemaPropsBuilder().withType("string").build());
    JSONSchemaProps status = root.getProperties().get("status");
    status.getProperties().put("shard", new JSONSchemaPropsBuilder().withType("integer").build());
    status.getProperties().get("conditions").getItems().getSchema().getProperties().put("severity",
        new JSONSchemaPropsBuilder().withType("string").build());
    root.getProperties().put("fromTheFuture", new JSONSchemaPropsBuilder().withType("object")
        .withXKubernetesPreserveUnknownFields(true).build());
    crds.resource(crd).update();
  }

  @AfterAll
  static void stop() {
    harness.close();
  }

  static String newPortal() { return harness.newPortal(); }

  static long puts(String portal) {
    return harness.konnect().requestLog()
        .matching(r -> portal.equals(r.portalId()) && !r.external() && r.kind() == EndpointKind.REPLAY_JOB_PUT)
        .size();
  }

  static NonNamespaceOperation<GenericKubernetesResource, GenericKubernetesResourceList,
      Resource<GenericKubernetesResource>> raw() {
    return harness.client().genericKubernetesResources(
        AuditLogReplayJob.GROUP + "/" + AuditLogReplayJob.VERSION, "AuditLogReplayJob").inNamespace(NAMESPACE);
  }

  /** The job as JSON, with the newer CRD's fields in spec, spec.konnect and at top level. */
  @SuppressWarnings("unchecked")
  static GenericKubernetesResource withUnknownFields(TestJobs job) {
    Map<String, Object> json = harness.client().getKubernetesSerialization().convertValue(job.build(),
        LinkedHashMap.class);
    json.remove("status");
    Map<String, Object> spec = (Map<String, Object>) json.get("spec");
    spec.put("priority", 7); // the newer CRD's fields
    ((Map<String, Object>) spec.get("konnect")).put("proxyURL", "http://proxy:3128");
    json.put("fromTheFuture", Map.of("a", 1));
    return harness.client().getKubernetesSerialization().convertValue(json, GenericKubernetesResource.class);
  }

  /** A newer operator's status: an unknown top-level status field and an unknown condition field. */
  static void writeNewerOperatorsStatus(String name) {
    GenericKubernetesResource stored = raw().withName(name).get();
    stored.setAdditionalProperty("status", Map.of("shard", 3, "conditions", List.of(Map.of(
        "type", "Reconciling", "status", "True", "reason", "Queued", "message", "written by a newer operator",
        "lastTransitionTime", NOW.toString(), "severity", "Info"))));
    raw().resource(stored).updateStatus();
  }

  @Test
  @SuppressWarnings("unchecked")
  void resourcesWithFieldsThisVersionDoesNotKnowCompleteNextToNormalOnes() {
    String listed = newPortal();
    String watched = newPortal();
    String normal = newPortal();

    // Read at start, through the informer's initial list: stored while no operator runs.
    harness.stopOperator();
    raw().resource(withUnknownFields(job("skewed-listed").portal(listed).window(START, END))).create();
    writeNewerOperatorsStatus("skewed-listed");
    Map<String, Object> stored = raw().withName("skewed-listed").get().getAdditionalProperties();
    assertThat((Map<String, Object>) stored.get("spec")).as("the newer CRD's fields reached the API")
        .containsKey("priority");
    assertThat(stored).containsKey("fromTheFuture");
    assertThat((Map<String, Object>) stored.get("status")).containsKey("shard");
    harness.startOperator();

    // Read through the watch, next to a normal job.
    raw().resource(withUnknownFields(job("skewed-watched").portal(watched).window(START, END))).create();
    harness.create(job("normal").portal(normal).window(START, END));

    for (String name : List.of("skewed-listed", "skewed-watched", "normal")) {
      AuditLogReplayJob done = harness.awaitCondition(name, "Ready", "True", "Completed");
      assertThat(done.getStatus().getPhase()).as(name).isEqualTo(Phase.Completed);
      assertThat(done.getStatus().getAttempts()).as(name).isEqualTo(1);
    }
    for (String portal : List.of(listed, watched, normal)) {
      assertThat(puts(portal)).as("PUTs for portal %s", portal).isEqualTo(1);
    }
    assertThat(harness.get("skewed-listed").getSpec().getPortalID()).isEqualTo(listed);
    assertThat(harness.instances()).hasSize(1);
    assertThat(harness.instances().get(0).runtime().ready()).as("the operator still runs").isTrue();
  }

  /**
   * The sandbox's typos: pruned by the API, as kube-apiserver prunes them, so a window whose only field was misspelt is
   * empty and refused with the CRD's message; misspelt fields next to a valid window are dropped and the request runs.
   */
  @Test
  @SuppressWarnings("unchecked")
  void typosArePrunedByTheApiAndAnEmptyWindowIsRefusedWithTheCrdsMessage() {
    GenericKubernetesResource typo = withUnknownFields(job("typo").lookback("1h"));
    ((Map<String, Object>) typo.getAdditionalProperties().get("spec")).put("window", Map.of("lookbak", "1h"));
    assertThatThrownBy(() -> raw().resource(typo).create())
        .isInstanceOfSatisfying(KubernetesClientException.class, e -> {
          assertThat(e.getCode()).isEqualTo(422);
          assertThat(e.getStatus().getMessage()).isEqualTo("AuditLogReplayJob.konnectreplay.io \"typo\" is invalid:"
              + " spec.window: Invalid value: \"object\": set either both startAt and endAt, or lookback alone:"
              + " exactly one window form");
        });

    String portal = newPortal();
    GenericKubernetesResource misspelt = withUnknownFields(job("misspelt").portal(portal).window(START, END));
    Map<String, Object> spec = (Map<String, Object>) misspelt.getAdditionalProperties().get("spec");
    spec.put("rerunnonce", "typo");
    spec.put("portalId", "typo");
    ((Map<String, Object>) spec.get("window")).put("lookbak", "1h");
    Map<String, Object> stored = (Map<String, Object>) raw().resource(misspelt).create().getAdditionalProperties()
        .get("spec");
    assertThat(stored).doesNotContainKeys("rerunnonce", "portalId");
    assertThat((Map<String, Object>) stored.get("window")).doesNotContainKey("lookbak");
    assertThat(harness.awaitCondition("misspelt", "Ready", "True", "Completed").getStatus().getPhase())
        .isEqualTo(Phase.Completed);
    assertThat(puts(portal)).isEqualTo(1);
    assertThat(raw().withName("typo").get()).isNull();
  }
}
