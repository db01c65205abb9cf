package io.konnectreplay.operator.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.konnectreplay.operator.emulator.EmulatorClient.Answer;
import io.konnectreplay.operator.emulator.FaultRule.Body;
import io.konnectreplay.operator.emulator.FaultRule.RetryAfter;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class KonnectEmulatorFaultTest {
  static final String TOKEN = "kpat_test";
  static final String PORTAL = "3e551b39-0f5e-4a84-b0a9-2d7b4b0e6a11";
  static final String PORTAL_JOB = "/us/v2/portals/" + PORTAL + "/audit-log-replay-job";
  static final Instant NOW = Instant.parse("2026-11-20T12:00:00Z");

  KonnectEmulator konnect;
  EmulatorClient client;

  @BeforeEach
  void start() {
    konnect = KonnectEmulator.builder().token(TOKEN).clock(Clock.fixed(NOW, ZoneOffset.UTC)).start()
        .addPortal("us", PORTAL);
    client = new EmulatorClient(konnect.baseUrl(), TOKEN);
  }

  @AfterEach
  void stop() {
    konnect.close();
  }

  @Test
  void rateLimitWithRetryAfterSecondsAndAProblemBody() {
    konnect.faults().add(FaultRule.on("GET", EndpointKind.REPLAY_JOB_GET).times(1)
        .rateLimited(RetryAfter.SECONDS, 7, Body.PROBLEM_JSON));

    Answer limited = client.get(PORTAL_JOB);

    assertThat(limited.status()).isEqualTo(429);
    assertThat(limited.headers().firstValue("Retry-After")).hasValue("7");
    assertThat(limited.contentType()).isEqualTo("application/problem+json");
    assertThat(limited.json().get("status").asInt()).isEqualTo(429);
    assertThat(limited.json().get("title").asText()).isEqualTo("Too Many Requests");
    assertThat(limited.json().get("instance").asText()).matches("kong:trace:\\d{19}");
    assertThat(client.get(PORTAL_JOB).status()).isEqualTo(200);
  }

  @Test
  void rateLimitWithAnHttpDateAndTheGatewayBody() {
    konnect.faults().add(FaultRule.on(EndpointKind.REPLAY_JOB_PUT).rateLimited(RetryAfter.HTTP_DATE, 10,
        Body.GATEWAY));

    Answer limited = client.putWindow(PORTAL_JOB, NOW.minusSeconds(60), NOW);

    assertThat(limited.status()).isEqualTo(429);
    assertThat(limited.body()).isEqualTo("{\"message\":\"API rate limit exceeded\"}");
    assertThat(limited.contentType()).isEqualTo("application/json");
    Instant retryAt = ZonedDateTime.parse(limited.headers().firstValue("Retry-After").orElseThrow(),
        DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
    assertThat(retryAt).isBetween(NOW.plusSeconds(10), NOW.plusSeconds(11));
    assertThat(konnect.job("us", PORTAL).status()).isEqualTo("unconfigured");
  }

  @Test
  void rateLimitWithoutRetryAfter() {
    konnect.faults().add(FaultRule.on(EndpointKind.ANY).times(1).rateLimited(RetryAfter.NONE, 0, Body.GATEWAY));

    Answer limited = client.get("/v2/audit-log-webhook");

    assertThat(limited.status()).isEqualTo(429);
    assertThat(limited.headers().firstValue("Retry-After")).isEmpty();
  }

  @Test
  void aBurstOfServerErrorsThenNormalAnswers() {
    konnect.faults().add(FaultRule.on(EndpointKind.WEBHOOK_STATUS_GET).times(3).serverError(503));

    List<Integer> statuses = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      statuses.add(client.get("/v2/audit-log-webhook/status").status());
    }

    assertThat(statuses).containsExactly(503, 503, 503, 200);
    assertThat(konnect.faults().rules()).singleElement().satisfies(r -> assertThat(r.remaining()).isZero());
  }

  @Test
  void eachServerErrorStatusHasABody() {
    for (int status : new int[] {500, 502, 503, 504}) {
      konnect.faults().clear();
      konnect.faults().add(FaultRule.on(EndpointKind.WEBHOOK_GET).times(1).serverError(status));
      Answer a = client.get("/v2/audit-log-webhook");
      assertThat(a.status()).isEqualTo(status);
      assertThat(a.body()).isNotEmpty();
    }
    assertThatThrownBy(() -> FaultRule.on(EndpointKind.ANY).serverError(501))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void latencyDelaysButStillAnswers() {
    konnect.faults().add(FaultRule.on(EndpointKind.REPLAY_JOB_GET).latency(Duration.ofMillis(300)));

    long started = System.nanoTime();
    Answer a = client.get(PORTAL_JOB);

    assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
    assertThat(a.status()).isEqualTo(200);
    assertThat(konnect.requests()).last().satisfies(r -> {
      assertThat(r.faulted()).isFalse();
      assertThat(r.fault()).isEqualTo("latency");
    });
  }

  @Test
  void aDroppedConnectionGetsNoResponse() {
    konnect.faults().add(FaultRule.on(EndpointKind.REPLAY_JOB_GET).times(1).dropConnection());

    // a raw socket: java.net.http would silently retry a GET on a dropped connection
    try (Socket socket = new Socket("127.0.0.1", konnect.port())) {
      socket.setSoTimeout(5000);
      socket.getOutputStream().write(("GET " + PORTAL_JOB + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
          + "Authorization: Bearer " + TOKEN + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      assertThat(socket.getInputStream().read()).isEqualTo(-1);
    } catch (IOException reset) {
      // a reset is a dropped connection too
    }
    assertThat(client.get(PORTAL_JOB).status()).isEqualTo(200);
    assertThat(konnect.requests()).first().satisfies(r -> {
      assertThat(r.status()).isZero();
      assertThat(r.faulted()).isTrue();
      assertThat(r.fault()).isEqualTo("drop");
    });
  }

  @Test
  void rulesMatchRegionPortalAndMethod() {
    konnect.addPortal("eu", "9cb77dc2-ff99-4d47-84ab-7c5c1b3ef939");
    konnect.faults().add(FaultRule.on(EndpointKind.ANY).region("eu").serverError(502));
    konnect.faults().add(FaultRule.on(EndpointKind.ANY).portal(PORTAL).serverError(504));
    konnect.faults().add(FaultRule.on("PUT", EndpointKind.ANY).serverError(500));

    assertThat(client.get("/eu/v2/audit-log-replay-job").status()).isEqualTo(502);
    assertThat(client.get(PORTAL_JOB).status()).isEqualTo(504);
    assertThat(client.get("/us/v2/audit-log-replay-job").status()).isEqualTo(200);
    assertThat(client.putWindow("/us/v2/audit-log-replay-job", NOW.minusSeconds(60), NOW).status())
        .isEqualTo(500);

    konnect.faults().clear();
    assertThat(client.get("/eu/v2/audit-log-replay-job").status()).isEqualTo(200);
  }

  @Test
  void aProbabilityWithASeedIsRepeatable() {
    assertThat(statusesWithProbability(42L)).isEqualTo(statusesWithProbability(42L))
        .contains(200, 503);
  }

  private List<Integer> statusesWithProbability(long seed) {
    konnect.faults().clear();
    konnect.faults().add(FaultRule.on(EndpointKind.REPLAY_JOB_GET).probability(0.5, seed).serverError(503));
    List<Integer> statuses = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      statuses.add(client.get(PORTAL_JOB).status());
    }
    return statuses;
  }

  @Test
  void faultsComeBeforeAuthentication() {
    konnect.faults().add(FaultRule.on(EndpointKind.ANY).times(1).rateLimited(RetryAfter.SECONDS, 1, Body.GATEWAY));

    assertThat(client.withToken("kpat_wrong").get(PORTAL_JOB).status()).isEqualTo(429);
    assertThat(konnect.requests()).singleElement().satisfies(r -> assertThat(r.authorized()).isFalse());
  }
}
