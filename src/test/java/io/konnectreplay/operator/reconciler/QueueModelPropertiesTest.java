package io.konnectreplay.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import io.konnectreplay.operator.TestJobs;
import io.konnectreplay.operator.api.v1alpha1.AuditLogReplayJob;
import io.konnectreplay.operator.api.v1alpha1.AuditLogReplayJobStatus;
import io.konnectreplay.operator.api.v1alpha1.Phase;
import io.konnectreplay.operator.config.OperatorSettings;
import io.konnectreplay.operator.konnect.KonnectException;
import io.konnectreplay.operator.konnect.RemoteReplayJob;
import io.konnectreplay.operator.konnect.ReplayWindowRange;
import io.konnectreplay.operator.konnect.Webhook;
import io.konnectreplay.operator.konnect.WebhookStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * A model of N requests over M targets, run through the production cycle ({@link ReplayCycle}, {@link TargetQueue},
 * {@link RequestPlanner}) against an in-memory Konnect that holds one job per target and answers 409 while it runs.
 * Requests come in any creation order, with any spelling of the server URL and portal id, in two namespaces, with
 * ended or future windows, some suspended and some with a broken Secret; reconciles happen in any order.
 *
 * <p>Properties: never two active requests on one canonical target; among requests that could be submitted, the
 * oldest goes first; a request is never queued behind one that is waiting (future window, suspended, stalled); the
 * plan is stable (the status a cycle writes yields the same request on the next); no exception escapes; and in the
 * end every request that could run completed after exactly one accepted PUT, and every other one was never sent.
 */
class QueueModelPropertiesTest {

  static final Instant T0 = Instant.parse("2026-12-02T10:00:00Z");
  static final OperatorSettings SETTINGS = OperatorSettings.defaults(Map.of(
      "KONNECT_ALLOWED_SERVER_URLS", "http://127.0.0.1:*", "KONNECT_SERVER_URL_TEMPLATE", "http://127.0.0.1:8081/{region}"));
  static final Duration JOB_RUNS = Duration.ofSeconds(20);
  static final String[] PORTALS = {null, TestJobs.PORTAL, TestJobs.OTHER_PORTAL};
  static final String[] SPELLINGS = {null, "http://127.0.0.1:8081/us", "HTTP://127.0.0.1:8081/us/",
      "http://127.0.0.1:8081/./us", "http://127.0.0.1:8081/x/../us//"};

  static final AtomicLong TRIES = new AtomicLong();
  static final AtomicLong REQUESTS = new AtomicLong();
  static final AtomicLong ACCEPTED = new AtomicLong();
  static final AtomicLong CONFLICTS = new AtomicLong();
  static final AtomicLong QUEUED_CHECKS = new AtomicLong();

  /** One generated request. */
  record Spec(int portal, boolean upperCasePortal, int spelling, String namespace, int createdSecond,
      int endsInMinutes, boolean fractional, boolean suspended, boolean brokenSecret) {}

  @Provide
  Arbitrary<List<Spec>> requests() {
    Arbitrary<Spec> spec = Combinators.combine(
        Arbitraries.integers().between(0, PORTALS.length - 1),
        Arbitraries.of(false, true),
        Arbitraries.integers().between(0, SPELLINGS.length - 1),
        Arbitraries.of("a", "b"),
        Arbitraries.integers().between(0, 5),
        Arbitraries.integers().between(-120, 6).map(m -> m < 0 ? -60 : m), // mostly ended an hour ago
        Arbitraries.of(false, true),
        Arbitraries.integers().between(0, 99)) // one in ten suspended, one in ten with a broken Secret
        .as((portal, upper, spelling, ns, created, ends, fractional, flags) -> new Spec(portal, upper, spelling, ns,
            created, ends, fractional, flags % 10 == 0, flags / 10 == 0));
    return spec.list().ofMinSize(1).ofMaxSize(7);
  }

  @Provide
  Arbitrary<List<Integer>> schedule() {
    return Arbitraries.integers().between(0, 1000).list().ofMinSize(10).ofMaxSize(80);
  }

  static final int TRIES_PER_RUN = 1000;

