package io.konnectreplay.operator.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The small calculations behind the figures. */
class BenchFiguresTest {

  @Test
  void percentileIsTheNearestRank() {
    List<Long> sorted = List.of(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L);
    assertThat(Benchmark.percentile(sorted, 50)).isEqualTo(5);
    assertThat(Benchmark.percentile(sorted, 99)).isEqualTo(10);
    assertThat(Benchmark.percentile(List.of(), 50)).isZero();
  }

  @Test
  void requestsToTheMockAreKeyedByMethodNamespaceAndResource() {
    assertThat(CountingDispatcher.key("PUT",
        "/apis/konnectreplay.io/v1alpha1/namespaces/spread/auditlogreplayjobs/replay-1/status"))
        .isEqualTo("PUT spread auditlogreplayjobs/status");
    assertThat(CountingDispatcher.key("POST", "/api/v1/namespaces/spread/events"))
        .isEqualTo("POST spread events");
    assertThat(CountingDispatcher.key("GET", "/apis/konnectreplay.io/v1alpha1/auditlogreplayjobs?watch=true"))
        .isEqualTo("GET - auditlogreplayjobs");
  }
}
