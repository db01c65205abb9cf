package io.konnectreplay.operator.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.konnectreplay.operator.emulator.EmulatorClient.Answer;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class KonnectEmulatorJobTest {
  static final String TOKEN = "kpat_test";
  static final String PORTAL = "3e551b39-0f5e-4a84-b0a9-2d7b4b0e6a11";
  static final String PORTAL_JOB = "/us/v2/portals/" + PORTAL + "/audit-log-replay-job";

  FakeReplayDelivery delivery = new FakeReplayDelivery();
  KonnectEmulator konnect;
  EmulatorClient client;
  Instant end = Instant.now().truncatedTo(ChronoUnit.SECONDS).minus(Duration.ofMinutes(5));
  Instant start = end.minus(Duration.ofHours(6));

  @BeforeEach
  void start() {
    konnect = KonnectEmulator.builder().token(TOKEN).delivery(delivery).start().addPortal("us", PORTAL);
    client = new EmulatorClient(konnect.baseUrl(), TOKEN);
  }

  @AfterEach
  void stop() {
    konnect.close();
  }

  @Test
  void aJobNeverSubmittedReadsBackUnconfiguredWithYearOneTimestamps() {
    Answer a = client.get(PORTAL_JOB);

    assertThat(a.status()).isEqualTo(200);
    assertThat(a.contentType()).isEqualTo("application/json");
    assertThat(a.json().toString()).isEqualTo("{\"start_at\":\"0001-01-01T00:00:00Z\",\"end_at\":"
        + "\"0001-01-01T00:00:00Z\",\"status\":\"unconfigured\",\"updated_at\":\"0001-01-01T00:00:00Z\"}");
  }

  @Test
  void aPortalJobGoesThroughEveryStateToCompletedAndDeliversItsWindow() {
    konnect.configurePortalWebhook("us", PORTAL, "http://127.0.0.1:1/hook", "Bearer siem", "json", true);

    Answer put = client.putWindow(PORTAL_JOB, start, end);

    assertThat(put.status()).isEqualTo(202);
    assertThat(put.json().get("status").asText()).isEqualTo("accepted");
    assertThat(put.json().get("start_at").asText()).isEqualTo(start.toString());
    List<String> seen = new ArrayList<>();
    await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(10)).until(() -> {
      String status = client.get(PORTAL_JOB).json().get("status").asText();
      if (seen.isEmpty() || !seen.get(seen.size() - 1).equals(status)) {
        seen.add(status);
      }
      return status.equals("completed");
    });
    assertThat(seen).containsSubsequence("accepted", "pending", "running", "completed");
    assertThat(delivery.calls()).singleElement().satisfies(call -> {
      assertThat(call.region()).isEqualTo("us");
      assertThat(call.portalId()).isEqualTo(PORTAL);
      assertThat(call.from()).isEqualTo(start);
      assertThat(call.to()).isEqualTo(end);
      assertThat(call.webhook()).isEqualTo(
          new ReplayDelivery.WebhookConfig("http://127.0.0.1:1/hook", "Bearer siem", "json", false));
    });
    Answer status = client.get("/us/v2/portals/" + PORTAL + "/audit-log-webhook/status");
    assertThat(status.json().get("webhook_status").asText()).isEqualTo("active");
    assertThat(status.json().get("webhook_enabled").asBoolean()).isTrue();
    assertThat(status.json().get("last_response_code").asInt()).isEqualTo(200);
    assertThat(status.json().get("last_response_message").asText()).isEqualTo("OK");
    assertThat(status.json().has("last_attempt_at")).isTrue();
  }

  @Test
  void updatedAtChangesOnEveryTransition() {
    konnect.configureOrgWebhook("us", "http://127.0.0.1:1/hook", "Bearer siem", "cef", true);
    client.putWindow("/us/v2/audit-log-replay-job", start, end);
    List<ReplayJobSnapshot> snapshots = new ArrayList<>();
    await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(5)).until(() -> {
      ReplayJobSnapshot s = konnect.job("us", null);
      if (snapshots.isEmpty() || !snapshots.get(snapshots.size() - 1).status().equals(s.status())) {
        snapshots.add(s);
      }
      return s.status().equals("completed");
    });
    assertThat(snapshots).extracting(ReplayJobSnapshot::updatedAt).doesNotHaveDuplicates().isSorted();
  }

  @Test
  void anOrgJobDeliversToTheRegionsOrgWebhook() {
    konnect.configureOrgWebhook("us", "http://127.0.0.1:1/org", "Splunk x", "cef", true);

    assertThat(client.putWindow("/v2/audit-log-replay-job", start, end).status()).isEqualTo(202);

    await().atMost(Duration.ofSeconds(5)).until(() -> konnect.job("us", null).status().equals("completed"));
    assertThat(delivery.calls()).singleElement().satisfies(call -> {
      assertThat(call.portalId()).isNull();
      assertThat(call.webhook().endpoint()).isEqualTo("http://127.0.0.1:1/org");
    });
  }

  @Test
  void aJobFailsWhenDeliveryFailsAndTheStatusShowsTheFailure() {
    delivery.failWith(401, "Unauthorized");
    konnect.configurePortalWebhook("us", PORTAL, "http://127.0.0.1:1/hook", "Bearer wrong", "json", true);

    client.putWindow(PORTAL_JOB, start, end);

    await().atMost(Duration.ofSeconds(5)).until(() -> konnect.job("us", PORTAL).status().equals("failed"));
    Answer status = client.get("/us/v2/portals/" + PORTAL + "/audit-log-webhook/status");
    // one failed delivery is not yet "repeated failures": inactive comes after three in a row
    assertThat(status.json().get("webhook_status").asText()).isEqualTo("active");
    assertThat(status.json().get("last_response_code").asInt()).isEqualTo(401);
    assertThat(status.json().get("last_response_message").asText()).isEqualTo("Unauthorized");
  }

  @Test
  void aJobFailsWithoutDeliveringWhenTheWebhookIsDisabled() {
    konnect.configurePortalWebhook("us", PORTAL, "http://127.0.0.1:1/hook", "Bearer siem", "json", false);

    assertThat(client.putWindow(PORTAL_JOB, start, end).status()).isEqualTo(202);

    await().atMost(Duration.ofSeconds(5)).until(() -> konnect.job("us", PORTAL).status().equals("failed"));
    assertThat(delivery.calls()).isEmpty();
    Answer status = client.get("/us/v2/portals/" + PORTAL + "/audit-log-webhook/status");
    assertThat(status.json().get("webhook_enabled").asBoolean()).isFalse();
    assertThat(status.json().has("last_response_code")).isFalse();
  }

  @Test
  void aJobFailsWhenNoWebhookIsConfigured() {
    client.putWindow("/us/v3/audit-log-replay-job", start, end);

    await().atMost(Duration.ofSeconds(5)).until(() -> konnect.job("us", null).status().equals("failed"));
    assertThat(delivery.calls()).isEmpty();
    assertThat(client.get("/us/v3/audit-log-webhook/status").json().get("webhook_status").asText())
        .isEqualTo("unconfigured");
  }

  @Test
  void aDeliveryThatThrowsFailsTheJobWithResponseCodeZero() {
    ReplayDelivery throwing = new ReplayDelivery() {
      @Override
      public DeliveryResult deliver(String region, String portalId, WebhookConfig webhook, Instant from,
          Instant to) {
        throw new IllegalStateException("connection refused");
      }

      @Override
      public String jwksJson() {
        return FakeReplayDelivery.JWKS;
      }
    };
    try (KonnectEmulator other = KonnectEmulator.builder().token(TOKEN).delivery(throwing).start()) {
      other.configureOrgWebhook("us", "http://127.0.0.1:1/hook", "Bearer x", "json", true);
      EmulatorClient c = new EmulatorClient(other.baseUrl(), TOKEN);
      c.putWindow("/v2/audit-log-replay-job", start, end);

      await().atMost(Duration.ofSeconds(5)).until(() -> other.job("us", null).status().equals("failed"));
      Answer status = c.get("/v2/audit-log-webhook/status");
      assertThat(status.json().get("last_response_code").asInt()).isZero();
      assertThat(status.json().get("last_response_message").asText()).isEqualTo("connection refused");
    }
  }

  @Test
  void aPutAfterCompletionReplacesTheJob() {
    konnect.configurePortalWebhook("us", PORTAL, "http://127.0.0.1:1/hook", "Bearer siem", "json", true);
    client.putWindow(PORTAL_JOB, start, end);
    await().atMost(Duration.ofSeconds(5)).until(() -> konnect.job("us", PORTAL).status().equals("completed"));

    Answer again = client.putWindow(PORTAL_JOB, start.plusSeconds(60), end);

    assertThat(again.status()).isEqualTo(202);
    assertThat(again.json().get("start_at").asText()).isEqualTo(start.plusSeconds(60).toString());
    await().atMost(Duration.ofSeconds(5)).until(() -> konnect.job("us", PORTAL).status().equals("completed"));
    assertThat(delivery.calls()).hasSize(2);
  }

  @Test
  void anExternalJobOccupiesTheTargetAndItsWindowCanBeReplacedMidFlight() {
    konnect.configurePortalWebhook("us", PORTAL, "http://127.0.0.1:1/hook", "Bearer siem", "json", true);

    ReplayJobSnapshot external = konnect.submitExternalJob("us", PORTAL, start, end);

    assertThat(external.status()).isEqualTo("accepted");
    assertThat(client.putWindow(PORTAL_JOB, start, end).status()).isEqualTo(409);
    assertThatThrownBy(() -> konnect.submitExternalJob("us", PORTAL, start, end))
        .isInstanceOf(IllegalStateException.class);
    ReplayJobSnapshot replaced = konnect.replaceJobWindow("us", PORTAL, start.plusSeconds(1), end);
    assertThat(replaced.startAt()).isEqualTo(start.plusSeconds(1));
    assertThat(replaced.status()).isIn("accepted", "pending", "running");
    assertThat(client.get(PORTAL_JOB).json().get("start_at").asText()).isEqualTo(start.plusSeconds(1).toString());
    await().atMost(Duration.ofSeconds(5)).until(() -> konnect.job("us", PORTAL).status().equals("completed"));
  }

  @Test
  void theDemoTimingsAreSlowerThanTheDefaults() {
    assertThat(JobTimings.demo().running()).isGreaterThan(JobTimings.fast().running());
    assertThat(JobTimings.fast().accepted().plus(JobTimings.fast().pending()).plus(JobTimings.fast().running()))
        .isLessThan(Duration.ofSeconds(1));
  }
}
