package io.konnectreplay.operator.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class OperatorSettingsTest {

  @Test
  void defaultsMatchTheSpec() {
    OperatorSettings s = OperatorSettings.defaults(Map.of());
    assertThat(s.watchNamespaces()).isEmpty();
    assertThat(s.defaultServerUrl("eu")).isEqualTo("https://eu.api.konghq.com");
    assertThat(s.regions()).containsExactly("us", "eu", "au", "me", "in", "sg");
    assertThat(s.pollIntervalMax()).isEqualTo(Duration.ofSeconds(30));
    assertThat(s.maxRequestsPerSecond()).isEqualTo(10.0);
    assertThat(s.leaderElection()).isFalse();
    assertThat(s.httpPort()).isEqualTo(8080);
    assertThat(s.logFormat()).isEqualTo("text");
    assertThat(s.allowedServerUrls().check("https://us.api.konghq.com")).isPresent();
  }

  @Test
  void environmentValuesAreParsed() {
    OperatorSettings s = OperatorSettings.defaults(Map.of("WATCH_NAMESPACES", "a, b", "POLL_INTERVAL_MAX", "1m30s",
        "KONNECT_REGIONS", "us,eu", "LEADER_ELECTION", "true", "LOG_FORMAT", "JSON", "KONNECT_MAX_RPS", "2.5"));
    assertThat(s.watchNamespaces()).isEqualTo(Set.of("a", "b"));
    assertThat(s.pollIntervalMax()).isEqualTo(Duration.ofSeconds(90));
    assertThat(s.regions()).containsExactly("us", "eu");
    assertThat(s.leaderElection()).isTrue();
    assertThat(s.logFormat()).isEqualTo("json");
    assertThat(s.maxRequestsPerSecond()).isEqualTo(2.5);
  }

  @Test
  void badValuesSayWhatIsWrong() {
    assertThatThrownBy(() -> OperatorSettings.defaults(Map.of("LOG_FORMAT", "xml")))
        .hasMessageContaining("LOG_FORMAT");
    assertThatThrownBy(() -> OperatorSettings.defaults(Map.of("POLL_INTERVAL_MAX", "soon")))
        .hasMessageContaining("not a duration");
    assertThatThrownBy(() -> OperatorSettings.defaults(Map.of("KONNECT_MAX_RPS", "0")))
        .hasMessageContaining("KONNECT_MAX_RPS");
  }

  @Test
  void goDurations() {
    assertThat(GoDuration.parse("24h")).isEqualTo(Duration.ofHours(24));
    assertThat(GoDuration.parse("1.5h")).isEqualTo(Duration.ofMinutes(90));
    assertThat(GoDuration.parse("250ms")).isEqualTo(Duration.ofMillis(250));
    assertThat(GoDuration.format(Duration.ofMinutes(90))).isEqualTo("1h30m");
    assertThat(GoDuration.format(Duration.ofSeconds(45))).isEqualTo("45s");
    assertThatThrownBy(() -> GoDuration.parse("1d")).isInstanceOf(IllegalArgumentException.class);
  }
}