  @Property(tries = TRIES_PER_RUN)
  void theQueueKeepsEveryRuleForAnyRequestsAndAnySchedule(@ForAll("requests") List<Spec> specs,
      @ForAll("schedule") List<Integer> schedule) {
    TRIES.incrementAndGet();
    World world = new World(specs);
    REQUESTS.addAndGet(specs.size());
    Instant now = T0;
    for (int pick : schedule) {
      now = now.plusSeconds(pick % 17);
      world.reconcile(pick % specs.size(), now);
    }
    // drain: time passes, every request is reconciled until nothing changes
    Instant windowsEnded = T0.plusSeconds(7 * 60);
    for (int round = 0; round < 80; round++) {
      now = now.plusSeconds(15);
      boolean changed = false;
      for (int i = 0; i < specs.size(); i++) changed |= world.reconcile(i, now);
      if (!changed && now.isAfter(windowsEnded) && world.idle(now)) break;
    }
    for (int i = 0; i < specs.size(); i++) {
      Spec spec = specs.get(i);
      AuditLogReplayJobStatus status = world.jobs.get(i).getStatus();
      String reason = StatusBuilder.mainReason(status);
      assertThat(reason).as("request %d ends with a reason", i).isNotBlank();
      if (spec.suspended() || spec.brokenSecret()) {
        assertThat(world.accepted.getOrDefault(i, 0)).as("request %d (%s) was never sent", i, reason).isZero();
      } else {
        assertThat(status.getPhase()).as("request %d (%s) completed", i, reason).isEqualTo(Phase.Completed);
        assertThat(world.accepted.get(i)).as("request %d accepted once", i).isEqualTo(1);
      }
    }
    printCountsAfterTheLastTry();
  }

  static void printCountsAfterTheLastTry() {
    if (TRIES.get() % TRIES_PER_RUN != 0) return;
    System.out.printf("queue model: %d tries, %d requests, %d accepted PUTs, %d 409s, %d queue placements checked%n",
        TRIES.get(), REQUESTS.get(), ACCEPTED.get(), CONFLICTS.get(), QUEUED_CHECKS.get());
  }

  /** The requests, the in-memory Konnect (one job per canonical target), and the checks. */
  static final class World {
    final RequestPlanner planner = new RequestPlanner(SETTINGS);
    final TargetQueue queue = new TargetQueue(SETTINGS, planner);
    final List<AuditLogReplayJob> jobs = new ArrayList<>();
    final List<Spec> specs;
    final Map<String, RemoteJob> konnect = new HashMap<>();
    final Map<Integer, Integer> accepted = new HashMap<>();

    /** Konnect's job of one target. */
    static final class RemoteJob {
      ReplayWindowRange window;
      Instant acceptedAt;
      int owner = -1;

      String status(Instant now) {
        if (window == null) return RemoteReplayJob.UNCONFIGURED;
        return now.isBefore(acceptedAt.plus(JOB_RUNS)) ? RemoteReplayJob.RUNNING : RemoteReplayJob.COMPLETED;
      }

      RemoteReplayJob view(Instant now) {
        if (window == null) {
          Instant year1 = Instant.parse("0001-01-01T00:00:00Z");
          return new RemoteReplayJob(year1, year1, RemoteReplayJob.UNCONFIGURED, year1);
        }
        Instant updated = status(now).equals(RemoteReplayJob.RUNNING) ? acceptedAt : acceptedAt.plus(JOB_RUNS);
        return new RemoteReplayJob(window.startAt(), window.endAt(), status(now), updated);
      }
    }

    World(List<Spec> specs) {
      this.specs = specs;
      for (int i = 0; i < specs.size(); i++) {
        Spec s = specs.get(i);
        String portal = PORTALS[s.portal()];
        if (portal != null && s.upperCasePortal()) portal = portal.toUpperCase();
        String fraction = s.fractional() ? ".25" : "";
        Instant end = s.endsInMinutes() < 0 ? T0.plusSeconds(60L * s.endsInMinutes())
            : T0.plusSeconds(60L * s.endsInMinutes());
        Instant start = end.minusSeconds(3600);
        TestJobs b = TestJobs.job(s.namespace(), "r" + i)
            .window(start.toString().replace("Z", fraction + "Z"), end.toString().replace("Z", fraction + "Z"))
            .created(T0.minusSeconds(60 - s.createdSecond()).toString()).suspend(s.suspended());
        if (portal != null) b.portal(portal);
        if (SPELLINGS[s.spelling()] != null) b.server(SPELLINGS[s.spelling()]);
        jobs.add(b.build());
      }
    }

    boolean idle(Instant now) {
      return konnect.values().stream().noneMatch(r -> RemoteReplayJob.RUNNING.equals(r.status(now)));
    }

