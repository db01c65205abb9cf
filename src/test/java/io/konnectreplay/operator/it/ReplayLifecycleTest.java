package io.konnectreplay.operator.it;

import static io.konnectreplay.operator.TestJobs.job;
import static io.konnectreplay.operator.it.OperatorHarness.NAMESPACE;
import static io.konnectreplay.operator.it.OperatorHarness.TOKEN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.konnectreplay.operator.api.v1alpha1.AuditLogReplayJob;
import io.konnectreplay.operator.api.v1alpha1.Phase;
import io.konnectreplay.operator.emulator.EndpointKind;
import io.konnectreplay.operator.emulator.JobTimings;
import io.konnectreplay.operator.emulator.KonnectEmulator;
import io.konnectreplay.operator.emulator.RecordedRequest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Issue #2's acceptance: the operator against the mock Kubernetes API and the Konnect emulator, over HTTP. */
class ReplayLifecycleTest {

  static final Duration STATE = Duration.ofMillis(1500);
  static final Instant NOW = Instant.now().truncatedTo(ChronoUnit.SECONDS);
  static final Instant START = NOW.minus(Duration.ofHours(3));
  static final Instant END = NOW.minus(Duration.ofHours(1));
  /** Konnect's clock runs 2 minutes ahead of the operator's: lets a test reach Konnect's own 400. */
  static final Duration KONNECT_AHEAD = Duration.ofMinutes(2);

  static ScriptedDelivery delivery = new ScriptedDelivery();
  static OperatorHarness harness;

  @BeforeAll
  static void start() {
    KonnectEmulator konnect = KonnectEmulator.builder().token(TOKEN).timings(new JobTimings(STATE, STATE, STATE))
        .clock(Clock.offset(Clock.systemUTC(), KONNECT_AHEAD)).delivery(delivery).start();
    konnect.configureOrgWebhook("us", "http://127.0.0.1:9/hook", "Bearer siem", "json", true);
    harness = new OperatorHarness(konnect, Map.of());
    harness.secret("konnect-token", TOKEN);
  }

  @AfterAll
  static void stop() {
    harness.close();
  }

  static String newPortal() { return harness.newPortal(); }

  static List<RecordedRequest> requests(String portal) {
    return harness.konnect().requestLog().matching(r -> portal == null ? r.portalId() == null && !r.external()
        : portal.equals(r.portalId()) && !r.external());
  }

  static long puts(String portal) {
    return requests(portal).stream().filter(r -> r.kind() == EndpointKind.REPLAY_JOB_PUT).count();
  }

  @Test
  void portalAndOrganizationJobsGoThroughEveryStateWithExactlyOnePut() {
    String portal = newPortal();
    harness.create(job("portal-job").portal(portal).window(START, END));
    harness.create(job("org-job").window(START, END));

    for (String name : List.of("portal-job", "org-job")) {
      AuditLogReplayJob done = harness.awaitCondition(name, "Complete", "True", "Completed");
      assertThat(harness.condition(name, "Ready").orElseThrow().getStatus()).isEqualTo("True");
      assertThat(harness.condition(name, "Reconciling").orElseThrow().getStatus()).isEqualTo("False");
      assertThat(done.getStatus().getPhase()).isEqualTo(Phase.Completed);
      assertThat(done.getStatus().getAttempts()).isEqualTo(1);
      assertThat(done.getStatus().getObservedGeneration()).isEqualTo(done.getMetadata().getGeneration());
      assertThat(done.getStatus().getWebhook().getLastResponseCode()).isEqualTo(200);
      assertThat(done.getStatus().getWindow().getStartAt()).isEqualTo(START.toString());
      // Events are written off the reconcile thread, just after the status: wait for the last one.
      await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(harness.eventReasons(name))
          .containsExactly("Submitted", "Pending", "Running", "Completed"));
    }
    assertThat(harness.get("portal-job").getStatus().getTarget()).isEqualTo("us/portal/" + portal);
    assertThat(harness.get("org-job").getStatus().getTarget()).isEqualTo("us/org");

