package io.konnectreplay.operator.reconciler;

import io.konnectreplay.operator.api.v1alpha1.AuditLogReplayJob;
import io.konnectreplay.operator.config.OperatorSettings;
import io.konnectreplay.operator.konnect.KonnectException;
import io.konnectreplay.operator.konnect.RemoteReplayJob;
import io.konnectreplay.operator.konnect.ReplayWindowRange;
import io.konnectreplay.operator.konnect.Webhook;
import io.konnectreplay.operator.konnect.WebhookStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Runs the reconciler's cycle over {@link ReplayDecision} with canned Konnect answers, recording which calls the
 * decision asked for. An answer left unset fails the scenario if it is asked for.
 */
final class DecisionScenario {
  static final OperatorSettings SETTINGS = OperatorSettings.defaults(Map.of());

  private AuditLogReplayJob job;
  private final Instant now;
  private QueueSlot slot = QueueSlot.HEAD;
  private ReplayDecision.TokenProblem tokenProblem;
  private Observation.Result<RemoteReplayJob> remoteJob;
  private Observation.Result<Webhook> webhook;
  private Observation.Result<WebhookStatus> webhookStatus;
  private Observation.Result<RemoteReplayJob> submit;
  private int failures;
  private Instant konnectClock;
  final List<String> calls = new ArrayList<>();
  /** The job as it was after the intent write, when there was one. */
  AuditLogReplayJob afterIntent;

  DecisionScenario(AuditLogReplayJob job, Instant now) {
    this.job = job;
    this.now = now;
  }

  DecisionScenario slot(QueueSlot slot) { this.slot = slot; return this; }
  DecisionScenario tokenProblem(String reason) {
    this.tokenProblem = new ReplayDecision.TokenProblem(reason, reason + " message");
    return this;
  }
  DecisionScenario remoteJob(RemoteReplayJob job) { this.remoteJob = Observation.Result.ok(job); return this; }
  DecisionScenario remoteJob(KonnectException e) { this.remoteJob = Observation.Result.failed(e); return this; }
  DecisionScenario webhook(boolean enabled) {
    this.webhook = Observation.Result.ok(new Webhook(enabled, "https://siem.example.com/in", "json", null));
    return this;
  }
  DecisionScenario webhook(KonnectException e) { this.webhook = Observation.Result.failed(e); return this; }
  DecisionScenario webhookStatus(WebhookStatus s) { this.webhookStatus = Observation.Result.ok(s); return this; }
  DecisionScenario submit(RemoteReplayJob accepted) { this.submit = Observation.Result.ok(accepted); return this; }
  DecisionScenario submit(KonnectException e) { this.submit = Observation.Result.failed(e); return this; }
  DecisionScenario failures(int n) { this.failures = n; return this; }
  /** The latest Date Konnect answered with (its own clock). */
  DecisionScenario konnectClock(Instant clock) { this.konnectClock = clock; return this; }

  /** Runs the production cycle ({@link ReplayCycle}) with the canned answers. */
  Decision.Done run() {
    RequestPlanner planner = new RequestPlanner(SETTINGS);
    Observation observation = Observation.lazily(
        () -> { calls.add("GET REPLAY_JOB"); return required(remoteJob, "remote job"); },
        () -> { calls.add("GET WEBHOOK"); return required(webhook, "webhook"); },
        () -> { calls.add("GET WEBHOOK_STATUS"); return required(webhookStatus, "webhook status"); });
    ReplayCycle.Konnect konnect = new ReplayCycle.Konnect() {
      @Override public Observation observation() { return observation; }
      @Override public Observation.Result<RemoteReplayJob> submit(ReplayWindowRange window) {
        calls.add("PUT");
        return required(submit, "submit");
      }
    };
    ReplayDecision.Input in = new ReplayDecision.Input(job, planner.plan(job, now), slot, tokenProblem, observation,
        now, SETTINGS.pollIntervalMax(), failures, 0.5, konnectClock);
    ReplayCycle.Outcome outcome = ReplayCycle.run(in, konnect, (current, withIntent) -> {
      AuditLogReplayJob written = ReplayDecision.copyJob(current);
      written.setStatus(withIntent);
      afterIntent = written;
      return written;
    }, planner);
    job = outcome.job();
    return outcome.done();
  }

  private static <T> T required(T answer, String what) {
    if (answer == null) throw new AssertionError("the decision asked for the " + what + " but the scenario has none");
    return answer;
  }

  static Duration seconds(long s) { return Duration.ofSeconds(s); }
}