    /** One reconcile of request {@code i}; true when it changed the request's status. */
    boolean reconcile(int i, Instant now) {
      AuditLogReplayJob job = jobs.get(i);
      RequestPlan plan = planner.plan(job, now);
      String key = queue.targetKey(job);
      List<AuditLogReplayJob> sameTarget = jobs.stream().filter(j -> key != null && key.equals(queue.targetKey(j)))
          .toList();
      QueueSlot slot = plan instanceof RequestPlan.Valid ? queue.slot(job, sameTarget, now) : QueueSlot.HEAD;
      if (!slot.head()) {
        // never queued behind a request that is waiting: the blocker holds the target or could be submitted now
        AuditLogReplayJob blocker = sameTarget.stream()
            .filter(j -> TargetQueue.name(j).equals(slot.blockedBy())).findFirst().orElseThrow();
        assertThat(TargetQueue.active(blocker) || queue.ready(blocker, now))
            .as("%s is queued behind %s, which neither holds the target nor could be submitted",
                TargetQueue.name(job), slot.blockedBy()).isTrue();
        QUEUED_CHECKS.incrementAndGet();
      }
      ReplayDecision.TokenProblem token = specs.get(i).brokenSecret()
          ? new ReplayDecision.TokenProblem(Reasons.SECRET_NOT_FOUND, "no Secret") : null;
      RemoteJob remote = key == null ? null : konnect.computeIfAbsent(key, k -> new RemoteJob());
      Observation observation = Observation.lazily(() -> Observation.Result.ok(remote.view(now)),
          () -> Observation.Result.ok(new Webhook(true, "https://siem.example/in", "json", null)),
          () -> Observation.Result.ok(new WebhookStatus("active", true, now, 200, "OK")));
      ReplayCycle.Konnect client = new ReplayCycle.Konnect() {
        @Override public Observation observation() { return observation; }
        @Override public Observation.Result<RemoteReplayJob> submit(ReplayWindowRange window) {
          if (!remote.view(now).targetFree()) {
            CONFLICTS.incrementAndGet();
            return Observation.Result.failed(new KonnectException.Conflict("A replay job is currently running"));
          }
          remote.window = window;
          remote.acceptedAt = now;
          remote.owner = i;
          accepted.merge(i, 1, Integer::sum);
          ACCEPTED.incrementAndGet();
          return Observation.Result.ok(remote.view(now));
        }
      };
      ReplayDecision.Input in = new ReplayDecision.Input(job, plan, slot, token, observation, now,
          Duration.ofSeconds(30), 0, 0.5, now);
      ReplayCycle.Outcome outcome = ReplayCycle.run(in, client, (current, withIntent) -> {
        // the intent is written only by the request that may use the target: the oldest that could be submitted
        for (AuditLogReplayJob other : sameTarget) {
          if (other == job) continue;
          assertThat(TargetQueue.active(other)).as("%s submits while %s holds the target", TargetQueue.name(job),
              TargetQueue.name(other)).isFalse();
          boolean olderAndReady = queue.ready(other, now) && compareAge(other, job) < 0;
          assertThat(olderAndReady).as("%s submits before the older %s", TargetQueue.name(job),
              TargetQueue.name(other)).isFalse();
        }
        AuditLogReplayJob written = ReplayDecision.copyJob(current);
        written.setStatus(withIntent);
        jobs.set(i, written);
        return written;
      }, planner);
      AuditLogReplayJob stored = ReplayDecision.copyJob(outcome.job());
      stored.setStatus(outcome.done().status());
      jobs.set(i, stored);
      if (planner.plan(stored, now) instanceof RequestPlan.Valid valid) {
        assertThat(valid.request().fresh()).as("the status %s wrote describes its request", TargetQueue.name(job))
            .isFalse();
      }
      long activeOnTarget = jobs.stream().filter(j -> key != null && key.equals(queue.targetKey(j)))
          .filter(TargetQueue::active).count();
      assertThat(activeOnTarget).as("active requests on %s", key).isLessThanOrEqualTo(1);
      return !StatusWriter.same(job.getStatus(), stored.getStatus());
    }

    private static int compareAge(AuditLogReplayJob a, AuditLogReplayJob b) {
      int c = a.getMetadata().getCreationTimestamp().compareTo(b.getMetadata().getCreationTimestamp());
      if (c != 0) return c;
      c = a.getMetadata().getNamespace().compareTo(b.getMetadata().getNamespace());
      return c != 0 ? c : a.getMetadata().getName().compareTo(b.getMetadata().getName());
    }
  }
}
