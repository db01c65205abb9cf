package io.konnectreplay.operator.reconciler;

/** What a resource's spec amounts to: a valid request, or a problem a person must fix. */
public sealed interface RequestPlan {

  /** A valid request. */
  record Valid(ReplayRequest request) implements RequestPlan {}

  /**
   * A spec the operator cannot act on. {@code terminal} problems end the request as Failed (they need a spec change);
   * the others (ServerURLNotAllowed) are Stalled and clear when the operator's settings change.
   */
  record Invalid(String reason, String message, boolean terminal) implements RequestPlan {}
}
