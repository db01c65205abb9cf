package io.konnectreplay.operator.reconciler;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.konnectreplay.operator.api.v1alpha1.AuditLogReplayJob;
import io.konnectreplay.operator.api.v1alpha1.AuditLogReplayJobStatus;
import io.konnectreplay.operator.api.v1alpha1.Phase;
import io.konnectreplay.operator.config.OperatorSettings;
import io.konnectreplay.operator.konnect.KonnectClient;
import io.konnectreplay.operator.konnect.KonnectException;
import io.konnectreplay.operator.konnect.KonnectMessages;
import io.konnectreplay.operator.konnect.KonnectToken;
import io.konnectreplay.operator.konnect.RemoteReplayJob;
import io.konnectreplay.operator.konnect.ReplayWindowRange;
import io.konnectreplay.operator.konnect.Target;
import io.konnectreplay.operator.konnect.Webhook;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Observe → plan → decide → act → write status → say when to come back. The lifecycle itself lives in
 * {@link ReplayDecision}; this class only performs what it asks for.
 */
@ControllerConfiguration(name = AuditLogReplayJobReconciler.NAME)
public final class AuditLogReplayJobReconciler implements Reconciler<AuditLogReplayJob> {

  public static final String NAME = "auditlogreplayjob";
  static final String TARGET_INDEX = "target";
  static final String SECRET_INDEX = "secret";
  /** How long a webhook pre-check answer is reused for the same target. */
  static final Duration WEBHOOK_CACHE = Duration.ofSeconds(30);

  private static final Logger LOG = LoggerFactory.getLogger(AuditLogReplayJobReconciler.class);
  private static final Duration STALE_RETRY = Duration.ofMillis(300);

  private final OperatorSettings settings;
  private final KonnectClient konnect;
  private final Clock clock;
  private final RequestPlanner planner;
  private final TargetQueue queue;
  private final ReplayObserver observer;
  private final TargetWakeUps wakeUps = new TargetWakeUps();
  private final Map<String, CachedWebhook> webhooks = new ConcurrentHashMap<>();
  private final Map<String, Integer> failures = new ConcurrentHashMap<>();
  /**
   * Targets whose active request was deleted while Konnect may still run its job (target key → namespace/name).
   * The next request reads the remote job before any PUT. Kept in memory only: after a restart the next request
   * meets at most one 409 instead.
   */
  private final Map<String, String> departed = new ConcurrentHashMap<>();
  private final StatusWriter statusWriter;
  private final io.fabric8.kubernetes.client.KubernetesClient kubernetes;
  private final TransitionEvents events;
  private volatile io.javaoperatorsdk.operator.api.reconciler.IndexedResourceCache<AuditLogReplayJob> cache;
  private volatile java.util.function.Supplier<Leadership> leading = () -> Leadership.LEADING;

  /** Whether this process may act. */
  public enum Leadership {
    LEADING,
    /** Leading, but the last Lease renewal the API accepted is older than the renew deadline: wait and see. */
    UNCONFIRMED,
    /** Deposed (the process is about to exit): acts no more. */
    NOT_LEADING
  }

  /** Thrown before a PUT to Konnect when this process no longer leads: nothing is sent, the next leader goes on. */
  private static final class NotLeading extends RuntimeException {
    NotLeading() { super("not leading", null, false, false); }
  }

  private record CachedWebhook(Webhook webhook, Instant until) {}

  public AuditLogReplayJobReconciler(OperatorSettings settings, io.fabric8.kubernetes.client.KubernetesClient kubernetes,
      KonnectClient konnect, Clock clock, ReplayObserver observer) {
    this.settings = settings;
    this.kubernetes = kubernetes;
    this.statusWriter = new StatusWriter(kubernetes);
    this.events = new TransitionEvents(kubernetes, settings.identity());
    this.konnect = konnect;
    this.clock = clock;
    this.planner = new RequestPlanner(settings);
    this.queue = new TargetQueue(settings, planner);
    this.observer = observer;
  }

