package io.konnectreplay.operator.reconciler;

import static io.konnectreplay.operator.TestJobs.PORTAL;
import static io.konnectreplay.operator.TestJobs.job;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.konnectreplay.operator.api.v1alpha1.AuditLogReplayJob;
import io.konnectreplay.operator.api.v1alpha1.AuditLogReplayJobStatus;
import io.konnectreplay.operator.api.v1alpha1.AuditLogReplayJobStatus.QueueStatus;
import io.konnectreplay.operator.api.v1alpha1.AuditLogReplayJobStatus.SubmissionIntent;
import io.konnectreplay.operator.api.v1alpha1.Phase;
import io.konnectreplay.operator.config.OperatorSettings;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The queue's rules as a table: who holds a target, who is next, who is woken. */
class TargetQueueTest {

  static final Instant NOW = Instant.parse("2026-11-22T12:00:00Z");
  static final OperatorSettings SETTINGS = OperatorSettings.defaults(Map.of(
      "KONNECT_ALLOWED_SERVER_URLS", "https://*.api.konghq.com,http://127.0.0.1:*"));
  static final TargetQueue QUEUE = new TargetQueue(SETTINGS, new RequestPlanner(SETTINGS));

  /** A ready request: its window ended an hour ago. */
  static AuditLogReplayJob ready(String name, String created) {
    return job(name).portal(PORTAL).window(NOW.minusSeconds(7200), NOW.minusSeconds(3600)).created(created).build();
  }

  static AuditLogReplayJob futureWindow(String name, String created) {
    return job(name).portal(PORTAL).window(NOW.minusSeconds(3600), NOW.plusSeconds(86_400)).created(created).build();
  }

  /** A status that describes the request the spec asks for (as the operator writes it). */
  static AuditLogReplayJobStatus describing(AuditLogReplayJob job) {
    ReplayRequest r = ((RequestPlan.Valid) new RequestPlanner(SETTINGS).plan(job, NOW)).request();
    AuditLogReplayJobStatus s = new AuditLogReplayJobStatus();
    s.setTarget(r.targetName());
    s.setWindow(new AuditLogReplayJobStatus.ResolvedWindow(Times.format(r.window().startAt()),
        Times.format(r.window().endAt()), r.lookback()));
    return s;
  }

  static AuditLogReplayJob active(AuditLogReplayJob job, Phase phase) {
    AuditLogReplayJobStatus s = describing(job);
    s.setPhase(phase);
    job.setStatus(s);
    return job;
  }

  static AuditLogReplayJob stalled(AuditLogReplayJob job, long generation) {
    AuditLogReplayJobStatus s = describing(job);
    s.setPhase(Phase.Queued);
    Condition c = new ConditionBuilder().withType("Stalled").withStatus("True").withReason("SecretNotFound")
        .withObservedGeneration(generation).build();
    s.setConditions(new ArrayList<>(List.of(c)));
    job.setStatus(s);
    return job;
  }

  static final String T1 = "2026-11-20T00:00:01Z";
  static final String T2 = "2026-11-20T00:00:02Z";
  static final String T3 = "2026-11-20T00:00:03Z";

  @Nested
  class WhoHoldsTheTarget {

    @Test
    void theOldestReadyRequestGoesFirstAndTheOthersNameIt() {
      AuditLogReplayJob a = ready("a", T1);
      AuditLogReplayJob b = ready("b", T2);
      AuditLogReplayJob c = ready("c", T3);
      List<AuditLogReplayJob> all = List.of(c, a, b);
      assertThat(QUEUE.slot(a, all, NOW)).isEqualTo(QueueSlot.HEAD);
      assertThat(QUEUE.slot(b, all, NOW)).isEqualTo(new QueueSlot(false, 1, "platform/a"));
      assertThat(QUEUE.slot(c, all, NOW)).isEqualTo(new QueueSlot(false, 2, "platform/a"));
    }

    @Test
    void anActiveRequestHoldsTheTargetWhateverItsAge() {
      AuditLogReplayJob a = ready("a", T1);
      AuditLogReplayJob running = active(ready("b", T2), Phase.Running);
      assertThat(QUEUE.slot(a, List.of(a, running), NOW)).isEqualTo(new QueueSlot(false, 1, "platform/b"));
      assertThat(QUEUE.slot(running, List.of(a, running), NOW)).isEqualTo(QueueSlot.HEAD);
    }

