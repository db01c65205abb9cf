package io.konnectreplay.operator.reconciler;

import io.javaoperatorsdk.operator.processing.event.Event;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.AbstractEventSource;
import io.konnectreplay.operator.api.v1alpha1.AuditLogReplayJob;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Wakes the next request of a target when the one before it frees the target, so it is submitted at once instead of
 * at its next periodic check. The wake-up waits until the informer cache shows the freed request as written:
 * woken earlier, the next request would still see its predecessor active and go back to sleep.
 */
public final class TargetWakeUps extends AbstractEventSource<Void, AuditLogReplayJob> {
  private static final long CHECK_MILLIS = 20;
  private static final long GIVE_UP_MILLIS = 5_000;

  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "target-wake-ups");
    t.setDaemon(true);
    return t;
  });

  public TargetWakeUps() { super(Void.class, "target-wake-ups"); }

  @Override
  public Set<Void> getSecondaryResources(AuditLogReplayJob primary) { return Set.of(); }

  /**
   * Wakes each of {@code next} once {@code cache} holds {@code freed} at {@code resourceVersion}, or no longer holds
   * it (deleted), or after a few seconds.
   */
  public void wakeWhenCached(java.util.List<AuditLogReplayJob> next, AuditLogReplayJob freed, String resourceVersion,
      Function<ResourceID, Optional<AuditLogReplayJob>> cache) {
    if (next.isEmpty()) return;
    ResourceID freedId = ResourceID.fromResource(freed);
    java.util.List<ResourceID> nextIds = next.stream().map(ResourceID::fromResource).toList();
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(GIVE_UP_MILLIS);
    Runnable check = new Runnable() {
      @Override
      public void run() {
        boolean cached = cache.apply(freedId).map(j -> Objects.equals(j.getMetadata().getResourceVersion(),
            resourceVersion)).orElse(true);
        if (cached || System.nanoTime() > deadline) {
          if (isRunning() && getEventHandler() != null) {
            for (ResourceID id : nextIds) getEventHandler().handleEvent(new Event(id));
          }
        } else {
          timer.schedule(this, CHECK_MILLIS, TimeUnit.MILLISECONDS);
        }
      }
    };
    timer.execute(check);
  }

  @Override
  public void stop() {
    timer.shutdownNow();
    super.stop();
  }
}
