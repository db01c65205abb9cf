package io.konnectreplay.operator.it;

import static io.konnectreplay.operator.TestJobs.job;
import static io.konnectreplay.operator.it.OperatorHarness.NAMESPACE;
import static io.konnectreplay.operator.it.OperatorHarness.TOKEN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.konnectreplay.operator.TestJobs;
import io.konnectreplay.operator.api.v1alpha1.AuditLogReplayJob;
import io.konnectreplay.operator.api.v1alpha1.Phase;
import io.konnectreplay.operator.emulator.EndpointKind;
import io.konnectreplay.operator.emulator.JobTimings;
import io.konnectreplay.operator.emulator.KonnectEmulator;
import io.konnectreplay.operator.emulator.RecordedRequest;
import io.konnectreplay.operator.reconciler.AuditLogReplayJobReconciler;
import io.konnectreplay.operator.sandbox.ApiFaults;
import io.konnectreplay.operator.sandbox.ApiFaults.Match;
import io.konnectreplay.operator.sandbox.ApiFaults.Verb;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The Kubernetes API as it really answers, in front of the operator: watches cut every few seconds, 410 Gone on watch
 * resumes, 5xx on status writes, 429 storms with Retry-After on lists and Events, slow answers, a blackout while jobs
 * run, Lease writes failing until the leader is deposed and a standby takes over, a crash-restart, and another client
 * editing labels, annotations and spec.suspend so that status writes meet real 409s. Checked against Konnect's
 * request log: every request Completed, accepted exactly once, in order per target.
 */
class ApiFaultSuiteTest {
  static final Duration STATE = Duration.ofMillis(400);
  static final int PER_TARGET = 3;
  static final int BLACKOUT_SECONDS = 20;

  record Request(String name, String portal, Instant start, Instant end) {}

  OperatorHarness harness;

  @AfterEach
  void stop() {
    if (harness != null) harness.close();
  }

  @Test
  void everyRequestCompletesOnceAndInOrderWhileTheApiMisbehaves() throws Exception {
    long began = System.nanoTime();
    KonnectEmulator konnect = KonnectEmulator.builder().token(TOKEN).timings(new JobTimings(STATE, STATE, STATE))
        .delivery(new ScriptedDelivery()).start();
    List<String> portals = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      String portal = UUID.randomUUID().toString();
      konnect.addPortal("us", portal);
      konnect.configurePortalWebhook("us", portal, "http://127.0.0.1:9/h", "Bearer s", "json", true);
      portals.add(portal);
    }
    ApiFaults faults = new ApiFaults(42L);
    harness = new OperatorHarness(konnect, HighAvailabilityTest.LEADER_ELECTION, faults);
    harness.secret("konnect-token", TOKEN);
    OperatorHarness.Instance first = harness.instances().get(0);
    OperatorHarness.Instance standby = harness.startOperator();
    await().atMost(Duration.ofSeconds(15)).until(() -> first.identity().equals(leader()));

    // Always on from here: watches cut every 3 s, some answers slow.
    faults.closeWatchesAfter(Duration.ofSeconds(3));
    faults.delay(new Match(java.util.Set.of(), null, null), 0.1, Duration.ofMillis(150));

    Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    List<Request> requests = new ArrayList<>();
    for (int round = 0; round < PER_TARGET; round++) {
      for (int t = 0; t < portals.size(); t++) {
        Instant start = now.minus(Duration.ofHours(20 - round * 5L));
        requests.add(new Request("r%02d".formatted(requests.size()), portals.get(t), start, start.plus(Duration.ofHours(2))));
      }
    }
    ConcurrentWriter writer = new ConcurrentWriter(requests);
    writer.start();

    // 5xx on 20 % of status writes, a 429 storm on lists and Events, 410 on the next watch resumes.
    var status500 = faults.answer(Match.statusWrites(), 0.1, 500, null);
    var status503 = faults.answer(Match.statusWrites(), 0.1, 503, Duration.ofSeconds(1));
    var lists429 = faults.answer(Match.of(null, Verb.LIST), 0.3, 429, Duration.ofSeconds(1));
    var events429 = faults.answer(Match.of("events", Verb.CREATE), 0.5, 429, Duration.ofSeconds(1));
    faults.goneOnNextResumes(3);
    long listsBefore = faults.calls(Verb.LIST, "auditlogreplayjobs");
    create(requests.subList(0, 8));
    awaitSubmitted(requests, 3);

