package io.konnectreplay.operator.deploy;

import static io.konnectreplay.operator.deploy.DeployFiles.SERIALIZATION;
import static io.konnectreplay.operator.deploy.DeployFiles.one;
import static io.konnectreplay.operator.deploy.DeployFiles.read;
import static io.konnectreplay.operator.deploy.DeployFiles.render;
import static io.konnectreplay.operator.deploy.DeployFiles.root;
import static io.konnectreplay.operator.deploy.DeployFiles.yamlMap;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The chart's alert rules through Prometheus' promtool: they load, and each alert fires on the series it is meant
 * for and stays quiet otherwise ({@code src/test/resources/promtool/alerts-test.yaml}).
 */
class PrometheusRuleTest {
  static final String ENABLED = "metrics: {prometheusRule: {enabled: true}}\n";
  static final Path UNIT_TESTS = root().resolve("src/test/resources/promtool/alerts-test.yaml");
  static final String RULES_FILE = "rules.yaml";

  /** The rendered PrometheusRule. */
  static GenericKubernetesResource prometheusRule(String... values) {
    return one(render(values), GenericKubernetesResource.class, o -> o.getKind().equals("PrometheusRule"));
  }

  static List<Map<String, Object>> groups(GenericKubernetesResource rule) {
    return rule.get("spec", "groups");
  }

  /** Every rule of every group. */
  @SuppressWarnings("unchecked")
  static List<Map<String, Object>> rules(GenericKubernetesResource rule) {
    List<Map<String, Object>> all = new ArrayList<>();
    for (Map<String, Object> group : groups(rule)) all.addAll((List<Map<String, Object>>) group.get("rules"));
    return all;
  }

  /** The groups as a Prometheus rule file, written to {@code dir}. */
  static Path ruleFile(Path dir, GenericKubernetesResource rule) throws IOException {
    Path file = dir.resolve(RULES_FILE);
    Files.writeString(file, SERIALIZATION.asYaml(Map.of("groups", groups(rule))));
    return file;
  }

  @Test
  void promtoolChecksTheRenderedRules(@TempDir Path dir) throws IOException {
    GenericKubernetesResource rule = prometheusRule(ENABLED);
    ruleFile(dir, rule);

    Promtool.Result result = Promtool.run(dir, null, "check", "rules", RULES_FILE);

    assertThat(result.exitCode()).as(result.output()).isZero();
    assertThat(result.output()).contains("SUCCESS: " + rules(rule).size() + " rules found");
  }

  @Test
  void promtoolUnitTestsPass(@TempDir Path dir) throws IOException {
    ruleFile(dir, prometheusRule(ENABLED));
    Files.copy(UNIT_TESTS, dir.resolve("alerts-test.yaml"));

    Promtool.Result result = Promtool.run(dir, null, "test", "rules", "alerts-test.yaml");

    assertThat(result.exitCode()).as(result.output()).isZero();
    assertThat(result.output()).contains("SUCCESS");
  }

  /** Unit tests that cannot fail would prove nothing: every alert is expected to fire once and to stay quiet once. */
  @Test
  @SuppressWarnings("unchecked")
  void theUnitTestsMakeEveryAlertFireAndStayQuiet() {
    Set<String> fires = new TreeSet<>();
    Set<String> quiet = new TreeSet<>();
    Map<String, Object> unitTests = yamlMap(read(UNIT_TESTS));
    assertThat(unitTests.get("rule_files")).isEqualTo(List.of(RULES_FILE));
    for (Map<String, Object> test : (List<Map<String, Object>>) unitTests.get("tests")) {
      for (Map<String, Object> check : (List<Map<String, Object>>) test.getOrDefault("alert_rule_test", List.of())) {
        List<?> expected = (List<?>) check.get("exp_alerts");
        (expected == null || expected.isEmpty() ? quiet : fires).add((String) check.get("alertname"));
      }
    }
    Set<String> alerts = new TreeSet<>(rules(prometheusRule(ENABLED)).stream()
        .map(r -> (String) r.get("alert")).toList());
    assertThat(alerts).hasSize(8);
    assertThat(fires).isEqualTo(alerts);
    assertThat(quiet).isEqualTo(alerts);
  }

