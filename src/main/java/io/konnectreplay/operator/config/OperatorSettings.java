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
 * Every setting of the operator, read from environment variables or the equivalent {@code --kebab-case=value}
 * flags (flags win). See the README's "Settings" table.
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
    Duration terminationTimeout) {

  public static final String DEFAULT_SERVER_URL_TEMPLATE = "https://{region}.api.konghq.com";
  public static final String DEFAULT_ALLOWED_SERVER_URLS = "https://*.api.konghq.com";
  public static final String DEFAULT_REGIONS = "us,eu,au,me,in,sg";

  /** The names of all settings, in README order, with their defaults. */
  public static final Map<String, String> DEFAULTS = defaults();

  private static Map<String, String> defaults() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("WATCH_NAMESPACES", "");
    m.put("WATCH_LABEL_SELECTOR", "");
    m.put("KONNECT_SERVER_URL_TEMPLATE", DEFAULT_SERVER_URL_TEMPLATE);
    m.put("KONNECT_ALLOWED_SERVER_URLS", DEFAULT_ALLOWED_SERVER_URLS);
    m.put("KONNECT_REGIONS", DEFAULT_REGIONS);
    m.put("POLL_INTERVAL_MAX", "30s");
    m.put("KONNECT_MAX_RPS", "10");
    m.put("LEADER_ELECTION", "false");
    m.put("LEADER_ELECTION_NAMESPACE", "");
    m.put("LEADER_ELECTION_LEASE_NAME", "konnect-replay-operator");
    m.put("LEADER_ELECTION_LEASE_DURATION", "15s");
    m.put("LEADER_ELECTION_RENEW_DEADLINE", "10s");
    m.put("LEADER_ELECTION_RETRY_PERIOD", "2s");
    m.put("POD_NAME", "");
    m.put("HTTP_PORT", "8080");
    m.put("LOG_FORMAT", "text");
    m.put("RECONCILE_THREADS", "50");
    m.put("TERMINATION_TIMEOUT", "20s");
    return java.util.Collections.unmodifiableMap(m);
  }

  public static OperatorSettings defaults(Map<String, String> overrides) {
    return from(overrides::get);
  }

  /** Reads settings from the environment, overridden by {@code --name=value} flags. */
  public static OperatorSettings fromEnvironment(String[] args) {
    Map<String, String> flags = new LinkedHashMap<>();
    for (String arg : args) {
      if (!arg.startsWith("--") || !arg.contains("=")) continue;
      String name = arg.substring(2, arg.indexOf('=')).replace('-', '_').toUpperCase(Locale.ROOT);
      flags.put(name, arg.substring(arg.indexOf('=') + 1));
    }
    return from(name -> flags.containsKey(name) ? flags.get(name) : System.getenv(name));
  }

  public static OperatorSettings from(Function<String, String> source) {
    Function<String, String> get = name -> {
      String v = source.apply(name);
      return v == null ? DEFAULTS.get(name) : v.strip();
    };
    String namespace = get.apply("LEADER_ELECTION_NAMESPACE");
    if (namespace.isEmpty()) namespace = podNamespace();
    String identity = get.apply("POD_NAME");
    if (identity.isEmpty()) identity = hostName();
    String logFormat = get.apply("LOG_FORMAT").toLowerCase(Locale.ROOT);
    if (!logFormat.equals("text") && !logFormat.equals("json")) {
      throw new IllegalArgumentException("LOG_FORMAT must be text or json, not \"" + logFormat + "\"");
    }
    double rps = Double.parseDouble(get.apply("KONNECT_MAX_RPS"));
    if (rps <= 0) throw new IllegalArgumentException("KONNECT_MAX_RPS must be positive");
    return new OperatorSettings(
        csv(get.apply("WATCH_NAMESPACES")).stream().collect(Collectors.toUnmodifiableSet()),
        get.apply("WATCH_LABEL_SELECTOR"),
        get.apply("KONNECT_SERVER_URL_TEMPLATE"),
        ServerUrlAllowList.parse(get.apply("KONNECT_ALLOWED_SERVER_URLS")),
        csv(get.apply("KONNECT_REGIONS")),
        GoDuration.parse(get.apply("POLL_INTERVAL_MAX")),
        rps,
        Boolean.parseBoolean(get.apply("LEADER_ELECTION")),
        namespace,
        get.apply("LEADER_ELECTION_LEASE_NAME"),
        GoDuration.parse(get.apply("LEADER_ELECTION_LEASE_DURATION")),
        GoDuration.parse(get.apply("LEADER_ELECTION_RENEW_DEADLINE")),
        GoDuration.parse(get.apply("LEADER_ELECTION_RETRY_PERIOD")),
        identity,
        Integer.parseInt(get.apply("HTTP_PORT")),
        logFormat,
        Integer.parseInt(get.apply("RECONCILE_THREADS")),
        GoDuration.parse(get.apply("TERMINATION_TIMEOUT")));
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
