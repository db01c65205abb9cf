package io.konnectreplay.operator.reconciler;

import io.konnectreplay.operator.api.v1alpha1.AuditLogReplayJob;
import io.konnectreplay.operator.api.v1alpha1.AuditLogReplayJobStatus;
import io.konnectreplay.operator.konnect.RemoteReplayJob;
import io.konnectreplay.operator.konnect.ReplayWindowRange;

/**
 * One reconcile of one request, straight through: observe (Konnect is read only where the decision asks), decide,
 * at most one Konnect write (the PUT, after its intent is recorded), and the status to record. The reconciler and
 * the decision tests both run this sequence.
 */
final class ReplayCycle {

  /** Konnect for one request's target and token. */
  interface Konnect {
    Observation observation();

    Observation.Result<RemoteReplayJob> submit(ReplayWindowRange window);
  }

  /** Writes a status with the submission intent, optimistically; a stale copy fails here, before any PUT. */
  interface IntentWriter {
    AuditLogReplayJob write(AuditLogReplayJob job, AuditLogReplayJobStatus statusWithIntent);
  }

  /**
   * The end of a cycle.
   *
   * @param job the resource as last written (with the intent, when one was written)
   * @param done the status to record and when to come back
   */
  record Outcome(AuditLogReplayJob job, Decision.Done done) {}

  private ReplayCycle() {}

  static Outcome run(ReplayDecision.Input in, Konnect konnect, IntentWriter intents, RequestPlanner planner) {
    Decision decision = ReplayDecision.decide(in);
    if (decision instanceof Decision.Done done) return new Outcome(in.job(), done);
    Decision.Submit submit = (Decision.Submit) decision;
    AuditLogReplayJob written = intents.write(in.job(), submit.statusWithIntent());
    RequestPlan plan = planner.plan(written, in.now()); // the status now describes this request
    ReplayRequest request = ((RequestPlan.Valid) plan).request();
    Observation.Result<RemoteReplayJob> answer = konnect.submit(request.window());
    return new Outcome(written, ReplayDecision.submitted(in.after(written, plan), answer));
  }
}
