package io.konnectreplay.operator.emulator;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Records each delivery and answers with the result the test chose (success by default). */
final class FakeReplayDelivery implements ReplayDelivery {
  static final String JWKS = "{\"keys\":[{\"kty\":\"OKP\",\"alg\":\"EdDSA\","
      + "\"kid\":\"3f60bc4376c937154f3c004ebd180433ac0d03e6\",\"crv\":\"Ed25519\","
      + "\"x\":\"XWxGtApfcqmKI7p0OKnF5JSEWMVoLsytFXLEP7xZ_l8\"}]}";

  record Call(String region, String portalId, WebhookConfig webhook, Instant from, Instant to) {}

  private final List<Call> calls = new CopyOnWriteArrayList<>();
  private volatile boolean succeed = true;
  private volatile int failureCode = 503;
  private volatile String failureMessage = "Service Unavailable";

  FakeReplayDelivery failWith(int code, String message) {
    this.succeed = false;
    this.failureCode = code;
    this.failureMessage = message;
    return this;
  }

  List<Call> calls() {
    return List.copyOf(calls);
  }

  @Override
  public DeliveryResult deliver(String region, String portalId, WebhookConfig webhook, Instant from, Instant to) {
    calls.add(new Call(region, portalId, webhook, from, to));
    Instant now = Instant.now();
    return succeed ? new DeliveryResult(true, 200, "OK", now, 42)
        : new DeliveryResult(false, failureCode, failureMessage, now, 0);
  }

  @Override
  public String jwksJson() {
    return JWKS;
  }
}
