package io.konnectreplay.operator.sandbox;

import io.konnectreplay.operator.api.v1alpha1.Phase;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * How the sandbox's sample jobs ended, what the gap-healing policies made of the receiver outage, and what the
 * webhook receivers made of the deliveries.
 *
 * @param jobs each sample job, with the events its window holds and how many of them the receiver verified
 * @param healing the outage and its healing (null when the run had no outage)
 * @param targets every watched target's account: events emitted while its receiver was down and never received
 * @param eventsReceived lines the receivers got, over all regions
 * @param verified lines whose signature verified
 * @param rejected lines without a valid signature, or unreadable
 * @param duplicates lines whose event had arrived before
 * @param expectedDuplicates at most how many duplicates the run explains: live events replayed again, and windows of
 *     one target that overlap (Konnect sends those events again)
 * @param unauthorized webhook calls with the wrong Authorization
 * @param timedOut whether the run had not ended in time
 * @param problems why the run failed; empty when it passed
 */
public record SandboxResult(List<JobOutcome> jobs, Healing healing, List<TargetLoss> targets, long eventsReceived,
    long verified, long rejected, long duplicates, long expectedDuplicates, long unauthorized, boolean timedOut,
    List<String> problems) {

  public SandboxResult {
    jobs = List.copyOf(jobs);
    targets = List.copyOf(targets);
    problems = List.copyOf(problems);
  }

  /**
   * One sample job (or one replay a policy created) at the end.
   *
   * @param expectedEvents the events of its target in its window (the emulator's audit log)
   * @param verifiedEvents distinct events of its target in its window the receiver verified
   */
  public record JobOutcome(Sandbox.JobView job, long expectedEvents, long verifiedEvents) {
    public boolean completed() { return job.phase() == Phase.Completed; }
  }

  /**
   * The receiver outage and how each policy of its region healed it.
   *
   * @param region whose receiver went down
   * @param downAt when it went down (null when it never did)
   * @param upAt when it came back (null while down)
   * @param policies one per target of the region
   */
  public record Healing(String region, Instant downAt, Instant upAt, List<PolicyHealing> policies) {
    public Healing {
      policies = List.copyOf(policies);
    }

    /** How long the receiver was down, or null. */
    public Duration length() {
      return downAt == null || upAt == null ? null : Duration.between(downAt, upAt);
    }
  }

  /**
   * One policy's gap and replay.
   *
   * @param policy namespace/name
   * @param target as status.target names it
   * @param gapStart the gap the policy recorded (null when none)
   * @param gapEnd its end
   * @param replays the replays the policy owns, each with the events of its window and how many arrived
   * @param emitted events Konnect tried to deliver to this target while the receiver was down
   * @param lost of those, never received
   */
  public record PolicyHealing(String policy, String target, Instant gapStart, Instant gapEnd,
      List<JobOutcome> replays, long emitted, long lost) {
    public PolicyHealing {
      replays = List.copyOf(replays);
    }
  }

  /** A watched target, the policy watching it and the events it lost (0 when its receiver was never down). */
  public record TargetLoss(String target, String policy, long lost) {}

  /** Events lost over every target. */
  public long lost() {
    return targets.stream().mapToLong(TargetLoss::lost).sum();
  }

  /** Every sample job completed, every delivered event verified, nothing lost, no unexplained duplicate. */
  public boolean ok() { return problems.isEmpty(); }

  public int exitCode() { return ok() ? 0 : 1; }

  static String human(Duration d) {
    long s = d.toSeconds();
    return s % 60 == 0 && s >= 60 ? (s / 60) + " min" : s + " s";
  }
}