  @Override
  public List<EventSource<?, AuditLogReplayJob>> prepareEventSources(EventSourceContext<AuditLogReplayJob> context) {
    context.getPrimaryCache().addIndexer(TARGET_INDEX, job -> {
      String key = queue.targetKey(job);
      return key == null ? List.of() : List.of(key);
    });
    context.getPrimaryCache().addIndexer(SECRET_INDEX, job -> secretKey(job).map(List::of).orElse(List.of()));
    cache = context.getPrimaryCache();

    // A Secret that appears or changes re-triggers every request that references it (a 401/403 is retried at once when
    // the token changes). Only labelled Secrets are cached: the operator holds Konnect credentials, not every Secret of
    // the watched namespaces. Labelling a Secret adds it to the cache, which re-triggers its requests the same way.
    InformerEventSourceConfiguration<Secret> secrets = InformerEventSourceConfiguration
        .from(Secret.class, AuditLogReplayJob.class)
        .withName("secrets")
        .withNamespacesInheritedFromController()
        .withLabelSelector(TokenLookup.CREDENTIAL_SELECTOR)
        .withPrimaryToSecondaryMapper((AuditLogReplayJob job) -> secretKey(job)
            .map(k -> Set.of(new ResourceID(job.getSpec().getKonnect().getAuthRef().getName(),
                job.getMetadata().getNamespace())))
            .orElse(Set.of()))
        .withSecondaryToPrimaryMapper(secret -> context.getPrimaryCache()
            .byIndex(SECRET_INDEX, secret.getMetadata().getNamespace() + "/" + secret.getMetadata().getName())
            .stream().map(ResourceID::fromResource).collect(java.util.stream.Collectors.toSet()))
        .build();
    return List.of(new InformerEventSource<>(secrets, context), wakeUps);
  }

  /**
   * With leader election: whether this process may act. A leader whose last accepted Lease renewal is older than the
   * renew deadline (see LeaseFence), or that was deposed, does nothing (no reconcile, no PUT to Konnect; a reconcile in
   * flight stops before its PUT); the renew deadline comes before the Lease expires for the others, so it stops before
   * another replica can start. An unconfirmed leader looks again shortly (its renewal may yet succeed).
   */
  public void leadership(java.util.function.Supplier<Leadership> leading) { this.leading = leading; }

  @Override
  public UpdateControl<AuditLogReplayJob> reconcile(AuditLogReplayJob job, Context<AuditLogReplayJob> context) {
    Leadership leadership = leading.get();
    if (leadership == Leadership.NOT_LEADING) return UpdateControl.noUpdate();
    if (leadership == Leadership.UNCONFIRMED) return UpdateControl.<AuditLogReplayJob>noUpdate().rescheduleAfter(STALE_RETRY);
    MDC.put("namespace", job.getMetadata().getNamespace());
    MDC.put("name", job.getMetadata().getName());
    try {
      return reconcileJob(job, context);
    } catch (NotLeading e) {
      LOG.info("leadership not confirmed before submitting; the intent is recorded, whoever leads reads Konnect first");
      return UpdateControl.<AuditLogReplayJob>noUpdate().rescheduleAfter(STALE_RETRY);
    } catch (KubernetesClientException e) {
      if (e.getCode() != 409) throw e;
      // Our copy was stale (the informer had not caught up, or someone wrote meanwhile). Nothing was sent to Konnect
      // after a failed intent write; come back once the cache has the newer version.
      LOG.debug("status write conflicted; retrying with a fresh copy");
      return UpdateControl.<AuditLogReplayJob>noUpdate().rescheduleAfter(STALE_RETRY);
    } finally {
      MDC.remove("namespace");
      MDC.remove("name");
    }
  }

