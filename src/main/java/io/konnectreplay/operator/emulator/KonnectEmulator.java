package io.konnectreplay.operator.emulator;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

/**
 * An in-process Kong Konnect audit-log API over real HTTP on 127.0.0.1: a faithful superset of the replay-job,
 * webhook, webhook-status, destination and JWKS endpoints of audit-logs v2/v3 and portal-management v2/v3, for
 * integration tests, fault injection, the benchmark and the sandbox.
 *
 * <pre>{@code
 * try (KonnectEmulator konnect = KonnectEmulator.builder().token("kpat_test").delivery(fake).start()) {
 *   konnect.addPortal("us", portalId);
 *   konnect.configurePortalWebhook("us", portalId, "http://127.0.0.1:9999/hook", "Bearer x", "json", true);
 *   URI server = konnect.regionUrl("us");          // http://127.0.0.1:PORT/us
 *   ...
 * }
 * }</pre>
 *
 * <h2>Routing</h2>
 * Every configured region (default us, eu, au, me, in, sg) is served by the one process, at {@code /{region}/v2/…}
 * and {@code /{region}/v3/…}; paths without a region prefix ({@code /v2/…}) go to the default region ("us"). Each
 * region has its own organization replay job, organization webhook and portals. Audit-log destinations are global
 * (Konnect: "destinations are global and are available for webhooks in all regions"), so every region prefix sees the
 * same list.
 *
 * <h2>Behaviour that Konnect does not document, and what the emulator does</h2>
 * <ul>
 *   <li><b>409.</b> A PUT answers 409 while the target's job is in one of {@link Builder#conflictStates} — default
 *       accepted, pending and running: one job per target, and a PUT never replaces a job in flight. The body is the
 *       documented {@code {"status":409,"title":"Resource Conflict","instance":"konnect:trace:…","detail":"A replay
 *       job is currently running"}}. After completed or failed, a PUT replaces the singleton job.</li>
 *   <li><b>Validation order.</b> unknown path 404 → bearer token 401 → token scope 403 → unknown portal 404 → body
 *       400 → conflict 409. The JWKS needs no token. Fault rules act before all of these, as a gateway
 *       in front of Konnect would.</li>
 *   <li><b>400.</b> Missing or unparseable body: {@code field "body", rule "invalid", reason "request format is
 *       invalid"}. Missing field: rule {@code required}. Not an RFC3339 date-time (seconds required, offset
 *       required; fractions and non-UTC offsets are accepted and answered in UTC): rule {@code is_date_time}. Start
 *       older than 7 days, end in the future, end before start: rule {@code invalid}. Exactly 7 days back is still
 *       allowed. Equal start and end are allowed by default (the docs' example uses equal values); see
 *       {@link Builder#allowEqualStartEnd}. Each item is {@code {field, rule, reason, source:"body"}}.</li>
 *   <li><b>Disabled or unconfigured webhook.</b> The PUT is accepted (202); the job fails when it runs, without a
 *       delivery attempt and without changing the webhook status. The webhook is read when the job starts
 *       running ("the webhook configured at the time the replay job is executed").</li>
 *   <li><b>Job lifecycle.</b> accepted → pending → running → completed | failed on timers ({@link JobTimings});
 *       {@code updated_at} changes on every transition. A delivery that throws or returns null counts as failed
 *       with response code 0. A running job stays running at least {@link JobTimings#running()}, longer if the
 *       delivery takes longer.</li>
 *   <li><b>Errors.</b> Every error is {@code application/problem+json} with {@code status, title, instance, detail}
 *       and {@code instance} {@code kong:trace:<19 digits>}; only the replay-job 409 uses {@code konnect:trace:}, as
 *       the spec's example does. No {@code type} field, as in the documented examples (except 429, see below).
 *       Unsupported methods on a served path answer 405 problem+json.</li>
 *   <li><b>Webhooks.</b> The organization webhook of a region is either an inline config (set by v2 PATCH, which
 *       unlinks any destination) or a link to a destination (set by v3 PATCH, or by
 *       {@link #configureOrgWebhook}); v2 GET shows the effective endpoint either way, or
 *       {@code {"endpoint":"unconfigured","enabled":false,"log_format":"cef",…}} when there is none;
 *       {@code authorization} is never returned. v3 GET of an unlinked org webhook answers the nil uuid as
 *       {@code audit_log_destination_id} (the field is required by the v3 schema); the portal webhook omits it.
 *       v3/portal DELETE unlinks and disables (204); a portal DELETE answers 409 while the portal's job is in a
 *       conflict state. v2 PATCH answers 400 "cannot be blank" for an empty endpoint or authorization, "must be a
 *       valid URL" for a non-http(s) endpoint, and enabling without any endpoint.</li>
 *   <li><b>Webhook status.</b> {@code webhook_status} is {@code unconfigured} (outside the spec enum, as observed in
 *       Konnect) when nothing is configured, {@code inactive} after {@link Builder#inactiveAfterFailures} (default 3)
 *       failed deliveries in a row, replays and live events alike (each delivery already includes Konnect's retries),
 *       and {@code active} otherwise: a single success makes it active again. Deliveries go on while it is inactive
 *       (otherwise nothing could ever succeed again). {@code last_attempt_at}, {@code last_response_code} and
 *       {@code last_response_message} come from the last delivery with an attempt and are omitted until the first.</li>
 *   <li><b>Live events.</b> With {@link Builder#liveEvents} every enabled webhook gets its target's new audit events
 *       every interval, signed and batched as replays are (the same {@link ReplayDelivery}, so a live event and a
 *       replayed event of the same time are the same line). Events a webhook refused are not sent again; while a
 *       webhook is disabled nothing is sent. Only a replay brings those events back.</li>
 *   <li><b>Standalone defaults.</b> {@link Builder#anyPortal} makes every uuid a known portal (created on first use)
 *       and {@link Builder#defaultWebhook} starts every target with an enabled webhook, so the API can be driven with
 *       curl as Kong's docs do without configuring anything first.</li>
 *   <li><b>Destinations.</b> Create needs name, endpoint, authorization and log_format (201); DELETE answers 409
 *       "Destination is in use…" while any webhook links it. The list is cursor-paged ({@code page[size]} default
 *       100, {@code page[after]}, {@code page[before]}, {@code filter[name][eq|contains]}).</li>
 *   <li><b>Faults.</b> A 429 with {@link FaultRule.Body#PROBLEM_JSON} is {@code {"status":429,"title":"Too Many
 *       Requests","type":"https://httpstatuses.com/429",…}}; with {@link FaultRule.Body#GATEWAY} it is
 *       {@code {"message":"API rate limit exceeded"}} as {@code application/json}. {@code Retry-After} as HTTP-date
 *       is rounded up by one second so it never announces less than asked. 500 is problem+json; 502, 503 and 504
 *       carry a gateway-style {@code {"message":…}} body.</li>
 *   <li><b>Tokens.</b> Any configured string is a token (no kpat_/spat_ prefix check). A token scoped to portals
 *       answers 403 on other portals and on every organization endpoint, destinations included.</li>
 * </ul>
 */
