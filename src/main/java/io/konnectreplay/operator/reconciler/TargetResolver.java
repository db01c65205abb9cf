package io.konnectreplay.operator.reconciler;

import io.konnectreplay.operator.api.v1alpha1.AuditLogReplayJobSpec;
import io.konnectreplay.operator.config.OperatorSettings;
import io.konnectreplay.operator.config.ServerUrlAllowList;
import io.konnectreplay.operator.konnect.Target;
import java.net.URI;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Computes a spec's target once, the same way for the planner, the queue's cache index and the client: the server
 * URL in its canonical form (explicit or from the region's template) and the portal or organization. The allow-list
 * is not judged here (the planner does that, with its own reason).
 */
final class TargetResolver {

  /** A Konnect region host: {@code {region}.api.konghq.com}. */
  private static final Pattern REGION_HOST = Pattern.compile("^([a-z]{2})\\.api\\.konghq\\.com$");

  /** The target, or why the spec has none. */
  sealed interface Resolution {
    record Resolved(Target target, String serverText, boolean explicitServer) implements Resolution {}
    record Unresolvable(String message) implements Resolution {}
  }

  private TargetResolver() {}

  /** Resolves {@code spec}, whose region (and portalID, when set) must already be well formed. */
  static Resolution resolve(AuditLogReplayJobSpec spec, OperatorSettings settings) {
    String region = spec.getRegion();
    String serverText = spec.getKonnect() == null ? null : spec.getKonnect().getServerURL();
    boolean explicit = serverText != null && !serverText.isBlank();
    if (!explicit) serverText = settings.defaultServerUrl(region);
    Optional<URI> canonical = ServerUrlAllowList.normalize(serverText);
    String what = explicit ? "spec.konnect.serverURL" : "the default server (KONNECT_SERVER_URL_TEMPLATE)";
    if (canonical.isEmpty()) {
      return new Resolution.Unresolvable(what + " " + quote(serverText) + " is not a valid http(s) URL without user"
          + " info, query or fragment (a host is DNS labels of at most 63 characters)");
    }
    Matcher regionHost = REGION_HOST.matcher(canonical.get().getHost());
    if (regionHost.matches() && !regionHost.group(1).equals(region)) {
      return new Resolution.Unresolvable(what + " " + quote(serverText) + " is Konnect's " + regionHost.group(1)
          + " region, but spec.region is " + region + ": the replay would run in the other region. Make them agree"
          + " (or omit spec.konnect.serverURL to use the region's server)");
    }
    String portal = spec.getPortalID();
    Target target = portal == null ? Target.organization(canonical.get(), region)
        : Target.portal(canonical.get(), region, portal.toLowerCase(Locale.ROOT));
    return new Resolution.Resolved(target, serverText, explicit);
  }

  /** The target's key, or null when the spec has no resolvable target (then it queues with nothing). */
  static String key(AuditLogReplayJobSpec spec, OperatorSettings settings) {
    if (spec == null || spec.getRegion() == null || spec.getRegion().isBlank()) return null;
    try {
      return resolve(spec, settings) instanceof Resolution.Resolved r ? r.target().key() : null;
    } catch (RuntimeException e) {
      return null; // a template that cannot take this region: the planner says so
    }
  }

  private static String quote(String s) { return s == null ? "(empty)" : "\"" + s + "\""; }
}
