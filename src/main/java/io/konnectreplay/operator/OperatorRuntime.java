package io.konnectreplay.operator;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfigurationBuilder;
import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import io.konnectreplay.operator.config.OperatorSettings;
import io.konnectreplay.operator.konnect.KonnectClient;
import io.konnectreplay.operator.reconciler.AuditLogReplayJobReconciler;
import io.konnectreplay.operator.reconciler.ReplayObserver;
import java.time.Clock;

/** The operator wired from its settings: one controller for AuditLogReplayJob on a JOSDK {@link Operator}. */
public final class OperatorRuntime implements AutoCloseable {

  private final Operator operator;
  private final AuditLogReplayJobReconciler reconciler;

  private OperatorRuntime(Operator operator, AuditLogReplayJobReconciler reconciler) {
    this.operator = operator;
    this.reconciler = reconciler;
  }

  /** Everything the runtime needs from outside; tests and the sandbox swap the parts. */
  public record Parts(OperatorSettings settings, KubernetesClient kubernetes, KonnectClient konnect, Clock clock,
      Metrics metrics, ReplayObserver observer, boolean exitOnLostLease) {}

  public static OperatorRuntime start(Parts parts) {
    OperatorSettings settings = parts.settings();
    Operator operator = new Operator(o -> {
      o.withKubernetesClient(parts.kubernetes())
          .withCloseClientOnStop(false)
          // Status is written by replace with optimistic locking; SSA is not needed (and the mock rejects it).
          .withUseSSAToPatchPrimaryResource(false)
          .checkingCRDAndValidateLocalModel(false)
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
            .withExitOnStopLeading(parts.exitOnLostLease())
            .build());
      }
    });
    AuditLogReplayJobReconciler reconciler = new AuditLogReplayJobReconciler(settings, parts.konnect(),
        parts.clock(), parts.observer() == null ? ReplayObserver.NONE : parts.observer());
    operator.register(reconciler, c -> {
      if (settings.watchNamespaces().isEmpty()) c.watchingAllNamespaces();
      else c.settingNamespaces(settings.watchNamespaces());
      if (!settings.watchLabelSelector().isEmpty()) c.withLabelSelector(settings.watchLabelSelector());
      c.withGenericFilter(reconciler::acceptEvent);
    });
    operator.start();
    return new OperatorRuntime(operator, reconciler);
  }

  /** Started, with every informer healthy. A standby replica (not leading) is ready too. */
  public boolean ready() {
    return operator.getRuntimeInfo().isStarted() && operator.getRuntimeInfo().allEventSourcesAreHealthy();
  }

  public boolean started() { return operator.getRuntimeInfo().isStarted(); }

  public AuditLogReplayJobReconciler reconciler() { return reconciler; }

  @Override
  public void close() { operator.stop(); }
}
