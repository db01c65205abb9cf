package io.konnectreplay.operator.reconciler;

import io.konnectreplay.operator.api.v1alpha1.AuditLogReplayJobStatus;
import java.time.Duration;

/** What the reconciler does next: ask Konnect something, submit, or finish this reconcile. */
public sealed interface Decision {

  enum Read { REPLAY_JOB, WEBHOOK, WEBHOOK_STATUS }

  /** Read from Konnect, then decide again with the answer. */
  record Fetch(Read what) implements Decision {}

  /** Write {@code statusWithIntent} (optimistically), then PUT the window, then decide again with the answer. */
  record Submit(AuditLogReplayJobStatus statusWithIntent) implements Decision {}

  /**
   * Write {@code status} if it differs from the current one and come back after {@code requeueAfter} (null: only
   * when something changes).
   */
  record Done(AuditLogReplayJobStatus status, Verdict verdict, Duration requeueAfter) implements Decision {}
}
