package io.konnectreplay.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.konnectreplay.operator.api.v1alpha1.AuditLogReplayPolicy;
import io.konnectreplay.operator.api.v1alpha1.AuditLogReplayPolicySpec;
import io.konnectreplay.operator.config.GoDuration;
import io.konnectreplay.operator.deploy.CrdAdmission;
import io.konnectreplay.operator.konnect.WebhookStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;

/**
 * Any policy spec the CRD admits (checked by the project's own schema + CEL validator, defaults set as the API server
 * sets them), driven through one outage: the durations the operator uses are exactly the ones written (no silent
 * fallback or clamp), and the outage gives exactly one replay whose window covers it widened by the margin, or none
 * while suspended. Nothing throws, and every Ready reason is one the README documents.
 */
class PolicySpecPropertiesTest {
  static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
  static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");
  static final AtomicInteger GENERATED = new AtomicInteger();
  static final AtomicInteger ADMITTED = new AtomicInteger();
  static final AtomicInteger REPLAYS = new AtomicInteger();
  static final List<String> READY_REASONS = List.of("Healthy", "GapOpen", "Recovering", "Replaying", "Suspended");

  record Case(Map<String, Object> spec, int badChecks) {}

  @Property(tries = 3000, maxDiscardRatio = 20)
  void anAdmittedPolicyUsesItsOwnDurationsAndHealsOneOutageWithOneReplay(@ForAll("cases") Case c) {
    GENERATED.incrementAndGet();
    CrdAdmission.PolicyAdmission admission = CrdAdmission.admitPolicy(c.spec());
    Assume.that(admission.violations().isEmpty());
    ADMITTED.incrementAndGet();
    AuditLogReplayPolicySpec spec = SERIALIZATION.convertValue(admission.stored(), AuditLogReplayPolicySpec.class);

    Duration interval = PolicyDecision.checkInterval(spec);
    Duration margin = PolicyDecision.margin(spec);
    assertThat(interval).as("checkInterval %s", spec.getCheckInterval())
        .isEqualTo(GoDuration.parse(spec.getCheckInterval() == null ? "1m" : spec.getCheckInterval()));
    assertThat(margin).as("margin %s", spec.getMargin())
        .isEqualTo(GoDuration.parse(spec.getMargin() == null ? "5m" : spec.getMargin()));

    AuditLogReplayPolicy policy = new AuditLogReplayPolicy();
    policy.setMetadata(new ObjectMetaBuilder().withName("p").withNamespace("ns").withGeneration(1L).build());
    policy.setSpec(spec);
    List<PolicyDecision.NewJob> created = new ArrayList<>();
    Instant lastHealthy = null;
    Instant lastHealthyBeforeOutage = null;
    Instant firstHealthyAfter = null;
    // healthy once, unhealthy for badChecks checks, then healthy until margin has passed and a little more
    int steps = 1 + c.badChecks() + (int) (margin.toNanos() / interval.toNanos()) + 3;
    for (int i = 0; i < steps; i++) {
      Instant now = T0.plus(interval.multipliedBy(i));
      boolean healthy = i == 0 || i > c.badChecks();
      WebhookStatus w = healthy ? new WebhookStatus("active", true, now, 200, "OK")
          : new WebhookStatus("inactive", true, now, 503, "unavailable");
      PolicyDecision.Result r = PolicyDecision.decide(new PolicyDecision.Input(policy, "us/org",
          PolicyDecision.Check.of(w), List.of(), now, Duration.ofMinutes(10), lastHealthy));
      if (healthy) {
        lastHealthy = now;
        if (i == 0) lastHealthyBeforeOutage = now;
        else if (firstHealthyAfter == null) firstHealthyAfter = now;
      }
      if (r.write()) policy.setStatus(r.status());
      if (r.create() != null) created.add(r.create());
      String ready = r.status().getConditions().stream().filter(x -> "Ready".equals(x.getType()))
          .map(x -> x.getReason()).findFirst().orElse(null);
      assertThat(READY_REASONS).as("Ready reason at step %d", i).contains(ready);
    }
    if (spec.suspended()) {
      assertThat(created).as("a suspended policy creates nothing").isEmpty();
      return;
    }
    assertThat(created).as("one outage, one replay").hasSize(1);
    REPLAYS.incrementAndGet();
    PolicyDecision.NewJob job = created.get(0);
    // the window covers the outage, from the last healthy check before it to the first after, widened by margin
    // (status times are whole seconds: at most one second of the widening may go to rounding)
    assertThat(job.startAt()).isBeforeOrEqualTo(lastHealthyBeforeOutage.minus(margin));
    assertThat(job.endAt()).isAfterOrEqualTo(firstHealthyAfter.plus(margin).minusSeconds(1));
    assertThat(Duration.between(job.startAt(), job.endAt())).isLessThanOrEqualTo(
        Duration.between(lastHealthyBeforeOutage, firstHealthyAfter).plus(margin.multipliedBy(2)).plusSeconds(2));
  }

