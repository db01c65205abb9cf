package io.konnectreplay.operator.it;

import static io.konnectreplay.operator.TestJobs.job;
import static io.konnectreplay.operator.it.OperatorHarness.TOKEN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.konnectreplay.operator.TestJobs;
import io.konnectreplay.operator.api.v1alpha1.AuditLogReplayJob;
import io.konnectreplay.operator.api.v1alpha1.Phase;
import io.konnectreplay.operator.emulator.EndpointKind;
import io.konnectreplay.operator.emulator.FaultRule;
import io.konnectreplay.operator.emulator.FaultRule.Body;
import io.konnectreplay.operator.emulator.FaultRule.RetryAfter;
import io.konnectreplay.operator.emulator.JobTimings;
import io.konnectreplay.operator.emulator.KonnectEmulator;
import io.konnectreplay.operator.emulator.RecordedRequest;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue #4's suite: many requests over several targets while Konnect answers 429s (both forms, both bodies, and
 * without Retry-After), 5xx bursts, slow and dropped connections, plus jobs someone else submitted; the operator is
 * stopped and restarted several times and once a standby takes over from a stopped leader. The promises are then
 * checked against Konnect's request log and the resources.
 */
class FaultInjectionSuiteTest {

  static final Duration STATE = Duration.ofMillis(400);
  static final String[] US_PORTALS = {uuid(), uuid(), uuid(), uuid()};
  static final String EU_PORTAL = uuid();
  static final int PER_TARGET = 4;
  /** Tolerance for requests already in flight when a 429 was answered. */
  static final long IN_FLIGHT_NANOS = Duration.ofMillis(150).toNanos();

  /** Retry-After each 429 rule announces, by region and endpoint (the emulator rounds HTTP dates up). */
  static final Map<String, Duration> RETRY_AFTER = Map.of(
      "us/" + EndpointKind.REPLAY_JOB_GET, Duration.ofSeconds(1),
      "eu/" + EndpointKind.REPLAY_JOB_PUT, Duration.ofSeconds(2),
      "eu/" + EndpointKind.WEBHOOK_GET, Duration.ofSeconds(15));

  record Target(String region, String portal) {
    String key() { return region + "/" + (portal == null ? "org" : portal); }
  }

  record Request(String name, Target target, Instant start, Instant end) {}

  OperatorHarness harness;
  final List<Long> instanceChanges = new CopyOnWriteArrayList<>();
  KonnectEmulator konnect;

  static String uuid() { return UUID.randomUUID().toString(); }

  @AfterEach
  void stop() {
    if (harness != null) harness.close();
  }

  @Test
  void everyPromiseHoldsUnderFaultsRestartsAndATakeover() {
    ScriptedDelivery delivery = new ScriptedDelivery();
    konnect = KonnectEmulator.builder().token(TOKEN).regions("us", "eu")
        .timings(new JobTimings(STATE, STATE, STATE)).delivery(delivery).start();
    List<Target> targets = new ArrayList<>();
    for (String p : US_PORTALS) targets.add(new Target("us", p));
    targets.add(new Target("eu", EU_PORTAL));
    targets.add(new Target("us", null));
    targets.add(new Target("eu", null));
    for (Target t : targets) {
      if (t.portal() != null) {
        konnect.addPortal(t.region(), t.portal());
        konnect.configurePortalWebhook(t.region(), t.portal(), "http://127.0.0.1:9/h", "Bearer s", "json", true);
      } else {
        konnect.configureOrgWebhook(t.region(), "http://127.0.0.1:9/h", "Bearer s", "json", true);
      }
    }
    konnect.faults()
        .add(FaultRule.on("GET", EndpointKind.REPLAY_JOB_GET).region("us").probability(0.12, 7L)
            .rateLimited(RetryAfter.SECONDS, 1, Body.PROBLEM_JSON))
        .add(FaultRule.on("PUT", EndpointKind.REPLAY_JOB_PUT).region("eu").probability(0.3, 11L)
            .rateLimited(RetryAfter.HTTP_DATE, 2, Body.GATEWAY))
        .add(FaultRule.on("GET", EndpointKind.WEBHOOK_GET).region("eu").times(1)
            .rateLimited(RetryAfter.NONE, 0, Body.GATEWAY))
        .add(FaultRule.on(EndpointKind.ANY).region("us").times(4).serverError(503))
        .add(FaultRule.on("PUT", EndpointKind.REPLAY_JOB_PUT).region("us").probability(0.15, 13L).serverError(500))
        .add(FaultRule.on("GET", EndpointKind.REPLAY_JOB_GET).probability(0.05, 17L).dropConnection())
        .add(FaultRule.on(EndpointKind.ANY).probability(0.1, 19L).latency(Duration.ofMillis(250)));

    Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);

