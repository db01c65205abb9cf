package io.konnectreplay.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.konnectreplay.operator.api.v1alpha1.AuditLogReplayPolicy;
import io.konnectreplay.operator.api.v1alpha1.AuditLogReplayPolicySpec;
import io.konnectreplay.operator.api.v1alpha1.AuditLogReplayPolicyStatus;
import io.konnectreplay.operator.api.v1alpha1.KonnectSettings;
import io.konnectreplay.operator.api.v1alpha1.Phase;
import io.konnectreplay.operator.api.v1alpha1.SecretKeyRef;
import io.konnectreplay.operator.konnect.WebhookStatus;
import io.konnectreplay.operator.reconciler.PolicyDecision.Check;
import io.konnectreplay.operator.reconciler.PolicyDecision.OwnedJob;
import io.konnectreplay.operator.reconciler.PolicyDecision.Result;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Observations of the webhook → what the policy does, step by step from its own status. */
class PolicyDecisionTest {

  static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");
  static final Duration REFRESH = Duration.ofMinutes(10);

  static final WebhookStatus OK = new WebhookStatus("active", true, T0, 200, "OK");
  static final WebhookStatus FAILING = new WebhookStatus("active", true, T0, 503, "unavailable");
  static final WebhookStatus INACTIVE = new WebhookStatus("inactive", true, T0, 200, "OK");
  static final WebhookStatus DISABLED = new WebhookStatus("active", false, null, null, null);
  static final WebhookStatus NO_ATTEMPT = new WebhookStatus("active", true, null, null, null);

  static Stream<Arguments> healthRules() {
    return Stream.of(
        Arguments.of("2xx", OK, true),
        Arguments.of("204", new WebhookStatus("active", true, T0, 204, null), true),
        Arguments.of("5xx", FAILING, false),
        Arguments.of("4xx", new WebhookStatus("active", true, T0, 404, null), false),
        Arguments.of("inactive", INACTIVE, false),
        Arguments.of("disabled", DISABLED, false),
        Arguments.of("enabled unknown", new WebhookStatus("active", null, null, null, null), false),
        Arguments.of("no attempt yet", NO_ATTEMPT, true),
        Arguments.of("attempted without a code", new WebhookStatus("active", true, T0, null, null), false));
  }

  @ParameterizedTest(name = "{0} → healthy={2}")
  @MethodSource("healthRules")
  void healthyIsEnabledNotInactiveAnd2xxOrNoAttempt(String name, WebhookStatus status, boolean healthy) {
    assertThat(PolicyDecision.healthy(status)).isEqualTo(healthy);
  }

  /** One policy, stepped through checks as the reconciler would: each result's status becomes the next input. */
  static final class Run {
    AuditLogReplayPolicy policy = policy("5m");
    List<OwnedJob> owned = new ArrayList<>();
    Instant lastHealthy;
    int writes;
    List<PolicyDecision.NewJob> created = new ArrayList<>();

    Result at(Instant now, WebhookStatus w) { return at(now, Check.of(w)); }

    Result at(Instant now, Check check) {
      Result r = PolicyDecision.decide(new PolicyDecision.Input(policy, "us/org", check, owned, now, REFRESH,
          lastHealthy));
      if (check.webhook() != null && PolicyDecision.healthy(check.webhook())) lastHealthy = now;
      if (r.write()) {
        writes++;
        policy.setStatus(r.status());
      }
      if (r.create() != null) created.add(r.create());
      return r;
    }
  }

  static AuditLogReplayPolicy policy(String margin) {
    AuditLogReplayPolicy p = new AuditLogReplayPolicy();
    p.setMetadata(new ObjectMetaBuilder().withName("us-org").withNamespace("platform").withGeneration(1L).build());
    AuditLogReplayPolicySpec spec = new AuditLogReplayPolicySpec();
    spec.setRegion("us");
    spec.setKonnect(new KonnectSettings(new SecretKeyRef("konnect-token", "token"), null));
    spec.setCheckInterval("1m");
    spec.setMargin(margin);
    p.setSpec(spec);
    return p;
  }

