package io.konnectreplay.operator.emulator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.konnectreplay.operator.emulator.EmulatorClient.Answer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class KonnectEmulatorErrorsTest {
  static final String TOKEN = "kpat_test";
  static final String SCOPED = "spat_portal_only";
  static final String PORTAL = "3e551b39-0f5e-4a84-b0a9-2d7b4b0e6a11";
  static final String OTHER_PORTAL = "9cb77dc2-ff99-4d47-84ab-7c5c1b3ef939";
  static final String PORTAL_JOB = "/us/v2/portals/" + PORTAL + "/audit-log-replay-job";
  static final Instant NOW = Instant.parse("2026-11-20T12:00:00Z");

  KonnectEmulator konnect;
  EmulatorClient client;

  @BeforeEach
  void start() {
    konnect = KonnectEmulator.builder().token(TOKEN).token(SCOPED, Set.of(PORTAL))
        .clock(Clock.fixed(NOW, ZoneOffset.UTC)).delivery(new FakeReplayDelivery()).start()
        .addPortal("us", PORTAL).addPortal("us", OTHER_PORTAL);
    client = new EmulatorClient(konnect.baseUrl(), TOKEN);
  }

  @AfterEach
  void stop() {
    konnect.close();
  }

  static JsonNode assertProblem(Answer a, int status, String title) {
    assertThat(a.status()).isEqualTo(status);
    assertThat(a.contentType()).isEqualTo("application/problem+json");
    JsonNode body = a.json();
    assertThat(body.get("status").asInt()).isEqualTo(status);
    assertThat(body.get("title").asText()).isEqualTo(title);
    assertThat(body.get("detail").asText()).isNotBlank();
    assertThat(body.get("instance").asText()).matches(status == 409 && title.equals("Resource Conflict")
        ? "konnect:trace:\\d{19}" : "kong:trace:\\d{19}");
    return body;
  }

  @Test
  void aMissingOrUnknownTokenIs401() {
    JsonNode missing = assertProblem(client.withToken(null).get(PORTAL_JOB), 401, "Unauthorized");
    assertThat(missing.get("detail").asText()).isEqualTo("Unauthorized");
    assertProblem(client.withToken("kpat_unknown").get("/v2/audit-log-replay-job"), 401, "Unauthorized");
    assertProblem(client.withToken("kpat_unknown").get("/v2/audit-log-destinations"), 401, "Unauthorized");
  }

  @Test
  void aPortalScopedTokenIs403OnOtherPortalsAndOnOrganizationEndpoints() {
    EmulatorClient scoped = client.withToken(SCOPED);

    assertThat(scoped.get(PORTAL_JOB).status()).isEqualTo(200);
    JsonNode body = assertProblem(scoped.get("/us/v2/portals/" + OTHER_PORTAL + "/audit-log-replay-job"), 403,
        "Forbidden");
    assertThat(body.get("detail").asText()).isEqualTo("You do not have permission to perform this action");
    assertProblem(scoped.get("/us/v2/audit-log-replay-job"), 403, "Forbidden");
    assertProblem(scoped.get("/us/v2/audit-log-webhook"), 403, "Forbidden");
    assertProblem(scoped.get("/v3/audit-log-destinations"), 403, "Forbidden");
  }

  @Test
  void anUnknownPortalIs404() {
    String unknown = "/us/v2/portals/11111111-2222-3333-4444-555555555555";
    assertProblem(client.get(unknown + "/audit-log-replay-job"), 404, "Not Found");
    assertProblem(client.putWindow(unknown + "/audit-log-replay-job", NOW.minusSeconds(60), NOW), 404, "Not Found");
    assertProblem(client.get(unknown + "/audit-log-webhook"), 404, "Not Found");
    assertProblem(client.get(unknown + "/audit-log-webhook/status"), 404, "Not Found");
    assertProblem(client.get("/us/v2/portals/not-a-uuid/audit-log-replay-job"), 404, "Not Found");
  }

  @Test
  void unknownPathsAre404AndUnservedMethods405() {
    assertProblem(client.get("/v2/nothing-here"), 404, "Not Found");
    assertProblem(client.get("/v1/audit-log-replay-job"), 404, "Not Found");
    assertProblem(client.delete("/v2/audit-log-replay-job"), 405, "Method Not Allowed");
    assertProblem(client.delete("/v2/audit-log-webhook"), 405, "Method Not Allowed");
    assertProblem(client.get("/v3/audit-log-webhook/jwks.json"), 404, "Not Found");
  }

  static JsonNode onlyParameter(JsonNode problem) {
    assertThat(problem.get("invalid_parameters")).hasSize(1);
    JsonNode p = problem.get("invalid_parameters").get(0);
    assertThat(p.get("source").asText()).isEqualTo("body");
    return p;
  }

  @Test
  void anUnparseableOrMissingBodyIs400() {
    JsonNode bad = assertProblem(client.put(PORTAL_JOB, "{not json"), 400, "Bad Request");
    assertThat(bad.get("detail").asText()).isEqualTo("Could not parse request body");
    assertThat(onlyParameter(bad).get("field").asText()).isEqualTo("body");
    assertThat(onlyParameter(bad).get("reason").asText()).isEqualTo("request format is invalid");
    assertProblem(client.put(PORTAL_JOB, null), 400, "Bad Request");
    assertProblem(client.put(PORTAL_JOB, "[1,2]"), 400, "Bad Request");
  }

  @Test
  void missingOrMalformedTimestampsAre400() {
    JsonNode missing = assertProblem(client.put(PORTAL_JOB, "{\"start_at\":\"2026-11-20T10:00:00Z\"}"), 400,
        "Bad Request");
    assertThat(onlyParameter(missing).get("field").asText()).isEqualTo("end_at");
    assertThat(onlyParameter(missing).get("rule").asText()).isEqualTo("required");

    JsonNode malformed = assertProblem(client.put(PORTAL_JOB,
        "{\"start_at\":\"2026-11-20 10:00\",\"end_at\":\"2026-11-20T11:00:00Z\"}"), 400, "Bad Request");
    assertThat(onlyParameter(malformed).get("field").asText()).isEqualTo("start_at");
    assertThat(onlyParameter(malformed).get("rule").asText()).isEqualTo("is_date_time");

    JsonNode noOffset = assertProblem(client.put(PORTAL_JOB,
        "{\"start_at\":\"2026-11-20T10:00:00\",\"end_at\":42}"), 400, "Bad Request");
    assertThat(noOffset.get("invalid_parameters")).hasSize(2);
  }

  @Test
  void windowRulesAre400() {
    JsonNode reversed = assertProblem(client.putWindow(PORTAL_JOB, NOW.minusSeconds(60), NOW.minusSeconds(120)),
        400, "Bad Request");
    assertThat(onlyParameter(reversed).get("field").asText()).isEqualTo("end_at");
    assertThat(onlyParameter(reversed).get("rule").asText()).isEqualTo("invalid");

    JsonNode future = assertProblem(client.putWindow(PORTAL_JOB, NOW.minusSeconds(60), NOW.plusSeconds(1)), 400,
        "Bad Request");
    assertThat(onlyParameter(future).get("field").asText()).isEqualTo("end_at");

    JsonNode old = assertProblem(client.putWindow(PORTAL_JOB,
        NOW.minus(Duration.ofDays(7)).minusSeconds(1), NOW.minusSeconds(60)), 400, "Bad Request");
    assertThat(onlyParameter(old).get("field").asText()).isEqualTo("start_at");
    assertThat(onlyParameter(old).get("reason").asText()).contains("7 days");
  }

  @Test
  void theEdgesOfTheWindowAreAccepted() {
    assertThat(client.putWindow(PORTAL_JOB, NOW.minus(Duration.ofDays(7)), NOW).status()).isEqualTo(202);
    String other = "/us/v2/portals/" + OTHER_PORTAL + "/audit-log-replay-job";
    assertThat(client.putWindow(other, NOW.minusSeconds(60), NOW.minusSeconds(60)).status()).isEqualTo(202);
    assertThat(client.put("/v2/audit-log-replay-job",
        "{\"start_at\":\"2026-11-20T12:30:00.5+02:00\",\"end_at\":\"2026-11-20T11:00:00Z\"}").json()
        .get("start_at").asText()).isEqualTo("2026-11-20T10:30:00.500Z");
  }

  @Test
  void equalStartAndEndCanBeRefused() {
    try (KonnectEmulator strict = KonnectEmulator.builder().token(TOKEN).allowEqualStartEnd(false)
        .clock(Clock.fixed(NOW, ZoneOffset.UTC)).start()) {
      Answer a = new EmulatorClient(strict.baseUrl(), TOKEN).putWindow("/v2/audit-log-replay-job",
          NOW.minusSeconds(60), NOW.minusSeconds(60));
      assertThat(onlyParameter(assertProblem(a, 400, "Bad Request")).get("field").asText()).isEqualTo("end_at");
    }
  }

  @Test
  void aPutWhileAJobIsActiveIs409WithTheDocumentedBody() {
    assertThat(client.putWindow(PORTAL_JOB, NOW.minusSeconds(600), NOW).status()).isEqualTo(202);

    JsonNode conflict = assertProblem(client.putWindow(PORTAL_JOB, NOW.minusSeconds(60), NOW), 409,
        "Resource Conflict");

    assertThat(conflict.get("detail").asText()).isEqualTo("A replay job is currently running");
    assertThat(conflict.fieldNames()).toIterable().containsExactly("status", "title", "instance", "detail");
    // another target is not affected
    assertThat(client.putWindow("/us/v2/portals/" + OTHER_PORTAL + "/audit-log-replay-job",
        NOW.minusSeconds(60), NOW).status()).isEqualTo(202);
    assertThat(client.get(PORTAL_JOB).json().get("start_at").asText())
        .isEqualTo(NOW.minusSeconds(600).toString());
  }

  @Test
  void theConflictStatesAreConfigurable() {
    try (KonnectEmulator onlyRunning = KonnectEmulator.builder().token(TOKEN).conflictStates(Set.of("running"))
        .timings(new JobTimings(Duration.ofSeconds(30), Duration.ZERO, Duration.ZERO))
        .clock(Clock.fixed(NOW, ZoneOffset.UTC)).start()) {
      EmulatorClient c = new EmulatorClient(onlyRunning.baseUrl(), TOKEN);
      assertThat(c.putWindow("/v2/audit-log-replay-job", NOW.minusSeconds(600), NOW).status()).isEqualTo(202);

      Answer replaced = c.putWindow("/v2/audit-log-replay-job", NOW.minusSeconds(60), NOW);

      assertThat(replaced.status()).isEqualTo(202);
      assertThat(onlyRunning.job("us", null).startAt()).isEqualTo(NOW.minusSeconds(60));
    }
  }

  @Test
  void validationComesBeforeTheConflict() {
    client.putWindow(PORTAL_JOB, NOW.minusSeconds(600), NOW);
    assertProblem(client.put(PORTAL_JOB, "{}"), 400, "Bad Request");
  }
}
