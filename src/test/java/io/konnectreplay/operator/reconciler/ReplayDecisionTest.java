package io.konnectreplay.operator.reconciler;

import static io.konnectreplay.operator.TestJobs.PORTAL;
import static io.konnectreplay.operator.TestJobs.job;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Condition;
import io.konnectreplay.operator.api.v1alpha1.AuditLogReplayJob;
import io.konnectreplay.operator.api.v1alpha1.AuditLogReplayJobStatus;
import io.konnectreplay.operator.api.v1alpha1.Phase;
import io.konnectreplay.operator.konnect.KonnectException;
import io.konnectreplay.operator.konnect.RemoteReplayJob;
import io.konnectreplay.operator.konnect.WebhookStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The lifecycle, row by row: each test gives the resource, what Konnect answers and "now", and checks the outcome. */
class ReplayDecisionTest {

  static final Instant NOW = Instant.parse("2026-11-22T12:00:00Z");
  static final Instant START = Instant.parse("2026-11-21T00:00:00Z");
  static final Instant END = Instant.parse("2026-11-21T06:00:00Z");
  static final Instant YEAR_1 = Instant.parse("0001-01-01T00:00:00Z");

  static AuditLogReplayJob portalJob() { return job("incident-1").portal(PORTAL).window(START, END).build(); }

  static RemoteReplayJob remote(String status) { return new RemoteReplayJob(START, END, status, NOW.minusSeconds(1)); }

  static RemoteReplayJob otherWindow(String status) {
    return new RemoteReplayJob(START.minusSeconds(3600), END.minusSeconds(3600), status, NOW.minusSeconds(5));
  }

  static RemoteReplayJob unconfigured() { return new RemoteReplayJob(YEAR_1, YEAR_1, "unconfigured", YEAR_1); }

  static DecisionScenario at(AuditLogReplayJob job) { return new DecisionScenario(job, NOW); }

  static AuditLogReplayJob withStatus(AuditLogReplayJob job, AuditLogReplayJobStatus status) {
    AuditLogReplayJob copy = ReplayDecision.copyJob(job);
    copy.setStatus(status);
    return copy;
  }

  /** The resource as it stands after Konnect accepted it. */
  static AuditLogReplayJob accepted(AuditLogReplayJob job) {
    return withStatus(job, at(job).webhook(true).submit(remote("accepted")).run().status());
  }

  static Condition condition(AuditLogReplayJobStatus status, String type) {
    return status.getConditions().stream().filter(c -> c.getType().equals(type)).findFirst().orElseThrow();
  }

  static void assertConditions(AuditLogReplayJobStatus status, String reason, String ready, String reconciling,
      String stalled, String complete, String failed) {
    Map<String, String> expected = Map.of("Ready", ready, "Reconciling", reconciling, "Stalled", stalled,
        "Complete", complete, "Failed", failed);
    expected.forEach((type, value) -> {
      Condition c = condition(status, type);
      assertThat(c.getStatus()).as(type).isEqualTo(value);
      assertThat(c.getReason()).as(type + " reason").isEqualTo(reason);
      assertThat(c.getObservedGeneration()).as(type + " observedGeneration").isEqualTo(1L);
    });
    assertThat(status.getObservedGeneration()).isEqualTo(1L);
  }

  @Nested
  class BeforeSubmission {

