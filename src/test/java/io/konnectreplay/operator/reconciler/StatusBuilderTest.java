package io.konnectreplay.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Condition;
import io.konnectreplay.operator.api.v1alpha1.AuditLogReplayJobStatus;
import io.konnectreplay.operator.api.v1alpha1.Conditions;
import io.konnectreplay.operator.api.v1alpha1.Phase;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The conditions each kind of verdict sets; NOTES.txt and the README tell users to wait on Reconciling=False. */
class StatusBuilderTest {

  @ParameterizedTest
  @EnumSource(Verdict.Kind.class)
  void reconcilingIsFalseExactlyWhenNoWorkIsUnderWay(Verdict.Kind kind) {
    AuditLogReplayJobStatus status = new AuditLogReplayJobStatus();
    StatusBuilder.apply(status, List.of(), new Verdict(Phase.Queued, "SomeReason", "m", kind), 4,
        Instant.parse("2026-12-02T10:00:00Z"));

    assertThat(condition(status, Conditions.RECONCILING))
        .isEqualTo(kind == Verdict.Kind.PROGRESS ? Conditions.TRUE : Conditions.FALSE);
    assertThat(condition(status, Conditions.READY))
        .isEqualTo(kind == Verdict.Kind.COMPLETED ? Conditions.TRUE : Conditions.FALSE);
    assertThat(condition(status, Conditions.STALLED))
        .isEqualTo(kind == Verdict.Kind.STALLED || kind == Verdict.Kind.FAILED ? Conditions.TRUE : Conditions.FALSE);
    assertThat(status.getConditions()).allSatisfy(c -> {
      assertThat(c.getReason()).isEqualTo("SomeReason");
      assertThat(c.getObservedGeneration()).isEqualTo(4L);
    });
  }

  private static String condition(AuditLogReplayJobStatus status, String type) {
    return status.getConditions().stream().filter(c -> type.equals(c.getType())).map(Condition::getStatus)
        .findFirst().orElseThrow();
  }
}
