package io.konnectreplay.operator.konnect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.read.ListAppender;
import java.io.InputStream;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.SocketEffect;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.LoggerFactory;

class OkHttpKonnectClientTest {

  private static final String SECRET = "kpat_TESTsecret0123456789abcdefXYZ";
  private static final KonnectToken TOKEN = KonnectToken.of(SECRET);
  private static final String PORTAL = "3e551b39-0f5e-4a84-b0a9-2d7b4b0e6a11";
  private static final String OTHER_PORTAL = "9cb77dc2-ff99-4d47-84ab-7c5c1b3ef939";
  private static final Instant NOW = Instant.parse("2026-11-22T10:00:00Z");
  private static final ReplayWindowRange WINDOW =
      new ReplayWindowRange(Instant.parse("2026-11-20T00:00:00Z"), Instant.parse("2026-11-20T06:00:00Z"));
  private static final String JOB_JSON = """
      {"start_at":"2026-11-20T00:00:00Z","end_at":"2026-11-20T06:00:00Z","status":"accepted",\
      "updated_at":"2026-11-22T09:59:58Z"}""";
  private static final String PROBLEM = "application/problem+json";

  /** A clock the test moves by hand. */
  private static final class TestClock extends Clock {
    private final AtomicReference<Instant> now = new AtomicReference<>(NOW);

    void advance(Duration d) { now.updateAndGet(i -> i.plus(d)); }

    @Override public Instant instant() { return now.get(); }
    @Override public ZoneId getZone() { return ZoneOffset.UTC; }
    @Override public Clock withZone(ZoneId zone) { throw new UnsupportedOperationException(); }
  }

  private record Call(String operation, int status) {}

  private final List<Call> calls = new CopyOnWriteArrayList<>();
  private final List<String> rateLimited = new CopyOnWriteArrayList<>();
  private final List<String> throttled = new CopyOnWriteArrayList<>();
  private final KonnectCallObserver observer = new KonnectCallObserver() {
    @Override public void onCall(String operation, int status, Duration latency) {
      assertThat(latency.isNegative()).isFalse();
      calls.add(new Call(operation, status));
    }
    @Override public void onRateLimited(String server, Duration wait) { rateLimited.add(server + " " + wait); }
    @Override public void onThrottled(String server, Duration wait) { throttled.add(server + " " + wait); }
  };

  private final TestClock clock = new TestClock();
  private MockWebServer server;
  private MockWebServer otherServer;
  private OkHttpKonnectClient client;
  private ListAppender<ILoggingEvent> logs;
  private Logger packageLogger;
  private Level previousLevel;

  @BeforeEach
  void setUp() throws Exception {
    server = new MockWebServer();
    server.start();
    otherServer = new MockWebServer();
    otherServer.start();
    client = clientBuilder().build();

    packageLogger = (Logger) LoggerFactory.getLogger("io.konnectreplay.operator.konnect");
    previousLevel = packageLogger.getLevel();
    packageLogger.setLevel(Level.DEBUG);
    logs = new ListAppender<>();
    logs.start();
    packageLogger.addAppender(logs);
  }

  @AfterEach
  void tearDown() {
    packageLogger.detachAppender(logs);
    packageLogger.setLevel(previousLevel);
    // whatever the test did, the token and the Authorization header never reach a log line
    for (ILoggingEvent event : logs.list) {
      assertThat(event.getFormattedMessage()).doesNotContain(SECRET).doesNotContainIgnoringCase("authorization");
      for (IThrowableProxy t = event.getThrowableProxy(); t != null; t = t.getCause()) {
        assertThat(String.valueOf(t.getMessage())).doesNotContain(SECRET);
      }
    }
    client.close();
    server.close();
    otherServer.close();
  }

  private OkHttpKonnectClient.Builder clientBuilder() {
    return OkHttpKonnectClient.builder()
        .clock(clock)
        .maxRequestsPerSecond(1000)
        .observer(observer);
  }

  private Target org() { return Target.organization(server.url("/").uri(), "us"); }

  private Target portal() { return Target.portal(server.url("/").uri(), "us", PORTAL); }

  private static MockResponse json(int code, String body) {
    return new MockResponse.Builder().code(code).setHeader("Content-Type", "application/json").body(body).build();
  }

  private static MockResponse problem(int code, String body) {
    return new MockResponse.Builder().code(code).setHeader("Content-Type", PROBLEM).body(body).build();
  }

  private RecordedRequest take(MockWebServer s) throws InterruptedException {
    RecordedRequest r = s.takeRequest(5, TimeUnit.SECONDS);
    assertThat(r).as("a request reached the server").isNotNull();
    return r;
  }

