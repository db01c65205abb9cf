package io.konnectreplay.operator.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import okhttp3.HttpUrl;

/**
 * The Konnect server URLs a resource may send its token to. Matching uses the parsed URL (scheme, host, port), never
 * the raw string: {@code *} in a host stands for one or more whole DNS labels, {@code *} as the port for any port, and
 * a missing port means the scheme's default.
 */
public final class ServerUrlAllowList {

  private record Pattern(String scheme, String[] hostLabels, String port, String text) {}

  private final List<Pattern> patterns;

  private ServerUrlAllowList(List<Pattern> patterns) { this.patterns = patterns; }

  public static ServerUrlAllowList parse(String csv) {
    List<Pattern> patterns = new ArrayList<>();
    for (String raw : csv.split(",")) {
      String text = raw.strip();
      if (text.isEmpty()) continue;
      int schemeEnd = text.indexOf("://");
      if (schemeEnd < 0) throw new IllegalArgumentException("allowed server URL needs a scheme: " + text);
      String scheme = text.substring(0, schemeEnd).toLowerCase(Locale.ROOT);
      if (!scheme.equals("https") && !scheme.equals("http")) {
        throw new IllegalArgumentException("allowed server URL must be http or https: " + text);
      }
      String authority = text.substring(schemeEnd + 3);
      if (authority.endsWith("/")) authority = authority.substring(0, authority.length() - 1);
      if (authority.contains("/") || authority.contains("@") || authority.contains("?") || authority.contains("#")) {
        throw new IllegalArgumentException("allowed server URL takes scheme, host and port only: " + text);
      }
      String host = authority;
      String port = defaultPort(scheme);
      int colon = authority.lastIndexOf(':');
      if (colon >= 0 && !authority.endsWith("]")) {
        host = authority.substring(0, colon);
        port = authority.substring(colon + 1);
        if (!port.equals("*") && !port.matches("[0-9]{1,5}")) {
          throw new IllegalArgumentException("bad port in allowed server URL: " + text);
        }
      }
      patterns.add(new Pattern(scheme, host.toLowerCase(Locale.ROOT).split("\\.", -1), port, text));
    }
    return new ServerUrlAllowList(List.copyOf(patterns));
  }

  /**
   * Parses and checks a server URL.
   *
   * @return the normalized URL (scheme://host[:port], no path) or empty when it is malformed or not allowed
   */
  public Optional<URI> check(String url) {
    Optional<URI> parsed = normalize(url);
    if (parsed.isEmpty()) return Optional.empty();
    URI uri = parsed.get();
    String port = uri.getPort() < 0 ? defaultPort(uri.getScheme()) : Integer.toString(uri.getPort());
    String[] labels = uri.getHost().toLowerCase(Locale.ROOT).split("\\.", -1);
    for (Pattern p : patterns) {
      if (p.scheme.equals(uri.getScheme()) && (p.port.equals("*") || p.port.equals(port))
          && hostMatches(p.hostLabels, 0, labels, 0)) {
        return parsed;
      }
    }
    return Optional.empty();
  }

  /**
   * The canonical form of a server URL, the one identity every part of the operator uses for it (the queue, the
   * cache index, the webhook cache, the request budget and the client): parsed by okhttp's {@code HttpUrl}, so the
   * scheme and host are lower-cased, the default port is dropped, dot segments are resolved and a host that is not a
   * valid DNS name (a label over 63 characters, say) is refused; trailing slashes are dropped. A path prefix is kept
   * (a gateway or the emulator may serve Konnect below one); it plays no part in allow-list matching.
   *
   * @return scheme://host[:port][/path], or empty when the URL is not http(s), cannot be parsed, or carries user
   *     info, a query or a fragment
   */
  public static Optional<URI> normalize(String url) {
    if (url == null) return Optional.empty();
    HttpUrl parsed = HttpUrl.parse(url.strip());
    if (parsed == null || !parsed.encodedUsername().isEmpty() || !parsed.encodedPassword().isEmpty()
        || parsed.encodedQuery() != null || parsed.encodedFragment() != null) {
      return Optional.empty();
    }
    StringBuilder canonical = new StringBuilder(parsed.scheme()).append("://")
        .append(parsed.host().contains(":") ? "[" + parsed.host() + "]" : parsed.host());
    if (parsed.port() != HttpUrl.defaultPort(parsed.scheme())) canonical.append(':').append(parsed.port());
    List<String> segments = new ArrayList<>(parsed.encodedPathSegments());
    while (!segments.isEmpty() && segments.get(segments.size() - 1).isEmpty()) segments.remove(segments.size() - 1);
    for (String segment : segments) canonical.append('/').append(segment);
    try {
      return Optional.of(new URI(canonical.toString()));
    } catch (URISyntaxException e) {
      return Optional.empty();
    }
  }

  private static boolean hostMatches(String[] pattern, int pi, String[] host, int hi) {
    if (pi == pattern.length) return hi == host.length;
    if (pattern[pi].equals("*")) {
      // one or more whole labels
      for (int take = 1; hi + take <= host.length; take++) {
        boolean labelsOk = true;
        for (int k = hi; k < hi + take; k++) {
          if (host[k].isEmpty()) { labelsOk = false; break; }
        }
        if (labelsOk && hostMatches(pattern, pi + 1, host, hi + take)) return true;
      }
      return false;
    }
    return hi < host.length && pattern[pi].equals(host[hi]) && hostMatches(pattern, pi + 1, host, hi + 1);
  }

  private static String defaultPort(String scheme) { return "https".equals(scheme) ? "443" : "80"; }

  @Override
  public String toString() {
    return String.join(",", patterns.stream().map(Pattern::text).toList());
  }
}
