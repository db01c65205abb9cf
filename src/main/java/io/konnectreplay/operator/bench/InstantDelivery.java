package io.konnectreplay.operator.bench;

import io.konnectreplay.operator.emulator.ReplayDelivery;
import java.time.Instant;

/** A delivery that succeeds at once: what the webhook costs is not the operator's, so the benchmark leaves it out. */
final class InstantDelivery implements ReplayDelivery {
  @Override
  public DeliveryResult deliver(String region, String portalId, WebhookConfig webhook, Instant from, Instant to) {
    return new DeliveryResult(true, 200, "OK", Instant.now(), 1);
  }

  @Override
  public String jwksJson() {
    return "{\"keys\":[]}";
  }
}
