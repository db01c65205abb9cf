package io.konnectreplay.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.client.KubernetesClientException;
import io.konnectreplay.operator.TestJobs;
import io.konnectreplay.operator.api.v1alpha1.AuditLogReplayJob;
import io.konnectreplay.operator.api.v1alpha1.AuditLogReplayJobStatus;
import io.konnectreplay.operator.api.v1alpha1.Phase;
import io.konnectreplay.operator.sandbox.EmbeddedKubernetes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Status goes to the API by replace with the resourceVersion read: a stale copy cannot overwrite newer state. */
class StatusWriterTest {
  static EmbeddedKubernetes kubernetes;
  static StatusWriter writer;

  @BeforeAll
  static void start() {
    kubernetes = EmbeddedKubernetes.start(0);
    kubernetes.createNamespace("platform");
    writer = new StatusWriter(kubernetes.client());
  }

  @AfterAll
  static void stop() { kubernetes.close(); }

  static AuditLogReplayJob create(String name) {
    return kubernetes.client().resources(AuditLogReplayJob.class).inNamespace("platform")
        .resource(TestJobs.job(name).portal(TestJobs.PORTAL).window("2026-11-21T00:00:00Z", "2026-11-21T01:00:00Z")
            .build()).create();
  }

  static AuditLogReplayJobStatus status(Phase phase) {
    AuditLogReplayJobStatus s = new AuditLogReplayJobStatus();
    s.setPhase(phase);
    return s;
  }

  @Test
  void writesOnlyWhenTheStatusChanged() {
    AuditLogReplayJob job = create("changes");
    AuditLogReplayJob first = writer.write(job, status(Phase.Queued));
    assertThat(first).isNotSameAs(job);
    assertThat(first.getStatus().getPhase()).isEqualTo(Phase.Queued);
    long writes = writer.writes();
    AuditLogReplayJob again = writer.write(first, status(Phase.Queued));
    assertThat(again).isSameAs(first);
    assertThat(writer.writes()).isEqualTo(writes);
    assertThat(kubernetes.client().resources(AuditLogReplayJob.class).inNamespace("platform").withName("changes")
        .get().getSpec().getPortalID()).as("the spec survives a status replace").isEqualTo(TestJobs.PORTAL);
  }

  @Test
  void aStaleCopyIsRejectedWithAConflict() {
    AuditLogReplayJob job = create("stale");
    writer.write(job, status(Phase.Queued));
    assertThatThrownBy(() -> writer.write(job, status(Phase.Accepted)))
        .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(409));
  }
}
