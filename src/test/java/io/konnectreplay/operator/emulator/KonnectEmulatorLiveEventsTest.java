package io.konnectreplay.operator.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Live events flow to the webhook, an outage of the receiver shows in the webhook status, and a replay heals it. */
class KonnectEmulatorLiveEventsTest {
  static final String TOKEN = "kpat_live";
  static final String AUTHORIZATION = "Bearer siem";
  static final String STATUS = "/us/v3/audit-log-webhook/status";

  final AuditLogSigner signer = AuditLogSigner.fromSeed(13L);
  final SyntheticAuditLog log = new SyntheticAuditLog(Clock.systemUTC(), Duration.ofMillis(20), 0L);
  final SignedWebhookDelivery signed = new SignedWebhookDelivery(log, signer,
      SignedWebhookDelivery.Options.defaults().withBaseRetryWait(Duration.ofMillis(5)));
  final WebhookReceiver receiver = WebhookReceiver.start(0, AUTHORIZATION, signer.jwksJson());
  final String org = "org:" + log.orgId();
  KonnectEmulator konnect;
  EmulatorClient client;

  @AfterEach
  void close() {
    if (konnect != null) {
      konnect.close();
    }
    receiver.close();
  }

  private void start(ReplayDelivery delivery) {
    konnect = KonnectEmulator.builder().token(TOKEN).region("us").delivery(delivery)
        .liveEvents(Duration.ofMillis(100)).start()
        .configureOrgWebhook("us", receiver.url().toString(), AUTHORIZATION, "json", true);
    client = new EmulatorClient(konnect.baseUrl(), TOKEN);
  }

  private JsonNode status() {
    return client.get(STATUS).json();
  }

  /** Lets one live delivery through per permit, so the test decides how many failures there are. */
  static final class Gate implements ReplayDelivery {
    final ReplayDelivery inner;
    final Semaphore permits = new Semaphore(0);
    final AtomicInteger passed = new AtomicInteger();

    Gate(ReplayDelivery inner) {
      this.inner = inner;
    }

    @Override
    public DeliveryResult deliver(String region, String portalId, WebhookConfig webhook, Instant from, Instant to) {
      try {
        permits.acquire();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return new DeliveryResult(false, 0, "interrupted", Instant.now(), 0);
      }
      passed.incrementAndGet();
      return inner.deliver(region, portalId, webhook, from, to);
    }

    @Override
    public String jwksJson() {
      return inner.jwksJson();
    }
  }