  @AfterContainer
  static void report() {
    System.out.printf("policy spec properties: %d generated, %d admitted, %d outages healed by one replay%n",
        GENERATED.get(), ADMITTED.get(), REPLAYS.get());
  }

  @Provide
  Arbitrary<Case> cases() {
    Arbitrary<Map<String, Object>> specs = Combinators.combine(
        Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(12, Arbitraries.of("us", "eu", "au", "me", "in", "sg")),
            net.jqwik.api.Tuple.of(1, Arbitraries.of("US", "xx"))),
        Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(8, Arbitraries.of("3e551b39-0f5e-4a84-b0a9-2d7b4b0e6a11",
            "3E551B39-0F5E-4A84-B0A9-2D7B4B0E6A11")), net.jqwik.api.Tuple.of(1, Arbitraries.of("not-a-uuid", "")))
            .injectNull(0.5),
        durations().injectNull(0.3),
        durations().injectNull(0.3),
        Arbitraries.integers().between(-1, 101).injectNull(0.6),
        Arbitraries.integers().between(-1, 101).injectNull(0.6),
        Arbitraries.of(true, false).injectNull(0.6))
        .as((region, portal, interval, margin, ok, failed, suspend) -> {
          Map<String, Object> spec = new LinkedHashMap<>();
          spec.put("region", region);
          if (portal != null) spec.put("portalID", portal);
          spec.put("konnect", Map.of("authRef", Map.of("name", "konnect-token")));
          if (interval != null) spec.put("checkInterval", interval);
          if (margin != null) spec.put("margin", margin);
          if (ok != null) spec.put("successfulJobsHistoryLimit", ok);
          if (failed != null) spec.put("failedJobsHistoryLimit", failed);
          if (suspend != null) spec.put("suspend", suspend);
          return spec;
        });
    return Combinators.combine(specs, Arbitraries.integers().between(1, 4)).as(Case::new);
  }

  /** Go durations of every spelling, inside and outside the CRD's bounds, with a few that are no duration at all. */
  static Arbitrary<String> durations() {
    Arbitrary<String> part = Combinators.combine(Arbitraries.integers().between(0, 70),
        Arbitraries.of("", ".5", ".25", ".001"), Arbitraries.of("m", "m", "s", "s", "h", "ms", "us", "µs", "ns"))
        .as((n, fraction, unit) -> n + fraction + unit);
    Arbitrary<String> composed = part.list().ofMinSize(1).ofMaxSize(3).map(parts -> String.join("", parts));
    return Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(5, composed),
        net.jqwik.api.Tuple.of(4, Arbitraries.of("0s", "10s", "1m", "5m", "59m59s", "1h", "3600s", "9s", "1h1s",
            "10.5s", "0.5m")),
        net.jqwik.api.Tuple.of(1, Arbitraries.of("soon", "10", "-1m", "1d", "+5m", " 1m")));
  }
}