    // Lease writes fail: the leader stops acting once its last accepted renewal is older than the renew deadline,
    // before the Lease could expire for the standby; its elector gives up once the client's retries are spent, and
    // the standby takes over when Lease writes work again.
    var leases = faults.answer(Match.of("leases"), 1.0, 503, Duration.ofSeconds(1));
    long leaseTrouble = System.nanoTime();
    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
        .until(() -> first.runtime().leadership() != AuditLogReplayJobReconciler.Leadership.LEADING);
    Duration fencedAfter = Duration.ofNanos(System.nanoTime() - leaseTrouble);
    assertThat(fencedAfter).as("stopped acting before the Lease (3 s) could expire for a standby")
        .isLessThan(Duration.ofSeconds(3));
    await().atMost(Duration.ofSeconds(40)).until(() -> first.metrics().scrape().contains("konnect_replay_leader 0.0"));
    leases.stop();
    await().atMost(Duration.ofSeconds(15)).until(() -> standby.identity().equals(leader()));
    harness.stop(first);
    harness.startOperator(); // a new standby
    create(requests.subList(8, requests.size()));

    // A blackout while jobs run: readiness drops, and comes back without a restart.
    faults.blackout(true);
    long blackoutFrom = System.nanoTime();
    await().atMost(Duration.ofSeconds(10)).until(() -> !standby.runtime().ready());
    // The leader is not ready for as long as the API is unreachable: its informers cannot watch.
    await().during(Duration.ofSeconds(BLACKOUT_SECONDS)).atMost(Duration.ofSeconds(BLACKOUT_SECONDS + 2))
        .until(() -> !standby.runtime().ready());
    long blackoutTo = System.nanoTime();
    faults.blackout(false);
    await().atMost(Duration.ofSeconds(20)).until(() -> standby.runtime().ready());

