package io.konnectreplay.operator.it;

import static io.konnectreplay.operator.TestJobs.job;
import static io.konnectreplay.operator.it.OperatorHarness.NAMESPACE;
import static io.konnectreplay.operator.it.OperatorHarness.TOKEN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.konnectreplay.operator.api.v1alpha1.Phase;
import io.konnectreplay.operator.emulator.EndpointKind;
import io.konnectreplay.operator.emulator.JobTimings;
import io.konnectreplay.operator.emulator.KonnectEmulator;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Leader election on a Lease: a standby takes over from a stopped leader and keeps the exactly-once promise. */
class HighAvailabilityTest {
  static final Duration STATE = Duration.ofSeconds(2);
  static final Map<String, String> LEADER_ELECTION = Map.of(
      "LEADER_ELECTION", "true",
      "LEADER_ELECTION_NAMESPACE", NAMESPACE,
      "LEADER_ELECTION_LEASE_DURATION", "3s",
      "LEADER_ELECTION_RENEW_DEADLINE", "2s",
      "LEADER_ELECTION_RETRY_PERIOD", "500ms");

  OperatorHarness harness;

  @AfterEach
  void stop() {
    if (harness != null) harness.close();
  }

  String leader() {
    Lease lease = harness.client().leases().inNamespace(NAMESPACE).withName("konnect-replay-operator").get();
    return lease == null ? null : lease.getSpec().getHolderIdentity();
  }

  @Test
  void standbyTakesOverFromAStoppedLeaderAndDoesNotResubmit() {
    KonnectEmulator konnect = KonnectEmulator.builder().token(TOKEN).timings(new JobTimings(STATE, STATE, STATE))
        .delivery(new ScriptedDelivery()).start();
    String portal = UUID.randomUUID().toString();
    konnect.addPortal("us", portal);
    konnect.configurePortalWebhook("us", portal, "http://127.0.0.1:9/hook", "Bearer siem", "json", true);
    harness = new OperatorHarness(konnect, LEADER_ELECTION);
    OperatorHarness.Instance first = harness.instances().get(0);
    OperatorHarness.Instance standby = harness.startOperator();
    harness.secret("konnect-token", TOKEN);

    await().atMost(Duration.ofSeconds(15)).until(() -> first.identity().equals(leader()));
    assertThat(standby.runtime().ready()).as("a standby replica reports ready").isTrue();
    assertThat(first.metrics().scrape()).contains("konnect_replay_leader 1.0");
    assertThat(standby.metrics().scrape()).contains("konnect_replay_leader 0.0");

    Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    harness.create(job("ha").portal(portal).window(now.minus(Duration.ofHours(2)), now.minus(Duration.ofHours(1))));
    await().atMost(Duration.ofSeconds(15)).until(() -> harness.get("ha").getStatus() != null
        && harness.get("ha").getStatus().getPhase() != null && harness.get("ha").getStatus().getPhase().active());

    harness.stop(first);
    await().atMost(Duration.ofSeconds(15)).until(() -> standby.identity().equals(leader()));
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
        assertThat(standby.metrics().scrape()).as("the new leader says so").contains("konnect_replay_leader 1.0"));
    harness.awaitCondition("ha", "Complete", "True", "Completed", Duration.ofSeconds(40));

    assertThat(harness.get("ha").getStatus().getPhase()).isEqualTo(Phase.Completed);
    assertThat(harness.get("ha").getStatus().getAttempts()).isEqualTo(1);
    assertThat(konnect.requestLog().matching(r -> portal.equals(r.portalId())
        && r.kind() == EndpointKind.REPLAY_JOB_PUT)).hasSize(1);
  }
}