    @Test
    void freshRequestChecksTheWebhookThenSubmitsWithIntentRecordedFirst() {
      DecisionScenario s = at(portalJob()).webhook(true).submit(remote("accepted"));
      Decision.Done done = s.run();

      assertThat(s.calls).containsExactly("GET WEBHOOK", "PUT");
      AuditLogReplayJobStatus intent = s.afterIntent.getStatus();
      assertThat(intent.getIntent().getAttempt()).isEqualTo(1);
      assertThat(intent.getIntent().getAt()).isEqualTo(NOW.toString());
      assertThat(intent.getWindow().getStartAt()).isEqualTo("2026-11-21T00:00:00Z");

      AuditLogReplayJobStatus status = done.status();
      assertThat(status.getPhase()).isEqualTo(Phase.Accepted);
      assertThat(status.getIntent()).isNull();
      assertThat(status.getAttempts()).isEqualTo(1);
      assertThat(status.getSubmittedAt()).isEqualTo("2026-11-22T12:00:00Z");
      assertThat(status.getTarget()).isEqualTo("us/portal/" + PORTAL);
      assertThat(status.getRemote().getStatus()).isEqualTo("accepted");
      assertConditions(status, "Submitted", "False", "True", "False", "False", "False");
      assertThat(done.requeueAfter()).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void organizationTargetNamesTheRegion() {
      AuditLogReplayJob org = job("org-1").region("eu").window(START, END).build();
      Decision.Done done = at(org).webhook(true).submit(remote("accepted")).run();
      assertThat(done.status().getTarget()).isEqualTo("eu/org");
    }

    @Test
    void queuedBehindAnotherRequestMakesNoKonnectCall() {
      DecisionScenario s = at(portalJob()).slot(new QueueSlot(false, 2, "platform/incident-0"));
      Decision.Done done = s.run();
      assertThat(s.calls).isEmpty();
      assertThat(done.status().getPhase()).isEqualTo(Phase.Queued);
      assertThat(done.status().getQueue().getPosition()).isEqualTo(2);
      assertThat(done.status().getQueue().getBlockedBy()).isEqualTo("platform/incident-0");
      assertConditions(done.status(), "Queued", "False", "True", "False", "False", "False");
      assertThat(condition(done.status(), "Ready").getMessage()).contains("platform/incident-0", "position 2");
    }

    @Test
    void suspendedRequestIsNotSubmitted() {
      DecisionScenario s = at(job("s").portal(PORTAL).window(START, END).suspend(true).build());
      Decision.Done done = s.run();
      assertThat(s.calls).isEmpty();
      assertThat(done.status().getPhase()).isEqualTo(Phase.Suspended);
      assertConditions(done.status(), "Suspended", "False", "False", "False", "False", "False");
      assertThat(done.requeueAfter()).isNull();
    }

    @Test
    void expiredWindowFailsWithoutAnyCall() {
      AuditLogReplayJob old = job("old").portal(PORTAL)
          .window(NOW.minus(Duration.ofDays(8)), NOW.minus(Duration.ofDays(7).plusHours(20))).build();
      DecisionScenario s = at(old);
      Decision.Done done = s.run();
      assertThat(s.calls).isEmpty();
      assertThat(done.status().getPhase()).isEqualTo(Phase.Failed);
      assertThat(done.status().getCompletionTime()).isEqualTo("2026-11-22T12:00:00Z");
      assertConditions(done.status(), "WindowExpired", "False", "False", "True", "False", "True");
      assertThat(condition(done.status(), "Failed").getMessage()).contains("more than 7 days ago");
    }

    @Test
    void windowStartingJustInsideSevenDaysButWithinTheSafetyMarginIsExpired() {
      AuditLogReplayJob edge = job("edge").portal(PORTAL)
          .window(NOW.minus(Duration.ofDays(7)).plusSeconds(30), NOW.minusSeconds(3600)).build();
      assertThat(at(edge).run().verdict().reason()).isEqualTo("WindowExpired");
    }

    @Test
    void futureEndWaitsWithoutAnyCallAndComesBackWhenItHasPassed() {
      AuditLogReplayJob future = job("future").portal(PORTAL).window(NOW.minusSeconds(3600), NOW.plusSeconds(600))
          .build();
      DecisionScenario s = at(future);
      Decision.Done done = s.run();
      assertThat(s.calls).isEmpty();
      assertThat(done.status().getPhase()).isEqualTo(Phase.Queued);
      assertConditions(done.status(), "WindowNotEnded", "False", "True", "False", "False", "False");
      assertThat(done.requeueAfter()).isEqualTo(Duration.ofSeconds(601));
    }

    @Test
    void lookbackIsResolvedOnceAndFrozen() {
      AuditLogReplayJob lookback = job("lb").portal(PORTAL).lookback("24h").build();
      Decision.Done first = at(lookback).slot(new QueueSlot(false, 1, "platform/x")).run();
      // it ends a few seconds before now, so a fast operator clock never sends an end_at in Konnect's future
      assertThat(first.status().getWindow().getStartAt()).isEqualTo("2026-11-21T11:59:55Z");
      assertThat(first.status().getWindow().getEndAt()).isEqualTo("2026-11-22T11:59:55Z");
      assertThat(first.status().getWindow().getLookback()).isEqualTo("24h");

      AuditLogReplayJob later = withStatus(lookback, first.status());
      Decision.Done second = new DecisionScenario(later, NOW.plusSeconds(3600)).webhook(true)
          .submit(remote("accepted")).run();
      assertThat(second.status().getWindow().getEndAt()).isEqualTo("2026-11-22T11:59:55Z");
    }

    @Test
    void lookbackOfTheWholeRetentionStartsInsideItAndIsSubmitted() {
      AuditLogReplayJob all = job("all").portal(PORTAL).lookback("168h").build();
      DecisionScenario s = at(all).webhook(true).submit(remote("accepted"));
      Decision.Done done = s.run();
      assertThat(s.calls).containsExactly("GET WEBHOOK", "PUT");
      assertThat(done.verdict().reason()).isEqualTo("Submitted");
      // 7 days back, plus twice the one-minute expiry margin
      assertThat(done.status().getWindow().getStartAt()).isEqualTo("2026-11-15T12:02:00Z");
      assertThat(done.status().getWindow().getEndAt()).isEqualTo("2026-11-22T11:59:55Z");
    }

    @Test
    void newRerunNonceResolvesTheLookbackAgainAndStartsANewRequest() {
      AuditLogReplayJob lookback = job("lb").portal(PORTAL).lookback("1h").build();
      AuditLogReplayJob done = withStatus(lookback, completed(lookback).status());
      AuditLogReplayJob rerun = ReplayDecision.copyJob(done);
      rerun.getSpec().setRerunNonce("again");
      rerun.getMetadata().setGeneration(2L);
      DecisionScenario s = new DecisionScenario(rerun, NOW.plusSeconds(7200)).webhook(true).submit(remote("accepted"));
      Decision.Done again = s.run();
      assertThat(s.calls).containsExactly("GET WEBHOOK", "PUT");
      assertThat(again.status().getWindow().getEndAt()).isEqualTo("2026-11-22T13:59:55Z");
      assertThat(again.status().getRerunNonce()).isEqualTo("again");
      assertThat(again.status().getAttempts()).isEqualTo(1);
    }

    @Test
    void disabledWebhookStallsInsteadOfReplayingIntoNothing() {
      DecisionScenario s = at(portalJob()).webhook(false);
      Decision.Done done = s.run();
      assertThat(s.calls).containsExactly("GET WEBHOOK");
      assertConditions(done.status(), "WebhookDisabled", "False", "False", "True", "False", "False");
      assertThat(done.requeueAfter()).isEqualTo(Duration.ofMinutes(1));
    }

    @Test
    void forbiddenWebhookReadOnlySkipsTheCheck() {
      DecisionScenario s = at(portalJob()).webhook(new KonnectException.Forbidden("no")).submit(remote("accepted"));
      assertThat(s.run().status().getPhase()).isEqualTo(Phase.Accepted);
      assertThat(s.calls).containsExactly("GET WEBHOOK", "PUT");
    }

    @Test
    void missingSecretStallsWithoutAnyCall() {
      DecisionScenario s = at(portalJob()).tokenProblem("SecretNotFound");
      Decision.Done done = s.run();
      assertThat(s.calls).isEmpty();
      assertConditions(done.status(), "SecretNotFound", "False", "False", "True", "False", "False");
    }
  }

