package io.konnectreplay.operator.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.konnectreplay.operator.TestJobs;
import io.konnectreplay.operator.api.v1alpha1.AuditLogReplayJob;
import io.konnectreplay.operator.api.v1alpha1.AuditLogReplayJobStatus;
import io.konnectreplay.operator.api.v1alpha1.Phase;
import io.konnectreplay.operator.reconciler.StatusBuilder;
import io.konnectreplay.operator.reconciler.Verdict;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReplayMetricsTest {
  static final Instant NOW = Instant.parse("2026-12-02T10:00:00Z");
  final ReplayMetrics metrics = new ReplayMetrics(Clock.fixed(NOW, ZoneOffset.UTC));
  final List<AuditLogReplayJob> jobs = new ArrayList<>();

  ReplayMetricsTest() {
    metrics.source(() -> jobs.stream(), j -> "t");
  }

  void add(String name, Phase phase, String reason, Verdict.Kind kind) {
    AuditLogReplayJob job = TestJobs.job(name).lookback("1h").build();
    AuditLogReplayJobStatus status = new AuditLogReplayJobStatus();
    StatusBuilder.apply(status, List.of(), new Verdict(phase, reason, "m", kind), 1, NOW);
    job.setStatus(status);
    jobs.add(job);
  }

  @Test
  void stalledRequestsAreCountedByReasonAndFailedOnesAreNot() {
    add("a", Phase.Queued, "SecretNotFound", Verdict.Kind.STALLED);
    add("b", Phase.Queued, "SecretNotFound", Verdict.Kind.STALLED);
    add("c", Phase.Queued, "Unauthorized", Verdict.Kind.STALLED);
    add("d", Phase.Failed, "WindowExpired", Verdict.Kind.FAILED);
    add("e", Phase.Running, "Running", Verdict.Kind.PROGRESS);

    String scrape = metrics.scrape();

    assertThat(scrape).contains("konnect_replay_stalled{reason=\"SecretNotFound\"} 2.0")
        .contains("konnect_replay_stalled{reason=\"Unauthorized\"} 1.0")
        .doesNotContain("konnect_replay_stalled{reason=\"WindowExpired\"}")
        .doesNotContain("konnect_replay_stalled{reason=\"Running\"}");
  }

  @Test
  void aReasonThatNoLongerStallsAnythingLeavesTheScrape() {
    add("a", Phase.Queued, "SecretNotFound", Verdict.Kind.STALLED);
    assertThat(metrics.scrape()).contains("konnect_replay_stalled{reason=\"SecretNotFound\"} 1.0");

    jobs.clear();
    add("a", Phase.Running, "Running", Verdict.Kind.PROGRESS);

    assertThat(metrics.scrape()).doesNotContain("konnect_replay_stalled{");
  }

  @Test
  void jvmAndProcessMetricsAreExposed() {
    assertThat(metrics.scrape()).contains("jvm_memory_used_bytes{", "jvm_threads_live_threads ", "process_cpu_usage ",
        "process_uptime_seconds ", "jvm_gc_");
  }

  static Verdict verdict(Phase phase, String reason, Verdict.Kind kind) {
    return new Verdict(phase, reason, "m", kind);
  }

  AuditLogReplayJob createdAgo(String name, java.time.Duration age) {
    AuditLogReplayJob job = TestJobs.job(name).lookback("1h").build();
    job.getMetadata().setCreationTimestamp(NOW.minus(age).toString());
    return job;
  }

  @Test
  void theLeaderGaugeFollowsLeadership() {
    assertThat(metrics.scrape()).contains("konnect_replay_leader 0.0");
    metrics.leading(true);
    assertThat(metrics.scrape()).contains("konnect_replay_leader 1.0");
    metrics.leading(false);
    assertThat(metrics.scrape()).contains("konnect_replay_leader 0.0");
  }

  @Test
  void failuresAreCountedByReasonOnceAndTheKnownReasonsStartAtZero() {
    assertThat(metrics.scrape()).contains("konnect_replay_failed_total{reason=\"RemoteFailed\"} 0.0",
        "konnect_replay_failed_total{reason=\"InvalidSpec\"} 0.0",
        "konnect_replay_failed_total{reason=\"WindowExpired\"} 0.0");
    AuditLogReplayJob job = createdAgo("f", java.time.Duration.ofMinutes(1));
    metrics.transition(job, Phase.Running, verdict(Phase.Failed, "RemoteFailed", Verdict.Kind.FAILED));
    metrics.transition(job, Phase.Failed, verdict(Phase.Failed, "RemoteFailed", Verdict.Kind.FAILED));
    metrics.transition(job, null, verdict(Phase.Failed, "InvalidSpec", Verdict.Kind.FAILED));

    assertThat(metrics.scrape()).contains("konnect_replay_failed_total{reason=\"RemoteFailed\"} 1.0",
        "konnect_replay_failed_total{reason=\"InvalidSpec\"} 1.0",
        "konnect_replay_failed_total{reason=\"WindowExpired\"} 0.0");
  }

  @Test
  void timeToSubmissionIsRecordedWhenKonnectFirstHoldsTheJob() {
    AuditLogReplayJob job = createdAgo("s", java.time.Duration.ofSeconds(90));
    metrics.transition(job, null, verdict(Phase.Queued, "Queued", Verdict.Kind.PROGRESS));
    metrics.transition(job, Phase.Queued, verdict(Phase.Accepted, "Submitted", Verdict.Kind.PROGRESS));
    metrics.transition(job, Phase.Accepted, verdict(Phase.Running, "Running", Verdict.Kind.PROGRESS));
    metrics.transition(job, Phase.Running, verdict(Phase.Running, "Retrying", Verdict.Kind.PROGRESS));

    String scrape = metrics.scrape();
    assertThat(scrape).contains("konnect_replay_creation_to_submission_seconds_count 1")
        .contains("konnect_replay_creation_to_submission_seconds_sum 90.0")
        .contains("konnect_replay_creation_to_completion_seconds_count 0");
  }

  @Test
  void requestsAreCountedByPhaseAndReason() {
    add("a", Phase.Queued, "SecretNotFound", Verdict.Kind.STALLED);
    add("b", Phase.Queued, "SecretNotFound", Verdict.Kind.STALLED);
    add("c", Phase.Queued, "RemoteBusy", Verdict.Kind.PROGRESS);
    add("d", Phase.Running, "Running", Verdict.Kind.PROGRESS);

    assertThat(metrics.scrape())
        .contains("konnect_replay_jobs_by_reason{phase=\"Queued\",reason=\"SecretNotFound\"} 2.0")
        .contains("konnect_replay_jobs_by_reason{phase=\"Queued\",reason=\"RemoteBusy\"} 1.0")
        .contains("konnect_replay_jobs_by_reason{phase=\"Running\",reason=\"Running\"} 1.0");

    jobs.remove(2);
    assertThat(metrics.scrape()).doesNotContain("reason=\"RemoteBusy\"");
  }

  @Test
  void policyGapsAreMeasuredPerTargetAndHealedAndLostAreCounted() {
    var policy = new io.konnectreplay.operator.api.v1alpha1.AuditLogReplayPolicy();
    var status = new io.konnectreplay.operator.api.v1alpha1.AuditLogReplayPolicyStatus();
    status.setTarget("us/org");
    status.setOpenGap(new io.konnectreplay.operator.api.v1alpha1.AuditLogReplayPolicyStatus.OpenGap(
        NOW.minusSeconds(600).toString(), null));
    policy.setStatus(status);
    var healthy = new io.konnectreplay.operator.api.v1alpha1.AuditLogReplayPolicy();
    healthy.setStatus(new io.konnectreplay.operator.api.v1alpha1.AuditLogReplayPolicyStatus());
    healthy.getStatus().setTarget("eu/org");
    metrics.policySource(() -> java.util.stream.Stream.of(policy, healthy));
    metrics.gapHealed("us/org");
    metrics.dataLost("us/org", 90);
    String scrape = metrics.scrape();
    assertThat(scrape).contains("konnect_replay_policy_open_gap_seconds{target=\"us/org\"} 600.0",
        "konnect_replay_policy_retention_remaining_seconds{target=\"us/org\"} " + (7 * 86400 - 600) + ".0",
        "konnect_replay_policy_gaps_healed_total{target=\"us/org\"} 1.0",
        "konnect_replay_policy_data_lost_seconds_total{target=\"us/org\"} 90.0");
    assertThat(scrape).doesNotContain("konnect_replay_policy_open_gap_seconds{target=\"eu/org\"}");
  }
}
