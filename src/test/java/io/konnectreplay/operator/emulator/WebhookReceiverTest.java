package io.konnectreplay.operator.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import com.sun.net.httpserver.HttpServer;
import io.konnectreplay.operator.emulator.SyntheticAuditLog.Event;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class WebhookReceiverTest {

  private static final Instant NOW = Instant.parse("2026-11-21T12:00:00Z");
  private static final String TOKEN = "Splunk 0123-abcd";
  private static final String PORTAL = "3e551b39-0f5e-4a84-b0a9-2d7b4b0e6a11";

  private final AuditLogSigner signer = AuditLogSigner.fromSeed(5L);
  private final SyntheticAuditLog log = new SyntheticAuditLog(Clock.fixed(NOW, ZoneOffset.UTC));
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private final List<AutoCloseable> toClose = new ArrayList<>();

  @AfterEach
  void close() throws Exception {
    for (AutoCloseable closeable : toClose) {
      closeable.close();
    }
  }

  private WebhookReceiver start(String expectedAuthorization) {
    WebhookReceiver receiver = WebhookReceiver.start(0, expectedAuthorization, signer.jwksJson());
    toClose.add(receiver);
    return receiver;
  }

  private List<String> signedLines(String portalId, Instant from, Instant to, String format) {
    return log.events("us", portalId, from, to).stream()
        .map(e -> signer.signLine(e.line(AuditLogSigner.Format.of(format)), format))
        .toList();
  }

  private HttpResponse<String> post(WebhookReceiver receiver, String authorization, String contentEncoding,
      byte[] body) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(receiver.url()).timeout(Duration.ofSeconds(5))
        .header("Content-Type", "text/plain")
        .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    if (contentEncoding != null) {
      request.header("Content-Encoding", contentEncoding);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static byte[] gzip(String text) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (GZIPOutputStream gzip = new GZIPOutputStream(bytes)) {
      gzip.write(text.getBytes(StandardCharsets.UTF_8));
    }
    return bytes.toByteArray();
  }

  @Test
  void listensOnLoopback() {
    WebhookReceiver receiver = start(TOKEN);

    assertThat(receiver.url().getHost()).isEqualTo("127.0.0.1");
    assertThat(receiver.url().getPort()).isPositive().isEqualTo(receiver.port());
  }

  @Test
  void takesRawAndGzipBodiesWhateverTheGzipToken() throws Exception {
    WebhookReceiver receiver = start(TOKEN);
    List<String> lines = signedLines(null, NOW.minus(Duration.ofHours(1)), NOW, "cef");

    String crlfWithBlankLines = String.join("\r\n", lines.subList(0, 4)) + "\r\n\r\n";
    assertThat(post(receiver, TOKEN, null, crlfWithBlankLines.getBytes(StandardCharsets.UTF_8)).statusCode())
        .isEqualTo(200);
    assertThat(post(receiver, TOKEN, "gzip", gzip(String.join("\n", lines.subList(4, 8)))).statusCode())
        .isEqualTo(200);
    // the docs literally say "Content-Encoding is application/gzip"
    assertThat(post(receiver, TOKEN, "application/gzip", gzip(String.join("\n", lines.subList(8, 12))))
        .statusCode()).isEqualTo(200);

    WebhookReceiver.Summary summary = receiver.summary();
    assertThat(summary.batches()).isEqualTo(3);
    assertThat(summary.gzipBatches()).isEqualTo(2);
    assertThat(summary.eventsReceived()).isEqualTo(12);
    assertThat(summary.verified()).isEqualTo(12);
    assertThat(summary.rejected()).isZero();
  }

  @Test
  void aWrongOrMissingAuthorizationIs401() throws Exception {
    WebhookReceiver receiver = start(TOKEN);
    byte[] body = gzip(signedLines(null, NOW.minus(Duration.ofHours(1)), NOW, "json").get(0));

    assertThat(post(receiver, "Splunk other", "gzip", body).statusCode()).isEqualTo(401);
    assertThat(post(receiver, null, "gzip", body).statusCode()).isEqualTo(401);
    assertThat(receiver.unauthorized()).isEqualTo(2);
    assertThat(receiver.batches()).isZero();
    assertThat(receiver.eventsReceived()).isZero();
  }

  @Test
  void withoutAnExpectedAuthorizationAnyIsAccepted() throws Exception {
    WebhookReceiver receiver = start(null);

    assertThat(post(receiver, null, null, signedLines(null, NOW.minus(Duration.ofHours(1)), NOW, "json").get(0)
        .getBytes(StandardCharsets.UTF_8)).statusCode()).isEqualTo(200);
    assertThat(receiver.verified()).isEqualTo(1);
  }

  @Test
  void downAnswers503OnTheSamePortAndReportsWhatItRefusedPerTarget() throws Exception {
    WebhookReceiver receiver = start(TOKEN);
    int port = receiver.port();
    Instant from = NOW.minus(Duration.ofHours(1));
    List<String> org = signedLines(null, from, NOW, "json");
    List<String> portal = signedLines(PORTAL, from, NOW, "cef");
    post(receiver, TOKEN, "gzip", gzip(String.join("\n", org.subList(0, 2))));

    receiver.down();
    assertThat(receiver.isDown()).isTrue();
    assertThat(post(receiver, TOKEN, "gzip", gzip(String.join("\n", org.subList(2, 8)))).statusCode())
        .isEqualTo(503);
    // a retry of the same batch, a portal batch, and a line that is not signed: only signed events were emitted
    post(receiver, TOKEN, "gzip", gzip(String.join("\n", org.subList(2, 8))));
    post(receiver, TOKEN, "gzip", gzip(String.join("\n", portal.subList(0, 3))));
    post(receiver, TOKEN, null, log.events("us", null, from, NOW).get(9).json().getBytes(StandardCharsets.UTF_8));
    receiver.up();
    assertThat(receiver.isDown()).isFalse();
    assertThat(receiver.port()).isEqualTo(port);
    assertThat(receiver.refusedWhileDown()).isEqualTo(4);
    assertThat(receiver.verifiedPerTarget()).containsOnly(java.util.Map.entry("org:" + log.orgId(), 2L));

    assertThat(receiver.outages()).extracting(WebhookReceiver.Outage::target, WebhookReceiver.Outage::emitted,
        WebhookReceiver.Outage::recoveredLater, WebhookReceiver.Outage::lost)
        .containsExactly(tuple("org:" + log.orgId(), 6L, 0L, 6L), tuple("portal:" + PORTAL, 3L, 0L, 3L));
    assertThat(receiver.lost()).isEqualTo(9);

    // a replay brings back four of the org events: they count as recovered, the rest stays lost
    assertThat(post(receiver, TOKEN, "gzip", gzip(String.join("\n", org.subList(2, 6)))).statusCode())
        .isEqualTo(200);
    WebhookReceiver.Outage orgOutage = receiver.outages().get(0);
    assertThat(orgOutage.recoveredLater()).isEqualTo(4);
    assertThat(orgOutage.lost()).isEqualTo(2);
    assertThat(orgOutage.from()).isBefore(orgOutage.to());
    assertThat(orgOutage.firstEventAt()).isEqualTo(log.events("us", null, from, NOW).get(2).time());
    assertThat(orgOutage.lastEventAt()).isEqualTo(log.events("us", null, from, NOW).get(7).time());
    assertThat(receiver.lost()).isEqualTo(5);
  }

  @Test
  void anOutageWithNothingSentIsReportedEmptyAndResetForgetsOutages() throws Exception {
    WebhookReceiver receiver = start(TOKEN);

    receiver.down(500);
    receiver.down(503);
    assertThat(receiver.outages()).singleElement().satisfies(o -> {
      assertThat(o.target()).isNull();
      assertThat(o.to()).isNull();
      assertThat(o.emitted()).isZero();
    });
    assertThat(post(receiver, TOKEN, null, new byte[0]).statusCode()).isEqualTo(500);
    receiver.up();
    receiver.up();
    assertThat(receiver.outages()).singleElement().satisfies(o -> assertThat(o.to()).isNotNull());

    receiver.reset();
    assertThat(receiver.outages()).isEmpty();
    assertThat(receiver.refusedWhileDown()).isZero();
    assertThatThrownBy(() -> receiver.down(200)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void onlyPostIsAccepted() throws Exception {
    WebhookReceiver receiver = start(TOKEN);

    HttpResponse<String> response = http.send(HttpRequest.newBuilder(receiver.url()).GET().build(),
        HttpResponse.BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(405);
    assertThat(response.headers().firstValue("Allow")).contains("POST");
  }

  @Test
  void aBodyThatIsNotGzipIs400() throws Exception {
    WebhookReceiver receiver = start(TOKEN);

    assertThat(post(receiver, TOKEN, "gzip", "plain text".getBytes(StandardCharsets.UTF_8)).statusCode())
        .isEqualTo(400);
    assertThat(receiver.batches()).isZero();
  }

  @Test
  void badAndMissingSignaturesAreRejected() throws Exception {
    WebhookReceiver receiver = start(TOKEN);
    List<Event> events = log.events("us", null, NOW.minus(Duration.ofHours(1)), NOW);
    String good = signer.signLine(events.get(0).json(), "json");
    String tampered = signer.signLine(events.get(1).json(), "json").replace("\"severity\":", "\"severity\": ");
    String unsigned = events.get(2).cef();
    String foreign = AuditLogSigner.fromSeed(6L).signLine(events.get(3).cef(), "cef");
    String garbage = "not an event";

    post(receiver, TOKEN, "gzip", gzip(String.join("\n", good, tampered, unsigned, foreign, garbage)));

    WebhookReceiver.Summary summary = receiver.summary();
    assertThat(summary.eventsReceived()).isEqualTo(5);
    assertThat(summary.verified()).isEqualTo(1);
    assertThat(summary.rejected()).isEqualTo(4);
    assertThat(summary.uniqueVerified()).isEqualTo(1);
    assertThat(receiver.recentRejections()).hasSize(4)
        .anyMatch(r -> r.startsWith("missing sig"))
        .anyMatch(r -> r.startsWith("bad sig"))
        .anyMatch(r -> r.startsWith("unparseable"));
  }

  @Test
  void countsPerWindowAndPerTargetCountEachEventOnce() throws Exception {
    WebhookReceiver receiver = start(TOKEN);
    Instant from = NOW.minus(Duration.ofHours(2));
    List<String> org = signedLines(null, from, NOW, "cef");
    List<String> portal = signedLines(PORTAL, from, NOW, "cps");

    post(receiver, TOKEN, "gzip", gzip(String.join("\n", org)));
    post(receiver, TOKEN, "gzip", gzip(String.join("\n", portal)));
    post(receiver, TOKEN, "gzip", gzip(String.join("\n", portal.subList(0, 5))));

    assertThat(receiver.duplicates()).isEqualTo(5);
    assertThat(receiver.verified()).isEqualTo(24 + 24 + 5);
    assertThat(receiver.verifiedPerTarget())
        .containsEntry("org:" + log.orgId(), 24L)
        .containsEntry("portal:" + PORTAL, 24L)
        .hasSize(2);
    Instant hourAgo = NOW.minus(Duration.ofHours(1));
    assertThat(receiver.countVerifiedBetween(from, NOW)).isEqualTo(48);
    assertThat(receiver.countVerifiedBetween(hourAgo, NOW)).isEqualTo(24);
    assertThat(receiver.countVerifiedBetween("portal:" + PORTAL, hourAgo, NOW)).isEqualTo(12);
    assertThat(receiver.summary().toString()).contains("verified=53", "duplicates=5", "unique=48");

    receiver.reset();
    assertThat(receiver.summary().eventsReceived()).isZero();
    assertThat(receiver.countVerifiedBetween(from, NOW)).isZero();
  }

  @Test
  void concurrentBatchesAreAllCounted() {
    WebhookReceiver receiver = start(TOKEN);
    List<String> lines = signedLines(null, NOW.minus(Duration.ofHours(8)), NOW, "json"); // 96 events
    List<CompletableFuture<Integer>> posts = new ArrayList<>();
    for (int i = 0; i < lines.size(); i += 12) {
      String body = lines.subList(i, i + 12).stream().collect(Collectors.joining("\n"));
      posts.add(CompletableFuture.supplyAsync(() -> {
        try {
          return post(receiver, TOKEN, "gzip", gzip(body)).statusCode();
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      }));
    }

    assertThat(posts).allSatisfy(p -> assertThat(p.join()).isEqualTo(200));
    assertThat(receiver.batches()).isEqualTo(8);
    assertThat(receiver.uniqueVerified()).isEqualTo(96);
    assertThat(receiver.duplicates()).isZero();
  }

  @Test
  void injectedFaultsAnswerTheNextBatchesThenStop() throws Exception {
    WebhookReceiver receiver = start(TOKEN);
    byte[] body = gzip(signedLines(null, NOW.minus(Duration.ofHours(1)), NOW, "json").get(0));

    receiver.failNextBatches(2, 429);
    assertThat(post(receiver, TOKEN, "gzip", body).statusCode()).isEqualTo(429);
    assertThat(post(receiver, TOKEN, "gzip", body).statusCode()).isEqualTo(429);
    assertThat(post(receiver, TOKEN, "gzip", body).statusCode()).isEqualTo(200);
    receiver.dropNextConnections(1);
    assertThatThrownBy(() -> post(receiver, TOKEN, "gzip", body)).isInstanceOf(IOException.class);
    assertThat(post(receiver, TOKEN, "gzip", body).statusCode()).isEqualTo(200);

    assertThat(receiver.summary().faultsAnswered()).isEqualTo(2);
    assertThat(receiver.summary().connectionsDropped()).isEqualTo(1);
    assertThat(receiver.batches()).isEqualTo(2);
    assertThatThrownBy(() -> receiver.failNextBatches(1, 42)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void theJwksCanComeFromAUrl() throws Exception {
    HttpServer jwksServer = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    jwksServer.createContext("/v2/audit-log-webhook/jwks.json", exchange -> {
      byte[] jwks = signer.jwksJson().getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", "application/json");
      exchange.sendResponseHeaders(200, jwks.length);
      exchange.getResponseBody().write(jwks);
      exchange.close();
    });
    jwksServer.start();
    toClose.add(() -> jwksServer.stop(0));
    URI url = URI.create("http://127.0.0.1:" + jwksServer.getAddress().getPort() + "/v2/audit-log-webhook/jwks.json");

    WebhookReceiver receiver = WebhookReceiver.startFetchingJwks(0, TOKEN, url);
    toClose.add(receiver);
    post(receiver, TOKEN, "gzip", gzip(String.join("\n", signedLines(null, NOW.minus(Duration.ofHours(1)), NOW,
        "cef"))));

    assertThat(receiver.verified()).isEqualTo(12);
    assertThat(receiver.rejected()).isZero();
    assertThatThrownBy(() -> WebhookReceiver.startFetchingJwks(0, TOKEN, url.resolve("/missing")))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("404");
  }
}
