package io.konnectreplay.operator.it;

import static io.konnectreplay.operator.it.OperatorHarness.NAMESPACE;
import static io.konnectreplay.operator.it.OperatorHarness.TOKEN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.konnectreplay.operator.api.v1alpha1.AuditLogReplayJob;
import io.konnectreplay.operator.api.v1alpha1.AuditLogReplayPolicy;
import io.konnectreplay.operator.api.v1alpha1.AuditLogReplayPolicySpec;
import io.konnectreplay.operator.api.v1alpha1.AuditLogReplayPolicyStatus;
import io.konnectreplay.operator.api.v1alpha1.KonnectSettings;
import io.konnectreplay.operator.api.v1alpha1.Phase;
import io.konnectreplay.operator.api.v1alpha1.SecretKeyRef;
import io.konnectreplay.operator.emulator.EndpointKind;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** AuditLogReplayPolicy against the mock Kubernetes API and the Konnect emulator, with the real operator. */
class PolicyLifecycleTest {

  static final Duration STATE = Duration.ofMillis(500);
  static final String HOOK = "http://127.0.0.1:9/hook";
  static OperatorHarness harness;

  @BeforeAll
  static void start() {
    harness = OperatorHarness.scripted(STATE);
  }

  @AfterAll
  static void stop() {
    harness.close();
  }

  static void webhook(String portal, boolean enabled) {
    harness.konnect().configurePortalWebhook("us", portal, HOOK, "Bearer siem", "json", enabled);
  }

  static AuditLogReplayPolicy createPolicy(String name, String portal) {
    return createPolicy(name, portal, "0s", null);
  }

