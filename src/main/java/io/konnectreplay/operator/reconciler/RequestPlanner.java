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

  static final Duration MAX_WINDOW = Duration.ofDays(7);
  private static final Duration MIN_LOOKBACK = Duration.ofMinutes(1);
  private static final Pattern REGION = Pattern.compile("^[a-z]{2}$");
  private static final Pattern UUID = Pattern.compile(AuditLogReplayJobSpec.UUID_PATTERN);

  private final OperatorSettings settings;

  public RequestPlanner(OperatorSettings settings) { this.settings = settings; }

  public RequestPlan plan(AuditLogReplayJob job, Instant now) {
    AuditLogReplayJobSpec spec = job.getSpec();
    if (spec == null) return invalid("the resource has no spec");
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

    String serverText = spec.getKonnect().getServerURL();
    boolean explicitServer = !isBlank(serverText);
    if (!explicitServer) serverText = settings.defaultServerUrl(region);
    if (ServerUrlAllowList.normalize(serverText).isEmpty()) {
      String what = explicitServer ? "spec.konnect.serverURL" : "the default server (KONNECT_SERVER_URL_TEMPLATE)";
      return invalid(what + " " + quote(serverText) + " is not a valid http(s) URL without user info, query or "
          + "fragment");
    }
    Optional<URI> server = settings.allowedServerUrls().check(serverText);
    if (server.isEmpty()) {
      return new RequestPlan.Invalid(Reasons.SERVER_URL_NOT_ALLOWED, "Server URL " + quote(serverText)
          + " is not allowed by the operator (KONNECT_ALLOWED_SERVER_URLS=" + settings.allowedServerUrls()
          + "), so the token is not sent there. Use a Konnect server URL, or ask the operator's admin to allow it.",
          false);
    }
    URI defaultServer = ServerUrlAllowList.normalize(settings.defaultServerUrl(region)).orElse(null);
    Target target = spec.getPortalID() == null
        ? Target.organization(server.get(), region)
        : Target.portal(server.get(), region, spec.getPortalID().toLowerCase(java.util.Locale.ROOT));
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
        Instant end = now.truncatedTo(ChronoUnit.SECONDS);
        range = new ReplayWindowRange(Times.floorSecond(end.minus(lookback)), end);
      }
    } else {
      Instant start = Times.parse(window.getStartAt());
      Instant end = Times.parse(window.getEndAt());
      if (start == null) return invalid("spec.window.startAt " + quote(window.getStartAt()) + " is not RFC3339");
      if (end == null) return invalid("spec.window.endAt " + quote(window.getEndAt()) + " is not RFC3339");
      if (!end.isAfter(start)) return invalid("spec.window.endAt must be later than startAt");
      if (Duration.between(start, end).compareTo(MAX_WINDOW) > 0) {
        return invalid("spec.window may span at most 7 days (168h): Konnect keeps audit logs for 7 days");
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

  private static RequestPlan invalid(String message) {
    return new RequestPlan.Invalid(Reasons.INVALID_SPEC, message, true);
  }

  private static boolean isBlank(String s) { return s == null || s.isBlank(); }

  private static String quote(String s) { return s == null ? "(empty)" : "\"" + s + "\""; }
}
