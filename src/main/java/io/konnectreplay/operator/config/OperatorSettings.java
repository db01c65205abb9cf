package io.konnectreplay.operator.config;

import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Every setting of the operator, read from environment variables or the equivalent {@code --kebab-case} flags
 * (flags win). See the README's "Settings" table.
 */
public record OperatorSettings(
    Set<String> watchNamespaces,
    String watchLabelSelector,
    String serverUrlTemplate,
    ServerUrlAllowList allowedServerUrls,
    List<String> regions,
    Duration pollIntervalMax,
    double maxRequestsPerSecond,
    boolean leaderElection,
    String leaderElectionNamespace,
    String leaseName,
    Duration leaseDuration,
    Duration renewDeadline,
    Duration retryPeriod,
    String identity,
    int httpPort,
    String logFormat,
    int reconcileThreads,
    Duration terminationTimeout,
    Duration policyRefreshPeriod) {

  public static final String DEFAULT_SERVER_URL_TEMPLATE = "https://{region}.api.konghq.com";
  public static final String DEFAULT_ALLOWED_SERVER_URLS = "https://*.api.konghq.com";
  public static final String DEFAULT_REGIONS = "us,eu,au,me,in,sg";

  /**
   * One setting: its environment variable, the equivalent flag ({@link #flag()}), its default, the default as the
   * help text says it (where the default is computed) and what it means.
   */
  public record Setting(String env, String defaultValue, String defaultText, String label, String description) {
    /** {@code POLL_INTERVAL_MAX} → {@code --poll-interval-max}. */
    public String flag() {
      return "--" + env.toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** How messages name it: both spellings, since it may have come from either. */
    String names() {
      return flag() + " (" + env + ")";
    }
  }

  /** Every setting, in README order. */
  public static final List<Setting> SETTINGS = List.of(
      new Setting("WATCH_NAMESPACES", "", "all namespaces", "NS,…", "comma-separated namespaces to watch"),
      new Setting("WATCH_LABEL_SELECTOR", "", "none", "SELECTOR", "only resources matching this label selector"),
      new Setting("KONNECT_SERVER_URL_TEMPLATE", DEFAULT_SERVER_URL_TEMPLATE, DEFAULT_SERVER_URL_TEMPLATE, "URL",
          "the server of a region when spec.konnect.serverURL is not set"),
      new Setting("KONNECT_ALLOWED_SERVER_URLS", DEFAULT_ALLOWED_SERVER_URLS, DEFAULT_ALLOWED_SERVER_URLS, "GLOB,…",
          "comma-separated globs a server URL must match"),
      new Setting("KONNECT_REGIONS", DEFAULT_REGIONS, DEFAULT_REGIONS, "REGION,…", "regions a resource may name"),
      new Setting("POLL_INTERVAL_MAX", "30s", "30s", "DURATION", "the longest wait between two reads of a running job"),
      new Setting("KONNECT_MAX_RPS", "10", "10", "RPS", "requests per second per Konnect server, for all resources"),
      new Setting("LEADER_ELECTION", "false", "false", "true|false", "elect a leader on a Lease"),
      new Setting("LEADER_ELECTION_NAMESPACE", "", "the pod's namespace", "NS", "where the Lease lives"),
      new Setting("LEADER_ELECTION_LEASE_NAME", "konnect-replay-operator", "konnect-replay-operator", "NAME",
          "the Lease's name"),
      new Setting("LEADER_ELECTION_LEASE_DURATION", "15s", "15s", "DURATION", "how long a lease holds unrenewed"),
      new Setting("LEADER_ELECTION_RENEW_DEADLINE", "10s", "10s", "DURATION",
          "how long the leader tries to renew before giving up"),
      new Setting("LEADER_ELECTION_RETRY_PERIOD", "2s", "2s", "DURATION", "how often candidates try"),
      new Setting("POD_NAME", "", "the host name", "NAME", "identity in the Lease and in Events"),
      new Setting("HTTP_PORT", "8080", "8080", "PORT", "port of /healthz, /readyz and /metrics"),
      new Setting("LOG_FORMAT", "text", "text", "text|json", "json: one JSON object per line"),
      new Setting("RECONCILE_THREADS", "50", "50", "N", "concurrent reconciles"),
      new Setting("TERMINATION_TIMEOUT", "20s", "20s", "DURATION",
          "how long in-flight reconciles may finish on shutdown"),
      new Setting("POLICY_REFRESH_PERIOD", "10m", "10m", "DURATION",
          "how often a healthy policy refreshes status.observedThrough"));

  /** The names of all settings, in README order, with their defaults. */
  public static final Map<String, String> DEFAULTS = java.util.Collections.unmodifiableMap(SETTINGS.stream()
      .collect(Collectors.toMap(Setting::env, Setting::defaultValue, (a, b) -> a, LinkedHashMap::new)));

  private static final Map<String, Setting> BY_NAME = SETTINGS.stream()
      .collect(Collectors.toUnmodifiableMap(Setting::env, Function.identity()));

  public static OperatorSettings defaults(Map<String, String> overrides) {
    return from(overrides::get);
  }

  /**
   * Reads and checks every setting; a malformed one is an {@link IllegalArgumentException} that names it (flag and
   * variable) and says what it wants.
   */
  public static OperatorSettings from(Function<String, String> source) {
    Function<String, String> get = name -> {
      String v = source.apply(name);
      return v == null ? DEFAULTS.get(name) : v.strip();
    };
    String namespace = get.apply("LEADER_ELECTION_NAMESPACE");
    if (namespace.isEmpty()) namespace = podNamespace();
    String identity = get.apply("POD_NAME");
    if (identity.isEmpty()) identity = hostName();
    String logFormat = check(get, "LOG_FORMAT", v -> {
      String f = v.toLowerCase(Locale.ROOT);
      if (!f.equals("text") && !f.equals("json")) throw new IllegalArgumentException("wants text or json");
      return f;
    });
    double rps = check(get, "KONNECT_MAX_RPS", v -> {
      double d = Double.parseDouble(v);
      if (!(d > 0) || Double.isInfinite(d)) throw new IllegalArgumentException("wants a positive number");
      return d;
    });
    return new OperatorSettings(
        csv(get.apply("WATCH_NAMESPACES")).stream().collect(Collectors.toUnmodifiableSet()),
        get.apply("WATCH_LABEL_SELECTOR"),
        get.apply("KONNECT_SERVER_URL_TEMPLATE"),
        check(get, "KONNECT_ALLOWED_SERVER_URLS", ServerUrlAllowList::parse),
        check(get, "KONNECT_REGIONS", v -> {
          List<String> regions = csv(v);
          if (regions.isEmpty()) throw new IllegalArgumentException("wants at least one region");
          return regions;
        }),
        positive(get, "POLL_INTERVAL_MAX"),
        rps,
        check(get, "LEADER_ELECTION", OperatorSettings::strictBoolean),
        namespace,
        get.apply("LEADER_ELECTION_LEASE_NAME"),
        positive(get, "LEADER_ELECTION_LEASE_DURATION"),
        positive(get, "LEADER_ELECTION_RENEW_DEADLINE"),
        positive(get, "LEADER_ELECTION_RETRY_PERIOD"),
        identity,
        check(get, "HTTP_PORT", v -> between(v, 0, 65535)),
        logFormat,
        check(get, "RECONCILE_THREADS", v -> between(v, 1, 10_000)),
        check(get, "TERMINATION_TIMEOUT", GoDuration::parse),
        positive(get, "POLICY_REFRESH_PERIOD"));
  }

  /** Parses one setting; a failure names the setting and quotes the value. */
  private static <T> T check(Function<String, String> get, String name, Function<String, T> parse) {
    String value = get.apply(name);
    try {
      return parse.apply(value);
    } catch (IllegalArgumentException e) {
      String why = e instanceof NumberFormatException ? "wants a number" : e.getMessage();
      throw new IllegalArgumentException(BY_NAME.get(name).names() + ": "
          + (why.contains("\"" + value + "\"") ? why : why + ", not \"" + value + "\""));
    }
  }

  private static Duration positive(Function<String, String> get, String name) {
    return check(get, name, v -> {
      Duration d = GoDuration.parse(v);
      if (d.isZero()) throw new IllegalArgumentException("must be longer than zero");
      return d;
    });
  }

  private static int between(String value, int min, int max) {
    int n = Integer.parseInt(value);
    if (n < min || n > max) throw new IllegalArgumentException("wants a number from " + min + " to " + max);
    return n;
  }

  /** {@code true} or {@code false}, in any case: anything else is a typo, not "false". */
  private static boolean strictBoolean(String value) {
    if (value.equalsIgnoreCase("true")) return true;
    if (value.equalsIgnoreCase("false")) return false;
    throw new IllegalArgumentException("wants true or false");
  }

  /** The default server URL of a region, from the template. */
  public String defaultServerUrl(String region) {
    return serverUrlTemplate.replace("{region}", region);
  }

  private static List<String> csv(String value) {
    return Arrays.stream(value.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
  }

  private static String podNamespace() {
    String ns = System.getenv("POD_NAMESPACE");
    if (ns != null && !ns.isBlank()) return ns.strip();
    try {
      return java.nio.file.Files.readString(
          java.nio.file.Path.of("/var/run/secrets/kubernetes.io/serviceaccount/namespace")).strip();
    } catch (java.io.IOException e) {
      return "default";
    }
  }

  private static String hostName() {
    String h = System.getenv("HOSTNAME");
    if (h != null && !h.isBlank()) return h;
    try {
      return java.net.InetAddress.getLocalHost().getHostName();
    } catch (java.net.UnknownHostException e) {
      return "konnect-replay-operator";
    }
  }
}
