package io.konnectreplay.operator.reconciler;

import static io.konnectreplay.operator.TestJobs.PORTAL;
import static io.konnectreplay.operator.TestJobs.job;
import static io.konnectreplay.operator.reconciler.ReplayDecisionTest.END;
import static io.konnectreplay.operator.reconciler.ReplayDecisionTest.START;
import static io.konnectreplay.operator.reconciler.ReplayDecisionTest.accepted;
import static io.konnectreplay.operator.reconciler.ReplayDecisionTest.at;
import static io.konnectreplay.operator.reconciler.ReplayDecisionTest.completed;
import static io.konnectreplay.operator.reconciler.ReplayDecisionTest.portalJob;
import static io.konnectreplay.operator.reconciler.ReplayDecisionTest.remote;
import static io.konnectreplay.operator.reconciler.ReplayDecisionTest.withStatus;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Condition;
import io.konnectreplay.operator.api.v1alpha1.AuditLogReplayJob;
import io.konnectreplay.operator.api.v1alpha1.AuditLogReplayJobStatus;
import io.konnectreplay.operator.konnect.KonnectException;
import java.util.Objects;
import org.junit.jupiter.api.Test;

/**
 * Flux, Argo CD's kstatus-based tooling and Helm 4's --wait read a custom resource with kstatus' generic rules:
 * observedGeneration behind → InProgress; Stalled=True → Failed; Reconciling=True → InProgress; else Current.
 * This applies those rules to the status the operator writes in each phase.
 */
class KstatusRulesTest {

  enum Kstatus { InProgress, Failed, Current }

  static Kstatus kstatus(AuditLogReplayJob job) {
    AuditLogReplayJobStatus s = job.getStatus();
    if (s == null || !Objects.equals(s.getObservedGeneration(), job.getMetadata().getGeneration())) {
      return Kstatus.InProgress;
    }
    if (isTrue(s, "Stalled")) return Kstatus.Failed;
    if (isTrue(s, "Reconciling")) return Kstatus.InProgress;
    return Kstatus.Current;
  }

  static boolean isTrue(AuditLogReplayJobStatus s, String type) {
    return s.getConditions().stream().anyMatch(c -> type.equals(c.getType()) && "True".equals(c.getStatus()));
  }

  static AuditLogReplayJob after(AuditLogReplayJob job, Decision.Done done) { return withStatus(job, done.status()); }

  @Test
  void everyPhaseReadsAsExpected() {
    AuditLogReplayJob fresh = portalJob();
    assertThat(kstatus(fresh)).as("no status yet").isEqualTo(Kstatus.InProgress);
    assertThat(kstatus(after(fresh, at(fresh).slot(new QueueSlot(false, 1, "platform/x")).run())))
        .as("Queued").isEqualTo(Kstatus.InProgress);
    assertThat(kstatus(after(fresh, at(fresh).webhook(true).submit(new KonnectException.Conflict("busy")).run())))
        .as("RemoteBusy").isEqualTo(Kstatus.InProgress);
    assertThat(kstatus(accepted(fresh))).as("Accepted").isEqualTo(Kstatus.InProgress);
    assertThat(kstatus(after(fresh, at(accepted(fresh)).remoteJob(remote("running")).run())))
        .as("Running").isEqualTo(Kstatus.InProgress);
    assertThat(kstatus(after(fresh, completed(fresh)))).as("Completed").isEqualTo(Kstatus.Current);
    assertThat(kstatus(after(fresh, at(accepted(fresh)).remoteJob(remote("failed")).run())))
        .as("Failed").isEqualTo(Kstatus.Failed);
    assertThat(kstatus(after(fresh, at(fresh).tokenProblem("SecretNotFound").run())))
        .as("Stalled on a missing Secret").isEqualTo(Kstatus.Failed);
    AuditLogReplayJob suspended = job("s").portal(PORTAL).window(START, END).suspend(true).build();
    assertThat(kstatus(after(suspended, at(suspended).run()))).as("Suspended").isEqualTo(Kstatus.Current);
  }

  @Test
  void aSpecChangeNotYetObservedIsInProgress() {
    AuditLogReplayJob done = after(portalJob(), completed(portalJob()));
    done.getMetadata().setGeneration(2L);
    assertThat(kstatus(done)).isEqualTo(Kstatus.InProgress);
    Decision.Done observed = at(done).run();
    assertThat(kstatus(after(done, observed))).isEqualTo(Kstatus.Current);
    for (Condition c : observed.status().getConditions()) assertThat(c.getObservedGeneration()).isEqualTo(2L);
  }
}