public final class KonnectEmulator implements AutoCloseable {
  public static final List<String> DEFAULT_REGIONS = List.of("us", "eu", "au", "me", "in", "sg");

  private final int requestedPort;
  private final List<String> regions;
  private final String defaultRegion;
  private final Clock clock;
  private final EmulatorState state;
  private final Faults faults = new Faults();
  private final RequestLog log = new RequestLog();
  private final Map<String, Set<String>> tokens;
  private final ReplayDelivery delivery;
  private final ScheduledExecutorService scheduler;
  private final ExecutorService deliveries;
  private final ExecutorService http;
  private final ScheduledExecutorService liveTicker;
  private final LiveEventStream live;
  private HttpServer server;

  private KonnectEmulator(Builder b) {
    this.requestedPort = b.port;
    this.regions = List.copyOf(b.regions);
    this.defaultRegion = b.defaultRegion != null ? b.defaultRegion : regions.get(0);
    if (!regions.contains(defaultRegion)) {
      throw new IllegalArgumentException("default region " + defaultRegion + " is not among " + regions);
    }
    this.clock = b.clock;
    // a null scope means full access
    this.tokens = Collections.unmodifiableMap(new LinkedHashMap<>(b.tokens));
    this.delivery = b.delivery != null ? b.delivery : new NoDelivery(clock);
    this.scheduler = Executors.newSingleThreadScheduledExecutor(daemon("konnect-emulator-jobs"));
    this.deliveries = Executors.newCachedThreadPool(daemon("konnect-emulator-delivery"));
    this.http = Executors.newCachedThreadPool(daemon("konnect-emulator-http"));
    this.state = new EmulatorState(regions, clock, b.timings, b.conflictStates, b.allowEqualStartEnd, delivery,
        scheduler, deliveries, new EmulatorState.Settings(b.inactiveAfterFailures, b.anyPortal, b.defaultWebhook));
    if (b.liveInterval != null) {
      this.liveTicker = Executors.newSingleThreadScheduledExecutor(daemon("konnect-emulator-live"));
      this.live = new LiveEventStream(state, delivery, clock, b.liveInterval, liveTicker, deliveries);
    } else {
      this.liveTicker = null;
      this.live = null;
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Binds 127.0.0.1 and starts serving. */
  public synchronized KonnectEmulator start() {
    if (server != null) {
      return this;
    }
    try {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), requestedPort), 0);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot bind 127.0.0.1:" + requestedPort, e);
    }
    server.createContext("/", new EmulatorHttpHandler(state, faults, log, tokens, defaultRegion, clock, delivery));
    server.setExecutor(http);
    server.start();
    if (live != null) {
      live.start();
    }
    return this;
  }

  /** {@code http://127.0.0.1:PORT}: paths under it without a region prefix go to the default region. */
  public URI baseUrl() {
    HttpServer s = server;
    if (s == null) {
      throw new IllegalStateException("the emulator is not started");
    }
    return URI.create("http://127.0.0.1:" + s.getAddress().getPort());
  }

  /** {@code http://127.0.0.1:PORT/{region}}: a server URL for the operator, like {@code https://us.api.konghq.com}. */
  public URI regionUrl(String region) {
    if (!regions.contains(region)) {
      throw new IllegalArgumentException("unknown region " + region + "; serving " + regions);
    }
    return URI.create(baseUrl() + "/" + region);
  }

  public int port() {
    return baseUrl().getPort();
  }

  public List<String> regions() {
    return regions;
  }

  public String defaultRegion() {
    return defaultRegion;
  }

  /** Makes a Dev Portal exist in a region (portal ids are uuids; unknown portals answer 404). */
  public KonnectEmulator addPortal(String region, String portalId) {
    state.addPortal(region, portalId);
    return this;
  }

  /** The portals known in a region (added, or created on first use with {@link Builder#anyPortal}). */
  public List<String> portals(String region) {
    return state.portals(region);
  }

  /** How often live events are sent, or null when they are not. */
  public java.time.Duration liveEventInterval() {
    return live == null ? null : live.interval();
  }

  /** Creates a destination and links it to the portal's webhook, as the Konnect UI would. */
  public KonnectEmulator configurePortalWebhook(String region, String portalId, String endpoint,
      String authorization, String logFormat, boolean enabled) {
    state.configureWebhook(region, Objects.requireNonNull(portalId, "portalId"), endpoint, authorization, logFormat,
        enabled);
    return this;
  }

  /** Creates a destination and links it to the region's organization webhook. */
  public KonnectEmulator configureOrgWebhook(String region, String endpoint, String authorization, String logFormat,
      boolean enabled) {
    state.configureWebhook(region, null, endpoint, authorization, logFormat, enabled);
    return this;
  }

  /** What a GET of the job would answer now. */
  public ReplayJobSnapshot job(String region, String portalIdOrNull) {
    return state.snapshot(region, portalIdOrNull);
  }

  /**
   * Submits a job as someone else would (another tool, a person in the UI): no validation, logged as external, not
   * counted by {@link #count}.
   *
   * @throws IllegalStateException when the target's job is in a conflict state, as Konnect would answer 409
   */
  public ReplayJobSnapshot submitExternalJob(String region, String portalIdOrNull, Instant start, Instant end) {
    ReplayJobSnapshot snapshot = state.submitExternal(region, portalIdOrNull, start, end);
    logExternal(region, portalIdOrNull, 202, start, end);
    return snapshot;
  }

  /** Replaces the window of the target's job without changing its state, as if someone re-submitted it mid-flight. */
  public ReplayJobSnapshot replaceJobWindow(String region, String portalIdOrNull, Instant start, Instant end) {
    ReplayJobSnapshot snapshot = state.replaceWindow(region, portalIdOrNull, start, end);
    logExternal(region, portalIdOrNull, 200, start, end);
    return snapshot;
  }

  private void logExternal(String region, String portalId, int status, Instant start, Instant end) {
    String path = "/" + region + (portalId == null ? "" : "/v2/portals/" + portalId.toLowerCase(Locale.ROOT))
        + (portalId == null ? "/v2" : "") + "/audit-log-replay-job";
    log.add(new RecordedRequest(clock.instant(), System.nanoTime(), "PUT", path, EndpointKind.REPLAY_JOB_PUT, region,
        portalId == null ? null : portalId.toLowerCase(Locale.ROOT), status, false, null, true, start, end, true));
  }

  /** The fault rules in force: add and clear them at any time. */
  public Faults faults() {
    return faults;
  }

  /** Every request so far, in arrival order, external submissions included. */
  public List<RecordedRequest> requests() {
    return log.all();
  }

  public RequestLog requestLog() {
    return log;
  }

  /** Requests of this method (null for any) and kind from the client under test. */
  public long count(String method, EndpointKind kind) {
    return log.count(method, kind);
  }

  /** Stops the server and the job engine; jobs stay where they are. */
  @Override
  public synchronized void close() {
    if (liveTicker != null) {
      liveTicker.shutdownNow();
    }
    scheduler.shutdownNow();
    deliveries.shutdownNow();
    if (server != null) {
      server.stop(0);
    }
    http.shutdownNow();
    try {
      scheduler.awaitTermination(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static ThreadFactory daemon(String name) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, name + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  /** Used when no {@link ReplayDelivery} is given: every replay fails and the JWKS is empty. */
  private record NoDelivery(Clock clock) implements ReplayDelivery {
    @Override
    public DeliveryResult deliver(String region, String portalId, WebhookConfig webhook, Instant from, Instant to) {
      return new DeliveryResult(false, 0, "no replay delivery configured in the emulator", clock.instant(), 0);
    }

    @Override
    public String jwksJson() {
      return "{\"keys\":[]}";
    }
  }

  /** Configuration; every setting has a default that suits tests. */
  public static final class Builder {
    private int port;
    private List<String> regions = DEFAULT_REGIONS;
    private String defaultRegion = "us";
    private final Map<String, Set<String>> tokens = new LinkedHashMap<>();
    private JobTimings timings = JobTimings.fast();
    private Set<String> conflictStates = Set.of("accepted", "pending", "running");
    private boolean allowEqualStartEnd = true;
    private Clock clock = Clock.systemUTC();
    private ReplayDelivery delivery;
    private java.time.Duration liveInterval;
    private int inactiveAfterFailures = 3;
    private boolean anyPortal;
    private ReplayDelivery.WebhookConfig defaultWebhook;

    private Builder() {}

    /**
     * Sends live audit events to every enabled webhook every {@code interval} (off by default): each target's events
     * since the last send, through the {@link #delivery} replays use, each outcome recorded in the webhook status.
     */
    public Builder liveEvents(java.time.Duration interval) {
      if (interval != null && (interval.isNegative() || interval.isZero())) {
        throw new IllegalArgumentException("the live event interval must be longer than zero");
      }
      this.liveInterval = interval;
      return this;
    }

    /** Consecutive failed deliveries after which {@code webhook_status} reads inactive (default 3, at least 1). */
    public Builder inactiveAfterFailures(int failures) {
      if (failures < 1) {
        throw new IllegalArgumentException("inactiveAfterFailures must be at least 1");
      }
      this.inactiveAfterFailures = failures;
      return this;
    }

    /** Whether any uuid is a known portal, created on first use, instead of answering 404 (default false). */
    public Builder anyPortal(boolean any) {
      this.anyPortal = any;
      return this;
    }

    /**
     * The webhook every target (each region's organization, each portal) starts with, enabled: one destination
     * linked from all of them. Default none: targets start unconfigured, as in Konnect.
     */
    public Builder defaultWebhook(String endpoint, String authorization, String logFormat) {
      this.defaultWebhook = new ReplayDelivery.WebhookConfig(Objects.requireNonNull(endpoint, "endpoint"),
          authorization, logFormat, false);
      return this;
    }

    /** The port to bind on 127.0.0.1; 0 (the default) picks a free one. */
    public Builder port(int port) {
      this.port = port;
      return this;
    }

    /** Serves only this region, and makes it the default for paths without a region prefix. */
    public Builder region(String region) {
      this.regions = List.of(region);
      this.defaultRegion = region;
      return this;
    }

    /** Serves these regions; the first is the default for unprefixed paths unless {@link #defaultRegion} says. */
    public Builder regions(List<String> regions) {
      if (regions.isEmpty()) {
        throw new IllegalArgumentException("at least one region");
      }
      this.regions = new ArrayList<>(regions);
      this.defaultRegion = regions.contains("us") ? "us" : regions.get(0);
      return this;
    }

    public Builder regions(String... regions) {
      return regions(List.of(regions));
    }

    public Builder defaultRegion(String region) {
      this.defaultRegion = region;
      return this;
    }

    /** A token with full access. */
    public Builder token(String token) {
      tokens.put(Objects.requireNonNull(token), null);
      return this;
    }

    /** A token that may only use these portals' endpoints (403 elsewhere, organization endpoints included). */
    public Builder token(String token, Set<String> portalIds) {
      tokens.put(Objects.requireNonNull(token),
          portalIds.stream().map(p -> p.toLowerCase(Locale.ROOT)).collect(Collectors.toUnmodifiableSet()));
      return this;
    }

    public Builder timings(JobTimings timings) {
      this.timings = Objects.requireNonNull(timings);
      return this;
    }

    /** The job states in which a PUT answers 409; default accepted, pending and running. */
    public Builder conflictStates(Set<String> states) {
      this.conflictStates = Set.copyOf(states);
      return this;
    }

    /** Whether {@code start_at == end_at} is a valid window; default true. */
    public Builder allowEqualStartEnd(boolean allow) {
      this.allowEqualStartEnd = allow;
      return this;
    }

    /** The clock for timestamps and window validation (state timers always run in real time). */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock);
      return this;
    }

    public Builder delivery(ReplayDelivery delivery) {
      this.delivery = delivery;
      return this;
    }

    /** An emulator that is not listening yet: call {@link KonnectEmulator#start()}. */
    public KonnectEmulator build() {
      return new KonnectEmulator(this);
    }

    public KonnectEmulator start() {
      return build().start();
    }
  }
}