  /** The token is in neither the message, the toString nor any cause of the exception. */
  private static <E extends KonnectException> E assertNoToken(E e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      assertThat(String.valueOf(t.getMessage())).doesNotContain(SECRET);
      assertThat(t.toString()).doesNotContain(SECRET);
    }
    assertThat(e.detail()).doesNotContain(SECRET).doesNotContain("\n");
    return e;
  }

  private <E extends KonnectException> E thrownBy(Class<E> type, ThrowingCall call) {
    E e = catchThrowableOfType(type, call::run);
    assertThat(e).as("expected " + type.getSimpleName()).isNotNull();
    return assertNoToken(e);
  }

  @FunctionalInterface
  private interface ThrowingCall {
    void run() throws Exception;
  }

  // ---- exact requests --------------------------------------------------------------------------------------------

  @Test
  void getsTheOrganizationJobWithTheExpectedHeaders() throws Exception {
    server.enqueue(json(200, JOB_JSON));

    RemoteReplayJob job = client.getReplayJob(org(), TOKEN);

    assertThat(job).isEqualTo(new RemoteReplayJob(WINDOW.startAt(), WINDOW.endAt(), "accepted",
        Instant.parse("2026-11-22T09:59:58Z")));
    RecordedRequest r = take(server);
    assertThat(r.getMethod()).isEqualTo("GET");
    assertThat(r.getTarget()).isEqualTo("/v2/audit-log-replay-job");
    assertThat(r.getHeaders().get("Authorization")).isEqualTo("Bearer " + SECRET);
    assertThat(r.getHeaders().get("Accept")).isEqualTo("application/json, application/problem+json");
    assertThat(r.getHeaders().get("User-Agent")).isEqualTo(OkHttpKonnectClient.userAgent());
    assertThat(r.getBodySize()).isZero();
    assertThat(calls).containsExactly(new Call("getReplayJob", 200));
  }

  @Test
  void konnectsClockIsTheLatestDateItsServerAnsweredWith() throws Exception {
    assertThat(client.serverClock(org())).isEmpty();
    server.enqueue(new MockResponse.Builder().code(200).setHeader("Content-Type", "application/json")
        .setHeader("Date", "Sun, 22 Nov 2026 09:30:07 GMT").body(JOB_JSON).build());
    server.enqueue(new MockResponse.Builder().code(409).setHeader("Content-Type", PROBLEM)
        .setHeader("Date", "Sun, 22 Nov 2026 09:30:05 GMT").body("{\"status\":409,\"detail\":\"busy\"}").build());
    client.getReplayJob(org(), TOKEN);
    thrownBy(KonnectException.Conflict.class, () -> client.submitReplayJob(portal(), TOKEN, WINDOW));
    // per server (portal and organization share it), whatever the operator's clock says, never going back
    assertThat(client.serverClock(portal())).hasValue(Instant.parse("2026-11-22T09:30:07Z"));
    assertThat(client.serverClock(Target.organization(otherServer.url("/").uri(), "us"))).isEmpty();
  }

  @Test
  void theUserAgentCarriesTheBuildVersion() throws Exception {
    Properties p = new Properties();
    try (InputStream in = getClass().getResourceAsStream("/konnect-replay-operator.properties")) {
      assertThat(in).as("the filtered properties are on the classpath").isNotNull();
      p.load(in);
    }
    assertThat(p.getProperty("version")).doesNotContain("${").isNotBlank();
    assertThat(OkHttpKonnectClient.userAgent()).isEqualTo("konnect-replay-operator/" + p.getProperty("version"));
  }

  @Test
  void submitsThePortalJobWithTheExactBody() throws Exception {
    server.enqueue(json(202, JOB_JSON));

    RemoteReplayJob job = client.submitReplayJob(portal(), TOKEN, WINDOW);

    assertThat(job.status()).isEqualTo("accepted");
    assertThat(job.hasWindow(WINDOW)).isTrue();
    RecordedRequest r = take(server);
    assertThat(r.getMethod()).isEqualTo("PUT");
    assertThat(r.getTarget()).isEqualTo("/v2/portals/" + PORTAL + "/audit-log-replay-job");
    assertThat(r.getHeaders().get("Content-Type")).isEqualTo("application/json");
    assertThat(r.getHeaders().get("Authorization")).isEqualTo("Bearer " + SECRET);
    assertThat(r.getHeaders().get("Accept")).isEqualTo("application/json, application/problem+json");
    assertThat(r.getHeaders().get("User-Agent")).startsWith("konnect-replay-operator/");
    assertThat(r.getBody().utf8()).isEqualTo("{\"start_at\":\"2026-11-20T00:00:00Z\",\"end_at\":\"2026-11-20T06:00:00Z\"}");
    assertThat(calls).containsExactly(new Call("submitReplayJob", 202));
  }

  @Test
  void submitsTheOrganizationJob() throws Exception {
    server.enqueue(json(202, JOB_JSON));
    client.submitReplayJob(org(), TOKEN, WINDOW);
    RecordedRequest r = take(server);
    assertThat(r.getMethod()).isEqualTo("PUT");
    assertThat(r.getTarget()).isEqualTo("/v2/audit-log-replay-job");
  }

  @ParameterizedTest
  @ValueSource(strings = {"/us", "/us/", "/emulator/us"})
  void appendsToAServerUrlWithAPathPrefix(String prefix) throws Exception {
    server.enqueue(json(200, JOB_JSON));
    server.enqueue(json(202, JOB_JSON));
    server.enqueue(json(200, "{\"enabled\":true,\"audit_log_destination_id\":\"" + OTHER_PORTAL + "\"}"));
    server.enqueue(json(200, "{\"webhook_status\":\"active\",\"webhook_enabled\":true}"));
    URI base = server.url(prefix).uri();
    String p = prefix.endsWith("/") ? prefix.substring(0, prefix.length() - 1) : prefix;

    client.getReplayJob(Target.organization(base, "us"), TOKEN);
    client.submitReplayJob(Target.portal(base, "us", PORTAL), TOKEN, WINDOW);
    client.getWebhook(Target.portal(base, "us", PORTAL), TOKEN);
    client.getWebhookStatus(Target.organization(base, "us"), TOKEN);

    assertThat(take(server).getTarget()).isEqualTo(p + "/v2/audit-log-replay-job");
    assertThat(take(server).getTarget()).isEqualTo(p + "/v2/portals/" + PORTAL + "/audit-log-replay-job");
    assertThat(take(server).getTarget()).isEqualTo(p + "/v2/portals/" + PORTAL + "/audit-log-webhook");
    assertThat(take(server).getTarget()).isEqualTo(p + "/v2/audit-log-webhook/status");
  }

  // ---- parsing ---------------------------------------------------------------------------------------------------

  @ParameterizedTest
  @ValueSource(strings = {"0001-01-01T00:00:00Z", "0001-01-01T00:00:0Z"})
  void readsANeverConfiguredJobWithYearOneTimestamps(String zero) throws Exception {
    server.enqueue(json(200, "{\"start_at\":\"" + zero + "\",\"end_at\":\"" + zero
        + "\",\"status\":\"unconfigured\",\"updated_at\":\"" + zero + "\"}"));

    RemoteReplayJob job = client.getReplayJob(portal(), TOKEN);

    Instant yearOne = Instant.parse("0001-01-01T00:00:00Z");
    assertThat(job).isEqualTo(new RemoteReplayJob(yearOne, yearOne, "unconfigured", yearOne));
    assertThat(job.configured()).isFalse();
    assertThat(job.targetFree()).isTrue();
  }

  @Test
  void keepsAnUnknownStatusVerbatimAndIgnoresUnknownFields() throws Exception {
    server.enqueue(json(200, """
        {"start_at":"2026-11-20T00:00:00.500+01:00","status":"Throttled-By-Ops","progress":{"pct":40},
         "created_at":"2026-11-20T00:00:00Z","id":7}"""));

    RemoteReplayJob job = client.getReplayJob(org(), TOKEN);

    assertThat(job.status()).isEqualTo("Throttled-By-Ops");
    assertThat(job.startAt()).isEqualTo(Instant.parse("2026-11-19T23:00:00.500Z"));
    assertThat(job.endAt()).isNull();
    assertThat(job.updatedAt()).isNull();
    assertThat(job.terminal()).isFalse();
  }

  @Test
  void aMissingStatusIsNull() throws Exception {
    server.enqueue(json(200, "{\"start_at\":null}"));
    assertThat(client.getReplayJob(org(), TOKEN)).isEqualTo(new RemoteReplayJob(null, null, null, null));
  }

  @ParameterizedTest
  @ValueSource(strings = {"<html>oops</html>", "[]", "", "{\"start_at\":\"yesterday\"}", "{\"end_at\":42}"})
  void aSuccessWithABodyThatIsNotAJobIsAnUnexpectedResponse(String body) {
    server.enqueue(json(200, body));
    KonnectException.UnexpectedResponse e =
        thrownBy(KonnectException.UnexpectedResponse.class, () -> client.getReplayJob(org(), TOKEN));
    assertThat(e.httpStatus()).isEqualTo(200);
    assertThat(e.getMessage()).startsWith("Konnect answered 200");
  }

  @Test
  void readsTheOrganizationWebhook() throws Exception {
    server.enqueue(json(200, """
        {"endpoint":"https://siem.example.com/audit","enabled":true,"log_format":"json",
         "skip_ssl_verification":false,"updated_at":"2023-03-21T09:29:14.52Z"}"""));

    Webhook webhook = client.getWebhook(org(), TOKEN);

    assertThat(webhook).isEqualTo(new Webhook(true, "https://siem.example.com/audit", "json", null));
    RecordedRequest r = take(server);
    assertThat(r.getMethod()).isEqualTo("GET");
    assertThat(r.getTarget()).isEqualTo("/v2/audit-log-webhook");
    assertThat(calls).containsExactly(new Call("getWebhook", 200));
  }

  @Test
  void readsAnUnconfiguredOrganizationWebhook() throws Exception {
    server.enqueue(json(200, "{\"enabled\":false,\"endpoint\":\"unconfigured\"}"));
    assertThat(client.getWebhook(org(), TOKEN)).isEqualTo(new Webhook(false, "unconfigured", null, null));
  }

  @Test
  void readsThePortalWebhook() throws Exception {
    server.enqueue(json(200, "{\"enabled\":true,\"audit_log_destination_id\":\"" + OTHER_PORTAL + "\"}"));

    Webhook webhook = client.getWebhook(portal(), TOKEN);

    assertThat(webhook).isEqualTo(new Webhook(true, null, null, OTHER_PORTAL));
    assertThat(take(server).getTarget()).isEqualTo("/v2/portals/" + PORTAL + "/audit-log-webhook");
  }

  @Test
  void readsTheWebhookStatusOfAPortal() throws Exception {
    server.enqueue(json(200, """
        {"webhook_enabled":true,"webhook_status":"inactive","last_attempt_at":"2023-03-21T09:29:14.52Z",
         "last_response_code":401,"last_response_message":"Unauthorized"}"""));

    WebhookStatus status = client.getWebhookStatus(portal(), TOKEN);

    assertThat(status).isEqualTo(new WebhookStatus("inactive", true, Instant.parse("2023-03-21T09:29:14.520Z"),
        401, "Unauthorized"));
    RecordedRequest r = take(server);
    assertThat(r.getMethod()).isEqualTo("GET");
    assertThat(r.getTarget()).isEqualTo("/v2/portals/" + PORTAL + "/audit-log-webhook/status");
    assertThat(calls).containsExactly(new Call("getWebhookStatus", 200));
  }

  @Test
  void readsAnUnconfiguredWebhookStatusWithMissingFields() throws Exception {
    server.enqueue(json(200, "{\"webhook_enabled\":false,\"webhook_status\":\"unconfigured\"}"));

    WebhookStatus status = client.getWebhookStatus(org(), TOKEN);

    assertThat(status).isEqualTo(new WebhookStatus("unconfigured", false, null, null, null));
    assertThat(take(server).getTarget()).isEqualTo("/v2/audit-log-webhook/status");
  }

  // ---- errors ----------------------------------------------------------------------------------------------------

  @ParameterizedTest
  @CsvSource({
      "401, Unauthorized",
      "403, Forbidden",
      "404, NotFound",
      "409, Conflict",
      "500, Unavailable",
      "502, Unavailable",
      "503, Unavailable",
      "504, Unavailable",
      "302, UnexpectedResponse",
      "405, UnexpectedResponse",
      "415, UnexpectedResponse",
      "422, UnexpectedResponse",
  })
  void classifiesEveryStatus(int code, String type) {
    server.enqueue(new MockResponse.Builder().code(code).setHeader("Content-Type", PROBLEM)
        .setHeader("Location", "https://elsewhere.example.com/")
        .body("{\"status\":" + code + ",\"title\":\"Some title\",\"instance\":\"kong:trace:8347343766220159418\","
            + "\"detail\":\"Something specific\"}")
        .build());

    KonnectException e = catchThrowableOfType(KonnectException.class, () -> client.submitReplayJob(portal(), TOKEN,
        WINDOW));

    assertThat(e).isNotNull();
    assertNoToken(e);
    assertThat(e.getClass().getSimpleName()).isEqualTo(type);
    assertThat(e.httpStatus()).isEqualTo(code);
    assertThat(e.getMessage()).startsWith("Konnect answered " + code).endsWith(": Something specific")
        .doesNotContain("trace");
    assertThat(server.getRequestCount()).as("redirects are not followed").isEqualTo(1);
    assertThat(calls).containsExactly(new Call("submitReplayJob", code));
  }

  @Test
  void aConflictSaysWhatKonnectSaidWithoutTheTraceId() {
    server.enqueue(problem(409, """
        {"status":409,"title":"Resource Conflict","instance":"konnect:trace:6644808935508571943",
         "detail":"A replay job is currently running"}"""));

    KonnectException.Conflict e =
        thrownBy(KonnectException.Conflict.class, () -> client.submitReplayJob(org(), TOKEN, WINDOW));

    assertThat(e.getMessage()).isEqualTo("Konnect answered 409 Conflict: A replay job is currently running");
    assertThat(e.detail()).isEqualTo(e.getMessage());
  }

  @Test
  void aDetailThatRepeatsTheReasonIsNotRepeated() {
    server.enqueue(problem(401, """
        {"status":401,"title":"Unauthorized","instance":"kong:trace:8347343766220159418","detail":"Unauthorized"}"""));
    KonnectException.Unauthorized e =
        thrownBy(KonnectException.Unauthorized.class, () -> client.getReplayJob(org(), TOKEN));
    assertThat(e.getMessage()).isEqualTo("Konnect answered 401 Unauthorized");
  }

  @Test
  void traceIdsInsideTheDetailAreStripped() {
    server.enqueue(problem(403, """
        {"status":403,"title":"Forbidden","instance":"kong:trace:2723154947768991354",
         "detail":"You do not have permission to perform this action (trace kong:trace:2723154947768991354); see konnect:trace:99"}"""));
    KonnectException.Forbidden e = thrownBy(KonnectException.Forbidden.class, () -> client.getReplayJob(org(), TOKEN));
    assertThat(e.getMessage()).doesNotContain("trace:").doesNotContain("2723154947768991354")
        .startsWith("Konnect answered 403 Forbidden: You do not have permission to perform this action");
  }

  @Test
  void aBadRequestCarriesTheInvalidParameters() {
    server.enqueue(problem(400, """
        {"status":400,"title":"Bad Request","detail":"Invalid replay window","instance":"konnect:trace:3674017986744198214",
         "invalid_parameters":[
           {"field":"start_at","rule":"is_date_time","source":"body","reason":"must be within the last 7 days"},
           {"field":"end_at","reason":"must not be before start_at"}]}"""));

    KonnectException.BadRequest e =
        thrownBy(KonnectException.BadRequest.class, () -> client.submitReplayJob(portal(), TOKEN, WINDOW));

    assertThat(e.httpStatus()).isEqualTo(400);
    assertThat(e.invalidParameters()).containsExactly(
        new KonnectException.InvalidParameter("start_at", "is_date_time", "must be within the last 7 days"),
        new KonnectException.InvalidParameter("end_at", null, "must not be before start_at"));
    assertThat(e.getMessage()).isEqualTo("Konnect answered 400 Bad Request: Invalid replay window "
        + "[start_at: must be within the last 7 days; end_at: must not be before start_at]");
  }

  @Test
  void aBadRequestWithoutInvalidParametersStillReads() {
    server.enqueue(json(400, "{\"message\":\"bad body\"}"));
    KonnectException.BadRequest e =
        thrownBy(KonnectException.BadRequest.class, () -> client.submitReplayJob(org(), TOKEN, WINDOW));
    assertThat(e.invalidParameters()).isEmpty();
    assertThat(e.getMessage()).isEqualTo("Konnect answered 400 Bad Request: bad body");
  }

  @Test
  void aPlainTextBodyBecomesAShortOneLineExcerpt() {
    String longText = "upstream connect error or disconnect/reset before headers.\n" + "x".repeat(5000);
    server.enqueue(new MockResponse.Builder().code(503).setHeader("Content-Type", "text/plain").body(longText).build());

    KonnectException.Unavailable e =
        thrownBy(KonnectException.Unavailable.class, () -> client.getReplayJob(org(), TOKEN));

    assertThat(e.httpStatus()).isEqualTo(503);
    assertThat(e.getMessage()).startsWith(
        "Konnect answered 503 Service Unavailable: upstream connect error or disconnect/reset before headers. xxx");
    String excerpt = e.getMessage().substring("Konnect answered 503 Service Unavailable: ".length());
    assertThat(excerpt.length()).isLessThanOrEqualTo(200);
  }

  @Test
  void anHtmlErrorPageIsReducedToItsText() {
    server.enqueue(new MockResponse.Builder().code(502).setHeader("Content-Type", "text/html")
        .body("<html>\n<head><title>502 Bad Gateway</title></head>\n<body><center><h1>502 Bad Gateway</h1></center>"
            + "</body>\n</html>").build());
    KonnectException.Unavailable e =
        thrownBy(KonnectException.Unavailable.class, () -> client.getWebhook(org(), TOKEN));
    assertThat(e.getMessage()).isEqualTo("Konnect answered 502 Bad Gateway: 502 Bad Gateway 502 Bad Gateway");
  }

  @Test
  void anEmptyErrorBodyGivesTheStatusAlone() {
    server.enqueue(new MockResponse.Builder().code(500).build());
    KonnectException.Unavailable e =
        thrownBy(KonnectException.Unavailable.class, () -> client.getReplayJob(org(), TOKEN));
    assertThat(e.getMessage()).isEqualTo("Konnect answered 500 Internal Server Error");
  }

  // ---- 429 -------------------------------------------------------------------------------------------------------

  @Test
  void aGatewayRateLimitWithRetryAfterSecondsPausesForThatLong() {
    server.enqueue(new MockResponse.Builder().code(429).setHeader("Content-Type", "application/json")
        .setHeader("Retry-After", "7").body("{\"message\":\"API rate limit exceeded\"}").build());

    KonnectException.RateLimited e =
        thrownBy(KonnectException.RateLimited.class, () -> client.getReplayJob(org(), TOKEN));

    assertThat(e.local()).isFalse();
    assertThat(e.httpStatus()).isEqualTo(429);
    assertThat(e.retryAfter()).isEqualTo(Duration.ofSeconds(7));
    assertThat(e.getMessage()).isEqualTo(
        "Konnect answered 429 Too Many Requests: API rate limit exceeded (every call to this server waits 7s)");
    assertThat(client.pausedFor(org())).contains(Duration.ofSeconds(7));
    assertThat(rateLimited).containsExactly(OkHttpKonnectClient.serverKey(server.url("/")) + " PT7S");
  }

  @Test
  void aProblemRateLimitWithAnHttpDateIsRelativeToTheClock() {
    String date = DateTimeFormatter.RFC_1123_DATE_TIME.format(NOW.plusSeconds(120).atZone(ZoneOffset.UTC));
    server.enqueue(new MockResponse.Builder().code(429).setHeader("Content-Type", PROBLEM)
        .setHeader("Retry-After", date)
        .body("{\"status\":429,\"title\":\"Rate Limited\",\"detail\":\"Too many requests\","
            + "\"instance\":\"konnect:trace:1\"}").build());

    KonnectException.RateLimited e =
        thrownBy(KonnectException.RateLimited.class, () -> client.getReplayJob(org(), TOKEN));

    assertThat(e.retryAfter()).isEqualTo(Duration.ofSeconds(120));
    assertThat(e.getMessage()).isEqualTo(
        "Konnect answered 429 Too Many Requests (every call to this server waits 2m)"); // detail = reason: not repeated
  }

  @Test
  void aRateLimitWithoutRetryAfterWaitsFifteenSeconds() {
    server.enqueue(problem(429, "{\"status\":429,\"title\":\"Too Many Requests\",\"instance\":\"kong:trace:5\"}"));
    KonnectException.RateLimited e =
        thrownBy(KonnectException.RateLimited.class, () -> client.getReplayJob(org(), TOKEN));
    assertThat(e.retryAfter()).isEqualTo(Duration.ofSeconds(15));
    assertThat(e.getMessage()).isEqualTo("Konnect answered 429 Too Many Requests (every call to this server waits 15s)");
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "30|PT30S",
      "' 30 '|PT30S",
      "0|PT1S",
      "86400|PT1H",
      "99999999999999999999999|PT1H",
      "soon|PT15S",
      "-5|PT15S",
      "1.5|PT15S",
      "''|PT15S",
      "Sun, 22 Nov 2026 10:00:45 GMT|PT45S",
      "Sun, 22 Nov 2026 09:00:00 GMT|PT1S",
      "Mon, 23 Nov 2026 10:00:00 GMT|PT1H",
  })
  void retryAfterAcceptsSecondsAndHttpDatesWithinBounds(String header, Duration expected) {
    assertThat(KonnectErrors.retryAfter(header, NOW)).isEqualTo(expected);
  }

  @Test
  void aMissingRetryAfterHeaderIsTheDefault() {
    assertThat(KonnectErrors.retryAfter(null, NOW)).isEqualTo(Duration.ofSeconds(15));
  }

  @Test
  void a429PausesEveryCallToThatServerUntilTheRetryAfterElapses() throws Exception {
    server.enqueue(new MockResponse.Builder().code(429).setHeader("Retry-After", "30")
        .body("{\"message\":\"API rate limit exceeded\"}").build());
    thrownBy(KonnectException.RateLimited.class, () -> client.getReplayJob(portal(), TOKEN));
    assertThat(server.getRequestCount()).isEqualTo(1);

    // another portal, another operation, same server: refused without sending anything
    Target otherPortal = Target.portal(server.url("/").uri(), "us", OTHER_PORTAL);
    KonnectException.RateLimited paused =
        thrownBy(KonnectException.RateLimited.class, () -> client.submitReplayJob(otherPortal, TOKEN, WINDOW));
    assertThat(paused.local()).isTrue();
    assertThat(paused.httpStatus()).isZero();
    assertThat(paused.retryAfter()).isEqualTo(Duration.ofSeconds(30));
    assertThat(paused.getMessage()).contains("paused for another 30s").contains("nothing was sent");
    assertThat(server.getRequestCount()).isEqualTo(1);

    // a different server is unaffected
    otherServer.enqueue(json(200, JOB_JSON));
    client.getReplayJob(Target.organization(otherServer.url("/").uri(), "us"), TOKEN);
    assertThat(otherServer.getRequestCount()).isEqualTo(1);

    clock.advance(Duration.ofSeconds(20));
    KonnectException.RateLimited stillPaused =
        thrownBy(KonnectException.RateLimited.class, () -> client.getWebhook(org(), TOKEN));
    assertThat(stillPaused.retryAfter()).isEqualTo(Duration.ofSeconds(10));
    assertThat(server.getRequestCount()).isEqualTo(1);

    clock.advance(Duration.ofSeconds(10));
    server.enqueue(json(202, JOB_JSON));
    client.submitReplayJob(otherPortal, TOKEN, WINDOW);
    assertThat(server.getRequestCount()).isEqualTo(2);
    assertThat(client.pausedFor(portal())).isEmpty();

    assertThat(calls).containsExactly(new Call("getReplayJob", 429), new Call("getReplayJob", 200),
        new Call("submitReplayJob", 202));
    assertThat(throttled).hasSize(2);
  }

  @Test
  void aPathPrefixIsADifferentServer() throws Exception {
    Target us = Target.organization(server.url("/us").uri(), "us");
    Target eu = Target.organization(server.url("/eu").uri(), "eu");
    server.enqueue(new MockResponse.Builder().code(429).setHeader("Retry-After", "60").build());
    thrownBy(KonnectException.RateLimited.class, () -> client.getReplayJob(us, TOKEN));

    server.enqueue(json(200, JOB_JSON));
    client.getReplayJob(eu, TOKEN);
    KonnectException.RateLimited paused = thrownBy(KonnectException.RateLimited.class,
        () -> client.getReplayJob(Target.organization(server.url("/us/").uri(), "us"), TOKEN));
    assertThat(paused.local()).isTrue();
    assertThat(server.getRequestCount()).isEqualTo(2);
  }

  @Test
  void theServerKeyIsSchemeHostPortAndPrefix() {
    assertThat(OkHttpKonnectClient.serverKey(okhttp3.HttpUrl.get("https://US.api.konghq.com:443/")))
        .isEqualTo("https://us.api.konghq.com");
    assertThat(OkHttpKonnectClient.serverKey(okhttp3.HttpUrl.get("http://127.0.0.1:8081/us/")))
        .isEqualTo("http://127.0.0.1:8081/us");
  }

  // ---- request budget --------------------------------------------------------------------------------------------

  @Test
  void aSpentBudgetRefusesLocallyWithoutSending() throws Exception {
    try (OkHttpKonnectClient slow = clientBuilder().maxRequestsPerSecond(0.01).maxBudgetWait(Duration.ZERO).build()) {
      server.enqueue(json(200, JOB_JSON));
      slow.getReplayJob(org(), TOKEN);

      KonnectException.RateLimited e =
          thrownBy(KonnectException.RateLimited.class, () -> slow.getReplayJob(portal(), TOKEN));

      assertThat(e.local()).isTrue();
      assertThat(e.retryAfter()).isGreaterThan(Duration.ofSeconds(90));
      assertThat(e.getMessage()).contains("request budget").contains("nothing was sent");
      assertThat(server.getRequestCount()).isEqualTo(1);
      assertThat(throttled).hasSize(1);
      assertThat(slow.requestBudget().burst()).isEqualTo(1);
    }
  }

  // ---- no answer -------------------------------------------------------------------------------------------------

  @Test
  void aSlowAnswerBeyondTheReadTimeoutIsUnavailable() {
    try (OkHttpKonnectClient impatient = clientBuilder().readTimeout(Duration.ofMillis(200)).build()) {
      server.enqueue(new MockResponse.Builder().headersDelay(2, TimeUnit.SECONDS).body(JOB_JSON).build());

      KonnectException.Unavailable e =
          thrownBy(KonnectException.Unavailable.class, () -> impatient.getReplayJob(org(), TOKEN));

      assertThat(e.httpStatus()).isZero();
      assertThat(e.getMessage()).startsWith("No answer from Konnect at ").contains("timed out")
          .contains("GET /v2/audit-log-replay-job");
      assertThat(calls).containsExactly(new Call("getReplayJob", 0));
    }
  }

  @Test
  void aStalledAnswerHitsTheCallTimeout() {
    try (OkHttpKonnectClient impatient = clientBuilder().callTimeout(Duration.ofMillis(300)).build()) {
      server.enqueue(new MockResponse.Builder().onResponseStart(SocketEffect.Stall.INSTANCE).build());
      KonnectException.Unavailable e =
          thrownBy(KonnectException.Unavailable.class, () -> impatient.getWebhookStatus(org(), TOKEN));
      assertThat(e.httpStatus()).isZero();
      assertThat(e.getMessage()).contains("timed out");
    }
  }

  @Test
  void aConnectionDroppedBeforeTheAnswerIsUnavailable() {
    server.enqueue(new MockResponse.Builder().onRequestStart(new SocketEffect.CloseSocket()).build());

    KonnectException.Unavailable e =
        thrownBy(KonnectException.Unavailable.class, () -> client.getReplayJob(portal(), TOKEN));

    assertThat(e.httpStatus()).isZero();
    assertThat(e.getMessage()).startsWith("No answer from Konnect");
    assertThat(calls).containsExactly(new Call("getReplayJob", 0));
  }

  @Test
  void aConnectionDroppedAfterThePutIsUnavailableAndNotRetried() {
    server.enqueue(new MockResponse.Builder().onResponseStart(new SocketEffect.CloseSocket()).build());
    server.enqueue(json(202, JOB_JSON));

    KonnectException.Unavailable e =
        thrownBy(KonnectException.Unavailable.class, () -> client.submitReplayJob(portal(), TOKEN, WINDOW));

    assertThat(e.httpStatus()).isZero();
    assertThat(server.getRequestCount()).as("one PUT, no silent retry").isEqualTo(1);
  }

  @Test
  void aRefusedConnectionIsUnavailable() throws Exception {
    MockWebServer gone = new MockWebServer();
    gone.start();
    URI url = gone.url("/").uri();
    gone.close();

    KonnectException.Unavailable e = thrownBy(KonnectException.Unavailable.class,
        () -> client.getReplayJob(Target.organization(url, "us"), TOKEN));

    assertThat(e.httpStatus()).isZero();
    assertThat(e.getCause()).isNotNull();
  }

  // ---- the token -------------------------------------------------------------------------------------------------

  @Test
  void theTokenNeverAppearsEvenWhenKonnectEchoesIt() {
    server.enqueue(problem(401, "{\"status\":401,\"title\":\"Unauthorized\",\"instance\":\"kong:trace:1\","
        + "\"detail\":\"token " + SECRET + " is revoked\"}"));
    server.enqueue(new MockResponse.Builder().code(502).setHeader("Content-Type", "text/plain")
        .body("bad gateway for Authorization: Bearer " + SECRET).build());
    server.enqueue(problem(400, "{\"status\":400,\"title\":\"Bad Request\",\"detail\":\"no\","
        + "\"invalid_parameters\":[{\"field\":\"" + SECRET + "\",\"reason\":\"echo " + SECRET + "\"}]}"));
    server.enqueue(json(429, "{\"message\":\"slow down " + SECRET + "\"}"));

    KonnectException.Unauthorized unauthorized =
        thrownBy(KonnectException.Unauthorized.class, () -> client.getReplayJob(org(), TOKEN));
    assertThat(unauthorized.getMessage()).isEqualTo("Konnect answered 401 Unauthorized: token [redacted] is revoked");
    thrownBy(KonnectException.Unavailable.class, () -> client.getWebhook(org(), TOKEN));
    KonnectException.BadRequest badRequest =
        thrownBy(KonnectException.BadRequest.class, () -> client.submitReplayJob(org(), TOKEN, WINDOW));
    assertThat(badRequest.invalidParameters().toString()).doesNotContain(SECRET);
    thrownBy(KonnectException.RateLimited.class, () -> client.getWebhookStatus(org(), TOKEN));
    KonnectException.RateLimited paused =
        thrownBy(KonnectException.RateLimited.class, () -> client.getWebhookStatus(org(), TOKEN));
    assertThat(paused.local()).isTrue();

    assertThat(logs.list).isNotEmpty(); // tearDown checks every line for the token
    assertThat(TOKEN.toString()).doesNotContain(SECRET);
  }

  @Test
  void aFailingObserverDoesNotBreakTheCall() throws Exception {
    try (OkHttpKonnectClient c = clientBuilder().observer(new KonnectCallObserver() {
      @Override public void onCall(String operation, int status, Duration latency) {
        throw new IllegalStateException("metrics down");
      }
    }).build()) {
      server.enqueue(json(200, JOB_JSON));
      assertThat(c.getReplayJob(org(), TOKEN).status()).isEqualTo("accepted");
    }
  }

  @Test
  void theDefaultsAreTheDocumentedOnes() {
    try (OkHttpKonnectClient c = OkHttpKonnectClient.builder().build()) {
      assertThat(c.http().connectTimeoutMillis()).isEqualTo(5_000);
      assertThat(c.http().readTimeoutMillis()).isEqualTo(15_000);
      assertThat(c.http().writeTimeoutMillis()).isEqualTo(10_000);
      assertThat(c.http().callTimeoutMillis()).isEqualTo(30_000);
      assertThat(c.http().followRedirects()).isFalse();
      assertThat(c.http().retryOnConnectionFailure()).isFalse();
      assertThat(c.requestBudget().ratePerSecond()).isEqualTo(10);
      assertThat(c.requestBudget().burst()).isEqualTo(10);
      assertThat(c.requestBudget().maxWait()).isEqualTo(Duration.ofSeconds(2));
    }
  }

  @Test
  void theBuilderRejectsNonsense() {
    assertThatThrownBy(() -> OkHttpKonnectClient.builder().maxRequestsPerSecond(0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> OkHttpKonnectClient.builder().readTimeout(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