  static Stream<Arguments> submitErrors() {
    return Stream.of(
        Arguments.of(new KonnectException.Conflict("A replay job is currently running"), "RemoteBusy", "Reconciling",
            Phase.Queued, false, Duration.ofSeconds(2)),
        Arguments.of(new KonnectException.BadRequest("bad window", List.of(
            new KonnectException.InvalidParameter("start_at", "invalid", "must be within the last 7 days"))),
            "InvalidSpec", "Failed", Phase.Failed, false, null),
        Arguments.of(new KonnectException.Unauthorized("Unauthorized"), "Unauthorized", "Stalled", Phase.Queued, false,
            Duration.ofMinutes(5)),
        Arguments.of(new KonnectException.Forbidden("nope"), "Forbidden", "Stalled", Phase.Queued, false,
            Duration.ofMinutes(5)),
        Arguments.of(new KonnectException.NotFound("Not Found"), "PortalNotFound", "Stalled", Phase.Queued, false,
            Duration.ofMinutes(5)),
        Arguments.of(new KonnectException.RateLimited("slow down", Duration.ofSeconds(15), false), "RateLimited",
            "Reconciling", Phase.Queued, false, Duration.ofMillis(15_250)),
        Arguments.of(new KonnectException.Unavailable(503, "Konnect answered 503", null), "KonnectUnavailable",
            "Reconciling", Phase.Queued, true, Duration.ofSeconds(1)),
        Arguments.of(new KonnectException.Unavailable(0, "timeout", null), "KonnectUnavailable", "Reconciling",
            Phase.Queued, true, Duration.ofSeconds(1)),
        Arguments.of(new KonnectException.UnexpectedResponse(418, "teapot"), "UnexpectedResponse", "Reconciling",
            Phase.Queued, true, Duration.ofSeconds(1)));
  }

