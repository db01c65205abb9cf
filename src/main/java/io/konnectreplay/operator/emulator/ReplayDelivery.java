package io.konnectreplay.operator.emulator;

import java.time.Instant;

/**
 * How the emulator re-sends the audit events of a replay window to a webhook, the way Konnect does: signed events,
 * batched, gzip, with Konnect's retry rules. The emulator's job engine calls it while a job runs.
 */
public interface ReplayDelivery {

  /**
   * Delivers the audit events of {@code [from, to)} of the target to the webhook and blocks until done or given up.
   *
   * @param region the region of the target
   * @param portalId the Dev Portal, or null for the organization
   */
  DeliveryResult deliver(String region, String portalId, WebhookConfig webhook, Instant from, Instant to);

  /**
   * Delivers live events of {@code [from, to)} (sent as they happen, not replayed): the same events, signatures and
   * batches as {@link #deliver}; an implementation may log less, as this runs on every tick.
   */
  default DeliveryResult deliverLive(String region, String portalId, WebhookConfig webhook, Instant from,
      Instant to) {
    return deliver(region, portalId, webhook, from, to);
  }

  /** The JWKS document ({"keys":[{"kty":"OKP","crv":"Ed25519",…}]}) whose key verifies the events' sig. */
  String jwksJson();

  /** Where to send events and how. {@code logFormat} is cef, json or cps. */
  record WebhookConfig(String endpoint, String authorization, String logFormat, boolean skipTlsVerification) {}

  /**
   * What happened: whether every batch was accepted, the last response (code 0 when no response came), and how many
   * events were sent.
   */
  record DeliveryResult(boolean delivered, int lastResponseCode, String lastResponseMessage, Instant lastAttemptAt,
      int eventsSent) {}
}
