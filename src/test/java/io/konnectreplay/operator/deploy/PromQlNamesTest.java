package io.konnectreplay.operator.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PromQlNamesTest {

  @Test
  void metricNamesAreFoundAndEverythingElseIsNot() {
    assertThat(PromQlNames.of("histogram_quantile(0.95, sum by (le, operation) "
        + "(rate(konnect_request_duration_seconds_bucket{job=~\"$job\", operation!=\"x(y)\"}[$__rate_interval])))"))
        .containsExactly("konnect_request_duration_seconds_bucket");
    assertThat(PromQlNames.of("sum(rate(a_total{status_class=~\"5xx|none\"}[5m])) / on (job) group_left "
        + "sum(rate(b_total[5m])) > 0.1 and ignoring(x) c unless absent(up{job='j'} == 1) offset 1h"))
        .containsExactly("a_total", "b_total", "c", "up");
    assertThat(PromQlNames.of("konnect_replay_jobs{namespace=\"${namespace}\"} offset 5m"))
        .containsExactly("konnect_replay_jobs");
    assertThat(PromQlNames.of("max without (instance) (jvm_memory_used_bytes) > 1e3 * 2"))
        .containsExactly("jvm_memory_used_bytes");
  }
}
