package io.konnectreplay.operator.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The benchmark's small configuration runs to the end and reports every figure. Nothing here is about speed. */
class BenchmarkSmokeTest {

  static final List<String> FIGURES = List.of(
      "machine.cores", "machine.memoryMiB", "settings.KONNECT_MAX_RPS", "settings.RECONCILE_THREADS",
      "baseline.spread.completionSeconds", "baseline.queued.completionSeconds",
      "spread.creationToPutMs.p50", "spread.creationToPutMs.p99", "spread.creationToPutMs.max",
      "spread.completionSeconds", "spread.baselineSeconds", "spread.ratioToBaseline",
      "spread.konnectPerRequest.put", "spread.konnectPerRequest.jobGet", "spread.konnectPerRequest.webhookGet",
      "spread.konnectPerRequest.webhookStatusGet", "spread.konnectPerRequest.total",
      "spread.konnectPerRequest.ratioToMinimum", "spread.statusWritesPerRequest",
      "queued.completionSeconds", "queued.baselineSeconds", "queued.ratioToBaseline",
      "queued.konnectPerRequest.put", "queued.konnectPerRequest.jobGet", "queued.konnectPerRequest.webhookGet",
      "queued.konnectPerRequest.webhookStatusGet", "queued.konnectPerRequest.total",
      "queued.konnectPerRequest.ratioToMinimum", "queued.statusWritesPerRequest",
      "atRest.konnectCallsPerMinute", "atRest.statusWritesPerMinute", "atRest.apiWritesPerMinute",
      "policiesAtRest.konnectReadsPerPolicyHour", "policiesAtRest.apiWritesPerPolicyHour",
      "memory.heapAfterGcMiB", "memory.rssMiB",
      "startup.withSpreadResources.launchToReadyMs", "startup.withAtRestResources.launchToReadyMs");

  @Test
  @Timeout(120)
  void smallConfigurationCompletesAndWritesEveryFigure(@TempDir Path dir) throws Exception {
    Path out = dir.resolve("results.json");

    BenchmarkCommand.run(BenchScale.small(), false, Benchmark.defaultSettings(), out);

    JsonNode results = new ObjectMapper().readTree(out.toFile());
    for (String scenario : List.of("spread", "queued", "baseline.spread", "baseline.queued")) {
      assertThat(at(results, scenario + ".allTerminal").asBoolean()).as(scenario + " all terminal").isTrue();
    }
    assertThat(at(results, "spread.failed").asInt()).isZero();
    assertThat(at(results, "queued.failed").asInt()).isZero();
    for (String figure : FIGURES) {
      assertThat(at(results, figure).isMissingNode() || at(results, figure).isNull()).as(figure).isFalse();
    }
    assertThat(results.get("targets")).hasSize(13);
    assertThat(BenchmarkCommand.table(new ObjectMapper().readValue(out.toFile(), java.util.Map.class)))
        .contains("spread creation→PUT p50");
    System.out.printf("%nbenchmark smoke (small scale; figures for the reader, none asserted): spread creation→PUT"
        + " p50 %s ms, Konnect requests per request %s, status writes per request %s; queued status writes per"
        + " request %s; at rest %s Konnect calls and %s API writes per minute; %s policies at rest (checked every"
        + " 10 s): %s Konnect reads and %s API writes per policy-hour%n",
        at(results, "spread.creationToPutMs.p50").asText(), at(results, "spread.konnectPerRequest.total").asText(),
        at(results, "spread.statusWritesPerRequest").asText(), at(results, "queued.statusWritesPerRequest").asText(),
        at(results, "atRest.konnectCallsPerMinute").asText(), at(results, "atRest.apiWritesPerMinute").asText(),
        at(results, "policiesAtRest.policies").asText(), at(results, "policiesAtRest.konnectReadsPerPolicyHour")
            .asText(), at(results, "policiesAtRest.apiWritesPerPolicyHour").asText());
  }

  private static JsonNode at(JsonNode root, String dotted) {
    return root.at("/" + dotted.replace('.', '/'));
  }
}
