package io.konnectreplay.operator.reconciler;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.konnectreplay.operator.api.v1alpha1.AuditLogReplayPolicy;
import io.konnectreplay.operator.api.v1alpha1.AuditLogReplayPolicySpec;
import io.konnectreplay.operator.api.v1alpha1.AuditLogReplayPolicyStatus;
import io.konnectreplay.operator.api.v1alpha1.AuditLogReplayPolicyStatus.Gap;
import io.konnectreplay.operator.api.v1alpha1.AuditLogReplayPolicyStatus.OpenGap;
import io.konnectreplay.operator.api.v1alpha1.Conditions;
import io.konnectreplay.operator.api.v1alpha1.Phase;
import io.konnectreplay.operator.config.GoDuration;
import io.konnectreplay.operator.konnect.WebhookStatus;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The policy's lifecycle as a pure function of (policy with its status, the webhook check, its owned jobs, now) →
 * (status, the job to create, the jobs to delete, events). Everything it needs to survive a restart is in the policy's
 * status and its owned jobs: a gap's replay has a name derived from the gap's start, so creating it again is an
 * AlreadyExists, never a second job.
 */
public final class PolicyDecision {
  private PolicyDecision() {}

  /** How long Konnect keeps audit logs. */
  static final Duration RETENTION = RequestPlanner.MAX_WINDOW;
  /** A replay's start is kept this far inside the retention, as a lookback's is. */
  static final Duration RETENTION_SAFETY = RequestPlanner.RETENTION_SAFETY;

  public static final String HEALING = "Healing";
  public static final String DATA_LOST = "DataLost";

  // Reasons of the policy's conditions and Events (each in the README's troubleshooting table).
  public static final String HEALTHY = "Healthy";
  public static final String GAP_OPEN = "GapOpen";
  public static final String RECOVERING = "Recovering";
  public static final String REPLAYING = "Replaying";
  public static final String NO_REPLAY = "NoReplayUnderWay";
  public static final String NOT_STALLED = "NotStalled";
  public static final String NO_DATA_LOST = "NoDataLost";
  public static final String RETENTION_EXCEEDED = "RetentionExceeded";
  public static final String GAP_OPENED = "GapOpened";
  public static final String GAP_HEALED = "GapHealed";
  public static final String REPLAY_FAILED = "ReplayFailed";

  private static final KubernetesSerialization JSON = new KubernetesSerialization();

  /**
   * What the check found: the webhook status, or a problem that kept the operator from reading it.
   *
   * @param webhook Konnect's answer, or null
   * @param problem why there is no answer, or null
   */
  public record Check(WebhookStatus webhook, Problem problem) {
    public static Check of(WebhookStatus webhook) { return new Check(Objects.requireNonNull(webhook), null); }
    public static Check failed(Problem problem) { return new Check(null, Objects.requireNonNull(problem)); }
  }

  /** A check that could not read the status: stalled (a person must act) or transient (retried at the interval). */
  public record Problem(String reason, String message, boolean stalled) {}

  /** A job the policy owns, as the cache shows it. */
  public record OwnedJob(String name, Phase phase, Instant finishedAt) {}

  public record Input(AuditLogReplayPolicy policy, String target, Check check, List<OwnedJob> owned, Instant now,
      Duration refreshPeriod, Instant lastHealthyCheck) {}

  /** A replay to create: its name and absolute window. */
  public record NewJob(String name, Instant startAt, Instant endAt) {}

  /** A Kubernetes Event to record. */
  public record Note(String type, String reason, String message) {}

  /**
   * @param status the status to hold
   * @param write whether to write it (a change of state, or the observedThrough refresh)
   * @param create the replay to create, or null
   * @param delete finished owned jobs beyond the history limits
   * @param notes Events, on transitions only
   * @param healed gaps whose replay completed in this cycle
   * @param lostSeconds seconds of audit events found lost in this cycle
   */
  public record Result(AuditLogReplayPolicyStatus status, boolean write, NewJob create, List<String> delete,
      List<Note> notes, int healed, long lostSeconds, Duration requeueAfter) {}