  static Instant min(long minutes) { return T0.plus(Duration.ofMinutes(minutes)); }

  static Condition condition(AuditLogReplayPolicyStatus s, String type) {
    return s.getConditions().stream().filter(c -> type.equals(c.getType())).findFirst().orElseThrow();
  }

  @Test
  void healthyAtRestWritesOnlyTheFirstTimeAndOnTheRefresh() {
    Run run = new Run();
    Result first = run.at(T0, OK);
    assertThat(first.write()).isTrue();
    assertThat(first.requeueAfter()).isEqualTo(Duration.ofMinutes(1));
    assertThat(condition(first.status(), "Ready").getStatus()).isEqualTo("True");
    assertThat(condition(first.status(), "Ready").getReason()).isEqualTo("Healthy");
    assertThat(first.status().getObservedThrough()).isEqualTo("2026-12-01T10:00:00Z");
    for (int m = 1; m < 10; m++) {
      Result r = run.at(min(m), new WebhookStatus("active", true, min(m), 200, "OK"));
      assertThat(r.write()).as("check at minute %d", m).isFalse();
      assertThat(r.create()).isNull();
    }
    Result refresh = run.at(min(10), OK);
    assertThat(refresh.write()).isTrue();
    assertThat(refresh.status().getObservedThrough()).isEqualTo("2026-12-01T10:10:00Z");
    assertThat(refresh.status().getLastHealthyAt()).isEqualTo("2026-12-01T10:10:00Z");
    assertThat(run.writes).isEqualTo(2);
    assertThat(run.created).isEmpty();
  }

  static Stream<Arguments> unhealthyObservations() {
    return Stream.of(Arguments.of("5xx", FAILING), Arguments.of("inactive", INACTIVE),
        Arguments.of("disabled", DISABLED));
  }

  @ParameterizedTest(name = "{0}: a gap from the last healthy check, then one replay of [start − margin, end + margin]")
  @MethodSource("unhealthyObservations")
  void anOutageOpensAGapAndTheRecoveryCreatesOneReplay(String name, WebhookStatus bad) {
    Run run = new Run();
    run.at(T0, OK);
    run.at(min(1), OK);
    Result opened = run.at(min(2), bad);
    assertThat(opened.write()).isTrue();
    assertThat(opened.status().getOpenGap().getSince()).isEqualTo("2026-12-01T10:01:00Z");
    assertThat(opened.notes()).extracting(PolicyDecision.Note::reason).containsExactly("GapOpened");
    assertThat(condition(opened.status(), "Ready").getReason()).isEqualTo("GapOpen");
    assertThat(run.at(min(3), bad).write()).as("still the same gap").isFalse();

    Result recovering = run.at(min(20), OK);
    assertThat(recovering.create()).isNull();
    assertThat(recovering.status().getOpenGap().getHealthySince()).isEqualTo("2026-12-01T10:20:00Z");
    assertThat(condition(recovering.status(), "Ready").getReason()).isEqualTo("Recovering");
    assertThat(run.at(min(22), OK).create()).isNull();

    Result closed = run.at(min(25), OK);
    assertThat(closed.create()).isEqualTo(new PolicyDecision.NewJob(PolicyDecision.jobName("us-org", min(1)),
        Instant.parse("2026-12-01T09:56:00Z"), Instant.parse("2026-12-01T10:25:00Z")));
    assertThat(closed.status().getOpenGap()).isNull();
    assertThat(closed.status().getGaps()).singleElement().satisfies(g -> {
      assertThat(g.getStartAt()).isEqualTo("2026-12-01T10:01:00Z");
      assertThat(g.getEndAt()).isEqualTo("2026-12-01T10:20:00Z");
      assertThat(g.getJob()).isEqualTo(closed.create().name());
      assertThat(g.getLostUntil()).isNull();
    });
    assertThat(condition(closed.status(), "Healing").getStatus()).isEqualTo("True");
    assertThat(condition(closed.status(), "DataLost").getStatus()).isEqualTo("False");

    run.owned.add(new OwnedJob(closed.create().name(), Phase.Running, null));
    assertThat(run.at(min(26), OK).create()).isNull();
    run.owned.set(0, new OwnedJob(closed.create().name(), Phase.Completed, min(27)));
    Result healed = run.at(min(28), OK);
    assertThat(healed.healed()).isEqualTo(1);
    assertThat(healed.notes()).extracting(PolicyDecision.Note::reason).containsExactly("GapHealed");
    assertThat(condition(healed.status(), "Ready").getReason()).isEqualTo("Healthy");
    assertThat(condition(healed.status(), "Healing").getStatus()).isEqualTo("False");
    assertThat(run.created).hasSize(1);
  }

