package io.konnectreplay.operator.reconciler;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.konnectreplay.operator.api.v1alpha1.AuditLogReplayJob;
import io.konnectreplay.operator.api.v1alpha1.AuditLogReplayJobStatus;
import io.konnectreplay.operator.api.v1alpha1.AuditLogReplayJobStatus.QueueStatus;
import io.konnectreplay.operator.api.v1alpha1.AuditLogReplayJobStatus.RemoteJob;
import io.konnectreplay.operator.api.v1alpha1.AuditLogReplayJobStatus.ResolvedWindow;
import io.konnectreplay.operator.api.v1alpha1.AuditLogReplayJobStatus.SubmissionIntent;
import io.konnectreplay.operator.api.v1alpha1.AuditLogReplayJobStatus.WebhookDelivery;
import io.konnectreplay.operator.api.v1alpha1.Phase;
import io.konnectreplay.operator.config.GoDuration;
import io.konnectreplay.operator.konnect.KonnectException;
import io.konnectreplay.operator.konnect.RemoteReplayJob;
import io.konnectreplay.operator.konnect.Webhook;
import io.konnectreplay.operator.konnect.WebhookStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * The whole replay lifecycle as a function of (resource, plan, queue slot, token state, what Konnect answers, now).
 * Konnect is read through {@link Observation}, only where a decision needs it; a {@link Decision.Submit} is performed
 * by {@link ReplayCycle}, which hands the answer to {@link #submitted}. No clock, no randomness here: everything
 * comes in through {@link Input}.
 */
public final class ReplayDecision {

  /** startAt must be at least this much younger than 7 days when submitted: Konnect checks with its own clock. */
  static final Duration EXPIRY_MARGIN = Duration.ofMinutes(1);
  static final Duration FIRST_POLL = Duration.ofSeconds(1);
  static final Duration BUSY_RETRY = Duration.ofSeconds(2);
  static final Duration STALLED_RETRY = Duration.ofMinutes(5);
  static final Duration QUEUE_RECHECK = Duration.ofSeconds(30);
  static final Duration WEBHOOK_RECHECK = Duration.ofMinutes(1);
  static final Duration MAX_ERROR_BACKOFF = Duration.ofMinutes(5);

  /** status.queue.blockedBy when the target is held by a Konnect job the operator does not own. */
  static final String KONNECT_BLOCKER = "konnect";

  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

  /**
   * Everything a decision depends on.
   *
   * @param tokenProblem why no token could be read from the Secret, or null when there is one
   * @param consecutiveFailures how many reconciles in a row ended with Konnect unavailable (for backoff)
   * @param jitter a number in [0, 1) that spreads retries
   * @param konnectClock the latest time Konnect's own clock showed (its Date header), or null when unknown
   */
  public record Input(AuditLogReplayJob job, RequestPlan plan, QueueSlot slot, TokenProblem tokenProblem,
      Observation observation, Instant now, Duration pollIntervalMax, int consecutiveFailures, double jitter,
      Instant konnectClock) {

    /** The same input for the resource as written with its intent. */
    Input after(AuditLogReplayJob written, RequestPlan replanned) {
      return new Input(written, replanned, slot, tokenProblem, observation, now, pollIntervalMax, consecutiveFailures,
          jitter, konnectClock);
    }
  }

  /** The Secret could not give a token. */
  public record TokenProblem(String reason, String message) {}

  private ReplayDecision() {}

  public static Decision decide(Input in) {
    AuditLogReplayJob job = in.job();
    AuditLogReplayJobStatus current = job.getStatus();
    List<Condition> previous = current == null || current.getConditions() == null ? List.of() : current.getConditions();

    if (in.plan() instanceof RequestPlan.Invalid invalid) {
      AuditLogReplayJobStatus status = copy(current);
      boolean wasActive = status.getPhase() != null && status.getPhase().active();
      if (invalid.terminal()) {
        if (wasActive) {
          // Konnect still runs what was submitted; the new spec cannot be acted on. Say so without dropping it.
          return done(in, status, new Verdict(status.getPhase(), invalid.reason(), invalid.message()
              + ". The replay already submitted keeps running at Konnect.", Verdict.Kind.STALLED), STALLED_RETRY);
        }
        status.setIntent(null);
        status.setQueue(null);
        status.setCompletionTime(Objects.requireNonNullElse(status.getCompletionTime(), Times.format(in.now())));
        return done(in, status, new Verdict(Phase.Failed, invalid.reason(), invalid.message(), Verdict.Kind.FAILED),
            null);
      }
      Phase phase = wasActive ? status.getPhase() : Phase.Queued;
      return done(in, status, new Verdict(phase, invalid.reason(), invalid.message(), Verdict.Kind.STALLED), null);
    }

    ReplayRequest request = ((RequestPlan.Valid) in.plan()).request();
    AuditLogReplayJobStatus status = request.fresh() ? freshStatus(request) : copy(current);
    Phase phase = status.getPhase();
    String reason = request.fresh() ? null : StatusBuilder.mainReason(current);

    if (phase != null && phase.terminal()) {
      // Over: nothing to ask Konnect. Only observedGeneration follows the spec.
      return done(in, status, verdictOf(status), null);
    }

    boolean submitted = (phase != null && phase.active()) || status.getIntent() != null;
    if (!submitted) {
      Instant end = request.window().endAt();
      Instant start = request.window().startAt();
      if (end.isAfter(in.now())) {
        Duration wait = Duration.between(in.now(), end).plusSeconds(1);
        return done(in, status, new Verdict(Phase.Queued, Reasons.WINDOW_NOT_ENDED, "The window ends at " + end
            + ", which is in the future; the replay will be submitted once it has passed (in "
            + GoDuration.format(wait) + ").", Verdict.Kind.PROGRESS), wait);
      }
      if (start.isBefore(in.now().minus(RequestPlanner.MAX_WINDOW).plus(EXPIRY_MARGIN))) {
        status.setQueue(null);
        status.setCompletionTime(Times.format(in.now()));
        String queued = Reasons.QUEUED.equals(reason) || Reasons.REMOTE_BUSY.equals(reason)
            ? " It expired while waiting in the queue." : "";
        return done(in, status, new Verdict(Phase.Failed, Reasons.WINDOW_EXPIRED, "The window starts at " + start
            + ", more than 7 days ago: Konnect keeps audit logs for 7 days only, so it can no longer be replayed."
            + queued + " Replay a more recent window.", Verdict.Kind.FAILED), null);
      }
      if (job.getSpec().suspended()) {
        status.setQueue(null);
        return done(in, status, new Verdict(Phase.Suspended, Reasons.SUSPENDED,
            "spec.suspend is true: the replay is not submitted. Set it to false to queue it.",
            Verdict.Kind.SUSPENDED), null);
      }
    }

    if (in.tokenProblem() != null) {
      Phase kept = phase != null && phase.active() ? phase : Phase.Queued;
      return done(in, status, new Verdict(kept, in.tokenProblem().reason(), in.tokenProblem().message(),
          Verdict.Kind.STALLED), STALLED_RETRY);
    }

    if (!submitted && !in.slot().head()) {
      status.setQueue(new QueueStatus(in.slot().position(), in.slot().blockedBy()));
      return done(in, status, new Verdict(Phase.Queued, Reasons.QUEUED, "Waiting for " + in.slot().blockedBy()
          + " to finish on " + request.targetName() + " (position " + in.slot().position() + " in the queue).",
          Verdict.Kind.PROGRESS), QUEUE_RECHECK);
    }

    Observation obs = in.observation();

    // A Konnect job we do not own held the target when we last looked (a 409, or a replaced window). That stays true
    // through errors in between (a 429 or 5xx on the next read), so read the job again before any PUT. The same when
    // the request that held the target was deleted while its job may still run.
    boolean waitingOnRemote = status.getQueue() != null && KONNECT_BLOCKER.equals(status.getQueue().getBlockedBy())
        || in.slot().readFirst();
    if (submitted || waitingOnRemote) {
      Observation.Result<RemoteReplayJob> read = obs.remoteJob();
      if (!read.ok()) return konnectError(in, status, read.error(), status.getIntent() != null);
      RemoteReplayJob remote = read.value();
      SubmissionIntent intent = status.getIntent();
      boolean ourWindow = remote.hasWindow(request.window());

      if (intent != null) {
        // A PUT may have been sent and its answer lost (crash, timeout). A job with our window that is still going,
        // or that changed after the intent was recorded, is ours: follow it instead of sending the window again.
        // "After" is judged on Konnect's clock when its Date was known then; the operator's clock is the fallback.
        Instant konnectAfter = Times.parse(intent.getKonnectAfter());
        Instant intentAt = konnectAfter != null ? konnectAfter : Objects.requireNonNull(Times.parse(intent.getAt()));
        if (ourWindow && (!remote.terminal() || remote.updatedAt().isAfter(intentAt))) {
          return adopt(in, request, status, remote, intent.getAttempt());
        }
        if (!remote.targetFree()) return remoteBusy(in, request, status, remote);
        // The target is free and our PUT never arrived: submit, with the same intent.
      } else if (phase != null && phase.active()) {
        if (ourWindow) return follow(in, request, status, remote, false);
        status.setRemote(remoteOf(remote, status.getRemote(), in.now()));
        status.setSubmittedAt(null);
        status.setQueue(new QueueStatus(1, KONNECT_BLOCKER));
        return done(in, status, new Verdict(Phase.Queued, Reasons.SUPERSEDED, "Konnect's replay job for "
            + request.targetName() + " now carries another window (" + remote.startAt() + " to " + remote.endAt()
            + ", " + remote.status() + ") and ours was not seen to finish: someone replaced it. This replay is queued"
            + " to be submitted again once the target is free.", Verdict.Kind.PROGRESS), FIRST_POLL);
      } else {
        if (ourWindow && !remote.terminal()) return adopt(in, request, status, remote, status.attemptsOrZero() + 1);
        if (!remote.targetFree()) return remoteBusy(in, request, status, remote);
      }
    }

    Observation.Result<Webhook> hook = obs.webhook();
    if (!hook.ok()) {
      KonnectException error = hook.error();
      if (!(error instanceof KonnectException.Forbidden)) return konnectError(in, status, error, false);
      // 403 on the webhook read only skips the check: the token may replay without reading webhooks.
    } else if (!hook.value().enabled()) {
      Webhook webhook = hook.value();
      Phase kept = phase == null || phase == Phase.Suspended ? Phase.Queued : phase;
      return done(in, status, new Verdict(kept, Reasons.WEBHOOK_DISABLED, "The audit-log webhook of "
          + request.targetName() + " is disabled" + (webhook.endpoint() != null ? " (endpoint " + webhook.endpoint()
          + ")" : "") + ", so a replay would be sent nowhere. Enable it in Konnect; checking again every "
          + GoDuration.format(WEBHOOK_RECHECK) + ".", Verdict.Kind.STALLED), WEBHOOK_RECHECK);
    }

    AuditLogReplayJobStatus withIntent = copy(status);
    if (withIntent.getIntent() == null) {
      withIntent.setIntent(intent(in, status.attemptsOrZero() + 1));
    }
    withIntent.setQueue(null);
    StatusBuilder.apply(withIntent, previous, new Verdict(phase == null || phase == Phase.Suspended ? Phase.Queued
        : phase, Reasons.SUBMITTING, "Submitting the replay of " + describe(request) + " to Konnect.",
        Verdict.Kind.PROGRESS), generation(job), in.now());
    return new Decision.Submit(withIntent);
  }

  /** What Konnect's answer to the PUT means; {@code in} holds the resource as written with its intent. */
  static Decision.Done submitted(Input in, Observation.Result<RemoteReplayJob> result) {
    ReplayRequest request = ((RequestPlan.Valid) in.plan()).request();
    return afterSubmit(in, request, copy(in.job().getStatus()), result);
  }

  private static Decision.Done afterSubmit(Input in, ReplayRequest request, AuditLogReplayJobStatus status,
      Observation.Result<RemoteReplayJob> result) {
    if (result.ok()) {
      RemoteReplayJob accepted = result.value();
      int attempt = status.getIntent() != null ? status.getIntent().getAttempt() : status.attemptsOrZero() + 1;
      status.setAttempts(attempt);
      status.setIntent(null);
      status.setQueue(null);
      status.setSubmittedAt(Times.format(in.now()));
      status.setRemote(remoteOf(accepted, null, in.now()));
      Phase phase = phaseOf(accepted, Phase.Accepted);
      return done(in, status, new Verdict(phase, Reasons.SUBMITTED, "Konnect accepted the replay of "
          + describe(request) + " (attempt " + attempt + ").", Verdict.Kind.PROGRESS), FIRST_POLL);
    }
    KonnectException error = result.error();
    if (error instanceof KonnectException.Conflict) {
      status.setIntent(null);
      status.setQueue(new QueueStatus(1, KONNECT_BLOCKER));
      return done(in, status, new Verdict(Phase.Queued, Reasons.REMOTE_BUSY, "Konnect answered that a replay job is"
          + " running on " + request.targetName() + " (409); this replay is submitted as soon as it ends.",
          Verdict.Kind.PROGRESS), BUSY_RETRY);
    }
    if (error instanceof KonnectException.BadRequest bad) {
      status.setIntent(null);
      status.setQueue(null);
      status.setCompletionTime(Times.format(in.now()));
      String params = bad.invalidParameters().isEmpty() ? "" : " (" + String.join("; ",
          bad.invalidParameters().stream().map(Object::toString).toList()) + ")";
      return done(in, status, new Verdict(Phase.Failed, Reasons.INVALID_SPEC, "Konnect rejected the replay of "
          + describe(request) + ": " + bad.detail() + params + ". Fix the window and change spec.rerunNonce or the"
          + " window to submit again.", Verdict.Kind.FAILED), null);
    }
    // Unavailable or unexpected answers leave it open whether Konnect took the job: keep the intent, so the next
    // reconcile reads the remote job before sending anything again.
    boolean ambiguous = error instanceof KonnectException.Unavailable
        || error instanceof KonnectException.UnexpectedResponse;
    return konnectError(in, status, error, ambiguous);
  }

  private static Decision adopt(Input in, ReplayRequest request, AuditLogReplayJobStatus status,
      RemoteReplayJob remote, int attempt) {
    status.setAttempts(attempt);
    status.setIntent(null);
    status.setQueue(null);
    status.setSubmittedAt(Times.format(in.now()));
    status.setRemote(null);
    return follow(in, request, status, remote, true);
  }

  private static Decision remoteBusy(Input in, ReplayRequest request, AuditLogReplayJobStatus status,
      RemoteReplayJob remote) {
    status.setIntent(null);
    status.setRemote(remoteOf(remote, status.getRemote(), in.now()));
    status.setQueue(new QueueStatus(1, KONNECT_BLOCKER));
    return done(in, status, new Verdict(Phase.Queued, Reasons.REMOTE_BUSY, "Konnect is running another replay"
        + " job on " + request.targetName() + " (" + remote.startAt() + " to " + remote.endAt() + ", "
        + remote.status() + "); this replay is submitted as soon as it ends.", Verdict.Kind.PROGRESS),
        pollInterval(in, status.getRemote()));
  }

  /** Mirrors a remote job that carries our window. */
  private static Decision follow(Input in, ReplayRequest request, AuditLogReplayJobStatus status,
      RemoteReplayJob remote, boolean adopted) {
    status.setRemote(remoteOf(remote, status.getRemote(), in.now()));
    status.setQueue(null);
    String adoptedNote = adopted ? " The job was found at Konnect and adopted, not sent again." : "";
    if (remote.completed()) {
      Observation.Result<WebhookStatus> webhook = in.observation().webhookStatus();
      String delivery = "";
      if (webhook.ok()) {
        WebhookStatus ws = webhook.value();
        status.setWebhook(new WebhookDelivery(ws.webhookStatus(), ws.lastResponseCode(), ws.lastResponseMessage(),
            Times.format(ws.lastAttemptAt())));
        if (ws.lastResponseCode() != null) delivery = " The webhook last answered HTTP " + ws.lastResponseCode() + ".";
      }
      status.setCompletionTime(Times.format(in.now()));
      return done(in, status, new Verdict(Phase.Completed, Reasons.COMPLETED, "Konnect replayed the audit logs of "
          + describe(request) + " to the webhook of " + request.targetName() + "." + delivery + adoptedNote,
          Verdict.Kind.COMPLETED), null);
    }
    if (remote.failed()) {
      int attempts = status.attemptsOrZero();
      int limit = in.job().getSpec().backoffLimitOrDefault();
      if (attempts <= limit) {
        AuditLogReplayJobStatus retry = copy(status);
        retry.setIntent(intent(in, attempts + 1));
        StatusBuilder.apply(retry, currentConditions(in), new Verdict(Phase.Failed == status.getPhase()
            ? Phase.Queued : status.getPhase(), Reasons.RETRYING, "Konnect reported the replay failed (attempt "
            + attempts + "); resubmitting, attempt " + (attempts + 1) + " of " + (limit + 1) + " (spec.backoffLimit "
            + limit + ").", Verdict.Kind.PROGRESS), generation(in.job()), in.now());
        return new Decision.Submit(retry);
      }
      status.setCompletionTime(Times.format(in.now()));
      return done(in, status, new Verdict(Phase.Failed, Reasons.REMOTE_FAILED, "Konnect reported the replay of "
          + describe(request) + " failed after " + attempts + " attempt(s). Check that the webhook of "
          + request.targetName() + " is enabled and reachable, then change spec.rerunNonce to replay again.",
          Verdict.Kind.FAILED), null);
    }
    Phase phase = phaseOf(remote, status.getPhase() == null || !status.getPhase().active() ? Phase.Accepted
        : status.getPhase());
    String reason = switch (phase) {
      case Pending -> Reasons.PENDING;
      case Running -> Reasons.RUNNING;
      default -> Reasons.SUBMITTED;
    };
    if (adopted) {
      return done(in, status, new Verdict(phase, Reasons.ADOPTED, "Found the replay of " + describe(request)
          + " already at Konnect (" + remote.status() + "): following it instead of sending it again.",
          Verdict.Kind.PROGRESS), pollInterval(in, status.getRemote()));
    }
    String message = switch (phase) {
      case Pending -> "Konnect scheduled the replay of " + describe(request) + ".";
      case Running -> "Konnect is replaying the audit logs of " + describe(request) + " to the webhook.";
      default -> "Konnect accepted the replay of " + describe(request) + " (attempt " + status.attemptsOrZero()
          + ").";
    };
    return done(in, status, new Verdict(phase, reason, message, Verdict.Kind.PROGRESS),
        pollInterval(in, status.getRemote()));
  }

  private static Decision.Done konnectError(Input in, AuditLogReplayJobStatus status, KonnectException error,
      boolean keepIntent) {
    if (!keepIntent) status.setIntent(null);
    Phase phase = status.getPhase() == null || status.getPhase() == Phase.Suspended ? Phase.Queued
        : status.getPhase();
    String secret = secretName(in.job());
    if (error instanceof KonnectException.Unauthorized) {
      return done(in, status, new Verdict(phase, Reasons.UNAUTHORIZED, "Konnect rejected the token from Secret "
          + secret + " (401): put a valid, unexpired personal (kpat_) or system-account (spat_) token there. The "
          + "operator retries as soon as the Secret changes, and every " + GoDuration.format(STALLED_RETRY) + ".",
          Verdict.Kind.STALLED), STALLED_RETRY);
    }
    if (error instanceof KonnectException.Forbidden) {
      return done(in, status, new Verdict(phase, Reasons.FORBIDDEN, "The token from Secret " + secret
          + " may not manage audit-log replays here (403): give its user or system account the Audit Logs Admin role"
          + " (and the portal's admin role for a Dev Portal). Retrying when the Secret changes, and every "
          + GoDuration.format(STALLED_RETRY) + ".", Verdict.Kind.STALLED), STALLED_RETRY);
    }
    if (error instanceof KonnectException.NotFound) {
      String portal = in.job().getSpec().getPortalID();
      return done(in, status, new Verdict(phase, Reasons.PORTAL_NOT_FOUND, "Konnect has no Dev Portal " + portal
          + " in region " + in.job().getSpec().getRegion() + " (404): check spec.portalID and spec.region.",
          Verdict.Kind.STALLED), STALLED_RETRY);
    }
    if (error instanceof KonnectException.RateLimited limited) {
      Duration wait = limited.retryAfter().plusMillis((long) (in.jitter() * 500));
      return done(in, status, new Verdict(phase, Reasons.RATE_LIMITED, "Konnect is rate limiting this operator"
          + (limited.local() ? " (every call to the server waits)" : " (429)") + "; retrying in "
          + GoDuration.format(wait) + ".", Verdict.Kind.PROGRESS), wait);
    }
    Duration backoff = errorBackoff(in.consecutiveFailures(), in.jitter());
    String reason = error instanceof KonnectException.Unavailable ? Reasons.KONNECT_UNAVAILABLE
        : Reasons.UNEXPECTED_RESPONSE;
    // An unanswered call's detail is a whole sentence already ("No answer from Konnect at <server> …").
    String answer = error.httpStatus() == 0 ? error.detail() : "Konnect " + error.detail();
    return done(in, status, new Verdict(phase, reason, answer + ". Retrying in "
        + GoDuration.format(backoff) + (status.getIntent() != null
        ? "; the job is read before anything is sent again, so it is not submitted twice." : "."),
        Verdict.Kind.PROGRESS), backoff);
  }

  /**
   * The intent of submitting {@code attempt}: when (operator's clock) and, when Konnect's clock is known, a time
   * Konnect's clock was past (its latest Date, which has whole seconds, plus one second).
   */
  private static SubmissionIntent intent(Input in, int attempt) {
    String konnectAfter = in.konnectClock() == null ? null
        : Times.format(in.konnectClock().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).plusSeconds(1));
    return new SubmissionIntent(attempt, Times.formatExact(in.now()), konnectAfter);
  }

  /** Exponential from 1s, ×2 per consecutive failure, capped at 5m, spread by ±20%. */
  static Duration errorBackoff(int consecutiveFailures, double jitter) {
    long base = 1000L << Math.min(Math.max(consecutiveFailures, 0), 20);
    long capped = Math.min(base, MAX_ERROR_BACKOFF.toMillis());
    return Duration.ofMillis((long) (capped * (0.8 + 0.4 * jitter)));
  }

  /** About as long as the remote job has been in its current state: 1s, 2s, 4s, … up to the cap. */
  static Duration pollInterval(Input in, RemoteJob remote) {
    Instant since = remote == null ? null : Times.parse(remote.getObservedAt());
    Duration age = since == null ? Duration.ZERO : Duration.between(since, in.now());
    Duration wait = age.compareTo(FIRST_POLL) < 0 ? FIRST_POLL : age;
    return wait.compareTo(in.pollIntervalMax()) > 0 ? in.pollIntervalMax() : wait;
  }

  private static RemoteJob remoteOf(RemoteReplayJob remote, RemoteJob before, Instant now) {
    String start = Times.format(remote.startAt());
    String end = Times.format(remote.endAt());
    String updated = Times.formatExact(remote.updatedAt());
    boolean same = before != null && Objects.equals(before.getStatus(), remote.status())
        && Objects.equals(before.getStartAt(), start) && Objects.equals(before.getEndAt(), end)
        && Objects.equals(before.getUpdatedAt(), updated);
    return new RemoteJob(remote.status(), start, end, updated, same ? before.getObservedAt() : Times.format(now));
  }

  private static Phase phaseOf(RemoteReplayJob remote, Phase otherwise) {
    if (remote.status() == null) return otherwise;
    return switch (remote.status()) {
      case RemoteReplayJob.ACCEPTED -> Phase.Accepted;
      case RemoteReplayJob.PENDING -> Phase.Pending;
      case RemoteReplayJob.RUNNING -> Phase.Running;
      default -> otherwise; // unknown values are taken as "still going"
    };
  }

  private static Verdict verdictOf(AuditLogReplayJobStatus status) {
    Condition ready = status.getConditions().stream().filter(c -> "Ready".equals(c.getType())).findFirst()
        .orElse(null);
    String reason = ready == null ? (status.getPhase() == Phase.Completed ? Reasons.COMPLETED : Reasons.REMOTE_FAILED)
        : ready.getReason();
    String message = ready == null ? "" : ready.getMessage();
    return new Verdict(status.getPhase(), reason, message,
        status.getPhase() == Phase.Completed ? Verdict.Kind.COMPLETED : Verdict.Kind.FAILED);
  }

  private static Decision.Done done(Input in, AuditLogReplayJobStatus status, Verdict verdict, Duration requeue) {
    QueueStatus queue = status.getQueue();
    boolean keep = verdict.phase() == Phase.Queued && queue != null
        && (KONNECT_BLOCKER.equals(queue.getBlockedBy()) || Reasons.QUEUED.equals(verdict.reason()));
    if (!keep) status.setQueue(null);
    StatusBuilder.apply(status, currentConditions(in), verdict, generation(in.job()), in.now());
    return new Decision.Done(status, verdict, requeue);
  }

  private static List<Condition> currentConditions(Input in) {
    AuditLogReplayJobStatus s = in.job().getStatus();
    return s == null || s.getConditions() == null ? List.of() : s.getConditions();
  }

  private static AuditLogReplayJobStatus freshStatus(ReplayRequest request) {
    AuditLogReplayJobStatus s = new AuditLogReplayJobStatus();
    s.setTarget(request.targetName());
    s.setRerunNonce(request.nonce().isEmpty() ? null : request.nonce()); // absent while the spec has none
    s.setWindow(new ResolvedWindow(Times.format(request.window().startAt()), Times.format(request.window().endAt()),
        request.lookback()));
    s.setAttempts(0);
    return s;
  }

  static AuditLogReplayJob copyJob(AuditLogReplayJob job) { return SERIALIZATION.clone(job); }

  static AuditLogReplayJobStatus copy(AuditLogReplayJobStatus status) {
    return status == null ? new AuditLogReplayJobStatus() : SERIALIZATION.clone(status);
  }

  private static long generation(AuditLogReplayJob job) {
    Long g = job.getMetadata().getGeneration();
    return g == null ? 0L : g;
  }

  private static String describe(ReplayRequest request) {
    return request.window().startAt() + " to " + request.window().endAt();
  }

  private static String secretName(AuditLogReplayJob job) {
    return job.getMetadata().getNamespace() + "/" + job.getSpec().getKonnect().getAuthRef().getName();
  }
}
