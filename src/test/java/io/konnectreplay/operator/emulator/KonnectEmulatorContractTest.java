package io.konnectreplay.operator.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.atlassian.oai.validator.OpenApiInteractionValidator;
import com.atlassian.oai.validator.model.Request;
import com.atlassian.oai.validator.model.SimpleResponse;
import com.atlassian.oai.validator.report.LevelResolver;
import com.atlassian.oai.validator.report.ValidationReport;
import io.konnectreplay.operator.emulator.EmulatorClient.Answer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Answers of the emulator validated against Kong's published OpenAPI files. The one tolerated difference:
 * {@code webhook_status: "unconfigured"}, which real Konnect answers although the spec's enum lacks it.
 */
class KonnectEmulatorContractTest {
  static final String TOKEN = "kpat_test";
  static final String SCOPED = "spat_scoped";
  static final String PORTAL = "3e551b39-0f5e-4a84-b0a9-2d7b4b0e6a11";
  /**
   * Kong's OpenAPI files: the project's contract, kept next to the clone in {@code ../shared/konnect-spec} (CI's
   * layout, checked by {@code .ci/run}), or wherever {@code -Dkonnect.spec.dir} or {@code KONNECT_SPEC_DIR} says.
   */
  static final Path SPEC_DIR = specDir();
  static final Path SPECS = SPEC_DIR.resolve("developer.konghq.com");

  static OpenApiInteractionValidator auditV2;
  static OpenApiInteractionValidator auditV3;
  static OpenApiInteractionValidator portalV2;
  static OpenApiInteractionValidator portalV3;
  static KonnectEmulator konnect;
  static EmulatorClient client;
  static Instant end = Instant.now().truncatedTo(ChronoUnit.SECONDS).minus(Duration.ofMinutes(1));
  static Instant start = end.minus(Duration.ofHours(2));

  static Path specDir() {
    String configured = System.getProperty("konnect.spec.dir", System.getenv("KONNECT_SPEC_DIR"));
    Path base = Path.of(System.getProperty("project.basedir", "."));
    return (configured != null && !configured.isBlank() ? base.resolve(configured)
        : base.resolve("../shared/konnect-spec")).toAbsolutePath().normalize();
  }

  @BeforeEach
  void specsAvailable() {
    assumeTrue(Files.isDirectory(SPECS), "Kong's OpenAPI files are not in " + SPEC_DIR + ": the emulator's contract"
        + " tests are skipped. Put the konnect-spec folder next to this clone (../shared/konnect-spec) or set"
        + " -Dkonnect.spec.dir=PATH");
  }

  @BeforeAll
  static void load() {
    if (!Files.isDirectory(SPECS)) return; // each test says so, see specsAvailable
    auditV2 = validator("audit-logs/v2/openapi.yaml", "/v2");
    auditV3 = validator("audit-logs/v3/openapi.yaml", "/v3");
    portalV2 = validator("portal-management/v2/openapi.yaml", "/v2");
    portalV3 = validator("portal-management/v3/openapi.yaml", "/v3");
    konnect = KonnectEmulator.builder().token(TOKEN).token(SCOPED, Set.of(PORTAL))
        .delivery(new FakeReplayDelivery()).start().addPortal("us", PORTAL);
    client = new EmulatorClient(konnect.baseUrl(), TOKEN);
  }

  @AfterAll
  static void stop() {
    if (konnect != null) konnect.close();
  }

  static OpenApiInteractionValidator validator(String file, String basePath) {
    Path spec = SPECS.resolve(file);
    assertThat(Files.isRegularFile(spec)).as("spec file %s", spec).isTrue();
    return OpenApiInteractionValidator.createForSpecificationUrl(spec.toUri().toString())
        .withBasePathOverride(basePath)
        // the validator's strict mode injects additionalProperties:false into every schema, which breaks allOf
        // (BadRequestError = BaseError + invalid_parameters); the spec's own additionalProperties:false still holds
        .withLevelResolver(LevelResolver.create()
            .withLevel("validation.schema.additionalProperties", ValidationReport.Level.IGNORE).build())
        .build();
  }

  /** Validates one answer; {@code path} is the spec path with the version prefix, without a region prefix. */
  static void assertValid(OpenApiInteractionValidator validator, Request.Method method, String path, Answer a,
      int expectedStatus) {
    assertThat(a.status()).as("%s %s: %s", method, path, a.body()).isEqualTo(expectedStatus);
    SimpleResponse.Builder response = SimpleResponse.Builder.status(a.status());
    if (a.contentType() != null) {
      response.withContentType(a.contentType());
    }
    if (a.body() != null && !a.body().isEmpty()) {
      response.withBody(a.body());
    }
    ValidationReport report = validator.validateResponse(path, method, response.build());
    List<ValidationReport.Message> problems = report.getMessages().stream()
        .filter(m -> m.getLevel() == ValidationReport.Level.ERROR)
        .filter(m -> !tolerated(m, a))
        .toList();
    assertThat(problems).as("%s %s answered %s", method, path, a.body()).isEmpty();
  }

