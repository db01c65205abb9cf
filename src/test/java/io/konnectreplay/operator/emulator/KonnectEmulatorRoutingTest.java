package io.konnectreplay.operator.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class KonnectEmulatorRoutingTest {
  static final String TOKEN = "kpat_test";
  static final String PORTAL = "3e551b39-0f5e-4a84-b0a9-2d7b4b0e6a11";

  KonnectEmulator konnect;
  EmulatorClient client;
  Instant end = Instant.now().truncatedTo(ChronoUnit.SECONDS).minus(Duration.ofMinutes(1));
  Instant start = end.minus(Duration.ofHours(1));

  @BeforeEach
  void start() {
    konnect = KonnectEmulator.builder().token(TOKEN).timings(new JobTimings(Duration.ofSeconds(30),
        Duration.ZERO, Duration.ZERO)).start().addPortal("eu", PORTAL);
    client = new EmulatorClient(konnect.baseUrl(), TOKEN);
  }

  @AfterEach
  void stop() {
    konnect.close();
  }

  @Test
  void urlsPointAtLoopbackWithARegionPrefix() {
    assertThat(konnect.baseUrl().getHost()).isEqualTo("127.0.0.1");
    assertThat(konnect.regionUrl("eu")).isEqualTo(URI.create(konnect.baseUrl() + "/eu"));
    assertThat(konnect.regions()).containsExactly("us", "eu", "au", "me", "in", "sg");
    assertThatThrownBy(() -> konnect.regionUrl("ap")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void eachRegionHasItsOwnOrgJob() {
    assertThat(client.putWindow("/eu/v2/audit-log-replay-job", start, end).status()).isEqualTo(202);

    assertThat(client.get("/eu/v2/audit-log-replay-job").json().get("status").asText()).isEqualTo("accepted");
    assertThat(client.get("/us/v2/audit-log-replay-job").json().get("status").asText()).isEqualTo("unconfigured");
    assertThat(client.get("/au/v2/audit-log-replay-job").json().get("status").asText()).isEqualTo("unconfigured");
    // the same region may run its own job while eu is busy
    assertThat(client.putWindow("/sg/v2/audit-log-replay-job", start, end).status()).isEqualTo(202);
  }

  @Test
  void pathsWithoutARegionGoToTheDefaultRegion() {
    client.putWindow("/v2/audit-log-replay-job", start, end);

    assertThat(konnect.job("us", null).status()).isEqualTo("accepted");
    assertThat(client.get("/us/v3/audit-log-replay-job").json().get("status").asText()).isEqualTo("accepted");
    assertThat(konnect.requests()).first().satisfies(r -> assertThat(r.region()).isEqualTo("us"));
  }

  @Test
  void portalsBelongToTheirRegion() {
    assertThat(client.get("/eu/v2/portals/" + PORTAL + "/audit-log-replay-job").status()).isEqualTo(200);
    assertThat(client.get("/us/v2/portals/" + PORTAL + "/audit-log-replay-job").status()).isEqualTo(404);
    assertThat(client.get("/v2/portals/" + PORTAL + "/audit-log-replay-job").status()).isEqualTo(404);
  }

  @Test
  void unknownRegionPrefixesAre404() {
    assertThat(client.get("/ap/v2/audit-log-replay-job").status()).isEqualTo(404);
    assertThat(client.get("/global/v2/audit-log-replay-job").status()).isEqualTo(404);
  }

  @Test
  void v3IsAnAliasOfTheSameJobs() {
    client.putWindow("/eu/v3/portals/" + PORTAL + "/audit-log-replay-job", start, end);

    assertThat(client.get("/eu/v2/portals/" + PORTAL + "/audit-log-replay-job").json().get("status").asText())
        .isEqualTo("accepted");
    assertThat(client.putWindow("/eu/v2/portals/" + PORTAL + "/audit-log-replay-job", start, end).status())
        .isEqualTo(409);
    assertThat(konnect.count("PUT", EndpointKind.REPLAY_JOB_PUT)).isEqualTo(2);
  }

  @Test
  void aSingleRegionEmulatorServesOnlyThatRegion() {
    try (KonnectEmulator eu = KonnectEmulator.builder().region("eu").token(TOKEN).start()) {
      EmulatorClient c = new EmulatorClient(eu.baseUrl(), TOKEN);
      assertThat(eu.defaultRegion()).isEqualTo("eu");
      assertThat(c.get("/v2/audit-log-replay-job").status()).isEqualTo(200);
      assertThat(c.get("/eu/v2/audit-log-replay-job").status()).isEqualTo(200);
      assertThat(c.get("/us/v2/audit-log-replay-job").status()).isEqualTo(404);
    }
  }
}
