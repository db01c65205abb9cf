package io.konnectreplay.operator.api.v1alpha1;

/** Condition types and reasons of an AuditLogReplayJob. */
public final class Conditions {
  private Conditions() {}

  public static final String READY = "Ready";
  public static final String RECONCILING = "Reconciling";
  public static final String STALLED = "Stalled";
  public static final String COMPLETE = "Complete";
  public static final String FAILED = "Failed";

  public static final String TRUE = "True";
  public static final String FALSE = "False";
}
