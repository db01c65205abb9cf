package io.konnectreplay.operator.emulator;

import static org.assertj.core.api.Assertions.assertThat;

import io.konnectreplay.operator.emulator.ReplayDelivery.DeliveryResult;
import io.konnectreplay.operator.emulator.ReplayDelivery.WebhookConfig;
import io.konnectreplay.operator.emulator.SignedWebhookDelivery.Options;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** SignedWebhookDelivery against a WebhookReceiver over real HTTP on 127.0.0.1. */
class SignedWebhookDeliveryTest {

  private static final Instant NOW = Instant.parse("2026-11-21T12:00:00Z");
  private static final Instant FROM = NOW.minus(Duration.ofHours(3));
  private static final String TOKEN = "Bearer siem-token";
  private static final String PORTAL = "3e551b39-0f5e-4a84-b0a9-2d7b4b0e6a11";
  private static final Duration FAST = Duration.ofMillis(5);

  private final SyntheticAuditLog log =
      new SyntheticAuditLog(Clock.fixed(NOW, ZoneOffset.UTC), Duration.ofMinutes(1), 3);
  private final AuditLogSigner signer = AuditLogSigner.fromSeed(99L);
  /** Records the waits between retries instead of sleeping. */
  private final List<Duration> waits = new CopyOnWriteArrayList<>();
  private WebhookReceiver receiver;

  @BeforeEach
  void startReceiver() {
    receiver = WebhookReceiver.start(0, TOKEN, signer.jwksJson());
  }

  @AfterEach
  void stopReceiver() {
    receiver.close();
  }

  private SignedWebhookDelivery delivery(Options options) {
    return new SignedWebhookDelivery(log, signer, options, waits::add);
  }