    for (String target : new String[] {portal, null}) {
      List<RecordedRequest> puts = requests(target).stream().filter(r -> r.kind() == EndpointKind.REPLAY_JOB_PUT)
          .toList();
      assertThat(puts).hasSize(1);
      assertThat(puts.get(0).status()).isEqualTo(202);
      assertThat(puts.get(0).authorized()).as("bearer token accepted").isTrue();
      assertThat(puts.get(0).windowStart()).isEqualTo(START);
      assertThat(puts.get(0).windowEnd()).isEqualTo(END);
    }
    assertThat(delivery.delivered).contains(new ScriptedDelivery.Delivered("us", portal, START, END),
        new ScriptedDelivery.Delivered("us", null, START, END));
  }

  @Test
  void completedJobCausesNoFurtherKonnectCallsOrStatusWrites() {
    String portal = newPortal();
    harness.create(job("quiet").portal(portal).window(START, END));
    AuditLogReplayJob done = harness.awaitCondition("quiet", "Complete", "True", "Completed");
    int calls = requests(portal).size();
    await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(4)).until(() -> requests(portal).size() == calls
        && harness.get("quiet").getMetadata().getResourceVersion().equals(done.getMetadata().getResourceVersion()));
  }

  @Test
  void remoteFailureEndsFailed() {
    String portal = newPortal();
    delivery.failingPortals.add(portal);
    harness.create(job("doomed").portal(portal).window(START, END));
    AuditLogReplayJob failed = harness.awaitCondition("doomed", "Failed", "True", "RemoteFailed");
    assertThat(failed.getStatus().getPhase()).isEqualTo(Phase.Failed);
    assertThat(harness.condition("doomed", "Stalled").orElseThrow().getStatus()).isEqualTo("True");
    assertThat(harness.condition("doomed", "Ready").orElseThrow().getStatus()).isEqualTo("False");
    assertThat(failed.getStatus().getCompletionTime()).isNotNull();
    assertThat(puts(portal)).isEqualTo(1);
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(harness.events("doomed"))
        .last().extracting(io.fabric8.kubernetes.api.model.Event::getType).isEqualTo("Warning"));
  }

  @Test
  void conflictQueuesTheRequestUntilTheRemoteJobFinishes() {
    String portal = newPortal();
    Instant otherStart = START.minus(Duration.ofHours(5));
    harness.konnect().submitExternalJob("us", portal, otherStart, otherStart.plus(Duration.ofHours(1)));
    harness.create(job("behind").portal(portal).window(START, END));

    AuditLogReplayJob queued = harness.awaitCondition("behind", "Reconciling", "True", "RemoteBusy");
    assertThat(queued.getStatus().getPhase()).isEqualTo(Phase.Queued);
    assertThat(queued.getStatus().getQueue().getBlockedBy()).isEqualTo("konnect");

    AuditLogReplayJob done = harness.awaitCondition("behind", "Complete", "True", "Completed");
    assertThat(done.getStatus().getAttempts()).isEqualTo(1);
    List<Integer> putAnswers = requests(portal).stream().filter(r -> r.kind() == EndpointKind.REPLAY_JOB_PUT)
        .map(RecordedRequest::status).toList();
    assertThat(putAnswers).as("one 409, then the one accepted PUT").containsExactly(409, 202);
  }

  @Test
  void deletingTheActiveRequestLetsTheNextWaitForKonnectsJobWithoutAPutAndDeletingAQueuedOneDropsIt() {
    String portal = newPortal();
    Instant firstStart = START.minus(Duration.ofHours(10));
    Instant secondStart = START.minus(Duration.ofHours(8));
    Instant thirdStart = START.minus(Duration.ofHours(6));
    delivery.hold(firstStart);
    harness.create(job("deleted-while-running").portal(portal).window(firstStart, firstStart.plus(Duration.ofHours(1))));
    harness.awaitCondition("deleted-while-running", "Reconciling", "True", "Running");
    harness.create(job("after-deleted").portal(portal).window(secondStart, secondStart.plus(Duration.ofHours(1))));
    harness.create(job("deleted-while-queued").portal(portal).window(thirdStart, thirdStart.plus(Duration.ofHours(1))));
    harness.awaitCondition("deleted-while-queued", "Reconciling", "True", "Queued");

    // No finalizer: both deletions return at once, whatever the operator is doing.
    harness.client().resources(AuditLogReplayJob.class).inNamespace(NAMESPACE).withName("deleted-while-queued")
        .delete();
    harness.client().resources(AuditLogReplayJob.class).inNamespace(NAMESPACE).withName("deleted-while-running")
        .delete();
    await().atMost(Duration.ofSeconds(5)).until(() -> harness.get("deleted-while-running") == null
        && harness.get("deleted-while-queued") == null);

    // Konnect still runs the deleted request's job: the next one reads it and waits, without a PUT.
    AuditLogReplayJob waiting = harness.awaitCondition("after-deleted", "Reconciling", "True", "RemoteBusy");
    assertThat(waiting.getStatus().getQueue().getBlockedBy()).isEqualTo("konnect");
    assertThat(puts(portal)).as("PUTs while the deleted request's job runs").isEqualTo(1);

    delivery.release(firstStart);
    harness.awaitCondition("after-deleted", "Complete", "True", "Completed");
    List<RecordedRequest> puts = requests(portal).stream().filter(r -> r.kind() == EndpointKind.REPLAY_JOB_PUT)
        .toList();
    assertThat(puts).extracting(RecordedRequest::status).as("no 409: nothing was sent while the target was busy")
        .containsExactly(202, 202);
    assertThat(puts).extracting(RecordedRequest::windowStart).containsExactly(firstStart, secondStart);
  }

  @Test
  void badRequestFromKonnectFailsWithoutRetrying() {
    String portal = newPortal();
    // Within 7 days by the operator's clock, older than 7 days by Konnect's (which runs 2 minutes ahead).
    Instant edge = Instant.now().minus(Duration.ofDays(7)).plus(Duration.ofSeconds(90)).truncatedTo(ChronoUnit.SECONDS);
    harness.create(job("rejected").portal(portal).window(edge, edge.plus(Duration.ofHours(1))));
    AuditLogReplayJob failed = harness.awaitCondition("rejected", "Failed", "True", "InvalidSpec");
    assertThat(harness.condition("rejected", "Failed").orElseThrow().getMessage()).contains("Konnect rejected");
    await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(3)).until(() -> puts(portal) == 1);
    assertThat(failed.getStatus().getAttempts()).isZero();
  }

  @Test
  void wrongTokenStallsAndRecoversWhenTheSecretIsFixed() {
    String portal = newPortal();
    harness.secret("wrong-token", "kpat_not_a_known_token");
    harness.create(job("unauthorized").portal(portal).window(START, END).secret("wrong-token", null));
    harness.awaitCondition("unauthorized", "Stalled", "True", "Unauthorized");
    assertThat(harness.condition("unauthorized", "Ready").orElseThrow().getMessage())
        .contains("platform/wrong-token").doesNotContain("kpat_not_a_known_token");

    harness.secret("wrong-token", TOKEN);
    harness.awaitCondition("unauthorized", "Complete", "True", "Completed");
    assertThat(puts(portal)).isEqualTo(1);
  }

  @Test
  void missingSecretStallsAndRecoversWhenItIsCreated() {
    String portal = newPortal();
    harness.create(job("no-secret").portal(portal).window(START, END).secret("created-later", null));
    harness.awaitCondition("no-secret", "Stalled", "True", "SecretNotFound");
    assertThat(harness.condition("no-secret", "Stalled").orElseThrow().getMessage())
        .contains("kubectl label secret created-later -n platform konghq.com/credential=konnect");
    assertThat(requests(portal)).isEmpty();

    harness.secret("created-later", TOKEN);
    harness.awaitCondition("no-secret", "Complete", "True", "Completed");
  }

  @Test
  void aSecretWithoutTheLabelStallsWithTheCommandAndTheJobProceedsOnceItIsLabelled() {
    String portal = newPortal();
    harness.secret("unlabelled-token", TOKEN, Map.of("app", "siem"));
    harness.create(job("not-labelled").portal(portal).window(START, END).secret("unlabelled-token", null));

    harness.awaitCondition("not-labelled", "Stalled", "True", "SecretNotLabeled");
    assertThat(harness.condition("not-labelled", "Stalled").orElseThrow().getMessage())
        .contains("kubectl label secret unlabelled-token -n platform konghq.com/credential=konnect")
        .doesNotContain(TOKEN).doesNotContain("\"token\"");
    assertThat(harness.get("not-labelled").getStatus().getPhase()).isEqualTo(Phase.Queued);
    assertThat(requests(portal)).isEmpty();
    // the cache missed: one GET per reconcile of the stalled request tells "unlabelled" from "missing"
    // the test reads the Secret now, so that its patch below reads nothing: the GETs counted after are the operator's
    var unlabelled = harness.client().secrets().inNamespace(NAMESPACE).withName("unlabelled-token").get();
    long getsWhileStalled = secretGets("platform/unlabelled-token") - 1;
    assertThat(getsWhileStalled).isPositive();

    // labelling brings the Secret into the operator's cache, which reconciles the request again at once
    harness.client().secrets().inNamespace(NAMESPACE).resource(unlabelled).patch(
        io.fabric8.kubernetes.client.dsl.base.PatchContext.of(io.fabric8.kubernetes.client.dsl.base.PatchType.JSON_MERGE),
        "{\"metadata\":{\"labels\":{\"konghq.com/credential\":\"konnect\"}}}");
    harness.awaitCondition("not-labelled", "Complete", "True", "Completed", Duration.ofSeconds(20));
    assertThat(puts(portal)).isEqualTo(1);
    assertThat(secretGets("platform/unlabelled-token") - 1).as("once labelled, the token comes from the cache")
        .isEqualTo(getsWhileStalled);
  }

  @Test
  void aLabelledSecretIsReadFromTheCacheWithoutAGet() {
    String portal = newPortal();
    harness.secret("cached-token", TOKEN);
    harness.create(job("from-cache").portal(portal).window(START, END).secret("cached-token", null));
    harness.awaitCondition("from-cache", "Complete", "True", "Completed");
    assertThat(secretGets("platform/cached-token")).isZero();
  }

  static long secretGets(String secret) {
    return harness.api().secretGets.stream().filter(secret::equals).count();
  }

  @Test
  void expiredAndFutureWindowsGiveAClearConditionAndNoHttpCall() {
    String portal = newPortal();
    Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    harness.create(job("expired").portal(portal).window(now.minus(Duration.ofDays(8)), now.minus(Duration.ofDays(7))
        .minus(Duration.ofHours(1))));
    harness.create(job("future").portal(portal).window(now.minus(Duration.ofHours(1)), now.plus(Duration.ofHours(2))));

    AuditLogReplayJob expired = harness.awaitCondition("expired", "Failed", "True", "WindowExpired");
    assertThat(harness.condition("expired", "Failed").orElseThrow().getMessage()).contains("7 days");
    assertThat(expired.getStatus().getPhase()).isEqualTo(Phase.Failed);
    harness.awaitCondition("future", "Reconciling", "True", "WindowNotEnded");
    assertThat(harness.get("future").getStatus().getPhase()).isEqualTo(Phase.Queued);
    await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(3)).until(() -> requests(portal).isEmpty());
  }

  @Test
  void requestsForOneTargetRunOneAtATimeOldestFirst() {
    String portal = newPortal();
    harness.create(job("first").portal(portal).window(START, START.plus(Duration.ofMinutes(30))));
    harness.create(job("second").portal(portal).window(START.plus(Duration.ofMinutes(30)), END));
    AuditLogReplayJob second = harness.awaitCondition("second", "Reconciling", "True", "Queued");
    assertThat(second.getStatus().getQueue().getBlockedBy()).isEqualTo(NAMESPACE + "/first");
    assertThat(second.getStatus().getQueue().getPosition()).isEqualTo(1);

    harness.awaitCondition("second", "Complete", "True", "Completed", Duration.ofSeconds(40));
    List<RecordedRequest> puts = requests(portal).stream().filter(r -> r.kind() == EndpointKind.REPLAY_JOB_PUT)
        .toList();
    assertThat(puts).extracting(RecordedRequest::status).containsExactly(202, 202);
    assertThat(puts.get(0).windowStart()).isEqualTo(START);
    assertThat(harness.get("first").getStatus().getCompletionTime())
        .isLessThanOrEqualTo(harness.get("second").getStatus().getSubmittedAt());
  }
}
