package io.konnectreplay.operator.bench;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.konnectreplay.operator.api.v1alpha1.AuditLogReplayJob;
import io.konnectreplay.operator.api.v1alpha1.AuditLogReplayJobSpec;
import io.konnectreplay.operator.api.v1alpha1.KonnectSettings;
import io.konnectreplay.operator.api.v1alpha1.ReplayWindow;
import io.konnectreplay.operator.api.v1alpha1.SecretKeyRef;
import io.konnectreplay.operator.emulator.EndpointKind;
import io.konnectreplay.operator.emulator.JobTimings;
import io.konnectreplay.operator.emulator.KonnectEmulator;
import io.konnectreplay.operator.emulator.RecordedRequest;
import io.konnectreplay.operator.reconciler.TokenLookup;
import io.konnectreplay.operator.sandbox.EmbeddedKubernetes;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;

/**
 * The scenarios, in one process: the baseline on a mock API of its own, then the operator against a fresh mock API and
 * the Konnect emulator (fast job timings, instant delivery): spread, restart with the spread's resources, queued,
 * then a restart with {@code atRest} completed resources for the at-rest, memory and start-up figures.
 */
final class Benchmark {
  static final String TOKEN = "kpat_BenchmarkToken0123456789abcdefghijkl";
  static final String SECRET = "konnect-token";
  static final String REGION = "us";

  /** How the operator and the baseline run. */
  record Options(boolean childJvm, List<String> jvmOptions, Path logDirectory, Map<String, String> settings) {}

  private final BenchScale scale;
  private final Options options;
  private final Instant windowStart;
  private final Instant windowEnd;

  Benchmark(BenchScale scale, Options options) {
    this.scale = scale;
    this.options = options;
    Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    this.windowStart = now.minus(Duration.ofHours(3));
    this.windowEnd = now.minus(Duration.ofHours(1));
  }

  /** Default operator settings for the benchmark; see PERFORMANCE.md for why these values. */
  static Map<String, String> defaultSettings() {
    Map<String, String> s = new LinkedHashMap<>();
    s.put("KONNECT_MAX_RPS", "5000");
    s.put("RECONCILE_THREADS", io.konnectreplay.operator.config.OperatorSettings.DEFAULTS.get("RECONCILE_THREADS"));
    s.put("POLL_INTERVAL_MAX", "30s");
    s.put("TERMINATION_TIMEOUT", "5s");
    s.put("POD_NAME", "bench-operator");
    return s;
  }

