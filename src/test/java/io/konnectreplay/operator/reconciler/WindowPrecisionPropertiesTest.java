package io.konnectreplay.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import io.konnectreplay.operator.TestJobs;
import io.konnectreplay.operator.api.v1alpha1.AuditLogReplayJob;
import io.konnectreplay.operator.api.v1alpha1.Phase;
import io.konnectreplay.operator.konnect.RemoteReplayJob;
import io.konnectreplay.operator.konnect.ReplayWindowRange;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.temporal.ChronoField;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * An absolute window written at any precision and offset is one request: the window is rounded outward to whole
 * seconds once, and the status one cycle writes yields the same request on the next, so it is submitted once.
 */
class WindowPrecisionPropertiesTest {
  static final Instant NOW = Instant.parse("2026-12-02T10:00:00Z");
  final RequestPlanner planner = new RequestPlanner(DecisionScenario.SETTINGS);

  record Written(String startAt, String endAt, Instant start, Instant end) {}

  @Property(tries = 1000)
  void aWindowAtAnyPrecisionIsSubmittedOnceAndStaysOneRequest(@ForAll("windows") Written w) {
    AuditLogReplayJob job = TestJobs.job("w").window(w.startAt(), w.endAt()).generation(1).build();

    RequestPlan.Valid first = (RequestPlan.Valid) planner.plan(job, NOW);
    ReplayWindowRange range = first.request().window();
    assertThat(range.startAt()).isBeforeOrEqualTo(w.start()).isAfter(w.start().minusSeconds(1));
    assertThat(range.endAt()).isAfterOrEqualTo(w.end()).isBefore(w.end().plusSeconds(1));
    assertThat(range.startAt().getNano()).isZero();
    assertThat(range.endAt().getNano()).isZero();

    RemoteReplayJob accepted = new RemoteReplayJob(range.startAt(), range.endAt(), "accepted", NOW);
    DecisionScenario submitting = new DecisionScenario(job, NOW).webhook(true).submit(accepted);
    Decision.Done submitted = submitting.run();
    assertThat(submitting.calls).filteredOn("PUT"::equals).hasSize(1);
    assertThat(submitted.status().getPhase()).isEqualTo(Phase.Accepted);
    assertThat(Times.parse(submitted.status().getWindow().getStartAt())).isEqualTo(range.startAt());
    assertThat(Times.parse(submitted.status().getWindow().getEndAt())).isEqualTo(range.endAt());

    AuditLogReplayJob after = ReplayDecisionTest.withStatus(job, submitted.status());
    RequestPlan.Valid next = (RequestPlan.Valid) planner.plan(after, NOW.plusSeconds(30));
    assertThat(next.request().fresh()).as("the written status describes the same request").isFalse();
    assertThat(next.request().window()).isEqualTo(range);

    RemoteReplayJob running = new RemoteReplayJob(range.startAt(), range.endAt(), "running", NOW.plusSeconds(20));
    DecisionScenario polling = new DecisionScenario(after, NOW.plusSeconds(30)).remoteJob(running).webhook(true);
    polling.run();
    assertThat(polling.calls).doesNotContain("PUT");
  }

  @Provide
  Arbitrary<Written> windows() {
    Arbitrary<Long> endSecondsAgo = Arbitraries.longs().between(60, Duration.ofDays(6).toSeconds());
    Arbitrary<Long> lengthSeconds = Arbitraries.longs().between(1, Duration.ofHours(20).toSeconds());
    Arbitrary<Integer> startNanos = Arbitraries.integers().between(0, 999_999_999);
    Arbitrary<Integer> endNanos = Arbitraries.integers().between(0, 999_999_999);
    Arbitrary<Integer> digits = Arbitraries.integers().between(0, 9);
    Arbitrary<Integer> offsetMinutes = Arbitraries.integers().between(-18 * 60, 18 * 60);
    return Combinators.combine(endSecondsAgo, lengthSeconds, startNanos, endNanos, digits, offsetMinutes)
        .as((ago, length, sn, en, d, off) -> {
          Instant end = NOW.minusSeconds(ago).plusNanos(en);
          end = cut(end, d);
          Instant start = cut(end.minusSeconds(length).minusNanos(sn), d);
          ZoneOffset offset = ZoneOffset.ofTotalSeconds(off * 60);
          return new Written(text(start, d, offset), text(end, d, offset), start, end);
        });
  }

  /** The instant with only {@code digits} fraction digits, as it can be written. */
  private static Instant cut(Instant instant, int digits) {
    long step = (long) Math.pow(10, 9 - digits);
    return instant.minusNanos(instant.getNano() % step);
  }

  /** RFC3339 with exactly {@code digits} fraction digits and the offset ("Z" for zero). */
  private static String text(Instant instant, int digits, ZoneOffset offset) {
    DateTimeFormatterBuilder b = new DateTimeFormatterBuilder().appendPattern("uuuu-MM-dd'T'HH:mm:ss");
    if (digits > 0) b.appendFraction(ChronoField.NANO_OF_SECOND, digits, digits, true);
    DateTimeFormatter f = b.appendOffset("+HH:MM", "Z").toFormatter();
    return f.format(instant.atOffset(offset));
  }
}