  private UpdateControl<AuditLogReplayJob> reconcileJob(AuditLogReplayJob job, Context<AuditLogReplayJob> context) {
    Instant now = clock.instant();
    if (unreadable(job, now)) return UpdateControl.noUpdate();
    String uid = Objects.requireNonNullElse(job.getMetadata().getUid(), TargetQueue.name(job));
    AuditLogReplayJobStatus before = job.getStatus();
    RequestPlan plan = planner.plan(job, now);

    // Finished requests cost nothing: no Konnect call, no status write unless the spec moved on.
    if (plan instanceof RequestPlan.Valid valid && !valid.request().fresh() && before != null
        && before.getPhase() != null && before.getPhase().terminal()
        && Objects.equals(before.getObservedGeneration(), job.getMetadata().getGeneration())) {
      return UpdateControl.noUpdate();
    }

    TokenLookup.Lookup lookup = new TokenLookup.Lookup(null, null);
    QueueSlot slot = QueueSlot.HEAD;
    ReplayCycle.Konnect remote = NO_KONNECT;
    Instant konnectClock = null;
    if (plan instanceof RequestPlan.Valid valid) {
      lookup = TokenLookup.lookup(job, secret(job, context));
      String key = queue.targetKey(job);
      slot = queue.slot(job, sameTarget(key, context), now);
      String gone = key == null ? null : departed.get(key);
      if (slot.head() && gone != null && !gone.equals(TargetQueue.name(job))) slot = slot.readingFirst();
      if (lookup.token() != null) remote = konnectFor(valid.request().target(), lookup.token(), now);
      konnectClock = konnect.serverClock(valid.request().target()).orElse(null);
    }
    ReplayDecision.Input in = new ReplayDecision.Input(job, plan, slot, lookup.problem(), remote.observation(), now,
        settings.pollIntervalMax(), failures.getOrDefault(uid, 0), ThreadLocalRandom.current().nextDouble(),
        konnectClock);
    ReplayCycle.Outcome outcome = ReplayCycle.run(in, remote, (current, withIntent) -> {
      AuditLogReplayJob written = statusWriter.write(current, withIntent);
      observer.statusWritten();
      return written;
    }, planner);
    return finish(job, outcome.job(), outcome.done(), uid, now, context);
  }

  /**
   * A resource this version cannot read (see the api package's LenientBlock) is skipped, and every other resource goes
   * on. An unreadable spec becomes Failed/InvalidSpec through the planner like any invalid spec. An unreadable status
   * is left as it is: it may be a newer operator's, with an intent this version cannot see, so nothing is written and
   * nothing is sent to Konnect; a Warning Event and a log line say why, once per version of the resource.
   */
  private boolean unreadable(AuditLogReplayJob job, Instant now) {
    String spec = job.getSpec() == null ? null : job.getSpec().unreadable();
    if (spec != null) LOG.warn("{}: {}; the request is failed as InvalidSpec", TargetQueue.name(job), spec);
    String status = job.getStatus() == null ? null : job.getStatus().unreadable();
    if (status == null) return false;
    String version = job.getMetadata().getResourceVersion();
    if (!Objects.equals(unreadableSeen.put(TargetQueue.name(job), String.valueOf(version)), String.valueOf(version))) {
      LOG.warn("{}: {}; the resource is skipped (no status write, no Konnect call)", TargetQueue.name(job), status);
      Phase phase = job.getStatus().getPhase() == null ? Phase.Queued : job.getStatus().getPhase();
      events.record(job, new Verdict(phase, Reasons.UNREADABLE_STATUS, status + ". This operator leaves the resource"
          + " alone until its status can be read (run the operator version that wrote it, or delete the resource).",
          Verdict.Kind.STALLED), now);
    }
    return true;
  }

  /** Resources skipped for an unreadable status, with the resourceVersion last reported (one Event per version). */
  private final Map<String, String> unreadableSeen = new ConcurrentHashMap<>();

  /** Konnect for a request without a usable target or token: the decision never asks it. */
  private static final ReplayCycle.Konnect NO_KONNECT = new ReplayCycle.Konnect() {
    @Override public Observation observation() { return Observation.NONE; }
    @Override public Observation.Result<RemoteReplayJob> submit(ReplayWindowRange window) {
      throw new IllegalStateException("submission without a target or token");
    }
  };

  private ReplayCycle.Konnect konnectFor(Target target, KonnectToken token, Instant now) {
    Observation observation = Observation.lazily(() -> call(() -> konnect.getReplayJob(target, token)),
        () -> webhook(target, token, now), () -> call(() -> konnect.getWebhookStatus(target, token)));
    return new ReplayCycle.Konnect() {
      @Override public Observation observation() { return observation; }
      @Override public Observation.Result<RemoteReplayJob> submit(ReplayWindowRange window) {
        if (leading.get() != Leadership.LEADING) throw new NotLeading();
        return call(() -> konnect.submitReplayJob(target, token, window));
      }
    };
  }

  private java.util.Collection<AuditLogReplayJob> sameTarget(String key, Context<AuditLogReplayJob> context) {
    return key == null ? List.of() : context.getPrimaryCache().byIndex(TARGET_INDEX, key);
  }

