package io.konnectreplay.operator.reconciler;

import io.konnectreplay.operator.api.v1alpha1.AuditLogReplayJob;
import io.konnectreplay.operator.api.v1alpha1.AuditLogReplayJobSpec;
import io.konnectreplay.operator.api.v1alpha1.AuditLogReplayJobStatus;
import io.konnectreplay.operator.api.v1alpha1.Phase;
import io.konnectreplay.operator.api.v1alpha1.ReplayWindow;
import io.konnectreplay.operator.config.GoDuration;
import io.konnectreplay.operator.config.OperatorSettings;
import io.konnectreplay.operator.config.ServerUrlAllowList;
import io.konnectreplay.operator.konnect.ReplayWindowRange;
import io.konnectreplay.operator.konnect.Target;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Turns a resource into a {@link RequestPlan}: validates what needs no clock (the CRD's schema and CEL rules say the
 * same, but a resource may come from an API server that does not enforce them), resolves the target and the window,
 * and decides whether the status still describes the same request.
 */
public final class RequestPlanner {

  /** How long Konnect keeps audit logs. */
  static final Duration MAX_WINDOW = Duration.ofDays(7);
  /**
   * The longest absolute window: it is submitted after endAt and must then still start inside the retention (with
   * the expiry margin and time to be submitted), so a longer one could never be replayed.
   */
  static final Duration MAX_SPAN = Duration.ofHours(167);
  /**
   * A lookback window ends this long before now, so an operator clock a little ahead of Konnect's never sends an
   * end_at in Konnect's future.
   */
  static final Duration LOOKBACK_LAG = Duration.ofSeconds(5);
  /** A lookback start is kept at least this far inside the retention (twice the expiry margin). */
  static final Duration RETENTION_SAFETY = ReplayDecision.EXPIRY_MARGIN.multipliedBy(2);
  private static final Pattern RFC3339 = Pattern.compile(ReplayWindow.RFC3339_PATTERN);
  private static final Duration MIN_LOOKBACK = Duration.ofMinutes(1);
  private static final Pattern REGION = Pattern.compile("^[a-z]{2}$");
  private static final Pattern UUID = Pattern.compile(AuditLogReplayJobSpec.UUID_PATTERN);

  private final OperatorSettings settings;

  public RequestPlanner(OperatorSettings settings) { this.settings = settings; }

