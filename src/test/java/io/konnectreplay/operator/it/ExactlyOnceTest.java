package io.konnectreplay.operator.it;

import static io.konnectreplay.operator.TestJobs.job;
import static io.konnectreplay.operator.it.OperatorHarness.NAMESPACE;
import static io.konnectreplay.operator.it.OperatorHarness.TOKEN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.konnectreplay.operator.TestJobs;
import io.konnectreplay.operator.api.v1alpha1.AuditLogReplayJob;
import io.konnectreplay.operator.emulator.EndpointKind;
import io.konnectreplay.operator.emulator.RecordedRequest;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every spec the CRD admits is submitted exactly once or answered with a specific condition: the real operator
 * against the mock API and the Konnect emulator, one test per way this used to break.
 */
class ExactlyOnceTest {

  static final Duration STATE = Duration.ofMillis(1500);
  static final Instant NOW = Instant.now().truncatedTo(ChronoUnit.SECONDS);
  static final String OTHER_NAMESPACE = "tenant-b";
  static OperatorHarness harness;

  @BeforeAll
  static void start() {
    harness = OperatorHarness.scripted(STATE);
    harness.kubernetes().createNamespace(OTHER_NAMESPACE);
  }

  @AfterAll
  static void stop() {
    harness.close();
  }

  static String newPortal() { return harness.newPortal(); }

  static List<RecordedRequest> puts(String portal) {
    return harness.konnect().requestLog().matching(r -> portal.equals(r.portalId()) && !r.external()
        && r.kind() == EndpointKind.REPLAY_JOB_PUT);
  }

  static long accepted(String portal) { return puts(portal).stream().filter(r -> r.status() == 202).count(); }

