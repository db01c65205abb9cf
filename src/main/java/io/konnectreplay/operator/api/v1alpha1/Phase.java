package io.konnectreplay.operator.api.v1alpha1;

/** Where a replay request stands. Before submission: Queued or Suspended; after, it mirrors Konnect. */
public enum Phase {
  Queued, Suspended, Accepted, Pending, Running, Completed, Failed;

  public boolean terminal() { return this == Completed || this == Failed; }

  /** Konnect knows about the request: it was accepted and has not ended. */
  public boolean active() { return this == Accepted || this == Pending || this == Running; }
}
