package io.konnectreplay.operator.reconciler;

import io.konnectreplay.operator.api.v1alpha1.Phase;

/**
 * Where a request stands after a reconcile, in the words the conditions use.
 *
 * @param phase status.phase
 * @param reason the reason every condition carries
 * @param message what happened and what to do; never the token
 * @param kind which conditions are True
 */
public record Verdict(Phase phase, String reason, String message, Kind kind) {

  public enum Kind {
    /** Work under way: Reconciling=True. */
    PROGRESS,
    /** spec.suspend holds the request: nothing is True. */
    SUSPENDED,
    /** A person must act; the request is not over: Stalled=True. */
    STALLED,
    /** Terminal failure: Failed=True and Stalled=True. */
    FAILED,
    /** Konnect completed the replay: Ready=True and Complete=True. */
    COMPLETED
  }

  /** Kubernetes Event type for a transition into this verdict. */
  public String eventType() {
    return switch (kind) {
      case STALLED, FAILED -> "Warning";
      default -> switch (reason) {
        case Reasons.SUPERSEDED, Reasons.RATE_LIMITED, Reasons.KONNECT_UNAVAILABLE, Reasons.UNEXPECTED_RESPONSE,
            Reasons.RETRYING, Reasons.RECONCILE_ERROR -> "Warning";
        default -> "Normal";
      };
    };
  }
}