  /** The referenced Secret: from the cache, else one GET (see {@link TokenLookup#referenced}). */
  private Optional<Secret> secret(AuditLogReplayJob job, Context<AuditLogReplayJob> context) {
    return TokenLookup.referenced(kubernetes, job.getMetadata().getNamespace(),
        job.getSpec().getKonnect().getAuthRef().getName(), context.getSecondaryResource(Secret.class));
  }

  private UpdateControl<AuditLogReplayJob> finish(AuditLogReplayJob original, AuditLogReplayJob current,
      Decision.Done done, String uid, Instant now, Context<AuditLogReplayJob> context) {
    Verdict verdict = done.verdict();
    if (Reasons.KONNECT_UNAVAILABLE.equals(verdict.reason()) || Reasons.UNEXPECTED_RESPONSE.equals(verdict.reason())) {
      failures.merge(uid, 1, Integer::sum);
    } else {
      failures.remove(uid);
    }
    AuditLogReplayJobStatus before = original.getStatus();
    AuditLogReplayJob stored = statusWriter.write(current, done.status());
    if (verdict.phase().active()) {
      // This request now owns the target's remote job (submitted or adopted): the departed one's is behind it.
      String key = queue.targetKey(original);
      if (key != null) departed.remove(key);
    }
    if (stored != current) observer.statusWritten();

    String reasonBefore = StatusBuilder.mainReason(before);
    Phase phaseBefore = before == null ? null : before.getPhase();
    if (!Objects.equals(reasonBefore, verdict.reason()) || phaseBefore != verdict.phase()) {
      LOG.info("{} → {} ({}): {}", phaseBefore == null ? "new" : phaseBefore, verdict.phase(), verdict.reason(),
          verdict.message());
      events.record(stored, verdict, now);
      observer.transition(original, phaseBefore, verdict);
      boolean freed = verdict.phase().terminal() || verdict.phase() == Phase.Suspended
          || verdict.kind() == Verdict.Kind.STALLED;
      if (freed) {
        wakeUps.wakeWhenCached(queue.toWake(original, sameTarget(queue.targetKey(original), context), now), original,
            stored.getMetadata().getResourceVersion(), id -> context.getPrimaryCache().get(id));
      }
    }
    UpdateControl<AuditLogReplayJob> control = UpdateControl.noUpdate();
    if (done.requeueAfter() != null) control.rescheduleAfter(done.requeueAfter());
    return control;
  }

  /**
   * An exception escaped the reconcile (a bug, or an API error other than a conflict): say so in the status, with
   * what failed, instead of leaving the resource without a condition. JOSDK retries with backoff.
   */
  @Override
  public ErrorStatusUpdateControl<AuditLogReplayJob> updateErrorStatus(AuditLogReplayJob job,
      Context<AuditLogReplayJob> context, Exception e) {
    var writer = statusWriter;
    if (job.getMetadata() == null) return ErrorStatusUpdateControl.noStatusUpdate();
    Instant now = clock.instant();
    AuditLogReplayJobStatus before = job.getStatus();
    AuditLogReplayJobStatus status = ReplayDecision.copy(before);
    Phase phase = status.getPhase() == null || status.getPhase() == Phase.Suspended ? Phase.Queued : status.getPhase();
    Verdict verdict = new Verdict(phase, Reasons.RECONCILE_ERROR, "The reconcile failed: " + whatFailed(e)
        + ". It is retried with backoff; nothing is sent to Konnect twice. If it persists, report it with the"
        + " operator's log.", Verdict.Kind.PROGRESS);
    StatusBuilder.apply(status, before == null || before.getConditions() == null ? List.of() : before.getConditions(),
        verdict, job.getMetadata().getGeneration() == null ? 0 : job.getMetadata().getGeneration(), now);
    LOG.warn("reconcile of {} failed: {}", TargetQueue.name(job), whatFailed(e), e);
    try {
      AuditLogReplayJob stored = writer.write(job, status);
      if (stored != job) {
        observer.statusWritten();
        if (!Reasons.RECONCILE_ERROR.equals(StatusBuilder.mainReason(before))) events.record(stored, verdict, now);
      }
    } catch (RuntimeException writeFailed) {
      LOG.warn("could not record the failure in the status of {}: {}", TargetQueue.name(job), writeFailed.toString());
    }
    return ErrorStatusUpdateControl.noStatusUpdate();
  }

