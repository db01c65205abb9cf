package io.konnectreplay.operator.http;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.fabric8.kubernetes.api.model.Condition;
import io.konnectreplay.operator.api.v1alpha1.Conditions;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.konnectreplay.operator.api.v1alpha1.AuditLogReplayJob;
import io.konnectreplay.operator.api.v1alpha1.Phase;
import io.konnectreplay.operator.konnect.KonnectCallObserver;
import io.konnectreplay.operator.reconciler.Reasons;
import io.konnectreplay.operator.reconciler.ReplayObserver;
import io.konnectreplay.operator.reconciler.StatusBuilder;
import io.konnectreplay.operator.reconciler.Verdict;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The operator's own Prometheus metrics. Labels never carry resource names: only operation, status class and phase.
 */
public final class ReplayMetrics implements ReplayObserver, KonnectCallObserver,
    io.konnectreplay.operator.reconciler.PolicyObserver {

  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Clock clock;
  private final Counter statusWrites;
  private final Counter rateLimited;
  private final Counter rateLimitWait;
  private final Counter throttled;
  private final Timer creationToCompletion;
  private final Timer creationToSubmission;
  private final MultiGauge stalledByReason;
  private final MultiGauge byPhaseAndReason;
  private final AtomicInteger leader = new AtomicInteger();
  private volatile Supplier<Stream<AuditLogReplayJob>> jobs = Stream::empty;
  private volatile java.util.function.Function<AuditLogReplayJob, String> targetOf = j -> "";
  private volatile Supplier<Stream<io.konnectreplay.operator.api.v1alpha1.AuditLogReplayPolicy>> policies =
      Stream::empty;
  private MultiGauge openGap;
  private MultiGauge retentionLeft;

  public ReplayMetrics(Clock clock) {
    this.clock = clock;
    statusWrites = Counter.builder("konnect_replay_status_writes").description("Status writes to the Kubernetes API")
        .register(registry);
    rateLimited = Counter.builder("konnect_rate_limited").description("429 answers from Konnect").register(registry);
    rateLimitWait = Counter.builder("konnect_rate_limit_wait_seconds")
        .description("Seconds every call to a server waited because of 429 Retry-After").register(registry);
    throttled = Counter.builder("konnect_requests_throttled")
        .description("Calls not sent because the server was paused or the request budget was spent").register(registry);
    creationToCompletion = Timer.builder("konnect_replay_creation_to_completion")
        .description("Time from resource creation to Completed").publishPercentileHistogram().register(registry);
    creationToSubmission = Timer.builder("konnect_replay_creation_to_submission")
        .description("Time from resource creation to Konnect holding its job (submitted or adopted)")
        .publishPercentileHistogram().register(registry);
    // Registered at zero, so that the first failure of a reason is an increase a rule can see.
    for (String reason : List.of(Reasons.REMOTE_FAILED, Reasons.INVALID_SPEC, Reasons.WINDOW_EXPIRED)) failed(reason);
    Gauge.builder("konnect_replay_leader", leader::get)
        .description("1 while this process leads (reconciles), 0 while it stands by").register(registry);
    for (Phase phase : Phase.values()) {
      Gauge.builder("konnect_replay_jobs", () -> byPhase().getOrDefault(phase, 0L)).tag("phase", phase.name())
          .description("AuditLogReplayJobs by phase").register(registry);
    }
    Gauge.builder("konnect_replay_queued_requests", () -> queueStats()[0])
        .description("Requests waiting in a target queue").register(registry);
    Gauge.builder("konnect_replay_targets_waiting", () -> queueStats()[1])
        .description("Targets with at least one waiting request").register(registry);
    Gauge.builder("konnect_replay_queue_depth_max", () -> queueStats()[2])
        .description("Longest target queue").register(registry);
    stalledByReason = MultiGauge.builder("konnect_replay_stalled")
        .description("Requests that need a person (Stalled=True, not Failed), by the Stalled condition's reason")
        .register(registry);
    byPhaseAndReason = MultiGauge.builder("konnect_replay_jobs_by_reason")
        .description("AuditLogReplayJobs by phase and the Ready condition's reason").register(registry);
    openGap = MultiGauge.builder("konnect_replay_policy_open_gap_seconds")
        .description("Seconds since the open gap of a policy began, by target").register(registry);
    retentionLeft = MultiGauge.builder("konnect_replay_policy_retention_remaining_seconds")
        .description("Seconds until the oldest event of a policy's open gap leaves Konnect's 7-day retention, by target")
        .register(registry);
    // The process the operator runs in, for dashboards and for telling a stuck JVM from a stuck Konnect.
    new JvmMemoryMetrics().bindTo(registry);
    new JvmGcMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    new FileDescriptorMetrics().bindTo(registry);
  }

  public PrometheusMeterRegistry registry() { return registry; }

  /** Where the gauges read the resources from (the reconciler's informer cache). */
  public void source(Supplier<Stream<AuditLogReplayJob>> jobs,
      java.util.function.Function<AuditLogReplayJob, String> targetOf) {
    this.jobs = jobs;
    this.targetOf = targetOf;
  }

  /** Where the gap gauges read the policies from (the policy reconciler's informer cache). */
  public void policySource(Supplier<Stream<io.konnectreplay.operator.api.v1alpha1.AuditLogReplayPolicy>> policies) {
    this.policies = policies;
  }

  @Override
  public void gapHealed(String target) { gapsHealed(target).increment(); }

  @Override
  public void dataLost(String target, long seconds) { dataLostSeconds(target).increment(seconds); }

  private Counter gapsHealed(String target) {
    return Counter.builder("konnect_replay_policy_gaps_healed").description("Gaps whose replay completed, by target")
        .tag("target", target).register(registry);
  }

  private Counter dataLostSeconds(String target) {
    return Counter.builder("konnect_replay_policy_data_lost_seconds")
        .description("Seconds of audit events lost to Konnect's retention before a gap could be replayed, by target")
        .tag("target", target).register(registry);
  }

  @Override
  public void policyStatusWritten() { statusWrites.increment(); }

  private void policyGauges() {
    java.time.Instant now = clock.instant();
    List<MultiGauge.Row<?>> open = new java.util.ArrayList<>();
    List<MultiGauge.Row<?>> left = new java.util.ArrayList<>();
    // Every policy's counters exist from its first scrape on, at 0: an increase() over them then sees the first loss.
    policies.get().filter(p -> p.getStatus() != null && p.getStatus().getTarget() != null).forEach(p -> {
      gapsHealed(p.getStatus().getTarget());
      dataLostSeconds(p.getStatus().getTarget());
    });
    policies.get().filter(p -> p.getStatus() != null && p.getStatus().getOpenGap() != null
        && p.getStatus().getTarget() != null).forEach(p -> {
          String since = p.getStatus().getOpenGap().getSince();
          if (since == null) return;
          java.time.Instant start = OffsetDateTime.parse(since).toInstant();
          Tags tags = Tags.of("target", p.getStatus().getTarget());
          open.add(MultiGauge.Row.of(tags, Duration.between(start, now).toSeconds()));
          left.add(MultiGauge.Row.of(tags, Duration.between(now, start.plus(Duration.ofDays(7))).toSeconds()));
        });
    openGap.register(open, true);
    retentionLeft.register(left, true);
  }

  /** The Prometheus text; the per-reason stalled gauge is recounted from the cache first (its reasons vary). */
  public String scrape() {
    Map<String, Long> stalled = new java.util.TreeMap<>();
    jobs.get().map(ReplayMetrics::stalledReason).filter(java.util.Objects::nonNull)
        .forEach(reason -> stalled.merge(reason, 1L, Long::sum));
    stalledByReason.register(stalled.entrySet().stream()
        .map(e -> MultiGauge.Row.of(Tags.of("reason", e.getKey()), e.getValue())).toList(), true);
    Map<Tags, Long> byReason = new HashMap<>();
    jobs.get().filter(j -> j.getStatus() != null && j.getStatus().getPhase() != null)
        .forEach(j -> byReason.merge(Tags.of("phase", j.getStatus().getPhase().name(), "reason",
            Objects.requireNonNullElse(StatusBuilder.mainReason(j.getStatus()), "Unknown")), 1L, Long::sum));
    byPhaseAndReason.register(byReason.entrySet().stream()
        .map(e -> MultiGauge.Row.of(e.getKey(), e.getValue())).toList(), true);
    policyGauges();
    return registry.scrape();
  }

  /** The Stalled condition's reason while a request waits for a person (not once it has Failed), else null. */
  private static String stalledReason(AuditLogReplayJob job) {
    if (job.getStatus() == null || job.getStatus().getConditions() == null) return null;
    boolean failed = false;
    String stalled = null;
    for (Condition c : job.getStatus().getConditions()) {
      if (!Conditions.TRUE.equals(c.getStatus())) continue;
      if (Conditions.FAILED.equals(c.getType())) failed = true;
      if (Conditions.STALLED.equals(c.getType())) stalled = c.getReason() == null ? "Unknown" : c.getReason();
    }
    return failed ? null : stalled;
  }

  @Override
  public void onCall(String operation, int httpStatusOrZero, Duration latency) {
    String statusClass = httpStatusOrZero == 0 ? "none" : (httpStatusOrZero / 100) + "xx";
    Counter.builder("konnect_requests").description("Konnect API requests by operation and status class")
        .tag("operation", operation).tag("status_class", statusClass).register(registry).increment();
    Timer.builder("konnect_request_duration").description("Konnect API request latency").tag("operation", operation)
        .publishPercentileHistogram().register(registry).record(latency);
  }

  @Override
  public void onRateLimited(String server, Duration wait) {
    rateLimited.increment();
    rateLimitWait.increment(wait.toMillis() / 1000.0);
  }

  @Override
  public void onThrottled(String server, Duration wait) { throttled.increment(); }

  @Override
  public void statusWritten() { statusWrites.increment(); }

  @Override
  public void transition(AuditLogReplayJob job, Phase from, Verdict to) {
    if (to.phase() == Phase.Failed && from != Phase.Failed) failed(to.reason()).increment();
    String creation = job.getMetadata().getCreationTimestamp();
    if (creation == null) return;
    Duration age = Duration.between(OffsetDateTime.parse(creation).toInstant(), clock.instant());
    if (to.phase() == Phase.Completed && from != Phase.Completed) creationToCompletion.record(age);
    if (to.phase().active() && (from == null || !from.active())) creationToSubmission.record(age);
  }

  @Override
  public void leading(boolean leading) { leader.set(leading ? 1 : 0); }

  private Counter failed(String reason) {
    return Counter.builder("konnect_replay_failed").description("Requests that ended Failed, by reason")
        .tag("reason", reason).register(registry);
  }

  private Map<Phase, Long> byPhase() {
    Map<Phase, Long> counts = new EnumMap<>(Phase.class);
    jobs.get().filter(j -> j.getStatus() != null && j.getStatus().getPhase() != null)
        .forEach(j -> counts.merge(j.getStatus().getPhase(), 1L, Long::sum));
    return counts;
  }

  /** [queued requests, targets with a queue, longest queue]. */
  private long[] queueStats() {
    Map<String, Long> perTarget = new HashMap<>(jobs.get()
        .filter(j -> j.getStatus() != null && j.getStatus().getPhase() == Phase.Queued)
        .collect(Collectors.groupingBy(j -> String.valueOf(targetOf.apply(j)), Collectors.counting())));
    long total = perTarget.values().stream().mapToLong(Long::longValue).sum();
    long max = perTarget.values().stream().mapToLong(Long::longValue).max().orElse(0);
    return new long[] {total, perTarget.size(), max};
  }
}
