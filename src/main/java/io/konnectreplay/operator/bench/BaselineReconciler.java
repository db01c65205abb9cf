package io.konnectreplay.operator.bench;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.konnectreplay.operator.api.v1alpha1.AuditLogReplayJob;
import io.konnectreplay.operator.api.v1alpha1.AuditLogReplayJobStatus;
import io.konnectreplay.operator.api.v1alpha1.Phase;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The framework's own limit: a reconciler that does no work but writes one terminal status per resource, by replace,
 * as the operator does. Same CR type, same JOSDK settings, same mock API.
 */
@ControllerConfiguration(name = "bench-baseline")
final class BaselineReconciler implements Reconciler<AuditLogReplayJob> {
  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

  private final KubernetesClient client;
  private final AtomicLong writes = new AtomicLong();

  BaselineReconciler(KubernetesClient client) { this.client = client; }

  @Override
  public UpdateControl<AuditLogReplayJob> reconcile(AuditLogReplayJob job, Context<AuditLogReplayJob> context) {
    if (job.getStatus() != null && job.getStatus().getPhase() != null && job.getStatus().getPhase().terminal()) {
      return UpdateControl.noUpdate();
    }
    AuditLogReplayJob copy = SERIALIZATION.clone(job);
    AuditLogReplayJobStatus status = new AuditLogReplayJobStatus();
    status.setPhase(Phase.Completed);
    status.setObservedGeneration(job.getMetadata().getGeneration());
    copy.setStatus(status);
    client.resources(AuditLogReplayJob.class).inNamespace(job.getMetadata().getNamespace()).resource(copy)
        .updateStatus();
    writes.incrementAndGet();
    return UpdateControl.noUpdate();
  }

  long writes() { return writes.get(); }
}
