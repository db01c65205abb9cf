package io.konnectreplay.operator.reconciler;

import io.konnectreplay.operator.api.v1alpha1.AuditLogReplayJob;
import io.konnectreplay.operator.api.v1alpha1.Phase;

/** What the reconciler reports to metrics. Every method defaults to doing nothing. */
public interface ReplayObserver {
  ReplayObserver NONE = new ReplayObserver() {};

  /** A status write reached the Kubernetes API. */
  default void statusWritten() {}

  /** A request moved from {@code from} (null when new) to the verdict's phase and reason. */
  default void transition(AuditLogReplayJob job, Phase from, Verdict to) {}

  /** This process now leads (true) or no longer does (false); without leader election it leads once started. */
  default void leading(boolean leader) {}
}
