package io.konnectreplay.operator.reconciler;

import io.javaoperatorsdk.operator.processing.event.Event;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.AbstractEventSource;
import io.konnectreplay.operator.api.v1alpha1.AuditLogReplayJob;
import java.util.Collection;

/**
 * Lets the reconciler wake the other requests of a target when it frees it, so the next one in line is submitted at
 * once instead of at its next periodic check.
 */
public final class TargetWakeUps extends AbstractEventSource<Void, AuditLogReplayJob> {

  public TargetWakeUps() { super(Void.class, "target-wake-ups"); }

  @Override
  public java.util.Set<Void> getSecondaryResources(AuditLogReplayJob primary) { return java.util.Set.of(); }

  public void wake(Collection<AuditLogReplayJob> jobs, AuditLogReplayJob except) {
    if (!isRunning() || getEventHandler() == null) return;
    for (AuditLogReplayJob job : jobs) {
      if (job.getMetadata().getName().equals(except.getMetadata().getName())
          && job.getMetadata().getNamespace().equals(except.getMetadata().getNamespace())) {
        continue;
      }
      getEventHandler().handleEvent(new Event(ResourceID.fromResource(job)));
    }
  }
}
