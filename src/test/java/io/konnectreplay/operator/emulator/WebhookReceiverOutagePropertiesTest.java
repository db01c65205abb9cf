package io.konnectreplay.operator.emulator;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
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
import java.util.zip.GZIPOutputStream;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;

/** The outage report's arithmetic, for any mix of what arrived before, during and after an outage. */
class WebhookReceiverOutagePropertiesTest {
  private static final Instant NOW = Instant.parse("2026-11-21T12:00:00Z");
  private static final AuditLogSigner SIGNER = AuditLogSigner.fromSeed(21L);
  private static final List<String> LINES = new SyntheticAuditLog(Clock.fixed(NOW, ZoneOffset.UTC),
      Duration.ofMinutes(1), 3L).events("us", null, NOW.minus(Duration.ofHours(1)), NOW).stream()
      .map(e -> SIGNER.signLine(e.json(), "json")).toList();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  /** One receiver for every try, reset at the start of each. */
  private static final WebhookReceiver RECEIVER = WebhookReceiver.start(0, null, SIGNER.jwksJson());

  /** What happens to one event. */
  enum Fate { NEVER_SENT, RECEIVED_BEFORE, RECEIVED_BEFORE_AND_EMITTED, EMITTED_ONLY, EMITTED_AND_REPLAYED,
    REPLAYED_ONLY }

  @Property(tries = 25)
  void lostIsWhatWasEmittedDuringTheOutageAndNeverReceived(@ForAll @Size(min = 1, max = 60) List<Fate> fates)
      throws Exception {
    List<String> before = new ArrayList<>();
    List<String> during = new ArrayList<>();
    List<String> after = new ArrayList<>();
    long emitted = 0;
    long lost = 0;
    for (int i = 0; i < fates.size(); i++) {
      String line = LINES.get(i);
      Fate fate = fates.get(i);
      if (fate == Fate.RECEIVED_BEFORE || fate == Fate.RECEIVED_BEFORE_AND_EMITTED) {
        before.add(line);
      }
      if (fate == Fate.RECEIVED_BEFORE_AND_EMITTED || fate == Fate.EMITTED_ONLY
          || fate == Fate.EMITTED_AND_REPLAYED) {
        during.add(line);
        emitted++;
      }
      if (fate == Fate.EMITTED_AND_REPLAYED || fate == Fate.REPLAYED_ONLY) {
        after.add(line);
      }
      if (fate == Fate.EMITTED_ONLY) {
        lost++;
      }
    }
    WebhookReceiver receiver = RECEIVER;
    receiver.reset();
    {
      post(receiver, before);
      receiver.down();
      post(receiver, during);
      // a retry of the same batch changes nothing
      post(receiver, during);
      receiver.up();
      post(receiver, after);

      List<WebhookReceiver.Outage> outages = receiver.outages();
      assertThat(outages).hasSize(1);
      WebhookReceiver.Outage outage = outages.get(0);
      assertThat(outage.emitted()).isEqualTo(emitted);
      assertThat(outage.lost()).isEqualTo(lost);
      assertThat(outage.recoveredLater()).isEqualTo(emitted - lost);
      assertThat(receiver.lost()).isEqualTo(lost);
      assertThat(receiver.uniqueVerified()).isEqualTo(fates.stream().filter(f -> f == Fate.RECEIVED_BEFORE
          || f == Fate.RECEIVED_BEFORE_AND_EMITTED || f == Fate.EMITTED_AND_REPLAYED || f == Fate.REPLAYED_ONLY)
          .count());
    }
  }

  private void post(WebhookReceiver receiver, List<String> lines) throws Exception {
    if (lines.isEmpty()) {
      return;
    }
    HttpRequest request = HttpRequest.newBuilder(receiver.url()).header("Content-Encoding", "gzip")
        .POST(HttpRequest.BodyPublishers.ofByteArray(gzip(String.join("\n", lines)))).build();
    HttpResponse<Void> response = HTTP.send(request, HttpResponse.BodyHandlers.discarding());
    assertThat(response.statusCode()).isEqualTo(receiver.isDown() ? 503 : 200);
  }

  private static byte[] gzip(String text) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (GZIPOutputStream gzip = new GZIPOutputStream(bytes)) {
      gzip.write(text.getBytes(StandardCharsets.UTF_8));
    }
    return bytes.toByteArray();
  }
}