    @Test
    void aRecordedIntentHoldsTheTargetLikeAnAcceptedJob() {
      AuditLogReplayJob submitting = ready("a", T2);
      AuditLogReplayJobStatus s = new AuditLogReplayJobStatus();
      s.setPhase(Phase.Queued);
      s.setIntent(new SubmissionIntent(1, NOW.toString()));
      submitting.setStatus(s);
      AuditLogReplayJob older = ready("b", T1);
      assertThat(QUEUE.slot(older, List.of(older, submitting), NOW)).isEqualTo(new QueueSlot(false, 1, "platform/a"));
    }

    @ParameterizedTest(name = "an older request that {0} does not hold the line")
    @CsvSource({"waits for its window", "is suspended", "is stalled", "is finished", "is invalid",
        "has expired", "is being deleted"})
    void onlyARequestThatCouldBeSubmittedNowKeepsItsPlace(String what) {
      AuditLogReplayJob older = switch (what) {
        case "waits for its window" -> futureWindow("older", T1);
        case "is suspended" -> job("older").portal(PORTAL).window(NOW.minusSeconds(7200), NOW.minusSeconds(3600))
            .created(T1).suspend(true).build();
        case "is stalled" -> stalled(ready("older", T1), 1);
        case "is finished" -> active(ready("older", T1), Phase.Completed);
        case "is invalid" -> job("older").portal(PORTAL).window("2026-11-22T00:00:00z", "2026-11-22T01:00:00Z")
            .created(T1).build();
        case "has expired" -> job("older").portal(PORTAL).window(NOW.minusSeconds(8 * 86_400),
            NOW.minusSeconds(7 * 86_400)).created(T1).build();
        default -> {
          AuditLogReplayJob j = ready("older", T1);
          j.getMetadata().setDeletionTimestamp(NOW.toString());
          yield j;
        }
      };
      AuditLogReplayJob younger = ready("younger", T2);
      assertThat(QUEUE.slot(younger, List.of(older, younger), NOW)).isEqualTo(QueueSlot.HEAD);
      assertThat(QUEUE.next(younger, List.of(older), NOW)).isEmpty();
    }

    @Test
    void aStallJudgedOnAnOlderGenerationNoLongerCounts() {
      AuditLogReplayJob fixed = stalled(job("older").portal(PORTAL).window(NOW.minusSeconds(7200),
          NOW.minusSeconds(3600)).created(T1).generation(2).build(), 1);
      AuditLogReplayJob younger = ready("younger", T2);
      assertThat(QUEUE.slot(younger, List.of(fixed, younger), NOW)).isEqualTo(new QueueSlot(false, 1, "platform/older"));
    }

    @Test
    void aFinishedRequestWithANewRerunNonceIsANewRequestAndQueuesByAge() {
      AuditLogReplayJob rerun = active(ready("older", T1), Phase.Completed);
      rerun.getSpec().setRerunNonce("again");
      AuditLogReplayJob younger = ready("younger", T2);
      assertThat(QUEUE.slot(younger, List.of(rerun, younger), NOW)).isEqualTo(new QueueSlot(false, 1, "platform/older"));
    }

    @Test
    void aFutureWindowTakesItsPlaceByAgeOnceItHasEnded() {
      AuditLogReplayJob older = futureWindow("older", T1);
      AuditLogReplayJob younger = ready("younger", T2);
      Instant later = NOW.plusSeconds(86_401);
      assertThat(QUEUE.slot(younger, List.of(older, younger), later))
          .isEqualTo(new QueueSlot(false, 1, "platform/older"));
    }
  }

  @Nested
  class WhoIsWoken {

    @Test
    void theNextReadyRequestAndEveryRequestNamingTheFreedOne() {
      AuditLogReplayJob freed = active(ready("a", T1), Phase.Completed);
      AuditLogReplayJob next = ready("b", T2);
      AuditLogReplayJob third = ready("c", T3);
      third.setStatus(queued("platform/a", 2));
      AuditLogReplayJob unrelated = futureWindow("d", T3);
      assertThat(QUEUE.toWake(freed, List.of(freed, next, third, unrelated), NOW)).containsExactly(next, third);
    }

