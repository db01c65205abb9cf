package io.konnectreplay.operator.reconciler;

import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.konnectreplay.operator.api.v1alpha1.AuditLogReplayJob;
import io.konnectreplay.operator.api.v1alpha1.AuditLogReplayJobSpec;
import io.konnectreplay.operator.api.v1alpha1.AuditLogReplayPolicy;
import io.konnectreplay.operator.api.v1alpha1.AuditLogReplayPolicySpec;
import io.konnectreplay.operator.api.v1alpha1.KonnectSettings;
import io.konnectreplay.operator.api.v1alpha1.ReplayWindow;
import io.konnectreplay.operator.api.v1alpha1.SecretKeyRef;
import io.konnectreplay.operator.config.OperatorSettings;
import io.konnectreplay.operator.konnect.KonnectClient;
import io.konnectreplay.operator.konnect.KonnectException;
import io.konnectreplay.operator.konnect.KonnectMessages;
import io.konnectreplay.operator.konnect.KonnectToken;
import io.konnectreplay.operator.konnect.Target;
import io.konnectreplay.operator.konnect.WebhookStatus;
import io.konnectreplay.operator.reconciler.PolicyDecision.Check;
import io.konnectreplay.operator.reconciler.PolicyDecision.Problem;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reconciles {@link AuditLogReplayPolicy}: resolve the target and token → read the webhook status (at most once per
 * checkInterval, through the client's shared per-server budget) → {@link PolicyDecision} → create the replay, delete
 * history, write status, record Events → come back after checkInterval.
 */
@ControllerConfiguration(name = AuditLogReplayPolicyReconciler.NAME)
public final class AuditLogReplayPolicyReconciler implements Reconciler<AuditLogReplayPolicy> {

  public static final String NAME = "auditlogreplaypolicy";
  static final String SECRET_INDEX = "secret";
  private static final Logger LOG = LoggerFactory.getLogger(AuditLogReplayPolicyReconciler.class);
  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
  private static final Duration STALE_RETRY = Duration.ofMillis(300);

  private final OperatorSettings settings;
  private final KubernetesClient kubernetes;
  private final KonnectClient konnect;
  private final Clock clock;
  private final PolicyObserver observer;
  private final TransitionEvents events;
  /** The last successful read per policy (uid): reused until checkInterval has passed, so job events cost no read. */
  private final Map<String, Read> reads = new ConcurrentHashMap<>();
  /** The last healthy check per policy (uid): precise gap starts between two status writes. */
  private final Map<String, Instant> lastHealthy = new ConcurrentHashMap<>();
  private final AtomicLong statusWrites = new AtomicLong();
  private final AtomicLong konnectReads = new AtomicLong();
  private volatile io.javaoperatorsdk.operator.api.reconciler.IndexedResourceCache<AuditLogReplayPolicy> cache;

  private record Read(Check check, Instant at, String targetKey) {}

  public AuditLogReplayPolicyReconciler(OperatorSettings settings, KubernetesClient kubernetes, KonnectClient konnect,
      Clock clock, PolicyObserver observer) {
    this.settings = settings;
    this.kubernetes = kubernetes;
    this.konnect = konnect;
    this.clock = clock;
    this.observer = observer == null ? PolicyObserver.NONE : observer;
    this.events = new TransitionEvents(kubernetes, settings.identity());
  }

  @Override
  public List<EventSource<?, AuditLogReplayPolicy>> prepareEventSources(
      EventSourceContext<AuditLogReplayPolicy> context) {
    context.getPrimaryCache().addIndexer(SECRET_INDEX, p -> secretKey(p).map(List::of).orElse(List.of()));
    cache = context.getPrimaryCache();
    // Owned replays: a phase change updates status.gaps and the history at once.
    InformerEventSourceConfiguration<AuditLogReplayJob> jobs = InformerEventSourceConfiguration
        .from(AuditLogReplayJob.class, AuditLogReplayPolicy.class)
        .withName("owned-jobs")
        .withNamespacesInheritedFromController()
        .withLabelSelector(AuditLogReplayPolicy.POLICY_LABEL)
        .withSecondaryToPrimaryMapper(job -> Set.of(new ResourceID(
            job.getMetadata().getLabels().get(AuditLogReplayPolicy.POLICY_LABEL), job.getMetadata().getNamespace())))
        .build();
    InformerEventSourceConfiguration<Secret> secrets = InformerEventSourceConfiguration
        .from(Secret.class, AuditLogReplayPolicy.class)
        .withName("policy-secrets")
        .withNamespacesInheritedFromController()
        .withLabelSelector(TokenLookup.CREDENTIAL_SELECTOR)
        .withPrimaryToSecondaryMapper((AuditLogReplayPolicy p) -> secretKey(p)
            .map(k -> Set.of(new ResourceID(p.getSpec().getKonnect().getAuthRef().getName(),
                p.getMetadata().getNamespace())))
            .orElse(Set.of()))
        .withSecondaryToPrimaryMapper(secret -> context.getPrimaryCache()
            .byIndex(SECRET_INDEX, secret.getMetadata().getNamespace() + "/" + secret.getMetadata().getName())
            .stream().map(ResourceID::fromResource).collect(Collectors.toSet()))
        .build();
    return List.of(new InformerEventSource<>(jobs, context), new InformerEventSource<>(secrets, context));
  }

  @Override
  public UpdateControl<AuditLogReplayPolicy> reconcile(AuditLogReplayPolicy policy,
      Context<AuditLogReplayPolicy> context) {
    try {
      return reconcilePolicy(policy, context);
    } catch (KubernetesClientException e) {
      if (e.getCode() != 409) throw e;
      return UpdateControl.<AuditLogReplayPolicy>noUpdate().rescheduleAfter(STALE_RETRY);
    }
  }

  private UpdateControl<AuditLogReplayPolicy> reconcilePolicy(AuditLogReplayPolicy policy,
      Context<AuditLogReplayPolicy> context) {
    Instant now = clock.instant();
    if (unreadableStatus(policy, now)) return UpdateControl.noUpdate();
    String uid = Objects.requireNonNullElse(policy.getMetadata().getUid(), name(policy));
    AuditLogReplayPolicySpec spec = policy.getSpec();
    List<AuditLogReplayJob> ownedJobs = context.getSecondaryResources(AuditLogReplayJob.class).stream()
        .filter(j -> ownedBy(j, policy)).toList();
    List<PolicyDecision.OwnedJob> owned = ownedJobs.stream().map(j -> new PolicyDecision.OwnedJob(
        j.getMetadata().getName(), j.getStatus() == null ? null : j.getStatus().getPhase(),
        j.getStatus() == null ? null : Times.parse(j.getStatus().getCompletionTime()))).toList();

    String described = null;
    Check check;
    if (spec.unreadable() != null) {
      LOG.warn("{}: {}; the policy is stalled as InvalidSpec", name(policy), spec.unreadable());
      check = Check.failed(new Problem(Reasons.INVALID_SPEC, spec.unreadable(), true));
    } else if (spec.suspended()) {
      check = Check.failed(new Problem(Reasons.SUSPENDED, "suspended", false));
    } else {
      TargetResolver.Resolution resolution = resolve(spec);
      if (resolution instanceof TargetResolver.Resolution.Unresolvable u) {
        check = Check.failed(u.message().startsWith("Server URL")
            ? new Problem(Reasons.SERVER_URL_NOT_ALLOWED, u.message(), true)
            : new Problem(Reasons.INVALID_SPEC, u.message(), true));
      } else {
        Target target = ((TargetResolver.Resolution.Resolved) resolution).target();
        described = target.describe(defaultServer(spec.getRegion()));
        TokenLookup.Lookup lookup = TokenLookup.lookup(policy.getMetadata().getNamespace(),
            spec.getKonnect().getAuthRef(), secret(policy, context));
        check = lookup.problem() != null
            ? Check.failed(new Problem(lookup.problem().reason(), lookup.problem().message(), true))
            : read(uid, target, lookup.token(), PolicyDecision.checkInterval(spec), now);
      }
    }
    if (check.webhook() != null && PolicyDecision.healthy(check.webhook())) {
      Instant at = reads.get(uid) == null ? now : reads.get(uid).at();
      lastHealthy.merge(uid, at, (a, b) -> a.isAfter(b) ? a : b);
    }
    PolicyDecision.Result result = PolicyDecision.decide(new PolicyDecision.Input(policy,
        described != null ? described : policy.getStatus() == null ? null : policy.getStatus().getTarget(), check,
        owned, now, settings.policyRefreshPeriod(), lastHealthy.get(uid)));

    if (result.create() != null) create(policy, result.create());
    for (String name : result.delete()) {
      kubernetes.resources(AuditLogReplayJob.class).inNamespace(policy.getMetadata().getNamespace()).withName(name)
          .delete();
      LOG.info("deleted finished replay {}/{} beyond the policy's history limit", policy.getMetadata().getNamespace(),
          name);
    }
    AuditLogReplayPolicy stored = policy;
    if (result.write()) {
      AuditLogReplayPolicy copy = SERIALIZATION.clone(policy);
      copy.setStatus(result.status());
      stored = kubernetes.resources(AuditLogReplayPolicy.class).inNamespace(policy.getMetadata().getNamespace())
          .resource(copy).updateStatus();
      statusWrites.incrementAndGet();
      observer.policyStatusWritten();
    }
    for (PolicyDecision.Note note : result.notes()) {
      LOG.info("{} {}: {}", name(policy), note.reason(), note.message());
      events.record(stored, note.type(), note.reason(), note.message(), now);
    }
    String target = Objects.requireNonNullElse(described, "");
    for (int i = 0; i < result.healed(); i++) observer.gapHealed(target);
    if (result.lostSeconds() > 0) observer.dataLost(target, result.lostSeconds());
    UpdateControl<AuditLogReplayPolicy> control = UpdateControl.noUpdate();
    if (result.requeueAfter() != null) control.rescheduleAfter(result.requeueAfter());
    return control;
  }

  /**
   * A policy whose status this version cannot read (see the api package's LenientBlock) is left as it is: the status
   * may be a newer operator's, with a gap or a replay this version cannot see, so nothing is written, created or read
   * at Konnect. A Warning Event and a log line say why, once per version of the resource. (An unreadable spec goes
   * on as Stalled/InvalidSpec, with the message naming the field.)
   */
  private boolean unreadableStatus(AuditLogReplayPolicy policy, Instant now) {
    String status = policy.getStatus() == null ? null : policy.getStatus().unreadable();
    if (status == null) return false;
    String version = String.valueOf(policy.getMetadata().getResourceVersion());
    if (!version.equals(unreadableSeen.put(name(policy), version))) {
      LOG.warn("{}: {}; the policy is skipped (no status write, no replay, no Konnect call)", name(policy), status);
      events.record(policy, "Warning", Reasons.UNREADABLE_STATUS, status + ". This operator leaves the policy alone"
          + " until its status can be read (run the operator version that wrote it, or clear the status: kubectl patch"
          + " alrp " + policy.getMetadata().getName() + " -n " + policy.getMetadata().getNamespace()
          + " --subresource=status --type=merge -p '{\"status\":null}').", now);
    }
    return true;
  }

  /** Policies skipped for an unreadable status, with the resourceVersion last reported (one Event per version). */
  private final Map<String, String> unreadableSeen = new ConcurrentHashMap<>();

  /** The webhook status, read at most once per checkInterval per policy (a job event reuses the last read). */
  private Check read(String uid, Target target, KonnectToken token, Duration interval, Instant now) {
    Read last = reads.get(uid);
    if (last != null && last.targetKey().equals(target.key()) && now.isBefore(last.at().plus(interval))) {
      return last.check();
    }
    Check check;
    try {
      konnectReads.incrementAndGet();
      WebhookStatus status = konnect.getWebhookStatus(target, token);
      check = Check.of(status);
    } catch (KonnectException e) {
      check = Check.failed(problem(e));
    }
    reads.put(uid, new Read(check, now, target.key()));
    return check;
  }

  static Problem problem(KonnectException e) {
    String detail = KonnectMessages.safe(e.getMessage());
    if (e instanceof KonnectException.Unauthorized) {
      return new Problem(Reasons.UNAUTHORIZED, "Konnect refused the token (401): " + detail + ". Put a valid token"
          + " in the Secret; the policy checks again at once.", true);
    }
    if (e instanceof KonnectException.Forbidden) {
      return new Problem(Reasons.FORBIDDEN, "The token may not read the webhook status (403): " + detail
          + ". Give its account the audit-log permissions.", true);
    }
    if (e instanceof KonnectException.NotFound) {
      return new Problem(Reasons.PORTAL_NOT_FOUND, "Konnect knows no such target (404): " + detail + ".", true);
    }
    if (e instanceof KonnectException.RateLimited) {
      return new Problem(Reasons.RATE_LIMITED, "Konnect rate-limited the check (429): " + detail, false);
    }
    if (e instanceof KonnectException.Unavailable) {
      return new Problem(Reasons.KONNECT_UNAVAILABLE, "Konnect did not answer the check: " + detail, false);
    }
    return new Problem(Reasons.UNEXPECTED_RESPONSE, "Konnect answered the check unexpectedly: " + detail, false);
  }

  private void create(AuditLogReplayPolicy policy, PolicyDecision.NewJob job) {
    AuditLogReplayJob replay = new AuditLogReplayJob();
    replay.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder()
        .withName(job.name()).withNamespace(policy.getMetadata().getNamespace())
        .withLabels(labels(policy))
        .withOwnerReferences(new OwnerReferenceBuilder().withApiVersion(policy.getApiVersion())
            .withKind(policy.getKind()).withName(policy.getMetadata().getName())
            .withUid(policy.getMetadata().getUid()).withController(true).withBlockOwnerDeletion(true).build())
        .build());
    AuditLogReplayJobSpec spec = new AuditLogReplayJobSpec();
    spec.setRegion(policy.getSpec().getRegion());
    spec.setPortalID(policy.getSpec().getPortalID());
    KonnectSettings k = policy.getSpec().getKonnect();
    spec.setKonnect(new KonnectSettings(new SecretKeyRef(k.getAuthRef().getName(), k.getAuthRef().getKey()),
        k.getServerURL()));
    spec.setWindow(ReplayWindow.absolute(Times.format(job.startAt()), Times.format(job.endAt())));
    replay.setSpec(spec);
    try {
      kubernetes.resources(AuditLogReplayJob.class).inNamespace(policy.getMetadata().getNamespace()).resource(replay)
          .create();
      LOG.info("{} created replay {} for [{}, {}]", name(policy), job.name(), job.startAt(), job.endAt());
    } catch (KubernetesClientException e) {
      if (e.getCode() != 409) throw e;
      // Created before a restart (or by the previous leader): the same gap, the same name, one job.
      LOG.info("{}: replay {} exists already", name(policy), job.name());
    }
  }

  /** The policy's own labels (so that a WATCH_LABEL_SELECTOR that selects the policy selects its jobs) and its name. */
  private static Map<String, String> labels(AuditLogReplayPolicy policy) {
    Map<String, String> labels = new java.util.TreeMap<>();
    if (policy.getMetadata().getLabels() != null) labels.putAll(policy.getMetadata().getLabels());
    labels.put(AuditLogReplayPolicy.POLICY_LABEL, policy.getMetadata().getName());
    return labels;
  }

  private TargetResolver.Resolution resolve(AuditLogReplayPolicySpec spec) {
    if (spec.getRegion() == null || !settings.regions().contains(spec.getRegion())) {
      return new TargetResolver.Resolution.Unresolvable("spec.region " + spec.getRegion() + " is not one of the"
          + " operator's regions (" + String.join(", ", settings.regions()) + "; setting KONNECT_REGIONS)");
    }
    AuditLogReplayJobSpec asJob = new AuditLogReplayJobSpec();
    asJob.setRegion(spec.getRegion());
    asJob.setPortalID(spec.getPortalID());
    asJob.setKonnect(spec.getKonnect());
    TargetResolver.Resolution resolution;
    try {
      resolution = TargetResolver.resolve(asJob, settings);
    } catch (RuntimeException e) {
      return new TargetResolver.Resolution.Unresolvable("the default server of region " + spec.getRegion()
          + " cannot be built from KONNECT_SERVER_URL_TEMPLATE");
    }
    if (resolution instanceof TargetResolver.Resolution.Resolved r
        && settings.allowedServerUrls().check(r.target().serverUrl().toString()).isEmpty()) {
      return new TargetResolver.Resolution.Unresolvable("Server URL \"" + r.serverText() + "\" is not allowed by the"
          + " operator (KONNECT_ALLOWED_SERVER_URLS=" + settings.allowedServerUrls() + ")");
    }
    return resolution;
  }

  private URI defaultServer(String region) {
    return io.konnectreplay.operator.config.ServerUrlAllowList.normalize(settings.defaultServerUrl(region))
        .orElse(null);
  }

  /** The referenced Secret: from the cache, else one GET (see {@link TokenLookup#referenced}). */
  private Optional<Secret> secret(AuditLogReplayPolicy policy, Context<AuditLogReplayPolicy> context) {
    return TokenLookup.referenced(kubernetes, policy.getMetadata().getNamespace(),
        policy.getSpec().getKonnect().getAuthRef().getName(), context.getSecondaryResource(Secret.class));
  }

  static boolean ownedBy(AuditLogReplayJob job, AuditLogReplayPolicy policy) {
    return job.getMetadata().getOwnerReferences() != null && job.getMetadata().getOwnerReferences().stream()
        .anyMatch(o -> Boolean.TRUE.equals(o.getController()) && Objects.equals(o.getUid(),
            policy.getMetadata().getUid()));
  }

  private static Optional<String> secretKey(AuditLogReplayPolicy p) {
    if (p.getSpec() == null || p.getSpec().getKonnect() == null || p.getSpec().getKonnect().getAuthRef() == null
        || p.getSpec().getKonnect().getAuthRef().getName() == null) {
      return Optional.empty();
    }
    return Optional.of(p.getMetadata().getNamespace() + "/" + p.getSpec().getKonnect().getAuthRef().getName());
  }

  private static String name(AuditLogReplayPolicy p) {
    return p.getMetadata().getNamespace() + "/" + p.getMetadata().getName();
  }

  /**
   * The controller's event filter (registered by {@link io.konnectreplay.operator.OperatorRuntime}): accepts every
   * event, and forgets what it kept in memory about a policy that left the cache (deleted).
   */
  public boolean acceptEvent(AuditLogReplayPolicy policy) {
    var known = cache;
    if (known != null && policy.getMetadata() != null && known.get(ResourceID.fromResource(policy)).isEmpty()) {
      String uid = Objects.requireNonNullElse(policy.getMetadata().getUid(), name(policy));
      reads.remove(uid);
      lastHealthy.remove(uid);
    }
    return true;
  }

  /** Policies in the informer cache (empty before start): the source of the gap gauges. */
  public java.util.stream.Stream<AuditLogReplayPolicy> cachedPolicies() {
    return cache == null ? java.util.stream.Stream.empty() : cache.list();
  }

  /** Status writes of policies by this process (for the benchmark and tests). */
  public long statusWrites() { return statusWrites.get(); }

  /** Webhook-status reads by this process (for the benchmark and tests). */
  public long konnectReads() { return konnectReads.get(); }
}