  Map<String, Object> run() throws Exception {
    Map<String, Object> results = new LinkedHashMap<>();
    results.put("machine", machine());
    results.put("settings", options.settings());

    log("baseline: no-op JOSDK reconciler, " + scale.spread() + " then " + scale.queued() + " resources");
    ScenarioRun baselineSpread;
    ScenarioRun baselineQueued;
    CountingDispatcher baselineApi = new CountingDispatcher();
    try (EmbeddedKubernetes k8s = EmbeddedKubernetes.start(0, baselineApi)) {
      k8s.createNamespace("spread");
      k8s.createNamespace("queued");
      List<String> spreadPortals = portals(scale.spread());
      List<String> queuedPortals = portals(scale.queuedPortals());
      try (OperatorHandle baseline = launch(BenchOperator.Mode.BASELINE, k8s, options.settings(), "baseline")) {
        baselineSpread = ScenarioRun.createAndAwait(k8s.client(), "spread", spreadJobs(spreadPortals),
            scale.timeout());
        baselineQueued = ScenarioRun.createAndAwait(k8s.client(), "queued", queuedJobs(queuedPortals),
            scale.timeout());
      }
    }
    Map<String, Object> baseline = new LinkedHashMap<>();
    baseline.put("spread", baselineFigures(baselineSpread, baselineApi, "spread"));
    baseline.put("queued", baselineFigures(baselineQueued, baselineApi, "queued"));
    results.put("baseline", baseline);

    CountingDispatcher api = new CountingDispatcher();
    try (KonnectEmulator konnect = KonnectEmulator.builder().token(TOKEN).timings(JobTimings.fast())
            .delivery(new InstantDelivery()).start();
        EmbeddedKubernetes k8s = EmbeddedKubernetes.start(0, api)) {
      Map<String, String> settings = new LinkedHashMap<>(options.settings());
      settings.put("KONNECT_SERVER_URL_TEMPLATE", konnect.baseUrl() + "/{region}");
      settings.put("KONNECT_ALLOWED_SERVER_URLS", "http://127.0.0.1:*");
      for (String ns : List.of("spread", "queued", "rest")) {
        k8s.createNamespace(ns);
        secret(k8s.client(), ns);
      }
      List<String> spreadPortals = portals(scale.spread());
      List<String> queuedPortals = portals(scale.queuedPortals());
      for (String portal : concat(spreadPortals, queuedPortals)) {
        konnect.addPortal(REGION, portal);
        konnect.configurePortalWebhook(REGION, portal, "http://127.0.0.1:9/siem", "Bearer siem", "json", true);
      }

      log("operator: spread, " + scale.spread() + " requests on as many portals");
      Map<String, Object> spread;
      OperatorHandle operator = launch(BenchOperator.Mode.OPERATOR, k8s, settings, "operator-1");
      try {
        ScenarioRun run = ScenarioRun.createAndAwait(k8s.client(), "spread", spreadJobs(spreadPortals),
            scale.timeout());
        spread = scenario(run, baselineSpread, konnect, api, "spread", Set.copyOf(spreadPortals), true);
      } finally {
        operator.close();
      }
      results.put("spread", spread);

      log("operator: restart with " + scale.spread() + " resources, then queued, " + scale.queued()
          + " requests on " + scale.queuedPortals() + " portals");
      Map<String, Object> startup = new LinkedHashMap<>();
      operator = launch(BenchOperator.Mode.OPERATOR, k8s, settings, "operator-2");
      try {
        startup.put("withSpreadResources", startup(operator, scale.spread()));
        ScenarioRun run = ScenarioRun.createAndAwait(k8s.client(), "queued", queuedJobs(queuedPortals),
            scale.timeout());
        results.put("queued", scenario(run, baselineQueued, konnect, api, "queued", Set.copyOf(queuedPortals),
            false));
      } finally {
        operator.close();
      }

      int existing = scale.spread() + scale.queued();
      log("at rest: writing " + (scale.atRest() - existing) + " completed resources (operator stopped)");
      createCompleted(k8s.client(), scale.atRest() - existing);

      log("operator: restart with " + scale.atRest() + " completed resources");
      long konnectBefore = konnect.requests().size();
      long writesBefore = api.writes();
      operator = launch(BenchOperator.Mode.OPERATOR, k8s, settings, "operator-3");
      try {
        startup.put("withAtRestResources", startup(operator, scale.atRest()));
        Thread.sleep(scale.settle().toMillis());
        long konnectSettled = konnect.requests().size();
        long writesSettled = api.writes();
        long statusSettled = operator.statusWrites();
        log("at rest: counting for " + scale.restWindow().toSeconds() + " s");
        Thread.sleep(scale.restWindow().toMillis());
        double perMinute = 60.0 / scale.restWindow().toSeconds();
        Map<String, Object> rest = new LinkedHashMap<>();
        rest.put("resources", scale.atRest());
        rest.put("windowSeconds", scale.restWindow().toSeconds());
        rest.put("konnectCallsPerMinute", (konnect.requests().size() - konnectSettled) * perMinute);
        rest.put("statusWritesPerMinute", (operator.statusWrites() - statusSettled) * perMinute);
        rest.put("apiWritesPerMinute", (api.writes() - writesSettled) * perMinute);
        rest.put("startupKonnectCalls", konnectSettled - konnectBefore);
        rest.put("startupApiWrites", writesSettled - writesBefore);
        results.put("atRest", rest);
        results.put("policiesAtRest", policiesAtRest(k8s.client(), konnect, api, scale));

        OperatorHandle.Memory memory = operator.memory();
        Map<String, Object> mem = new LinkedHashMap<>();
        mem.put("resources", scale.atRest());
        mem.put("separateProcess", operator.separateProcess());
        mem.put("maxHeapMiB", mib(memory.maxHeap()));
        mem.put("heapAfterGcMiB", mib(memory.heapAfterGc()));
        mem.put("rssMiB", mib(memory.rss()));
        // What this process holds meanwhile: the mock API's store, the emulator and its request log, the driver.
        mem.put("benchProcessHeapAfterGcMiB", mib(BenchOperator.heapAfterGc()));
        mem.put("benchProcessRssMiB", mib(BenchOperator.residentSetBytes()));
        results.put("memory", mem);
      } finally {
        operator.close();
      }
      results.put("startup", startup);
    }
    results.put("targets", Targets.evaluate(results));
    return results;
  }

