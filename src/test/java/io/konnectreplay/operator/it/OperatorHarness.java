package io.konnectreplay.operator.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.konnectreplay.operator.OperatorRuntime;
import io.konnectreplay.operator.TestJobs;
import io.konnectreplay.operator.api.v1alpha1.AuditLogReplayJob;
import io.konnectreplay.operator.api.v1alpha1.AuditLogReplayPolicy;
import io.konnectreplay.operator.config.OperatorSettings;
import io.konnectreplay.operator.emulator.KonnectEmulator;
import io.konnectreplay.operator.http.OperatorHttpServer;
import io.konnectreplay.operator.http.ReplayMetrics;
import io.konnectreplay.operator.konnect.OkHttpKonnectClient;
import io.konnectreplay.operator.reconciler.TokenLookup;
import io.konnectreplay.operator.sandbox.EmbeddedKubernetes;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The real operator (JOSDK) against the embedded Kubernetes API (fabric8's CRUD mock behind the sandbox's API-server
 * rules: CRD admission with 422s, the status subresource, patches and server-side apply) and the Konnect emulator,
 * both over HTTP on 127.0.0.1. One harness per test class; {@link #restartOperator()} simulates a crash and restart.
 */
public final class OperatorHarness implements AutoCloseable {
  public static final String NAMESPACE = "platform";
  public static final String TOKEN = "kpat_IntegrationTestToken0123456789abcdef";

  private final EmbeddedKubernetes kubernetes;
  private final KonnectEmulator konnect;
  private final Map<String, String> settings;
  private final RecordingDispatcher dispatcher = new RecordingDispatcher();
  private final List<Instance> running = new java.util.ArrayList<>();
  private int started;
  private final boolean faulty;

  /** One operator process: its runtime and its own Konnect client (with its own 429 pauses and budget). */
  public record Instance(String identity, OperatorRuntime runtime, OkHttpKonnectClient konnect,
      ReplayMetrics metrics, OperatorHttpServer http) {
    void stop() {
      runtime.close(); // closes its Konnect client
      if (http != null) http.close();
    }
  }

  public OperatorHarness(KonnectEmulator konnect, Map<String, String> extraSettings) {
    this(konnect, extraSettings, null);
  }

  /**
   * The common setup: an emulator whose replay jobs stay {@code state} in each state and deliver nothing (a
   * {@link ScriptedDelivery}), one operator with the default settings, and the token Secret {@code konnect-token}.
   */
  public static OperatorHarness scripted(Duration state) {
    KonnectEmulator konnect = KonnectEmulator.builder().token(TOKEN).timings(
        new io.konnectreplay.operator.emulator.JobTimings(state, state, state)).delivery(new ScriptedDelivery()).start();
    OperatorHarness harness = new OperatorHarness(konnect, Map.of());
    harness.secret("konnect-token", TOKEN);
    return harness;
  }

  /**
   * With {@code faults}, every operator's API client comes through the embedded API's fault layer (configured as the
   * operator configures its own client); the test's {@link #client()} still talks to the API directly.
   */
  public OperatorHarness(KonnectEmulator konnect, Map<String, String> extraSettings,
      io.konnectreplay.operator.sandbox.ApiFaults faults) {
    this.konnect = konnect;
    this.kubernetes = EmbeddedKubernetes.start(0, dispatcher);
    this.faulty = faults != null;
    if (faulty) kubernetes.faultLayer(faults);
    kubernetes.createNamespace(NAMESPACE);
    Map<String, String> s = new HashMap<>(Map.of(
        "KONNECT_SERVER_URL_TEMPLATE", konnect.baseUrl() + "/{region}",
        "KONNECT_ALLOWED_SERVER_URLS", "http://127.0.0.1:*",
        "POLL_INTERVAL_MAX", "1s",
        "RECONCILE_THREADS", "4",
        "TERMINATION_TIMEOUT", "2s",
        "POD_NAME", "operator-under-test"));
    s.putAll(extraSettings);
    this.settings = s;
    startOperator();
  }

  /** Starts one more operator instance (with leader election on, it stands by until it leads). */
  public synchronized Instance startOperator() {
    String identity = "operator-" + (++started);
    Map<String, String> own = new HashMap<>(settings);
    own.put("POD_NAME", identity);
    // Wired as Main wires it: Prometheus metrics from both observers, and the HTTP endpoints on a free port.
    OperatorRuntime runtime = OperatorRuntime.wired(OperatorSettings.defaults(own),
        faulty ? kubernetes.newFaultyClient() : kubernetes.newClient(),
        Clock.systemUTC(), b -> b.maxRequestsPerSecond(50).readTimeout(Duration.ofSeconds(2))
            .callTimeout(Duration.ofSeconds(5)), false);
    OkHttpKonnectClient client = runtime.konnect();
    ReplayMetrics metrics = runtime.metrics();
    OperatorHttpServer http;
    try {
      http = OperatorHttpServer.start("127.0.0.1", 0, () -> true, runtime::ready, metrics::scrape);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    Instance instance = new Instance(identity, runtime, client, metrics, http);
    running.add(instance);
    return instance;
  }

  public synchronized void stop(Instance instance) {
    running.remove(instance);
    instance.stop();
  }

  /** Stops every instance. */
  public synchronized void stopOperator() {
    for (Instance i : List.copyOf(running)) stop(i);
  }

  public void restartOperator() {
    stopOperator();
    startOperator();
  }

  public synchronized List<Instance> instances() { return List.copyOf(running); }

  RecordingDispatcher api() { return dispatcher; }

  public KubernetesClient client() { return kubernetes.client(); }

  public KonnectEmulator konnect() { return konnect; }


  public EmbeddedKubernetes kubernetes() { return kubernetes; }

  /**
   * Replaces a CRD's schema with none at all (anything is admitted), keeping the status subresource: the CRD as
   * another version might have it, so that a resource this operator cannot read can be stored.
   */
  public void installCrdWithoutSchema(String crdName) {
    var crds = client().apiextensions().v1().customResourceDefinitions();
    var crd = crds.withName(crdName).get();
    crd.getSpec().getVersions().get(0).getSchema().setOpenAPIV3Schema(
        new io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaPropsBuilder().withType("object")
            .withXKubernetesPreserveUnknownFields(true).build());
    crds.resource(crd).update();
  }

  /** Resources of one of the operator's kinds in {@link #NAMESPACE}, as raw JSON (any shape the API admits). */
  public io.fabric8.kubernetes.client.dsl.NonNamespaceOperation<io.fabric8.kubernetes.api.model.GenericKubernetesResource,
      io.fabric8.kubernetes.api.model.GenericKubernetesResourceList,
      io.fabric8.kubernetes.client.dsl.Resource<io.fabric8.kubernetes.api.model.GenericKubernetesResource>> raw(
          String kind) {
    return client().genericKubernetesResources(io.konnectreplay.operator.api.v1alpha1.AuditLogReplayJob.GROUP + "/"
        + io.konnectreplay.operator.api.v1alpha1.AuditLogReplayJob.VERSION, kind).inNamespace(NAMESPACE);
  }

  /** A new Dev Portal in region us whose webhook is enabled (it points nowhere; deliveries are the test's). */
  public String newPortal() {
    String portal = java.util.UUID.randomUUID().toString();
    konnect.addPortal("us", portal);
    konnect.configurePortalWebhook("us", portal, "http://127.0.0.1:9/hook", "Bearer siem", "json", true);
    return portal;
  }

  /** Creates or replaces a token Secret with the label the operator's Secret informer selects. */
  public void secret(String name, String token) {
    secret(name, token, Map.of(TokenLookup.CREDENTIAL_LABEL, TokenLookup.CREDENTIAL_LABEL_VALUE));
  }

  /** Creates or replaces a token Secret with these labels (none: the operator does not cache it). */
  public void secret(String name, String token, Map<String, String> labels) {
    Secret secret = new SecretBuilder().withNewMetadata().withName(name).withNamespace(NAMESPACE)
        .withLabels(labels).endMetadata()
        .withData(Map.of("token", Base64.getEncoder().encodeToString(token.getBytes(StandardCharsets.UTF_8))))
        .build();
    client().secrets().inNamespace(NAMESPACE).resource(secret).createOr(c -> c.update());
  }

  public AuditLogReplayJob create(TestJobs job) {
    return client().resources(AuditLogReplayJob.class).inNamespace(NAMESPACE).resource(job.build()).create();
  }

  public AuditLogReplayJob get(String name) {
    return client().resources(AuditLogReplayJob.class).inNamespace(NAMESPACE).withName(name).get();
  }

  public Optional<Condition> condition(String name, String type) {
    AuditLogReplayJob job = get(name);
    if (job == null || job.getStatus() == null || job.getStatus().getConditions() == null) return Optional.empty();
    return job.getStatus().getConditions().stream().filter(c -> type.equals(c.getType())).findFirst();
  }

  public AuditLogReplayPolicy policy(String name) {
    return client().resources(AuditLogReplayPolicy.class).inNamespace(NAMESPACE).withName(name).get();
  }

  public Optional<Condition> policyCondition(String name, String type) {
    AuditLogReplayPolicy p = policy(name);
    if (p == null || p.getStatus() == null || p.getStatus().getConditions() == null) return Optional.empty();
    return p.getStatus().getConditions().stream().filter(c -> type.equals(c.getType())).findFirst();
  }

  /** Waits (30 s at most) until the policy's condition has the status and reason. */
  public void awaitPolicyCondition(String name, String type, String status, String reason) {
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(policyCondition(name, type)).as(name)
        .hasValueSatisfying(c -> {
          assertThat(c.getStatus()).isEqualTo(status);
          assertThat(c.getReason()).isEqualTo(reason);
        }));
  }

  /** Waits until the condition has the status and reason. */
  public AuditLogReplayJob awaitCondition(String name, String type, String status, String reason, Duration atMost) {
    await().atMost(atMost).pollInterval(Duration.ofMillis(100)).until(() -> condition(name, type)
        .filter(c -> status.equals(c.getStatus()) && reason.equals(c.getReason())).isPresent());
    return get(name);
  }

  public AuditLogReplayJob awaitCondition(String name, String type, String status, String reason) {
    return awaitCondition(name, type, status, reason, Duration.ofSeconds(30));
  }

  /** The reasons of the Events recorded for a resource, oldest first. */
  public List<String> eventReasons(String name) {
    return events(name).stream().map(Event::getReason).toList();
  }

  public List<Event> events(String name) {
    return client().v1().events().inNamespace(NAMESPACE).list().getItems().stream()
        .filter(e -> name.equals(e.getInvolvedObject().getName()))
        .sorted(Comparator.comparing(Event::getFirstTimestamp).thenComparing(e -> e.getMetadata().getName()))
        .toList();
  }

  @Override
  public void close() {
    stopOperator();
    kubernetes.close();
    konnect.close();
  }
}