  private static Options fastOptions() {
    return Options.defaults().withMaxBatchSize(50).withBaseRetryWait(FAST)
        .withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(5));
  }

  private WebhookConfig webhook(String format) {
    return new WebhookConfig(receiver.url().toString(), TOKEN, format, false);
  }

  @ParameterizedTest
  @ValueSource(strings = {"cef", "json", "cps"})
  void everyEventArrivesGzippedVerifiedAndOnce(String format) {
    DeliveryResult result = delivery(fastOptions()).deliver("us", null, webhook(format), FROM, NOW);

    assertThat(result).isEqualTo(new DeliveryResult(true, 200, "OK", NOW, 180));
    WebhookReceiver.Summary summary = receiver.summary();
    assertThat(summary.batches()).isEqualTo(4); // 50 + 50 + 50 + 30
    assertThat(summary.gzipBatches()).isEqualTo(4);
    assertThat(summary.eventsReceived()).isEqualTo(180);
    assertThat(summary.verified()).isEqualTo(180);
    assertThat(summary.rejected()).isZero();
    assertThat(summary.duplicates()).isZero();
    assertThat(summary.uniqueVerified()).isEqualTo(180);
    assertThat(summary.linesPerFormat()).containsEntry(format, 180L);
    assertThat(summary.verifiedPerTarget()).containsExactlyEntriesOf(java.util.Map.of("org:" + log.orgId(), 180L));
    assertThat(receiver.countVerifiedBetween(FROM, NOW)).isEqualTo(180);
    assertThat(receiver.countVerifiedBetween(FROM, FROM.plus(Duration.ofHours(1)))).isEqualTo(60);
    assertThat(receiver.lastBatchHeaders()).containsEntry("Content-Type", "text/plain")
        .containsEntry("Content-Encoding", "gzip");
    assertThat(waits).isEmpty();
  }

  @Test
  void aDenseLogIsSentInFullBatches() {
    SyntheticAuditLog dense = new SyntheticAuditLog(Clock.fixed(NOW, ZoneOffset.UTC), Duration.ofSeconds(1), 3);
    SignedWebhookDelivery delivery = new SignedWebhookDelivery(dense, signer, Options.defaults(), waits::add);

    Instant from = NOW.minus(Duration.ofMinutes(20));

    DeliveryResult result = delivery.deliver("us", null, webhook("json"), from, NOW);

    assertThat(result.delivered()).isTrue();
    assertThat(result.eventsSent()).isEqualTo(1200);
    assertThat(receiver.batches()).isEqualTo(12); // 100 per batch by default
    assertThat(receiver.uniqueVerified()).isEqualTo(1200);
  }

  @ParameterizedTest
  @ValueSource(strings = {"unconfigured", "ftp://example.com/x", ""})
  void anEndpointThatIsNotAnHttpUrlFailsTheDelivery(String endpoint) {
    DeliveryResult result = delivery(fastOptions())
        .deliver("us", null, new WebhookConfig(endpoint, TOKEN, "cef", false), FROM, NOW);

    assertThat(result.delivered()).isFalse();
    assertThat(result.lastResponseCode()).isZero();
    assertThat(result.lastResponseMessage()).contains("not an http(s) URL");
    assertThat(waits).isEmpty();
  }

  @Test
  void portalEventsAreCountedForThePortal() {
    DeliveryResult result = delivery(fastOptions()).deliver("eu", PORTAL, webhook("json"), FROM, NOW);

    assertThat(result.delivered()).isTrue();
    assertThat(receiver.verifiedPerTarget()).containsOnlyKeys("portal:" + PORTAL).containsEntry("portal:" + PORTAL, 180L);
    assertThat(receiver.countVerifiedBetween("portal:" + PORTAL, FROM, NOW)).isEqualTo(180);
    assertThat(receiver.countVerifiedBetween("org:" + log.orgId(), FROM, NOW)).isZero();
  }

  @Test
  void aWrongAuthorizationIsReportedAndNotRetried() {
    WebhookConfig wrong = new WebhookConfig(receiver.url().toString(), "Bearer wrong", "cef", false);

    DeliveryResult result = delivery(fastOptions()).deliver("us", null, wrong, FROM, NOW);

    assertThat(result.delivered()).isFalse();
    assertThat(result.lastResponseCode()).isEqualTo(401);
    assertThat(result.lastResponseMessage()).isEqualTo("Unauthorized");
    assertThat(result.lastAttemptAt()).isEqualTo(NOW);
    assertThat(result.eventsSent()).isZero();
    assertThat(receiver.unauthorized()).isEqualTo(1);
    assertThat(receiver.batches()).isZero();
    assertThat(waits).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(ints = {500, 429})
  void serverErrorsAndTooManyRequestsAreRetriedFourTimesWithKonnectsWaits(int code) {
    receiver.failNextBatches(100, code);

    DeliveryResult result = delivery(Options.defaults()).deliver("us", null, webhook("json"), FROM, NOW);

    assertThat(result.delivered()).isFalse();
    assertThat(result.lastResponseCode()).isEqualTo(code);
    assertThat(result.eventsSent()).isZero();
    assertThat(receiver.summary().faultsAnswered()).isEqualTo(5); // the first attempt and 4 retries
    assertThat(receiver.batches()).isZero();
    assertThat(waits).containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(4),
        Duration.ofSeconds(8));
  }

  @Test
  void aBatchThatSucceedsOnARetryIsDeliveredOnce() {
    receiver.failNextBatches(2, 500);
    // the real sleeper, with a fast base wait
    SignedWebhookDelivery delivery = new SignedWebhookDelivery(log, signer, fastOptions());

    DeliveryResult result = delivery.deliver("us", null, webhook("cef"), FROM, NOW);

    assertThat(result.delivered()).isTrue();
    assertThat(result.eventsSent()).isEqualTo(180);
    assertThat(receiver.summary().faultsAnswered()).isEqualTo(2);
    assertThat(receiver.uniqueVerified()).isEqualTo(180);
    assertThat(receiver.duplicates()).isZero();
  }

  @Test
  void waitsDoubleUpToTheMaximum() {
    Options options = Options.defaults().withBaseRetryWait(Duration.ofSeconds(10));

    assertThat(List.of(1, 2, 3, 4, 5)).map(options::waitBeforeRetry).containsExactly(Duration.ofSeconds(10),
        Duration.ofSeconds(20), Duration.ofSeconds(30), Duration.ofSeconds(30), Duration.ofSeconds(30));
  }

  @ParameterizedTest
  @ValueSource(ints = {400, 403, 404, 502, 503})
  void otherErrorsStopAtOnce(int code) {
    receiver.failNextBatches(1, code);

    DeliveryResult result = delivery(fastOptions()).deliver("us", null, webhook("cef"), FROM, NOW);

    assertThat(result.delivered()).isFalse();
    assertThat(result.lastResponseCode()).isEqualTo(code);
    assertThat(receiver.summary().faultsAnswered()).isEqualTo(1);
    assertThat(receiver.batches()).isZero(); // later batches are not sent either
    assertThat(waits).isEmpty();
  }

  @Test
  void aDroppedConnectionIsRetried() {
    receiver.dropNextConnections(1);

    DeliveryResult result = delivery(fastOptions()).deliver("us", null, webhook("json"), FROM, NOW);

    assertThat(result.delivered()).isTrue();
    assertThat(result.eventsSent()).isEqualTo(180);
    assertThat(receiver.summary().connectionsDropped()).isEqualTo(1);
    assertThat(receiver.uniqueVerified()).isEqualTo(180);
    assertThat(receiver.duplicates()).isZero();
    assertThat(waits).containsExactly(FAST);
  }

  @Test
  void anUnreachableEndpointGivesUpWithCodeZero() throws IOException {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = socket.getLocalPort();
    }
    WebhookConfig unreachable = new WebhookConfig("http://127.0.0.1:" + closedPort + "/audit-logs", TOKEN, "cef", false);

    DeliveryResult result = delivery(fastOptions()).deliver("us", null, unreachable, FROM, NOW);

    assertThat(result.delivered()).isFalse();
    assertThat(result.lastResponseCode()).isZero();
    assertThat(result.lastResponseMessage()).isNotBlank();
    assertThat(result.lastAttemptAt()).isEqualTo(NOW);
    assertThat(waits).hasSize(4);
  }

  @Test
  void aServerThatNeverAnswersTimesOutAndIsRetried() throws Exception {
    try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      List<Socket> accepted = new CopyOnWriteArrayList<>();
      Thread acceptor = new Thread(() -> {
        try {
          while (true) {
            accepted.add(silent.accept()); // never answers
          }
        } catch (IOException closed) {
          // the test is over
        }
      });
      acceptor.setDaemon(true);
      acceptor.start();
      Options options = fastOptions().withTimeouts(Duration.ofMillis(500), Duration.ofMillis(300));
      WebhookConfig config = new WebhookConfig("http://127.0.0.1:" + silent.getLocalPort() + "/", TOKEN, "cef", false);

      DeliveryResult result = delivery(options).deliver("us", null, config, FROM, NOW);

      assertThat(result.delivered()).isFalse();
      assertThat(result.lastResponseCode()).isZero();
      assertThat(result.lastResponseMessage()).containsIgnoringCase("timeout");
      assertThat(waits).hasSize(4);
      assertThat(accepted).hasSize(5);
      for (Socket socket : accepted) {
        socket.close();
      }
    }
  }

  @Test
  void aWindowDeliveredTwiceIsCountedAsDuplicates() {
    SignedWebhookDelivery delivery = delivery(fastOptions());

    delivery.deliver("us", null, webhook("cef"), FROM, NOW);
    DeliveryResult again = delivery.deliver("us", null, webhook("cef"), FROM, NOW);

    assertThat(again.delivered()).isTrue();
    assertThat(receiver.eventsReceived()).isEqualTo(360);
    assertThat(receiver.verified()).isEqualTo(360);
    assertThat(receiver.duplicates()).isEqualTo(180);
    assertThat(receiver.uniqueVerified()).isEqualTo(180);
    assertThat(receiver.countVerifiedBetween(FROM, NOW)).isEqualTo(180);
  }

  @Test
  void anEmptyWindowSendsNothing() {
    DeliveryResult result = delivery(fastOptions())
        .deliver("us", null, webhook("cef"), NOW.minus(Duration.ofDays(30)), NOW.minus(Duration.ofDays(20)));

    assertThat(result.delivered()).isTrue();
    assertThat(result.eventsSent()).isZero();
    assertThat(result.lastResponseCode()).isZero();
    assertThat(receiver.batches()).isZero();
  }

  @Test
  void jwksComesFromTheSigner() {
    assertThat(delivery(fastOptions()).jwksJson()).isEqualTo(signer.jwksJson());
  }
}
