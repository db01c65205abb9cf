package io.konnectreplay.operator.it;

import io.konnectreplay.operator.emulator.ReplayDelivery;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A webhook delivery for lifecycle tests: succeeds, except for targets told to fail, and records every window it
 * was asked to deliver (what the webhook would have received).
 */
public final class ScriptedDelivery implements ReplayDelivery {
  record Delivered(String region, String portalId, Instant from, Instant to) {}

  final List<Delivered> delivered = new CopyOnWriteArrayList<>();
  final Set<String> failingPortals = ConcurrentHashMap.newKeySet();
  private final java.util.Map<Instant, java.util.concurrent.CountDownLatch> holds = new ConcurrentHashMap<>();

  /** Keeps jobs whose window starts at {@code start} running (delivering) until {@link #release}. */
  void hold(Instant start) { holds.put(start, new java.util.concurrent.CountDownLatch(1)); }

  void release(Instant start) {
    java.util.concurrent.CountDownLatch latch = holds.remove(start);
    if (latch != null) latch.countDown();
  }

  @Override
  public DeliveryResult deliver(String region, String portalId, WebhookConfig webhook, Instant from, Instant to) {
    delivered.add(new Delivered(region, portalId, from, to));
    java.util.concurrent.CountDownLatch hold = holds.get(from);
    if (hold != null) {
      try {
        hold.await(60, java.util.concurrent.TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (portalId != null && failingPortals.contains(portalId)) {
      return new DeliveryResult(false, 503, "Service Unavailable", Clock.systemUTC().instant(), 0);
    }
    return new DeliveryResult(true, 200, "OK", Clock.systemUTC().instant(), 12);
  }

  @Override
  public String jwksJson() { return "{\"keys\":[]}"; }
}