  /**
   * {@code scale.policies()} gap-healing policies, each on a healthy portal of its own, checked every 10 s: once
   * every one has a status, their Konnect reads and API writes are counted for {@code scale.policyWindow()} and
   * scaled to a policy-hour (at rest: one read per checkInterval, a status write only on the refresh).
   */
  private static Map<String, Object> policiesAtRest(KubernetesClient client, KonnectEmulator konnect,
      CountingDispatcher api, BenchScale scale) throws InterruptedException {
    Duration checkInterval = Duration.ofSeconds(10);
    log("policies at rest: " + scale.policies() + " policies, checked every " + checkInterval.toSeconds() + " s");
    for (String portal : portals(scale.policies())) {
      konnect.addPortal(REGION, portal);
      konnect.configurePortalWebhook(REGION, portal, "http://127.0.0.1:9/siem", "Bearer siem", "json", true);
      io.konnectreplay.operator.api.v1alpha1.AuditLogReplayPolicy policy =
          new io.konnectreplay.operator.api.v1alpha1.AuditLogReplayPolicy();
      policy.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder().withNamespace("rest")
          .withName("policy-" + portal).build());
      io.konnectreplay.operator.api.v1alpha1.AuditLogReplayPolicySpec spec =
          new io.konnectreplay.operator.api.v1alpha1.AuditLogReplayPolicySpec();
      spec.setRegion(REGION);
      spec.setPortalID(portal);
      spec.setKonnect(new io.konnectreplay.operator.api.v1alpha1.KonnectSettings(
          new io.konnectreplay.operator.api.v1alpha1.SecretKeyRef(SECRET, null), null));
      spec.setCheckInterval(checkInterval.toSeconds() + "s");
      policy.setSpec(spec);
      client.resources(io.konnectreplay.operator.api.v1alpha1.AuditLogReplayPolicy.class).inNamespace("rest")
          .resource(policy).create();
    }
    long deadline = System.nanoTime() + scale.timeout().toNanos();
    while (client.resources(io.konnectreplay.operator.api.v1alpha1.AuditLogReplayPolicy.class).inNamespace("rest")
        .list().getItems().stream().anyMatch(p -> p.getStatus() == null || p.getStatus().getLastHealthyAt() == null)) {
      if (System.nanoTime() > deadline) throw new IllegalStateException("policies did not all report a status");
      Thread.sleep(200);
    }
    Thread.sleep(checkInterval.toMillis()); // every policy past its first check
    long readsBefore = webhookStatusReads(konnect);
    long writesBefore = api.writes();
    log("policies at rest: counting for " + scale.policyWindow().toSeconds() + " s");
    Thread.sleep(scale.policyWindow().toMillis());
    double perPolicyHour = 3600.0 / scale.policyWindow().toSeconds() / scale.policies();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("policies", scale.policies());
    m.put("checkIntervalSeconds", checkInterval.toSeconds());
    m.put("windowSeconds", scale.policyWindow().toSeconds());
    m.put("konnectReadsPerPolicyHour", round((webhookStatusReads(konnect) - readsBefore) * perPolicyHour));
    m.put("apiWritesPerPolicyHour", round((api.writes() - writesBefore) * perPolicyHour));
    m.put("expectedReadsPerPolicyHour", 3600 / checkInterval.toSeconds());
    return m;
  }

  private static long webhookStatusReads(KonnectEmulator konnect) {
    return konnect.requests().stream()
        .filter(r -> r.kind() == io.konnectreplay.operator.emulator.EndpointKind.WEBHOOK_STATUS_GET).count();
  }

  private static Map<String, Object> baselineFigures(ScenarioRun run, CountingDispatcher api, String namespace) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("requests", run.count());
    m.put("allTerminal", run.allTerminal());
    m.put("creatingSeconds", seconds(run.creating()));
    m.put("completionSeconds", seconds(run.completion()));
    m.put("statusWritesPerRequest", perRequest(api.count("PUT", namespace, "auditlogreplayjobs/status"),
        run.count()));
    return m;
  }

  private OperatorHandle launch(BenchOperator.Mode mode, EmbeddedKubernetes k8s, Map<String, String> settings,
      String name) {
    return options.childJvm()
        ? OperatorHandle.child(mode, k8s.url(), settings, options.jvmOptions(),
            options.logDirectory().resolve(name + ".log"))
        : OperatorHandle.inProcess(mode, k8s.url(), settings);
  }

  private Map<String, Object> scenario(ScenarioRun run, ScenarioRun baseline, KonnectEmulator konnect,
      CountingDispatcher api, String namespace, Set<String> portals, boolean latency) {
    int n = run.count();
    List<RecordedRequest> calls = konnect.requestLog().matching(r -> !r.external() && portals.contains(r.portalId()));
    Map<EndpointKind, Long> byKind = calls.stream()
        .collect(Collectors.groupingBy(RecordedRequest::kind, Collectors.counting()));
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("requests", n);
    s.put("allTerminal", run.allTerminal());
    s.put("terminal", run.terminalNanos().size());
    s.put("failed", run.failed().size());
    s.put("creatingSeconds", seconds(run.creating()));
    if (latency) s.put("creationToPutMs", creationToPut(run, calls));
    s.put("completionSeconds", seconds(run.completion()));
    s.put("baselineSeconds", seconds(baseline.completion()));
    s.put("ratioToBaseline", round(run.completion().toNanos() / (double) Math.max(1, baseline.completion().toNanos())));
    Map<String, Object> k = new LinkedHashMap<>();
    k.put("put", perRequest(byKind.getOrDefault(EndpointKind.REPLAY_JOB_PUT, 0L), n));
    k.put("jobGet", perRequest(byKind.getOrDefault(EndpointKind.REPLAY_JOB_GET, 0L), n));
    k.put("webhookGet", perRequest(byKind.getOrDefault(EndpointKind.WEBHOOK_GET, 0L), n));
    k.put("webhookStatusGet", perRequest(byKind.getOrDefault(EndpointKind.WEBHOOK_STATUS_GET, 0L), n));
    k.put("other", perRequest(calls.size() - byKind.getOrDefault(EndpointKind.REPLAY_JOB_PUT, 0L)
        - byKind.getOrDefault(EndpointKind.REPLAY_JOB_GET, 0L) - byKind.getOrDefault(EndpointKind.WEBHOOK_GET, 0L)
        - byKind.getOrDefault(EndpointKind.WEBHOOK_STATUS_GET, 0L), n));
    k.put("total", perRequest(calls.size(), n));
    k.put("ratioToMinimum", round(calls.size() / (2.0 * n)));
    k.put("non2xx", calls.stream().filter(r -> r.status() < 200 || r.status() > 299).count());
    s.put("konnectPerRequest", k);
    s.put("statusWritesPerRequest", perRequest(api.count("PUT", namespace, "auditlogreplayjobs/status"), n));
    s.put("apiWritesPerRequest", perRequest(api.writesBesidesCreates(namespace), n));
    return s;
  }

  /** Client side: when the create returned; Konnect side: when the emulator received the portal's first PUT. */
  private static Map<String, Object> creationToPut(ScenarioRun run, List<RecordedRequest> calls) {
    Map<String, Long> firstPut = new HashMap<>();
    for (RecordedRequest r : calls) {
      if (r.kind() == EndpointKind.REPLAY_JOB_PUT) firstPut.merge(r.portalId(), r.nanoTime(), Math::min);
    }
    List<Long> nanos = new ArrayList<>();
    run.createdNanos().forEach((name, created) -> {
      Long put = firstPut.get(portalOf(name));
      if (put != null) nanos.add(put - created);
    });
    nanos.sort(null);
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("samples", nanos.size());
    m.put("p50", millis(percentile(nanos, 50)));
    m.put("p99", millis(percentile(nanos, 99)));
    m.put("max", millis(nanos.isEmpty() ? 0 : nanos.get(nanos.size() - 1)));
    return m;
  }

  /** Nearest rank. */
  static long percentile(List<Long> sorted, int p) {
    if (sorted.isEmpty()) return 0;
    int rank = (int) Math.ceil(p / 100.0 * sorted.size());
    return sorted.get(Math.max(0, Math.min(sorted.size(), rank) - 1));
  }

  private static Map<String, Object> startup(OperatorHandle operator, int resources) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("resources", resources);
    m.put("launchToReadyMs", millis(operator.startup().launchToReadyNanos()));
    m.put("startToReadyMs", millis(operator.startup().startToReadyNanos()));
    return m;
  }

  // Resource names carry the portal, so the latency can pair a create with its PUT.
  private List<AuditLogReplayJob> spreadJobs(List<String> portals) {
    List<AuditLogReplayJob> jobs = new ArrayList<>();
    for (String portal : portals) jobs.add(job("spread", "replay-" + portal, portal));
    return jobs;
  }

  private List<AuditLogReplayJob> queuedJobs(List<String> portals) {
    List<AuditLogReplayJob> jobs = new ArrayList<>();
    for (int i = 0; i < scale.queued(); i++) {
      String portal = portals.get(i % portals.size());
      jobs.add(job("queued", String.format("replay-%04d-%s", i, portal), portal));
    }
    return jobs;
  }

  private static String portalOf(String name) { return name.substring(name.length() - 36); }

  private AuditLogReplayJob job(String namespace, String name, String portal) {
    AuditLogReplayJob job = new AuditLogReplayJob();
    job.setMetadata(new ObjectMetaBuilder().withNamespace(namespace).withName(name).build());
    AuditLogReplayJobSpec spec = new AuditLogReplayJobSpec();
    spec.setRegion(REGION);
    spec.setPortalID(portal);
    spec.setWindow(ReplayWindow.absolute(windowStart.toString(), windowEnd.toString()));
    spec.setKonnect(new KonnectSettings(new SecretKeyRef(SECRET, null), null));
    job.setSpec(spec);
    return job;
  }

  /**
   * Copies of the spread's completed resources, same spec and the status the operator wrote, into namespace "rest":
   * exactly what the operator would have left behind, without running thousands more replays first.
   */
  private void createCompleted(KubernetesClient client, int count) throws Exception {
    List<AuditLogReplayJob> templates = client.resources(AuditLogReplayJob.class).inNamespace("spread").list()
        .getItems();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        AuditLogReplayJob template = templates.get(i % templates.size());
        String name = String.format("rest-%05d-%s", i, template.getSpec().getPortalID());
        done.add(pool.submit(() -> {
          AuditLogReplayJob job = job("rest", name, template.getSpec().getPortalID());
          job.setSpec(template.getSpec());
          AuditLogReplayJob created = client.resources(AuditLogReplayJob.class).inNamespace("rest").resource(job)
              .create();
          created.setStatus(template.getStatus());
          client.resources(AuditLogReplayJob.class).inNamespace("rest").resource(created).updateStatus();
        }));
      }
      for (Future<?> f : done) f.get();
    } finally {
      pool.shutdownNow();
    }
  }

  private static void secret(KubernetesClient client, String namespace) {
    client.secrets().inNamespace(namespace).resource(new SecretBuilder().withNewMetadata().withName(SECRET)
        .withNamespace(namespace).addToLabels(TokenLookup.CREDENTIAL_LABEL, TokenLookup.CREDENTIAL_LABEL_VALUE)
        .endMetadata().withData(Map.of("token",
            Base64.getEncoder().encodeToString(TOKEN.getBytes(StandardCharsets.UTF_8)))).build()).create();
  }

  private static List<String> portals(int n) {
    List<String> portals = new ArrayList<>();
    for (int i = 0; i < n; i++) portals.add(UUID.randomUUID().toString());
    return portals;
  }

  private static <T> List<T> concat(List<T> a, List<T> b) {
    List<T> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }

  private Map<String, Object> machine() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("cores", Runtime.getRuntime().availableProcessors());
    m.put("memoryMiB", totalMemoryMiB());
    m.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
    m.put("scale", scale.name());
    m.put("operatorJvm", options.childJvm() ? "child JVM " + String.join(" ", options.jvmOptions()) : "in-process");
    return m;
  }

  private static long totalMemoryMiB() {
    try {
      for (String line : java.nio.file.Files.readAllLines(Path.of("/proc/meminfo"))) {
        if (line.startsWith("MemTotal:")) return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
      }
    } catch (java.io.IOException | NumberFormatException e) {
      return -1;
    }
    return -1;
  }

  static double perRequest(long count, int requests) { return round(count / (double) Math.max(1, requests)); }

  static double seconds(Duration d) { return round(d.toNanos() / 1e9); }

  static double millis(long nanos) { return round(nanos / 1e6); }

  static double mib(long bytes) { return bytes < 0 ? -1 : round(bytes / (1024.0 * 1024.0)); }

  static double round(double v) { return Math.round(v * 1000) / 1000.0; }

  private static void log(String message) { System.out.println("[bench] " + message); }
}
