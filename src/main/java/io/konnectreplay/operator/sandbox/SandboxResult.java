package io.konnectreplay.operator.sandbox;

import io.konnectreplay.operator.api.v1alpha1.Phase;
import java.time.Duration;
import java.util.List;

/**
 * How the sandbox's sample jobs ended and what the webhook receivers made of the deliveries.
 *
 * @param jobs each sample job, with the events its window holds and how many of them the receiver verified
 * @param eventsReceived lines the receivers got, over all regions
 * @param verified lines whose signature verified
 * @param rejected lines without a valid signature, or unreadable
 * @param duplicates lines whose event had arrived before
 * @param overlapDuplicates of those, how many overlapping windows of one target explain (expected, as in Konnect)
 * @param unauthorized webhook calls with the wrong Authorization
 * @param timedOut whether some sample job had not ended in time
 * @param problems why the run failed; empty when it passed
 */
public record SandboxResult(List<JobOutcome> jobs, long eventsReceived, long verified, long rejected, long duplicates,
    long overlapDuplicates, long unauthorized, boolean timedOut, List<String> problems) {

  public SandboxResult {
    jobs = List.copyOf(jobs);
    problems = List.copyOf(problems);
  }

  /**
   * One sample job at the end.
   *
   * @param expectedEvents the events of its target in its window (the emulator's audit log)
   * @param verifiedEvents distinct events of its target in its window the receiver verified
   */
  public record JobOutcome(Sandbox.JobView job, long expectedEvents, long verifiedEvents) {
    public boolean completed() { return job.phase() == Phase.Completed; }
  }

  /** Every sample job completed and every delivered event verified, with no unexplained duplicate. */
  public boolean ok() { return problems.isEmpty(); }

  public int exitCode() { return ok() ? 0 : 1; }

  static String human(Duration d) {
    long s = d.toSeconds();
    return s % 60 == 0 && s >= 60 ? (s / 60) + " min" : s + " s";
  }
}
