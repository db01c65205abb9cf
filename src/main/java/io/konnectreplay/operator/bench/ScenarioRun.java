package io.konnectreplay.operator.bench;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.konnectreplay.operator.api.v1alpha1.AuditLogReplayJob;
import io.konnectreplay.operator.api.v1alpha1.Phase;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One batch of requests: created one after the other (as a script or a GitOps sync would), then watched until each
 * reaches a terminal phase. Times are {@link System#nanoTime()} on this side.
 *
 * @param startNanos just before the first create call
 * @param createdNanos per resource name, when its create call returned
 * @param terminalNanos per resource name, when the watch first showed it Completed or Failed
 */
record ScenarioRun(int count, long startNanos, long createsDoneNanos, Map<String, Long> createdNanos,
    Map<String, Long> terminalNanos, Set<String> failed) {

  boolean allTerminal() { return terminalNanos.size() == count; }

  /** From the first create until the last request was seen terminal (or until now, when some never were). */
  Duration completion() {
    long last = terminalNanos.values().stream().mapToLong(Long::longValue).max().orElse(startNanos);
    return Duration.ofNanos(last - startNanos);
  }

  Duration creating() { return Duration.ofNanos(createsDoneNanos - startNanos); }

  static ScenarioRun createAndAwait(KubernetesClient client, String namespace, List<AuditLogReplayJob> jobs,
      Duration timeout) throws InterruptedException {
    Map<String, Long> created = new ConcurrentHashMap<>();
    Map<String, Long> terminal = new ConcurrentHashMap<>();
    Set<String> failed = ConcurrentHashMap.newKeySet();
    ResourceEventHandler<AuditLogReplayJob> handler = new ResourceEventHandler<>() {
      @Override public void onAdd(AuditLogReplayJob job) { seen(job); }
      @Override public void onUpdate(AuditLogReplayJob before, AuditLogReplayJob job) { seen(job); }
      @Override public void onDelete(AuditLogReplayJob job, boolean unknownFinalState) {}

      private void seen(AuditLogReplayJob job) {
        Phase phase = job.getStatus() == null ? null : job.getStatus().getPhase();
        if (phase == null || !phase.terminal()) return;
        terminal.putIfAbsent(job.getMetadata().getName(), System.nanoTime());
        if (phase == Phase.Failed) failed.add(job.getMetadata().getName());
      }
    };
    SharedIndexInformer<AuditLogReplayJob> informer = client.resources(AuditLogReplayJob.class)
        .inNamespace(namespace).inform(handler);
    try {
      long start = System.nanoTime();
      for (AuditLogReplayJob job : jobs) {
        client.resources(AuditLogReplayJob.class).inNamespace(namespace).resource(job).create();
        created.put(job.getMetadata().getName(), System.nanoTime());
      }
      long createsDone = System.nanoTime();
      long deadline = createsDone + timeout.toNanos();
      while (terminal.size() < jobs.size() && System.nanoTime() < deadline) Thread.sleep(20);
      return new ScenarioRun(jobs.size(), start, createsDone, Map.copyOf(created), Map.copyOf(terminal),
          Set.copyOf(failed));
    } finally {
      informer.close();
    }
  }
}