  /** {@code webhook_status: "unconfigured"} is real Konnect behaviour outside the published enum. */
  static boolean tolerated(ValidationReport.Message m, Answer a) {
    return a.body() != null && a.body().contains("\"webhook_status\":\"unconfigured\"")
        && m.getKey().startsWith("validation.response.body.schema.enum")
        && m.getMessage().contains("unconfigured");
  }

  @Test
  void replayJobsMatchEverySpec() {
    String portalJob = "/v2/portals/" + PORTAL + "/audit-log-replay-job";
    assertValid(auditV2, Request.Method.GET, "/v2/audit-log-replay-job", client.get("/us/v2/audit-log-replay-job"),
        200);
    assertValid(auditV3, Request.Method.GET, "/v3/audit-log-replay-job", client.get("/eu/v3/audit-log-replay-job"),
        200);
    assertValid(portalV2, Request.Method.GET, portalJob, client.get("/us" + portalJob), 200);
    assertValid(portalV3, Request.Method.PUT, "/v3/portals/" + PORTAL + "/audit-log-replay-job",
        client.putWindow("/us/v3/portals/" + PORTAL + "/audit-log-replay-job", start, end), 202);
    assertValid(portalV2, Request.Method.PUT, portalJob, client.putWindow("/us" + portalJob, start, end), 409);
    assertValid(auditV2, Request.Method.PUT, "/v2/audit-log-replay-job",
        client.putWindow("/au/v2/audit-log-replay-job", start, end), 202);
    assertValid(auditV3, Request.Method.PUT, "/v3/audit-log-replay-job",
        client.putWindow("/au/v3/audit-log-replay-job", start, end), 409);
  }

  @Test
  void replayJobErrorsMatchTheSpecs() {
    String portalJob = "/v2/portals/" + PORTAL + "/audit-log-replay-job";
    assertValid(auditV2, Request.Method.PUT, "/v2/audit-log-replay-job",
        client.put("/me/v2/audit-log-replay-job", "{oops"), 400);
    assertValid(auditV2, Request.Method.PUT, "/v2/audit-log-replay-job",
        client.put("/me/v2/audit-log-replay-job", "{\"start_at\":\"yesterday\"}"), 400);
    assertValid(auditV3, Request.Method.PUT, "/v3/audit-log-replay-job",
        client.putWindow("/me/v3/audit-log-replay-job", end, start), 400);
    assertValid(auditV2, Request.Method.GET, "/v2/audit-log-replay-job",
        client.withToken(null).get("/v2/audit-log-replay-job"), 401);
    assertValid(auditV2, Request.Method.GET, "/v2/audit-log-replay-job",
        client.withToken(SCOPED).get("/v2/audit-log-replay-job"), 403);
    String unknown = "/v2/portals/11111111-2222-3333-4444-555555555555/audit-log-replay-job";
    assertValid(portalV2, Request.Method.GET, unknown, client.get("/us" + unknown), 404);
    assertValid(portalV3, Request.Method.PUT, unknown.replace("/v2/", "/v3/"),
        client.putWindow("/us" + unknown.replace("/v2/", "/v3/"), start, end), 404);
    assertValid(portalV2, Request.Method.PUT, portalJob,
        client.put("/us" + portalJob, "{\"start_at\":\"2026-01-01T00:00:00Z\"}"), 400);
  }