    Map<String, String> settings = new HashMap<>(HighAvailabilityTest.LEADER_ELECTION);
    harness = new OperatorHarness(konnect, settings);
    harness.secret("konnect-token", TOKEN);
    OperatorHarness.Instance standby = harness.startOperator();

    List<Request> requests = new ArrayList<>();
    int n = 0;
    for (int round = 0; round < PER_TARGET; round++) {
      for (Target t : targets) {
        Instant start = now.minus(Duration.ofHours(20 - round * 4L)).minus(Duration.ofMinutes(n % 7));
        requests.add(new Request("r" + (n++), t, start, start.plus(Duration.ofHours(2))));
      }
    }
    int restarts = 0;
    await().atMost(Duration.ofSeconds(15)).until(() -> harness.instances().size() == 2 && leaderIsOneOf());
    // Someone else's jobs occupy two targets, running until the operator has met each of them: by a 409 to its
    // PUT, or, when a fault left its PUT ambiguous, by reading the remote job first and queueing behind it.
    Instant externalStart = now.minus(Duration.ofHours(30));
    delivery.hold(externalStart);
    List<Target> held = List.of(new Target("us", US_PORTALS[0]), new Target("us", null));
    for (Target t : held) {
      konnect.submitExternalJob(t.region(), t.portal(), externalStart, externalStart.plus(Duration.ofHours(1)));
    }
    create(requests.subList(0, 10));
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
        .until(() -> held.stream().allMatch(t -> conflictAt(t) || queuedBehindKonnect(requests, t)));
    int metByConflict = (int) held.stream().filter(this::conflictAt).count();
    delivery.release(externalStart);

    // A standby takes over from the stopped leader.
    OperatorHarness.Instance leader = leaderInstance();
    awaitSubmitted(requests.subList(0, 10), 3);
    stopInstance(leader);
    create(requests.subList(10, 20));
    await().atMost(Duration.ofSeconds(20)).until(() -> leaderInstance() != null && !leaderInstance().equals(leader));

    // Crash-like restarts of the whole deployment while work is in flight.
    for (int i = 0; i < 3; i++) {
      awaitSubmitted(requests, 6 + 4 * i);
      instanceChanges.add(System.nanoTime());
      harness.restartOperator();
      instanceChanges.add(System.nanoTime());
      restarts++;
      if (i == 0) create(requests.subList(20, requests.size()));
    }

    await().atMost(Duration.ofSeconds(200)).pollInterval(Duration.ofMillis(500))
        .until(() -> requests.stream().allMatch(r -> terminal(harness.get(r.name()))));

    // 1. Every request reached a terminal state, and it is Completed.
    for (Request r : requests) {
      AuditLogReplayJob job = harness.get(r.name());
      assertThat(job.getStatus().getPhase()).as(r.name()).isEqualTo(Phase.Completed);
      assertThat(job.getStatus().getAttempts()).as(r.name() + " attempts").isEqualTo(1);
    }
    List<RecordedRequest> log = konnect.requestLog().matching(rr -> !rr.external());
    // 2. Konnect accepted each request exactly once.
    for (Request r : requests) {
      long accepted = log.stream().filter(rr -> rr.kind() == EndpointKind.REPLAY_JOB_PUT && rr.status() == 202
          && r.start().equals(rr.windowStart()) && r.end().equals(rr.windowEnd())
          && Objects.equals(r.target().portal(), rr.portalId()) && r.target().region().equals(rr.region())).count();
      assertThat(accepted).as("accepted PUTs for " + r.name()).isEqualTo(1);
    }
    // 3. Nothing was sent to a server sooner than a 429's Retry-After allowed (within one operator process).
    List<RecordedRequest> limited = log.stream().filter(rr -> rr.status() == 429).toList();
    List<String> early = new ArrayList<>();
    for (RecordedRequest r429 : limited) {
      Duration wait = RETRY_AFTER.get(r429.region() + "/" + r429.kind());
      long from = r429.nanoTime() + IN_FLIGHT_NANOS;
      long until = r429.nanoTime() + wait.toNanos() - Duration.ofMillis(50).toNanos();
      if (instanceChanges.stream().anyMatch(t -> t >= r429.nanoTime() && t <= until)) continue;
      log.stream().filter(rr -> rr.region().equals(r429.region()) && rr.nanoTime() > from && rr.nanoTime() < until)
          .forEach(rr -> early.add(rr.method() + " " + rr.path() + " " + (rr.nanoTime() - r429.nanoTime()) / 1_000_000
              + "ms after a 429 with Retry-After " + wait));
    }
    assertThat(early).as("requests sent before Retry-After elapsed").isEmpty();
    // 4. No PUT while Konnect ran another job for the target, beyond the first 409 of each wait.
    Map<String, List<RecordedRequest>> putsByTarget = log.stream()
        .filter(rr -> rr.kind() == EndpointKind.REPLAY_JOB_PUT && !rr.faulted())
        .collect(Collectors.groupingBy(rr -> rr.region() + "/" + rr.portalId()));
    int conflicts = 0;
    for (List<RecordedRequest> puts : putsByTarget.values()) {
      for (int i = 1; i < puts.size(); i++) {
        if (puts.get(i).status() == 409) {
          conflicts++;
          assertThat(puts.get(i - 1).status()).as("a second 409 in one wait at " + puts.get(i).path()).isNotEqualTo(409);
        }
      }
      if (!puts.isEmpty() && puts.get(0).status() == 409) conflicts++;
    }
    // 5. No status write without a change.
    assertThat(harness.api().unchangedStatusWrites.get()).as("status writes that changed nothing").isZero();

