package io.konnectreplay.operator.it;

import static io.konnectreplay.operator.TestJobs.job;
import static io.konnectreplay.operator.it.OperatorHarness.NAMESPACE;
import static io.konnectreplay.operator.it.OperatorHarness.TOKEN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.util.ContextInitializer;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.konnectreplay.operator.api.v1alpha1.AuditLogReplayJob;
import io.konnectreplay.operator.emulator.EndpointKind;
import io.konnectreplay.operator.emulator.FaultRule;
import io.konnectreplay.operator.emulator.KonnectEmulator;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** /metrics, /healthz, /readyz, JSON logs, and the token kept out of logs, Events and status. */
class ObservabilityTest {
  static final String WRONG_TOKEN = "kpat_WrongButSecretValue_9f8e7d6c5b4a";
  static final Instant NOW = Instant.now().truncatedTo(ChronoUnit.SECONDS);
  static OperatorHarness harness;
  static String portal;

  @BeforeAll
  static void start() {
    KonnectEmulator konnect = KonnectEmulator.builder().token(TOKEN).delivery(new ScriptedDelivery()).start();
    harness = new OperatorHarness(konnect, Map.of());
    harness.secret("konnect-token", TOKEN);
    portal = newPortal();
  }

  @AfterAll
  static void stop() { harness.close(); }

  static String newPortal() { return harness.newPortal(); }