  @Test
  void marginZeroClosesTheGapAtTheFirstHealthyCheck() {
    Run run = new Run();
    run.policy = policy("0s");
    run.at(T0, OK);
    run.at(min(1), FAILING);
    Result closed = run.at(min(5), OK);
    assertThat(closed.create()).isEqualTo(new PolicyDecision.NewJob(PolicyDecision.jobName("us-org", T0), T0, min(5)));
  }

  @Test
  void flappingWithinMarginIsOneReplay() {
    Run run = new Run();
    run.at(T0, OK);
    run.at(min(1), FAILING);
    run.at(min(3), OK);
    run.at(min(4), FAILING);
    run.at(min(6), OK);
    run.at(min(7), INACTIVE);
    run.at(min(9), OK);
    run.at(min(13), OK);
    assertThat(run.created).isEmpty();
    run.at(min(14), OK);
    assertThat(run.created).containsExactly(new PolicyDecision.NewJob(PolicyDecision.jobName("us-org", T0),
        min(-5), min(14)));
  }

  @Test
  void aRestartFromTheStatusContinuesTheSameGapWithTheSameJobName() {
    Run run = new Run();
    run.at(T0, OK);
    run.at(min(1), FAILING);
    AuditLogReplayPolicyStatus stored = PolicyDecision.copy(run.policy.getStatus());
    // a new process: no memory, only the stored status
    Run restarted = new Run();
    restarted.policy = run.policy;
    restarted.at(min(2), FAILING);
    restarted.at(min(3), OK);
    restarted.at(min(8), OK);
    assertThat(restarted.created).extracting(PolicyDecision.NewJob::name)
        .containsExactly(PolicyDecision.jobName("us-org", T0));
    // a crash before the status write: the same decision again names the same job (a re-create is a 409)
    Run again = new Run();
    again.policy = policy("5m");
    again.policy.setStatus(stored);
    again.at(min(2), FAILING);
    again.at(min(3), OK);
    again.at(min(8), OK);
    assertThat(again.created).isEqualTo(restarted.created);
  }

  @Test
  void anOrdinaryRestartReplaysNothingALongOperatorOutageIsAGap() {
    Run run = new Run();
    run.at(T0, OK);
    // unobserved for the refresh period plus 3 × checkInterval: nothing
    Result ordinary = run.at(min(13), OK);
    assertThat(ordinary.status().getOpenGap()).isNull();
    assertThat(ordinary.create()).isNull();
    // the status now says 10:13; an operator down until 10:40 (27 minutes > 13): healed like an outage
    Result back = run.at(min(40), OK);
    assertThat(back.status().getOpenGap().getSince()).isEqualTo("2026-12-01T10:13:00Z");
    assertThat(back.notes()).extracting(PolicyDecision.Note::reason).containsExactly("GapOpened");
    run.at(min(45), OK);
    assertThat(run.created).containsExactly(new PolicyDecision.NewJob(PolicyDecision.jobName("us-org", min(13)),
        min(8), min(45)));
  }