  @Test
  void webhooksAndStatusMatchTheSpecs() {
    assertValid(auditV2, Request.Method.GET, "/v2/audit-log-webhook", client.get("/in/v2/audit-log-webhook"), 200);
    assertValid(auditV2, Request.Method.GET, "/v2/audit-log-webhook/status",
        client.get("/in/v2/audit-log-webhook/status"), 200);
    assertValid(auditV3, Request.Method.GET, "/v3/audit-log-webhook", client.get("/in/v3/audit-log-webhook"), 200);
    assertValid(auditV2, Request.Method.PATCH, "/v2/audit-log-webhook", client.patch("/sg/v2/audit-log-webhook",
        "{\"endpoint\":\"https://siem.example.com\",\"authorization\":\"Bearer x\",\"enabled\":true}"), 200);
    assertValid(auditV2, Request.Method.PATCH, "/v2/audit-log-webhook",
        client.patch("/sg/v2/audit-log-webhook", "{\"endpoint\":\"not a url\"}"), 400);
    assertValid(auditV2, Request.Method.GET, "/v2/audit-log-webhook/status",
        client.get("/sg/v2/audit-log-webhook/status"), 200);
    assertValid(auditV3, Request.Method.GET, "/v3/audit-log-webhook/status",
        client.get("/sg/v3/audit-log-webhook/status"), 200);

    String portalWebhook = "/v3/portals/" + PORTAL + "/audit-log-webhook";
    assertValid(portalV3, Request.Method.GET, portalWebhook, client.get("/us" + portalWebhook), 200);
    String id = client.post("/v3/audit-log-destinations", "{\"name\":\"a\",\"endpoint\":\"https://siem.example.com\","
        + "\"authorization\":\"Bearer x\",\"log_format\":\"json\"}").json().get("id").asText();
    assertValid(portalV3, Request.Method.PATCH, portalWebhook, client.patch("/us" + portalWebhook,
        "{\"audit_log_destination_id\":\"" + id + "\",\"enabled\":true}"), 200);
    assertValid(portalV3, Request.Method.PATCH, portalWebhook, client.patch("/us" + portalWebhook,
        "{\"audit_log_destination_id\":\"x\"}"), 400);
    assertValid(portalV2, Request.Method.GET, portalWebhook.replace("/v3/", "/v2/") + "/status",
        client.get("/us" + portalWebhook.replace("/v3/", "/v2/") + "/status"), 200);
    assertValid(auditV3, Request.Method.PATCH, "/v3/audit-log-webhook", client.patch("/us/v3/audit-log-webhook",
        "{\"audit_log_destination_id\":\"" + id + "\",\"enabled\":false}"), 200);
    assertValid(auditV3, Request.Method.DELETE, "/v3/audit-log-webhook", client.delete("/us/v3/audit-log-webhook"),
        204);
    assertValid(portalV3, Request.Method.DELETE, portalWebhook, client.delete("/us" + portalWebhook), 204);
  }

  @Test
  void destinationsMatchTheSpecs() {
    Answer created = client.post("/v2/audit-log-destinations", "{\"name\":\"d\",\"endpoint\":"
        + "\"https://siem.example.com\",\"authorization\":\"Bearer x\",\"log_format\":\"cef\"}");
    assertValid(auditV2, Request.Method.POST, "/v2/audit-log-destinations", created, 201);
    String id = created.json().get("id").asText();
    assertValid(auditV3, Request.Method.GET, "/v3/audit-log-destinations", client.get("/v3/audit-log-destinations"),
        200);
    assertValid(auditV2, Request.Method.GET, "/v2/audit-log-destinations/" + id,
        client.get("/v2/audit-log-destinations/" + id), 200);
    assertValid(auditV3, Request.Method.PATCH, "/v3/audit-log-destinations/" + id,
        client.patch("/v3/audit-log-destinations/" + id, "{\"log_format\":\"nope\"}"), 400);
    assertValid(auditV3, Request.Method.POST, "/v3/audit-log-destinations",
        client.post("/v3/audit-log-destinations", "{}"), 400);
    konnect.configureOrgWebhook("au", "https://siem.example.com", "Bearer x", "json", true);
    String inUse = client.get("/au/v3/audit-log-webhook").json().get("audit_log_destination_id").asText();
    assertValid(auditV3, Request.Method.DELETE, "/v3/audit-log-destinations/" + inUse,
        client.delete("/v3/audit-log-destinations/" + inUse), 409);
    assertValid(auditV2, Request.Method.DELETE, "/v2/audit-log-destinations/" + id,
        client.delete("/v2/audit-log-destinations/" + id), 204);
    assertValid(auditV2, Request.Method.GET, "/v2/audit-log-destinations/" + id,
        client.get("/v2/audit-log-destinations/" + id), 404);
  }

  @Test
  void theJwksMatchesTheSpec() {
    assertValid(auditV2, Request.Method.GET, "/v2/audit-log-webhook/jwks.json",
        client.withToken(null).get("/v2/audit-log-webhook/jwks.json"), 200);
  }

  @Test
  void theUnconfiguredStatusIsTheOnlyToleratedDifference() {
    Answer a = client.get("/me/v2/audit-log-webhook/status");
    SimpleResponse response = SimpleResponse.Builder.status(200).withContentType(a.contentType())
        .withBody(a.body()).build();
    ValidationReport report = auditV2.validateResponse("/v2/audit-log-webhook/status", Request.Method.GET, response);
    assertThat(report.getMessages()).isNotEmpty().allMatch(m -> tolerated(m, a));
  }
}
