package io.konnectreplay.operator.deploy;

import static io.konnectreplay.operator.TestJobs.job;
import static io.konnectreplay.operator.it.OperatorHarness.NAMESPACE;
import static io.konnectreplay.operator.it.OperatorHarness.TOKEN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.konnectreplay.operator.emulator.EndpointKind;
import io.konnectreplay.operator.emulator.FaultRule;
import io.konnectreplay.operator.emulator.KonnectEmulator;
import io.konnectreplay.operator.it.OperatorHarness;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real scrape of /metrics from two operator replicas (a leader and a standby) after requests have completed,
 * stalled, failed and met a 429: promtool accepts it, and every metric the chart's alerts and dashboard query is in it.
 */
class MonitoringScrapeTest {
  static final Instant NOW = Instant.now().truncatedTo(ChronoUnit.SECONDS);
  static OperatorHarness harness;
  static OperatorHarness.Instance leader;
  static OperatorHarness.Instance standby;
  static String scrape;

  @BeforeAll
  static void reconcileAndScrape() throws Exception {
    KonnectEmulator konnect = KonnectEmulator.builder().token(TOKEN)
        .delivery(new io.konnectreplay.operator.it.ScriptedDelivery()).start();
    // The default lease timings: the first replica takes the free Lease at once, and keeps it on a loaded machine.
    harness = new OperatorHarness(konnect, Map.of("LEADER_ELECTION", "true", "LEADER_ELECTION_NAMESPACE", NAMESPACE));
    OperatorHarness.Instance first = harness.instances().get(0);
    OperatorHarness.Instance second = harness.startOperator();
    await().atMost(Duration.ofSeconds(15)).until(() -> holder() != null);
    leader = first.identity().equals(holder()) ? first : second;
    standby = leader == first ? second : first;

    String portal = UUID.randomUUID().toString();
    konnect.addPortal("us", portal);
    konnect.configurePortalWebhook("us", portal, "http://127.0.0.1:9/hook", "Bearer siem", "json", true);
    harness.secret("konnect-token", TOKEN);
    harness.secret("wrong", "kpat_NotTheTokenKonnectKnows_0123456789");
    konnect.faults().add(FaultRule.on("GET", EndpointKind.WEBHOOK_GET).portal(portal).times(1)
        .rateLimited(FaultRule.RetryAfter.SECONDS, 1, FaultRule.Body.PROBLEM_JSON));
    harness.create(job("done").portal(portal).window(NOW.minus(Duration.ofHours(2)), NOW.minusSeconds(3600)));
    harness.create(job("refused").portal(portal).secret("wrong", null)
        .window(NOW.minus(Duration.ofHours(4)), NOW.minus(Duration.ofHours(3))));
    harness.create(job("too-old").portal(portal)
        .window(NOW.minus(Duration.ofDays(9)), NOW.minus(Duration.ofDays(8))));
    harness.awaitCondition("done", "Complete", "True", "Completed");
    harness.awaitCondition("refused", "Stalled", "True", "Unauthorized");
    harness.awaitCondition("too-old", "Failed", "True", "WindowExpired");
    // A gap-healing policy whose webhook is disabled: an open gap, for the policy gauges and counters.
    String down = java.util.UUID.randomUUID().toString();
    konnect.addPortal("us", down);
    konnect.configurePortalWebhook("us", down, "http://127.0.0.1:9/hook", "Bearer siem", "json", false);
    io.konnectreplay.operator.api.v1alpha1.AuditLogReplayPolicy policy =
        new io.konnectreplay.operator.api.v1alpha1.AuditLogReplayPolicy();
    policy.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder().withName("gap").withNamespace(NAMESPACE)
        .build());
    io.konnectreplay.operator.api.v1alpha1.AuditLogReplayPolicySpec spec =
        new io.konnectreplay.operator.api.v1alpha1.AuditLogReplayPolicySpec();
    spec.setRegion("us");
    spec.setPortalID(down);
    spec.setKonnect(new io.konnectreplay.operator.api.v1alpha1.KonnectSettings(
        new io.konnectreplay.operator.api.v1alpha1.SecretKeyRef("konnect-token", "token"), null));
    spec.setCheckInterval("10s");
    policy.setSpec(spec);
    harness.client().resources(io.konnectreplay.operator.api.v1alpha1.AuditLogReplayPolicy.class)
        .inNamespace(NAMESPACE).resource(policy).create();
    // The gauges read the leader's informer cache and the counters follow the status writes: wait for both.
    scrape = await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
        .until(() -> get(leader, "/metrics"), text -> text.contains(STALLED) && text.contains(FAILED)
            && text.contains(COMPLETED) && text.contains("konnect_replay_policy_retention_remaining_seconds{")
            && text.contains("konnect_replay_policy_data_lost_seconds_total{"));
  }

  static final String STALLED = "konnect_replay_stalled{reason=\"Unauthorized\"} 1.0";
  static final String FAILED = "konnect_replay_failed_total{reason=\"WindowExpired\"} 1.0";
  static final String COMPLETED = "konnect_replay_jobs_by_reason{phase=\"Completed\",reason=\"Completed\"} 1.0";

  @AfterAll
  static void stop() {
    if (harness != null) harness.close();
  }

  static String holder() {
    Lease lease = harness.client().leases().inNamespace(NAMESPACE).withName("konnect-replay-operator").get();
    return lease == null || lease.getSpec() == null ? null : lease.getSpec().getHolderIdentity();
  }

  static String get(OperatorHarness.Instance instance, String path) throws Exception {
    HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + instance.http().port() + path)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    return response.body();
  }

  /** The sample names of a scrape (histogram buckets, sums and counts included). */
  static Set<String> sampleNames(String text) {
    Set<String> names = new TreeSet<>();
    for (String line : text.split("\n")) {
      if (line.isBlank() || line.startsWith("#")) continue;
      names.add(line.split("[{ ]", 2)[0]);
    }
    return names;
  }

  @Test
  void theLeaderReportsOneAndTheStandbyZero() throws Exception {
    assertThat(scrape).contains("konnect_replay_leader 1.0");
    assertThat(get(standby, "/metrics")).contains("konnect_replay_leader 0.0");
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(get(standby, "/metrics"))
        .as("a standby's cache holds the requests too: dashboards take the max over replicas")
        .contains("konnect_replay_jobs{phase=\"Completed\"} 1.0"));
  }

  @Test
  void theScrapeShowsWhatHappened() {
    assertThat(scrape).contains("konnect_rate_limited_total 1.0");
    assertThat(scrape).containsPattern("konnect_replay_creation_to_submission_seconds_count [1-9]");
    assertThat(scrape).containsPattern("operator_sdk_controllers_execution_reconcile_seconds_count\\{[^}]*} [1-9]");
  }

  /**
   * promtool parses the scrape and lints it. Lint findings are tolerated only for other libraries' meters, each
   * named here: the Java Operator SDK registers its meters without help text, and Micrometer names two of its own
   * against Prometheus' conventions. The operator's own metrics have none.
   */
  @Test
  void promtoolAcceptsTheScrape(@TempDir Path dir) {
    Promtool.Result result = Promtool.run(dir, scrape, "check", "metrics");

    assertThat(result.exitCode()).as("0: clean, 3: lint findings only; anything else: unreadable\n%s",
        result.output()).isIn(0, 3);
    Set<String> tolerated = Set.of("process_cpu_time_ns_total metric names should not contain abbreviated units",
        "system_cpu_count non-histogram and non-summary metrics should not have \"_count\" suffix");
    List<String> findings = result.output().lines().filter(l -> !l.isBlank()).toList();
    assertThat(findings).allSatisfy(line -> assertThat(tolerated.contains(line)
        || line.matches("operator_sdk_\\w+ no help text")).as(line).isTrue());
    assertThat(findings).noneMatch(line -> line.startsWith("konnect_"));
  }

  @Test
  void everyMetricTheDashboardQueriesIsScraped() {
    Set<String> scraped = sampleNames(scrape);
    Map<String, Set<String>> queried = GrafanaDashboard.metricNamesByQuery(GrafanaDashboard.json());
    assertThat(queried).hasSizeGreaterThanOrEqualTo(15);
    queried.forEach((query, names) -> {
      assertThat(names).as("metric names in %s", query).isNotEmpty();
      assertThat(scraped).as(query).containsAll(names);
    });
  }

  @Test
  void everyMetricTheAlertsQueryIsScraped() {
    Set<String> scraped = sampleNames(scrape);
    for (Map<String, Object> rule : PrometheusRuleTest.rules(PrometheusRuleTest.prometheusRule(PrometheusRuleTest.ENABLED))) {
      String expr = (String) rule.get("expr");
      Set<String> names = new TreeSet<>(PromQlNames.of(expr));
      assertThat(names).as(expr).isNotEmpty();
      names.remove("up"); // Prometheus' own, per scrape target
      assertThat(scraped).as(expr).containsAll(names);
    }
  }
}
