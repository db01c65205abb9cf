package io.konnectreplay.operator.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class KonnectEmulatorRequestLogTest {
  static final String TOKEN = "kpat_very_secret_token";
  static final String PORTAL = "3e551b39-0f5e-4a84-b0a9-2d7b4b0e6a11";
  static final Instant NOW = Instant.parse("2026-11-20T12:00:00Z");

  KonnectEmulator konnect;
  EmulatorClient client;

  @BeforeEach
  void start() {
    konnect = KonnectEmulator.builder().token(TOKEN).clock(Clock.fixed(NOW, ZoneOffset.UTC)).start()
        .addPortal("eu", PORTAL);
    client = new EmulatorClient(konnect.baseUrl(), TOKEN);
  }

  @AfterEach
  void stop() {
    konnect.close();
  }

  @Test
  void eachRequestIsRecordedWithItsRouteOutcomeAndWindow() {
    client.putWindow("/eu/v3/portals/" + PORTAL + "/audit-log-replay-job", NOW.minusSeconds(3600), NOW);
    client.withToken(null).get("/v2/audit-log-replay-job");

    assertThat(konnect.requests()).hasSize(2);
    RecordedRequest put = konnect.requests().get(0);
    assertThat(put.time()).isEqualTo(NOW);
    assertThat(put.method()).isEqualTo("PUT");
    assertThat(put.path()).isEqualTo("/eu/v3/portals/" + PORTAL + "/audit-log-replay-job");
    assertThat(put.kind()).isEqualTo(EndpointKind.REPLAY_JOB_PUT);
    assertThat(put.region()).isEqualTo("eu");
    assertThat(put.portalId()).isEqualTo(PORTAL);
    assertThat(put.status()).isEqualTo(202);
    assertThat(put.faulted()).isFalse();
    assertThat(put.authorized()).isTrue();
    assertThat(put.windowStart()).isEqualTo(NOW.minusSeconds(3600));
    assertThat(put.windowEnd()).isEqualTo(NOW);
    assertThat(put.external()).isFalse();

    RecordedRequest get = konnect.requests().get(1);
    assertThat(get.status()).isEqualTo(401);
    assertThat(get.authorized()).isFalse();
    assertThat(get.region()).isEqualTo("us");
    assertThat(get.portalId()).isNull();
    assertThat(get.windowStart()).isNull();
  }

  @Test
  void theTokenIsNeverRecorded() {
    client.get("/v2/audit-log-webhook");
    client.putWindow("/v2/audit-log-replay-job", NOW.minusSeconds(60), NOW);

    assertThat(konnect.requests().toString()).doesNotContain(TOKEN);
  }

  @Test
  void countsIgnoreExternalSubmissions() {
    client.get("/eu/v2/portals/" + PORTAL + "/audit-log-replay-job");
    client.get("/eu/v3/portals/" + PORTAL + "/audit-log-replay-job");
    konnect.submitExternalJob("eu", PORTAL, NOW.minusSeconds(60), NOW);

    assertThat(konnect.count("GET", EndpointKind.REPLAY_JOB_GET)).isEqualTo(2);
    assertThat(konnect.count("PUT", EndpointKind.REPLAY_JOB_PUT)).isZero();
    assertThat(konnect.count(null, EndpointKind.ANY)).isEqualTo(2);
    assertThat(konnect.requests()).last().satisfies(r -> {
      assertThat(r.external()).isTrue();
      assertThat(r.windowStart()).isEqualTo(NOW.minusSeconds(60));
    });
  }

  @Test
  void theLogIsImmutableAndClearable() {
    client.get("/v2/audit-log-webhook");

    assertThatThrownBy(() -> konnect.requests().clear()).isInstanceOf(UnsupportedOperationException.class);
    konnect.requestLog().clear();
    assertThat(konnect.requests()).isEmpty();
  }

  @Test
  void concurrentRequestsAreAllRecorded() {
    CompletableFuture<?>[] all = IntStream.range(0, 40)
        .mapToObj(i -> CompletableFuture.runAsync(() -> client.get("/v2/audit-log-webhook/status")))
        .toArray(CompletableFuture[]::new);
    CompletableFuture.allOf(all).join();

    assertThat(konnect.count("GET", EndpointKind.WEBHOOK_STATUS_GET)).isEqualTo(40);
    assertThat(konnect.requestLog().matching(r -> r.status() == 200)).hasSize(40);
  }
}
