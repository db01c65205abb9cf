package io.konnectreplay.operator.sandbox;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.konnectreplay.operator.OperatorRuntime;
import io.konnectreplay.operator.api.v1alpha1.AuditLogReplayJob;
import io.konnectreplay.operator.api.v1alpha1.AuditLogReplayJobStatus;
import io.konnectreplay.operator.api.v1alpha1.Phase;
import io.konnectreplay.operator.config.OperatorSettings;
import io.konnectreplay.operator.emulator.AuditLogSigner;
import io.konnectreplay.operator.emulator.JobTimings;
import io.konnectreplay.operator.emulator.KonnectEmulator;
import io.konnectreplay.operator.emulator.SignedWebhookDelivery;
import io.konnectreplay.operator.emulator.SyntheticAuditLog;
import io.konnectreplay.operator.emulator.WebhookReceiver;
import io.konnectreplay.operator.konnect.OkHttpKonnectClient;
import io.konnectreplay.operator.reconciler.StatusBuilder;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * Everything on one machine, on 127.0.0.1 only: a Kubernetes API that kubectl can talk to (fabric8's mock with
 * discovery, see {@link KubectlDispatcher}), the Konnect emulator delivering signed audit events, one webhook receiver
 * per region that checks them, the operator, and the resources of {@code deploy/samples/}.
 *
 * <p>The samples go where their manifests say, as {@code kubectl apply -f deploy/samples/} puts them: their own
 * namespace {@value #SAMPLES_NAMESPACE}, from the folder's Namespace manifest. The token Secret, which the folder
 * does not hold, is created there and in namespace {@value #USER_NAMESPACE} (the kubeconfig's default), for the user's
 * own resources. The emulator accepts the samples' placeholder
 * token. The organization webhook of every region and the webhook of every portal the samples name point at that
 * region's receiver, in json format, with an Authorization header the receiver checks.
 *
 * <p>One receiver per region, because the emulator's organization events of every region carry the same org id:
 * one receiver could not tell the us organization's events from the au organization's.
 */
public final class Sandbox implements AutoCloseable {
  public static final String SAMPLES_NAMESPACE = "samples";
  public static final String USER_NAMESPACE = "default";

  /** One resource the sandbox applied from a sample file (namespace empty for a cluster-scoped one). */
  public record Applied(String file, String kind, String namespace, String name) {}

  static {
    // The mock web server logs every request through java.util.logging at INFO; keep the terminal for the table.
    QuietJul.apply();
  }

  /**
   * How to run.
   *
   * @param kubernetesPort the API server's port, 0 for any free port
   * @param kubeconfig where to write the kubeconfig
   * @param timings how long the emulator's replay jobs take in each state
   * @param pollIntervalMax the operator's longest wait between two reads of a running job
   * @param outage how long one receiver is down once its region's sample jobs have ended (zero: never)
   */
  public record Options(int kubernetesPort, Path kubeconfig, JobTimings timings, Duration pollIntervalMax,
      Clock clock, Duration outage) {
    public Options {
      Objects.requireNonNull(kubeconfig, "kubeconfig");
      Objects.requireNonNull(timings, "timings");
      Objects.requireNonNull(pollIntervalMax, "pollIntervalMax");
      Objects.requireNonNull(clock, "clock");
      Objects.requireNonNull(outage, "outage");
    }

    /**
     * Demo timings (a few seconds per job), any free port, the kubeconfig at {@code target/sandbox/kubeconfig}, a
     * receiver outage of {@link #DEFAULT_OUTAGE}.
     */
    public static Options defaults() {
      return new Options(0, Path.of("target", "sandbox", "kubeconfig"), JobTimings.demo(), Duration.ofSeconds(1),
          Clock.systemUTC(), DEFAULT_OUTAGE);
    }

    public Options withKubernetesPort(int port) {
      return new Options(port, kubeconfig, timings, pollIntervalMax, clock, outage);
    }

    public Options withKubeconfig(Path path) {
      return new Options(kubernetesPort, path, timings, pollIntervalMax, clock, outage);
    }

    public Options withTimings(JobTimings t) {
      return new Options(kubernetesPort, kubeconfig, t, pollIntervalMax, clock, outage);
    }

    public Options withOutage(Duration d) {
      return new Options(kubernetesPort, kubeconfig, timings, pollIntervalMax, clock, d);
    }
  }

  /** How long the demo's receiver stays down. */
  public static final Duration DEFAULT_OUTAGE = Duration.ofSeconds(20);
  /** How often the emulator sends every webhook its new events, and how far apart a target's live events are. */
  static final Duration LIVE_INTERVAL = Duration.ofMillis(500);

  /** A job as the progress table shows it. */
  public record JobView(String namespace, String name, String region, String portalId, String target, Phase phase,
      String reason, int attempts, Instant startAt, Instant endAt) {
    public String key() { return namespace + "/" + name; }

    /** The target as the table shows it: the operator's status.target, or what the spec says until it is set. */
    public String targetOrSpec() {
      if (target != null) return target;
      return region + (portalId == null ? "/org" : "/portal/" + portalId);
    }

    static JobView of(AuditLogReplayJob job) {
      AuditLogReplayJobStatus status = job.getStatus();
      String start = status == null || status.getWindow() == null ? null : status.getWindow().getStartAt();
      String end = status == null || status.getWindow() == null ? null : status.getWindow().getEndAt();
      return new JobView(job.getMetadata().getNamespace(), job.getMetadata().getName(), job.getSpec().getRegion(),
          job.getSpec().getPortalID(), status == null ? null : status.getTarget(),
          status == null ? null : status.getPhase(), StatusBuilder.mainReason(status),
          status == null ? 0 : status.attemptsOrZero(), start == null ? null : Instant.parse(start),
          end == null ? null : Instant.parse(end));
    }
  }

  private final Options options;
  private final EmbeddedKubernetes kubernetes;
  private final SignedWebhookDelivery delivery;
  private final KonnectEmulator emulator;
  private final Map<String, WebhookReceiver> receivers;
  private final OkHttpKonnectClient konnectClient;
  private final OperatorRuntime operator;
  private final String token;
  private final String webhookAuthorization;
  private final List<String> sampleJobs;
  private final List<Applied> applied;
  private final Path kubeconfig;
  private final HealingDemo healing;
  private final Instant liveFrom;
  /** {@code region/portalId} of every portal with a webhook. */
  private final Set<String> portalTargets;

  private Sandbox(Options options, EmbeddedKubernetes kubernetes, SignedWebhookDelivery delivery,
      KonnectEmulator emulator, Map<String, WebhookReceiver> receivers, OkHttpKonnectClient konnectClient,
      OperatorRuntime operator, String token, String webhookAuthorization, List<Applied> applied, Path kubeconfig,
      HealingDemo healing, Instant liveFrom, Set<String> portalTargets) {
    this.options = options;
    this.kubernetes = kubernetes;
    this.delivery = delivery;
    this.emulator = emulator;
    this.receivers = receivers;
    this.konnectClient = konnectClient;
    this.operator = operator;
    this.token = token;
    this.webhookAuthorization = webhookAuthorization;
    this.applied = List.copyOf(applied);
    this.sampleJobs = applied.stream().filter(a -> SampleManifests.JOB_KIND.equals(a.kind()))
        .map(a -> a.namespace() + "/" + a.name()).toList();
    this.kubeconfig = kubeconfig;
    this.healing = healing;
    this.liveFrom = liveFrom;
    this.portalTargets = Set.copyOf(portalTargets);
  }

  /** Starts every part, applies the samples and returns at once; see {@link #awaitSamples}. */
  public static Sandbox start(Options options) {
    SampleManifests samples = SampleManifests.load();
    String token = samples.sampleToken();
    List<AutoCloseable> started = new ArrayList<>();
    try {
      EmbeddedKubernetes kubernetes = EmbeddedKubernetes.startForKubectl(options.kubernetesPort());
      started.add(kubernetes);
      Path kubeconfig = kubernetes.writeKubeconfig(options.kubeconfig(), USER_NAMESPACE);

      // A sparse past for the samples' replays of hours and days, a dense present streamed live, so that an outage
      // of seconds loses events a replay must bring back.
      Instant liveFrom = options.clock().instant();
      SignedWebhookDelivery delivery = new SignedWebhookDelivery(
          new SyntheticAuditLog(options.clock()).denserFrom(liveFrom, LIVE_INTERVAL), AuditLogSigner.generate());
      KonnectEmulator emulator = KonnectEmulator.builder().token(token).timings(options.timings()).clock(options.clock())
          .delivery(delivery).liveEvents(LIVE_INTERVAL).start();
      started.add(emulator);

      String authorization = "Bearer sandbox-" + randomHex(12);
      Map<String, WebhookReceiver> receivers = new LinkedHashMap<>();
      for (String region : emulator.regions()) {
        WebhookReceiver receiver = WebhookReceiver.start(0, authorization, delivery.jwksJson(), options.clock());
        started.add(receiver);
        receivers.put(region, receiver);
        emulator.configureOrgWebhook(region, receiver.url().toString(), authorization, "json", true);
      }
      Set<String> portalTargets = new java.util.LinkedHashSet<>();
      for (SampleManifests.Sample job : samples.jobs()) {
        if (job.portalId() == null || !portalTargets.add(job.region() + "/" + job.portalId())) continue;
        emulator.addPortal(job.region(), job.portalId());
        emulator.configurePortalWebhook(job.region(), job.portalId(), receivers.get(job.region()).url().toString(),
            authorization, "json", true);
      }

      OperatorSettings settings = OperatorSettings.defaults(Map.of(
          "KONNECT_SERVER_URL_TEMPLATE", emulator.baseUrl() + "/{region}",
          "KONNECT_ALLOWED_SERVER_URLS", "http://127.0.0.1:*",
          "KONNECT_REGIONS", String.join(",", emulator.regions()),
          "POLL_INTERVAL_MAX", options.pollIntervalMax().toMillis() + "ms",
          "RECONCILE_THREADS", "4",
          "TERMINATION_TIMEOUT", "2s",
          "LEADER_ELECTION", "false",
          "POD_NAME", "sandbox"));
      OperatorRuntime operator = OperatorRuntime.wired(settings, kubernetes.newClient(), options.clock(), b -> b, false);
      started.add(operator);
      OkHttpKonnectClient konnectClient = operator.konnect();

      List<Applied> applied = apply(kubernetes.client(), samples);
      HealingDemo healing = HealingDemo.create(kubernetes.client(), options.clock(), samples, receivers,
          options.outage());
      return new Sandbox(options, kubernetes, delivery, emulator, receivers, konnectClient, operator, token,
          authorization, applied, kubeconfig, healing, liveFrom, portalTargets);
    } catch (RuntimeException e) {
      closeAll(started);
      throw e;
    }
  }

  /**
   * Applies every sample in its own namespace (the folder's Namespace manifest first), and the token Secret in the
   * samples' namespace and in {@value #USER_NAMESPACE}.
   */
  private static List<Applied> apply(KubernetesClient client, SampleManifests samples) {
    KubernetesSerialization serialization = client.getKubernetesSerialization();
    ensureNamespace(client, USER_NAMESPACE);
    List<Applied> applied = new ArrayList<>();
    for (SampleManifests.Sample sample : samples.all()) {
      GenericKubernetesResource resource = sample.resource();
      String namespace = resource.getMetadata().getNamespace() == null ? SAMPLES_NAMESPACE
          : resource.getMetadata().getNamespace();
      if ("Namespace".equals(sample.kind())) {
        if (client.namespaces().withName(sample.name()).get() == null) client.resource(resource).create();
        applied.add(new Applied(sample.file(), sample.kind(), "", sample.name()));
      } else if ("Secret".equals(sample.kind())) {
        Secret secret = serialization.convertValue(resource, Secret.class);
        for (String ns : List.of(SAMPLES_NAMESPACE, USER_NAMESPACE)) {
          ensureNamespace(client, ns);
          client.secrets().inNamespace(ns).resource(secret).create();
          applied.add(new Applied(sample.file(), sample.kind(), ns, sample.name()));
        }
      } else if (sample.isJob()) {
        AuditLogReplayJob job = serialization.convertValue(resource, AuditLogReplayJob.class);
        client.resources(AuditLogReplayJob.class).inNamespace(namespace).resource(job).create();
        applied.add(new Applied(sample.file(), sample.kind(), namespace, sample.name()));
      } else {
        client.resource(resource).inNamespace(namespace).create();
        applied.add(new Applied(sample.file(), sample.kind(), namespace, sample.name()));
      }
    }
    return List.copyOf(applied);
  }

  private static void ensureNamespace(KubernetesClient client, String name) {
    if (client.namespaces().withName(name).get() == null) {
      client.namespaces().resource(new io.fabric8.kubernetes.api.model.NamespaceBuilder().withNewMetadata()
          .withName(name).endMetadata().build()).create();
    }
  }

  /**
   * Polls the jobs until every sample job has ended and the outage has been healed, or the timeout passes, calling
   * {@code onPoll} with every job (the user's too) after each read and {@code onNote} with each step of the outage,
   * then checks what the receivers got.
   */
  public SandboxResult awaitSamples(Duration timeout, Consumer<List<JobView>> onPoll, Consumer<String> onNote)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    List<JobView> jobs = jobs();
    while (true) {
      onPoll.accept(jobs);
      healing.step(jobs, sampleJobs, onNote);
      if (samplesEnded(jobs) && healing.finished()) return result(jobs, false, timeout);
      if (System.nanoTime() >= deadline) return result(jobs, true, timeout);
      Thread.sleep(200);
      jobs = jobs();
    }
  }

  private boolean samplesEnded(List<JobView> jobs) {
    Set<String> ended = jobs.stream().filter(j -> j.phase() != null && j.phase().terminal()).map(JobView::key)
        .collect(Collectors.toSet());
    return ended.containsAll(sampleJobs);
  }

  /** Every AuditLogReplayJob, by namespace and name. */
  public List<JobView> jobs() {
    return kubernetes.client().resources(AuditLogReplayJob.class).inAnyNamespace().list().getItems().stream()
        .map(JobView::of).sorted(Comparator.comparing(JobView::key)).toList();
  }

  /**
   * What the sample jobs and the policies' replays reached and what the receivers got, now.
   *
   * <p>The checks: every sample job completed and its receiver verified every event of its window; the outage
   * region's every policy recorded a gap and created exactly one replay, which completed and whose window arrived
   * whole; no event refused during the outage is missing; every line verified, with the right Authorization; and at
   * most as many lines arrived as the run explains. That bound is the live events sent since the stream began
   * (less those the receiver refused) plus the events of every completed replay's window, so one replay sent twice
   * would exceed it.
   */
  SandboxResult result(List<JobView> jobs, boolean timedOut, Duration timeout) {
    Map<String, JobView> byKey = jobs.stream().collect(Collectors.toMap(JobView::key, j -> j));
    List<String> problems = new ArrayList<>();
    List<SandboxResult.JobOutcome> outcomes = new ArrayList<>();
    long replayed = 0;
    for (String key : sampleJobs) {
      JobView job = byKey.get(key);
      if (job == null) {
        problems.add(key + " is gone");
        continue;
      }
      SandboxResult.JobOutcome outcome = outcome(job);
      outcomes.add(outcome);
      if (job.phase() == Phase.Completed) {
        replayed += arrived(outcome, problems);
      } else if (job.phase() == Phase.Failed) {
        problems.add(key + " failed (" + job.reason() + ")");
      } else {
        problems.add(key + " did not finish within " + SandboxResult.human(timeout) + " (phase "
            + (job.phase() == null ? "none yet" : job.phase()) + ", reason " + job.reason() + ")");
      }
    }

    SandboxResult.Healing healingReport = null;
    Map<String, Long> lostPerTarget = new LinkedHashMap<>();
    if (healing.stage() != HealingDemo.Stage.OFF) {
      List<SandboxResult.PolicyHealing> policies = new ArrayList<>();
      for (HealingDemo.Healing h : healing.healings(jobs, receiverTargets())) {
        List<SandboxResult.JobOutcome> replays = h.replays().stream().map(this::outcome).toList();
        String name = Sandbox.SAMPLES_NAMESPACE + "/" + h.watched().policy();
        lostPerTarget.put(h.watched().target(), h.lost());
        policies.add(new SandboxResult.PolicyHealing(name, h.watched().target(),
            h.gap() == null ? null : Instant.parse(h.gap().getStartAt()),
            h.gap() == null || h.gap().getEndAt() == null ? null : Instant.parse(h.gap().getEndAt()), replays,
            h.outage() == null ? 0 : h.outage().emitted(), h.lost()));
        if (h.gap() == null) {
          problems.add(name + " recorded no gap for the outage of receiver " + healing.region());
        }
        if (replays.size() != 1) {
          problems.add(name + " created " + replays.size() + " replays for one outage; exactly one was expected");
        }
        for (SandboxResult.JobOutcome r : replays) {
          if (r.completed()) {
            replayed += arrived(r, problems);
          } else {
            problems.add(r.job().key() + " (the replay of " + name + ") did not complete (phase "
                + (r.job().phase() == null ? "none yet" : r.job().phase()) + ", reason " + r.job().reason() + ")");
          }
        }
        if (h.lost() > 0) {
          problems.add(h.lost() + " of the " + h.outage().emitted() + " events sent to " + h.watched().target()
              + " while receiver " + healing.region() + " was down never arrived");
        }
      }
      if (healing.downAt() == null) {
        problems.add("receiver " + healing.region() + " never went down: its sample jobs had not ended, or its"
            + " policies never read the webhook healthy, within " + SandboxResult.human(timeout));
      } else if (healing.upAt() == null) {
        problems.add("receiver " + healing.region() + " was still down at the end");
      }
      healingReport = new SandboxResult.Healing(healing.region(), healing.downAt(), healing.upAt(), policies);
    }
    List<SandboxResult.TargetLoss> targets = healing.watched().stream().map(w -> new SandboxResult.TargetLoss(
        w.target(), Sandbox.SAMPLES_NAMESPACE + "/" + w.policy(), lostPerTarget.getOrDefault(w.target(), 0L)))
        .toList();

    long received = 0;
    long verifiedLines = 0;
    long rejected = 0;
    long duplicates = 0;
    long unauthorized = 0;
    long unique = 0;
    long refused = 0;
    List<String> rejections = new ArrayList<>();
    for (WebhookReceiver r : receivers.values()) {
      received += r.eventsReceived();
      verifiedLines += r.verified();
      rejected += r.rejected();
      duplicates += r.duplicates();
      unauthorized += r.unauthorized();
      unique += r.uniqueVerified();
      refused += r.outages().stream().mapToLong(WebhookReceiver.Outage::emitted).sum();
      rejections.addAll(r.recentRejections());
    }
    long expectedDeliveries = liveUpperBound() - refused + replayed;
    long expectedDuplicates = Math.max(0, expectedDeliveries - unique);
    if (rejected > 0) {
      problems.add(rejected + " delivered events failed verification" + (rejections.isEmpty() ? ""
          : ", e.g. " + rejections.get(0)));
    }
    if (unauthorized > 0) problems.add(unauthorized + " webhook calls had the wrong Authorization");
    if (received > expectedDeliveries) {
      problems.add("the webhooks received " + received + " events; live delivery and the completed replays explain"
          + " at most " + expectedDeliveries + " (" + (received - expectedDeliveries) + " sent more than once)");
    }
    outcomes.sort(Comparator.comparing(o -> o.job().key()));
    return new SandboxResult(outcomes, healingReport, targets, received, verifiedLines, rejected, duplicates,
        expectedDuplicates, unauthorized, timedOut, problems);
  }

  /** A completed replay's window must have arrived whole; returns the events it delivered. */
  private static long arrived(SandboxResult.JobOutcome replay, List<String> problems) {
    if (replay.verifiedEvents() < replay.expectedEvents()) {
      problems.add(replay.job().key() + " completed, but the webhook verified " + replay.verifiedEvents() + " of the "
          + replay.expectedEvents() + " events in its window");
    }
    return replay.expectedEvents();
  }

  /** A job, the events its window holds at its target, and how many of them its receiver verified. */
  private SandboxResult.JobOutcome outcome(JobView job) {
    if (job.startAt() == null || job.endAt() == null || !receivers.containsKey(job.region())) {
      return new SandboxResult.JobOutcome(job, 0, 0);
    }
    long expected = delivery.auditLog().count(job.region(), job.portalId(), job.startAt(), job.endAt());
    long verified = receivers.get(job.region()).countVerifiedBetween(receiverTarget(job.region(), job.portalId()),
        job.startAt(), job.endAt());
    return new SandboxResult.JobOutcome(job, expected, verified);
  }

  /**
   * At most how many live events the emulator has sent since the stream began: every event of every target with a
   * webhook (each region's organization and the samples' portals) from then until now.
   */
  private long liveUpperBound() {
    Instant now = options.clock().instant();
    long events = 0;
    for (String region : receivers.keySet()) {
      events += delivery.auditLog().count(region, null, liveFrom, now);
    }
    for (String target : portalTargets) {
      int slash = target.indexOf('/');
      events += delivery.auditLog().count(target.substring(0, slash), target.substring(slash + 1), liveFrom, now);
    }
    return events;
  }

  /** status.target of every watched target → the receiver's name for it. */
  private Map<String, String> receiverTargets() {
    Map<String, String> names = new LinkedHashMap<>();
    for (HealingDemo.Watched w : healing.watched()) names.put(w.target(), receiverTarget(w.region(), w.portalId()));
    return names;
  }

  /** The receiver's name for a target: {@code portal:<id>} or {@code org:<org id>}. */
  private String receiverTarget(String region, String portalId) {
    return portalId == null ? "org:" + delivery.auditLog().orgId() : "portal:" + portalId.toLowerCase(Locale.ROOT);
  }

  // ---- accessors ---------------------------------------------------------------------------------------------

  public Path kubeconfig() { return kubeconfig; }

  public EmbeddedKubernetes kubernetes() { return kubernetes; }

  public KubernetesClient client() { return kubernetes.client(); }

  public KonnectEmulator emulator() { return emulator; }

  /** The receiver of a region's organization and portal webhooks. */
  public WebhookReceiver receiver(String region) { return receivers.get(region); }

  public Map<String, WebhookReceiver> receivers() { return receivers; }

  public SignedWebhookDelivery delivery() { return delivery; }

  public OperatorRuntime operator() { return operator; }

  /** The Konnect token the emulator accepts: the samples' placeholder, stored in Secret konnect-token. */
  public String token() { return token; }

  /** The Authorization header the receivers require. */
  public String webhookAuthorization() { return webhookAuthorization; }

  /** namespace/name of every sample job, in the order applied. */
  public List<String> sampleJobs() { return sampleJobs; }

  /** Every resource applied from a sample file, in order. */
  public List<Applied> appliedSamples() { return applied; }

  public Options options() { return options; }

  /** The gap-healing demo: its policies, the region taken down, the outage. */
  HealingDemo healing() { return healing; }

  @Override
  public void close() {
    List<AutoCloseable> parts = new ArrayList<>();
    parts.add(kubernetes);
    parts.addAll(receivers.values());
    parts.add(emulator);
    parts.add(operator);
    closeAll(parts);
  }

  /** Closes in reverse order of start, each even when another fails. */
  private static void closeAll(List<AutoCloseable> parts) {
    for (int i = parts.size() - 1; i >= 0; i--) {
      try {
        parts.get(i).close();
      } catch (Exception e) {
        // stopping: nothing left to do with it
      }
    }
  }

  private static String randomHex(int bytes) {
    byte[] random = new byte[bytes];
    new SecureRandom().nextBytes(random);
    return HexFormat.of().formatHex(random);
  }
}
