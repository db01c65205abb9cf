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
final class ScriptedDelivery implements ReplayDelivery {
  record Delivered(String region, String portalId, Instant from, Instant to) {}

  final List<Delivered> delivered = new CopyOnWriteArrayList<>();
  final Set<String> failingPortals = ConcurrentHashMap.newKeySet();

  @Override
  public DeliveryResult deliver(String region, String portalId, WebhookConfig webhook, Instant from, Instant to) {
    delivered.add(new Delivered(region, portalId, from, to));
    if (portalId != null && failingPortals.contains(portalId)) {
      return new DeliveryResult(false, 503, "Service Unavailable", Clock.systemUTC().instant(), 0);
    }
    return new DeliveryResult(true, 200, "OK", Clock.systemUTC().instant(), 12);
  }

  @Override
  public String jwksJson() { return "{\"keys\":[]}"; }
}