  @Test
  void aGapReachingPastRetentionReplaysTheRestAndSaysWhatIsLost() {
    Run run = new Run();
    run.at(T0, OK);
    run.at(min(1), FAILING);
    Instant back = T0.plus(Duration.ofDays(7)).plus(Duration.ofHours(1));
    run.at(back, OK);
    Result closed = run.at(back.plus(Duration.ofMinutes(5)), OK);
    Instant now = back.plus(Duration.ofMinutes(5));
    // a job's window spans at most 167h (inside the retention less its safety): the replay starts there
    Instant oldest = now.minus(Duration.ofHours(167));
    assertThat(closed.create()).isEqualTo(new PolicyDecision.NewJob(PolicyDecision.jobName("us-org", T0), oldest, now));
    assertThat(closed.status().getGaps().get(0).getLostUntil()).isEqualTo(Times.format(oldest));
    assertThat(closed.lostSeconds()).isEqualTo(Duration.between(min(-5), oldest).getSeconds());
    Condition lost = condition(closed.status(), "DataLost");
    assertThat(lost.getStatus()).isEqualTo("True");
    assertThat(lost.getReason()).isEqualTo("RetentionExceeded");
    assertThat(lost.getMessage()).contains(Times.format(oldest));
    assertThat(closed.notes()).extracting(PolicyDecision.Note::reason).containsExactly("DataLost");
    assertThat(closed.notes().get(0).message()).contains("2026-12-01T09:55:00Z", Times.format(oldest));
  }

  @Test
  void aGapWhollyPastRetentionCreatesNoJob() {
    Run run = new Run();
    run.policy = policy("0s");
    run.at(T0, OK);
    run.at(min(1), FAILING);
    // the operator's own status says the gap opened at T0; recovery 8 days later is still a gap, but all lost
    run.policy.getStatus().getOpenGap().setSince(Times.format(T0.minus(Duration.ofDays(9))));
    run.policy.getStatus().getOpenGap().setHealthySince(Times.format(T0.minus(Duration.ofDays(8))));
    Result closed = run.at(min(2), OK);
    assertThat(closed.create()).isNull();
    assertThat(closed.status().getGaps()).singleElement().satisfies(g -> {
      assertThat(g.getJob()).isNull();
      assertThat(g.getLostUntil()).isEqualTo(Times.format(T0.minus(Duration.ofDays(8))));
    });
    assertThat(condition(closed.status(), "DataLost").getStatus()).isEqualTo("True");
  }

  @Test
  void aStalledCheckSaysWhyATransientOneChangesNothing() {
    Run run = new Run();
    run.at(T0, OK);
    Result transientFailure = run.at(min(1), Check.failed(new PolicyDecision.Problem("KonnectUnavailable", "503",
        false)));
    assertThat(transientFailure.write()).isFalse();
    assertThat(transientFailure.requeueAfter()).isEqualTo(Duration.ofMinutes(1));
    Result stalled = run.at(min(2), Check.failed(new PolicyDecision.Problem("Unauthorized", "401 from Konnect",
        true)));
    assertThat(stalled.write()).isTrue();
    assertThat(condition(stalled.status(), "Stalled").getStatus()).isEqualTo("True");
    assertThat(condition(stalled.status(), "Stalled").getReason()).isEqualTo("Unauthorized");
    assertThat(condition(stalled.status(), "Ready").getStatus()).isEqualTo("False");
    assertThat(stalled.status().getObservedThrough()).as("not refreshed while stalled")
        .isEqualTo("2026-12-01T10:00:00Z");
    // fixed an hour later: the unobserved hour is a gap
    Result fixed = run.at(min(60), OK);
    assertThat(fixed.status().getOpenGap().getSince()).isEqualTo("2026-12-01T10:00:00Z");
  }