  @ParameterizedTest(name = "PUT answered {0} → {1}")
  @MethodSource("submitErrors")
  void everySubmitErrorHasItsOutcome(KonnectException error, String reason, String trueCondition, Phase phase,
      boolean keepsIntent, Duration requeue) {
    Decision.Done done = at(portalJob()).webhook(true).submit(error).run();
    assertThat(done.verdict().reason()).isEqualTo(reason);
    assertThat(done.status().getPhase()).isEqualTo(phase);
    assertThat(condition(done.status(), trueCondition).getStatus()).isEqualTo("True");
    assertThat(done.status().getIntent() != null).as("intent kept").isEqualTo(keepsIntent);
    assertThat(done.requeueAfter()).isEqualTo(requeue);
    assertThat(done.status().getAttempts()).isZero();
  }

  @Nested
  class FollowingTheRemoteJob {

    @Test
    void pendingAndRunningAreMirroredAndPolledWithBackoff() {
      AuditLogReplayJob accepted = accepted(portalJob());
      DecisionScenario s = at(accepted).remoteJob(remote("running"));
      Decision.Done done = s.run();
      assertThat(s.calls).containsExactly("GET REPLAY_JOB");
      assertThat(done.status().getPhase()).isEqualTo(Phase.Running);
      assertConditions(done.status(), "Running", "False", "True", "False", "False", "False");

      AuditLogReplayJob running = withStatus(accepted, done.status());
      Decision.Done later = new DecisionScenario(running, NOW.plusSeconds(10)).remoteJob(remote("running")).run();
      assertThat(later.requeueAfter()).isEqualTo(Duration.ofSeconds(10));
      assertThat(StatusWriter.same(later.status(), done.status())).as("nothing changed, nothing to write").isTrue();
      Decision.Done much = new DecisionScenario(running, NOW.plusSeconds(500)).remoteJob(remote("running")).run();
      assertThat(much.requeueAfter()).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void pendingIsMirrored() {
      Decision.Done done = at(accepted(portalJob())).remoteJob(remote("pending")).run();
      assertThat(done.status().getPhase()).isEqualTo(Phase.Pending);
      assertThat(done.verdict().reason()).isEqualTo("Pending");
    }

    @Test
    void unknownRemoteStatusIsTakenAsStillGoing() {
      Decision.Done done = at(accepted(portalJob())).remoteJob(remote("paused")).run();
      assertThat(done.status().getPhase()).isEqualTo(Phase.Accepted);
      assertThat(done.status().getRemote().getStatus()).isEqualTo("paused");
      assertThat(done.requeueAfter()).isNotNull();
    }

    @Test
    void completedCopiesTheWebhookStatusAndEndsReady() {
      Decision.Done done = completed(portalJob());
      AuditLogReplayJobStatus status = done.status();
      assertThat(status.getPhase()).isEqualTo(Phase.Completed);
      assertThat(status.getCompletionTime()).isEqualTo("2026-11-22T12:00:00Z");
      assertThat(status.getWebhook().getLastResponseCode()).isEqualTo(200);
      assertThat(status.getWebhook().getStatus()).isEqualTo("active");
      assertConditions(status, "Completed", "True", "False", "False", "True", "False");
      assertThat(done.requeueAfter()).isNull();
    }

    @Test
    void completedRequestAsksKonnectNothingMore() {
      AuditLogReplayJob done = withStatus(portalJob(), completed(portalJob()).status());
      DecisionScenario s = new DecisionScenario(done, NOW.plusSeconds(86_400));
      Decision.Done again = s.run();
      assertThat(s.calls).isEmpty();
      assertThat(again.requeueAfter()).isNull();
      assertThat(StatusWriter.same(again.status(), done.getStatus())).isTrue();
    }

    @Test
    void remoteFailedPastBackoffLimitFails() {
      Decision.Done done = at(accepted(portalJob())).remoteJob(remote("failed")).run();
      assertThat(done.status().getPhase()).isEqualTo(Phase.Failed);
      assertConditions(done.status(), "RemoteFailed", "False", "False", "True", "False", "True");
      assertThat(condition(done.status(), "Failed").getMessage()).contains("rerunNonce");
    }

    @Test
    void remoteFailedWithinBackoffLimitResubmitsOnce() {
      AuditLogReplayJob retrying = accepted(job("r").portal(PORTAL).window(START, END).backoffLimit(1).build());
      DecisionScenario s = at(retrying).remoteJob(remote("failed")).submit(remote("accepted"));
      Decision.Done done = s.run();
      assertThat(s.calls).containsExactly("GET REPLAY_JOB", "PUT");
      assertThat(s.afterIntent.getStatus().getIntent().getAttempt()).isEqualTo(2);
      assertThat(done.status().getAttempts()).isEqualTo(2);
      assertThat(done.status().getPhase()).isEqualTo(Phase.Accepted);

      AuditLogReplayJob second = withStatus(retrying, done.status());
      Decision.Done failedAgain = at(second).remoteJob(remote("failed")).run();
      assertThat(failedAgain.verdict().reason()).isEqualTo("RemoteFailed");
      assertThat(failedAgain.status().getAttempts()).isEqualTo(2);
    }

    @Test
    void windowReplacedBeforeWeSawItFinishIsSupersededAndQueuedAgain() {
      Decision.Done done = at(accepted(portalJob())).remoteJob(otherWindow("running")).run();
      assertThat(done.status().getPhase()).isEqualTo(Phase.Queued);
      assertThat(done.verdict().reason()).isEqualTo("Superseded");
      assertThat(done.verdict().eventType()).isEqualTo("Warning");
      assertThat(done.status().getAttempts()).isEqualTo(1);

      AuditLogReplayJob superseded = withStatus(portalJob(), done.status());
      DecisionScenario busy = at(superseded).remoteJob(otherWindow("running"));
      assertThat(busy.run().verdict().reason()).isEqualTo("RemoteBusy");
      assertThat(busy.calls).containsExactly("GET REPLAY_JOB");

      DecisionScenario free = at(superseded).remoteJob(otherWindow("completed")).webhook(true)
          .submit(remote("accepted"));
      Decision.Done resubmitted = free.run();
      assertThat(free.calls).containsExactly("GET REPLAY_JOB", "GET WEBHOOK", "PUT");
      assertThat(resubmitted.status().getAttempts()).isEqualTo(2);
    }

    @Test
    void konnectUnavailableWhileRunningKeepsThePhaseAndBacksOff() {
      AuditLogReplayJob running = accepted(portalJob());
      Decision.Done done = at(running).remoteJob(new KonnectException.Unavailable(502, "Konnect answered 502", null))
          .failures(3).run();
      assertThat(done.status().getPhase()).isEqualTo(Phase.Accepted);
      assertThat(done.verdict().reason()).isEqualTo("KonnectUnavailable");
      assertThat(done.requeueAfter()).isEqualTo(Duration.ofSeconds(8));
    }
  }

