package io.konnectreplay.operator.reconciler;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.konnectreplay.operator.api.v1alpha1.AuditLogReplayJob;
import java.time.Instant;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Records a Kubernetes Event when a request moves to a new phase or reason: on transitions only, never per poll. */
public final class TransitionEvents {
  private static final Logger LOG = LoggerFactory.getLogger(TransitionEvents.class);
  static final String COMPONENT = "konnect-replay-operator";

  private final KubernetesClient client;
  private final String instance;
  /** Events are written off the reconcile thread: they are informative, and the status carries the same. */
  private final java.util.concurrent.ExecutorService writer = java.util.concurrent.Executors.newSingleThreadExecutor(
      r -> {
        Thread t = new Thread(r, "transition-events");
        t.setDaemon(true);
        return t;
      });

  public TransitionEvents(KubernetesClient client, String instance) {
    this.client = client;
    this.instance = instance;
  }

  public void record(AuditLogReplayJob job, Verdict verdict, Instant now) {
    record(job, verdict.eventType(), verdict.reason(), verdict.message(), now);
  }

  /** An Event of {@code type} (Normal or Warning) about {@code job}, any kind of resource. */
  public void record(io.fabric8.kubernetes.api.model.HasMetadata job, String type, String reason, String message,
      Instant now) {
    String ts = Times.format(now);
    Event event = new EventBuilder()
        .withNewMetadata()
          .withName(job.getMetadata().getName() + "." + Long.toHexString(now.toEpochMilli())
              + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000)))
          .withNamespace(job.getMetadata().getNamespace())
        .endMetadata()
        .withInvolvedObject(new ObjectReferenceBuilder().withApiVersion(job.getApiVersion()).withKind(job.getKind())
            .withName(job.getMetadata().getName()).withNamespace(job.getMetadata().getNamespace())
            .withUid(job.getMetadata().getUid()).build())
        .withType(type)
        .withReason(reason)
        .withMessage(message)
        .withFirstTimestamp(ts)
        .withLastTimestamp(ts)
        .withCount(1)
        .withNewSource().withComponent(COMPONENT).endSource()
        .withReportingComponent(COMPONENT)
        .withReportingInstance(instance)
        .build();
    writer.execute(() -> {
      try {
        client.v1().events().inNamespace(job.getMetadata().getNamespace()).resource(event).create();
      } catch (KubernetesClientException e) {
        // Events are best effort: the status carries the same information.
        LOG.debug("could not record event {} for {}: {}", reason, job.getMetadata().getName(),
            e.getMessage());
      }
    });
  }
}
