package io.konnectreplay.operator.reconciler;

import io.fabric8.kubernetes.api.model.Condition;
import io.konnectreplay.operator.api.v1alpha1.AuditLogReplayJob;
import io.konnectreplay.operator.api.v1alpha1.AuditLogReplayJobStatus;
import io.konnectreplay.operator.api.v1alpha1.Conditions;
import io.konnectreplay.operator.config.OperatorSettings;
import io.konnectreplay.operator.config.ServerUrlAllowList;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * The order in which requests for one target run, derived only from the resources themselves (as the informer cache
 * holds them), so that a restarted operator or a new leader computes the same queue: the active request first, then
 * the waiting ones by creationTimestamp, namespace and name. Suspended, finished and stalled requests do not hold the
 * line.
 */
public final class TargetQueue {

  private static final Comparator<AuditLogReplayJob> AGE = Comparator
      .comparing((AuditLogReplayJob j) -> Objects.requireNonNullElse(j.getMetadata().getCreationTimestamp(), ""))
      .thenComparing(j -> j.getMetadata().getNamespace())
      .thenComparing(j -> j.getMetadata().getName());

  private final OperatorSettings settings;

  public TargetQueue(OperatorSettings settings) { this.settings = settings; }

  /**
   * The key of the singleton a resource's spec points at (server, region, portal or org), or null when the spec is
   * too broken to tell. Used as the cache index; needs no validation beyond that.
   */
  public String targetKey(AuditLogReplayJob job) {
    if (job.getSpec() == null || job.getSpec().getRegion() == null) return null;
    String region = job.getSpec().getRegion();
    String server = job.getSpec().getKonnect() != null && job.getSpec().getKonnect().getServerURL() != null
        && !job.getSpec().getKonnect().getServerURL().isBlank()
        ? job.getSpec().getKonnect().getServerURL() : settings.defaultServerUrl(region);
    String normalized = ServerUrlAllowList.normalize(server).map(Object::toString).orElse(server);
    String portal = job.getSpec().getPortalID() == null ? "-" : job.getSpec().getPortalID().toLowerCase(Locale.ROOT);
    return normalized + "|" + region + "|" + portal;
  }

  /** The place of {@code self} among {@code sameTarget} (which may or may not contain it). */
  public QueueSlot slot(AuditLogReplayJob self, Collection<AuditLogReplayJob> sameTarget) {
    if (active(self)) return QueueSlot.HEAD;
    List<AuditLogReplayJob> activeOthers = new ArrayList<>();
    List<AuditLogReplayJob> waiting = new ArrayList<>();
    waiting.add(self);
    for (AuditLogReplayJob other : sameTarget) {
      if (sameResource(other, self) || other.getMetadata().getDeletionTimestamp() != null) continue;
      if (active(other)) activeOthers.add(other);
      else if (waiting(other)) waiting.add(other);
    }
    waiting.sort(AGE);
    int index = indexOf(waiting, self);
    if (!activeOthers.isEmpty()) {
      activeOthers.sort(AGE);
      return new QueueSlot(false, index + 1, name(activeOthers.get(0)));
    }
    if (index == 0) return QueueSlot.HEAD;
    return new QueueSlot(false, index, name(waiting.get(0)));
  }

  /** The request that may use the target once {@code freed} has let go of it, if any waits. */
  public java.util.Optional<AuditLogReplayJob> next(AuditLogReplayJob freed, Collection<AuditLogReplayJob> sameTarget) {
    return sameTarget.stream()
        .filter(j -> !sameResource(j, freed) && j.getMetadata().getDeletionTimestamp() == null)
        .filter(j -> !active(j) && waiting(j))
        .min(AGE);
  }

  /** Konnect has, or may have, this request: accepted and not over, or a submission under way. */
  static boolean active(AuditLogReplayJob job) {
    AuditLogReplayJobStatus s = job.getStatus();
    return s != null && ((s.getPhase() != null && s.getPhase().active()) || s.getIntent() != null);
  }

  private static boolean waiting(AuditLogReplayJob job) {
    AuditLogReplayJobStatus s = job.getStatus();
    if (s == null || s.getPhase() == null) return !job.getSpec().suspended();
    if (s.getPhase().terminal()) {
      // A finished request whose rerunNonce changed is a new request.
      return !Objects.equals(Objects.requireNonNullElse(s.getRerunNonce(), ""), job.getSpec().rerunNonceOrEmpty());
    }
    if (job.getSpec().suspended()) return false;
    return !stalled(s);
  }

  private static boolean stalled(AuditLogReplayJobStatus s) {
    if (s.getConditions() == null) return false;
    for (Condition c : s.getConditions()) {
      if (Conditions.STALLED.equals(c.getType())) return Conditions.TRUE.equals(c.getStatus());
    }
    return false;
  }

  private static int indexOf(List<AuditLogReplayJob> list, AuditLogReplayJob self) {
    for (int i = 0; i < list.size(); i++) if (sameResource(list.get(i), self)) return i;
    return -1;
  }

  private static boolean sameResource(AuditLogReplayJob a, AuditLogReplayJob b) {
    return a.getMetadata().getName().equals(b.getMetadata().getName())
        && a.getMetadata().getNamespace().equals(b.getMetadata().getNamespace());
  }

  static String name(AuditLogReplayJob job) {
    return job.getMetadata().getNamespace() + "/" + job.getMetadata().getName();
  }
}
