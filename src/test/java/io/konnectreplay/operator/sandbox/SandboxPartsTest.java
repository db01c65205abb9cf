package io.konnectreplay.operator.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The sandbox's pure parts: samples, printer-column paths, ages, the command line. */
class SandboxPartsTest {

  @Test
  void theSamplesAreBundledWithTheirTokenAndJobs() {
    SampleManifests samples = SampleManifests.load();
    assertThat(samples.sampleToken()).isEqualTo("kpat_replace-me-with-a-real-token");
    assertThat(samples.jobs()).extracting(SampleManifests.Sample::name).containsExactlyInAnyOrder("org-au-last-day",
        "org-us-last-6h", "portal-us-last-4h", "portal-eu-first", "portal-eu-second");
    // in the order kubectl apply -f takes the folder: the namespace first, then the Secret the jobs refer to
    assertThat(samples.all()).extracting(SampleManifests.Sample::kind).startsWith("Namespace", "Secret");
    assertThat(samples.all().get(0).name()).isEqualTo(Sandbox.SAMPLES_NAMESPACE);
  }

  @Test
  void printerColumnPathsSelectFieldsAndFilteredListItems() throws Exception {
    JsonNode job = new ObjectMapper().readTree("""
        {"spec":{"region":"us"},"status":{"conditions":[{"type":"Ready","reason":"Queued"},
          {"type":"Reconciling","reason":"Running"}]}}""");
    assertThat(JsonPathLite.first(job, ".spec.region")).isEqualTo("us");
    assertThat(JsonPathLite.first(job, ".spec.portalID")).isNull();
    assertThat(JsonPathLite.first(job, ".status.conditions[?(@.type==\"Reconciling\")].reason")).isEqualTo("Running");
    assertThat(JsonPathLite.first(job, ".status.conditions[0].type")).isEqualTo("Ready");
    assertThat(JsonPathLite.first(job, ".status.conditions[?(@.type==\"Stalled\")].reason")).isNull();
  }

  @Test
  void agesReadLikeKubectls() {
    KubectlDispatcher dispatcher = new KubectlDispatcher(Clock.fixed(Instant.parse("2030-05-01T10:00:00Z"),
        ZoneOffset.UTC));
    assertThat(dispatcher.age("2030-05-01T09:59:15Z")).isEqualTo("45s");
    assertThat(dispatcher.age("2030-05-01T09:56:48Z")).isEqualTo("3m12s");
    assertThat(dispatcher.age("2030-05-01T05:00:00Z")).isEqualTo("5h");
    assertThat(dispatcher.age("2030-04-28T10:00:00Z")).isEqualTo("3d");
  }

  @Test
  void theCommandLine() {
    SandboxCommand.Options defaults = SandboxCommand.parse(new String[0]);
    assertThat(defaults.keepRunning()).isFalse();
    assertThat(defaults.timeout()).isEqualTo(Duration.ofMinutes(3));
    assertThat(defaults.kubeconfig()).isEqualTo(Path.of("target", "sandbox", "kubeconfig"));
    assertThat(defaults.outage()).isEqualTo(Sandbox.DEFAULT_OUTAGE).isEqualTo(Duration.ofSeconds(20));
    SandboxCommand.Options all = SandboxCommand.parse(new String[] {"--keep-running", "--port", "6443", "--fast",
        "--timeout=90s", "--kubeconfig", "/tmp/kc", "--plain", "--outage", "1m"});
    assertThat(all).isEqualTo(new SandboxCommand.Options(true, 6443, true, Duration.ofSeconds(90), Path.of("/tmp/kc"),
        true, Duration.ofMinutes(1)));
    assertThat(SandboxCommand.parse(new String[] {"--outage=0s"}).outage()).isZero();
    assertThat(SandboxCommand.parse(new String[] {"--outage=12s"}).outage()).isEqualTo(Duration.ofSeconds(12));
    // shorter than a policy's check interval plus a little: a check might miss it
    assertThatThrownBy(() -> SandboxCommand.parse(new String[] {"--outage", "11s"}))
        .hasMessageContaining("'11s' is shorter than 12s").hasMessageContaining("0s turns the outage off");
    assertThatThrownBy(() -> SandboxCommand.parse(new String[] {"--outage", "20"}))
        .hasMessageContaining("--outage");
    assertThatThrownBy(() -> SandboxCommand.parse(new String[] {"--port"})).hasMessageContaining("Missing required parameter for option '--port'");
    assertThatThrownBy(() -> SandboxCommand.parse(new String[] {"--nope"})).hasMessageContaining("Unknown option: '--nope'");
  }

  @Test
  void portalTargetsAreShortenedInTheTable() {
    assertThat(ProgressTable.shortTarget("us/portal/3e551b39-0f5e-4a84-b0a9-2d7b4b0e6a11"))
        .isEqualTo("us/portal/3e551b39...");
    assertThat(ProgressTable.shortTarget("au/org")).isEqualTo("au/org");
  }

  @Test
  void fieldSelectorsMatchNestedFieldsAndRefuseWhatTheyCannotApply() throws Exception {
    JsonNode event = new ObjectMapper().readTree("""
        {"metadata":{"name":"e1"},"involvedObject":{"kind":"AuditLogReplayJob","name":"my-replay","uid":"u-1"}}""");
    FieldSelector describe = FieldSelector.parse("involvedObject.name=my-replay,involvedObject.uid==u-1").orElseThrow();
    assertThat(describe.onlyUnder("involvedObject")).isTrue();
    assertThat(describe.onlyUnder("metadata")).isFalse();
    assertThat(describe.matches(event)).isTrue();
    assertThat(FieldSelector.parse("involvedObject.name=other").orElseThrow().matches(event)).isFalse();
    assertThat(FieldSelector.parse("involvedObject.name!=other")).isEmpty();
    assertThat(FieldSelector.parse("").orElseThrow().isEmpty()).isTrue();
  }
}