  @Test
  void liveEventsAreOffByDefault() {
    FakeReplayDelivery fake = new FakeReplayDelivery();
    try (KonnectEmulator quiet = KonnectEmulator.builder().token(TOKEN).delivery(fake).start()) {
      quiet.configureOrgWebhook("us", receiver.url().toString(), AUTHORIZATION, "json", true);

      assertThat(quiet.liveEventInterval()).isNull();
      await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> fake.calls().isEmpty());
    }
  }

  @Test
  void theEmulatorStreamsSignedLiveEventsToTheWebhook() {
    start(signed);

    await().atMost(Duration.ofSeconds(10)).until(() -> receiver.verifiedPerTarget().getOrDefault(org, 0L) >= 20);
    assertThat(receiver.rejected()).isZero();
    assertThat(receiver.duplicates()).isZero();
    JsonNode status = status();
    assertThat(status.get("webhook_status").asText()).isEqualTo("active");
    assertThat(status.get("last_response_code").asInt()).isEqualTo(200);
    // one live delivery per target at a time, windows back to back: every event up to the latest one arrived
    Instant from = receiver.firstVerifiedAt(org);
    Instant to = receiver.lastVerifiedAt(org);
    assertThat(Duration.between(from, to)).isGreaterThan(Duration.ofMillis(300));
    assertThat(receiver.countVerifiedBetween(org, from, to)).isEqualTo(log.count("us", null, from, to));
  }

  @Test
  void nothingIsSentWhileTheWebhookIsDisabledSoDisablingMakesAGapToo() {
    start(signed);
    await().atMost(Duration.ofSeconds(10)).until(() -> receiver.verifiedPerTarget().getOrDefault(org, 0L) > 0);

    assertThat(client.patch("/us/v3/audit-log-webhook", "{\"enabled\":false}").status()).isEqualTo(200);
    Instant disabledAt = Instant.now();
    await().atMost(Duration.ofSeconds(10)).until(() -> log.count("us", null, disabledAt, Instant.now()) >= 10);
    Instant enabledAt = Instant.now();
    assertThat(client.patch("/us/v3/audit-log-webhook", "{\"enabled\":true}").status()).isEqualTo(200);
    await().atMost(Duration.ofSeconds(10)).until(() -> receiver.countVerifiedBetween(org, enabledAt,
        Instant.now()) > 0);

    assertThat(receiver.countVerifiedBetween(org, disabledAt, enabledAt)).isZero();
    assertThat(log.count("us", null, disabledAt, enabledAt)).isGreaterThanOrEqualTo(10);
    assertThat(receiver.outages()).isEmpty();
  }

  @Test
  void anOutageShowsAsFailuresThenInactiveAndOneSuccessMakesItActiveAgain() {
    Gate gate = new Gate(signed);
    start(gate);
    gate.permits.release();
    await().atMost(Duration.ofSeconds(10)).until(() -> status().path("last_response_code").asInt() == 200);

    receiver.down();
    gate.permits.release();
    await().atMost(Duration.ofSeconds(10)).until(() -> status().path("last_response_code").asInt() == 503);
    JsonNode afterOne = status();
    assertThat(afterOne.get("webhook_status").asText()).isEqualTo("active");
    assertThat(afterOne.get("webhook_enabled").asBoolean()).isTrue();

    gate.permits.release();
    await().atMost(Duration.ofSeconds(10)).until(() -> receiver.refusedWhileDown() == 2);
    gate.permits.release();
    await().atMost(Duration.ofSeconds(10)).until(() -> status().path("webhook_status").asText().equals("inactive"));
    JsonNode inactive = status();
    assertThat(inactive.get("last_response_code").asInt()).isEqualTo(503);
    assertThat(inactive.get("last_response_message").asText()).isEqualTo("Service Unavailable");
    // 503 is not retried by Konnect: one POST per delivery
    assertThat(receiver.refusedWhileDown()).isEqualTo(3);
    assertThat(gate.passed.get()).isEqualTo(4);

    receiver.up();
    gate.permits.release();
    await().atMost(Duration.ofSeconds(10)).until(() -> status().path("webhook_status").asText().equals("active"));
    assertThat(status().get("last_response_code").asInt()).isEqualTo(200);
  }

  @Test
  void withoutAReplayTheOutageLosesEventsAndAReplayOfItsWindowRecoversThemAll() {
    start(signed);
    await().atMost(Duration.ofSeconds(10)).until(() -> receiver.verifiedPerTarget().getOrDefault(org, 0L) > 0);

    receiver.down();
    await().atMost(Duration.ofSeconds(10)).until(() -> receiver.refusedWhileDown() >= 3);
    await().atMost(Duration.ofSeconds(10)).until(() -> status().path("webhook_status").asText().equals("inactive"));
    receiver.up();
    await().atMost(Duration.ofSeconds(10)).until(() -> status().path("webhook_status").asText().equals("active"));

    assertThat(receiver.outages()).singleElement().satisfies(o -> {
      assertThat(o.target()).isEqualTo(org);
      assertThat(o.to()).isAfter(o.from());
      assertThat(o.emitted()).isPositive();
      assertThat(o.recoveredLater()).isZero();
      assertThat(o.lost()).isEqualTo(o.emitted());
    });
    assertThat(receiver.lost()).isPositive();

    WebhookReceiver.Outage outage = receiver.outages().get(0);
    Instant start = outage.from().truncatedTo(ChronoUnit.SECONDS).minusSeconds(1);
    Instant end = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    assertThat(client.putWindow("/us/v2/audit-log-replay-job", start, end).status()).isEqualTo(202);
    await().atMost(Duration.ofSeconds(10)).until(() -> konnect.job("us", null).status(),
        s -> s.equals("completed") || s.equals("failed"));
    assertThat(konnect.job("us", null).status()).isEqualTo("completed");

    assertThat(receiver.outages()).singleElement().satisfies(o -> {
      assertThat(o.lost()).isZero();
      assertThat(o.recoveredLater()).isEqualTo(o.emitted()).isPositive();
    });
    assertThat(receiver.lost()).isZero();
    assertThat(receiver.rejected()).isZero();
    // the replay resent what had arrived live too: the receiver saw those twice and counts them once
    assertThat(receiver.duplicates()).isPositive();
    assertThat(receiver.countVerifiedBetween(org, start, end)).isEqualTo(log.count("us", null, start, end));
  }
}