  /** Healthy = enabled, not inactive, and the last response 2xx (or no attempt yet). */
  public static boolean healthy(WebhookStatus w) {
    if (!Boolean.TRUE.equals(w.webhookEnabled())) return false;
    if ("inactive".equalsIgnoreCase(w.webhookStatus())) return false;
    Integer code = w.lastResponseCode();
    boolean attempted = w.lastAttemptAt() != null || (code != null && code != 0);
    return !attempted || (code != null && code >= 200 && code < 300);
  }

  public static Duration checkInterval(AuditLogReplayPolicySpec spec) {
    return clamp(parse(spec.checkIntervalOrDefault(), Duration.ofMinutes(1)), Duration.ofSeconds(10),
        Duration.ofHours(1));
  }

  public static Duration margin(AuditLogReplayPolicySpec spec) {
    return clamp(parse(spec.marginOrDefault(), Duration.ofMinutes(5)), Duration.ZERO, Duration.ofHours(1));
  }

  /** The name of the replay of the gap that began at {@code since}: the same after any restart. */
  public static String jobName(String policy, Instant since) {
    try {
      byte[] hash = MessageDigest.getInstance("SHA-256")
          .digest(Long.toString(since.getEpochSecond()).getBytes(StandardCharsets.UTF_8));
      String prefix = policy.length() > 240 ? policy.substring(0, 240) : policy;
      return prefix + "-" + HexFormat.of().formatHex(hash, 0, 5);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  public static Result decide(Input in) {
    AuditLogReplayPolicy policy = in.policy();
    AuditLogReplayPolicySpec spec = policy.getSpec();
    AuditLogReplayPolicyStatus before = policy.getStatus() == null ? new AuditLogReplayPolicyStatus()
        : policy.getStatus();
    AuditLogReplayPolicyStatus s = copy(before);
    Instant now = Times.floorSecond(in.now());
    Duration interval = checkInterval(spec);
    Duration margin = margin(spec);
    List<Note> notes = new ArrayList<>();
    int healed = trackReplays(s, in.owned(), notes);
    long lost = 0;
    NewJob create = null;
    s.setTarget(in.target());
    Duration requeue = interval;
    Problem problem = null;
    boolean refreshable = false;

    if (spec.suspended()) {
      // The time spent suspended is not healed: nothing is observed, and resuming starts afresh.
      s.setOpenGap(null);
      s.setObservedThrough(null);
      requeue = null;
    } else if (in.check().problem() != null) {
      problem = in.check().problem();
      if (!problem.stalled()) {
        // A transient failure changes nothing: the next check decides. observedThrough is not refreshed, so a
        // long failure is healed as a gap once Konnect answers again. A replay that ended is still recorded.
        if (notes.isEmpty()) return new Result(before, false, null, List.of(), notes, healed, 0, interval);
        problem = null;
      }
    } else {
      WebhookStatus w = in.check().webhook();
      boolean healthy = healthy(w);
      Instant lastHealthy = latest(Times.parse(s.getLastHealthyAt()), in.lastHealthyCheck());
      Instant observedThrough = Times.parse(s.getObservedThrough());
      Duration unobservedLimit = in.refreshPeriod().plus(interval.multipliedBy(3));
      if (s.getOpenGap() == null && observedThrough != null
          && Duration.between(observedThrough, now).compareTo(unobservedLimit) > 0) {
        s.setOpenGap(new OpenGap(Times.format(observedThrough), null));
        notes.add(new Note("Warning", GAP_OPENED, "The checks did not run from " + Times.format(observedThrough)
            + " to " + Times.format(now) + " (longer than the refresh period plus 3 × checkInterval): that stretch"
            + " is treated as a gap."));
      }
      if (!healthy) {
        if (s.getOpenGap() == null) {
          Instant since = lastHealthy != null ? lastHealthy : observedThrough != null ? observedThrough : now;
          s.setOpenGap(new OpenGap(Times.format(since), null));
          notes.add(new Note("Warning", GAP_OPENED, "The webhook of " + in.target() + " is unhealthy (" + describe(w)
              + "); events since " + Times.format(since) + " are replayed once it recovers."));
        } else if (s.getOpenGap().getHealthySince() != null) {
          s.getOpenGap().setHealthySince(null); // failed again within margin: the same gap goes on
        }
      } else {
        lastHealthy = now;
        OpenGap open = s.getOpenGap();
        if (open != null) {
          if (open.getHealthySince() == null) open.setHealthySince(Times.format(now));
          Instant healthySince = Times.parse(open.getHealthySince());
          Instant closeAt = healthySince.plus(margin);
          if (!now.isBefore(closeAt)) {
            Instant since = Times.parse(open.getSince());
            Instant start = since.minus(margin);
            Instant end = closeAt;
            // What one job can still replay: inside the retention, and no longer than a job's window may span.
            Instant oldest = latest(Times.ceilSecond(now.minus(RETENTION).plus(RETENTION_SAFETY)),
                end.minus(RequestPlanner.MAX_SPAN));
            String lostUntil = null;
            if (start.isBefore(oldest)) {
              Instant lostEnd = end.isBefore(oldest) ? end : oldest;
              lostUntil = Times.format(lostEnd);
              lost = Duration.between(start, lostEnd).getSeconds();
              notes.add(new Note("Warning", DATA_LOST, "Audit events of " + in.target() + " from " + Times.format(start)
                  + " to " + lostUntil + " are older than Konnect's 7-day retention and cannot be replayed"
                  + (end.isAfter(oldest) ? "; the rest of the gap is." : ".")));
              start = lostEnd;
            }
            String job = null;
            if (start.isBefore(end)) {
              job = jobName(policy.getMetadata().getName(), since);
              create = new NewJob(job, start, end);
            }
            s.getGaps().add(new Gap(open.getSince(), open.getHealthySince(), job, job == null ? null : "Created",
                lostUntil));
            while (s.getGaps().size() > AuditLogReplayPolicyStatus.MAX_GAPS) s.getGaps().remove(0);
            s.setOpenGap(null);
          } else {
            requeue = min(interval, Duration.between(now, closeAt));
          }
        }
      }
      s.setLastHealthyAt(Times.format(lastHealthy));
      s.setWebhook(new AuditLogReplayPolicyStatus.WebhookObservation(w.webhookEnabled(), w.webhookStatus(),
          w.lastResponseCode(), Times.format(w.lastAttemptAt()), Times.format(now)));
      refreshable = true;
    }

    conditions(s, before, spec.suspended(), problem, in.target(), policy.getMetadata().getGeneration(), now);
    s.setObservedGeneration(policy.getMetadata().getGeneration());
    boolean changed = !sameState(before, s);
    Instant observedThrough = Times.parse(before.getObservedThrough());
    boolean refresh = refreshable && (observedThrough == null
        || Duration.between(observedThrough, now).compareTo(in.refreshPeriod()) >= 0);
    if (refreshable && (changed || refresh)) s.setObservedThrough(Times.format(now));
    boolean write = changed || refresh;
    return new Result(write ? s : before, write, create, historyToDelete(spec, in.owned()), notes, healed, lost,
        requeue);
  }

  /** Copies the owned jobs' phases into status.gaps; a replay that ended is an Event. */
  private static int trackReplays(AuditLogReplayPolicyStatus s, List<OwnedJob> owned, List<Note> notes) {
    int healed = 0;
    for (Gap gap : s.getGaps()) {
      if (gap.getJob() == null) continue;
      Optional<OwnedJob> job = owned.stream().filter(j -> j.name().equals(gap.getJob())).findFirst();
      if (job.isEmpty() || job.get().phase() == null) continue;
      String phase = job.get().phase().name();
      if (phase.equals(gap.getPhase())) continue;
      if (job.get().phase() == Phase.Completed) {
        healed++;
        notes.add(new Note("Normal", GAP_HEALED, "Replay " + gap.getJob() + " completed: the gap from "
            + gap.getStartAt() + " to " + gap.getEndAt() + " is healed."));
      } else if (job.get().phase() == Phase.Failed) {
        notes.add(new Note("Warning", REPLAY_FAILED, "Replay " + gap.getJob() + " of the gap from "
            + gap.getStartAt() + " to " + gap.getEndAt() + " failed: see its status."));
      }
      gap.setPhase(phase);
    }
    return healed;
  }

  private static boolean underWay(Gap gap) {
    return gap.getJob() != null && !"Completed".equals(gap.getPhase()) && !"Failed".equals(gap.getPhase());
  }

  private static void conditions(AuditLogReplayPolicyStatus s, AuditLogReplayPolicyStatus before, boolean suspended,
      Problem problem, String target, Long generation, Instant now) {
    Optional<Gap> replaying = s.getGaps().stream().filter(PolicyDecision::underWay).reduce((a, b) -> b);
    Condition[] c = new Condition[4];
    String readyReason;
    String readyMessage;
    if (suspended) {
      readyReason = Reasons.SUSPENDED;
      readyMessage = "spec.suspend is true: the webhook is not checked and no replay is created.";
    } else if (problem != null) {
      readyReason = problem.reason();
      readyMessage = problem.message();
    } else if (s.getOpenGap() != null && s.getOpenGap().getHealthySince() != null) {
      readyReason = RECOVERING;
      readyMessage = "The webhook of " + target + " is healthy again since " + s.getOpenGap().getHealthySince()
          + "; the gap from " + s.getOpenGap().getSince() + " is replayed once it stays healthy for margin.";
    } else if (s.getOpenGap() != null) {
      readyReason = GAP_OPEN;
      readyMessage = "The webhook of " + target + " has been unhealthy since " + s.getOpenGap().getSince()
          + "; the gap is replayed once it recovers.";
    } else if (replaying.isPresent()) {
      readyReason = REPLAYING;
      readyMessage = "Replay " + replaying.get().getJob() + " heals the gap from " + replaying.get().getStartAt()
          + " to " + replaying.get().getEndAt() + ".";
    } else {
      readyReason = HEALTHY;
      readyMessage = "The webhook of " + target + " is healthy and no gap is open.";
    }
    List<Condition> previous = before.getConditions() == null ? List.of() : before.getConditions();
    c[0] = condition(previous, Conditions.READY, HEALTHY.equals(readyReason), readyReason, readyMessage, generation,
        now);
    c[1] = replaying.map(g -> condition(previous, HEALING, true, REPLAYING, "Replay " + g.getJob()
        + " heals the gap from " + g.getStartAt() + " to " + g.getEndAt() + ".", generation, now))
        .orElseGet(() -> condition(previous, HEALING, false, NO_REPLAY, "No replay is under way.", generation, now));
    c[2] = problem != null
        ? condition(previous, Conditions.STALLED, true, problem.reason(), problem.message(), generation, now)
        : condition(previous, Conditions.STALLED, false, NOT_STALLED, "Nothing keeps the policy from its checks.",
            generation, now);
    Optional<Gap> latest = s.getGaps().isEmpty() ? Optional.empty() : Optional.of(s.getGaps().get(s.getGaps().size() - 1));
    c[3] = latest.filter(g -> g.getLostUntil() != null)
        .map(g -> condition(previous, DATA_LOST, true, RETENTION_EXCEEDED, "The latest gap began at "
            + g.getStartAt() + ": the events before " + g.getLostUntil() + " were older than Konnect's 7-day"
            + " retention when it closed and are lost" + (g.getJob() == null ? "." : "; replay " + g.getJob()
            + " covers the rest."), generation, now))
        .orElseGet(() -> condition(previous, DATA_LOST, false, NO_DATA_LOST, "The latest gap lost no audit events.",
            generation, now));
    s.setConditions(List.of(c));
  }

  private static Condition condition(List<Condition> previous, String type, boolean truth, String reason,
      String message, Long generation, Instant now) {
    String value = truth ? Conditions.TRUE : Conditions.FALSE;
    String since = previous.stream()
        .filter(p -> type.equals(p.getType()) && value.equals(p.getStatus()) && p.getLastTransitionTime() != null)
        .map(Condition::getLastTransitionTime).findFirst().orElse(Times.format(now));
    return new ConditionBuilder().withType(type).withStatus(value).withReason(reason).withMessage(message)
        .withObservedGeneration(generation).withLastTransitionTime(since).build();
  }

  /** Finished owned jobs beyond the history limits, oldest first, as CronJob keeps them. */
  static List<String> historyToDelete(AuditLogReplayPolicySpec spec, List<OwnedJob> owned) {
    List<String> delete = new ArrayList<>();
    delete.addAll(beyond(owned, Phase.Completed, spec.successfulJobsHistoryLimitOrDefault()));
    delete.addAll(beyond(owned, Phase.Failed, spec.failedJobsHistoryLimitOrDefault()));
    return delete;
  }

  private static List<String> beyond(List<OwnedJob> owned, Phase phase, int keep) {
    List<OwnedJob> finished = owned.stream().filter(j -> j.phase() == phase)
        .sorted(Comparator.comparing((OwnedJob j) -> j.finishedAt() == null ? Instant.MIN : j.finishedAt())
            .thenComparing(OwnedJob::name).reversed())
        .toList();
    return finished.size() <= keep ? List.of()
        : finished.subList(keep, finished.size()).stream().map(OwnedJob::name).sorted().toList();
  }

  /** The state, without what every check moves (the times of the last read, attempt and healthy check). */
  static boolean sameState(AuditLogReplayPolicyStatus a, AuditLogReplayPolicyStatus b) {
    return stateOf(a).equals(stateOf(b));
  }

  private static com.fasterxml.jackson.databind.JsonNode stateOf(AuditLogReplayPolicyStatus status) {
    var node = (com.fasterxml.jackson.databind.node.ObjectNode) JSON.convertValue(
        status == null ? new AuditLogReplayPolicyStatus() : status, com.fasterxml.jackson.databind.JsonNode.class);
    node.remove(List.of("observedThrough", "lastHealthyAt"));
    if (node.get("webhook") instanceof com.fasterxml.jackson.databind.node.ObjectNode webhook) {
      webhook.remove(List.of("lastAttemptAt", "observedAt"));
    }
    return node;
  }

  static AuditLogReplayPolicyStatus copy(AuditLogReplayPolicyStatus status) {
    AuditLogReplayPolicyStatus copy = JSON.convertValue(status, AuditLogReplayPolicyStatus.class);
    if (copy.getGaps() == null) copy.setGaps(new ArrayList<>());
    if (copy.getConditions() == null) copy.setConditions(new ArrayList<>());
    copy.setGaps(new ArrayList<>(copy.getGaps()));
    return copy;
  }

  private static String describe(WebhookStatus w) {
    if (!Boolean.TRUE.equals(w.webhookEnabled())) return "disabled";
    return "status " + (w.webhookStatus() == null ? "unknown" : w.webhookStatus()) + ", last response "
        + (w.lastResponseCode() == null ? "none" : w.lastResponseCode());
  }

  private static Instant latest(Instant a, Instant b) {
    if (a == null) return b;
    if (b == null) return a;
    return a.isAfter(b) ? a : b;
  }

  private static Duration min(Duration a, Duration b) { return a.compareTo(b) <= 0 ? a : b; }

  private static Duration clamp(Duration d, Duration lo, Duration hi) {
    return d.compareTo(lo) < 0 ? lo : d.compareTo(hi) > 0 ? hi : d;
  }

  private static Duration parse(String text, Duration fallback) {
    try {
      return GoDuration.parse(text);
    } catch (IllegalArgumentException e) {
      return fallback;
    }
  }
}
