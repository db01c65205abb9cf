package io.konnectreplay.operator.reconciler;

import io.konnectreplay.operator.api.v1alpha1.AuditLogReplayJob;
import io.konnectreplay.operator.config.OperatorSettings;
import io.konnectreplay.operator.konnect.KonnectException;
import io.konnectreplay.operator.konnect.RemoteReplayJob;
import io.konnectreplay.operator.konnect.Webhook;
import io.konnectreplay.operator.konnect.WebhookStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Plays the reconciler's loop over {@link ReplayDecision} with canned Konnect answers, recording which calls the
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

  Decision.Done run() {
    RequestPlan plan = new RequestPlanner(SETTINGS).plan(job, now);
    Observation obs = Observation.NOTHING;
    for (int i = 0; i < 8; i++) {
      Decision d = ReplayDecision.decide(new ReplayDecision.Input(job, plan, slot, tokenProblem, obs, now,
          SETTINGS.pollIntervalMax(), failures, 0.5));
      if (d instanceof Decision.Done done) return done;
      if (d instanceof Decision.Fetch f) {
        calls.add("GET " + f.what());
        obs = switch (f.what()) {
          case REPLAY_JOB -> obs.withRemoteJob(required(remoteJob, "remote job"));
          case WEBHOOK -> obs.withWebhook(required(webhook, "webhook"));
          case WEBHOOK_STATUS -> obs.withWebhookStatus(required(webhookStatus, "webhook status"));
        };
      } else if (d instanceof Decision.Submit s) {
        calls.add("PUT");
        AuditLogReplayJob written = ReplayDecision.copyJob(job);
        written.setStatus(s.statusWithIntent());
        job = written;
        afterIntent = written;
        plan = new RequestPlanner(SETTINGS).plan(job, now);
        obs = obs.withSubmit(required(submit, "submit"));
      }
    }
    throw new AssertionError("decision did not settle");
  }

  private static <T> T required(T answer, String what) {
    if (answer == null) throw new AssertionError("the decision asked for the " + what + " but the scenario has none");
    return answer;
  }

  static Duration seconds(long s) { return Duration.ofSeconds(s); }
}