  static HttpResponse<String> get(String path) throws Exception {
    int port = harness.instances().get(0).http().port();
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void metricsHealthAndReadinessOverHttp() throws Exception {
    harness.create(job("metered").portal(portal).window(NOW.minus(Duration.ofHours(2)), NOW.minusSeconds(3600)));
    harness.awaitCondition("metered", "Complete", "True", "Completed");

    assertThat(get("/healthz").statusCode()).isEqualTo(200);
    assertThat(get("/readyz").statusCode()).isEqualTo(200);
    HttpResponse<String> metrics = get("/metrics");
    assertThat(metrics.statusCode()).isEqualTo(200);
    assertThat(metrics.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain");
    String text = metrics.body();
    assertThat(text).containsPattern("konnect_requests_total\\{operation=\"submitReplayJob\",status_class=\"2xx\"\\} [1-9]");
    assertThat(text).contains("konnect_request_duration_seconds_bucket");
    assertThat(text).containsPattern("konnect_replay_jobs\\{phase=\"Completed\"\\} [1-9]");
    assertThat(text).containsPattern("konnect_replay_creation_to_completion_seconds_count [1-9]");
    assertThat(text).contains("konnect_replay_queued_requests", "konnect_replay_status_writes_total",
        "konnect_rate_limited_total");
    assertThat(text).as("JOSDK's own reconciliation metrics").contains("operator_sdk");
    assertThat(text).as("without leader election the started operator leads").contains("konnect_replay_leader 1.0");
    assertThat(text).as("no resource names as labels").doesNotContain("metered").doesNotContain(portal);
  }

  @Test
  void theTokenAppearsNowhere() throws Exception {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    ListAppender<ILoggingEvent> captured = new ListAppender<>();
    captured.setContext(context);
    captured.start();
    // Everything at DEBUG, the framework's and HTTP clients' loggers included.
    List<String> loggers = List.of(Logger.ROOT_LOGGER_NAME, "io.konnectreplay", "io.javaoperatorsdk", "io.fabric8",
        "okhttp3");
    Map<String, Level> levels = new java.util.HashMap<>();
    for (String name : loggers) {
      levels.put(name, context.getLogger(name).getLevel());
      context.getLogger(name).setLevel(Level.DEBUG);
    }
    root.addAppender(captured);
    try {
      String p = newPortal();
      harness.secret("wrong", WRONG_TOKEN);
      harness.konnect().faults().add(FaultRule.on("GET", EndpointKind.WEBHOOK_GET).portal(p).times(1)
          .rateLimited(FaultRule.RetryAfter.SECONDS, 1, FaultRule.Body.PROBLEM_JSON));
      harness.konnect().faults().add(FaultRule.on("PUT", EndpointKind.REPLAY_JOB_PUT).portal(p).times(1)
          .serverError(503));
      harness.create(job("secretive").portal(p).window(NOW.minus(Duration.ofHours(3)), NOW.minusSeconds(7200)));
      harness.create(job("refused").portal(p).window(NOW.minus(Duration.ofHours(5)), NOW.minus(Duration.ofHours(4)))
          .secret("wrong", null));
      harness.awaitCondition("secretive", "Complete", "True", "Completed");
      harness.awaitCondition("refused", "Stalled", "True", "Unauthorized");
      // Events and the transition's log line follow the status write: search them all.
      await().atMost(Duration.ofSeconds(5)).ignoreExceptions() // the appender's list is appended to meanwhile
          .until(() -> harness.eventReasons("secretive").contains("Completed")
          && harness.eventReasons("refused").contains("Unauthorized")
          && captured.list.stream().anyMatch(e -> e.getFormattedMessage().contains("→ Completed")));
    } finally {
      root.detachAppender(captured);
      levels.forEach((name, level) -> context.getLogger(name).setLevel(level));
    }

    List<String> places = new ArrayList<>();
    for (ILoggingEvent e : captured.list) {
      places.add(e.getFormattedMessage());
      for (IThrowableProxy t = e.getThrowableProxy(); t != null; t = t.getCause()) places.add(t.getMessage());
    }
    assertThat(captured.list).as("debug logging was captured").hasSizeGreaterThan(100);
    for (Event event : harness.client().v1().events().inNamespace(NAMESPACE).list().getItems()) {
      places.add(event.getMessage());
      places.add(event.getReason());
    }
    KubernetesSerialization json = new KubernetesSerialization();
    for (AuditLogReplayJob job : harness.client().resources(AuditLogReplayJob.class).inNamespace(NAMESPACE).list()
        .getItems()) {
      places.add(json.asJson(job));
    }
    assertThat(String.join("\n", places.stream().map(String::valueOf).toList()))
        .contains("Unauthorized").contains("platform/wrong")
        .doesNotContain(TOKEN).doesNotContain(WRONG_TOKEN)
        .doesNotContain(TOKEN.substring(5)).doesNotContain(WRONG_TOKEN.substring(5))
        .doesNotContain(java.util.Base64.getEncoder().encodeToString(TOKEN.getBytes(StandardCharsets.UTF_8)))
        .doesNotContain(java.util.Base64.getEncoder().encodeToString(WRONG_TOKEN.getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void jsonLogsCarryNamespaceAndNameOnEveryReconcileLine() throws Exception {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    PrintStream originalErr = System.err;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      System.setErr(new PrintStream(out, true, StandardCharsets.UTF_8));
      context.reset();
      JoranConfigurator configurator = new JoranConfigurator();
      configurator.setContext(context);
      configurator.doConfigure(ObservabilityTest.class.getResource("/logback-json.xml"));
      harness.create(job("json-logged").portal(newPortal())
          .window(NOW.minus(Duration.ofHours(6)), NOW.minus(Duration.ofHours(5))));
      harness.awaitCondition("json-logged", "Complete", "True", "Completed");
      // The transition is logged right after its status write: wait for the line before logging is reset.
      await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(20))
          .until(() -> out.toString(StandardCharsets.UTF_8).contains("→ Completed")
              || out.toString(StandardCharsets.UTF_8).contains("\\u2192 Completed"));
    } finally {
      context.reset();
      new ContextInitializer(context).autoConfig();
      System.setErr(originalErr);
    }
    ObjectMapper mapper = new ObjectMapper();
    List<JsonNode> lines = new ArrayList<>();
    for (String line : out.toString(StandardCharsets.UTF_8).split("\n")) {
      if (!line.isBlank()) lines.add(mapper.readTree(line));
    }
    List<JsonNode> ours = lines.stream().filter(l -> l.path("loggerName").asText().contains("reconciler")
        && l.path("formattedMessage").asText().contains("→")).toList();
    assertThat(ours).as("transition lines of the reconcile").hasSizeGreaterThanOrEqualTo(2);
    assertThat(ours).allSatisfy(l -> {
      assertThat(l.path("mdc").path("namespace").asText()).isEqualTo(NAMESPACE);
      assertThat(l.path("level").asText()).isNotEmpty();
      assertThat(l.path("timestamp").asLong()).isPositive();
    });
    assertThat(ours).anySatisfy(l -> assertThat(l.path("mdc").path("name").asText()).isEqualTo("json-logged"));
  }
}