  /** The exception's type and message (redacted, cut) and where in the operator it was thrown. */
  static String whatFailed(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root
        && root.getClass().getName().startsWith("io.javaoperatorsdk")) {
      root = root.getCause();
    }
    String where = "";
    for (StackTraceElement frame : root.getStackTrace()) {
      if (frame.getClassName().startsWith("io.konnectreplay.")) {
        String cls = frame.getClassName().substring(frame.getClassName().lastIndexOf('.') + 1);
        where = " in " + cls + "." + frame.getMethodName() + " (line " + frame.getLineNumber() + ")";
        break;
      }
    }
    String message = root.getMessage() == null ? "" : ": " + KonnectMessages.safe(root.getMessage());
    return root.getClass().getSimpleName() + message + where;
  }

  /**
   * The controller's event filter (registered by {@link io.konnectreplay.operator.OperatorRuntime}): accepts every
   * event, and notices deletions — an event for a resource the cache no longer holds — so that the target's queue
   * moves on at once. There is no finalizer: a deletion is never held up by the operator.
   */
  public boolean acceptEvent(AuditLogReplayJob job) {
    var known = cache;
    if (known != null && job.getMetadata() != null && known.get(ResourceID.fromResource(job)).isEmpty()) {
      deleted(job);
    }
    return true;
  }

  /**
   * A resource left the cache: forget its failures, and wake the request that may go next and every one whose status
   * names it, so the queue moves on at once and no status keeps naming a request that is gone.
   */
  private void deleted(AuditLogReplayJob job) {
    failures.remove(Objects.requireNonNullElse(job.getMetadata().getUid(), TargetQueue.name(job)));
    String key = queue.targetKey(job);
    var known = cache;
    if (key == null || known == null) return;
    if (TargetQueue.active(job)) {
      if (TargetQueue.name(job).equals(departed.put(key, TargetQueue.name(job)))) return; // already noticed
      LOG.info("{} was deleted while it held {}; the next request reads Konnect's job before submitting",
          TargetQueue.name(job), key);
    }
    wakeUps.wakeWhenCached(queue.toWakeOnDeletion(job, known.byIndex(TARGET_INDEX, key), clock.instant()), job,
        job.getMetadata().getResourceVersion(), known::get);
  }

  private Observation.Result<Webhook> webhook(Target target, KonnectToken token, Instant now) {
    CachedWebhook cached = webhooks.get(target.key());
    if (cached != null && now.isBefore(cached.until())) return Observation.Result.ok(cached.webhook());
    Observation.Result<Webhook> result = call(() -> konnect.getWebhook(target, token));
    if (result.ok() && result.value().enabled()) {
      webhooks.put(target.key(), new CachedWebhook(result.value(), now.plus(WEBHOOK_CACHE)));
    }
    return result;
  }

  private interface KonnectCall<T> {
    T call() throws KonnectException;
  }

  private static <T> Observation.Result<T> call(KonnectCall<T> call) {
    try {
      return Observation.Result.ok(call.call());
    } catch (KonnectException e) {
      return Observation.Result.failed(e);
    }
  }

  private static KonnectToken token(KonnectToken token) {
    return Objects.requireNonNull(token, "decision asked Konnect without a token");
  }

  private static Optional<String> secretKey(AuditLogReplayJob job) {
    if (job.getSpec() == null || job.getSpec().getKonnect() == null || job.getSpec().getKonnect().getAuthRef() == null
        || job.getSpec().getKonnect().getAuthRef().getName() == null) {
      return Optional.empty();
    }
    return Optional.of(job.getMetadata().getNamespace() + "/" + job.getSpec().getKonnect().getAuthRef().getName());
  }

  /** The resources in the informer cache (empty before start): the source of the phase and queue gauges. */
  public java.util.stream.Stream<AuditLogReplayJob> cachedJobs() {
    return cache == null ? java.util.stream.Stream.empty() : cache.list();
  }

  /** The key of the target a resource occupies, as the queue computes it. */
  public String targetKey(AuditLogReplayJob job) { return queue.targetKey(job); }

  /** Status writes made by this reconciler (for the benchmark and the fault suite). */
  public long statusWrites() { return statusWriter.writes(); }

}