  static AuditLogReplayPolicy createPolicy(String name, String portal, String margin, Integer successfulLimit) {
    AuditLogReplayPolicy p = new AuditLogReplayPolicy();
    p.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(NAMESPACE).build());
    AuditLogReplayPolicySpec spec = new AuditLogReplayPolicySpec();
    spec.setRegion("us");
    spec.setPortalID(portal);
    spec.setKonnect(new KonnectSettings(new SecretKeyRef("konnect-token", "token"), null));
    spec.setCheckInterval("10s");
    spec.setMargin(margin);
    spec.setSuccessfulJobsHistoryLimit(successfulLimit);
    p.setSpec(spec);
    return harness.client().resources(AuditLogReplayPolicy.class).inNamespace(NAMESPACE).resource(p).create();
  }




  static List<AuditLogReplayJob> owned(String policy) {
    return harness.client().resources(AuditLogReplayJob.class).inNamespace(NAMESPACE)
        .withLabel(AuditLogReplayPolicy.POLICY_LABEL, policy).list().getItems();
  }

  static long statusReads(String portal) {
    return harness.konnect().requestLog().matching(r -> portal.equals(r.portalId())).stream()
        .filter(r -> r.kind() == EndpointKind.WEBHOOK_STATUS_GET).count();
  }

  @Test
  void aHealthyWebhookIsReadyReadAtTheIntervalAndCostsNoReplayNorStatusWrites() {
    String portal = harness.newPortal();
    createPolicy("healthy", portal);
    harness.awaitPolicyCondition("healthy", "Ready", "True", "Healthy");
    AuditLogReplayPolicy first = harness.policy("healthy");
    assertThat(first.getStatus().getTarget()).isEqualTo("us/portal/" + portal);
    assertThat(first.getStatus().getWebhook().getEnabled()).isTrue();
    assertThat(first.getStatus().getObservedThrough()).isNotNull();
    String version = first.getMetadata().getResourceVersion();
    Instant firstRead = Instant.now();
    await().atMost(Duration.ofSeconds(25)).until(() -> statusReads(portal) >= 3);
    Duration elapsed = Duration.between(firstRead, Instant.now());
    assertThat(elapsed).as("two more reads take two intervals").isGreaterThanOrEqualTo(Duration.ofSeconds(15));
    assertThat(statusReads(portal)).isEqualTo(3);
    assertThat(harness.policy("healthy").getMetadata().getResourceVersion()).as("no status write at rest").isEqualTo(version);
    assertThat(owned("healthy")).isEmpty();
  }

  @Test
  void disabledThenEnabledMakesOneOwnedReplayThatCoversTheGapAndCompletes() {
    String portal = harness.newPortal();
    AuditLogReplayPolicy created = createPolicy("disabled", portal);
    harness.awaitPolicyCondition("disabled", "Ready", "True", "Healthy");
    webhook(portal, false);
    harness.awaitPolicyCondition("disabled", "Ready", "False", "GapOpen");
    AuditLogReplayPolicyStatus open = harness.policy("disabled").getStatus();
    assertThat(open.getOpenGap().getSince()).isNotNull();
    webhook(portal, true);
    await().atMost(Duration.ofSeconds(30)).until(() -> !harness.policy("disabled").getStatus().getGaps().isEmpty());
    AuditLogReplayPolicyStatus.Gap gap = harness.policy("disabled").getStatus().getGaps().get(0);
    assertThat(gap.getStartAt()).isEqualTo(open.getOpenGap().getSince());

    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(owned("disabled")).singleElement()
        .satisfies(j -> assertThat(j.getStatus().getPhase()).isEqualTo(Phase.Completed)));
    AuditLogReplayJob job = owned("disabled").get(0);
    assertThat(job.getMetadata().getName()).isEqualTo(gap.getJob());
    assertThat(job.getMetadata().getOwnerReferences()).singleElement().satisfies(o -> {
      assertThat(o.getController()).isTrue();
      assertThat(o.getUid()).isEqualTo(created.getMetadata().getUid());
      assertThat(o.getKind()).isEqualTo("AuditLogReplayPolicy");
    });
    assertThat(job.getSpec().getPortalID()).isEqualTo(portal);
    assertThat(job.getSpec().getKonnect().getAuthRef().getName()).isEqualTo("konnect-token");
    assertThat(Instant.parse(job.getSpec().getWindow().getStartAt())).isBeforeOrEqualTo(Instant.parse(gap.getStartAt()));
    assertThat(Instant.parse(job.getSpec().getWindow().getEndAt())).isAfterOrEqualTo(Instant.parse(gap.getEndAt()));
    harness.awaitPolicyCondition("disabled", "Ready", "True", "Healthy");
    assertThat(harness.policyCondition("disabled", "Healing").orElseThrow().getStatus()).isEqualTo("False");
    assertThat(harness.policy("disabled").getStatus().getGaps()).singleElement()
        .satisfies(g -> assertThat(g.getPhase()).isEqualTo("Completed"));
    assertThat(harness.events("disabled")).extracting(e -> e.getReason()).contains("GapOpened", "GapHealed");

    long konnectCallsBefore = harness.konnect().requestLog().matching(r -> portal.equals(r.portalId())).stream()
        .filter(r -> !r.kind().name().endsWith("_GET")).count();
    harness.client().resources(AuditLogReplayPolicy.class).inNamespace(NAMESPACE).withName("disabled").delete();
    await().atMost(Duration.ofSeconds(10)).until(() -> harness.policy("disabled") == null);
    assertThat(harness.konnect().requestLog().matching(r -> portal.equals(r.portalId())).stream()
        .filter(r -> !r.kind().name().endsWith("_GET")).count())
        .as("deleting the policy changes nothing at Konnect").isEqualTo(konnectCallsBefore);
  }

  @Test
  void aRestartMidOutageStillMakesOneReplay() {
    String portal = harness.newPortal();
    createPolicy("restart", portal);
    harness.awaitPolicyCondition("restart", "Ready", "True", "Healthy");
    webhook(portal, false);
    harness.awaitPolicyCondition("restart", "Ready", "False", "GapOpen");
    harness.restartOperator();
    webhook(portal, true);
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(owned("restart")).singleElement()
        .satisfies(j -> assertThat(j.getStatus().getPhase()).isEqualTo(Phase.Completed)));
    harness.awaitPolicyCondition("restart", "Ready", "True", "Healthy");
    assertThat(owned("restart")).hasSize(1);
    assertThat(harness.policy("restart").getStatus().getGaps()).hasSize(1);
  }

  @Test
  void flappingWithinMarginIsOneReplay() {
    String portal = harness.newPortal();
    createPolicy("flapping", portal, "25s", null);
    harness.awaitPolicyCondition("flapping", "Ready", "True", "Healthy");
    webhook(portal, false);
    harness.awaitPolicyCondition("flapping", "Ready", "False", "GapOpen");
    String since = harness.policy("flapping").getStatus().getOpenGap().getSince();
    webhook(portal, true);
    harness.awaitPolicyCondition("flapping", "Ready", "False", "Recovering");
    webhook(portal, false);
    harness.awaitPolicyCondition("flapping", "Ready", "False", "GapOpen");
    assertThat(owned("flapping")).as("no replay while it flaps").isEmpty();
    assertThat(harness.policy("flapping").getStatus().getOpenGap().getSince()).as("the same gap goes on").isEqualTo(since);
    webhook(portal, true);
    await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(owned("flapping")).singleElement()
        .satisfies(j -> assertThat(j.getStatus().getPhase()).isEqualTo(Phase.Completed)));
    AuditLogReplayPolicyStatus.Gap gap = harness.policy("flapping").getStatus().getGaps().get(0);
    assertThat(gap.getStartAt()).isEqualTo(since);
    AuditLogReplayJob job = owned("flapping").get(0);
    assertThat(Instant.parse(job.getSpec().getWindow().getStartAt()))
        .isEqualTo(Instant.parse(since).minus(Duration.ofSeconds(25)));
    assertThat(Instant.parse(job.getSpec().getWindow().getEndAt()))
        .isEqualTo(Instant.parse(gap.getEndAt()).plus(Duration.ofSeconds(25)));
    assertThat(harness.policy("flapping").getStatus().getGaps()).hasSize(1);
  }

  @Test
  void historyLimitsDeleteOlderFinishedReplaysWhileStatusKeepsTheEvidence() {
    String portal = harness.newPortal();
    createPolicy("history", portal, "0s", 1);
    harness.awaitPolicyCondition("history", "Ready", "True", "Healthy");
    for (int outage = 1; outage <= 2; outage++) {
      webhook(portal, false);
      harness.awaitPolicyCondition("history", "Ready", "False", "GapOpen");
      webhook(portal, true);
      int gaps = outage;
      await().atMost(Duration.ofSeconds(40)).until(() -> harness.policy("history").getStatus().getGaps().size() == gaps
          && "Completed".equals(harness.policy("history").getStatus().getGaps().get(gaps - 1).getPhase()));
    }
    List<AuditLogReplayPolicyStatus.Gap> gaps = harness.policy("history").getStatus().getGaps();
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(owned("history"))
        .extracting(j -> j.getMetadata().getName()).containsExactly(gaps.get(1).getJob()));
    assertThat(gaps.get(0).getJob()).isNotEqualTo(gaps.get(1).getJob());
  }

  @Test
  void aGapReachingPastRetentionReplaysTheRestAndReportsDataLostWithTheWindow() {
    String portal = harness.newPortal();
    createPolicy("retention", portal);
    harness.awaitPolicyCondition("retention", "Ready", "True", "Healthy");
    // An outage that began 7 days and an hour ago and recovered just now, as the status of a long-running
    // operator would hold it.
    Instant since = Instant.now().minus(Duration.ofDays(7)).minus(Duration.ofHours(1))
        .truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
    Instant healthySince = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
    await().atMost(Duration.ofSeconds(10)).ignoreExceptions().untilAsserted(() -> {
      AuditLogReplayPolicy current = harness.policy("retention");
      current.getStatus().setOpenGap(new AuditLogReplayPolicyStatus.OpenGap(since.toString(),
          healthySince.toString()));
      harness.client().resources(AuditLogReplayPolicy.class).inNamespace(NAMESPACE).resource(current)
          .updateStatus();
    });
    harness.awaitPolicyCondition("retention", "DataLost", "True", "RetentionExceeded");
    AuditLogReplayPolicyStatus.Gap gap = harness.policy("retention").getStatus().getGaps().get(0);
    Instant lostUntil = Instant.parse(gap.getLostUntil());
    assertThat(lostUntil).isEqualTo(healthySince.minus(Duration.ofHours(167)));
    assertThat(harness.policyCondition("retention", "DataLost").orElseThrow().getMessage())
        .contains(since.toString(), lostUntil.toString());
    assertThat(harness.events("retention")).extracting(e -> e.getReason()).contains("DataLost");
    AuditLogReplayJob job = owned("retention").get(0);
    assertThat(job.getSpec().getWindow().getStartAt()).isEqualTo(lostUntil.toString());
    assertThat(job.getSpec().getWindow().getEndAt()).isEqualTo(healthySince.toString());
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(owned("retention")).singleElement()
        .satisfies(j -> assertThat(j.getStatus().getPhase()).isEqualTo(Phase.Completed)));
  }

  @Test
  void aMissingSecretStallsThePolicyWithTheJobsReasonUntilItAppears() {
    String portal = harness.newPortal();
    AuditLogReplayPolicy p = new AuditLogReplayPolicy();
    p.setMetadata(new ObjectMetaBuilder().withName("stalled").withNamespace(NAMESPACE).build());
    AuditLogReplayPolicySpec spec = new AuditLogReplayPolicySpec();
    spec.setRegion("us");
    spec.setPortalID(portal);
    spec.setKonnect(new KonnectSettings(new SecretKeyRef("policy-token", "token"), null));
    spec.setCheckInterval("10s");
    p.setSpec(spec);
    harness.client().resources(AuditLogReplayPolicy.class).inNamespace(NAMESPACE).resource(p).create();
    harness.awaitPolicyCondition("stalled", "Stalled", "True", "SecretNotFound");
    assertThat(harness.policyCondition("stalled", "Ready").orElseThrow().getStatus()).isEqualTo("False");
    assertThat(statusReads(portal)).as("no Konnect call without a token").isZero();
    harness.secret("policy-token", TOKEN);
    harness.awaitPolicyCondition("stalled", "Ready", "True", "Healthy");
    assertThat(harness.policyCondition("stalled", "Stalled").orElseThrow().getStatus()).isEqualTo("False");
    assertThat(owned("stalled")).isEmpty();
  }
}