  @Test
  void suspendChecksNothingAndTheSuspendedTimeIsNotAGap() {
    Run run = new Run();
    run.at(T0, OK);
    run.policy.getSpec().setSuspend(true);
    Result suspended = run.at(min(1), Check.failed(new PolicyDecision.Problem("unused", "", false)));
    assertThat(suspended.requeueAfter()).isNull();
    assertThat(condition(suspended.status(), "Ready").getReason()).isEqualTo("Suspended");
    assertThat(suspended.status().getObservedThrough()).isNull();
    run.policy.getSpec().setSuspend(false);
    Result resumed = run.at(min(120), OK);
    assertThat(resumed.status().getOpenGap()).isNull();
    assertThat(condition(resumed.status(), "Ready").getReason()).isEqualTo("Healthy");
  }

  @Test
  void historyLimitsKeepTheNewestFinishedReplays() {
    AuditLogReplayPolicySpec spec = policy("5m").getSpec();
    List<OwnedJob> owned = List.of(
        new OwnedJob("c1", Phase.Completed, min(1)), new OwnedJob("c2", Phase.Completed, min(2)),
        new OwnedJob("c3", Phase.Completed, min(3)), new OwnedJob("c4", Phase.Completed, min(4)),
        new OwnedJob("f1", Phase.Failed, min(1)), new OwnedJob("f2", Phase.Failed, min(2)),
        new OwnedJob("r1", Phase.Running, null), new OwnedJob("q1", Phase.Queued, null));
    assertThat(PolicyDecision.historyToDelete(spec, owned)).containsExactly("c1", "f1");
    spec.setSuccessfulJobsHistoryLimit(0);
    spec.setFailedJobsHistoryLimit(0);
    assertThat(PolicyDecision.historyToDelete(spec, owned)).containsExactly("c1", "c2", "c3", "c4", "f1", "f2");
  }

  @Test
  void statusKeepsTheLastTenGaps() {
    Run run = new Run();
    run.policy = policy("0s");
    run.at(T0, OK);
    for (int i = 0; i < 12; i++) {
      run.at(min(10L * i + 1), FAILING);
      run.at(min(10L * i + 2), OK);
    }
    assertThat(run.created).hasSize(12).extracting(PolicyDecision.NewJob::name).doesNotHaveDuplicates();
    assertThat(run.policy.getStatus().getGaps()).hasSize(10);
    assertThat(run.policy.getStatus().getGaps().get(9).getJob()).isEqualTo(run.created.get(11).name());
  }

  @Test
  void jobNamesAreDeterministicAndBounded() {
    assertThat(PolicyDecision.jobName("us-org", T0)).isEqualTo(PolicyDecision.jobName("us-org", T0))
        .isNotEqualTo(PolicyDecision.jobName("us-org", T0.plusSeconds(1))).matches("us-org-[0-9a-f]{10}");
    assertThat(PolicyDecision.jobName("p".repeat(253), T0)).hasSizeLessThanOrEqualTo(253);
  }

  /** kstatus' generic rules (Flux, Helm --wait): generation observed, and Failed only while Stalled=True. */
  @Test
  void kstatusReadsAPolicyAsCurrentOnceObservedAndFailedOnlyWhileStalled() {
    Run run = new Run();
    run.policy.getMetadata().setGeneration(3L);
    Result healthy = run.at(T0, OK);
    assertThat(healthy.status().getObservedGeneration()).isEqualTo(3L);
    assertThat(healthy.status().getConditions()).allSatisfy(c -> assertThat(c.getObservedGeneration()).isEqualTo(3L))
        .noneMatch(c -> c.getType().equals("Reconciling"));
    assertThat(condition(healthy.status(), "Stalled").getStatus()).isEqualTo("False");
    Result gap = run.at(min(1), FAILING);
    assertThat(condition(gap.status(), "Stalled").getStatus()).as("an outage is not the policy's failure")
        .isEqualTo("False");
    Result stalled = run.at(min(2), Check.failed(new PolicyDecision.Problem("Forbidden", "403", true)));
    assertThat(condition(stalled.status(), "Stalled").getStatus()).isEqualTo("True");
    assertThat(stalled.status().getOpenGap()).as("the gap is kept while stalled").isNotNull();
  }
}