  @Test
  @SuppressWarnings("unchecked")
  void everyAlertHasSeverityTextAndARunbookSectionInTheReadme() {
    String readme = read(root().resolve("README.md"));
    Set<String> anchors = new TreeSet<>();
    Matcher headings = Pattern.compile("(?m)^#{2,6} (.+)$").matcher(readme);
    while (headings.find()) anchors.add(headings.group(1).strip().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9 _-]", "")
        .replace(' ', '-'));
    String base = "https://github.com/konnect-replay/konnect-replay-operator/blob/main/README.md#";
    for (Map<String, Object> rule : rules(prometheusRule(ENABLED))) {
      String alert = (String) rule.get("alert");
      assertThat(alert).as("component prefix").startsWith("KonnectReplay");
      Map<String, String> labels = (Map<String, String>) rule.get("labels");
      assertThat(labels.get("severity")).as(alert).isIn("warning", "critical");
      Map<String, String> annotations = (Map<String, String>) rule.get("annotations");
      assertThat(annotations).as(alert).containsOnlyKeys("summary", "description", "runbook_url");
      assertThat(annotations.get("summary")).as(alert).isNotBlank().doesNotContain("\n");
      assertThat(annotations.get("description")).as(alert).isNotBlank();
      String runbook = annotations.get("runbook_url");
      assertThat(runbook).as(alert).isEqualTo(base + alert.toLowerCase(Locale.ROOT));
      assertThat(anchors).as("README section for " + alert).contains(alert.toLowerCase(Locale.ROOT));
    }
  }

  @Test
  @SuppressWarnings("unchecked")
  void selectorDurationsLabelsAndRunbookAreConfigurable(@TempDir Path dir) throws IOException {
    GenericKubernetesResource rule = prometheusRule("""
        metrics:
          prometheusRule:
            enabled: true
            labels: {release: prometheus}
            alertLabels: {team: platform}
            selector: 'service="replays"'
            runbookBaseUrl: https://wiki.example.com/replays
            stalledFor: 1h
            konnectErrorsFor: 30m
            konnectErrorRatio: 0.5
            rateLimitedFor: 2h
            operatorAbsentFor: 10m
            noLeaderFor: 3m
        """);
    assertThat(rule.getMetadata().getLabels()).containsEntry("release", "prometheus");
    Map<String, Map<String, Object>> byAlert = new java.util.TreeMap<>();
    for (Map<String, Object> r : rules(rule)) byAlert.put((String) r.get("alert"), r);
    assertThat(byAlert.values()).allSatisfy(r -> {
      assertThat((String) r.get("expr")).contains("{service=\"replays\"").doesNotContain("job=");
      assertThat((Map<String, String>) r.get("labels")).containsEntry("team", "platform");
      assertThat(((Map<String, String>) r.get("annotations")).get("runbook_url"))
          .isEqualTo("https://wiki.example.com/replays#" + ((String) r.get("alert")).toLowerCase(Locale.ROOT));
    });
    Map<String, String> waits = new java.util.TreeMap<>();
    byAlert.forEach((name, r) -> waits.put(name, Objects.toString(r.get("for"), null)));
    assertThat(waits).containsEntry("KonnectReplayStalled", "1h").containsEntry("KonnectReplayKonnectErrors", "30m")
        .containsEntry("KonnectReplayRateLimited", "2h").containsEntry("KonnectReplayOperatorAbsent", "10m")
        .containsEntry("KonnectReplayNoLeader", "3m").containsEntry("KonnectReplayFailed", null);
    assertThat((String) byAlert.get("KonnectReplayKonnectErrors").get("expr")).endsWith(") > 0.5");
    assertThat(((Map<String, String>) byAlert.get("KonnectReplayStalled").get("annotations")).get("summary"))
        .contains("more than 1h");
    ruleFile(dir, rule);
    Promtool.Result check = Promtool.run(dir, null, "check", "rules", RULES_FILE);
    assertThat(check.exitCode()).as(check.output()).isZero();
  }
}
