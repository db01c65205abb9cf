package io.konnectreplay.operator.reconciler;

import io.fabric8.kubernetes.api.model.Condition;
import io.konnectreplay.operator.api.v1alpha1.AuditLogReplayJob;
import io.konnectreplay.operator.api.v1alpha1.AuditLogReplayJobStatus;
import io.konnectreplay.operator.api.v1alpha1.Conditions;
import io.konnectreplay.operator.config.OperatorSettings;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The queue rules of one target, in one place. The order is derived only from the resources themselves (as the
 * informer cache holds them), so a restarted operator or a new leader computes the same queue.
 *
 * <ul>
 *   <li><b>Who holds the target:</b> a request Konnect has, or may have (accepted and not over, or a submission
 *       under way).
 *   <li><b>Who may hold it next:</b> only a request that could be submitted now — valid, not finished (or given a new
 *       rerunNonce), not suspended, its window ended and still inside Konnect's retention, and not stalled (a stall
 *       judged on an older generation no longer counts). A request that is waiting for its window, suspended or
 *       stalled keeps no place: the ones behind it go first.
 *   <li><b>Order:</b> oldest creationTimestamp first, then namespace and name.
 *   <li><b>Wake-ups:</b> when the holder or the head of the line lets go (finishes, is suspended, stalls or is
 *       deleted), the next request and every request whose status names it as blocker are woken at once; on a
 *       deletion, every queued request is (their positions changed).
 * </ul>
 */
public final class TargetQueue {

  private static final Comparator<AuditLogReplayJob> AGE = Comparator
      .comparing((AuditLogReplayJob j) -> Objects.requireNonNullElse(j.getMetadata().getCreationTimestamp(), ""))
      .thenComparing(j -> j.getMetadata().getNamespace())
      .thenComparing(j -> j.getMetadata().getName());

  private final OperatorSettings settings;
  private final RequestPlanner planner;

  public TargetQueue(OperatorSettings settings, RequestPlanner planner) {
    this.settings = settings;
    this.planner = planner;
  }

  /**
   * The key of the singleton a resource's spec points at (canonical server URL, portal or org), or null when the spec
   * is too broken to tell. Used as the cache index; the same key the client, the budget and the webhook cache use.
   */
  public String targetKey(AuditLogReplayJob job) { return TargetResolver.key(job.getSpec(), settings); }

  /** The place of {@code self} among {@code sameTarget} (which may or may not contain it) at {@code now}. */
  public QueueSlot slot(AuditLogReplayJob self, Collection<AuditLogReplayJob> sameTarget, Instant now) {
    if (active(self)) return QueueSlot.HEAD;
    List<AuditLogReplayJob> holders = new ArrayList<>();
    List<AuditLogReplayJob> ahead = new ArrayList<>();
    for (AuditLogReplayJob other : sameTarget) {
      if (sameResource(other, self) || deleted(other)) continue;
      if (active(other)) holders.add(other);
      else if (AGE.compare(other, self) < 0 && ready(other, now)) ahead.add(other);
    }
    ahead.sort(AGE);
    if (!holders.isEmpty()) {
      holders.sort(AGE);
      return new QueueSlot(false, ahead.size() + 1, name(holders.get(0)));
    }
    if (ahead.isEmpty()) return QueueSlot.HEAD;
    return new QueueSlot(false, ahead.size(), name(ahead.get(0)));
  }

  /**
   * The requests to wake when {@code freed} lets go of its place (or is deleted): the next one that could be
   * submitted, and every one whose status names {@code freed} as its blocker (so no status keeps naming it).
   */
  public List<AuditLogReplayJob> toWake(AuditLogReplayJob freed, Collection<AuditLogReplayJob> sameTarget,
      Instant now) {
    Set<AuditLogReplayJob> wake = new LinkedHashSet<>();
    next(freed, sameTarget, now).ifPresent(wake::add);
    String freedName = name(freed);
    for (AuditLogReplayJob other : sameTarget) {
      if (sameResource(other, freed) || deleted(other)) continue;
      AuditLogReplayJobStatus s = other.getStatus();
      if (s != null && s.getQueue() != null && freedName.equals(s.getQueue().getBlockedBy())) wake.add(other);
    }
    return List.copyOf(wake);
  }

  /**
   * The requests to wake when {@code deleted} is gone: the next one that could be submitted, and every queued one
   * (each one's position behind it changed, and none may keep naming it).
   */
  public List<AuditLogReplayJob> toWakeOnDeletion(AuditLogReplayJob deleted, Collection<AuditLogReplayJob> sameTarget,
      Instant now) {
    Set<AuditLogReplayJob> wake = new LinkedHashSet<>(toWake(deleted, sameTarget, now));
    for (AuditLogReplayJob other : sameTarget) {
      if (sameResource(other, deleted) || deleted(other)) continue;
      if (other.getStatus() != null && other.getStatus().getQueue() != null) wake.add(other);
    }
    return List.copyOf(wake);
  }

  /** The request that may use the target once {@code freed} has let go of it, if one could be submitted now. */
  public Optional<AuditLogReplayJob> next(AuditLogReplayJob freed, Collection<AuditLogReplayJob> sameTarget,
      Instant now) {
    List<AuditLogReplayJob> rest = sameTarget.stream()
        .filter(j -> !sameResource(j, freed) && !deleted(j)).toList();
    if (rest.stream().anyMatch(TargetQueue::active)) return Optional.empty();
    return rest.stream().filter(j -> ready(j, now)).min(AGE);
  }

  /** Konnect has, or may have, this request: accepted and not over, or a submission under way. */
  static boolean active(AuditLogReplayJob job) {
    AuditLogReplayJobStatus s = job.getStatus();
    return s != null && ((s.getPhase() != null && s.getPhase().active()) || s.getIntent() != null);
  }

  /** Could be submitted now, if the target were free. */
  boolean ready(AuditLogReplayJob job, Instant now) {
    if (job.getSpec() == null || job.getSpec().suspended()) return false;
    if (!(planner.plan(job, now) instanceof RequestPlan.Valid valid)) return false;
    ReplayRequest request = valid.request();
    AuditLogReplayJobStatus s = job.getStatus();
    if (!request.fresh() && s != null && s.getPhase() != null && s.getPhase().terminal()) return false;
    if (request.window().endAt().isAfter(now)) return false;
    if (request.window().startAt().isBefore(now.minus(RequestPlanner.MAX_WINDOW).plus(ReplayDecision.EXPIRY_MARGIN))) {
      return false; // it is about to fail as expired
    }
    return request.fresh() || !stalled(job);
  }

  /** Stalled=True, judged on the current generation (a spec edited since may have fixed what stalled it). */
  private static boolean stalled(AuditLogReplayJob job) {
    AuditLogReplayJobStatus s = job.getStatus();
    if (s == null || s.getConditions() == null) return false;
    for (Condition c : s.getConditions()) {
      if (Conditions.STALLED.equals(c.getType())) {
        return Conditions.TRUE.equals(c.getStatus())
            && Objects.equals(c.getObservedGeneration(), job.getMetadata().getGeneration());
      }
    }
    return false;
  }

  private static boolean deleted(AuditLogReplayJob job) { return job.getMetadata().getDeletionTimestamp() != null; }

  private static boolean sameResource(AuditLogReplayJob a, AuditLogReplayJob b) {
    return a.getMetadata().getName().equals(b.getMetadata().getName())
        && a.getMetadata().getNamespace().equals(b.getMetadata().getNamespace());
  }

  static String name(AuditLogReplayJob job) {
    return job.getMetadata().getNamespace() + "/" + job.getMetadata().getName();
  }
}
