package io.konnectreplay.operator.reconciler;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.konnectreplay.operator.api.v1alpha1.AuditLogReplayJob;
import io.konnectreplay.operator.api.v1alpha1.AuditLogReplayJobStatus;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Writes status by replace (PUT …/status) carrying the resourceVersion read, so a stale cache fails with a conflict
 * instead of overwriting newer state; and only when the status differs from the current one.
 */
public final class StatusWriter {
  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

  private final KubernetesClient client;
  private final AtomicLong writes = new AtomicLong();

  public StatusWriter(KubernetesClient client) { this.client = client; }

  public static boolean same(AuditLogReplayJobStatus a, AuditLogReplayJobStatus b) {
    JsonNode left = SERIALIZATION.convertValue(a == null ? new AuditLogReplayJobStatus() : a, JsonNode.class);
    JsonNode right = SERIALIZATION.convertValue(b == null ? new AuditLogReplayJobStatus() : b, JsonNode.class);
    return left.equals(right);
  }

  /** Returns the resource as stored after the write, or {@code current} when nothing changed. */
  public AuditLogReplayJob write(AuditLogReplayJob current, AuditLogReplayJobStatus status) {
    if (same(current.getStatus(), status)) return current;
    AuditLogReplayJob copy = SERIALIZATION.clone(current);
    copy.setStatus(status);
    AuditLogReplayJob stored = client.resources(AuditLogReplayJob.class)
        .inNamespace(current.getMetadata().getNamespace()).resource(copy).updateStatus();
    writes.incrementAndGet();
    return stored;
  }

  /** Status writes made by this process. */
  public long writes() { return writes.get(); }
}
