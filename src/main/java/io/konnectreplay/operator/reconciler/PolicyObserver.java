package io.konnectreplay.operator.reconciler;

/** What the policy controller reports to metrics. */
public interface PolicyObserver {
  PolicyObserver NONE = new PolicyObserver() {};

  /** A replay the policy created completed: its gap is healed. */
  default void gapHealed(String target) {}

  /** Seconds of audit events a gap lost to Konnect's retention. */
  default void dataLost(String target, long seconds) {}

  /** One status write of a policy. */
  default void policyStatusWritten() {}
}