    long faults = log.stream().filter(RecordedRequest::faulted).count();
    Map<String, Long> byFault = log.stream().filter(rr -> rr.fault() != null)
        .collect(Collectors.groupingBy(RecordedRequest::fault, Collectors.counting()));
    long accepted = log.stream().filter(rr -> rr.kind() == EndpointKind.REPLAY_JOB_PUT && rr.status() == 202).count();
    System.out.printf("%nfault-injection suite: %d requests over %d targets, %d Konnect requests, %d answered by a"
        + " fault %s, %d restarts + 1 takeover, %d PUTs (%d accepted), %d 409s, %d 429s waited, %d status writes"
        + " (%d conflicts on a stale copy, 0 unchanged); %d external jobs met, %d by a 409, %d by reading them first%n",
        requests.size(), targets.size(), log.size(), faults,
        byFault, restarts, log.stream().filter(rr -> rr.kind() == EndpointKind.REPLAY_JOB_PUT).count(), accepted,
        conflicts, limited.size(), harness.api().statusWrites.get(), harness.api().statusConflicts.get(),
        held.size(), metByConflict, held.size() - metByConflict);
    assertThat(accepted).isEqualTo(requests.size());
    assertThat(limited).as("the suite really injected 429s").isNotEmpty();
    assertThat(conflicts).as("409s: one per external job met by a PUT").isGreaterThanOrEqualTo(metByConflict);
  }

  private boolean conflictAt(Target t) {
    return !konnect.requestLog().matching(rr -> rr.status() == 409 && rr.kind() == EndpointKind.REPLAY_JOB_PUT
        && rr.region().equals(t.region()) && Objects.equals(rr.portalId(), t.portal())).isEmpty();
  }

  private boolean queuedBehindKonnect(List<Request> requests, Target t) {
    return requests.stream().filter(r -> r.target().equals(t)).map(r -> harness.get(r.name()))
        .anyMatch(j -> j != null && j.getStatus() != null && j.getStatus().getQueue() != null
            && "konnect".equals(j.getStatus().getQueue().getBlockedBy()));
  }

  private void create(List<Request> batch) {
    for (Request r : batch) {
      TestJobs j = job(r.name()).region(r.target().region()).window(r.start(), r.end());
      if (r.target().portal() != null) j.portal(r.target().portal());
      harness.create(j);
    }
  }

  private void awaitSubmitted(List<Request> requests, int atLeast) {
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> requests.stream()
        .map(r -> harness.get(r.name())).filter(Objects::nonNull)
        .filter(j -> j.getStatus() != null && j.getStatus().attemptsOrZero() > 0).count() >= atLeast);
  }

  private boolean leaderIsOneOf() {
    return harness.instances().stream().anyMatch(i -> i.identity().equals(leaderIdentity()));
  }

  private OperatorHarness.Instance leaderInstance() {
    return harness.instances().stream().filter(i -> i.identity().equals(leaderIdentity())).findFirst().orElse(null);
  }

  private String leaderIdentity() {
    var lease = harness.client().leases().inNamespace(OperatorHarness.NAMESPACE).withName("konnect-replay-operator")
        .get();
    return lease == null ? null : lease.getSpec().getHolderIdentity();
  }

  private void stopInstance(OperatorHarness.Instance instance) {
    instanceChanges.add(System.nanoTime());
    harness.stop(instance);
    instanceChanges.add(System.nanoTime());
  }

  private static boolean terminal(AuditLogReplayJob job) {
    return job != null && job.getStatus() != null && job.getStatus().getPhase() != null
        && job.getStatus().getPhase().terminal();
  }
}
