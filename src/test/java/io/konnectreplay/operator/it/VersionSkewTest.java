package io.konnectreplay.operator.it;

import static io.konnectreplay.operator.TestJobs.job;
import static io.konnectreplay.operator.it.OperatorHarness.NAMESPACE;
import static io.konnectreplay.operator.it.OperatorHarness.TOKEN;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
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
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Version skew and typos, as the running operator meets them: resources carrying fields this version does not know
 * (a newer CRD's spec field, a newer operator's status field, a typo the lenient mock stored) are read with those
 * fields ignored, and neither they nor the normal resources next to them stop the operator.
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
    harness.secret("konnect-token", TOKEN);
  }

  @AfterAll
  static void stop() {
    harness.close();
  }

  static String newPortal() {
    String portal = UUID.randomUUID().toString();
    harness.konnect().addPortal("us", portal);
    harness.konnect().configurePortalWebhook("us", portal, "http://127.0.0.1:9/hook", "Bearer siem", "json", true);
    return portal;
  }

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

  /** The job as JSON, with fields this version does not know in spec, spec.window, spec.konnect and at top level. */
  @SuppressWarnings("unchecked")
  static GenericKubernetesResource withUnknownFields(TestJobs job) {
    Map<String, Object> json = harness.client().getKubernetesSerialization().convertValue(job.build(),
        LinkedHashMap.class);
    json.remove("status");
    Map<String, Object> spec = (Map<String, Object>) json.get("spec");
    spec.put("priority", 7); // a newer CRD's field
    spec.put("rerunnonce", "typo"); // the sandbox's typos
    spec.put("portalId", "typo");
    ((Map<String, Object>) spec.get("window")).put("lookbak", "1h");
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
    assertThat((Map<String, Object>) stored.get("spec")).as("the unknown fields reached the API").containsKeys("priority",
        "rerunnonce", "portalId");
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

  /** The sandbox's typo: the window's only field is unknown, so the request has no window and fails, alone. */
  @Test
  @SuppressWarnings("unchecked")
  void aTypoInTheWindowFailsThatRequestOnlyAsAnInvalidSpec() {
    GenericKubernetesResource typo = withUnknownFields(job("typo").lookback("1h"));
    ((Map<String, Object>) typo.getAdditionalProperties().get("spec")).put("window", Map.of("lookbak", "1h"));
    raw().resource(typo).create();
    String portal = newPortal();
    harness.create(job("after-typo").portal(portal).window(START, END));

    AuditLogReplayJob failed = harness.awaitCondition("typo", "Failed", "True", "InvalidSpec");
    assertThat(failed.getStatus().getPhase()).isEqualTo(Phase.Failed);
    assertThat(harness.condition("typo", "Failed").orElseThrow().getMessage()).contains("spec.window");
    assertThat(harness.awaitCondition("after-typo", "Ready", "True", "Completed").getStatus().getPhase())
        .isEqualTo(Phase.Completed);
    assertThat(puts(portal)).isEqualTo(1);
  }
}
