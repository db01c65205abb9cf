package io.konnectreplay.operator.reconciler;

import io.konnectreplay.operator.api.v1alpha1.AuditLogReplayJobStatus;
import java.time.Duration;

/** What a reconcile ends with: a submission to make, or the status to record. */
public sealed interface Decision {

  /** Write {@code statusWithIntent} (optimistically), then PUT the window; the answer decides the status. */
  record Submit(AuditLogReplayJobStatus statusWithIntent) implements Decision {}

  /**
   * Write {@code status} if it differs from the current one and come back after {@code requeueAfter} (null: only
   * when something changes).
   */
  record Done(AuditLogReplayJobStatus status, Verdict verdict, Duration requeueAfter) implements Decision {}
}