  @Nested
  class ExactlyOnce {

    AuditLogReplayJob withIntent() {
      DecisionScenario s = at(portalJob()).webhook(true)
          .submit(new KonnectException.Unavailable(0, "read timed out", null));
      return withStatus(portalJob(), s.run().status());
    }

    @Test
    void ambiguousFailureKeepsTheIntent() {
      assertThat(withIntent().getStatus().getIntent()).isNotNull();
    }

    @Test
    void afterAnAmbiguousPutAJobWithOurWindowIsAdoptedNotResent() {
      DecisionScenario s = new DecisionScenario(withIntent(), NOW.plusSeconds(5)).remoteJob(remote("running"));
      Decision.Done done = s.run();
      assertThat(s.calls).containsExactly("GET REPLAY_JOB");
      assertThat(done.status().getAttempts()).isEqualTo(1);
      assertThat(done.status().getIntent()).isNull();
      assertThat(done.status().getPhase()).isEqualTo(Phase.Running);
      assertThat(done.verdict().reason()).isEqualTo("Adopted");
    }

    @Test
    void afterAnAmbiguousPutThatNeverArrivedTheSameIntentIsSubmittedAgain() {
      DecisionScenario s = new DecisionScenario(withIntent(), NOW.plusSeconds(5)).remoteJob(unconfigured())
          .webhook(true).submit(remote("accepted"));
      Decision.Done done = s.run();
      assertThat(s.calls).containsExactly("GET REPLAY_JOB", "GET WEBHOOK", "PUT");
      assertThat(s.afterIntent.getStatus().getIntent().getAt()).isEqualTo(NOW.toString());
      assertThat(done.status().getAttempts()).isEqualTo(1);
    }

