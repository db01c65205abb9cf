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
   */
  public record Options(int kubernetesPort, Path kubeconfig, JobTimings timings, Duration pollIntervalMax,
      Clock clock) {
    public Options {
      Objects.requireNonNull(kubeconfig, "kubeconfig");
      Objects.requireNonNull(timings, "timings");
      Objects.requireNonNull(pollIntervalMax, "pollIntervalMax");
      Objects.requireNonNull(clock, "clock");
    }

    /** Demo timings (a few seconds per job), any free port, the kubeconfig at {@code target/sandbox/kubeconfig}. */
    public static Options defaults() {
      return new Options(0, Path.of("target", "sandbox", "kubeconfig"), JobTimings.demo(), Duration.ofSeconds(1),
          Clock.systemUTC());
    }

    public Options withKubernetesPort(int port) {
      return new Options(port, kubeconfig, timings, pollIntervalMax, clock);
    }

    public Options withKubeconfig(Path path) {
      return new Options(kubernetesPort, path, timings, pollIntervalMax, clock);
    }

    public Options withTimings(JobTimings t) {
      return new Options(kubernetesPort, kubeconfig, t, pollIntervalMax, clock);
    }
  }

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

  private Sandbox(Options options, EmbeddedKubernetes kubernetes, SignedWebhookDelivery delivery,
      KonnectEmulator emulator, Map<String, WebhookReceiver> receivers, OkHttpKonnectClient konnectClient,
      OperatorRuntime operator, String token, String webhookAuthorization, List<Applied> applied, Path kubeconfig) {
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

      SignedWebhookDelivery delivery = new SignedWebhookDelivery(new SyntheticAuditLog(options.clock()),
          AuditLogSigner.generate());
      KonnectEmulator emulator = KonnectEmulator.builder().token(token).timings(options.timings()).clock(options.clock())
          .delivery(delivery).start();
      started.add(emulator);

      String authorization = "Bearer sandbox-" + randomHex(12);
      Map<String, WebhookReceiver> receivers = new LinkedHashMap<>();
      for (String region : emulator.regions()) {
        WebhookReceiver receiver = WebhookReceiver.start(0, authorization, delivery.jwksJson());
        started.add(receiver);
        receivers.put(region, receiver);
        emulator.configureOrgWebhook(region, receiver.url().toString(), authorization, "json", true);
      }
      for (SampleManifests.Sample job : samples.jobs()) {
        if (job.portalId() == null) continue;
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
      return new Sandbox(options, kubernetes, delivery, emulator, receivers, konnectClient, operator, token,
          authorization, applied, kubeconfig);
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
   * Polls the jobs until every sample job has ended or the timeout passes, calling {@code onPoll} with every job
   * (the user's too) after each read, then checks what the receivers got.
   */
  public SandboxResult awaitSamples(Duration timeout, Consumer<List<JobView>> onPoll) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    List<JobView> jobs = jobs();
    while (true) {
      onPoll.accept(jobs);
      if (samplesEnded(jobs)) return result(jobs, false, timeout);
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

  /** What the sample jobs reached and what the receivers got, now. */
  SandboxResult result(List<JobView> jobs, boolean timedOut, Duration timeout) {
    Map<String, JobView> byKey = jobs.stream().collect(Collectors.toMap(JobView::key, j -> j));
    List<String> problems = new ArrayList<>();
    List<SandboxResult.JobOutcome> outcomes = new ArrayList<>();
    long expectedDeliveries = 0;
    Map<String, Set<String>> targetsPerRegion = new LinkedHashMap<>();
    for (String key : sampleJobs) {
      JobView job = byKey.get(key);
      if (job == null) {
        problems.add(key + " is gone");
        continue;
      }
      long expected = 0;
      long verified = 0;
      if (job.startAt() != null && job.endAt() != null && receivers.containsKey(job.region())) {
        expected = delivery.auditLog().count(job.region(), job.portalId(), job.startAt(), job.endAt());
        String target = receiverTarget(job);
        verified = receivers.get(job.region()).countVerifiedBetween(target, job.startAt(), job.endAt());
        targetsPerRegion.computeIfAbsent(job.region(), r -> new java.util.TreeSet<>()).add(target);
      }
      outcomes.add(new SandboxResult.JobOutcome(job, expected, verified));
      if (job.phase() == Phase.Completed) {
        expectedDeliveries += expected;
        if (verified < expected) {
          problems.add(key + " completed, but the webhook verified " + verified + " of the " + expected
              + " events in its window");
        }
      } else if (job.phase() == Phase.Failed) {
        problems.add(key + " failed (" + job.reason() + ")");
      } else {
        problems.add(key + " did not finish within " + SandboxResult.human(timeout) + " (phase "
            + (job.phase() == null ? "none yet" : job.phase()) + ", reason " + job.reason() + ")");
      }
    }
    long received = 0;
    long verifiedLines = 0;
    long rejected = 0;
    long duplicates = 0;
    long unauthorized = 0;
    long unique = 0;
    List<String> rejections = new ArrayList<>();
    for (Map.Entry<String, WebhookReceiver> e : receivers.entrySet()) {
      WebhookReceiver r = e.getValue();
      received += r.eventsReceived();
      verifiedLines += r.verified();
      rejected += r.rejected();
      duplicates += r.duplicates();
      unauthorized += r.unauthorized();
      rejections.addAll(r.recentRejections());
      Map<String, Long> perTarget = r.verifiedPerTarget();
      for (String target : targetsPerRegion.getOrDefault(e.getKey(), Set.of())) {
        unique += perTarget.getOrDefault(target, 0L);
      }
    }
    // Two sample jobs replay overlapping windows of one portal: their common events arrive twice, as with Konnect.
    long overlapDuplicates = Math.max(0, expectedDeliveries - unique);
    if (rejected > 0) {
      problems.add(rejected + " delivered events failed verification" + (rejections.isEmpty() ? ""
          : ", e.g. " + rejections.get(0)));
    }
    if (unauthorized > 0) problems.add(unauthorized + " webhook calls had the wrong Authorization");
    if (duplicates > overlapDuplicates) {
      problems.add((duplicates - overlapDuplicates) + " events arrived more than once beyond what overlapping"
          + " windows explain");
    }
    if (received > expectedDeliveries) {
      problems.add("the webhooks received " + received + " events; the completed jobs' windows hold "
          + expectedDeliveries);
    }
    outcomes.sort(Comparator.comparing(o -> o.job().key()));
    return new SandboxResult(outcomes, received, verifiedLines, rejected, duplicates, overlapDuplicates, unauthorized,
        timedOut, problems);
  }

  /** The receiver's name for a job's target: {@code portal:<id>} or {@code org:<org id>}. */
  private String receiverTarget(JobView job) {
    return job.portalId() == null ? "org:" + delivery.auditLog().orgId()
        : "portal:" + job.portalId().toLowerCase(Locale.ROOT);
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
