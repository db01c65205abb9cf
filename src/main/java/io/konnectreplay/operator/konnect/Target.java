package io.konnectreplay.operator.konnect;

import java.net.URI;
import java.util.Objects;

/**
 * The Konnect singleton a replay job occupies: one per (server, region) for the organization, one per
 * (server, region, portal) for a Dev Portal.
 *
 * @param serverUrl the API server in its canonical form (see {@code ServerUrlAllowList.normalize}), for example
 *     https://us.api.konghq.com
 * @param region the region, for example "us"
 * @param portalId the Dev Portal id, or null for the organization's audit logs
 */
public record Target(URI serverUrl, String region, String portalId) {

  public Target {
    Objects.requireNonNull(serverUrl, "serverUrl");
    Objects.requireNonNull(region, "region");
  }

  public static Target organization(URI serverUrl, String region) { return new Target(serverUrl, region, null); }

  public static Target portal(URI serverUrl, String region, String portalId) {
    return new Target(serverUrl, region, Objects.requireNonNull(portalId, "portalId"));
  }

  public boolean isPortal() { return portalId != null; }

  /** Short, readable id: "us/portal/3e55…" or "us/org"; prefixed by the server when {@code defaultServer} differs. */
  public String describe(URI defaultServer) {
    String local = region + (isPortal() ? "/portal/" + portalId : "/org");
    return serverUrl.equals(defaultServer) ? local : serverUrl + " " + local;
  }

  /**
   * The identity of the singleton across resources, stable over restarts: the canonical server URL and the portal
   * (or the organization). The region is not part of it: the server URL names the region.
   */
  public String key() {
    return serverUrl + "|" + (isPortal() ? "portal/" + portalId.toLowerCase(java.util.Locale.ROOT) : "org");
  }
}