    @Test
    void aFinishedJobWithOurWindowFromBeforeTheIntentIsNotOurs() {
      RemoteReplayJob older = new RemoteReplayJob(START, END, "completed", NOW.minusSeconds(600));
      DecisionScenario s = new DecisionScenario(withIntent(), NOW.plusSeconds(5)).remoteJob(older).webhook(true)
          .submit(remote("accepted"));
      s.run();
      assertThat(s.calls).containsExactly("GET REPLAY_JOB", "GET WEBHOOK", "PUT");
    }

    @Test
    void aFinishedJobWithOurWindowUpdatedAfterTheIntentIsOurs() {
      RemoteReplayJob ours = new RemoteReplayJob(START, END, "completed", NOW.plusSeconds(3));
      DecisionScenario s = new DecisionScenario(withIntent(), NOW.plusSeconds(5)).remoteJob(ours)
          .webhookStatus(new WebhookStatus("active", true, NOW, 200, "OK"));
      Decision.Done done = s.run();
      assertThat(s.calls).containsExactly("GET REPLAY_JOB", "GET WEBHOOK_STATUS");
      assertThat(done.status().getPhase()).isEqualTo(Phase.Completed);
      assertThat(done.status().getAttempts()).isEqualTo(1);
    }

    /** The intent of an ambiguous PUT recorded while Konnect's clock (its Date) read {@code konnectClock}. */
    AuditLogReplayJob withIntentAt(Instant konnectClock) {
      DecisionScenario s = at(portalJob()).konnectClock(konnectClock).webhook(true)
          .submit(new KonnectException.Unavailable(0, "read timed out", null));
      AuditLogReplayJob job = withStatus(portalJob(), s.run().status());
      assertThat(job.getStatus().getIntent().getKonnectAfter())
          .isEqualTo(konnectClock.truncatedTo(java.time.temporal.ChronoUnit.SECONDS).plusSeconds(1).toString());
      return job;
    }

    @Test
    void withKonnectsClockBehindOursAJobItFinishedAfterThePutIsStillOurs() {
      // Konnect runs 10 minutes behind the operator: its updated_at is "before" the intent on the operator's clock
      Instant konnectNow = NOW.minusSeconds(600);
      RemoteReplayJob ours = new RemoteReplayJob(START, END, "completed", konnectNow.plusSeconds(4));
      DecisionScenario s = new DecisionScenario(withIntentAt(konnectNow), NOW.plusSeconds(5)).remoteJob(ours)
          .webhookStatus(new WebhookStatus("active", true, NOW, 200, "OK"));
      Decision.Done done = s.run();
      assertThat(s.calls).as("adopted, not sent twice").containsExactly("GET REPLAY_JOB", "GET WEBHOOK_STATUS");
      assertThat(done.status().getPhase()).isEqualTo(Phase.Completed);
    }