  @Test
  void aWindowWithFractionalSecondsIsSubmittedOnceAndCompletes() {
    String portal = newPortal();
    Instant start = NOW.minus(Duration.ofHours(2));
    harness.create(job("fractional").portal(portal).window(start.toString().replace("Z", ".500Z"),
        start.plusSeconds(3600).toString().replace("Z", ".250Z")));
    AuditLogReplayJob done = harness.awaitCondition("fractional", "Complete", "True", "Completed");
    assertThat(done.getStatus().getWindow().getStartAt()).isEqualTo(start.toString());
    assertThat(done.getStatus().getWindow().getEndAt()).isEqualTo(start.plusSeconds(3601).toString());
    await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(4)).until(() -> puts(portal).size() == 1);
    assertThat(accepted(portal)).isEqualTo(1);
  }

  @Test
  void requestsThatCannotBeSubmittedNowHoldNoPlaceInTheQueue() {
    String portal = newPortal();
    // created first, all three: a window ending tomorrow (in another namespace, whose Secret does not exist), a
    // suspended request and one whose Secret is missing
    createIn(OTHER_NAMESPACE, job(OTHER_NAMESPACE, "a-tomorrow").portal(portal)
        .window(NOW.minus(Duration.ofHours(1)), NOW.plus(Duration.ofDays(1))).secret("no-such-secret", null));
    harness.create(job("a-suspended").portal(portal).window(NOW.minus(Duration.ofHours(3)), NOW.minus(Duration.ofHours(2)))
        .suspend(true));
    harness.create(job("a-no-secret").portal(portal).window(NOW.minus(Duration.ofHours(3)), NOW.minus(Duration.ofHours(2)))
        .secret("missing-secret", null));
    harness.create(job("b-ready").portal(portal).window(NOW.minus(Duration.ofHours(2)), NOW.minus(Duration.ofHours(1))));

    harness.awaitCondition("b-ready", "Complete", "True", "Completed", Duration.ofSeconds(20));
    assertThat(harness.get("a-suspended").getStatus().getPhase().toString()).isEqualTo("Suspended");
    assertThat(harness.condition("a-no-secret", "Stalled").orElseThrow().getReason()).isEqualTo("SecretNotFound");
    AuditLogReplayJob tomorrow = harness.client().resources(AuditLogReplayJob.class).inNamespace(OTHER_NAMESPACE)
        .withName("a-tomorrow").get();
    assertThat(tomorrow.getStatus().getConditions()).anySatisfy(c -> assertThat(c.getReason())
        .isEqualTo("WindowNotEnded"));
    assertThat(accepted(portal)).isEqualTo(1);
  }

  @Test
  void everySpellingOfOneServerIsOneQueue() {
    String portal = newPortal();
    String base = harness.konnect().baseUrl().toString();
    // (the CRD admits a lower-case scheme only; host case and default ports are covered by the unit tests)
    List<String> spellings = List.of(base + "/us", base + "/us/", base + "/x/../us/.");
    for (int i = 0; i < spellings.size(); i++) {
      Instant start = NOW.minus(Duration.ofHours(6 - i));
      harness.create(job("spelling-" + i).portal(i == 1 ? portal.toUpperCase() : portal).server(spellings.get(i))
          .window(start, start.plusSeconds(1800)));
    }
    for (int i = 0; i < spellings.size(); i++) {
      harness.awaitCondition("spelling-" + i, "Complete", "True", "Completed", Duration.ofSeconds(40));
    }
    assertThat(accepted(portal)).as("one accepted PUT per request").isEqualTo(3);
    assertThat(puts(portal)).as("no request raced another for the singleton").allSatisfy(r ->
        assertThat(r.status()).isEqualTo(202));
    for (int i = 0; i < spellings.size(); i++) {
      assertThat(harness.eventReasons("spelling-" + i)).doesNotContain("Superseded");
    }
  }

  @Test
  void inputsThatUsedToThrowEndInASpecificCondition() {
    String label64 = "a".repeat(64);
    harness.create(job("long-label").server("http://" + label64 + ".example:8080/us").lookback("1h"));
    harness.create(job("wrong-region").region("au").server("https://me.api.konghq.com").lookback("1h"));
    harness.secret("token-with-newline", "kpat_abc\r\ndef");
    harness.create(job("token-newline").lookback("1h").secret("token-with-newline", null));
    String portal = newPortal();
    harness.create(job("sub-nanosecond").portal(portal).lookback("1m0.5ns"));

    AuditLogReplayJob longLabel = harness.awaitCondition("long-label", "Failed", "True", "InvalidSpec");
    assertThat(harness.condition("long-label", "Failed").orElseThrow().getMessage())
        .contains("spec.konnect.serverURL", "not a valid http(s) URL");
    assertThat(longLabel.getStatus().getPhase().toString()).isEqualTo("Failed");
    harness.awaitCondition("wrong-region", "Failed", "True", "InvalidSpec");
    assertThat(harness.condition("wrong-region", "Failed").orElseThrow().getMessage())
        .contains("Konnect's me region, but spec.region is au");
    harness.awaitCondition("token-newline", "Stalled", "True", "InvalidToken");
    harness.awaitCondition("sub-nanosecond", "Complete", "True", "Completed");
    assertThat(accepted(portal)).isEqualTo(1);
  }

  @Test
  void aLookbackOfTheWholeRetentionIsReplayed() {
    String portal = newPortal();
    harness.create(job("everything").portal(portal).lookback("168h"));
    AuditLogReplayJob done = harness.awaitCondition("everything", "Complete", "True", "Completed");
    Instant start = Instant.parse(done.getStatus().getWindow().getStartAt());
    Instant end = Instant.parse(done.getStatus().getWindow().getEndAt());
    assertThat(start).isAfter(NOW.minus(Duration.ofDays(7)));
    assertThat(end).isBefore(Instant.now());
    assertThat(accepted(portal)).isEqualTo(1);
  }

  @Test
  void deletingAQueuedRequestMovesEveryoneBehindItAtOnce() {
    String portal = newPortal();
    Instant start = NOW.minus(Duration.ofHours(5));
    harness.create(job("q-running").portal(portal).window(start, start.plusSeconds(600)));
    harness.awaitCondition("q-running", "Reconciling", "True", "Submitted", Duration.ofSeconds(10));
    harness.create(job("q-second").portal(portal).window(start.plusSeconds(600), start.plusSeconds(1200)));
    await().atMost(Duration.ofSeconds(5)).until(() -> queuePosition("q-second") == 1);
    harness.create(job("q-third").portal(portal).window(start.plusSeconds(1200), start.plusSeconds(1800)));
    await().atMost(Duration.ofSeconds(5)).until(() -> queuePosition("q-third") == 2);

    harness.client().resources(AuditLogReplayJob.class).inNamespace(NAMESPACE).withName("q-second").delete();
    // far sooner than the 30 s periodic recheck: the deletion woke it
    await().atMost(Duration.ofSeconds(4)).until(() -> queuePosition("q-third") == 1
        || harness.get("q-third").getStatus().getQueue() == null);
    harness.awaitCondition("q-third", "Complete", "True", "Completed");
    assertThat(accepted(portal)).isEqualTo(2);
  }

  @Test
  void anExceptionInTheReconcileIsAReconcileErrorCondition() {
    harness.create(job("boom").lookback("1h").suspend(true));
    harness.awaitCondition("boom", "Reconciling", "False", "Suspended");
    var reconciler = harness.instances().get(0).runtime().reconciler();
    reconciler.updateErrorStatus(harness.get("boom"), null, new IllegalStateException("simulated failure"));
    // the status says so, with what failed (JOSDK would now retry with backoff; called directly, nothing retries)
    harness.awaitCondition("boom", "Reconciling", "True", "ReconcileError", Duration.ofSeconds(5));
    assertThat(harness.condition("boom", "Reconciling").orElseThrow().getMessage())
        .contains("IllegalStateException: simulated failure", "in ExactlyOnceTest.", "retried with backoff");
    await().atMost(Duration.ofSeconds(5)).until(() -> harness.eventReasons("boom").contains("ReconcileError"));
    assertThat(harness.events("boom")).filteredOn(e -> "ReconcileError".equals(e.getReason())).singleElement()
        .satisfies(e -> {
          assertThat(e.getType()).isEqualTo("Warning");
          assertThat(e.getMessage()).contains("IllegalStateException: simulated failure", "in ExactlyOnceTest.",
              "retried with backoff");
        });
  }

  static int queuePosition(String name) {
    AuditLogReplayJob job = harness.get(name);
    return job == null || job.getStatus() == null || job.getStatus().getQueue() == null ? -1
        : job.getStatus().getQueue().getPosition();
  }

  static void createIn(String namespace, TestJobs job) {
    harness.client().resources(AuditLogReplayJob.class).inNamespace(namespace).resource(job.build()).create();
  }

}
