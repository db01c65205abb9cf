package io.konnectreplay.operator.reconciler;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.konnectreplay.operator.api.v1alpha1.AuditLogReplayJobStatus;
import io.konnectreplay.operator.api.v1alpha1.Conditions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds every condition from one {@link Verdict}, keeping lastTransitionTime of a condition whose status did not
 * change, and setting observedGeneration on the status and on each condition.
 */
public final class StatusBuilder {
  private StatusBuilder() {}

  private static final List<String> TYPES = List.of(Conditions.READY, Conditions.RECONCILING, Conditions.STALLED,
      Conditions.COMPLETE, Conditions.FAILED);

  public static void apply(AuditLogReplayJobStatus status, List<Condition> previous, Verdict verdict,
      long generation, Instant now) {
    status.setPhase(verdict.phase());
    status.setObservedGeneration(generation);
    List<Condition> conditions = new ArrayList<>(TYPES.size());
    for (String type : TYPES) {
      String value = truth(type, verdict.kind()) ? Conditions.TRUE : Conditions.FALSE;
      String since = previous.stream()
          .filter(c -> type.equals(c.getType()) && value.equals(c.getStatus()) && c.getLastTransitionTime() != null)
          .map(Condition::getLastTransitionTime).findFirst().orElse(Times.format(now));
      conditions.add(new ConditionBuilder().withType(type).withStatus(value).withReason(verdict.reason())
          .withMessage(verdict.message()).withObservedGeneration(generation).withLastTransitionTime(since).build());
    }
    status.setConditions(conditions);
  }

  private static boolean truth(String type, Verdict.Kind kind) {
    return switch (type) {
      case Conditions.READY, Conditions.COMPLETE -> kind == Verdict.Kind.COMPLETED;
      case Conditions.RECONCILING -> kind == Verdict.Kind.PROGRESS;
      case Conditions.STALLED -> kind == Verdict.Kind.STALLED || kind == Verdict.Kind.FAILED;
      case Conditions.FAILED -> kind == Verdict.Kind.FAILED;
      default -> false;
    };
  }

  /** The reason the status was last built with, or null. */
  public static String mainReason(AuditLogReplayJobStatus status) {
    if (status == null || status.getConditions() == null) return null;
    return status.getConditions().stream().filter(c -> Conditions.READY.equals(c.getType()))
        .map(Condition::getReason).findFirst().orElse(null);
  }

  /** lastTransitionTime of the Ready condition: when the current reason began, roughly. */
  public static Instant reasonSince(AuditLogReplayJobStatus status) {
    if (status == null || status.getConditions() == null) return null;
    return status.getConditions().stream().filter(c -> Conditions.RECONCILING.equals(c.getType()))
        .map(c -> Times.parse(c.getLastTransitionTime())).findFirst().orElse(null);
  }
}
