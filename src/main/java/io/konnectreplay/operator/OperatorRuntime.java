package io.konnectreplay.operator;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfigurationBuilder;
import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import io.konnectreplay.operator.api.v1alpha1.AuditLogReplayJob;
import io.konnectreplay.operator.config.OperatorSettings;
import io.javaoperatorsdk.operator.monitoring.micrometer.MicrometerMetrics;
import io.konnectreplay.operator.http.ReplayMetrics;
import io.konnectreplay.operator.konnect.KonnectClient;
import io.konnectreplay.operator.konnect.OkHttpKonnectClient;
import io.konnectreplay.operator.reconciler.AuditLogReplayJobReconciler;
import io.konnectreplay.operator.reconciler.AuditLogReplayPolicyReconciler;
import io.konnectreplay.operator.reconciler.PolicyObserver;
import io.konnectreplay.operator.reconciler.ReplayObserver;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The operator wired from its settings: controllers for AuditLogReplayJob and AuditLogReplayPolicy on a JOSDK {@link Operator}. */
public final class OperatorRuntime implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(OperatorRuntime.class);

  private final Operator operator;
  private final AuditLogReplayJobReconciler reconciler;
  private final AtomicBoolean closing;
  private final Parts parts;

  private OperatorRuntime(Operator operator, AuditLogReplayJobReconciler reconciler, AtomicBoolean closing,
      Parts parts) {
    this.operator = operator;
    this.reconciler = reconciler;
    this.closing = closing;
    this.parts = parts;
  }

  /**
   * The operator as {@code run} starts it, and as the sandbox, the benchmark and the tests do: a Konnect client
   * (okhttp, with the settings' request budget) reporting to Prometheus metrics, JOSDK's metrics in the same registry,
   * and the phase and queue gauges reading the informer cache. Closing the runtime closes the client.
   *
   * @param konnect adjusts the Konnect client (timeouts in tests); the identity for the default
   */
  public static OperatorRuntime wired(OperatorSettings settings, KubernetesClient kubernetes, Clock clock,
      java.util.function.UnaryOperator<OkHttpKonnectClient.Builder> konnect, boolean exitOnLostLease) {
    ReplayMetrics metrics = new ReplayMetrics(clock);
    OkHttpKonnectClient client = konnect.apply(OkHttpKonnectClient.builder().clock(clock)
        .maxRequestsPerSecond(settings.maxRequestsPerSecond()).observer(metrics)).build();
    try {
      OperatorRuntime runtime = start(new Parts(settings, kubernetes, client, clock,
          MicrometerMetrics.withoutPerResourceMetrics(metrics.registry()), metrics, exitOnLostLease));
      metrics.source(runtime.reconciler()::cachedJobs, runtime.reconciler()::targetKey);
      metrics.policySource(runtime.policies()::cachedPolicies);
      runtime.owned = new Owned(client, metrics);
      return runtime;
    } catch (RuntimeException e) {
      client.close();
      throw e;
    }
  }

  /** What {@link #wired} created and the runtime closes. */
  private record Owned(OkHttpKonnectClient konnect, ReplayMetrics metrics) {}

  private volatile Owned owned;

  /** The metrics of a {@link #wired} runtime. */
  public ReplayMetrics metrics() {
    if (owned == null) throw new IllegalStateException("not a wired runtime");
    return owned.metrics();
  }

  /** The Konnect client of a {@link #wired} runtime. */
  public OkHttpKonnectClient konnect() {
    if (owned == null) throw new IllegalStateException("not a wired runtime");
    return owned.konnect();
  }

  /**
   * The operator's Kubernetes client settings over a base (the kubeconfig or in-cluster config). fabric8 retries a
   * request answered 429 or 5xx, or failed by I/O, with exponential backoff that honours Retry-After; its default (10
   * retries) can hold a reconcile thread for minutes. Here: 6 retries from 250 ms (at most 8 s apart, ~16 s in all),
   * then the error reaches the reconcile, which JOSDK retries (see {@link #RETRY}). Watches reconnect on their own
   * with backoff (the informer lists again when its version is gone).
   */
  public static io.fabric8.kubernetes.client.Config apiClientConfig(io.fabric8.kubernetes.client.Config base) {
    return new io.fabric8.kubernetes.client.ConfigBuilder(base).withRequestRetryBackoffLimit(6)
        .withRequestRetryBackoffInterval(250).build();
  }

  /**
   * JOSDK's retry of a reconcile that threw (an API error the client's own retries did not ride out): from 1 s,
   * doubling, at most 30 s apart, and never given up — JOSDK's default gives up after 5 attempts, which would leave
   * a request untouched until its next event once the API is back. A conflict (409) never gets here: the reconciler
   * reschedules it itself.
   */
  public static final io.javaoperatorsdk.operator.processing.retry.GenericRetry RETRY =
      new io.javaoperatorsdk.operator.processing.retry.GenericRetry().setInitialInterval(1000)
          .setIntervalMultiplier(2).setMaxInterval(30_000).withoutMaxAttempts();

  /** Everything the runtime needs from outside; tests and the sandbox swap the parts. */
  public record Parts(OperatorSettings settings, KubernetesClient kubernetes, KonnectClient konnect, Clock clock,
      Metrics metrics, ReplayObserver observer, boolean exitOnLostLease) {}

  private volatile AuditLogReplayPolicyReconciler policies;

  /** The controller of AuditLogReplayPolicy. */
  public AuditLogReplayPolicyReconciler policies() { return policies; }

  public static OperatorRuntime start(Parts parts) {
    OperatorSettings settings = parts.settings();
    AtomicBoolean closing = new AtomicBoolean();
    AtomicBoolean leading = new AtomicBoolean(!settings.leaderElection());
    ReplayObserver observer = parts.observer() == null ? ReplayObserver.NONE : parts.observer();
    Operator operator = new Operator(o -> {
      o.withKubernetesClient(parts.kubernetes())
          .withCloseClientOnStop(false)
          // Status is written by replace with optimistic locking; SSA is not needed (and the mock rejects it).
          .withUseSSAToPatchPrimaryResource(false)
          .checkingCRDAndValidateLocalModel(false)
          // Copies keep what could not be read of a resource, so the reconcilers can report it (see LenientlyRead).
          .withResourceCloner(new io.javaoperatorsdk.operator.api.config.Cloner() {
            @Override
            public <R extends io.fabric8.kubernetes.api.model.HasMetadata> R clone(R resource) {
              return io.konnectreplay.operator.api.v1alpha1.LenientlyRead.copy(parts.kubernetes().getKubernetesSerialization(), resource);
            }
          })
          .withConcurrentReconciliationThreads(settings.reconcileThreads())
          .withReconciliationTerminationTimeout(settings.terminationTimeout());
      if (parts.metrics() != null) o.withMetrics(parts.metrics());
      if (settings.leaderElection()) {
        o.withLeaderElectionConfiguration(LeaderElectionConfigurationBuilder
            .aLeaderElectionConfiguration(settings.leaseName())
            .withLeaseNamespace(settings.leaderElectionNamespace())
            .withIdentity(settings.identity())
            .withLeaseDuration(settings.leaseDuration())
            .withRenewDeadline(settings.renewDeadline())
            .withRetryPeriod(settings.retryPeriod())
            // Not JOSDK's exit: it calls System.exit from the elector's thread, also while the operator is being
            // stopped by a shutdown hook, which deadlocks the JVM on SIGTERM. Exit only on a lease really lost.
            .withExitOnStopLeading(false)
            .withLeaderCallbacks(new LeaderCallbacks(() -> {
              leading.set(true);
              observer.leading(true);
            }, () -> {
              leading.set(false); // first: nothing more is sent once the renew deadline has passed
              observer.leading(false);
              lostLease(parts.exitOnLostLease(), closing);
            }, id -> { }))
            .build());
      }
    });
    AuditLogReplayJobReconciler reconciler = new AuditLogReplayJobReconciler(settings, parts.kubernetes(), parts.konnect(),
        parts.clock(), observer);
    LeaseFence fence = settings.leaderElection() ? LeaseFence.of(parts.kubernetes()) : null;
    java.util.function.Supplier<AuditLogReplayJobReconciler.Leadership> leadership = () -> !leading.get() ? AuditLogReplayJobReconciler.Leadership.NOT_LEADING
        : fence == null || fence.renewedWithin(settings.renewDeadline()) ? AuditLogReplayJobReconciler.Leadership.LEADING
        : AuditLogReplayJobReconciler.Leadership.UNCONFIRMED;
    reconciler.leadership(leadership);
    register(operator, settings, reconciler, reconciler::acceptEvent);
    AuditLogReplayPolicyReconciler policies = new AuditLogReplayPolicyReconciler(settings, parts.kubernetes(),
        parts.konnect(), parts.clock(), observer instanceof PolicyObserver p ? p : PolicyObserver.NONE);
    register(operator, settings, policies, policies::acceptEvent);
    operator.start();
    if (!settings.leaderElection()) observer.leading(true);
    OperatorRuntime runtime = new OperatorRuntime(operator, reconciler, closing, parts);
    runtime.policies = policies;
    runtime.leadership = leadership;
    return runtime;
  }

  /** Registers a controller the way both are: the watched namespaces and label selector, its event filter, RETRY. */
  private static <P extends io.fabric8.kubernetes.api.model.HasMetadata> void register(Operator operator,
      OperatorSettings settings, io.javaoperatorsdk.operator.api.reconciler.Reconciler<P> reconciler,
      io.javaoperatorsdk.operator.processing.event.source.filter.GenericFilter<P> filter) {
    operator.register(reconciler, c -> {
      if (settings.watchNamespaces().isEmpty()) c.watchingAllNamespaces();
      else c.settingNamespaces(settings.watchNamespaces());
      if (!settings.watchLabelSelector().isEmpty()) c.withLabelSelector(settings.watchLabelSelector());
      c.withGenericFilter(filter);
      c.withRetry(RETRY);
    });
  }

  /**
   * Leadership ended. When this process is being stopped that is expected (the Lease is released for the next
   * leader); otherwise the Lease was lost while running, and the process exits so that it cannot reconcile next to
   * the new leader — from a thread of its own, so that the shutdown hooks can stop the elector.
   */
  private static void lostLease(boolean exit, AtomicBoolean closing) {
    if (closing.get()) return;
    LOG.error("lost the leader election Lease{}", exit ? "; exiting, to rejoin as a standby after a restart" : "");
    if (exit) new Thread(() -> System.exit(1), "lost-lease-exit").start();
  }

  /** Started, with every informer healthy. A standby replica (not leading) is ready too. */
  public boolean ready() {
    return operator.getRuntimeInfo().isStarted() && operator.getRuntimeInfo().allEventSourcesAreHealthy();
  }

  public boolean started() { return operator.getRuntimeInfo().isStarted(); }

  private volatile java.util.function.Supplier<AuditLogReplayJobReconciler.Leadership> leadership;

  /** Whether this process may act now (see {@link LeaseFence}). */
  public AuditLogReplayJobReconciler.Leadership leadership() { return leadership.get(); }

  public AuditLogReplayJobReconciler reconciler() { return reconciler; }

  @Override
  public void close() {
    closing.set(true);
    operator.stop();
    if (parts.settings().leaderElection()) releaseLease();
    if (owned != null) owned.konnect().close();
  }

  /**
   * Hands the Lease back if this process still holds it, as client-go's ReleaseOnCancel does: a standby takes over
   * at its next retry instead of waiting for the lease to expire. Optimistic (resourceVersion), so a Lease that has
   * already moved on is left alone.
   */
  private void releaseLease() {
    OperatorSettings settings = parts.settings();
    var leases = parts.kubernetes().leases().inNamespace(settings.leaderElectionNamespace());
    try {
      Lease current = leases.withName(settings.leaseName()).get();
      if (current == null || current.getSpec() == null
          || !settings.identity().equals(current.getSpec().getHolderIdentity())) {
        return;
      }
      current.getSpec().setHolderIdentity("");
      current.getSpec().setLeaseDurationSeconds(1);
      current.getSpec().setRenewTime(java.time.ZonedDateTime.now(parts.clock()));
      leases.resource(current).update();
      LOG.info("released the leader election Lease {}/{}", settings.leaderElectionNamespace(), settings.leaseName());
    } catch (KubernetesClientException e) {
      LOG.warn("could not release the leader election Lease (a standby takes over when it expires): {}",
          e.getMessage());
    }
  }
}