    // A crash-restart of what runs, while status writes still fail now and then.
    awaitSubmitted(requests, 8);
    harness.restartOperator();
    status500.stop();
    status503.stop();
    lists429.stop();
    events429.stop();

    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(300))
        .until(() -> requests.stream().allMatch(r -> terminal(harness.get(r.name()))));
    writer.stop();

    List<RecordedRequest> accepted = konnect.requestLog()
        .matching(r -> r.kind() == EndpointKind.REPLAY_JOB_PUT && r.status() == 202);
    for (Request r : requests) {
      AuditLogReplayJob job = harness.get(r.name());
      assertThat(job.getStatus().getPhase()).as(r.name()).isEqualTo(Phase.Completed);
      assertThat(job.getStatus().getAttempts()).as(r.name() + " attempts").isEqualTo(1);
      assertThat(accepted.stream().filter(a -> r.portal().equals(a.portalId()) && r.start().equals(a.windowStart())
          && r.end().equals(a.windowEnd())).count()).as("accepted PUTs for " + r.name()).isEqualTo(1);
    }
    // No status write lost: the last request of each target says what Konnect's job says.
    for (String portal : portals) {
      Request last = requests.stream().filter(r -> r.portal().equals(portal)).reduce((a, b) -> b).orElseThrow();
      var remote = konnect.job("us", portal);
      var status = harness.get(last.name()).getStatus();
      assertThat(remote.startAt()).as("Konnect's job on " + portal).isEqualTo(last.start());
      assertThat(status.getRemote().getStatus()).as(last.name() + " remote status").isEqualTo(remote.status())
          .isEqualTo("completed");
      assertThat(Instant.parse(status.getRemote().getStartAt())).isEqualTo(remote.startAt());
    }
    for (String portal : portals) {
      List<Instant> order = accepted.stream().filter(a -> portal.equals(a.portalId()))
          .sorted(Comparator.comparingLong(RecordedRequest::nanoTime)).map(RecordedRequest::windowStart).toList();
      assertThat(order).as("accepted in creation order on " + portal)
          .isEqualTo(requests.stream().filter(r -> r.portal().equals(portal)).map(Request::start).toList());
    }
    Map<String, Long> injected = faults.injected();
    long watchesClosed = injected.getOrDefault("watch closed", 0L);
    long gone = injected.getOrDefault("410 on watch resume", 0L);
    long relists = faults.calls(Verb.LIST, "auditlogreplayjobs") - listsBefore;
    long statusFaults = injected.entrySet().stream().filter(e -> e.getKey().endsWith("auditlogreplayjobs/status"))
        .mapToLong(Map.Entry::getValue).sum();
    assertThat(watchesClosed).as("dropped watches").isGreaterThanOrEqualTo(3);
    assertThat(gone).as("410s on watch resumes").isGreaterThanOrEqualTo(1);
    assertThat(relists).as("lists after a 410 or a dropped watch").isGreaterThanOrEqualTo(1);
    assertThat(statusFaults).as("status writes answered 5xx").isGreaterThan(0);
    assertThat(harness.api().statusConflicts.get()).as("409s from the concurrent writer").isGreaterThan(0);
    List<RecordedRequest> duringBlackout = konnect.requestLog()
        .matching(r -> r.nanoTime() > blackoutFrom && r.nanoTime() < blackoutTo);
    // An intent recorded just before the blackout is followed by its PUT at once (Konnect needs no API): such a PUT
    // may land in the blackout's first moments. After that no intent can be recorded, so no PUT can be sent.
    long graceNanos = Duration.ofSeconds(2).toNanos();
    long putsDuringBlackout = duringBlackout.stream().filter(r -> r.kind() == EndpointKind.REPLAY_JOB_PUT)
        .filter(r -> r.nanoTime() > blackoutFrom + graceNanos).count();
    assertThat(putsDuringBlackout).as("PUTs while the API was unreachable (no intent can be recorded)").isZero();
    assertThat(duringBlackout.size()).as("Konnect calls while the API was unreachable (backoff bounds them)")
        .isLessThanOrEqualTo(60);
    assertThat(injected).as("the operator kept trying the API during the blackout, and was refused")
        .containsKey("request refused in blackout");
    System.out.printf("%napi fault suite: %d requests over %d targets in %d s, each accepted once and in order;"
        + " faults injected %s; %d concurrent edits, %d status writes (%d answered 409), %d status writes answered"
        + " 5xx and retried, %d job lists after the first (relists), %d Konnect requests during the %d s blackout,"
        + " 1 leader deposed by failing Lease writes (stopped acting %d ms after they began to fail) + 1 takeover"
        + " + 1 restart%n",
        requests.size(), portals.size(), Duration.ofNanos(System.nanoTime() - began).toSeconds(), injected,
        writer.edits.get(), harness.api().statusWrites.get(), harness.api().statusConflicts.get(), statusFaults,
        relists, duringBlackout.size(), BLACKOUT_SECONDS, fencedAfter.toMillis());
  }

  /** Another client (kubectl, Argo CD, Flux): edits labels and annotations, and suspend once a request was submitted. */
  final class ConcurrentWriter {
    final AtomicInteger edits = new AtomicInteger();
    private final List<Request> requests;
    private volatile boolean running = true;
    private final Thread thread;

    ConcurrentWriter(List<Request> requests) {
      this.requests = requests;
      this.thread = new Thread(this::run, "concurrent-writer");
      thread.setDaemon(true);
    }

    void start() { thread.start(); }

    void stop() throws InterruptedException {
      running = false;
      thread.join(5000);
    }

    private void run() {
      Random random = new Random(7);
      while (running) {
        Request r = requests.get(random.nextInt(requests.size()));
        try {
          var resource = harness.client().resources(AuditLogReplayJob.class).inNamespace(NAMESPACE).withName(r.name());
          AuditLogReplayJob job = resource.get();
          if (job != null && !terminal(job)) {
            int n = edits.incrementAndGet();
            boolean submitted = job.getStatus() != null && job.getStatus().attemptsOrZero() > 0;
            resource.edit(j -> {
              j.getMetadata().setLabels(new HashMap<>(Map.of("edited", Integer.toString(n % 3))));
              j.getMetadata().setAnnotations(new HashMap<>(Map.of("example.com/touched", Integer.toString(n))));
              if (submitted) j.getSpec().setSuspend(n % 2 == 0); // no effect once submitted
              return j;
            });
          }
          Thread.sleep(150);
        } catch (InterruptedException e) {
          return;
        } catch (RuntimeException e) {
          // a conflict with the operator or a deleted resource: the next edit goes on
        }
      }
    }
  }

  private void create(List<Request> batch) {
    for (Request r : batch) {
      TestJobs j = job(r.name()).portal(r.portal()).window(r.start(), r.end());
      harness.create(j);
    }
  }

  private void awaitSubmitted(List<Request> requests, int atLeast) {
    await().atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofMillis(200)).until(() -> requests.stream()
        .map(r -> harness.get(r.name())).filter(Objects::nonNull)
        .filter(j -> j.getStatus() != null && j.getStatus().attemptsOrZero() > 0).count() >= atLeast);
  }

  private String leader() {
    var lease = harness.client().leases().inNamespace(NAMESPACE).withName("konnect-replay-operator").get();
    return lease == null ? null : lease.getSpec().getHolderIdentity();
  }

  private static boolean terminal(AuditLogReplayJob job) {
    return job != null && job.getStatus() != null && job.getStatus().getPhase() != null
        && job.getStatus().getPhase().terminal();
  }
}