    @Test
    void withKonnectsClockAheadOfOursAnEarlierJobWithOurWindowIsNotTakenForOurs() {
      // Konnect runs 10 minutes ahead: an earlier replay of the same window, finished before our intent, carries an
      // updated_at after the intent on the operator's clock
      Instant konnectNow = NOW.plusSeconds(600);
      RemoteReplayJob earlier = new RemoteReplayJob(START, END, "completed", konnectNow.minusSeconds(30));
      DecisionScenario s = new DecisionScenario(withIntentAt(konnectNow), NOW.plusSeconds(5)).remoteJob(earlier)
          .webhook(true).submit(remote("accepted"));
      s.run();
      assertThat(s.calls).as("our PUT never arrived: submitted").containsExactly("GET REPLAY_JOB", "GET WEBHOOK", "PUT");
    }

    @Test
    void afterAnAmbiguousPutAnotherRunningJobMeansBusy() {
      Decision.Done done = new DecisionScenario(withIntent(), NOW.plusSeconds(5)).remoteJob(otherWindow("running"))
          .run();
      assertThat(done.verdict().reason()).isEqualTo("RemoteBusy");
      assertThat(done.status().getIntent()).isNull();
    }

    @Test
    void anErrorWhileWaitingOnABusyTargetDoesNotForgetToReadFirst() {
      AuditLogReplayJob busy = withStatus(portalJob(), at(portalJob()).webhook(true)
          .submit(new KonnectException.Conflict("running")).run().status());
      AuditLogReplayJob limited = withStatus(portalJob(), at(busy)
          .remoteJob(new KonnectException.RateLimited("429", Duration.ofSeconds(1), false)).run().status());
      assertThat(StatusBuilder.mainReason(limited.getStatus())).isEqualTo("RateLimited");
      AuditLogReplayJob unavailable = withStatus(portalJob(), at(limited)
          .remoteJob(new KonnectException.Unavailable(503, "503", null)).run().status());

      DecisionScenario next = at(unavailable).remoteJob(otherWindow("running"));
      assertThat(next.run().verdict().reason()).isEqualTo("RemoteBusy");
      assertThat(next.calls).containsExactly("GET REPLAY_JOB");
    }

    @Test
    void afterA409TheNextTryReadsTheJobFirstAndDoesNotPutWhileItRuns() {
      AuditLogReplayJob busy = withStatus(portalJob(), at(portalJob()).webhook(true)
          .submit(new KonnectException.Conflict("running")).run().status());
      DecisionScenario stillBusy = at(busy).remoteJob(otherWindow("running"));
      assertThat(stillBusy.run().verdict().reason()).isEqualTo("RemoteBusy");
      assertThat(stillBusy.calls).containsExactly("GET REPLAY_JOB");

      DecisionScenario free = at(busy).remoteJob(otherWindow("completed")).webhook(true).submit(remote("accepted"));
      assertThat(free.run().status().getPhase()).isEqualTo(Phase.Accepted);
      assertThat(free.calls).containsExactly("GET REPLAY_JOB", "GET WEBHOOK", "PUT");
    }
    @Test
    void whenTheHolderWasDeletedTheHeadReadsTheJobFirstAndWaitsWhileItRuns() {
      QueueSlot afterDeletion = QueueSlot.HEAD.readingFirst();
      DecisionScenario busy = at(portalJob()).slot(afterDeletion).remoteJob(otherWindow("running"));
      Decision.Done waiting = busy.run();
      assertThat(busy.calls).containsExactly("GET REPLAY_JOB");
      assertThat(waiting.verdict().reason()).isEqualTo("RemoteBusy");
      assertThat(waiting.status().getQueue().getBlockedBy()).isEqualTo("konnect");

      DecisionScenario free = at(portalJob()).slot(afterDeletion).remoteJob(otherWindow("completed")).webhook(true)
          .submit(remote("accepted"));
      assertThat(free.run().status().getPhase()).isEqualTo(Phase.Accepted);
      assertThat(free.calls).containsExactly("GET REPLAY_JOB", "GET WEBHOOK", "PUT");

      // Deleted and created again with the same window: the running job is this request's, adopted, not sent again.
      DecisionScenario recreated = at(portalJob()).slot(afterDeletion).remoteJob(remote("running"));
      Decision.Done adopted = recreated.run();
      assertThat(recreated.calls).containsExactly("GET REPLAY_JOB");
      assertThat(adopted.verdict().reason()).isEqualTo("Adopted");
      assertThat(adopted.status().getAttempts()).isEqualTo(1);
    }
  }