    @Test
    void nobodyIsNextWhileAnotherRequestHoldsTheTarget() {
      AuditLogReplayJob deleted = ready("a", T1);
      AuditLogReplayJob holder = active(ready("b", T2), Phase.Running);
      AuditLogReplayJob waiting = ready("c", T3);
      waiting.setStatus(queued("platform/a", 2));
      assertThat(QUEUE.next(deleted, List.of(holder, waiting), NOW)).isEmpty();
      // but the one whose status names the deleted request is woken, to stop naming it
      assertThat(QUEUE.toWake(deleted, List.of(holder, waiting), NOW)).containsExactly(waiting);
    }

    @Test
    void aDeletionWakesEveryQueuedRequestOfTheTarget() {
      AuditLogReplayJob deleted = ready("b", T2);
      AuditLogReplayJob holder = active(ready("a", T1), Phase.Running);
      AuditLogReplayJob third = ready("c", T3);
      third.setStatus(queued("platform/a", 2));
      assertThat(QUEUE.toWake(deleted, List.of(holder, third), NOW)).isEmpty();
      assertThat(QUEUE.toWakeOnDeletion(deleted, List.of(holder, third), NOW)).containsExactly(third);
    }

    static AuditLogReplayJobStatus queued(String blockedBy, int position) {
      AuditLogReplayJobStatus s = new AuditLogReplayJobStatus();
      s.setPhase(Phase.Queued);
      s.setQueue(new QueueStatus(position, blockedBy));
      return s;
    }
  }

  @Nested
  class OneTargetIdentity {

    @ParameterizedTest(name = "{0} and {1} are one target")
    @CsvSource({
        "https://us.api.konghq.com, https://us.api.konghq.com/",
        "https://us.api.konghq.com, https://us.api.konghq.com:443",
        "https://us.api.konghq.com, HTTPS://US.API.KONGHQ.COM",
        "https://us.api.konghq.com, https://us.api.konghq.com/./",
        "https://us.api.konghq.com, https://us.api.konghq.com/x/..",
        "http://127.0.0.1:8081/us, http://127.0.0.1:8081/us//",
        "http://127.0.0.1:8081/us, http://127.0.0.1:8081/a/../us/.",
        "http://127.0.0.1:80/us, http://127.0.0.1/us",
    })
    void spellingsOfOneServerAreOneTarget(String a, String b) {
      String keyA = QUEUE.targetKey(job("a").portal(PORTAL).server(a).lookback("1h").build());
      String keyB = QUEUE.targetKey(job("b").portal(PORTAL.toUpperCase()).server(b).lookback("1h").build());
      assertThat(keyA).isNotNull().isEqualTo(keyB);
    }

    @Test
    void theDefaultServerAndItsExplicitSpellingAreOneTarget() {
      assertThat(QUEUE.targetKey(job("a").lookback("1h").build()))
          .isEqualTo(QUEUE.targetKey(job("b").server("https://US.api.konghq.com:443/").lookback("1h").build()));
    }

    @Test
    void portalsAndTheOrganizationAreSeparateTargets() {
      assertThat(QUEUE.targetKey(job("a").lookback("1h").build()))
          .isNotEqualTo(QUEUE.targetKey(job("b").portal(PORTAL).lookback("1h").build()));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "https://me.api.konghq.com | is Konnect's me region, but spec.region is au",
        "https://" + "a123456789a123456789a123456789a123456789a123456789a123456789abcd.example | not a valid http(s) URL",
        "https://us.api.konghq.com?x=1 | not a valid http(s) URL",
        "https://user@us.api.konghq.com | not a valid http(s) URL",
        "https://us.api.konghq.com:99999 | not a valid http(s) URL",
    })
    void serversThatCannotBeATargetAreInvalidSpecsWithNoTargetKey(String server, String message) {
      AuditLogReplayJob j = job("a").region("au").server(server).lookback("1h").build();
      RequestPlan plan = new RequestPlanner(SETTINGS).plan(j, NOW);
      assertThat(plan).isInstanceOfSatisfying(RequestPlan.Invalid.class, invalid -> {
        assertThat(invalid.reason()).isEqualTo("InvalidSpec");
        assertThat(invalid.message()).contains(message);
      });
      assertThat(QUEUE.targetKey(j)).isNull();
    }
  }
}
