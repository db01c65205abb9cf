package io.konnectreplay.operator.it;

import static io.konnectreplay.operator.TestJobs.job;
import static io.konnectreplay.operator.it.OperatorHarness.NAMESPACE;
import static io.konnectreplay.operator.it.OperatorHarness.TOKEN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.konnectreplay.operator.TestJobs;
import io.konnectreplay.operator.api.v1alpha1.AuditLogReplayJob;
import io.konnectreplay.operator.api.v1alpha1.Phase;
import io.konnectreplay.operator.emulator.EndpointKind;
import io.konnectreplay.operator.emulator.KonnectEmulator;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A resource the operator cannot read at all — here {@code spec.window: "1h"}, a string where an object is expected,
 * which only a CRD other than the operator's admits (installed here without a schema) — is skipped: InvalidSpec on
 * that resource, with a Warning Event; one with an unreadable status is left alone with a Warning Event. The
 * resources next to them, listed at start or watched, complete as usual and the operator keeps running.
 */
class UnreadableResourceTest {
  static final Duration STATE = Duration.ofMillis(400);
  static final Instant NOW = Instant.now().truncatedTo(ChronoUnit.SECONDS);

  OperatorHarness harness;

  @AfterEach
  void stop() {
    if (harness != null) harness.close();
  }

  @Test
  @SuppressWarnings("unchecked")
  void aResourceThatCannotBeReadIsSkippedAndEveryOtherOneGoesOn() {
    harness = OperatorHarness.scripted(STATE);
    KonnectEmulator konnect = harness.konnect();
    harness.installCrdWithoutSchema(AuditLogReplayJob.CRD_NAME);
    String before = harness.newPortal();
    String after = harness.newPortal();

    // Listed at start: stored while no operator runs, next to a good one.
    harness.stopOperator();
    create(job("bad-listed").lookback("1h"), spec -> spec.put("window", "1h"));
    create(job("bad-status").lookback("1h"), spec -> { });
    GenericKubernetesResource stored = harness.raw("AuditLogReplayJob").withName("bad-status").get();
    stored.setAdditionalProperty("status", Map.of("phase", "Running", "attempts", "one"));
    harness.raw("AuditLogReplayJob").resource(stored).updateStatus();
    harness.create(job("good-listed").portal(before).window(NOW.minus(Duration.ofHours(3)), NOW.minus(Duration.ofHours(2))));
    harness.startOperator();

    // Watched: created while the operator runs.
    create(job("bad-watched").lookback("1h"), spec -> spec.put("window", "1h"));
    harness.create(job("good-watched").portal(after).window(NOW.minus(Duration.ofHours(3)), NOW.minus(Duration.ofHours(2))));

    for (String good : List.of("good-listed", "good-watched")) {
      assertThat(harness.awaitCondition(good, "Ready", "True", "Completed").getStatus().getPhase()).isEqualTo(Phase.Completed);
    }
    for (String bad : List.of("bad-listed", "bad-watched")) {
      AuditLogReplayJob job = harness.awaitCondition(bad, "Stalled", "True", "InvalidSpec");
      assertThat(job.getStatus().getPhase()).isEqualTo(Phase.Failed);
      Condition stalled = harness.condition(bad, "Stalled").orElseThrow();
      assertThat(stalled.getMessage()).startsWith("spec.window could not be read: \"1h\" is a string where this version"
          + " of the operator expects an object");
      await().atMost(Duration.ofSeconds(10)).until(() -> harness.events(bad).stream()
          .anyMatch(e -> "Warning".equals(e.getType()) && "InvalidSpec".equals(e.getReason())));
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> harness.events("bad-status").stream()
        .anyMatch(e -> "Warning".equals(e.getType()) && "UnreadableStatus".equals(e.getReason())));
    Event event = harness.events("bad-status").stream().filter(e -> "UnreadableStatus".equals(e.getReason()))
        .findFirst().orElseThrow();
    assertThat(event.getMessage()).startsWith("status.attempts could not be read: \"one\" is a string where this"
        + " version of the operator expects a number");
    assertThat((Map<String, Object>) harness.raw("AuditLogReplayJob").withName("bad-status").get()
        .getAdditionalProperties().get("status"))
        .as("an unreadable status is left as it is").isEqualTo(Map.of("phase", "Running", "attempts", "one"));
    for (String portal : List.of(before, after)) {
      assertThat(konnect.requestLog().matching(r -> portal.equals(r.portalId()) && r.kind() == EndpointKind.REPLAY_JOB_PUT))
          .hasSize(1);
    }
    assertThat(konnect.requestLog().matching(r -> r.portalId() == null && r.kind() == EndpointKind.REPLAY_JOB_PUT))
        .as("nothing was submitted for the unreadable ones").isEmpty();
    assertThat(harness.instances().get(0).runtime().ready()).as("the operator still runs").isTrue();
  }


  @SuppressWarnings("unchecked")
  void create(TestJobs job, java.util.function.Consumer<Map<String, Object>> spec) {
    Map<String, Object> json = harness.client().getKubernetesSerialization().convertValue(job.build(), LinkedHashMap.class);
    json.remove("status");
    spec.accept((Map<String, Object>) json.get("spec"));
    harness.raw("AuditLogReplayJob").resource(harness.client().getKubernetesSerialization()
        .convertValue(json, GenericKubernetesResource.class)).create();
  }
}
