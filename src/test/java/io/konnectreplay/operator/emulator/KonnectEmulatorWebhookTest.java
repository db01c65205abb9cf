package io.konnectreplay.operator.emulator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.konnectreplay.operator.emulator.EmulatorClient.Answer;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class KonnectEmulatorWebhookTest {
  static final String TOKEN = "kpat_test";
  static final String PORTAL = "3e551b39-0f5e-4a84-b0a9-2d7b4b0e6a11";
  static final String PORTAL_WEBHOOK = "/us/v3/portals/" + PORTAL + "/audit-log-webhook";
  static final String DESTINATION = "{\"name\":\"siem\",\"endpoint\":\"https://siem.example.com/in\","
      + "\"authorization\":\"Bearer s3cret\",\"log_format\":\"json\"}";

  FakeReplayDelivery delivery = new FakeReplayDelivery();
  KonnectEmulator konnect;
  EmulatorClient client;

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
  void anUnconfiguredOrgWebhookReadsBackAsUnconfigured() {
    JsonNode v2 = client.get("/v2/audit-log-webhook").json();
    assertThat(v2.get("enabled").asBoolean()).isFalse();
    assertThat(v2.get("endpoint").asText()).isEqualTo("unconfigured");
    assertThat(v2.get("updated_at").asText()).isEqualTo("0001-01-01T00:00:00Z");

    JsonNode status = client.get("/v2/audit-log-webhook/status").json();
    assertThat(status.get("webhook_status").asText()).isEqualTo("unconfigured");
    assertThat(status.get("webhook_enabled").asBoolean()).isFalse();

    JsonNode v3 = client.get("/v3/audit-log-webhook").json();
    assertThat(v3.get("enabled").asBoolean()).isFalse();
    assertThat(v3.get("audit_log_destination_id").asText()).isEqualTo(EmulatorState.NIL_UUID);
  }

  @Test
  void theV2WebhookIsPatchedInlineAndNeverShowsItsAuthorization() {
    Answer patched = client.patch("/eu/v2/audit-log-webhook", "{\"endpoint\":\"https://siem.example.com/a\","
        + "\"authorization\":\"Bearer s3cret\",\"log_format\":\"cps\",\"enabled\":true}");

    assertThat(patched.status()).isEqualTo(200);
    assertThat(patched.body()).doesNotContain("s3cret").doesNotContain("authorization");
    JsonNode read = client.get("/eu/v2/audit-log-webhook").json();
    assertThat(read.get("endpoint").asText()).isEqualTo("https://siem.example.com/a");
    assertThat(read.get("log_format").asText()).isEqualTo("cps");
    assertThat(read.get("enabled").asBoolean()).isTrue();
    assertThat(read.get("skip_ssl_verification").asBoolean()).isFalse();
    assertThat(client.get("/eu/v2/audit-log-webhook/status").json().get("webhook_status").asText())
        .isEqualTo("active");
    // other regions are untouched
    assertThat(client.get("/us/v2/audit-log-webhook").json().get("endpoint").asText()).isEqualTo("unconfigured");

    client.patch("/eu/v2/audit-log-webhook", "{\"enabled\":false}");
    assertThat(client.get("/eu/v2/audit-log-webhook").json().get("endpoint").asText())
        .isEqualTo("https://siem.example.com/a");
  }

  @Test
  void theV2WebhookRejectsBadValues() {
    assertThat(client.patch("/v2/audit-log-webhook", "{\"endpoint\":\"\"}").json()
        .get("invalid_parameters").get(0).get("reason").asText()).isEqualTo("cannot be blank");
    assertThat(client.patch("/v2/audit-log-webhook", "{\"endpoint\":\"ftp://x\"}").json()
        .get("invalid_parameters").get(0).get("reason").asText()).isEqualTo("must be a valid URL");
    assertThat(client.patch("/v2/audit-log-webhook", "{\"endpoint\":\"https://x.example\",\"log_format\":\"xml\"}")
        .json().get("invalid_parameters").get(0).get("rule").asText()).isEqualTo("enum");
    assertThat(client.patch("/v2/audit-log-webhook", "{\"enabled\":true}").status()).isEqualTo(400);
    assertThat(client.patch("/v2/audit-log-webhook", "{\"enabled\":\"yes\"}").status()).isEqualTo(400);
    assertThat(client.patch("/v2/audit-log-webhook", "nope").status()).isEqualTo(400);
  }

  @Test
  void destinationsAreCreatedListedPatchedAndDeleted() {
    Answer created = client.post("/v3/audit-log-destinations", DESTINATION);
    assertThat(created.status()).isEqualTo(201);
    assertThat(created.body()).doesNotContain("s3cret");
    String id = created.json().get("id").asText();

    JsonNode list = client.get("/eu/v2/audit-log-destinations").json();
    assertThat(list.get("data")).hasSize(1);
    assertThat(list.get("meta").get("next").isNull()).isTrue();

    Answer patched = client.patch("/v3/audit-log-destinations/" + id, "{\"log_format\":\"cef\"}");
    assertThat(patched.json().get("log_format").asText()).isEqualTo("cef");
    assertThat(client.get("/v3/audit-log-destinations/" + id).json().get("name").asText()).isEqualTo("siem");

    assertThat(client.delete("/v3/audit-log-destinations/" + id).status()).isEqualTo(204);
    assertThat(client.get("/v3/audit-log-destinations/" + id).status()).isEqualTo(404);
  }

  @Test
  void destinationsArePaged() {
    for (int i = 0; i < 3; i++) {
      client.post("/v3/audit-log-destinations", DESTINATION.replace("\"siem\"", "\"siem-" + i + "\""));
    }
    JsonNode first = client.get("/v3/audit-log-destinations?page%5Bsize%5D=2").json();
    assertThat(first.get("data")).hasSize(2);
    String next = first.get("meta").get("next").asText();
    JsonNode second = client.get(next).json();
    assertThat(second.get("data")).hasSize(1);
    assertThat(second.get("data").get(0).get("name").asText()).isEqualTo("siem-2");
    assertThat(second.get("meta").get("next").isNull()).isTrue();
    assertThat(client.get("/v3/audit-log-destinations?filter%5Bname%5D%5Beq%5D=siem-1").json().get("data"))
        .hasSize(1);
  }

  @Test
  void aDestinationMissingRequiredFieldsIs400() {
    Answer a = client.post("/v3/audit-log-destinations", "{\"name\":\"x\",\"endpoint\":\"https://x.example\"}");
    assertThat(a.status()).isEqualTo(400);
    assertThat(a.json().get("invalid_parameters")).extracting(p -> p.get("field").asText())
        .containsExactlyInAnyOrder("authorization", "log_format");
  }

  @Test
  void aPortalWebhookLinksADestinationAndADestinationInUseCannotBeDeleted() {
    String id = client.post("/v3/audit-log-destinations", DESTINATION).json().get("id").asText();

    Answer linked = client.patch(PORTAL_WEBHOOK, "{\"audit_log_destination_id\":\"" + id + "\",\"enabled\":true}");

    assertThat(linked.status()).isEqualTo(200);
    assertThat(linked.json().get("audit_log_destination_id").asText()).isEqualTo(id);
    assertThat(client.get("/us/v2/portals/" + PORTAL + "/audit-log-webhook").json().get("enabled").asBoolean())
        .isTrue();
    Answer inUse = client.delete("/v3/audit-log-destinations/" + id);
    assertThat(inUse.status()).isEqualTo(409);
    assertThat(inUse.json().get("detail").asText()).contains("Destination is in use");

    assertThat(client.delete(PORTAL_WEBHOOK).status()).isEqualTo(204);
    JsonNode after = client.get(PORTAL_WEBHOOK).json();
    assertThat(after.get("enabled").asBoolean()).isFalse();
    assertThat(after.has("audit_log_destination_id")).isFalse();
    assertThat(client.delete("/v3/audit-log-destinations/" + id).status()).isEqualTo(204);
  }

  @Test
  void linkingRejectsMalformedAndUnknownDestinations() {
    Answer malformed = client.patch(PORTAL_WEBHOOK, "{\"audit_log_destination_id\":\"nope\"}");
    assertThat(malformed.status()).isEqualTo(400);
    assertThat(malformed.json().get("detail").asText()).isEqualTo("Could not parse destination id");
    assertThat(client.patch(PORTAL_WEBHOOK,
        "{\"audit_log_destination_id\":\"11111111-2222-3333-4444-555555555555\"}").status()).isEqualTo(404);
  }

  @Test
  void theV3OrgWebhookLinksADestinationThatTheV2ViewShows() {
    String id = client.post("/v3/audit-log-destinations", DESTINATION).json().get("id").asText();

    client.patch("/v3/audit-log-webhook", "{\"audit_log_destination_id\":\"" + id + "\",\"enabled\":true}");

    assertThat(client.get("/v3/audit-log-webhook").json().get("audit_log_destination_id").asText()).isEqualTo(id);
    assertThat(client.get("/v2/audit-log-webhook").json().get("endpoint").asText())
        .isEqualTo("https://siem.example.com/in");
    assertThat(client.delete("/v3/audit-log-webhook").status()).isEqualTo(204);
    assertThat(client.get("/v2/audit-log-webhook").json().get("endpoint").asText()).isEqualTo("unconfigured");
  }

  @Test
  void aPortalWebhookCannotBeDeletedWhileItsJobIsActive() {
    konnect.configurePortalWebhook("us", PORTAL, "https://siem.example.com", "Bearer x", "json", true);
    Instant end = Instant.now().truncatedTo(ChronoUnit.SECONDS).minusSeconds(60);
    konnect.submitExternalJob("us", PORTAL, end.minus(Duration.ofHours(1)), end);

    assertThat(client.delete(PORTAL_WEBHOOK).status()).isEqualTo(409);
  }

  @Test
  void theJwksNeedsNoToken() {
    Answer jwks = client.withToken(null).get("/v2/audit-log-webhook/jwks.json");
    assertThat(jwks.status()).isEqualTo(200);
    assertThat(jwks.contentType()).isEqualTo("application/json");
    assertThat(jwks.body()).isEqualTo(FakeReplayDelivery.JWKS);
    assertThat(client.withToken(null).get("/eu/v2/audit-log-webhook/jwks.json").status()).isEqualTo(200);
  }

  @Test
  void withoutADeliveryTheJwksIsEmpty() {
    try (KonnectEmulator bare = KonnectEmulator.builder().token(TOKEN).start()) {
      assertThat(new EmulatorClient(bare.baseUrl(), null).get("/v2/audit-log-webhook/jwks.json").body())
          .isEqualTo("{\"keys\":[]}");
    }
  }
}