  @Nested
  class InvalidRequests {

    @Test
    void invalidSpecFailsWithoutAnyCall() {
      AuditLogReplayJob bad = job("bad").portal("not-a-uuid").window(START, END).build();
      DecisionScenario s = at(bad);
      Decision.Done done = s.run();
      assertThat(s.calls).isEmpty();
      assertConditions(done.status(), "InvalidSpec", "False", "False", "True", "False", "True");
      assertThat(condition(done.status(), "Failed").getMessage()).contains("spec.portalID");
    }

    @Test
    void serverUrlOutsideTheAllowListStallsWithoutAnyCall() {
      AuditLogReplayJob evil = job("evil").portal(PORTAL).window(START, END).server("https://evil.example.com").build();
      DecisionScenario s = at(evil);
      Decision.Done done = s.run();
      assertThat(s.calls).isEmpty();
      assertConditions(done.status(), "ServerURLNotAllowed", "False", "False", "True", "False", "False");
      assertThat(done.status().getPhase()).isEqualTo(Phase.Queued);
    }

    @Test
    void fixingAnInvalidSpecStartsANewRequest() {
      AuditLogReplayJob bad = job("bad").portal(PORTAL).window(START, END).backoffLimit(9).build();
      AuditLogReplayJob failed = withStatus(bad, at(bad).run().status());
      failed.getSpec().setBackoffLimit(1);
      DecisionScenario s = at(failed).webhook(true).submit(remote("accepted"));
      assertThat(s.run().status().getPhase()).isEqualTo(Phase.Accepted);
    }
  }

  @Test
  void lastTransitionTimeIsKeptWhileAConditionKeepsItsStatus() {
    AuditLogReplayJob accepted = accepted(portalJob());
    Decision.Done running = new DecisionScenario(accepted, NOW.plusSeconds(7)).remoteJob(remote("running")).run();
    assertThat(condition(running.status(), "Reconciling").getLastTransitionTime())
        .isEqualTo(condition(accepted.getStatus(), "Reconciling").getLastTransitionTime());
    Decision.Done completed = new DecisionScenario(withStatus(accepted, running.status()), NOW.plusSeconds(20))
        .remoteJob(remote("completed")).webhookStatus(new WebhookStatus("active", true, NOW, 200, "OK")).run();
    assertThat(condition(completed.status(), "Ready").getLastTransitionTime()).isEqualTo("2026-11-22T12:00:20Z");
  }

  @Test
  void errorBackoffDoublesAndIsCapped() {
    assertThat(ReplayDecision.errorBackoff(0, 0.5)).isEqualTo(Duration.ofSeconds(1));
    assertThat(ReplayDecision.errorBackoff(4, 0.5)).isEqualTo(Duration.ofSeconds(16));
    assertThat(ReplayDecision.errorBackoff(30, 0.5)).isEqualTo(Duration.ofMinutes(5));
    assertThat(ReplayDecision.errorBackoff(2, 0.0)).isEqualTo(Duration.ofMillis(3200));
    assertThat(ReplayDecision.errorBackoff(2, 0.999)).isLessThan(Duration.ofMillis(4800));
  }

  static Decision.Done completed(AuditLogReplayJob job) {
    return at(accepted(job)).remoteJob(remote("completed"))
        .webhookStatus(new WebhookStatus("active", true, NOW.minusSeconds(2), 200, "OK")).run();
  }
}