  public RequestPlan plan(AuditLogReplayJob job, Instant now) {
    AuditLogReplayJobSpec spec = job.getSpec();
    if (spec == null) return invalid("the resource has no spec");
    if (spec.unreadable() != null) return invalid(spec.unreadable());
    String region = spec.getRegion();
    if (region == null || !REGION.matcher(region).matches()) {
      return invalid("spec.region must be a two-letter Konnect region such as us or eu, not " + quote(region));
    }
    if (!settings.regions().contains(region)) {
      return invalid("spec.region " + quote(region) + " is not one of the regions this operator serves ("
          + String.join(", ", settings.regions()) + "; setting KONNECT_REGIONS)");
    }
    if (spec.getPortalID() != null && !UUID.matcher(spec.getPortalID()).matches()) {
      return invalid("spec.portalID must be a Dev Portal id (uuid), not " + quote(spec.getPortalID())
          + "; omit it to replay the organization's audit logs");
    }
    if (spec.getKonnect() == null || spec.getKonnect().getAuthRef() == null
        || isBlank(spec.getKonnect().getAuthRef().getName())) {
      return invalid("spec.konnect.authRef.name must name the Secret that holds the Konnect token");
    }
    int backoffLimit = spec.backoffLimitOrDefault();
    if (backoffLimit < 0 || backoffLimit > 5) {
      return invalid("spec.backoffLimit must be between 0 and 5, not " + backoffLimit);
    }
    String nonce = spec.rerunNonceOrEmpty();

    TargetResolver.Resolution resolution = TargetResolver.resolve(spec, settings);
    if (resolution instanceof TargetResolver.Resolution.Unresolvable u) return invalid(u.message());
    TargetResolver.Resolution.Resolved resolved = (TargetResolver.Resolution.Resolved) resolution;
    Target target = resolved.target();
    if (settings.allowedServerUrls().check(target.serverUrl().toString()).isEmpty()) {
      return new RequestPlan.Invalid(Reasons.SERVER_URL_NOT_ALLOWED, "Server URL " + quote(resolved.serverText())
          + " is not allowed by the operator (KONNECT_ALLOWED_SERVER_URLS=" + settings.allowedServerUrls()
          + "), so the token is not sent there. Use a Konnect server URL, or ask the operator's admin to allow it.",
          false);
    }
    URI defaultServer = ServerUrlAllowList.normalize(settings.defaultServerUrl(region)).orElse(null);
    String targetName = target.describe(defaultServer);

    ReplayWindow window = spec.getWindow();
    if (window == null) return invalid("spec.window is required: set startAt and endAt, or lookback");
    boolean hasStart = !isBlank(window.getStartAt());
    boolean hasEnd = !isBlank(window.getEndAt());
    boolean hasLookback = !isBlank(window.getLookback());
    if (hasLookback == (hasStart || hasEnd) || (!hasLookback && !(hasStart && hasEnd))) {
      return invalid("spec.window must set either both startAt and endAt, or lookback alone");
    }
    AuditLogReplayJobStatus status = job.getStatus();
    boolean sameTargetAndNonce = status != null && targetName.equals(status.getTarget())
        && nonce.equals(Objects.requireNonNullElse(status.getRerunNonce(), ""));

    ReplayWindowRange range;
    String lookbackText = null;
    if (hasLookback) {
      Duration lookback;
      try {
        lookback = GoDuration.parse(window.getLookback());
      } catch (IllegalArgumentException e) {
        return invalid("spec.window.lookback " + quote(window.getLookback())
            + " is not a duration: use for example 90m or 24h");
      }
      if (lookback.compareTo(MIN_LOOKBACK) < 0 || lookback.compareTo(MAX_WINDOW) > 0) {
        return invalid("spec.window.lookback must be between 1m and 168h (7 days), not " + window.getLookback());
      }
      lookbackText = window.getLookback();
      ReplayWindowRange frozen = frozenLookback(status, lookbackText);
      if (sameTargetAndNonce && frozen != null) {
        range = frozen;
      } else {
        Instant end = now.truncatedTo(ChronoUnit.SECONDS).minus(LOOKBACK_LAG);
        Instant start = Times.floorSecond(end.minus(lookback));
        Instant oldest = Times.ceilSecond(now.minus(MAX_WINDOW).plus(RETENTION_SAFETY));
        range = new ReplayWindowRange(start.isBefore(oldest) ? oldest : start, end);
      }
    } else {
      Instant start = rfc3339(window.getStartAt());
      Instant end = rfc3339(window.getEndAt());
      if (start == null) return invalid("spec.window.startAt " + quote(window.getStartAt()) + NOT_RFC3339);
      if (end == null) return invalid("spec.window.endAt " + quote(window.getEndAt()) + NOT_RFC3339);
      if (!end.isAfter(start)) return invalid("spec.window.endAt must be later than startAt");
      if (Duration.between(start, end).compareTo(MAX_SPAN) > 0) {
        return invalid("spec.window may span at most 167h: it is submitted once endAt has passed and must then still"
            + " start within the 7 days Konnect keeps audit logs (use lookback: 168h for everything Konnect still has)");
      }
      range = new ReplayWindowRange(Times.floorSecond(start), Times.ceilSecond(end));
    }

    boolean fresh = !sameTargetAndNonce || !sameWindow(status, range, lookbackText)
        || (status.getPhase() == Phase.Failed && Reasons.INVALID_SPEC.equals(StatusBuilder.mainReason(status)));
    return new RequestPlan.Valid(new ReplayRequest(target, targetName, range, lookbackText, nonce, fresh));
  }

  private static ReplayWindowRange frozenLookback(AuditLogReplayJobStatus status, String lookback) {
    if (status == null || status.getWindow() == null || !lookback.equals(status.getWindow().getLookback())) return null;
    Instant start = Times.parse(status.getWindow().getStartAt());
    Instant end = Times.parse(status.getWindow().getEndAt());
    return start == null || end == null ? null : new ReplayWindowRange(start, end);
  }

  private static boolean sameWindow(AuditLogReplayJobStatus status, ReplayWindowRange range, String lookback) {
    if (status == null || status.getWindow() == null) return false;
    return range.startAt().equals(Times.parse(status.getWindow().getStartAt()))
        && range.endAt().equals(Times.parse(status.getWindow().getEndAt()))
        && Objects.equals(lookback, status.getWindow().getLookback());
  }

  private static final String NOT_RFC3339 = " is not an RFC3339 time with an uppercase Z or an offset within ±18:00"
      + " (for example 2026-11-20T06:00:00Z)";

  /** The instant of a spec time, if it has exactly the form the CRD admits. */
  private static Instant rfc3339(String text) {
    return text == null || !RFC3339.matcher(text).matches() ? null : Times.parse(text);
  }

  private static RequestPlan invalid(String message) {
    return new RequestPlan.Invalid(Reasons.INVALID_SPEC, message, true);
  }

  private static boolean isBlank(String s) { return s == null || s.isBlank(); }

  private static String quote(String s) { return s == null ? "(empty)" : "\"" + s + "\""; }
}
